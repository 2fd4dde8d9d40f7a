"""Lambda: the reports service's scheduled work (EventBridge Scheduler)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.domain.lost_and_found.deadlines import pass_deadlines
from services.reports.domain.stalled import find_stalled_reports
from services.reports.manifest import STALLED_METRIC
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


@entry_point(logger, metrics=metrics, tracer=tracer)
def stalled_reports_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Reports still received long after filing (their triage never ran): shown in their region's staff
    queue, counted in ``ReportsStalled`` (zero too, so its alarm clears once triage has caught up)."""
    correlation_id = str(event.get("id") or context.aws_request_id)
    logger.set_correlation_id(correlation_id)
    run = find_stalled_reports(
        backlog=dependencies.triage_backlog(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        overdue_after=dependencies.triage_overdue_after(),
    )
    metrics.add_metric(name=STALLED_METRIC, unit=MetricUnit.Count, value=len(run.stalled))
    summary = {"stalled": len(run.stalled), "marked": len(run.marked)}
    if run.stalled:
        logger.warning("Reports whose triage never ran", extra={**summary, "caseNumbers": run.stalled[:50]})
    else:
        logger.info("No stalled reports", extra=summary)
    return summary
