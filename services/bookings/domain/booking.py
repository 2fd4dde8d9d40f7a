"""Booking, moving and cancelling appointments; reception staff's day list and attendance.

The rules that must hold however many citizens book at once (a slot's capacity, two active bookings per e-ID,
one active booking per applicant and document) are enforced by the repository's single transaction; this
module checks everything that can be checked before it, so a refusal names its reason.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from services.bookings.domain.appointments import (
    Appointment,
    AppointmentStatus,
    Attendance,
    CaseMeetingDraft,
    Contact,
    DocumentBookingDraft,
    DocumentService,
    RescheduleDraft,
    new_booking_number,
)
from services.bookings.domain.errors import (
    BookingLimitReached,
    BookingNumberTaken,
    ChangedMeanwhile,
    NotGuardian,
    SlotFull,
)
from services.bookings.domain.ports import (
    AppointmentRepository,
    BookerLedger,
    CaseOwnership,
    Page,
    PopulationRegister,
    ReceptionDirectory,
)
from services.bookings.domain.receptions import (
    AppointmentKind,
    NotBookable,
    Reception,
    Slot,
    SlotAvailability,
    availability,
    slot_at,
)
from services.bookings.messages import TEXTS
from shared.clock import STOCKHOLM, Clock, stockholm_time
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.contracts.bookings import (
    SOURCE,
    AppointmentAttended,
    AppointmentBooked,
    AppointmentCancelled,
    AppointmentMissed,
    AppointmentRescheduled,
)
from shared.events.envelope import Envelope, EventData, new_event
from shared.regions import Region

MAX_ACTIVE_BOOKINGS = 2
# A month of free times per request: a calendar page, and a bound on the work one request can ask for.
MAX_SLOT_RANGE = timedelta(days=31)
# A clash on a fresh random booking number is rare; on the booker's own ledger it takes two tabs at once.
BOOKING_NUMBER_ATTEMPTS = 5
LEDGER_ATTEMPTS = 3


@dataclass(frozen=True)
class Booker:
    ref: str  # the e-ID subject
    personnummer: str


@dataclass(frozen=True)
class ReceptionStaff:
    ref: str
    region: Region | None  # None: national, every region

    def serves(self, reception: Reception) -> bool:
        return self.region is None or self.region is reception.region


def _event(data: EventData, *, at: datetime, correlation_id: str) -> Envelope[EventData]:
    return new_event(data, producer=SOURCE, occurred_at=at, correlation_id=correlation_id)


def _reception(receptions: ReceptionDirectory, reception_id: str) -> Reception:
    reception = receptions.get(reception_id)
    if reception is None:
        raise InvalidInput.of("receptionId", TEXTS("no_reception_id", receptionId=reception_id))
    return reception


def _bookable_slot(reception: Reception, kind: AppointmentKind, start: datetime, now: datetime) -> Slot:
    if start <= now:
        raise InvalidInput.of("start", TEXTS("in_the_future"))
    try:
        return slot_at(reception, kind, start)
    except NotBookable as reason:
        raise InvalidInput.of("start", reason.message) from None


def _refuse_if_full(slot: Slot, repository: AppointmentRepository) -> None:
    """A full slot is refused on a read. The transaction's condition is what guarantees capacity; this spares
    the many who try a time already taken a transaction that could only fail (and on a busy slot, contend)."""
    if repository.places_taken(slot.reception_id, slot.kind, slot.starts_at) >= slot.capacity:
        raise SlotFull()


def free_slots(
    reception_id: str,
    kind: AppointmentKind,
    first: date,
    last: date,
    *,
    receptions: ReceptionDirectory,
    repository: AppointmentRepository,
    clock: Clock,
) -> tuple[Reception, list[SlotAvailability]]:
    """The reception's slots from ``first`` to ``last`` (Stockholm dates, inclusive) that have not begun."""
    if last < first:
        raise InvalidInput.of("to", TEXTS("to_before_from"))
    if last - first >= MAX_SLOT_RANGE:
        raise InvalidInput.of("to", TEXTS("range_too_long", days=MAX_SLOT_RANGE.days))
    reception = receptions.get(reception_id)
    if reception is None:
        raise NotFound(TEXTS("no_reception", receptionId=reception_id))
    window_start = datetime.combine(first, time.min, tzinfo=STOCKHOLM)
    window_end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=STOCKHOLM)
    booked = repository.booked_counts(reception.id, kind, window_start, window_end)
    return reception, availability(reception, kind, first, last, booked=booked, now=clock.now())


