"""What falls due on cases and licences, handled by the scheduled job as of the run's scheduled time.

- An application not paid by its payment deadline is dismissed (avskrivet), with a letter saying so.
- (The dismissal letter and the licence reminder are written by the letters consumer from the events stored
  with these changes, so no one is told of a change that did not happen.)
- A paid application still unprepared ten minutes after payment is counted as stalled (its event was lost or
  dead-lettered), which alarms; re-driving the dead letter prepares it.
- A referral's reminder before its deadline, and its escalation to case handlers after it.
- A completion request whose deadline passed without an answer goes back to the case handler.
- A waiting weapons case that will be substantially delayed: the applicant is told, once.
- A time-limited licence, or a purchase permit, nearing its end: the holder is reminded, once, and a purchase
  permit past its end expires.

Each is recorded on the case or the licence with the state it changes, so a run repeated for the same time
changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from services.permits.domain import following, letters, referrals
from services.permits.domain.applying import WEAPONS_QUEUE
from services.permits.domain.model import Application, ApplicationStatus, LicenceKind, LicenceStatus
from services.permits.domain.ports import ApplicationRepository, LicenceRegister
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared.clock import stockholm_time
from shared.errors import Conflict
from shared.events.contracts.permits import SOURCE, LicenceExpiring, PermitApplicationDismissed
from shared.events.envelope import Envelope, EventData, new_event
from shared.letters import DigitalMailbox


@dataclass
class Handled:
    dismissed: int = 0
    stalled: int = 0
    reminded: int = 0
    escalated: int = 0
    lapsed: int = 0
    delay_notices: int = 0
    licences_reminded: int = 0
    purchase_permits_expired: int = 0
    skipped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Deadlines:
    applications: ApplicationRepository
    licences: LicenceRegister
    mailbox: DigitalMailbox
    rules: PermitRules
    now: datetime
    correlation_id: str

    def run(self, as_of: datetime) -> Handled:
        handled = Handled()
        for application in self.applications.due(by=as_of):
            step = {
                ApplicationStatus.AWAITING_PAYMENT: self._dismiss,
                ApplicationStatus.PAID: self._stalled,
                ApplicationStatus.REFERRED: self._referral,
                ApplicationStatus.IN_PROGRESS: self._referral,
                ApplicationStatus.AWAITING_COMPLETION: self._pending,
            }.get(application.status)
            if step is None:
                continue
            try:
                step(application, as_of, handled)
            except Conflict:
                # Changed meanwhile (paid, answered): the next run sees it as it is now.
                handled.skipped.append(application.diarienummer)
        self._delays(handled)
        self._licences(as_of, handled)
        return handled

    def _dismiss(self, application: Application, as_of: datetime, handled: Handled) -> None:
        if application.status is not ApplicationStatus.AWAITING_PAYMENT or application.payment_due_at > as_of:
            return
        dismissed = application.moved(
            ApplicationStatus.DISMISSED, self.now, TEXTS("timeline.dismissed").kept()
        )
        event: Envelope[EventData] = new_event(
            PermitApplicationDismissed(
                diarienummer=application.diarienummer,
                kind=application.kind.value,
                dismissed_at=self.now,
                owner_ref=application.applicant_ref,
            ),
            producer=SOURCE,
            occurred_at=self.now,
            correlation_id=application.correlation_id or self.correlation_id,
        )
        # The letter is written from the event by the letters consumer: only a dismissal that was stored is told.
        self.applications.save(dismissed, expected_version=application.version, events=[event])
        handled.dismissed += 1

    def _stalled(self, application: Application, as_of: datetime, handled: Handled) -> None:
        due = application.next_due_at
        if due is not None and due <= as_of:
            handled.stalled += 1

    def _referral(self, application: Application, as_of: datetime, handled: Handled) -> None:
        referral = application.referral
        if referral is None or referral.answer is not None:
            return
        if referral.answer_due_at <= as_of:
            if referrals.escalate(application, repository=self.applications, now=self.now) is not None:
                handled.escalated += 1
        elif (
            referral.reminder_due_at <= as_of
            and referrals.remind(application, repository=self.applications, now=self.now) is not None
        ):
            handled.reminded += 1

    def _pending(self, application: Application, as_of: datetime, handled: Handled) -> None:
        """A case waiting for the applicant may wait for its municipality too."""
        self._lapse(application, as_of, handled)
        current = self.applications.get(application.diarienummer)
        if current is not None and current.referral_pending:
            self._referral(current, as_of, handled)

    def _lapse(self, application: Application, as_of: datetime, handled: Handled) -> None:
        request = application.open_completion
        if request is None or application.status is not ApplicationStatus.AWAITING_COMPLETION:
            return
        if stockholm_time(as_of).date() <= request.due_on:
            return
        lapsed = request.model_copy(update={"lapsed_at": self.now})
        back_to = ApplicationStatus.IN_PROGRESS if application.assigned_to else ApplicationStatus.QUEUED
        moved = application.moved(
            back_to,
            self.now,
            TEXTS("timeline.completion_lapsed").kept(),
            completions=tuple(
                lapsed if c.request_id == request.request_id else c for c in application.completions
            ),
        )
        self.applications.save(moved, expected_version=application.version)
        handled.lapsed += 1

    def _waiting_weapons_cases(self) -> Iterator[Application]:
        # The whole queue: its last cases are the most delayed of all.
        start: dict[str, Any] | None = None
        while True:
            page = self.applications.queue(WEAPONS_QUEUE, limit=100, start=start)
            yield from page.applications
            if page.next_start is None:
                return
            start = page.next_start

    def _delays(self, handled: Handled) -> None:
        for application in self._waiting_weapons_cases():
            if application.delay_notified_at is not None:
                continue
            outlook = following.forecast(
                application, repository=self.applications, rules=self.rules, now=self.now
            )
            if outlook is None or not outlook.delayed:
                continue
            letter = letters.delay_letter(application, outlook.expected_on, now=self.now)
            self.mailbox.send(letter)
            try:
                self.applications.save(
                    application.changed(
                        delay_notified_at=self.now,
                        letters_sent=(*application.letters_sent, letter.message_id),
                    ),
                    expected_version=application.version,
                )
            except Conflict:
                handled.skipped.append(application.diarienummer)
                continue
            handled.delay_notices += 1

    def _licences(self, as_of: datetime, handled: Handled) -> None:
        today = stockholm_time(as_of).date()
        ahead = timedelta(weeks=self.rules.deadlines.licence_expiry_reminder_weeks)
        for licence in self.licences.expiring(by=today + ahead):
            if licence.valid_until is None or licence.status is not LicenceStatus.VALID:
                continue
            if licence.kind is LicenceKind.PURCHASE_PERMIT and licence.valid_until < today:
                try:
                    self.licences.save_licence(
                        licence.changed_to(status=LicenceStatus.EXPIRED), expected_version=licence.version
                    )
                    handled.purchase_permits_expired += 1
                except Conflict:
                    handled.skipped.append(licence.licence_number)
                continue
            if licence.reminded_at is not None:
                continue
            event: Envelope[EventData] = new_event(
                LicenceExpiring(
                    licence_number=licence.licence_number,
                    licence_kind=licence.kind.value,
                    expires_on=licence.valid_until,
                    owner_ref=licence.holder_ref,
                ),
                producer=SOURCE,
                occurred_at=self.now,
                correlation_id=self.correlation_id,
            )
            try:
                self.licences.save_licence(
                    licence.changed_to(reminded_at=self.now), expected_version=licence.version, events=[event]
                )
            except Conflict:
                handled.skipped.append(licence.licence_number)
                continue
            handled.licences_reminded += 1
