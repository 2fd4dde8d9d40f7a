"""Matching found items and loss or theft reports, both ways with the same rules: an identifying number
named by one owner tells that owner at once; otherwise possible matches wait for staff.
"""

from __future__ import annotations

from datetime import datetime

from services.reports.domain.found_item import (
    FOUND_AFTER_LOSS,
    MATCHABLE_REPORT_TYPES,
    FoundItem,
    FoundItemStatus,
    MatchKind,
    PossibleMatch,
    report_identifiers,
)
from services.reports.domain.lost_and_found.searches import (
    matchable,
    reports_by_description,
    reports_by_identifier,
)
from services.reports.domain.lost_and_found.telling_owner import tell_owner
from services.reports.domain.model import (
    Report,
)
from services.reports.domain.ports import (
    FoundItemRepository,
    ReportedPropertyIndex,
    ReportRepository,
)
from shared.clock import Clock
from shared.concurrency import retry_on_conflict
from shared.errors import NotFound


def _match_once(
    item: FoundItem,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    now: datetime,
    correlation_id: str,
) -> FoundItem:
    already_told = item.notified_case_numbers
    by_number = [
        r
        for r in reports_by_identifier(item, reports=reports, index=index)
        if r.case_number not in already_told
    ]
    if len({r.owner_ref for r in by_number}) == 1:
        newest = max(by_number, key=lambda r: r.filed_at)
        return tell_owner(
            item,
            newest,
            match_kind="serialNumber",
            confirmed_by="rule",
            repository=found_items,
            now=now,
            correlation_id=correlation_id,
        )
    # Several owners name the same number: staff decide whose it is.
    candidates: list[tuple[Report, MatchKind]] = [(r, "serialNumber") for r in by_number] or [
        (r, "description") for r in reports_by_description(item, reports=reports, index=index)
    ]
    new = [
        PossibleMatch(case_number=r.case_number, match_kind=kind, found_at=now)
        for r, kind in candidates
        if not item.is_matched_to(r.case_number)
    ]
    if not new:
        return item
    with_matches = item.model_copy(
        update={"possible_matches": [*item.possible_matches, *new], "version": item.version + 1}
    )
    found_items.replace(with_matches, expected_version=item.version, events=[])
    return with_matches


def match_found_item(
    found_item_id: str,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """Match an unclaimed item against open reports: tell the owner of an identifying number, or record
    possible matches for staff. Only items waiting for an owner (``registered``) are matched. Running it again
    changes nothing new, so a redelivered event is harmless."""

    def attempt() -> FoundItem:
        item = found_items.get(found_item_id)
        if item is None:
            raise NotFound(f"Found item {found_item_id} does not exist")
        now = clock.now()
        if item.status is not FoundItemStatus.REGISTERED or (item.due_at and item.due_at <= now):
            return item  # not waiting for its owner (any more): the deadline job moves it on
        return _match_once(
            item,
            found_items=found_items,
            reports=reports,
            index=index,
            now=now,
            correlation_id=correlation_id,
        )

    # The item or the report may change meanwhile (the deadline job, staff): read both again and retry.
    return retry_on_conflict(attempt)


def match_report(
    report: Report,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    clock: Clock,
    correlation_id: str,
) -> list[FoundItem]:
    """A new or amended loss or theft report: index what it names, then match the unclaimed found items it
    may concern (each matched against every open report, so the rules are the same both ways)."""
    if report.type not in MATCHABLE_REPORT_TYPES:
        return []
    keys = report_identifiers(report)
    if keys:
        index.mark_reported(sorted(keys), report.case_number)
    details = report.details
    categories = sorted({i.category.value for i in details.items_reported})
    if report.type == "loss" and categories:
        index.mark_lost(
            region=report.region,
            categories=categories,
            occurred_from=details.occurred_from,
            occurred_to=details.occurred_to,
            case_number=report.case_number,
        )
    if not matchable(report):
        return []
    candidates = set(found_items.with_identifiers(sorted(keys))) if keys else set()
    if report.type == "loss":
        for category in categories:
            candidates |= set(
                found_items.found_between(
                    report.region,
                    category,
                    start=details.occurred_from,
                    end=details.occurred_to + FOUND_AFTER_LOSS,
                )
            )
    return [
        match_found_item(
            found_item_id,
            found_items=found_items,
            reports=reports,
            index=index,
            clock=clock,
            correlation_id=correlation_id,
        )
        for found_item_id in sorted(candidates)
    ]
