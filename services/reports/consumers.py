"""Lambda: events the reports service consumes (SQS batches of EventBridge deliveries)."""

from __future__ import annotations

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
from shared.events.consumer import Received, consume_batch
from shared.events.contracts.bookings import DocumentBlocked, DocumentBlockRefused
from shared.events.contracts.reports import (
    FoundItemRegistered,
    LostPropertyMatched,
    ReportAmended,
    ReportDecided,
    ReportFiled,
)
from shared.observability import entry_point


def _triage(event: Received[ReportFiled]) -> None:
    filed = event.data
    outcome = triage_filed_report(
        filed.case_number,
        rules=dependencies.decision_rules(),
        repository=dependencies.repository(),
        stolen_goods=dependencies.stolen_goods(),
        found_items=dependencies.found_items(),
        reported_property=dependencies.reported_property(),
        clock=dependencies.clock(),
        correlation_id=event.correlation_id,
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


def _tell_of_decision(event: Received[ReportDecided]) -> None:
    decided = event.data
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


def _tell_of_found_property(event: Received[LostPropertyMatched]) -> None:
    matched = event.data
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


@entry_point(logger, metrics=metrics, tracer=tracer)
def triage_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(event, context, handlers={ReportFiled: _triage}, logger=logger)


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


def _match_found_item(event: Received[FoundItemRegistered]) -> None:
    item = match_found_item(
        event.data.found_item_id,
        found_items=dependencies.found_items(),
        reports=dependencies.repository(),
        index=dependencies.reported_property(),
        clock=dependencies.clock(),
        correlation_id=event.correlation_id,
    )
    logger.info(
        "Found item matched against open reports",
        extra={
            "foundItemId": item.found_item_id,
            "status": item.status.value,
            "possibleMatches": len(item.possible_matches),
        },
    )


def _match_amended_report(event: Received[ReportAmended]) -> None:
    report = dependencies.repository().get(event.data.case_number)
    if report is not None:
        # Items an addition names are as stolen as those filed with the report.
        stolen_goods.index_stolen_goods(report, dependencies.stolen_goods())
        _match_to_found_items(report, correlation_id=event.correlation_id)


@entry_point(logger, metrics=metrics, tracer=tracer)
def lost_and_found_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={FoundItemRegistered: _match_found_item, ReportAmended: _match_amended_report},
        logger=logger,
    )


@entry_point(logger, metrics=metrics, tracer=tracer)
def notify_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={ReportDecided: _tell_of_decision, LostPropertyMatched: _tell_of_found_property},
        logger=logger,
    )


def _record_blocked(event: Received[DocumentBlocked]) -> None:
    """The document register blocked the document the report asked it to (or had before)."""
    blocked = event.data
    changed = authority.record_block_outcome(
        blocked.case_number,
        blocked.document_number,
        blocked=True,
        already_blocked=blocked.already_blocked,
        at=blocked.blocked_at,
        repository=dependencies.repository(),
    )
    _log_block_outcome(changed, blocked.case_number, event)


def _record_block_refused(event: Received[DocumentBlockRefused]) -> None:
    """The document register refused the block the report asked for."""
    refused = event.data
    changed = authority.record_block_outcome(
        refused.case_number,
        refused.document_number,
        blocked=False,
        at=refused.refused_at,
        repository=dependencies.repository(),
    )
    _log_block_outcome(changed, refused.case_number, event)


def _log_block_outcome(changed: Report | None, case_number: str, event: Received[Any]) -> None:
    if changed is not None:
        logger.info(
            "Document block answered on the report",
            extra={"caseNumber": case_number, "outcome": event.metadata.event_type},
        )


@entry_point(logger, metrics=metrics, tracer=tracer)
def document_blocks_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consume_batch(
        event,
        context,
        handlers={DocumentBlocked: _record_blocked, DocumentBlockRefused: _record_block_refused},
        logger=logger,
    )
