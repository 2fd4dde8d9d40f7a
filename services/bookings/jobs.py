"""Lambda: scheduled work of the bookings service."""

from __future__ import annotations

import uuid
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.bookings import dependencies
from services.bookings.domain import reminders
from services.bookings.telemetry import logger, metrics, tracer
from shared.clock import scheduled_time
from shared.observability import entry_point


@entry_point(logger, metrics=metrics, tracer=tracer)
def reminders_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Reminders fall due as of the run's scheduled time, so a delayed or replayed run reminds exactly what
    was due when it should have run."""
    correlation_id = str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    as_of = scheduled_time(event) or dependencies.clock().now()
    sent = reminders.send_due_reminders(
        as_of=as_of,
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=correlation_id,
    )
    metrics.add_metric(name="AppointmentRemindersDue", unit=MetricUnit.Count, value=sent)
    logger.info("Reminders sent", extra={"reminded": sent, "asOf": as_of.isoformat()})
    return {"reminded": sent}
