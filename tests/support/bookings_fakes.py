"""In-memory stand-ins for the bookings domain's ports, for unit tests only.

The repository keeps the rules the DynamoDB transaction keeps (capacity, the booker's ledger version, the
guards), so domain tests can exercise refusals without moto."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from services.bookings.domain.appointments import Appointment, AppointmentStatus
from services.bookings.domain.errors import AlreadyBooked, BookingNumberTaken, ChangedMeanwhile, SlotFull
from services.bookings.domain.ports import (
    BookerLedger,
    Events,
    IssuedDocument,
    IssuedDocumentType,
    Page,
)
from services.bookings.domain.receptions import AppointmentKind, Reception
from shared.clock import stockholm_time
from shared.events.envelope import Envelope, EventData


class InMemoryReceptions:
    def __init__(self, receptions: list[Reception]) -> None:
        self._by_id = {r.id: r for r in receptions}

    def all(self) -> list[Reception]:
        return list(self._by_id.values())

    def get(self, reception_id: str) -> Reception | None:
        return self._by_id.get(reception_id)


class InMemoryPopulation:
    def __init__(self, guardianship: list[tuple[str, str]]) -> None:
        self._pairs = set(guardianship)

    def guardians_of(self, child_personnummer: str) -> frozenset[str]:
        return frozenset(g for g, c in self._pairs if c == child_personnummer)

    def children_of(self, guardian_personnummer: str) -> frozenset[str]:
        return frozenset(c for g, c in self._pairs if g == guardian_personnummer)


class InMemoryCases:
    def __init__(self) -> None:
        self.owners: dict[str, str] = {}

    def owner_of(self, case_number: str) -> str | None:
        return self.owners.get(case_number)

    def record(self, case_number: str, *, owner_ref: str, case_type: str, region: str) -> None:
        self.owners[case_number] = owner_ref


class InMemoryDocuments:
    def __init__(self, documents: list[IssuedDocument]) -> None:
        self.documents = {d.number: d for d in documents}
        self.reads: list[str] = []
        self.answered: set[tuple[str, str, str]] = set()
        self.events: list[Envelope[EventData]] = []

    def find(self, document_number: str) -> IssuedDocument | None:
        self.reads.append(document_number)
        return self.documents.get(document_number)

    def answer(self, document_number: str, *, document_type: str, case_number: str, events: Events) -> bool:
        if (document_number, document_type, case_number) in self.answered:
            return False
        self.answered.add((document_number, document_type, case_number))
        self.events.extend(events)
        return True

    def block(
        self,
        document_number: str,
        *,
        document_type: IssuedDocumentType,
        holder_personnummer: str,
        reason: str,
        case_number: str,
        blocked_at: datetime,
        events: Events,
    ) -> bool:
        found = self.documents.get(document_number)
        if (
            found is None
            or found.holder_personnummer != holder_personnummer
            or found.type is not document_type
            or found.blocked
        ):
            return False
        self.events.extend(events)
        self.documents[document_number] = dataclasses.replace(
            found, blocked=True, blocked_by_case=case_number, blocked_at=blocked_at
        )
        return True


def _guards(appointment: Appointment) -> list[str]:
    if appointment.kind is AppointmentKind.CASE_MEETING:
        return [f"CASE#{appointment.case_number}"]
    return [f"{appointment.applicant_personnummer}#{s.value}" for s in appointment.services]


class InMemoryAppointments:
    def __init__(self) -> None:
        self.appointments: dict[str, Appointment] = {}
        self.booked: dict[tuple[str, str, datetime], int] = defaultdict(int)
        self.ledgers: dict[str, BookerLedger] = {}
        self.guards: dict[str, tuple[str, datetime]] = {}
        self.events: list[Envelope[EventData]] = []
        # Set by a test to make the next writes fail as if another request got there first.
        self.ledger_races = 0

    def ledger(self, booker_ref: str) -> BookerLedger:
        return self.ledgers.get(booker_ref, BookerLedger())

    def booked_counts(
        self, reception_id: str, kind: AppointmentKind, first: datetime, last: datetime
    ) -> dict[datetime, int]:
        return {
            start: n
            for (rid, k, start), n in self.booked.items()
            if rid == reception_id and k == kind.value and first <= start <= last and n
        }

    def places_taken(self, reception_id: str, kind: AppointmentKind, starts_at: datetime) -> int:
        return self.booked[(reception_id, kind.value, starts_at)]

    def add(
        self,
        appointment: Appointment,
        *,
        capacity: int,
        ledger: BookerLedger | None,
        now: datetime,
        events: Events,
    ) -> None:
        if appointment.booking_number in self.appointments:
            raise BookingNumberTaken()
        slot = (appointment.reception_id, appointment.kind.value, appointment.starts_at)
        if self.booked[slot] >= capacity:
            raise SlotFull()
        if ledger is not None:
            if self.ledger_races:
                self.ledger_races -= 1
                raise ChangedMeanwhile("Your bookings changed meanwhile. Try again.")
            if self.ledger(appointment.booker_ref).version != ledger.version:
                raise ChangedMeanwhile("Your bookings changed meanwhile. Try again.")
        for guard in _guards(appointment):
            held = self.guards.get(guard)
            if held and held[1] > now:
                raise AlreadyBooked(f"{guard} is taken")
        self.appointments[appointment.booking_number] = appointment
        self.booked[slot] += 1
        if ledger is not None:
            bookings = {**ledger.active(now), appointment.booking_number: appointment.starts_at}
            self.ledgers[appointment.booker_ref] = BookerLedger(ledger.version + 1, bookings)
        for guard in _guards(appointment):
            self.guards[guard] = (appointment.booking_number, appointment.starts_at)
        self.events.extend(events)

    def get(self, booking_number: str) -> Appointment | None:
        return self.appointments.get(booking_number)

    def reschedule(self, previous: Appointment, moved: Appointment, *, capacity: int, events: Events) -> None:
        new_slot = (moved.reception_id, moved.kind.value, moved.starts_at)
        if self.booked[new_slot] >= capacity:
            raise SlotFull()
        self.booked[new_slot] += 1
        self.booked[(previous.reception_id, previous.kind.value, previous.starts_at)] -= 1
        self.appointments[moved.booking_number] = moved
        events_ledger = self.ledgers.get(moved.booker_ref)
        if events_ledger is not None:
            bookings = {**events_ledger.bookings, moved.booking_number: moved.starts_at}
            self.ledgers[moved.booker_ref] = BookerLedger(events_ledger.version + 1, bookings)
        for guard in _guards(moved):
            self.guards[guard] = (moved.booking_number, moved.starts_at)
        self.events.extend(events)

    def close(
        self, previous: Appointment, closed: Appointment, *, release_slot: bool, events: Events
    ) -> None:
        if release_slot:
            self.booked[(previous.reception_id, previous.kind.value, previous.starts_at)] -= 1
        self.appointments[closed.booking_number] = closed
        ledger = self.ledgers.get(previous.booker_ref)
        if ledger is not None:
            bookings = {n: s for n, s in ledger.bookings.items() if n != previous.booking_number}
            self.ledgers[previous.booker_ref] = BookerLedger(ledger.version + 1, bookings)
        for guard in _guards(previous):
            if self.guards.get(guard, ("",))[0] == previous.booking_number:
                del self.guards[guard]
        self.events.extend(events)

    def mark_reminded(self, previous: Appointment, reminded: Appointment, *, events: Events) -> None:
        if self.appointments[previous.booking_number].version != previous.version:
            raise ChangedMeanwhile("changed")
        self.appointments[reminded.booking_number] = reminded
        self.events.extend(events)

    def list_booked_by(self, booker_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        mine = sorted(
            (a for a in self.appointments.values() if a.booker_ref == booker_ref), key=lambda a: a.starts_at
        )
        return Page(appointments=mine[::-1][:limit], next_start=None)

    def on_day(self, reception_id: str, day: date) -> list[Appointment]:
        return sorted(
            (
                a
                for a in self.appointments.values()
                if a.reception_id == reception_id
                and stockholm_time(a.starts_at).date() == day
                and a.status is not AppointmentStatus.CANCELLED
            ),
            key=lambda a: a.starts_at,
        )

    def due_reminders(self, as_of: datetime, *, limit: int) -> list[Appointment]:
        return [a for a in self.appointments.values() if a.awaits_reminder and a.reminder_due_at <= as_of][
            :limit
        ]

    def event_types(self) -> list[str]:
        return [e.metadata.event_type for e in self.events]
