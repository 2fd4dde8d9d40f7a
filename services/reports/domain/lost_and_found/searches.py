"""Which reports a found item may belong to: by an identifying number, or by category, region and time."""

from __future__ import annotations

from services.reports.domain.found_item import (
    FOUND_AFTER_LOSS,
    MATCHABLE_REPORT_TYPES,
    FoundItem,
    matching_key,
    report_identifiers,
)
from services.reports.domain.model import (
    Report,
)
from services.reports.domain.ports import (
    ReportedPropertyIndex,
    ReportRepository,
)


def matchable(report: Report | None) -> bool:
    """A loss report while it is open; a theft report whatever became of it, since a decision not to
    investigate (most bicycle thefts are closed at once) does not give the owner their property back."""
    if report is None or report.type not in MATCHABLE_REPORT_TYPES:
        return False
    return report.type == "theft" or report.status.is_open


def reports_by_identifier(
    item: FoundItem, *, reports: ReportRepository, index: ReportedPropertyIndex
) -> list[Report]:
    keys = set(item.identifiers)
    if not keys:
        return []
    found = [reports.get(case) for case in sorted(set(index.reports_with(keys)))]
    return [r for r in found if r is not None and matchable(r) and keys & report_identifiers(r)]


def _lost_like(item: FoundItem, report: Report) -> bool:
    """Same category, region and time; and no identifying number of the report's items that contradicts."""
    details = report.details
    if report.type != "loss" or report.region != item.found_in_region:
        return False
    if not details.occurred_from <= item.found_at <= details.occurred_to + FOUND_AFTER_LOSS:
        return False
    same_kind = [i for i in details.items_reported if i.category is item.category]
    if not same_kind:
        return False
    keys = set(item.identifiers)
    if not keys:
        return True
    # A report item without a number may be this one; one with other numbers is not.
    return any(not i.identifiers or keys & {matching_key(n) for n in i.identifiers} for i in same_kind)


def reports_by_description(
    item: FoundItem, *, reports: ReportRepository, index: ReportedPropertyIndex
) -> list[Report]:
    cases = index.lost_in(
        item.found_in_region, item.category.value, ended_at_or_after=item.found_at - FOUND_AFTER_LOSS
    )
    found = [reports.get(case) for case in sorted(set(cases))]
    return [r for r in found if r is not None and matchable(r) and _lost_like(item, r)]