def book_documents(
    draft: DocumentBookingDraft,
    *,
    booker: Booker,
    receptions: ReceptionDirectory,
    population: PopulationRegister,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
    draw_number: Callable[[], str] = new_booking_number,
) -> Appointment:
    now = clock.now()
    reception = _reception(receptions, draft.reception_id)
    slot = _bookable_slot(reception, AppointmentKind.DOCUMENTS, draft.start, now)
    applicant = draft.applicant.personnummer if draft.applicant else booker.personnummer
    for_child = applicant != booker.personnummer
    if for_child and booker.personnummer not in population.guardians_of(applicant):
        raise NotGuardian()
    _refuse_if_full(slot, repository)

    for attempt in range(1, LEDGER_ATTEMPTS + 1):
        ledger = repository.ledger(booker.ref)
        if len(ledger.active(now)) >= MAX_ACTIVE_BOOKINGS:
            raise BookingLimitReached(MAX_ACTIVE_BOOKINGS)
        try:
            return _add(
                _BookingDetails(
                    kind=AppointmentKind.DOCUMENTS,
                    services=draft.services,
                    case_number=None,
                    applicant_personnummer=applicant,
                    for_child=for_child,
                    contact=draft.contact,
                ),
                reception=reception,
                booker=booker,
                slot=slot,
                ledger=ledger,
                repository=repository,
                now=now,
                correlation_id=correlation_id,
                draw_number=draw_number,
            )
        except ChangedMeanwhile:
            if attempt == LEDGER_ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def book_case_meeting(
    draft: CaseMeetingDraft,
    *,
    booker: Booker,
    receptions: ReceptionDirectory,
    cases: CaseOwnership,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
    draw_number: Callable[[], str] = new_booking_number,
) -> Appointment:
    now = clock.now()
    reception = _reception(receptions, draft.reception_id)
    slot = _bookable_slot(reception, AppointmentKind.CASE_MEETING, draft.start, now)
    if cases.owner_of(draft.case_number) != booker.ref:
        # A stranger's case and a case that does not exist look the same.
        raise NotFound(TEXTS("no_case_of_yours", caseNumber=draft.case_number))
    _refuse_if_full(slot, repository)
    return _add(
        _BookingDetails(
            kind=AppointmentKind.CASE_MEETING,
            services=[],
            case_number=draft.case_number,
            applicant_personnummer=booker.personnummer,
            for_child=False,
            contact=draft.contact,
        ),
        reception=reception,
        booker=booker,
        slot=slot,
        ledger=None,
        repository=repository,
        now=now,
        correlation_id=correlation_id,
        draw_number=draw_number,
    )


@dataclass(frozen=True)
class _BookingDetails:
    """What differs between the kinds of booking; where, when and by whom is common to all."""

    kind: AppointmentKind
    services: list[DocumentService]
    case_number: str | None
    applicant_personnummer: str
    for_child: bool
    contact: Contact


