"""Lambda: events the reports service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.adapters.metrics import record_decision
from services.reports.domain import decisions, notifications, stolen_goods
from services.reports.telemetry import logger, metrics, tracer
from shared.events.consumer import consume_batch
from shared.events.contracts.reports import ReportDecided, ReportFiled
from shared.events.envelope import DeliveredEvent


def _triage(delivered: DeliveredEvent) -> None:
    filed = ReportFiled.model_validate(delivered.detail["data"])
    repository = dependencies.repository()
    triaged = decisions.triage(
        filed.case_number,
        rules=dependencies.decision_rules(),
        repository=repository,
        clock=dependencies.clock(),
        correlation_id=delivered.metadata.correlation_id,
    )
    if triaged is not None:
        _log_verdict(filed.case_number, triaged.verdict)
        if triaged.report.decision is not None:
            record_decision(triaged.report.decision, filed_at=triaged.report.filed_at)
    report = triaged.report if triaged else repository.get(filed.case_number)
    if report is not None:
        stolen_goods.index_stolen_goods(report, dependencies.stolen_goods())


def _log_verdict(case_number: str, verdict: decisions.Verdict) -> None:
    rule = {"caseNumber": case_number, "ruleId": verdict.rule_id, "ruleVersion": verdict.rule_version}
    if isinstance(verdict, decisions.Decided):
        logger.info("Report decided by rule", extra={**rule, "outcome": verdict.outcome.value})
    else:
        logger.info("Report queued for assessment", extra={**rule, "priority": verdict.priority})


def _tell_of_decision(delivered: DeliveredEvent) -> None:
    decided = ReportDecided.model_validate(delivered.detail["data"])
    if not decided.notify_reporter:
        return
    sent = notifications.tell_reporter_of_decision(
        decided.case_number,
        decided.decided_at,
        repository=dependencies.repository(),
        mailbox=dependencies.mailbox(),
        clock=dependencies.clock(),
    )
    if sent:
        logger.info("Reporter told of the decision", extra={"caseNumber": decided.case_number})


# What the notify function tells citizens, by the event it is told of.
_NOTICES: dict[str, Callable[[DeliveredEvent], None]] = {"ReportDecided": _tell_of_decision}


def _notify(delivered: DeliveredEvent) -> None:
    notice = _NOTICES.get(delivered.detail_type)
    if notice is None:
        raise ValueError(f"notify is not subscribed to {delivered.detail_type}")
    notice(delivered)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def triage_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_triage, logger=logger)


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context
def notify_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_notify, logger=logger)
