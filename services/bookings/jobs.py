"""Lambda: scheduled work of the bookings service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.bookings import dependencies
from services.bookings.domain import reminders
from services.bookings.telemetry import logger, metrics, tracer
from shared.observability import entry_point


def _scheduled_time(event: dict[str, Any]) -> datetime | None:
    """The time the run was scheduled for, when the scheduler says (an EventBridge-shaped ``time``)."""
    text = event.get("time") if isinstance(event, dict) else None
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


@entry_point(logger, metrics=metrics, tracer=tracer)
def reminders_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Reminders fall due as of the run's scheduled time, so a delayed or replayed run reminds exactly what
    was due when it should have run."""
    correlation_id = str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    as_of = _scheduled_time(event) or dependencies.clock().now()
    sent = reminders.send_due_reminders(
        as_of=as_of,
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=correlation_id,
    )
    metrics.add_metric(name="AppointmentRemindersDue", unit=MetricUnit.Count, value=sent)
    logger.info("Reminders sent", extra={"reminded": sent, "asOf": as_of.isoformat()})
    return {"reminded": sent}
