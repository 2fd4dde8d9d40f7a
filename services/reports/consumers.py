"""Lambda: events the reports service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.adapters.metrics import record_decision
from services.reports.domain import authority, decisions, notifications, stolen_goods
from services.reports.domain.found_item import FoundItem
from services.reports.domain.lost_and_found.matching import match_found_item, match_report
from services.reports.domain.lost_and_found.telling_owner import write_to_owner
from services.reports.domain.model import Report
from services.reports.domain.triage import triage_filed_report
from services.reports.telemetry import logger, metrics, tracer
from shared.events.consumer import consume_batch
from shared.events.contracts import bookings as booking_events
from shared.events.contracts import reports as report_events
from shared.events.contracts.reports import ReportDecided, ReportFiled
from shared.events.envelope import DeliveredEvent
from shared.observability import entry_point


def _triage(delivered: DeliveredEvent) -> None:
    filed = ReportFiled.model_validate(delivered.detail["data"])
    outcome = triage_filed_report(
        filed.case_number,
        rules=dependencies.decision_rules(),
        repository=dependencies.repository(),
        stolen_goods=dependencies.stolen_goods(),
        found_items=dependencies.found_items(),
        reported_property=dependencies.reported_property(),
        clock=dependencies.clock(),
        correlation_id=delivered.metadata.correlation_id,
    )
    if outcome.triaged is not None:
        _log_verdict(filed.case_number, outcome.triaged.verdict)
        if outcome.report.decision is not None:
            record_decision(outcome.report.decision, filed_at=outcome.report.filed_at)
    _log_matches(outcome.report, outcome.matched)


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
def _tell_of_found_property(delivered: DeliveredEvent) -> None:
    matched = report_events.LostPropertyMatched.model_validate(delivered.detail["data"])
    sent = write_to_owner(
        matched.found_item_id,
        matched.case_number,
        claim_by=matched.claim_by,
        matched_at=matched.matched_at,
        found_items=dependencies.found_items(),
        reports=dependencies.repository(),
        mailbox=dependencies.mailbox(),
        clock=dependencies.clock(),
    )
    if sent:
        logger.info(
            "Owner told of a found item",
            extra={"caseNumber": matched.case_number, "foundItemId": matched.found_item_id},
        )


_NOTICES: dict[str, Callable[[DeliveredEvent], None]] = {
    "ReportDecided": _tell_of_decision,
    "LostPropertyMatched": _tell_of_found_property,
}


def _notify(delivered: DeliveredEvent) -> None:
    notice = _NOTICES.get(delivered.detail_type)
    if notice is None:
        raise ValueError(f"notify is not subscribed to {delivered.detail_type}")
    notice(delivered)


@entry_point(logger, metrics=metrics, tracer=tracer)
def triage_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_triage, logger=logger)


def _match_to_found_items(report: Report, *, correlation_id: str) -> None:
    """A loss or theft report with additions, against the found items waiting for an owner."""
    matched = match_report(
        report,
        found_items=dependencies.found_items(),
        reports=dependencies.repository(),
        index=dependencies.reported_property(),
        clock=dependencies.clock(),
        correlation_id=correlation_id,
    )
    _log_matches(report, matched)


def _log_matches(report: Report, matched: list[FoundItem]) -> None:
    if matched:
        logger.info(
            "Found items matched against a report",
            extra={"caseNumber": report.case_number, "foundItemIds": [i.found_item_id for i in matched]},
        )


def _lost_and_found(delivered: DeliveredEvent) -> None:
    data = delivered.detail["data"]
    correlation_id = delivered.metadata.correlation_id
    if delivered.detail_type == report_events.FoundItemRegistered.event_type:
        registered = report_events.FoundItemRegistered.model_validate(data)
        item = match_found_item(
            registered.found_item_id,
            found_items=dependencies.found_items(),
            reports=dependencies.repository(),
            index=dependencies.reported_property(),
            clock=dependencies.clock(),
            correlation_id=correlation_id,
        )
        logger.info(
            "Found item matched against open reports",
            extra={
                "foundItemId": item.found_item_id,
                "status": item.status.value,
                "possibleMatches": len(item.possible_matches),
            },
        )
    elif delivered.detail_type == report_events.ReportAmended.event_type:
        amended = report_events.ReportAmended.model_validate(data)
        report = dependencies.repository().get(amended.case_number)
        if report is not None:
            # Items an addition names are as stolen as those filed with the report.
            stolen_goods.index_stolen_goods(report, dependencies.stolen_goods())
            _match_to_found_items(report, correlation_id=correlation_id)
    else:
        raise ValueError(f"lostAndFound is not subscribed to {delivered.detail_type}")


@entry_point(logger, metrics=metrics, tracer=tracer)
def lost_and_found_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_lost_and_found, logger=logger)


@entry_point(logger, metrics=metrics, tracer=tracer)
def notify_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_notify, logger=logger)


def _record_block_outcome(delivered: DeliveredEvent) -> None:
    """The document register's answer to a block the report asked for."""
    data = delivered.detail["data"]
    if delivered.detail_type == booking_events.DocumentBlocked.event_type:
        blocked = booking_events.DocumentBlocked.model_validate(data)
        case_number, document_number = blocked.case_number, blocked.document_number
        changed = authority.record_block_outcome(
            case_number,
            document_number,
            blocked=True,
            already_blocked=blocked.already_blocked,
            at=blocked.blocked_at,
            repository=dependencies.repository(),
        )
    elif delivered.detail_type == booking_events.DocumentBlockRefused.event_type:
        refused = booking_events.DocumentBlockRefused.model_validate(data)
        case_number, document_number = refused.case_number, refused.document_number
        changed = authority.record_block_outcome(
            case_number,
            document_number,
            blocked=False,
            at=refused.refused_at,
            repository=dependencies.repository(),
        )
    else:
        raise ValueError(f"documentBlocks is not subscribed to {delivered.detail_type}")
    if changed is not None:
        logger.info(
            "Document block answered on the report",
            extra={"caseNumber": case_number, "outcome": delivered.detail_type},
        )


@entry_point(logger, metrics=metrics, tracer=tracer)
def document_blocks_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handle=_record_block_outcome, logger=logger)
