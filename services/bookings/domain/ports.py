"""What the domain needs from storage and registers; DynamoDB adapters implement it, unit tests use fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    # Names for hints only: a consumer that needs one port (the case records) does not load the appointment
    # model on its cold path.
    from services.bookings.domain.appointments import Appointment
    from services.bookings.domain.receptions import AppointmentKind, Reception

Events = Sequence[Envelope[EventData]]


@dataclass(frozen=True)
class BookerLedger:
    """The document bookings one e-ID holds, by booking number → start. ``version`` 0: none ever."""

    version: int = 0
    bookings: dict[str, datetime] = field(default_factory=dict)

    def active(self, now: datetime) -> dict[str, datetime]:
        return {number: start for number, start in self.bookings.items() if start > now}

    def past(self, now: datetime) -> list[str]:
        return [number for number, start in self.bookings.items() if start <= now]


@dataclass(frozen=True)
class Page:
    appointments: list[Appointment]
    next_start: dict[str, Any] | None


class ReceptionDirectory(Protocol):
    def all(self) -> list[Reception]: ...

    def get(self, reception_id: str) -> Reception | None: ...


class PopulationRegister(Protocol):
    """Who is guardian of whom (vårdnadshavare), as the population register says."""

    def guardians_of(self, child_personnummer: str) -> frozenset[str]: ...

    def children_of(self, guardian_personnummer: str) -> frozenset[str]: ...


class IssuedDocumentType(StrEnum):
    PASSPORT = "passport"
    NATIONAL_ID_CARD = "nationalIdCard"


@dataclass(frozen=True)
class IssuedDocument:
    number: str
    type: IssuedDocumentType
    holder_personnummer: str
    expiry_date: date
    blocked: bool
    # The block, recorded with it: which report made it, and when. A block is never undone or overwritten.
    blocked_by_case: str | None = None
    blocked_at: datetime | None = None


class DocumentRegister(Protocol):
    """The register of issued passports and national ID cards."""

    def find(self, document_number: str) -> IssuedDocument | None:
        """One read by document number, the same whether or not the document exists."""
        ...

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
        """Block the document, and store ``events`` in the same write, if the register holds it unblocked
        with this type and holder; False (nothing changed, nothing stored) otherwise."""
        ...

    def answer(self, document_number: str, *, document_type: str, case_number: str, events: Events) -> bool:
        """Store ``events``, the answer to a report's request that changes nothing in the register (a refused
        block, a document blocked before), with the record that the request was answered, once per report and
        document: False (nothing stored) if it was answered before."""
        ...


class CaseOwnership(Protocol):
    """Whose case is whose, as learned from the owning services' events."""

    def owner_of(self, case_number: str) -> str | None: ...

    def record(self, case_number: str, *, owner_ref: str, case_type: str, region: str) -> None: ...


class AppointmentRepository(Protocol):
    def ledger(self, booker_ref: str) -> BookerLedger: ...

    def booked_counts(
        self, reception_id: str, kind: AppointmentKind, first: datetime, last: datetime
    ) -> dict[datetime, int]:
        """Bookings per slot start (UTC) from ``first`` to ``last`` inclusive; slots without any are left
        out."""
        ...

    def places_taken(self, reception_id: str, kind: AppointmentKind, starts_at: datetime) -> int:
        """How many have booked the slot, as of a strongly consistent read."""
        ...

    def add(
        self,
        appointment: Appointment,
        *,
        capacity: int,
        ledger: BookerLedger | None,
        now: datetime,
        events: Events,
    ) -> None:
        """Store a new appointment in one transaction with: its slot's count (never above ``capacity``), the
        booker's ledger (``ledger`` as read, for document bookings: raises ChangedMeanwhile if it changed),
        one guard per applicant and document, or per case (AlreadyBooked while another is active), and the
        events. Raises SlotFull, AlreadyBooked, BookingNumberTaken or ChangedMeanwhile; then nothing is
        written."""
        ...

    def get(self, booking_number: str) -> Appointment | None: ...

    def reschedule(self, previous: Appointment, moved: Appointment, *, capacity: int, events: Events) -> None:
        """Hold the new slot and release the old in one transaction; SlotFull leaves the old time booked."""
        ...

    def close(
        self, previous: Appointment, closed: Appointment, *, release_slot: bool, events: Events
    ) -> None:
        """Cancel or mark attendance: the appointment stops counting towards the booker's limit and its
        guards; ``release_slot`` gives its place back to others."""
        ...

    def mark_reminded(self, previous: Appointment, reminded: Appointment, *, events: Events) -> None: ...

    def list_booked_by(self, booker_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page: ...

    def on_day(self, reception_id: str, day: date) -> list[Appointment]:
        """The day's appointments at the reception that are not cancelled, by start."""
        ...

    def due_reminders(self, as_of: datetime, *, limit: int) -> list[Appointment]:
        """Appointments whose reminder is due at ``as_of`` and not yet sent, at most ``limit``."""
        ...
