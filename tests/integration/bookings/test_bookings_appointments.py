"""Booking, moving and cancelling appointments through the bookings API's handler, on moto, at a fixed time."""

from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.bookings import api, dependencies, seed_data
from shared.clock import FixedClock
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.bookings import (
    APPOINTMENTS,
    BASE,
    booking_body,
    bookings_event,
    iso,
    open_slots,
)
from tests.support.faults import crash_after_commit
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_header, response_json

# Monday 23 November 2026, 08:00 in Stockholm.
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
GUARDIAN, CO_GUARDIAN = seed_data.FAMILIES[0].guardians
CHILD = seed_data.FAMILIES[0].children[0]
SOMEONE_ELSES_CHILD = seed_data.FAMILIES[1].children[0]


@pytest.fixture
def clock(bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(NOW)
    monkeypatch.setattr(dependencies, "clock", lambda: fixed)
    return fixed


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def call(event: dict[str, Any]) -> dict[str, Any]:
    return api.handler(event, FakeLambdaContext())


def book(claims: dict[str, str], body: dict[str, Any], **headers: str) -> dict[str, Any]:
    return call(bookings_event("POST", APPOINTMENTS, body=body, claims=claims, headers=headers))


def free_places(reception_id: str, start: datetime) -> int:
    day = start.astimezone(UTC).date().isoformat()
    listing = response_json(
        call(bookings_event("GET", f"{BASE}/receptions/{reception_id}/slots", query={"from": day, "to": day}))
    )
    return next(s["free"] for s in listing["items"] if s["start"] == iso(start))


def problem(result: dict[str, Any], status: int) -> dict[str, Any]:
    assert result["statusCode"] == status, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    document: dict[str, Any] = response_json(result)
    return document


def items(cloud: MotoCloud, prefix: str) -> list[dict[str, Any]]:
    table = cloud.plan.service("bookings").environment["TABLE_MAIN"]
    found = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    return [i for i in found if i["pk"]["S"].startswith(prefix)]


SLOT = open_slots("visby", NOW)[0]  # Tuesday 24 November, 09:00; Visby has two counters
LATER = open_slots("visby", NOW)[5]


# --- receptions and free times ---------------------------------------------------------------------------


def test_every_region_has_a_reception_and_the_list_filters_by_region_and_municipality(
    clock: FixedClock,
) -> None:
    everything = response_json(call(bookings_event("GET", f"{BASE}/receptions")))["items"]
    in_vast = response_json(call(bookings_event("GET", f"{BASE}/receptions", query={"region": "Väst"})))[
        "items"
    ]
    in_umea = response_json(call(bookings_event("GET", f"{BASE}/receptions", query={"municipality": "2480"})))

    assert {r["region"] for r in everything} == {
        "Nord",
        "Mitt",
        "Stockholm",
        "Öst",
        "Väst",
        "Syd",
        "Bergslagen",
    }
    assert [r["id"] for r in in_vast] == ["goteborg-city", "halmstad"]
    assert [r["id"] for r in in_umea["items"]] == ["umea"]
    umea = in_umea["items"][0]
    assert umea["municipality"] == "Umeå"
    assert umea["address"]["city"] == "Umeå"
    assert {"day": "monday", "opens": "09:00", "closes": "16:00"} in umea["openingHours"]
    # Christmas Eve 2026 is a Thursday: closed, and said so, though no one listed it by hand.
    assert {"date": "2026-12-24", "reason": "Julafton"} in umea["closedDays"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"municipality": "9999"}, "municipality"),
        ({"municipality": "18"}, "municipality"),
        ({"region": "Mars"}, "region"),
    ],
)
def test_an_unknown_region_or_municipality_is_a_problem_naming_the_filter(
    clock: FixedClock, query: dict[str, str], field: str
) -> None:
    document = problem(call(bookings_event("GET", f"{BASE}/receptions", query=query)), 400)
    assert field in {p["name"] for p in document["invalidParameters"]}


def test_free_times_follow_opening_hours_and_counters_in_stockholm_time(clock: FixedClock) -> None:
    listing = response_json(
        call(
            bookings_event(
                "GET",
                f"{BASE}/receptions/stockholm-city/slots",
                query={"from": "2026-11-23", "to": "2026-11-29"},
            )
        )
    )

    starts = [s["start"] for s in listing["items"]]
    assert listing["timeZone"] == "Europe/Stockholm"
    # It is 08:00 on Monday: the 08:00 slot has begun, 08:15 is the first free one.
    assert starts[0] == "2026-11-23T08:15:00+01:00"
    assert all(s["capacity"] == 6 and s["free"] == 6 for s in listing["items"])
    days = {s[:10] for s in starts}
    assert days == {"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"}
    thursday = [s for s in starts if s.startswith("2026-11-26")]
    assert thursday[-1] == "2026-11-26T17:45:00+01:00"  # the long day, open until 18:00


