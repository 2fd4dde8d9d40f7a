"""Lambda: events the feedback service consumes: whose case a number is (from reports and permits), and its
own answers, which are written to the sender's digital mailbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from services.feedback import dependencies
from services.feedback.telemetry import logger, metrics, tracer
from shared.events.consumer import Received, consume_batch
from shared.events.contracts.feedback import FeedbackAnswered, LessonPublished
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import ReportFiled
from shared.observability import entry_point

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


def _report_owner(event: Received[ReportFiled]) -> None:
    dependencies.feedback().learn_owner(event.data.case_number, event.data.owner_ref)


def _permit_owner(event: Received[PermitApplicationSubmitted]) -> None:
    dependencies.feedback().learn_owner(event.data.diarienummer, event.data.owner_ref)


def _answer_letter(event: Received[FeedbackAnswered]) -> None:
    from services.feedback.domain.letters import send_answer

    if send_answer(
        event.data.feedback_number,
        repository=dependencies.feedback(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    ):
        metrics.add_metric(name="FeedbackLettersSent", unit=MetricUnit.Count, value=1)


def _lesson_letters(event: Received[LessonPublished]) -> None:
    from services.feedback.domain.lessons import tell_senders

    told = tell_senders(
        event.data.lesson_id,
        items=dependencies.feedback(),
        store=dependencies.feedback(),
        mailbox=dependencies.mailbox(),
        now=dependencies.clock().now(),
    )
    metrics.add_metric(name="FeedbackLettersSent", unit=MetricUnit.Count, value=told)


@entry_point(logger, metrics=metrics, tracer=tracer)
def cases_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={ReportFiled: _report_owner, PermitApplicationSubmitted: _permit_owner},
        logger=logger,
    )


@entry_point(logger, metrics=metrics, tracer=tracer)
def letters_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={FeedbackAnswered: _answer_letter, LessonPublished: _lesson_letters},
        logger=logger,
    )
