"""Lambda: scheduled work of the permits service."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.permits import dependencies
from services.permits.telemetry import logger, metrics, tracer
from shared.clock import scheduled_time
from shared.observability import entry_point


@entry_point(logger, metrics=metrics, tracer=tracer)
def deadlines_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Deadlines fall due as of the run's scheduled time, so a delayed or replayed run handles exactly what was
    due when it should have run."""
    from services.permits.domain.deadlines import Deadlines
    from services.permits.manifest import STALLED_METRIC

    correlation_id = str(uuid.uuid4())
    logger.set_correlation_id(correlation_id)
    now = dependencies.clock().now()
    as_of = scheduled_time(event) or now
    permits = dependencies.permits()
    handled = Deadlines(
        applications=permits,
        licences=permits,
        mailbox=dependencies.mailbox(),
        rules=dependencies.rules(),
        now=max(now, as_of),
        correlation_id=correlation_id,
    ).run(as_of)
    counts = {name: value for name, value in asdict(handled).items() if isinstance(value, int)}
    for name, value in counts.items():
        metrics.add_metric(name=f"PermitDeadlines_{name}", unit=MetricUnit.Count, value=value)
    # Always emitted, zero included, so the alarm sees a value every run.
    metrics.add_metric(name=STALLED_METRIC, unit=MetricUnit.Count, value=handled.stalled)
    logger.info("Deadlines handled", extra={**counts, "asOf": as_of.isoformat()})
    return {**counts, "skipped": len(handled.skipped)}
