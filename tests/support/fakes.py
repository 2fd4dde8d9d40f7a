"""In-memory stand-ins for the domain's ports, for unit tests only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from services.reports.domain.model import Report
from services.reports.domain.ports import Page
from shared.errors import Conflict
from shared.events.envelope import Envelope, EventData


class InMemoryReportRepository:
    def __init__(self) -> None:
        self.reports: dict[str, Report] = {}
        self.events: list[Envelope[EventData]] = []
        self._counters: dict[int, int] = defaultdict(int)

    def allocate_case_number(self, year: int) -> int:
        self._counters[year] += 1
        return self._counters[year]

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        if report.case_number in self.reports:
            raise Conflict("exists")
        self.reports[report.case_number] = report
        self.events.extend(events)

    def get(self, case_number: str) -> Report | None:
        return self.reports.get(case_number)

    def replace(
        self, report: Report, *, expected_version: int, events: Sequence[Envelope[EventData]]
    ) -> None:
        if self.reports[report.case_number].version != expected_version:
            raise Conflict("changed")
        self.reports[report.case_number] = report
        self.events.extend(events)

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        owned = sorted(
            (r for r in self.reports.values() if r.owner_ref == owner_ref),
            key=lambda r: (r.filed_at, r.case_number),
            reverse=True,
        )
        offset = int(start["offset"]) if start else 0
        page = owned[offset : offset + limit]
        more = offset + limit < len(owned)
        return Page(reports=page, next_start={"offset": offset + limit} if more else None)


class InMemoryStolenGoodsIndex:
    def __init__(self) -> None:
        self.stolen: dict[str, set[str]] = defaultdict(set)

    def mark_stolen(self, identifiers: Iterable[str], case_number: str) -> None:
        for identifier in identifiers:
            self.stolen[identifier].add(case_number)

    def is_stolen(self, identifier: str) -> bool:
        return identifier in self.stolen


class InMemoryTipRepository:
    def __init__(self) -> None:
        self.tips: list[Any] = []

    def add_tip(self, tip: Any) -> None:
        self.tips.append(tip)