def test_no_free_times_on_christmas_eve_and_the_range_is_bounded(clock: FixedClock) -> None:
    christmas = call(
        bookings_event(
            "GET", f"{BASE}/receptions/malmo/slots", query={"from": "2026-12-24", "to": "2026-12-26"}
        )
    )
    too_wide = call(
        bookings_event(
            "GET", f"{BASE}/receptions/malmo/slots", query={"from": "2026-12-01", "to": "2027-01-01"}
        )
    )
    backwards = call(
        bookings_event(
            "GET", f"{BASE}/receptions/malmo/slots", query={"from": "2026-12-02", "to": "2026-12-01"}
        )
    )
    unknown = call(bookings_event("GET", f"{BASE}/receptions/atlantis/slots"))

    assert response_json(christmas)["items"] == []
    assert problem(too_wide, 400)["invalidParameters"][0]["name"] == "to"
    assert problem(backwards, 400)["invalidParameters"][0]["name"] == "to"
    problem(unknown, 404)


# --- booking ---------------------------------------------------------------------------------------------


def test_a_citizen_books_a_passport_appointment_and_gets_a_booking_number(clock: FixedClock) -> None:
    claims = citizen(1)
    result = book(claims, booking_body("visby", SLOT.starts_at))

    assert result["statusCode"] == 201, result["body"]
    appointment = response_json(result)
    number = appointment["bookingNumber"]
    assert len(number) == 8
    assert not set(number) & set("01OI")
    assert appointment["start"] == "2026-11-24T09:00:00+01:00"
    assert appointment["status"] == "booked"
    assert appointment["applicantPersonnummer"] == claims["personnummer"]
    assert response_header(result, "Location") == f"{APPOINTMENTS}/{number}"
    assert free_places("visby", SLOT.starts_at) == 1

    mine = call(bookings_event("GET", f"{APPOINTMENTS}/{number}", claims=claims))
    theirs = call(bookings_event("GET", f"{APPOINTMENTS}/{number}", claims=citizen(2)))
    assert response_json(mine)["bookingNumber"] == number
    problem(theirs, 404)


