"""Lambda: scheduled work of the feedback service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.feedback import dependencies
from services.feedback.telemetry import logger, metrics, tracer
from shared.observability import entry_point


def _scheduled_time(event: dict[str, Any]) -> datetime | None:
    text = event.get("time") if isinstance(event, dict) else None
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@entry_point(logger, metrics=metrics, tracer=tracer)
def deadlines_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Reminders and escalations fall due as of the run's scheduled time."""
    from services.feedback.domain.following import handle_deadlines

    correlation_id = str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    now = dependencies.clock().now()
    as_of = _scheduled_time(event) or now
    handled = handle_deadlines(
        as_of=as_of, now=max(now, as_of), repository=dependencies.feedback(), send=dependencies.mailbox().send
    )
    metrics.add_metric(name="FeedbackEscalated", unit=MetricUnit.Count, value=handled.escalated)
    logger.info(
        "Deadlines handled",
        extra={"reminded": handled.reminded, "escalated": handled.escalated, "asOf": as_of.isoformat()},
    )
    return {
        "reminded": handled.reminded,
        "escalated": handled.escalated,
        "delayNotices": handled.delay_notices,
    }
