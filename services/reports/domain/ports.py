"""What the domain needs from storage; the DynamoDB adapter implements it, tests use an in-memory fake."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.reports.domain.model import Report
from shared.events.envelope import Envelope, EventData


@dataclass(frozen=True)
class Page:
    reports: list[Report]
    next_start: dict[str, Any] | None


class ReportRepository(Protocol):
    def allocate_case_number(self, year: int) -> int:
        """The next running number of the year, unique however many file at once."""
        ...

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        """Store a new report and its events atomically."""
        ...

    def get(self, case_number: str) -> Report | None: ...

    def replace(
        self, report: Report, *, expected_version: int, events: Sequence[Envelope[EventData]]
    ) -> None:
        """Store a changed report and its events atomically; raise Conflict if it changed meanwhile."""
        ...

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page: ...
