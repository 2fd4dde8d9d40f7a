"""In-memory stand-ins for the domain's ports, for unit tests only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from services.reports.domain.authority import Registers
from services.reports.domain.found_item import FoundItem, FoundItemStatus
from services.reports.domain.model import Report
from services.reports.domain.ports import FoundItemPage, Page, RegisteredPerson
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
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        subject: str | None = None,
    ) -> None:
        if self.reports[report.case_number].version != expected_version:
            raise Conflict("changed")
        self.reports[report.case_number] = report
        self.events.extend(events)

    def received_before(self, moment: datetime) -> Iterator[Report]:
        """The triage backlog, as the deadline index holds it."""
        waiting = (r for r in self.reports.values() if r.status.value == "received" and r.filed_at < moment)
        yield from sorted(waiting, key=lambda r: (r.filed_at, r.case_number))

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

    def get_tip(self, tip_id: str) -> Any:
        return next((tip for tip in self.tips if tip.tip_id == tip_id), None)


class InMemoryFoundItems:
    """Found items and their indexes. A change to an item and to its owner's report land together or not at
    all, as in the DynamoDB transaction; events go to the report repository's list, as to the one outbox."""

    def __init__(self, reports: InMemoryReportRepository, audit: InMemoryAuditLog | None = None) -> None:
        self.items: dict[str, FoundItem] = {}
        self._reports = reports
        self._numbers: dict[int, int] = defaultdict(int)
        # Audit records written with a change land in the same log as those written alone.
        self.audit = audit if audit is not None else InMemoryAuditLog()

    def _audited(self, record: Any) -> None:
        if record is not None:
            self.audit.record(record)

    @property
    def events(self) -> list[Envelope[EventData]]:
        return self._reports.events

    def allocate_found_item_number(self, year: int) -> int:
        self._numbers[year] += 1
        return self._numbers[year]

    def add(self, item: FoundItem, events: Sequence[Envelope[EventData]], *, audit: Any = None) -> None:
        if item.found_item_id in self.items:
            raise Conflict("exists")
        self.items[item.found_item_id] = item
        self.events.extend(events)
        self._audited(audit)

    def get(self, found_item_id: str) -> FoundItem | None:
        return self.items.get(found_item_id)

    def replace(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        audit: Any = None,
    ) -> None:
        if self.items[item.found_item_id].version != expected_version:
            raise Conflict("changed")
        self.items[item.found_item_id] = item
        self.events.extend(events)
        self._audited(audit)

    def replace_with_report(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        report: Report,
        expected_report_version: int,
        events: Sequence[Envelope[EventData]],
        audit: Any = None,
    ) -> None:
        if (
            self.items[item.found_item_id].version != expected_version
            or self._reports.reports[report.case_number].version != expected_report_version
        ):
            raise Conflict("changed")
        self.items[item.found_item_id] = item
        self._reports.reports[report.case_number] = report
        self.events.extend(events)
        self._audited(audit)

    def list_held_in(
        self, region: str, *, status: FoundItemStatus | None, limit: int, start: dict[str, Any] | None
    ) -> FoundItemPage:
        held = sorted(
            (i for i in self.items.values() if i.region == region and status in (None, i.status)),
            key=lambda i: (i.registered_at, i.found_item_id),
            reverse=True,
        )
        offset = int(start["offset"]) if start else 0
        more = offset + limit < len(held)
        return FoundItemPage(
            items=held[offset : offset + limit], next_start={"offset": offset + limit} if more else None
        )

    def due(self, region: str, *, until: datetime) -> Iterator[str]:
        due = [i for i in self.items.values() if i.region == region and i.due_at and i.due_at <= until]
        return iter([i.found_item_id for i in sorted(due, key=lambda i: (i.due_at, i.found_item_id))])

    def with_identifiers(self, identifiers: Iterable[str]) -> list[str]:
        wanted = set(identifiers)
        return sorted(i.found_item_id for i in self.items.values() if wanted & set(i.identifiers))

    def found_between(self, region: str, category: str, *, start: datetime, end: datetime) -> list[str]:
        return sorted(
            i.found_item_id
            for i in self.items.values()
            if i.found_in_region == region and i.category.value == category and start <= i.found_at <= end
        )


class InMemoryReportedProperty:
    def __init__(self) -> None:
        self.reported: dict[str, set[str]] = defaultdict(set)
        self.lost: dict[tuple[str, str], dict[str, datetime]] = defaultdict(dict)

    def mark_reported(self, identifiers: Iterable[str], case_number: str) -> None:
        for key in identifiers:
            self.reported[key].add(case_number)

    def mark_lost(
        self,
        *,
        region: str,
        categories: Iterable[str],
        occurred_from: datetime,
        occurred_to: datetime,
        case_number: str,
    ) -> None:
        for category in categories:
            self.lost[(region, category)][case_number] = occurred_to

    def reports_with(self, identifiers: Iterable[str]) -> list[str]:
        return sorted({case for key in identifiers for case in self.reported.get(key, set())})

    def lost_in(self, region: str, category: str, *, ended_at_or_after: datetime) -> list[str]:
        ended = self.lost.get((region, category), {})
        return sorted(case for case, occurred_to in ended.items() if occurred_to >= ended_at_or_after)


class InMemoryAuditLog:
    def __init__(self) -> None:
        self.records: list[Any] = []

    def record(self, entry: Any) -> None:
        self.records.append(entry)


class InMemoryCaseWork(InMemoryReportRepository):
    """Reports as staff work them; a change and its audit record land together or not at all."""

    def __init__(self, audit: InMemoryAuditLog) -> None:
        super().__init__()
        self.audit = audit
        self.saved_notes: list[Any] = []

    def region_queue(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        queued = sorted(
            (
                r
                for r in self.reports.values()
                if r.region == region and r.status.value == "awaitingAssessment"
            ),
            key=lambda r: (r.priority or 3, r.filed_at, r.case_number),
        )
        offset = int(start["offset"]) if start else 0
        more = offset + limit < len(queued)
        return Page(
            reports=queued[offset : offset + limit], next_start={"offset": offset + limit} if more else None
        )

    def notes(self, case_number: str) -> list[Any]:
        return [n for n in self.saved_notes if n.case_number == case_number]

    def save(
        self, report: Report, *, expected_version: int, events: Sequence[Envelope[EventData]], audit: Any
    ) -> None:
        self.replace(report, expected_version=expected_version, events=events)
        self.audit.record(audit)

    def add_note(self, note: Any, *, audit: Any) -> None:
        self.saved_notes.append(note)
        self.audit.record(audit)


class RecordingMailbox:
    def __init__(self) -> None:
        self.letters: list[Any] = []

    def send(self, letter: Any) -> None:
        self.letters.append(letter)


class InMemoryPopulationRegister:
    """The population register: people by personnummer, with their birth date and guardians."""

    def __init__(self, people: Iterable[RegisteredPerson] = ()) -> None:
        self.people = {p.personnummer: p for p in people}
        self.reads: list[str] = []

    def person(self, personnummer: str) -> RegisteredPerson | None:
        self.reads.append(personnummer)
        return self.people.get(personnummer)


class InMemoryCompanyRegister:
    def __init__(self, representatives: dict[str, set[str]] | None = None) -> None:
        self.representatives = representatives or {}

    def representatives_of(self, organisationsnummer: str) -> frozenset[str]:
        return frozenset(self.representatives.get(organisationsnummer, set()))


def no_registers() -> Registers:
    """Registers that list nobody: every relation unconfirmed, no one represents a company."""
    return Registers(population=InMemoryPopulationRegister(), companies=InMemoryCompanyRegister())
