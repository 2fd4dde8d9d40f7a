"""Telling the applicant by letter to their digital mailbox: a decision, a completion request, a dismissal, and
a licence holder that their licence ends soon.

A letter is a side effect that must happen once, however late its event is delivered again. Each letter's id
is derived from what it is about and recorded on the case once sent (``lettersSent``); a letter already
recorded is never sent again. Between sending and recording a crash can happen, or a second copy of the event
be handled at the same moment: then the same letter goes out with the same id, which the connector drops.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.permits.domain import letters
from services.permits.domain.model import Application, ApplicationStatus
from services.permits.domain.ports import ApplicationRepository, LicenceRegister
from shared.concurrency import retry_on_conflict
from shared.letters import DigitalLetter, DigitalMailbox


def _send_once(
    diarienummer: str,
    write: Callable[[Application], DigitalLetter | None],
    *,
    repository: ApplicationRepository,
    mailbox: DigitalMailbox,
) -> bool:
    """Send the letter ``write`` makes of the case, once; False when there was none to send or it was sent."""

    def attempt() -> bool:
        application = repository.get(diarienummer)
        if application is None:
            return False
        letter = write(application)
        if letter is None or letter.message_id in application.letters_sent:
            return False
        mailbox.send(letter)
        repository.save(
            application.changed(letters_sent=(*application.letters_sent, letter.message_id)),
            expected_version=application.version,
        )
        return True

    return retry_on_conflict(attempt)


def send_decision(
    diarienummer: str, *, repository: ApplicationRepository, mailbox: DigitalMailbox, now: datetime
) -> bool:
    return _send_once(
        diarienummer,
        lambda a: letters.decision_letter(a, a.decision, now=now) if a.decision else None,
        repository=repository,
        mailbox=mailbox,
    )


def send_completion_request(
    diarienummer: str,
    request_id: str,
    *,
    repository: ApplicationRepository,
    mailbox: DigitalMailbox,
    now: datetime,
) -> bool:
    return _send_once(
        diarienummer,
        lambda a: letters.completion_letter(a, request_id, now=now),
        repository=repository,
        mailbox=mailbox,
    )


def send_dismissal(
    diarienummer: str, *, repository: ApplicationRepository, mailbox: DigitalMailbox, now: datetime
) -> bool:
    return _send_once(
        diarienummer,
        lambda a: (
            letters.dismissal_letter(a, dismissed_at=a.payment_due_at, now=now)
            if a.status is ApplicationStatus.DISMISSED
            else None
        ),
        repository=repository,
        mailbox=mailbox,
    )


def send_expiry_reminder(
    licence_number: str, *, licences: LicenceRegister, mailbox: DigitalMailbox, now: datetime
) -> bool:
    """Remind a licence's holder once of the end the reminder was recorded for."""

    def attempt() -> bool:
        licence = licences.licence(licence_number)
        if licence is None or licence.reminded_at is None or licence.valid_until is None:
            return False
        letter = letters.expiry_letter(licence, now=now)
        if letter.message_id in licence.letters_sent:
            return False
        mailbox.send(letter)
        licences.save_licence(
            licence.changed_to(letters_sent=(*licence.letters_sent, letter.message_id)),
            expected_version=licence.version,
        )
        return True

    return retry_on_conflict(attempt)
