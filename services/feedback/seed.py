"""Lambda (local cloud only): demo feedback received, assigned and partly answered over the last six months, so
the staff views and the learning endpoint have themes to show at once.

Items are stored through the same use cases as citizens' and managers', with their events left out (on the bus
they would only write letters to people who do not exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.feedback import dependencies
from services.feedback.demo import demo_feedback
from services.feedback.domain import intake
from services.feedback.domain.model import Answer, FeedbackItem, Status
from services.feedback.messages import TEXTS
from services.feedback.telemetry import logger
from shared.audit import AuditRecord
from shared.events.envelope import Envelope, EventData
from shared.observability import entry_point

DEMO_MANAGER = "PM-DEMO"


class Unannounced:
    """The feedback repository, storing items and leaving their events out."""

    def __init__(self) -> None:
        self._repository = dependencies.feedback()

    def allocate_number(self, year: int) -> int:
        return self._repository.allocate_number(year)

    def add(self, item: FeedbackItem, events: Sequence[Envelope[EventData]]) -> None:
        self._repository.add(item, [])

    def get(self, feedback_number: str) -> FeedbackItem | None:
        return self._repository.get(feedback_number)

    def save(
        self,
        item: FeedbackItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
    ) -> None:
        self._repository.save(item, expected_version=expected_version)


@entry_point(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    now = dependencies.clock().now()
    repository = Unannounced()
    answered = 0
    demo = demo_feedback(now)
    for entry in demo:
        sender = intake.Sender(owner_ref=entry.owner_ref, personnummer=entry.personnummer)
        item = intake.receive(
            entry.draft,
            sender=sender,
            repository=repository,  # type: ignore[arg-type]
            cases=dependencies.feedback(),
            now=entry.received_at,
            answer_days=dependencies.answer_days(),
            correlation_id="seed",
        )
        if item.status is not Status.REGISTERED:
            continue
        assigned = item.moved(
            Status.ASSIGNED, item.received_at, TEXTS("history.assigned").kept(), manager=DEMO_MANAGER
        )
        if entry.answered_after_days is not None:
            at = item.received_at + timedelta(days=entry.answered_after_days)
            assigned = assigned.moved(
                Status.CLOSED,
                at,
                TEXTS("history.closed").kept(),
                answer=Answer(
                    text="Tack för din synpunkt.",
                    answered_at=at,
                    answered_by=DEMO_MANAGER,
                    within_deadline=at <= item.answer_due_at,
                ),
                closed_at=at,
                version=item.version + 1,
            )
            answered += 1
        repository.save(assigned.changed(version=item.version + 1), expected_version=item.version)
    logger.info("Demo feedback received", extra={"items": len(demo), "answered": answered})
    return {"items": len(demo), "answered": answered}
