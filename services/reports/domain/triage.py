"""What follows a filed report, as one sequence wherever a report is filed: the decision rules decide it or
queue it for staff, then a theft report's numbers become answerable in the stolen goods check and a loss or
theft report is matched against the found items waiting for an owner.

Every step is safe to repeat: a report already triaged is not decided again, but its indexing and matching
run again, so a redelivered event finishes what a crashed attempt left undone."""

from __future__ import annotations

from dataclasses import dataclass

from services.reports.domain.decisions import RuleSet, Triaged, triage
from services.reports.domain.found_item import FoundItem
from services.reports.domain.lost_and_found.matching import match_report
from services.reports.domain.model import Report
from services.reports.domain.ports import (
    FoundItemRepository,
    ReportedPropertyIndex,
    ReportRepository,
    StolenGoodsIndex,
)
from services.reports.domain.stolen_goods import index_stolen_goods
from shared.clock import Clock
from shared.errors import NotFound


@dataclass(frozen=True)
class FiledReportTriaged:
    report: Report
    # None when the report was triaged before (a redelivery): nothing was decided now.
    triaged: Triaged | None
    matched: list[FoundItem]


def triage_filed_report(
    case_number: str,
    *,
    rules: RuleSet,
    repository: ReportRepository,
    stolen_goods: StolenGoodsIndex,
    found_items: FoundItemRepository,
    reported_property: ReportedPropertyIndex,
    clock: Clock,
    correlation_id: str,
) -> FiledReportTriaged:
    triaged = triage(
        case_number, rules=rules, repository=repository, clock=clock, correlation_id=correlation_id
    )
    report = triaged.report if triaged is not None else repository.get(case_number)
    if report is None:
        raise NotFound(f"Report {case_number} does not exist")
    index_stolen_goods(report, stolen_goods)
    matched = match_report(
        report,
        found_items=found_items,
        reports=repository,
        index=reported_property,
        clock=clock,
        correlation_id=correlation_id,
    )
    return FiledReportTriaged(report=report, triaged=triaged, matched=matched)