def test_a_slot_takes_as_many_bookings_as_it_has_counters_and_no_more(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    first = book(citizen(1), booking_body("visby", SLOT.starts_at))
    second = book(citizen(2), booking_body("visby", SLOT.starts_at))
    third = book(citizen(3), booking_body("visby", SLOT.starts_at))

    assert [first["statusCode"], second["statusCode"]] == [201, 201]
    assert "fullbokad" in problem(third, 409)["detail"]
    assert free_places("visby", SLOT.starts_at) == 0
    # Nothing of the refused booking was written: two appointments, two booked events.
    assert len(items(bookings_cloud, "APPOINTMENT#")) == 2
    assert len(items(bookings_cloud, "OUTBOX#")) == 2


def test_the_transaction_refuses_a_full_slot_even_when_the_read_before_it_saw_room(
    clock: FixedClock, bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    book(citizen(1), booking_body("visby", SLOT.starts_at))
    book(citizen(2), booking_body("visby", SLOT.starts_at))
    # As if the two bookings committed between this request's read and its transaction.
    monkeypatch.setattr(dependencies.repository(), "places_taken", lambda *_: 0)

    late = book(citizen(3), booking_body("visby", SLOT.starts_at))

    assert "fullbokad" in problem(late, 409)["detail"]
    assert len(items(bookings_cloud, "APPOINTMENT#")) == 2
    assert len(items(bookings_cloud, "LEDGER#")) == 2
    assert len(items(bookings_cloud, "APPLICANT#")) == 2
    assert free_places("visby", SLOT.starts_at) == 0


def test_an_e_id_holds_at_most_two_active_bookings_until_one_is_cancelled(clock: FixedClock) -> None:
    claims = citizen(1)
    passport = response_json(book(claims, booking_body("visby", SLOT.starts_at)))
    book(claims, booking_body("visby", LATER.starts_at, services=("idCard",)))

    third = book(claims, booking_body("malmo", open_slots("malmo", NOW)[0].starts_at, applicant=None))
    # The ledger is checked before the applicant guard: the limit is what the citizen is told.
    assert "2 aktiva bokningar" in problem(third, 409)["detail"]

    call(bookings_event("DELETE", f"{APPOINTMENTS}/{passport['bookingNumber']}", claims=claims))
    again = book(claims, booking_body("malmo", open_slots("malmo", NOW)[0].starts_at))
    assert again["statusCode"] == 201, again["body"]


def test_an_applicant_has_one_active_booking_per_document(clock: FixedClock) -> None:
    claims = citizen(1)
    book(claims, booking_body("visby", SLOT.starts_at, services=("passport",)))

    again = book(claims, booking_body("visby", LATER.starts_at, services=("passport", "idCard")))
    id_card = book(claims, booking_body("visby", LATER.starts_at, services=("idCard",)))

    assert "aktiv bokning för pass" in problem(again, 409)["detail"]
    assert id_card["statusCode"] == 201


def test_a_guardian_books_for_their_child_and_both_guardians_cannot_book_the_same_document(
    clock: FixedClock,
) -> None:
    guardian = citizen_claims(GUARDIAN)
    result = book(guardian, booking_body("visby", SLOT.starts_at, applicant=f"{CHILD[:8]}-{CHILD[8:]}"))
    by_the_other = book(citizen_claims(CO_GUARDIAN), booking_body("visby", LATER.starts_at, applicant=CHILD))

    assert result["statusCode"] == 201, result["body"]
    booked = response_json(result)
    assert (booked["applicantPersonnummer"], booked["forChild"]) == (CHILD, True)
    assert "aktiv bokning för pass" in problem(by_the_other, 409)["detail"]


def test_booking_for_a_child_one_is_not_guardian_of_is_forbidden(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    result = book(
        citizen_claims(GUARDIAN), booking_body("visby", SLOT.starts_at, applicant=SOMEONE_ELSES_CHILD)
    )
    stranger = book(citizen(7), booking_body("visby", SLOT.starts_at, applicant=CHILD))

    for refused in (result, stranger):
        document = problem(refused, 403)
        assert document["invalidParameters"][0]["name"] == "applicant.personnummer"
    assert items(bookings_cloud, "APPOINTMENT#") == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "2026-11-23T07:00:00+01:00"}, "start"),  # in the past
        ({"start": "2026-11-24T07:00:00+01:00"}, "start"),  # before opening
        ({"start": "2026-11-24T12:15:00+01:00"}, "start"),  # Visby's lunch break
        ({"start": "2026-11-24T09:07:00+01:00"}, "start"),  # not at a slot boundary
        ({"start": "2026-12-24T10:00:00+01:00"}, "start"),  # Julafton
        ({"start": "2026-11-28T10:00:00+01:00"}, "start"),  # a Saturday
        ({"start": "2026-11-24T09:00:00"}, "start"),  # no offset
        ({"receptionId": "atlantis"}, "receptionId"),
        ({"services": ["visa"]}, "services[0]"),
        ({"services": []}, "services"),
        ({"services": ["passport", "passport"]}, "services"),
        ({"contact": {"email": "not-an-address"}}, "contact.email"),
        ({"applicant": {"personnummer": "19840101-1234"}}, "applicant.personnummer"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_nothing_is_written(
    clock: FixedClock, bookings_cloud: MotoCloud, changes: dict[str, Any], field: str
) -> None:
    document = problem(book(citizen(1), {**booking_body("visby", SLOT.starts_at), **changes}), 400)

    assert field in {p["name"] for p in document["invalidParameters"]}, document
    assert items(bookings_cloud, "APPOINTMENT#") == []
    assert items(bookings_cloud, "SLOTS#") == []


def test_staff_and_anonymous_callers_cannot_book(clock: FixedClock) -> None:
    staff = {
        "sub": "s-1",
        "principalType": "staff",
        "staffId": "P1",
        "roles": "reception",
        "region": "Stockholm",
    }
    problem(book(staff, booking_body("visby", SLOT.starts_at)), 403)
    problem(call(bookings_event("POST", APPOINTMENTS, body=booking_body("visby", SLOT.starts_at))), 401)


def test_a_retry_with_the_same_idempotency_key_books_once(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    claims = citizen(1)
    first = book(claims, booking_body("visby", SLOT.starts_at), **{"Idempotency-Key": "tap-twice"})
    again = book(claims, booking_body("visby", SLOT.starts_at), **{"Idempotency-Key": "tap-twice"})

    assert again["statusCode"] == 201
    assert response_json(again)["bookingNumber"] == response_json(first)["bookingNumber"]
    assert free_places("visby", SLOT.starts_at) == 1


def test_a_booking_that_crashed_after_its_commit_is_one_booking_on_retry(
    clock: FixedClock, bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = citizen(1)
    body = booking_body("visby", SLOT.starts_at)
    crash_after_commit(monkeypatch)

    crashed = book(claims, body, **{"Idempotency-Key": "flaky-wifi"})
    retry = book(claims, body, **{"Idempotency-Key": "flaky-wifi"})

    assert crashed["statusCode"] == 500
    assert retry["statusCode"] == 201
    number = response_json(retry)["bookingNumber"]
    assert response_header(retry, "Location") == f"{APPOINTMENTS}/{number}"
    assert [i["pk"]["S"] for i in items(bookings_cloud, "APPOINTMENT#")] == [f"APPOINTMENT#{number}"]
    assert free_places("visby", SLOT.starts_at) == 1
    assert [i["detailType"]["S"] for i in items(bookings_cloud, "OUTBOX#")] == ["AppointmentBooked"]


def test_a_booking_key_is_the_callers_own_and_refused_with_another_body(clock: FixedClock) -> None:
    mine = book(citizen(1), booking_body("visby", SLOT.starts_at), **{"Idempotency-Key": "k-1"})
    other_time = book(citizen(1), booking_body("visby", LATER.starts_at), **{"Idempotency-Key": "k-1"})
    theirs = book(citizen(2), booking_body("visby", SLOT.starts_at), **{"Idempotency-Key": "k-1"})

    assert "Idempotency-Key" in problem(other_time, 422)["detail"]
    assert theirs["statusCode"] == 201
    assert response_json(theirs)["bookingNumber"] != response_json(mine)["bookingNumber"]
    assert free_places("visby", SLOT.starts_at) == 0


def test_my_appointments_are_listed_latest_first_and_only_mine(clock: FixedClock) -> None:
    claims = citizen(1)
    early = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]
    late = response_json(book(claims, booking_body("visby", LATER.starts_at, services=("idCard",))))[
        "bookingNumber"
    ]
    book(citizen(2), booking_body("visby", SLOT.starts_at))

    page = response_json(call(bookings_event("GET", APPOINTMENTS, claims=claims, query={"limit": "1"})))
    rest = response_json(
        call(bookings_event("GET", APPOINTMENTS, claims=claims, query={"nextToken": page["nextToken"]}))
    )
    stolen = call(
        bookings_event("GET", APPOINTMENTS, claims=citizen(2), query={"nextToken": page["nextToken"]})
    )

    assert [a["bookingNumber"] for a in page["items"] + rest["items"]] == [late, early]
    assert problem(stolen, 400)["invalidParameters"][0]["name"] == "nextToken"


# --- moving and cancelling -------------------------------------------------------------------------------


def test_rescheduling_moves_the_booking_and_frees_the_old_time(clock: FixedClock) -> None:
    claims = citizen(1)
    number = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]

    result = call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(LATER.starts_at)}
        )
    )

    assert result["statusCode"] == 200, result["body"]
    moved = response_json(result)
    assert (moved["bookingNumber"], moved["start"]) == (number, iso(LATER.starts_at))
    assert moved["rescheduledAt"] == "2026-11-23T08:00:00+01:00"
    assert free_places("visby", SLOT.starts_at) == 2
    assert free_places("visby", LATER.starts_at) == 1


