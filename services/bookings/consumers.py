"""Lambda: events the bookings service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from services.bookings import dependencies
from services.bookings.domain import cases, validity
from services.bookings.telemetry import logger, metrics, tracer
from shared.events.consumer import Received, consume_batch
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import DocumentBlockRequested, ReportFiled
from shared.observability import entry_point

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _block_document(event: Received[DocumentBlockRequested]) -> None:
    requested = event.data
    outcome = validity.block_reported_document(
        requested,
        register=dependencies.documents(),
        now=dependencies.clock().now(),
        correlation_id=event.correlation_id,
    )
    if outcome is validity.BlockOutcome.REFUSED:
        # Not the holder's document, or not in the register: no one can block someone else's passport.
        metrics.add_metric(name="DocumentBlocksRefused", unit=MetricUnit.Count, value=1)
        logger.warning(
            "Document not blocked: no such document held by the holder named",
            extra={"caseNumber": requested.case_number},
        )
    elif outcome is validity.BlockOutcome.ALREADY_BLOCKED:
        # A second report of the same document, or one the register had blocked before.
        metrics.add_metric(name="DocumentsAlreadyBlocked", unit=MetricUnit.Count, value=1)
        logger.info("Document already blocked: nothing changed", extra={"caseNumber": requested.case_number})
    elif outcome is validity.BlockOutcome.ANSWERED_BEFORE:
        # A redelivery, a re-drive or an archive replay of a request already answered.
        logger.info(
            "Block request answered before: nothing changed", extra={"caseNumber": requested.case_number}
        )
    else:
        metrics.add_metric(name="DocumentsBlocked", unit=MetricUnit.Count, value=1)
        logger.info("Document blocked", extra={"caseNumber": requested.case_number})


def _learn_case_owner(event: Received[ReportFiled]) -> None:
    cases.learn_report_owner(event.data, cases=dependencies.cases())


def _learn_permit_applicant(event: Received[PermitApplicationSubmitted]) -> None:
    cases.learn_permit_applicant(event.data, cases=dependencies.cases())


@entry_point(logger, metrics=metrics, tracer=tracer)
def documents_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handlers={DocumentBlockRequested: _block_document}, logger=logger)


@entry_point(logger, metrics=metrics, tracer=tracer)
def cases_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    # Fed by two subscriptions (a rule names one source): reports' and permits' cases.
    return consume_batch(
        event,
        context,
        handlers={ReportFiled: _learn_case_owner, PermitApplicationSubmitted: _learn_permit_applicant},
        logger=logger,
    )
