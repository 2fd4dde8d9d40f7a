"""Passport receptions and the bookable times they offer.

Opening hours are Europe/Stockholm wall-clock times. A slot's capacity is the number of counters for document
appointments and the number of meeting rooms for case meetings. A reception is closed on weekdays without
opening hours, on Sweden's public holidays and eves (computed, see :mod:`holidays`) and on its own closed dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints, field_serializer, field_validator, model_validator

from services.bookings.domain.holidays import closed_day_name
from services.bookings.messages import TEXTS
from shared.clock import STOCKHOLM, stockholm_time
from shared.i18n import InvalidValue, Message
from shared.models import CamelModel
from shared.regions import Region, UnknownMunicipality, municipality

RECEPTION_ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CLOSED_BY_RECEPTION = "closed for the day"


class AppointmentKind(StrEnum):
    DOCUMENTS = "documents"  # apply for a passport and/or a national ID card
    CASE_MEETING = "caseMeeting"  # meet an expert about one's own case


SLOT_LENGTH: Mapping[AppointmentKind, timedelta] = {
    AppointmentKind.DOCUMENTS: timedelta(minutes=15),
    AppointmentKind.CASE_MEETING: timedelta(minutes=30),
}


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @classmethod
    def of(cls, day: date) -> Weekday:
        return list(cls)[day.weekday()]


class OpeningHours(CamelModel):
    day: Weekday
    opens: time
    closes: time

    @field_serializer("opens", "closes")
    def _hours_and_minutes(self, moment: time) -> str:
        return moment.strftime("%H:%M")

    @model_validator(mode="after")
    def _opens_before_it_closes(self) -> OpeningHours:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class Address(CamelModel):
    street: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    postal_code: Annotated[str, Field(pattern=r"^\d{3} \d{2}$")]
    city: Annotated[str, StringConstraints(min_length=1, max_length=60)]


class Reception(CamelModel):
    id: Annotated[str, Field(pattern=RECEPTION_ID_PATTERN, max_length=60)]
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    address: Address
    municipality_code: Annotated[str, Field(pattern=r"^\d{4}$")]
    opening_hours: list[OpeningHours]
    counters: Annotated[int, Field(ge=1, le=50)]
    case_meeting_rooms: Annotated[int, Field(ge=0, le=20)] = 0
    # Closures of this reception alone (a move, a staff day); holidays are computed, never listed here.
    closed_dates: list[date] = Field(default_factory=list)

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, code: str) -> str:
        try:
            municipality(code)
        except UnknownMunicipality:
            raise InvalidValue(TEXTS("municipality", code=code)) from None
        return code

    @property
    def region(self) -> Region:
        return municipality(self.municipality_code).region

    @property
    def municipality_name(self) -> str:
        return municipality(self.municipality_code).name

    def capacity(self, kind: AppointmentKind) -> int:
        return self.counters if kind is AppointmentKind.DOCUMENTS else self.case_meeting_rooms

    def closed_reason(self, day: date) -> str | None:
        """Why the reception is closed all of ``day``, or None when it opens that day."""
        holiday = closed_day_name(day)
        if holiday:
            return holiday
        if day in self.closed_dates:
            return CLOSED_BY_RECEPTION
        if not self.hours_on(day):
            return f"no opening hours on {Weekday.of(day).value.capitalize()}s"
        return None

    def hours_on(self, day: date) -> list[OpeningHours]:
        weekday = Weekday.of(day)
        return sorted((h for h in self.opening_hours if h.day is weekday), key=lambda h: h.opens)

    def closed_days_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Weekdays the reception normally opens but not on this date (holidays, eves, own closures)."""
        closed: list[tuple[date, str]] = []
        day = first
        while day <= last:
            if self.hours_on(day):
                reason = closed_day_name(day) or (CLOSED_BY_RECEPTION if day in self.closed_dates else None)
                if reason:
                    closed.append((day, reason))
            day += timedelta(days=1)
        return closed


@dataclass(frozen=True)
class Slot:
    reception_id: str
    kind: AppointmentKind
    starts_at: datetime  # UTC
    ends_at: datetime
    capacity: int


@dataclass(frozen=True)
class SlotAvailability:
    slot: Slot
    free: int


def slots_on(reception: Reception, kind: AppointmentKind, day: date) -> list[Slot]:
    """Every slot of ``kind`` on the Stockholm calendar ``day``; none on a closed day."""
    capacity = reception.capacity(kind)
    if capacity == 0 or reception.closed_reason(day) is not None:
        return []
    length = SLOT_LENGTH[kind]
    slots: list[Slot] = []
    for hours in reception.hours_on(day):
        start = datetime.combine(day, hours.opens, tzinfo=STOCKHOLM)
        closes = datetime.combine(day, hours.closes, tzinfo=STOCKHOLM)
        while start + length <= closes:
            slots.append(
                Slot(reception.id, kind, start.astimezone(UTC), (start + length).astimezone(UTC), capacity)
            )
            start += length
    return slots


class NotBookable(ValueError):
    """A start time that is no slot of the reception; ``message`` says why, for the citizen."""

    def __init__(self, message: Message) -> None:
        super().__init__(message.render("en"))
        self.message = message


def slot_at(reception: Reception, kind: AppointmentKind, starts_at: datetime) -> Slot:
    """The slot starting exactly at ``starts_at``; raises :class:`NotBookable` saying why there is none."""
    if reception.capacity(kind) == 0:
        raise NotBookable(TEXTS("offers_none", reception=reception.name, kind=TEXTS(f"kind.{kind.value}")))
    local = stockholm_time(starts_at)
    closed = reception.closed_reason(local.date())
    if closed:
        raise NotBookable(
            TEXTS("closed_on", reception=reception.name, day=local.date().isoformat(), why=closed)
        )
    for slot in slots_on(reception, kind, local.date()):
        if slot.starts_at == starts_at.astimezone(UTC):
            return slot
    hours = ", ".join(f"{h.opens:%H:%M}-{h.closes:%H:%M}" for h in reception.hours_on(local.date()))
    minutes = int(SLOT_LENGTH[kind].total_seconds() // 60)
    raise NotBookable(TEXTS("not_a_slot", minutes=minutes, hours=hours))


def availability(
    reception: Reception,
    kind: AppointmentKind,
    first_day: date,
    last_day: date,
    *,
    booked: Mapping[datetime, int],
    now: datetime,
) -> list[SlotAvailability]:
    """The slots from ``first_day`` to ``last_day`` (Stockholm dates, inclusive) that have not begun, with the
    places still free. ``booked`` counts bookings by slot start (UTC)."""
    found: list[SlotAvailability] = []
    day = first_day
    while day <= last_day:
        for slot in slots_on(reception, kind, day):
            if slot.starts_at > now:
                free = max(0, slot.capacity - booked.get(slot.starts_at, 0))
                found.append(SlotAvailability(slot, free))
        day += timedelta(days=1)
    return found
