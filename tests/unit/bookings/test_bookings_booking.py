"""The booking rules with in-memory ports and a fixed clock."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest

from services.bookings.domain import booking, cases, reminders
from services.bookings.domain.appointments import (
    BOOKING_NUMBER_ALPHABET,
    AppointmentStatus,
    Attendance,
    CaseMeetingDraft,
    DocumentBookingDraft,
    RescheduleDraft,
    is_booking_number,
    new_booking_number,
)
from services.bookings.domain.errors import (
    AlreadyBooked,
    BookingLimitReached,
    BookingNumberTaken,
    ChangedMeanwhile,
    NotGuardian,
    SlotFull,
)
from services.bookings.domain.receptions import AppointmentKind
from services.bookings.reference_data import receptions
from shared.clock import FixedClock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.i18n import render
from shared.identity import generate_personnummer
from shared.regions import Region
from tests.support.bookings import booking_body, case_meeting_body, open_slots
from tests.support.bookings_fakes import (
    InMemoryAppointments,
    InMemoryCases,
    InMemoryPopulation,
    InMemoryReceptions,
)

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Stockholm
SLOTS = open_slots("visby", NOW)  # Visby: two counters, one meeting room
PARENT, CHILD = (str(generate_personnummer(random.Random(seed))) for seed in (1, 2))


class World:
    def __init__(self) -> None:
        self.clock = FixedClock(NOW)
        self.repository = InMemoryAppointments()
        self.receptions = InMemoryReceptions(receptions())
        self.population = InMemoryPopulation([(PARENT, CHILD)])
        self.cases = InMemoryCases()
        self._numbers = (f"BKNG{n:04d}".replace("0", "2").replace("1", "3") for n in itertools.count())

    def book(self, booker: booking.Booker, **changes: object) -> booking.Appointment:
        body = booking_body("visby", changes.pop("start", SLOTS[0].starts_at), **changes)  # type: ignore[arg-type]
        return booking.book_documents(
            DocumentBookingDraft.model_validate(body),
            booker=booker,
            receptions=self.receptions,
            population=self.population,
            repository=self.repository,
            clock=self.clock,
            correlation_id="c-1",
            draw_number=lambda: next(self._numbers),
        )


@pytest.fixture
def world() -> World:
    return World()


def someone(seed: int) -> booking.Booker:
    return booking.Booker(
        ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(100 + seed)))
    )


PARENT_BOOKER = booking.Booker(ref="sub-parent", personnummer=PARENT)


def test_booking_numbers_are_eight_unambiguous_characters() -> None:
    numbers = {new_booking_number() for _ in range(200)}
    assert len(numbers) == 200
    assert all(is_booking_number(n) for n in numbers)
    assert not set("".join(numbers)) & set("01OI")
    assert set(BOOKING_NUMBER_ALPHABET) == set("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")


def test_a_booking_holds_its_place_and_publishes_appointment_booked(world: World) -> None:
    appointment = world.book(someone(1))

    assert appointment.status is AppointmentStatus.BOOKED
    assert appointment.starts_at == SLOTS[0].starts_at
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=15)
    assert world.repository.event_types() == ["AppointmentBooked"]
    assert not appointment.for_child


def test_a_full_slot_refuses_the_next_booking(world: World) -> None:
    world.book(someone(1))
    world.book(someone(2))
    with pytest.raises(SlotFull):
        world.book(someone(3))


def test_the_third_active_booking_is_refused_but_a_past_one_does_not_count(world: World) -> None:
    me = someone(1)
    world.book(me, services=("passport",))
    world.book(me, services=("idCard",), start=SLOTS[1].starts_at)
    with pytest.raises(BookingLimitReached):
        world.book(me, start=SLOTS[2].starts_at)

    world.clock.advance(SLOTS[0].starts_at - NOW + timedelta(minutes=1))
    later = open_slots("visby", world.clock.now())[0]
    assert world.book(me, start=later.starts_at).starts_at == later.starts_at


def test_a_guardian_books_for_their_child_and_no_one_else_may(world: World) -> None:
    for_child = world.book(PARENT_BOOKER, applicant=CHILD)
    assert (for_child.applicant_personnummer, for_child.for_child) == (CHILD, True)

    with pytest.raises(NotGuardian):
        world.book(someone(1), applicant=CHILD)
    with pytest.raises(AlreadyBooked):
        world.book(PARENT_BOOKER, applicant=CHILD, start=SLOTS[3].starts_at)


def test_a_concurrent_change_to_the_booker_s_ledger_is_retried_from_a_fresh_read(world: World) -> None:
    world.repository.ledger_races = 2
    assert world.book(someone(1)).status is AppointmentStatus.BOOKED

    world.repository.ledger_races = 3
    with pytest.raises(ChangedMeanwhile):
        world.book(someone(2), start=SLOTS[1].starts_at)


def test_a_booking_number_already_in_use_is_drawn_again(world: World) -> None:
    world.book(someone(1))
    world._numbers = iter(["BKNG2222", "BKNG2222", "BKNG3333"])  # the first is taken by now
    world.repository.appointments["BKNG2222"] = world.repository.appointments.popitem()[1]

    assert world.book(someone(2)).booking_number == "BKNG3333"

    world._numbers = itertools.repeat("BKNG3333")
    with pytest.raises(BookingNumberTaken):
        world.book(someone(3), start=SLOTS[1].starts_at)


@pytest.mark.parametrize(
    ("start", "reason"),
    [
        (NOW - timedelta(hours=1), "must be in the future"),
        (datetime(2026, 11, 24, 6, 0, tzinfo=UTC), "opening hours"),
        (datetime(2026, 12, 24, 9, 0, tzinfo=UTC), "Julafton"),
    ],
)
def test_a_time_that_is_no_free_slot_is_refused_naming_start(
    world: World, start: datetime, reason: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.book(someone(1), start=start)
    assert list(refused.value.reasons) == ["start"]
    assert reason in render(refused.value.reasons["start"], "en")


def test_moving_holds_the_new_time_and_a_full_new_time_changes_nothing(world: World) -> None:
    me = someone(1)
    appointment = world.book(me)
    world.book(someone(2), start=SLOTS[1].starts_at)
    world.book(someone(3), start=SLOTS[1].starts_at)

    with pytest.raises(SlotFull):
        booking.reschedule(
            appointment.booking_number,
            RescheduleDraft(start=SLOTS[1].starts_at),
            booker_ref=me.ref,
            receptions=world.receptions,
            repository=world.repository,
            clock=world.clock,
            correlation_id="c-2",
        )
    moved = booking.reschedule(
        appointment.booking_number,
        RescheduleDraft(start=SLOTS[2].starts_at),
        booker_ref=me.ref,
        receptions=world.receptions,
        repository=world.repository,
        clock=world.clock,
        correlation_id="c-2",
    )

    assert moved.starts_at == SLOTS[2].starts_at
    assert moved.version == appointment.version + 1
    assert world.repository.get(appointment.booking_number) == moved
    assert world.repository.event_types()[-1] == "AppointmentRescheduled"


def test_cancelling_with_the_wrong_e_mail_looks_like_no_such_booking(world: World) -> None:
    appointment = world.book(someone(1))
    with pytest.raises(NotFound) as wrong:
        booking.cancel_with_email(
            appointment.booking_number,
            "someone@else.se",
            repository=world.repository,
            clock=world.clock,
            correlation_id="c",
        )
    with pytest.raises(NotFound) as unknown:
        booking.cancel_with_email(
            "ZZZZZZZZ",
            "kim.andersson@example.se",
            repository=world.repository,
            clock=world.clock,
            correlation_id="c",
        )
    assert wrong.value.detail == unknown.value.detail

    cancelled = booking.cancel_with_email(
        appointment.booking_number,
        " KIM.Andersson@example.se ",
        repository=world.repository,
        clock=world.clock,
        correlation_id="c",
    )
    assert cancelled.status is AppointmentStatus.CANCELLED


def test_a_case_meeting_is_only_for_the_case_s_owner(world: World) -> None:
    owner, stranger = someone(1), someone(2)
    world.cases.record("K12-26", owner_ref=owner.ref, case_type="report", region="Stockholm")
    meeting_slot = open_slots("visby", NOW, kind=AppointmentKind.CASE_MEETING)[0]

    def meet(who: booking.Booker) -> booking.Appointment:
        return booking.book_case_meeting(
            CaseMeetingDraft.model_validate(case_meeting_body("visby", meeting_slot.starts_at, "K12-26")),
            booker=who,
            receptions=world.receptions,
            cases=world.cases,
            repository=world.repository,
            clock=world.clock,
            correlation_id="c",
        )

    with pytest.raises(NotFound):
        meet(stranger)
    meeting = meet(owner)
    assert (meeting.kind, meeting.case_number, meeting.services) == (
        AppointmentKind.CASE_MEETING,
        "K12-26",
        [],
    )
    assert world.repository.ledger(owner.ref).bookings == {}, (
        "meetings do not count towards the passport limit"
    )


def test_a_meeting_about_a_permit_application_is_for_its_applicant_only(world: World) -> None:
    applicant, stranger = someone(1), someone(2)
    cases.learn_permit_applicant(
        PermitApplicationSubmitted(
            diarienummer="A579.501/2026",
            kind="weaponLicence",
            region="National",
            fee_sek=700,
            submitted_at=NOW,
            owner_ref=applicant.ref,
        ),
        cases=world.cases,
    )
    meeting_slot = open_slots("visby", NOW, kind=AppointmentKind.CASE_MEETING)[0]

    def meet(who: booking.Booker, case_number: str) -> booking.Appointment:
        return booking.book_case_meeting(
            CaseMeetingDraft.model_validate(case_meeting_body("visby", meeting_slot.starts_at, case_number)),
            booker=who,
            receptions=world.receptions,
            cases=world.cases,
            repository=world.repository,
            clock=world.clock,
            correlation_id="c",
        )

    with pytest.raises(NotFound):
        meet(stranger, "A579.501/2026")
    with pytest.raises(NotFound):
        meet(applicant, "A579.502/2026")
    meeting = meet(applicant, "A579.501/2026")
    assert (meeting.kind, meeting.case_number) == (AppointmentKind.CASE_MEETING, "A579.501/2026")


def test_staff_mark_attendance_only_in_their_region_and_on_the_day(world: World) -> None:
    appointment = world.book(someone(1))
    vast = booking.ReceptionStaff(ref="s", region=Region.VAST)
    stockholm = booking.ReceptionStaff(ref="s", region=Region.STOCKHOLM)

    def mark(staff: booking.ReceptionStaff, attendance: Attendance) -> booking.Appointment:
        return booking.mark_attendance(
            appointment.booking_number,
            attendance,
            staff=staff,
            receptions=world.receptions,
            repository=world.repository,
            clock=world.clock,
            correlation_id="c",
        )

    with pytest.raises(NotFound):
        mark(vast, Attendance.ARRIVED)
    with pytest.raises(Conflict, match="on the day"):
        mark(stockholm, Attendance.ARRIVED)
    world.clock.advance(SLOTS[0].starts_at - NOW - timedelta(minutes=10))
    with pytest.raises(Conflict, match="once the appointment has begun"):
        mark(stockholm, Attendance.NO_SHOW)
    world.clock.advance(timedelta(minutes=20))
    assert mark(stockholm, Attendance.NO_SHOW).status is AppointmentStatus.MISSED
    assert world.repository.event_types()[-1] == "AppointmentMissed"
    assert world.repository.ledger(appointment.booker_ref).bookings == {}


def test_reminders_go_to_appointments_due_and_not_yet_reminded(world: World) -> None:
    later = open_slots("visby", NOW + timedelta(days=2))[0]
    due = world.book(someone(2), start=later.starts_at)
    world.clock.advance(timedelta(hours=2))
    soon = world.book(someone(1))  # tomorrow 09:00, booked at 10:00: the confirmation is the reminder

    sent = reminders.send_due_reminders(
        as_of=later.starts_at - timedelta(hours=20),
        repository=world.repository,
        clock=world.clock,
        correlation_id="c",
    )

    assert sent == 1
    assert world.repository.get(due.booking_number).reminded_at == world.clock.now()  # type: ignore[union-attr]
    assert world.repository.get(soon.booking_number).reminded_at is None  # type: ignore[union-attr]
    assert world.repository.event_types()[-1] == "AppointmentReminderDue"