def _add(
    details: _BookingDetails,
    *,
    reception: Reception,
    booker: Booker,
    slot: Slot,
    ledger: BookerLedger | None,
    repository: AppointmentRepository,
    now: datetime,
    correlation_id: str,
    draw_number: Callable[[], str],
) -> Appointment:
    for attempt in range(1, BOOKING_NUMBER_ATTEMPTS + 1):
        appointment = Appointment(
            booking_number=draw_number(),
            kind=details.kind,
            services=details.services,
            case_number=details.case_number,
            reception_id=reception.id,
            region=reception.region.value,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            booker_ref=booker.ref,
            applicant_personnummer=details.applicant_personnummer,
            for_child=details.for_child,
            contact=details.contact,
            status=AppointmentStatus.BOOKED,
            booked_at=now,
        )
        booked = AppointmentBooked(
            booking_number=appointment.booking_number,
            kind=appointment.kind.value,
            services=[s.value for s in appointment.services],
            case_number=appointment.case_number,
            reception_id=appointment.reception_id,
            region=appointment.region,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            booked_at=now,
            booker_ref=appointment.booker_ref,
            for_child=appointment.for_child,
            contact_email=appointment.contact.email,
            contact_phone=appointment.contact.phone,
        )
        try:
            repository.add(
                appointment,
                capacity=slot.capacity,
                ledger=ledger,
                now=now,
                events=[_event(booked, at=now, correlation_id=correlation_id)],
            )
        except BookingNumberTaken:
            if attempt == BOOKING_NUMBER_ATTEMPTS:
                raise
            continue
        return appointment
    raise AssertionError("unreachable")  # pragma: no cover


def owned_appointment(
    booking_number: str, *, booker_ref: str, repository: AppointmentRepository
) -> Appointment:
    """The appointment, if the caller booked it. Someone else's is as unknown as a missing one."""
    appointment = repository.get(booking_number)
    if appointment is None or appointment.booker_ref != booker_ref:
        raise NotFound(TEXTS("no_appointment_of_yours", bookingNumber=booking_number))
    return appointment


def booked_by(
    booker_ref: str, *, limit: int, start: dict[str, Any] | None, repository: AppointmentRepository
) -> Page:
    return repository.list_booked_by(booker_ref, limit=limit, start=start)


def reschedule(
    booking_number: str,
    draft: RescheduleDraft,
    *,
    booker_ref: str,
    receptions: ReceptionDirectory,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
) -> Appointment:
    now = clock.now()
    appointment = owned_appointment(booking_number, booker_ref=booker_ref, repository=repository)
    if not appointment.is_active(now):
        raise Conflict(TEXTS("not_movable", status=TEXTS(f"status.{appointment.status.value}")))
    reception = _reception(receptions, draft.reception_id or appointment.reception_id)
    slot = _bookable_slot(reception, appointment.kind, draft.start, now)
    if slot.reception_id == appointment.reception_id and slot.starts_at == appointment.starts_at:
        raise InvalidInput.of("start", TEXTS("same_time"))
    _refuse_if_full(slot, repository)
    moved = appointment.changed(
        reception_id=reception.id,
        region=reception.region.value,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        rescheduled_at=now,
        reminded_at=None,
    )
    event = AppointmentRescheduled(
        booking_number=booking_number,
        kind=appointment.kind.value,
        previous_reception_id=appointment.reception_id,
        previous_starts_at=appointment.starts_at,
        reception_id=moved.reception_id,
        region=moved.region,
        starts_at=moved.starts_at,
        ends_at=moved.ends_at,
        rescheduled_at=now,
        booker_ref=booker_ref,
        contact_email=moved.contact.email,
        contact_phone=moved.contact.phone,
    )
    repository.reschedule(
        appointment,
        moved,
        capacity=slot.capacity,
        events=[_event(event, at=now, correlation_id=correlation_id)],
    )
    return moved


def cancel_as_booker(
    booking_number: str,
    *,
    booker_ref: str,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
) -> Appointment:
    appointment = owned_appointment(booking_number, booker_ref=booker_ref, repository=repository)
    return _cancel(appointment, "eId", repository=repository, clock=clock, correlation_id=correlation_id)


