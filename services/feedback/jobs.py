"""Lambda: scheduled work of the feedback service."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.feedback import dependencies
from services.feedback.telemetry import logger, metrics, tracer
from shared.clock import scheduled_time
from shared.observability import entry_point


@entry_point(logger, metrics=metrics, tracer=tracer)
def deadlines_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Reminders and escalations fall due as of the run's scheduled time."""
    from services.feedback.domain.following import handle_deadlines

    correlation_id = str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    now = dependencies.clock().now()
    as_of = scheduled_time(event) or now
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
