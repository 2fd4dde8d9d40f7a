"""Case work by the regional functions and the responsible managers, as the national model has it.

Staff of a regional function (role ``feedback``) see their region's items (national staff: all), assign each to
its responsible manager, pass it to another region or the national function with a reason, refer a complaint
that may describe a crime to the unit that investigates crimes by police employees, and approve the redacted
version a consenting sender's item is published with. A manager (role ``manager``) answers the items assigned
to them, gives feedback to the employee a complaint is about, and closes them. Every read, change and refused
attempt is audited; another region's item is as unknown as a missing one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from services.feedback.domain.learning import Theme, months_between, themes
from services.feedback.domain.model import (
    SPECIAL_INVESTIGATIONS,
    Answer,
    FeedbackItem,
    Kind,
    Publication,
    Status,
    month_of,
)
from services.feedback.domain.ports import FeedbackRepository, Page
from services.feedback.messages import TEXTS
from shared import audit
from shared.clock import Clock, stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.contracts.feedback import SOURCE, FeedbackAnswered, FeedbackClosed, FeedbackRouted
from shared.events.envelope import Envelope, EventData, new_event
from shared.regions import Region, municipality
from shared.staff import NATIONAL, StaffMember

FUNCTION_ROLE = "feedback"
MANAGER_ROLE = "manager"
CASE_ROLES = (FUNCTION_ROLE, MANAGER_ROLE)
MAX_LEARNING_MONTHS = 36


class AuditAction(StrEnum):
    VIEW_LIST = "viewList"
    VIEW_ITEM = "viewItem"
    VIEW_LEARNING = "viewLearning"
    SEARCH = "search"
    ASSIGN = "assign"
    ANSWER = "answer"
    EMPLOYEE_FEEDBACK = "employeeFeedback"
    CLOSE = "close"
    TRANSFER = "transfer"
    REFER = "refer"
    APPROVE_PUBLICATION = "approvePublication"


class AuditRecord(audit.AuditRecord):
    action: AuditAction
    feedback_number: str | None = None
    feedback_numbers: list[str] = Field(default_factory=list)

    def subject(self) -> audit.AuditSubject:
        if self.feedback_number:
            return audit.AuditSubject("feedback", self.feedback_number)
        return super().subject()


class NotPermitted(Forbidden):
    """The staff member's roles do not allow this."""


def _event(item: FeedbackItem, data: EventData, now: datetime, correlation_id: str) -> Envelope[EventData]:
    return new_event(
        data, producer=SOURCE, occurred_at=now, correlation_id=item.correlation_id or correlation_id
    )


