"""Receptions and their slots: opening hours in Stockholm time, counters, closed days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pydantic import ValidationError

from services.bookings.domain.receptions import (
    AppointmentKind,
    NotBookable,
    Reception,
    availability,
    slot_at,
    slots_on,
)
from services.bookings.reference_data import receptions
from shared.clock import STOCKHOLM
from shared.regions import Region

DOCUMENTS = AppointmentKind.DOCUMENTS


def reception(**changes: object) -> Reception:
    data: dict[str, object] = {
        "id": "test-reception",
        "name": "Polisen Testby",
        "address": {"street": "Storgatan 1", "postalCode": "111 22", "city": "Stockholm"},
        "municipalityCode": "0180",
        "openingHours": [
            {"day": day, "opens": "09:00", "closes": "12:00"} for day in ("monday", "tuesday", "wednesday")
        ]
        + [{"day": "monday", "opens": "13:00", "closes": "15:00"}],
        "counters": 3,
        "caseMeetingRooms": 1,
        "closedDates": ["2026-11-25"],
    }
    data.update(changes)
    return Reception.model_validate(data)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STOCKHOLM)


MONDAY = date(2026, 11, 23)


def test_slots_fill_each_opening_interval_with_the_counters_as_capacity() -> None:
    slots = slots_on(reception(), DOCUMENTS, MONDAY)

    assert len(slots) == 12 + 8  # 09-12 and 13-15 in quarters
    assert slots[0].starts_at == local(MONDAY, 9)
    assert slots[11].ends_at == local(MONDAY, 12)
    assert slots[12].starts_at == local(MONDAY, 13)
    assert {s.capacity for s in slots} == {3}


def test_case_meetings_are_half_an_hour_with_the_meeting_rooms_as_capacity() -> None:
    slots = slots_on(reception(), AppointmentKind.CASE_MEETING, MONDAY)
    assert [s.starts_at for s in slots[:2]] == [local(MONDAY, 9), local(MONDAY, 9, 30)]
    assert {s.capacity for s in slots} == {1}
    assert slots_on(reception(caseMeetingRooms=0), AppointmentKind.CASE_MEETING, MONDAY) == []


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 11, 25), "closed for the day"),
        (date(2026, 11, 26), "no opening hours on Thursdays"),
        (date(2026, 12, 24), "Julafton"),
        (date(2027, 1, 6), "Trettondedag jul"),
    ],
)
def test_no_slots_on_closed_days(day: date, reason: str) -> None:
    assert slots_on(reception(), DOCUMENTS, day) == []
    assert reception().closed_reason(day) == reason


def test_opening_hours_are_stockholm_wall_clock_time_across_daylight_saving() -> None:
    winter = slots_on(reception(), DOCUMENTS, date(2027, 3, 22))[0].starts_at
    summer = slots_on(reception(), DOCUMENTS, date(2027, 3, 30))[0].starts_at  # after Easter Monday
    assert (winter.astimezone(UTC).hour, summer.astimezone(UTC).hour) == (8, 7)


def test_a_start_that_is_no_slot_says_why() -> None:
    where = reception()
    assert slot_at(where, DOCUMENTS, local(MONDAY, 13, 15)).capacity == 3
    with pytest.raises(NotBookable, match="opening hours 09:00-12:00, 13:00-15:00"):
        slot_at(where, DOCUMENTS, local(MONDAY, 12, 15))
    with pytest.raises(NotBookable, match="opening hours"):
        slot_at(where, DOCUMENTS, local(MONDAY, 9, 5))
    with pytest.raises(NotBookable, match="Julafton"):
        slot_at(where, DOCUMENTS, local(date(2026, 12, 24), 9))
    with pytest.raises(NotBookable, match="no caseMeeting"):
        slot_at(reception(caseMeetingRooms=0), AppointmentKind.CASE_MEETING, local(MONDAY, 9))


def test_availability_leaves_out_slots_that_have_begun_and_counts_what_is_booked() -> None:
    now = local(MONDAY, 9, 20)
    booked = {local(MONDAY, 9, 30).astimezone(UTC): 2, local(MONDAY, 9, 45).astimezone(UTC): 3}

    found = availability(reception(), DOCUMENTS, MONDAY, MONDAY, booked=booked, now=now)

    assert [(a.slot.starts_at, a.free) for a in found[:3]] == [
        (local(MONDAY, 9, 30), 1),
        (local(MONDAY, 9, 45), 0),
        (local(MONDAY, 10), 3),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"municipalityCode": "0000"}, "municipalityCode"),
        ({"openingHours": [{"day": "monday", "opens": "12:00", "closes": "09:00"}]}, "openingHours"),
        ({"counters": 0}, "counters"),
        ({"id": "Not A Slug"}, "id"),
    ],
)
def test_a_reception_that_makes_no_sense_is_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        reception(**changes)
    assert error.value.errors()[0]["loc"][0] == field


def test_the_reference_data_has_a_reception_in_every_region_and_unique_ids() -> None:
    data = receptions()
    assert {r.region for r in data} == set(Region)
    assert len({r.id for r in data}) == len(data)
    ordinary_week = [MONDAY + timedelta(days=offset) for offset in range(7)]
    for where in data:
        assert any(slots_on(where, DOCUMENTS, day) for day in ordinary_week), f"{where.id} never opens"
