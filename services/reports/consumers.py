"""Lambda: events the reports service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.domain import filing, stolen_goods
from services.reports.telemetry import logger, metrics, tracer
from shared.events.consumer import consume_batch
from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import DeliveredEvent


def _triage(delivered: DeliveredEvent) -> None:
    filed = ReportFiled.model_validate(delivered.detail["data"])
    repository = dependencies.repository()
    filing.place_in_region_queue(
        filed.case_number,
        repository=repository,
        clock=dependencies.clock(),
        correlation_id=delivered.metadata.correlation_id,
    )
    report = repository.get(filed.case_number)
    if report is not None:
        stolen_goods.index_stolen_goods(report, dependencies.stolen_goods())


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def triage_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_triage, logger=logger)
