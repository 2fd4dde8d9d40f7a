"""Lambda: events the reports service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.domain import filing
from shared.events.consumer import consume_batch
from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import DeliveredEvent
from shared.observability import create_logger, create_metrics

logger = create_logger()
metrics = create_metrics()
tracer = Tracer()


def _triage(delivered: DeliveredEvent) -> None:
    filed = ReportFiled.model_validate(delivered.detail["data"])
    filing.place_in_region_queue(
        filed.case_number,
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=delivered.metadata.correlation_id,
    )


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def triage_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_triage, logger=logger)
