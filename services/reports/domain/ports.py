"""What the domain needs from storage and from the registers of others; adapters implement it, tests use
in-memory fakes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from services.reports.domain.audit import AuditRecord
from services.reports.domain.found_item import FoundItem, FoundItemStatus
from services.reports.domain.model import Note, Report, Tip
from shared.audit import AuditLog as AuditLog
from shared.events.envelope import Envelope, EventData
from shared.letters import DigitalMailbox as DigitalMailbox


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
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        subject: str | None = None,
    ) -> None:
        """Store a changed report and its events atomically; raise Conflict if it changed meanwhile.
        ``subject`` names what the change is about when it is not the report itself (an attachment's id)."""
        ...

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page: ...


class TriageBacklog(Protocol):
    def received_before(self, moment: datetime) -> Iterator[Report]:
        """Reports still received that were filed before ``moment``, oldest first (from an index that may lag
        behind the reports by a moment)."""


@dataclass(frozen=True)
class RegisteredPerson:
    """A person as the population register lists them."""

    personnummer: str
    birth_date: date
    # The guardians (vårdnadshavare) of a child under 18.
    guardians: frozenset[str]


class PopulationRegister(Protocol):
    """The national population register (folkbokföringen), asked who is guardian of whom."""

    def person(self, personnummer: str) -> RegisteredPerson | None:
        """The person, or None when the register does not list them."""
        ...


class CompanyRegister(Protocol):
    """The register of companies' representatives (who may act for an organisationsnummer)."""

    def representatives_of(self, organisationsnummer: str) -> frozenset[str]:
        """The personnummer of everyone the register names as acting for the company; empty if none."""
        ...


class StolenGoodsIndex(Protocol):
    def mark_stolen(self, identifiers: Iterable[str], case_number: str) -> None: ...

    def is_stolen(self, identifier: str) -> bool: ...


class TipRepository(Protocol):
    def add_tip(self, tip: Tip) -> None: ...

    def get_tip(self, tip_id: str) -> Tip | None: ...


@dataclass(frozen=True)
class FoundItemPage:
    items: list[FoundItem]
    next_start: dict[str, Any] | None


class FoundItemRepository(Protocol):
    """Found items (hittegods), with the indexes matching and the deadlines need."""

    def allocate_found_item_number(self, year: int) -> int: ...

    def add(
        self, item: FoundItem, events: Sequence[Envelope[EventData]], *, audit: AuditRecord | None = None
    ) -> None:
        """Store a new found item, its identifier and place indexes, its events and the audit record of its
        registration atomically."""
        ...

    def get(self, found_item_id: str) -> FoundItem | None: ...

    def replace(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord | None = None,
    ) -> None:
        """Store a changed item, its events and the audit record of a staff change atomically; raise Conflict
        if it changed meanwhile."""
        ...

    def replace_with_report(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        report: Report,
        expected_report_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord | None = None,
    ) -> None:
        """Store a changed item, the changed report of its owner, the events and the audit record of a staff
        change in one transaction; raise Conflict if either changed meanwhile."""
        ...

    def list_held_in(
        self, region: str, *, status: FoundItemStatus | None, limit: int, start: dict[str, Any] | None
    ) -> FoundItemPage:
        """Items kept by the region's receptions, newest first."""
        ...

    def due(self, region: str, *, until: datetime) -> Iterator[str]:
        """Ids of the region's items whose running period ended at or before ``until`` (an index that may
        lag behind the items)."""
        ...

    def with_identifiers(self, identifiers: Iterable[str]) -> list[str]:
        """Ids of found items carrying any of these matching keys."""
        ...

    def found_between(self, region: str, category: str, *, start: datetime, end: datetime) -> list[str]:
        """Ids of items of the category found in the region within [start, end]."""
        ...


class ReportedPropertyIndex(Protocol):
    """Identifying numbers of loss and theft reports, and loss reports by region, category and time, for
    matching found items. (The stolen goods check keeps its own index: theft only.)"""

    def mark_reported(self, identifiers: Iterable[str], case_number: str) -> None: ...

    def mark_lost(
        self,
        *,
        region: str,
        categories: Iterable[str],
        occurred_from: datetime,
        occurred_to: datetime,
        case_number: str,
    ) -> None: ...

    def reports_with(self, identifiers: Iterable[str]) -> list[str]:
        """Case numbers of reports naming any of these matching keys."""
        ...

    def lost_in(self, region: str, category: str, *, ended_at_or_after: datetime) -> list[str]:
        """Case numbers of loss reports of the category in the region whose loss period ended at or after."""
        ...


class CaseWork(ReportRepository, Protocol):
    """Storage as staff work cases: every change is stored with its audit record, atomically."""

    def region_queue(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        """The region's reports awaiting assessment, most urgent first, then in the order they were filed."""
        ...

    def notes(self, case_number: str) -> list[Note]:
        """The case's internal notes, oldest first."""
        ...

    def save(
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord,
    ) -> None:
        """Store a changed report, its events and the audit record of the change atomically; raise Conflict
        if the report changed meanwhile."""
        ...

    def add_note(self, note: Note, *, audit: AuditRecord) -> None:
        """Store a note and its audit record atomically."""
        ...
