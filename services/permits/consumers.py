"""Lambda: events the permits service consumes (SQS batches of EventBridge deliveries): its own, since the
fee paid, the municipality's answer and a decision each start work elsewhere in the service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from services.permits import dependencies
from services.permits.telemetry import logger, metrics, tracer
from shared.events.consumer import Received, consume_batch
from shared.events.contracts.permits import (
    LicenceExpiring,
    MunicipalityAnswered,
    PermitApplicationDismissed,
    PermitCompletionRequested,
    PermitDecided,
    PermitFeePaid,
)
from shared.observability import entry_point

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _prepare(event: Received[PermitFeePaid]) -> None:
    from services.permits.domain.preparing import Registers, prepare

    permits = dependencies.permits()
    prepared = prepare(
        event.data.diarienummer,
        repository=permits,
        registers=Registers(licences=permits, suitability=dependencies.suitability()),
        rules=dependencies.rules(),
        now=dependencies.clock().now(),
        correlation_id=event.correlation_id,
    )
    if prepared is None:
        logger.info("Prepared before: nothing changed", extra={"diarienummer": event.data.diarienummer})
        return
    decided = prepared.decision is not None
    metrics.add_dimension(name="kind", value=prepared.kind.value)
    metrics.add_metric(
        name="PermitsDecidedByRule" if decided else "PermitsPrepared", unit=MetricUnit.Count, value=1
    )
    logger.info(
        "Application prepared", extra={"diarienummer": prepared.diarienummer, "status": prepared.status.value}
    )


def _take_answer(event: Received[MunicipalityAnswered]) -> None:
    from services.permits.domain.referrals import take_answer_into_case

    moved = take_answer_into_case(
        event.data.diarienummer, repository=dependencies.permits(), now=dependencies.clock().now()
    )
    logger.info(
        "Municipality's answer taken into the case" if moved else "Answer taken before: nothing changed",
        extra={"diarienummer": event.data.diarienummer, "verdict": event.data.verdict},
    )


def _decision_letter(event: Received[PermitDecided]) -> None:
    from services.permits.domain.notifications import send_decision

    sent = send_decision(
        event.data.diarienummer,
        repository=dependencies.permits(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    )
    if sent:
        metrics.add_metric(name="PermitLettersSent", unit=MetricUnit.Count, value=1)


def _completion_letter(event: Received[PermitCompletionRequested]) -> None:
    from services.permits.domain.notifications import send_completion_request

    sent = send_completion_request(
        event.data.diarienummer,
        event.data.request_id,
        repository=dependencies.permits(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    )
    if sent:
        metrics.add_metric(name="PermitLettersSent", unit=MetricUnit.Count, value=1)


def _dismissal_letter(event: Received[PermitApplicationDismissed]) -> None:
    from services.permits.domain.notifications import send_dismissal

    if send_dismissal(
        event.data.diarienummer,
        repository=dependencies.permits(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    ):
        metrics.add_metric(name="PermitLettersSent", unit=MetricUnit.Count, value=1)


def _expiry_letter(event: Received[LicenceExpiring]) -> None:
    from services.permits.domain.notifications import send_expiry_reminder

    if send_expiry_reminder(
        event.data.licence_number,
        licences=dependencies.permits(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    ):
        metrics.add_metric(name="PermitLettersSent", unit=MetricUnit.Count, value=1)


@entry_point(logger, metrics=metrics, tracer=tracer)
def prepare_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handlers={PermitFeePaid: _prepare}, logger=logger)


@entry_point(logger, metrics=metrics, tracer=tracer)
def referral_answers_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handlers={MunicipalityAnswered: _take_answer}, logger=logger)


@entry_point(logger, metrics=metrics, tracer=tracer)
def letters_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={
            PermitDecided: _decision_letter,
            PermitCompletionRequested: _completion_letter,
            PermitApplicationDismissed: _dismissal_letter,
            LicenceExpiring: _expiry_letter,
        },
        logger=logger,
    )