def cancel_with_email(
    booking_number: str,
    email: str,
    *,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
) -> Appointment:
    """Cancel without logging in. A wrong e-mail address and an unknown number are answered alike."""
    appointment = repository.get(booking_number)
    given = email.strip().casefold().encode()
    on_record = appointment.contact.email.casefold().encode() if appointment else b""
    if appointment is None or not hmac.compare_digest(given, on_record):
        raise NotFound(TEXTS("no_appointment_by_mail"))
    return _cancel(
        appointment,
        "bookingNumberAndEmail",
        repository=repository,
        clock=clock,
        correlation_id=correlation_id,
    )


def _cancel(
    appointment: Appointment,
    cancelled_with: str,
    *,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
) -> Appointment:
    now = clock.now()
    if appointment.status is AppointmentStatus.CANCELLED:
        return appointment
    if not appointment.is_active(now):
        raise Conflict(TEXTS("not_cancellable", status=TEXTS(f"status.{appointment.status.value}")))
    cancelled = appointment.changed(status=AppointmentStatus.CANCELLED, cancelled_at=now)
    event = AppointmentCancelled(
        booking_number=appointment.booking_number,
        kind=appointment.kind.value,
        reception_id=appointment.reception_id,
        region=appointment.region,
        starts_at=appointment.starts_at,
        cancelled_at=now,
        cancelled_with=cancelled_with,
        booker_ref=appointment.booker_ref,
        contact_email=appointment.contact.email,
        contact_phone=appointment.contact.phone,
    )
    repository.close(
        appointment,
        cancelled,
        release_slot=True,
        events=[_event(event, at=now, correlation_id=correlation_id)],
    )
    return cancelled


def _served_reception(reception_id: str, staff: ReceptionStaff, receptions: ReceptionDirectory) -> Reception:
    reception = receptions.get(reception_id)
    if reception is None or not staff.serves(reception):
        # Another region's reception is as unknown as a missing one.
        raise NotFound(f"No reception {reception_id} in your region was found")
    return reception


def day_list(
    reception_id: str,
    day: date,
    *,
    staff: ReceptionStaff,
    receptions: ReceptionDirectory,
    repository: AppointmentRepository,
) -> list[Appointment]:
    reception = _served_reception(reception_id, staff, receptions)
    return repository.on_day(reception.id, day)


def mark_attendance(
    booking_number: str,
    attendance: Attendance,
    *,
    staff: ReceptionStaff,
    receptions: ReceptionDirectory,
    repository: AppointmentRepository,
    clock: Clock,
    correlation_id: str,
) -> Appointment:
    now = clock.now()
    appointment = repository.get(booking_number)
    reception = receptions.get(appointment.reception_id) if appointment else None
    if appointment is None or reception is None or not staff.serves(reception):
        raise NotFound(f"No appointment {booking_number} at a reception in your region was found")
    outcome = AppointmentStatus.ATTENDED if attendance is Attendance.ARRIVED else AppointmentStatus.MISSED
    if appointment.status is outcome:
        return appointment
    if appointment.status is not AppointmentStatus.BOOKED:
        raise Conflict(f"The appointment is already {appointment.status.value}")
    if stockholm_time(appointment.starts_at).date() != stockholm_time(now).date():
        raise Conflict("Attendance is marked on the day of the appointment")
    if attendance is Attendance.NO_SHOW and now < appointment.starts_at:
        raise Conflict("A no-show can be marked once the appointment has begun")
    marked = appointment.changed(status=outcome, attendance_marked_at=now)
    contract = AppointmentAttended if attendance is Attendance.ARRIVED else AppointmentMissed
    event = contract(
        booking_number=booking_number,
        kind=appointment.kind.value,
        services=[s.value for s in appointment.services],
        reception_id=appointment.reception_id,
        region=appointment.region,
        starts_at=appointment.starts_at,
        marked_at=now,
    )
    repository.close(
        appointment,
        marked,
        release_slot=False,
        events=[_event(event, at=now, correlation_id=correlation_id)],
    )
    return marked
