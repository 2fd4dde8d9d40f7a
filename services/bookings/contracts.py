"""The public HTTP contract of the bookings API (camelCase on the wire, times in Europe/Stockholm)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AwareDatetime, Field, field_validator

from services.bookings.domain.appointments import (
    BOOKING_NUMBER_ALPHABET,
    BOOKING_NUMBER_LENGTH,
    BOOKING_NUMBER_PATTERN,
    Appointment,
    AppointmentStatus,
    Attendance,
    CaseMeetingDraft,
    Contact,
    DocumentBookingDraft,
    DocumentService,
    Email,
    RescheduleDraft,
    normalise_booking_number,
)
from services.bookings.domain.receptions import (
    RECEPTION_ID_PATTERN,
    Address,
    AppointmentKind,
    OpeningHours,
    Reception,
    SlotAvailability,
)
from services.bookings.domain.validity import ValidityQuestion, ValidityResult
from services.bookings.messages import TEXTS
from shared.clock import stockholm_time
from shared.i18n import InvalidValue
from shared.models import CamelModel

# How far ahead a reception's view lists the days it is closed.
CLOSED_DAYS_AHEAD = timedelta(days=60)


def _local(moment: datetime | None) -> datetime | None:
    return stockholm_time(moment) if moment else None


class ClosedDay(CamelModel):
    day: date = Field(alias="date")
    reason: str


class ReceptionView(CamelModel):
    id: str
    name: str
    address: Address
    municipality_code: str
    municipality: str
    region: str
    opening_hours: list[OpeningHours]
    counters: int
    offers: list[AppointmentKind]
    closed_days: list[ClosedDay] = Field(
        description="Weekdays within 60 days when the reception stays closed"
    )

    @classmethod
    def of(cls, reception: Reception, *, today: date) -> ReceptionView:
        closed = reception.closed_days_between(today, today + CLOSED_DAYS_AHEAD)
        return cls(
            id=reception.id,
            name=reception.name,
            address=reception.address,
            municipality_code=reception.municipality_code,
            municipality=reception.municipality_name,
            region=reception.region.value,
            opening_hours=reception.opening_hours,
            counters=reception.counters,
            offers=[kind for kind in AppointmentKind if reception.capacity(kind) > 0],
            closed_days=[ClosedDay(day=day, reason=reason) for day, reason in closed],
        )


class ReceptionList(CamelModel):
    items: list[ReceptionView]


class SlotView(CamelModel):
    start: AwareDatetime
    end: AwareDatetime
    capacity: int
    free: int


class SlotList(CamelModel):
    reception_id: str
    kind: AppointmentKind
    from_: date = Field(alias="from")
    to: date
    time_zone: str = "Europe/Stockholm"
    items: list[SlotView]

    @classmethod
    def of(
        cls,
        reception_id: str,
        kind: AppointmentKind,
        first: date,
        last: date,
        slots: list[SlotAvailability],
    ) -> SlotList:
        return cls(
            reception_id=reception_id,
            kind=kind,
            from_=first,
            to=last,
            items=[
                SlotView(
                    start=stockholm_time(s.slot.starts_at),
                    end=stockholm_time(s.slot.ends_at),
                    capacity=s.slot.capacity,
                    free=s.free,
                )
                for s in slots
            ],
        )


class BookAppointmentRequest(DocumentBookingDraft):
    """The body of ``POST /bookings/v1/appointments``: a passport and/or ID-card appointment."""


class BookCaseAppointmentRequest(CaseMeetingDraft):
    """The body of ``POST /bookings/v1/case-appointments``: a meeting about the booker's own case."""


class RescheduleRequest(RescheduleDraft):
    """The body of ``PATCH /bookings/v1/appointments/{bookingNumber}``."""


class CancellationRequest(CamelModel):
    """Cancelling without e-ID: the booking number and the e-mail address given when booking."""

    booking_number: Annotated[str, Field(examples=["K7MQ2XRT"])]
    email: Email

    @field_validator("booking_number", mode="before")
    @classmethod
    def _normalised(cls, value: object) -> object:
        return normalise_booking_number(value) if isinstance(value, str) else value

    @field_validator("booking_number")
    @classmethod
    def _a_booking_number(cls, value: str) -> str:
        if not re.fullmatch(BOOKING_NUMBER_PATTERN, value):
            raise InvalidValue(TEXTS("booking_number"))
        return value


class CancellationView(CamelModel):
    booking_number: str
    status: AppointmentStatus


class AppointmentView(CamelModel):
    booking_number: str
    status: AppointmentStatus
    kind: AppointmentKind
    services: list[DocumentService]
    case_number: str | None = None
    reception_id: str
    region: str
    start: AwareDatetime
    end: AwareDatetime
    applicant_personnummer: str
    for_child: bool
    contact: Contact
    booked_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    rescheduled_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None

    @classmethod
    def of(cls, appointment: Appointment) -> AppointmentView:
        return cls(
            booking_number=appointment.booking_number,
            status=appointment.status,
            kind=appointment.kind,
            services=appointment.services,
            case_number=appointment.case_number,
            reception_id=appointment.reception_id,
            region=appointment.region,
            start=stockholm_time(appointment.starts_at),
            end=stockholm_time(appointment.ends_at),
            applicant_personnummer=appointment.applicant_personnummer,
            for_child=appointment.for_child,
            contact=appointment.contact,
            booked_at=stockholm_time(appointment.booked_at),
            reminded_at=_local(appointment.reminded_at),
            rescheduled_at=_local(appointment.rescheduled_at),
            cancelled_at=_local(appointment.cancelled_at),
        )


class AppointmentList(CamelModel):
    items: list[AppointmentView]
    next_token: str | None = None


class ValidityRequest(ValidityQuestion):
    """The body of ``POST /bookings/v1/document-validity``."""


class ValidityResponse(CamelModel):
    result: ValidityResult


class AttendanceRequest(CamelModel):
    attendance: Attendance


class StaffAppointmentView(CamelModel):
    """What reception staff see: who comes, when, and for what; not the booker's contact details."""

    booking_number: str
    status: AppointmentStatus
    kind: AppointmentKind
    services: list[DocumentService]
    case_number: str | None = None
    start: AwareDatetime
    end: AwareDatetime
    applicant_personnummer: str
    for_child: bool
    attendance_marked_at: AwareDatetime | None = None

    @classmethod
    def of(cls, appointment: Appointment) -> StaffAppointmentView:
        return cls(
            booking_number=appointment.booking_number,
            status=appointment.status,
            kind=appointment.kind,
            services=appointment.services,
            case_number=appointment.case_number,
            start=stockholm_time(appointment.starts_at),
            end=stockholm_time(appointment.ends_at),
            applicant_personnummer=appointment.applicant_personnummer,
            for_child=appointment.for_child,
            attendance_marked_at=_local(appointment.attendance_marked_at),
        )


class DayList(CamelModel):
    reception_id: str
    day: date = Field(alias="date")
    items: list[StaffAppointmentView]


# --- path parameters -------------------------------------------------------------------------------------

ReceptionIdPath = Annotated[
    str,
    Path(pattern=RECEPTION_ID_PATTERN, max_length=60, examples=["stockholm-city"]),
]
# Read aloud or copied from a letter, a booking number may come in lower case.
BookingNumberPath = Annotated[
    str,
    Path(
        pattern=rf"^[{BOOKING_NUMBER_ALPHABET}{BOOKING_NUMBER_ALPHABET.lower()}]{{{BOOKING_NUMBER_LENGTH}}}$",
        description="The booking number from the confirmation, e.g. K7MQ2XRT",
        examples=["K7MQ2XRT"],
    ),
]