def test_rescheduling_to_a_full_time_keeps_the_old_one(clock: FixedClock) -> None:
    claims = citizen(1)
    number = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]
    book(citizen(2), booking_body("visby", LATER.starts_at))
    book(citizen(3), booking_body("visby", LATER.starts_at))

    refused = call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(LATER.starts_at)}
        )
    )

    problem(refused, 409)
    mine = response_json(call(bookings_event("GET", f"{APPOINTMENTS}/{number}", claims=claims)))
    assert mine["start"] == iso(SLOT.starts_at)
    assert free_places("visby", SLOT.starts_at) == 1
    assert free_places("visby", LATER.starts_at) == 0


def test_rescheduling_to_another_reception_and_bad_moves(clock: FixedClock) -> None:
    claims = citizen(1)
    number = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]
    malmo = open_slots("malmo", NOW)[3]

    same = call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(SLOT.starts_at)}
        )
    )
    theirs = call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=citizen(2), body={"start": iso(LATER.starts_at)}
        )
    )
    moved = call(
        bookings_event(
            "PATCH",
            f"{APPOINTMENTS}/{number}",
            claims=claims,
            body={"start": iso(malmo.starts_at), "receptionId": "malmo"},
        )
    )

    assert problem(same, 400)["invalidParameters"][0]["name"] == "start"
    problem(theirs, 404)
    assert response_json(moved)["receptionId"] == "malmo"
    assert response_json(moved)["region"] == "Syd"
    assert free_places("visby", SLOT.starts_at) == 2