@dataclass(frozen=True)
class FeedbackDesk:
    staff: StaffMember
    items: FeedbackRepository
    audit: audit.AuditLog
    clock: Clock
    correlation_id: str
    search_index: Any = None

    def _record(
        self, action: AuditAction, now: datetime, *, allowed: bool = True, **fields: Any
    ) -> AuditRecord:
        return AuditRecord(
            audit_id=str(uuid.uuid4()),
            at=now,
            staff_id=self.staff.staff_id,
            staff_region=self.staff.region,
            action=action,
            allowed=allowed,
            correlation_id=self.correlation_id,
            **fields,
        )

    def _require(self, role: str, action: AuditAction, now: datetime, **fields: Any) -> None:
        if not self.staff.has_role(role):
            self.audit.record(self._record(action, now, allowed=False, **fields))
            raise NotPermitted(TEXTS("forbidden.role", role=role))

    def _visible(self, feedback_number: str, action: AuditAction, now: datetime) -> FeedbackItem:
        if not any(self.staff.has_role(r) for r in CASE_ROLES):
            self.audit.record(self._record(action, now, allowed=False, feedback_number=feedback_number))
            raise NotPermitted(TEXTS("forbidden.role", role=FUNCTION_ROLE))
        item = self.items.get(feedback_number)
        visible = (
            item is not None
            and self.staff.may_see(item.region)
            and (self.staff.has_role(FUNCTION_ROLE) or item.manager == self.staff.staff_id)
        )
        if item is None or not visible:
            self.audit.record(self._record(action, now, allowed=False, feedback_number=feedback_number))
            raise NotFound(TEXTS("not_found.item", feedbackNumber=feedback_number))
        return item

    def _save(
        self,
        before: FeedbackItem,
        after: FeedbackItem,
        action: AuditAction,
        now: datetime,
        *events: Envelope[EventData],
        change: str | None = None,
    ) -> FeedbackItem:
        self.items.save(
            after,
            expected_version=before.version,
            events=list(events),
            audit=self._record(
                action, now, feedback_number=after.feedback_number, region=before.region, change=change
            ),
        )
        return after

    # --- reads ---------------------------------------------------------------------------------------------

    def open_items(self, region: str | None, *, limit: int, start: dict[str, Any] | None) -> Page:
        now = self.clock.now()
        region = region or self.staff.region
        self._require(FUNCTION_ROLE, AuditAction.VIEW_LIST, now, region=region)
        if not self.staff.may_see(region):
            self.audit.record(self._record(AuditAction.VIEW_LIST, now, allowed=False, region=region))
            raise NotPermitted(TEXTS("forbidden.region", region=region))
        page = self.items.open_in_region(region, limit=limit, start=start)
        self.audit.record(
            self._record(
                AuditAction.VIEW_LIST,
                now,
                region=region,
                feedback_numbers=[i.feedback_number for i in page.items],
            )
        )
        return page

    def search(self, words: list[str], filters: Any, *, limit: int, start: dict[str, Any] | None) -> Any:
        """Search the feedback this staff member may see (their region; national staff all); audited with
        the items shown, never with the words searched for (they may name a person)."""
        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.SEARCH, now, region=self.staff.region)
        if filters.region is not None and not self.staff.may_see(filters.region):
            self.audit.record(self._record(AuditAction.SEARCH, now, allowed=False, region=filters.region))
            raise NotPermitted(TEXTS("forbidden.region", region=filters.region))
        if self.search_index is None:
            raise RuntimeError("no search index was wired")
        page = self.search_index.search(self.staff, words, filters, limit=limit, start=start)
        self.audit.record(
            self._record(
                AuditAction.SEARCH,
                now,
                region=filters.region or self.staff.region,
                feedback_numbers=[h.number for h in page.hits],
            )
        )
        return page

    def read(self, feedback_number: str) -> FeedbackItem:
        now = self.clock.now()
        item = self._visible(feedback_number, AuditAction.VIEW_ITEM, now)
        self.audit.record(
            self._record(AuditAction.VIEW_ITEM, now, feedback_number=feedback_number, region=item.region)
        )
        return item

    def learning(self, first: date, last: date, region: str | None) -> tuple[str, list[Theme]]:
        """The themes of ``first``'s month to ``last``'s, of the staff member's region (national staff: of the
        region asked for, or all)."""
        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.VIEW_LEARNING, now, region=region or self.staff.region)
        if last < first:
            raise InvalidInput.of("to", TEXTS("invalid.filter", name="to", why="<from"))
        months = months_between(first, last)
        if len(months) > MAX_LEARNING_MONTHS:
            raise InvalidInput.of("from", TEXTS("invalid.months", months=MAX_LEARNING_MONTHS))
        if self.staff.region != NATIONAL:
            region = region or self.staff.region
        if region is not None and not self.staff.may_see(region):
            self.audit.record(self._record(AuditAction.VIEW_LEARNING, now, allowed=False, region=region))
            raise NotPermitted(TEXTS("forbidden.region", region=region))
        rows = self.items.theme_rows(months, region)
        self.audit.record(self._record(AuditAction.VIEW_LEARNING, now, region=region or NATIONAL))
        return region or NATIONAL, themes(rows)

    # --- the regional function -------------------------------------------------------------------------------

    def assign(self, feedback_number: str, manager: str) -> FeedbackItem:
        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.ASSIGN, now, feedback_number=feedback_number)

        def attempt() -> FeedbackItem:
            item = self._visible(feedback_number, AuditAction.ASSIGN, now)
            if not item.status.is_open:
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            assigned = item.moved(
                Status.ASSIGNED,
                now,
                TEXTS("history.assigned").kept(),
                by=self.staff.staff_id,
                manager=manager,
            )
            return self._save(item, assigned, AuditAction.ASSIGN, now)

        return retry_on_conflict(attempt)

    def transfer(self, feedback_number: str, to: str, reason: str) -> FeedbackItem:
        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.TRANSFER, now, feedback_number=feedback_number)
        if to != NATIONAL and to not in {r.value for r in Region}:
            raise InvalidInput.of("to", TEXTS("invalid.region", region=to))

        def attempt() -> FeedbackItem:
            item = self._visible(feedback_number, AuditAction.TRANSFER, now)
            if not item.status.is_open:
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            if to == item.region:
                raise InvalidInput.of("to", TEXTS("invalid.same_region"))
            moved = item.moved(
                Status.REGISTERED,
                now,
                TEXTS("history.transferred", to=to, reason=reason).kept(),
                by=self.staff.staff_id,
                region=to,
                manager=None,
            )
            event = _event(
                item,
                FeedbackRouted(
                    feedback_number=feedback_number, from_region=item.region, to=to, routed_at=now
                ),
                now,
                self.correlation_id,
            )
            return self._save(item, moved, AuditAction.TRANSFER, now, event, change=to)

        return retry_on_conflict(attempt)

    def refer_to_special_investigations(self, feedback_number: str, reason: str) -> FeedbackItem:
        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.REFER, now, feedback_number=feedback_number)

        def attempt() -> FeedbackItem:
            item = self._visible(feedback_number, AuditAction.REFER, now)
            if item.draft.kind is not Kind.EMPLOYEE_COMPLAINT:
                raise Conflict(TEXTS("conflict.refer_employee_only"))
            if not item.status.is_open:
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            moved = item.moved(
                Status.REFERRED,
                now,
                TEXTS("history.referred_by_staff", reason=reason).kept(),
                by=self.staff.staff_id,
                draft=item.draft.model_copy(update={"publish_consent": False}),
                publication=None,
            )
            event = _event(
                item,
                FeedbackRouted(
                    feedback_number=feedback_number,
                    from_region=item.region,
                    to=SPECIAL_INVESTIGATIONS,
                    routed_at=now,
                ),
                now,
                self.correlation_id,
            )
            return self._save(item, moved, AuditAction.REFER, now, event)

        return retry_on_conflict(attempt)

    def approve_publication(self, feedback_number: str, redacted_text: str) -> FeedbackItem:
        from services.feedback.domain.redaction import redact

        now = self.clock.now()
        self._require(FUNCTION_ROLE, AuditAction.APPROVE_PUBLICATION, now, feedback_number=feedback_number)

        def attempt() -> FeedbackItem:
            item = self._visible(feedback_number, AuditAction.APPROVE_PUBLICATION, now)
            if not item.draft.publish_consent:
                raise Conflict(TEXTS("conflict.no_consent"))
            if item.draft.kind is Kind.EMPLOYEE_COMPLAINT or item.status is Status.REFERRED:
                raise Conflict(TEXTS("conflict.never_published"))
            # What staff approve is redacted once more: a name they missed is still taken out.
            names = [n for n in (item.caller_name,) if n]
            code = item.draft.concerns.municipality_code
            publication = Publication(
                text=redact(redacted_text, known_names=names).text,
                municipality=municipality(code).name if code else None,
                month=month_of(stockholm_time(item.received_at)),
                approved_by=self.staff.staff_id,
                approved_at=now,
            )
            approved = item.changed(publication=publication)
            return self._save(item, approved, AuditAction.APPROVE_PUBLICATION, now)

        return retry_on_conflict(attempt)

    # --- the responsible manager ---------------------------------------------------------------------------

    def _held(self, feedback_number: str, action: AuditAction, now: datetime) -> FeedbackItem:
        self._require(MANAGER_ROLE, action, now, feedback_number=feedback_number)
        item = self._visible(feedback_number, action, now)
        if item.manager != self.staff.staff_id:
            raise Conflict(TEXTS("conflict.not_your_item", feedbackNumber=feedback_number))
        return item

    def answer(self, feedback_number: str, text: str) -> FeedbackItem:
        now = self.clock.now()

        def attempt() -> FeedbackItem:
            item = self._held(feedback_number, AuditAction.ANSWER, now)
            if item.status is not Status.ASSIGNED:
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            if not item.wants_answer:
                raise Conflict(TEXTS("conflict.no_answer_wanted"))
            within = now <= item.answer_due_at
            answered = item.moved(
                Status.ANSWERED,
                now,
                TEXTS("history.answered").kept(),
                by=self.staff.staff_id,
                answer=Answer(
                    text=text, answered_at=now, answered_by=self.staff.staff_id, within_deadline=within
                ),
            )
            event = _event(
                item,
                FeedbackAnswered(
                    feedback_number=feedback_number,
                    region=item.region,
                    answered_at=now,
                    within_deadline=within,
                    owner_ref=item.owner_ref,
                ),
                now,
                self.correlation_id,
            )
            return self._save(item, answered, AuditAction.ANSWER, now, event)

        return retry_on_conflict(attempt)

    def employee_feedback_given(self, feedback_number: str) -> FeedbackItem:
        now = self.clock.now()

        def attempt() -> FeedbackItem:
            item = self._held(feedback_number, AuditAction.EMPLOYEE_FEEDBACK, now)
            if item.status is Status.REFERRED:
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            if item.draft.kind is not Kind.EMPLOYEE_COMPLAINT:
                raise Conflict(TEXTS("conflict.employee_only"))
            if item.employee_feedback_at is not None:
                return item
            done = item.moved(
                item.status,
                now,
                TEXTS("history.employee_feedback").kept(),
                by=self.staff.staff_id,
                employee_feedback_at=now,
            )
            return self._save(item, done, AuditAction.EMPLOYEE_FEEDBACK, now)

        return retry_on_conflict(attempt)

    def close(self, feedback_number: str) -> FeedbackItem:
        now = self.clock.now()

        def attempt() -> FeedbackItem:
            item = self._held(feedback_number, AuditAction.CLOSE, now)
            if item.status is Status.CLOSED:
                return item
            if item.status is Status.REFERRED:
                # Not feedback: the special investigations department has it.
                raise Conflict(
                    TEXTS("conflict.not_open", feedbackNumber=feedback_number, status=item.status.value)
                )
            if item.wants_answer and item.status is not Status.ANSWERED:
                raise Conflict(TEXTS("conflict.answer_first"))
            if item.draft.kind is Kind.EMPLOYEE_COMPLAINT and item.employee_feedback_at is None:
                raise Conflict(TEXTS("conflict.employee_feedback_first"))
            closed = item.moved(
                Status.CLOSED, now, TEXTS("history.closed").kept(), by=self.staff.staff_id, closed_at=now
            )
            event = _event(
                item,
                FeedbackClosed(feedback_number=feedback_number, region=item.region, closed_at=now),
                now,
                self.correlation_id,
            )
            return self._save(item, closed, AuditAction.CLOSE, now, event)

        return retry_on_conflict(attempt)
