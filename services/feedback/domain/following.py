"""What the sender does after giving feedback, and what the deadlines do to an item.

A sender who is not satisfied with the answer may reopen a closed item once; it goes back to the same unit and
manager with its history. A manager is reminded before the answer is due; after the deadline the item is
escalated to its regional function, and a sender who asked for an answer is told it will be late
(förvaltningslagen 11 §).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from services.feedback.domain.model import FeedbackItem, Status
from services.feedback.domain.ports import FeedbackRepository
from services.feedback.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, NotFound
from shared.events.contracts.feedback import SOURCE, FeedbackReopened
from shared.events.envelope import Envelope, EventData, new_event
from shared.letters import DigitalLetter, letter_id


def reopen(
    feedback_number: str,
    *,
    owner_ref: str,
    reason: str,
    repository: FeedbackRepository,
    now: datetime,
    correlation_id: str,
) -> FeedbackItem:
    def attempt() -> FeedbackItem:
        item = repository.get(feedback_number)
        if item is None or item.owner_ref != owner_ref:
            raise NotFound(TEXTS("not_found.item", feedbackNumber=feedback_number))
        if item.reopened_at is not None:
            raise Conflict(TEXTS("conflict.reopened_once"))
        if item.status is not Status.CLOSED:
            raise Conflict(TEXTS("conflict.reopen_closed_only"))
        reopened = item.moved(
            Status.ASSIGNED if item.manager else Status.REGISTERED,
            now,
            TEXTS("history.reopened", reason=reason).kept(),
            reopened_at=now,
            closed_at=None,
            answer=None,
            reminded_at=None,
            escalated_at=None,
            answer_due_at=now + (item.answer_due_at - item.received_at),
        )
        event: Envelope[EventData] = new_event(
            FeedbackReopened(feedback_number=feedback_number, region=item.region, reopened_at=now),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=item.correlation_id or correlation_id,
        )
        repository.save(reopened, expected_version=item.version, events=[event])
        return reopened

    return retry_on_conflict(attempt)


@dataclass
class Handled:
    reminded: int = 0
    escalated: int = 0
    delay_notices: int = 0
    skipped: list[str] = field(default_factory=list)


def delay_letter(item: FeedbackItem, *, now: datetime) -> DigitalLetter | None:
    if item.personnummer is None:
        return None
    return DigitalLetter(
        message_id=letter_id("feedback/delay", item.feedback_number, item.answer_due_at),
        recipient_personnummer=item.personnummer,
        subject=TEXTS("letter.delay.subject", feedbackNumber=item.feedback_number).render(item.language),
        body=TEXTS("letter.delay.body", feedbackNumber=item.feedback_number).render(item.language),
        case_number=item.feedback_number,
        written_at=now,
    )


def handle_deadlines(
    *, as_of: datetime, now: datetime, repository: FeedbackRepository, send: Callable[[DigitalLetter], None]
) -> Handled:
    handled = Handled()
    for item in repository.due(by=as_of):
        if not item.status.is_open:
            continue
        try:
            if item.answer_due_at <= as_of and item.escalated_at is None:
                letter = delay_letter(item, now=now) if item.wants_answer else None
                if letter is not None:
                    send(letter)
                escalated = item.moved(
                    item.status,
                    now,
                    TEXTS("history.escalated").kept(),
                    escalated_at=now,
                    reminded_at=item.reminded_at or now,
                    delay_notified_at=now if letter else None,
                    letters_sent=(*item.letters_sent, letter.message_id) if letter else item.letters_sent,
                )
                repository.save(escalated, expected_version=item.version)
                handled.escalated += 1
                handled.delay_notices += 1 if letter else 0
            elif item.reminded_at is None:
                repository.save(
                    item.moved(item.status, now, TEXTS("history.reminded").kept(), reminded_at=now),
                    expected_version=item.version,
                )
                handled.reminded += 1
        except Conflict:
            handled.skipped.append(item.feedback_number)
    return handled
