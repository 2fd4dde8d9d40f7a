"""What the domain needs from storage; DynamoDB adapters implement it, tests use in-memory fakes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from services.reports.domain.model import Report
from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    from services.reports.domain.tips import Tip


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


class StolenGoodsIndex(Protocol):
    def mark_stolen(self, identifiers: Iterable[str], case_number: str) -> None: ...

    def is_stolen(self, identifier: str) -> bool: ...


class TipRepository(Protocol):
    def add_tip(self, tip: Tip) -> None: ...
