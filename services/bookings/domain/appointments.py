"""The appointment aggregate, booking numbers, and what citizens submit to book or move one."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, StringConstraints, field_validator

from services.bookings.domain.receptions import RECEPTION_ID_PATTERN, AppointmentKind
from services.bookings.messages import TEXTS
from shared.casenumbers import parse_diarienummer, parse_k_number
from shared.i18n import InvalidValue
from shared.identity import InvalidIdentifier, parse_personnummer
from shared.models import CamelModel, Timestamp

# No 0/O and no 1/I: read aloud or copied from a letter, the number cannot be mistyped into another one.
BOOKING_NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
BOOKING_NUMBER_LENGTH = 8
BOOKING_NUMBER_PATTERN = rf"^[{BOOKING_NUMBER_ALPHABET}]{{{BOOKING_NUMBER_LENGTH}}}$"
REMINDER_LEAD = timedelta(hours=24)
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9 -]{6,20}$"


def new_booking_number(choose: Callable[[str], str] = secrets.choice) -> str:
    """Eight characters, about 10^12 combinations: unguessable enough that a number and an e-mail address
    together may cancel without logging in."""
    return "".join(choose(BOOKING_NUMBER_ALPHABET) for _ in range(BOOKING_NUMBER_LENGTH))


def normalise_booking_number(text: str) -> str:
    return text.strip().upper()


def is_booking_number(text: str) -> bool:
    return len(text) == BOOKING_NUMBER_LENGTH and all(c in BOOKING_NUMBER_ALPHABET for c in text)


class DocumentService(StrEnum):
    PASSPORT = "passport"
    ID_CARD = "idCard"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    MISSED = "missed"


class Attendance(StrEnum):
    ARRIVED = "arrived"
    NO_SHOW = "noShow"


def _personnummer(text: str) -> str:
    try:
        return str(parse_personnummer(text, today=date.today()))
    except InvalidIdentifier as error:
        raise InvalidValue(error.message) from None


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN)]


class Contact(CamelModel):
    email: Email
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=PHONE_PATTERN)] | None = None


class Applicant(CamelModel):
    personnummer: Annotated[str, Field(examples=["20180412-2385"])]

    @field_validator("personnummer")
    @classmethod
    def _valid(cls, text: str) -> str:
        return _personnummer(text)


ReceptionId = Annotated[str, Field(pattern=RECEPTION_ID_PATTERN, max_length=60, examples=["stockholm-city"])]


class DocumentBookingDraft(CamelModel):
    """What a citizen sends to book a passport and/or ID-card appointment."""

    reception_id: ReceptionId
    start: Annotated[Timestamp, Field(examples=["2026-11-24T09:15:00+01:00"])]
    services: Annotated[list[DocumentService], Field(min_length=1, max_length=2)]
    # Omitted: the booker applies for themself. Given: a child the booker is guardian of.
    applicant: Applicant | None = None
    contact: Contact

    @field_validator("services")
    @classmethod
    def _each_once(cls, services: list[DocumentService]) -> list[DocumentService]:
        if len(set(services)) != len(services):
            raise InvalidValue(TEXTS("services_once"))
        return sorted(services)


class CaseMeetingDraft(CamelModel):
    """What a citizen sends to book a meeting with an expert about their own case."""

    reception_id: ReceptionId
    start: Annotated[Timestamp, Field(examples=["2026-11-24T10:00:00+01:00"])]
    case_number: Annotated[str, Field(max_length=20, examples=["K123456-26"])]
    contact: Contact

    @field_validator("case_number")
    @classmethod
    def _a_case_number(cls, text: str) -> str:
        try:
            return str(parse_k_number(text))
        except InvalidIdentifier:
            pass
        try:
            return str(parse_diarienummer(text))
        except InvalidIdentifier:
            raise InvalidValue(TEXTS("case_number")) from None


class RescheduleDraft(CamelModel):
    start: Timestamp
    # Omitted: the same reception.
    reception_id: ReceptionId | None = None


class Appointment(CamelModel):
    booking_number: str
    kind: AppointmentKind
    services: list[DocumentService]
    case_number: str | None = None
    reception_id: str
    region: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    booker_ref: str
    applicant_personnummer: str
    for_child: bool
    contact: Contact
    status: AppointmentStatus
    booked_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    rescheduled_at: AwareDatetime | None = None
    cancelled_at: AwareDatetime | None = None
    attendance_marked_at: AwareDatetime | None = None
    version: int = 1

    def is_active(self, now: datetime) -> bool:
        """Booked and not yet begun: what the booking limits count."""
        return self.status is AppointmentStatus.BOOKED and self.starts_at > now

    @property
    def reminder_due_at(self) -> datetime:
        return self.starts_at - REMINDER_LEAD

    @property
    def awaits_reminder(self) -> bool:
        """Booked more than a day ahead and not reminded of this time yet. Booked later than that, the
        confirmation is the reminder."""
        return (
            self.status is AppointmentStatus.BOOKED
            and self.reminded_at is None
            and self.reminder_due_at > self.booked_at_or_moved
        )

    def needs_reminder(self, now: datetime) -> bool:
        return self.awaits_reminder and self.starts_at > now

    @property
    def booked_at_or_moved(self) -> datetime:
        return self.rescheduled_at or self.booked_at

    def changed(self, **changes: object) -> Appointment:
        return self.model_copy(update={**changes, "version": self.version + 1})