def test_cancelling_with_e_id_frees_the_place_and_is_idempotent(clock: FixedClock) -> None:
    claims = citizen(1)
    number = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]

    theirs = call(bookings_event("DELETE", f"{APPOINTMENTS}/{number}", claims=citizen(2)))
    cancelled = call(bookings_event("DELETE", f"{APPOINTMENTS}/{number}", claims=claims))
    again = call(bookings_event("DELETE", f"{APPOINTMENTS}/{number}", claims=claims))

    problem(theirs, 404)
    assert response_json(cancelled)["status"] == "cancelled"
    assert response_json(again)["status"] == "cancelled"
    assert free_places("visby", SLOT.starts_at) == 2
    # The applicant may book a passport again at once.
    assert book(claims, booking_body("visby", LATER.starts_at))["statusCode"] == 201


def test_cancelling_with_booking_number_and_e_mail_without_logging_in(clock: FixedClock) -> None:
    number = response_json(book(citizen(1), booking_body("visby", SLOT.starts_at)))["bookingNumber"]

    wrong_mail = call(
        bookings_event(
            "POST", f"{BASE}/cancellations", body={"bookingNumber": number, "email": "eve@example.se"}
        )
    )
    unknown = call(
        bookings_event(
            "POST",
            f"{BASE}/cancellations",
            body={"bookingNumber": "ZZZZ2222", "email": "kim.andersson@example.se"},
        )
    )
    malformed = call(
        bookings_event(
            "POST", f"{BASE}/cancellations", body={"bookingNumber": "0000", "email": "kim@example.se"}
        )
    )
    cancelled = call(
        bookings_event(
            "POST",
            f"{BASE}/cancellations",
            body={"bookingNumber": number.lower(), "email": "Kim.Andersson@Example.se"},
        )
    )

    assert problem(wrong_mail, 404)["detail"] == problem(unknown, 404)["detail"]
    assert problem(malformed, 400)["invalidParameters"][0]["name"] == "bookingNumber"
    assert response_json(cancelled) == {"bookingNumber": number, "status": "cancelled"}
    assert free_places("visby", SLOT.starts_at) == 2


def test_a_retried_cancellation_is_answered_again_and_checked_again(
    clock: FixedClock, bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = response_json(book(citizen(1), booking_body("visby", SLOT.starts_at)))["bookingNumber"]
    body = {"bookingNumber": number, "email": "kim.andersson@example.se"}
    cancel = functools.partial(bookings_event, "POST", f"{BASE}/cancellations", body=body)
    crash_after_commit(monkeypatch)

    crashed = call(cancel(headers={"Idempotency-Key": "cancel-1"}))
    retry = call(cancel(headers={"Idempotency-Key": "cancel-1"}))
    other_mail = call(
        bookings_event(
            "POST",
            f"{BASE}/cancellations",
            body={**body, "email": "eve@example.se"},
            headers={"Idempotency-Key": "cancel-1"},
        )
    )

    assert crashed["statusCode"] == 500
    assert response_json(retry) == {"bookingNumber": number, "status": "cancelled"}
    problem(other_mail, 422)
    assert free_places("visby", SLOT.starts_at) == 2
    cancellations = [
        i for i in items(bookings_cloud, "OUTBOX#") if i["detailType"]["S"] == "AppointmentCancelled"
    ]
    assert len(cancellations) == 1


def test_an_appointment_that_has_begun_can_no_longer_be_moved_or_cancelled(clock: FixedClock) -> None:
    claims = citizen(1)
    number = response_json(book(claims, booking_body("visby", SLOT.starts_at)))["bookingNumber"]
    clock.advance(SLOT.starts_at - NOW + timedelta(minutes=1))

    problem(call(bookings_event("DELETE", f"{APPOINTMENTS}/{number}", claims=claims)), 409)
    later = open_slots("visby", clock.now())[0]
    problem(
        call(
            bookings_event(
                "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(later.starts_at)}
            )
        ),
        409,
    )
    # It no longer counts as active: the citizen may book two more.
    assert book(claims, booking_body("visby", later.starts_at))["statusCode"] == 201
    assert book(claims, booking_body("visby", later.starts_at, services=("idCard",)))["statusCode"] == 201
