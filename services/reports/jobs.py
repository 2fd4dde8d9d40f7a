"""Lambda: the reports service's scheduled work (EventBridge Scheduler)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.domain.lost_and_found import pass_deadlines
from services.reports.telemetry import logger, metrics, tracer
from shared.observability import entry_point


@entry_point(logger, metrics=metrics, tracer=tracer)
def found_item_deadlines_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Moves on every found item whose statutory period ended. Idempotent: Scheduler's retries and a second
    run find nothing more to do."""
    correlation_id = str(event.get("id") or context.aws_request_id)
    logger.set_correlation_id(correlation_id)
    run = pass_deadlines(
        repository=dependencies.found_items(), clock=dependencies.clock(), correlation_id=correlation_id
    )
    metrics.add_metric(name="FoundItemDeadlinesPassed", unit=MetricUnit.Count, value=run.steps)
    summary = {"moved": run.moved, "steps": run.steps, "skipped": run.skipped}
    logger.info("Found item deadlines passed", extra=summary)
    return summary
