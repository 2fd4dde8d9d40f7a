"""What the bookings service publishes and consumes, its reminders and its staff routes, on moto."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.event_sources import is_outbox_insert, scheduled_event, sqs_event, stream_event
from services.bookings import api, consumers, dependencies, jobs
from services.bookings.domain.receptions import AppointmentKind
from shared.clock import FixedClock
from shared.events.contracts.permits import SOURCE as PERMITS_SOURCE
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import SOURCE as REPORTS_SOURCE
from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import EventData, new_event
from shared.events.publisher import handler as publish
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.bookings import (
    APPOINTMENTS,
    BASE,
    booking_body,
    bookings_event,
    case_meeting_body,
    iso,
    open_slots,
    staff_claims,
)
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_json

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday 08:00 in Stockholm
TABLE = "eservices-test-bookings-main"


@pytest.fixture
def clock(bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(NOW)
    monkeypatch.setattr(dependencies, "clock", lambda: fixed)
    return fixed


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def call(event: dict[str, Any]) -> dict[str, Any]:
    return api.handler(event, FakeLambdaContext())


def book(claims: dict[str, str], start: datetime, reception: str = "malmo") -> dict[str, Any]:
    result = call(bookings_event("POST", APPOINTMENTS, body=booking_body(reception, start), claims=claims))
    assert result["statusCode"] == 201, result["body"]
    appointment: dict[str, Any] = response_json(result)
    return appointment


class Bus:
    """Runs the outbox publisher over the table's stream, as Lambda would, and reads what reached the bus."""

    def __init__(self, cloud: MotoCloud) -> None:
        self._cloud = cloud
        self._seen: set[str] = set()

    def published(self) -> list[dict[str, Any]]:
        cloud = self._cloud
        arn = cloud.provisioned.stream_arns[TABLE]
        streams = cloud.aws.streams
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )
            records.extend(streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"])
        new = [r for r in records if is_outbox_insert(r) and r["eventID"] not in self._seen]
        self._seen.update(r["eventID"] for r in new)
        if new:
            publish(stream_event(new, stream_arn=arn), FakeLambdaContext())
        url = cloud.provisioned.queue_urls[cloud.plan.tap_queue]
        delivered: list[dict[str, Any]] = []
        while messages := cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            delivered.extend(json.loads(m["Body"]) for m in messages)
            cloud.aws.sqs.delete_message_batch(
                QueueUrl=url,
                Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
            )
        return [d for d in delivered if d["source"] == "polisen.bookings"]


@pytest.fixture
def bus(bookings_cloud: MotoCloud) -> Bus:
    return Bus(bookings_cloud)


def remind(as_of: datetime) -> int:
    return int(
        jobs.reminders_handler(
            scheduled_event("eservices-test-bookings-reminders", as_of), FakeLambdaContext()
        )["reminded"]
    )


def deliver_case(cloud: MotoCloud, event: EventData, *, source: str, queue: str) -> dict[str, Any]:
    """The owning service's event as its rule hands it to the ``cases`` consumer through ``queue``."""
    envelope = new_event(event, producer=source, occurred_at=NOW, correlation_id="c-1")
    delivery = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": event.event_type,
        "source": source,
        "detail": json.loads(envelope.detail_json()),
    }
    message = {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps(delivery)}
    return consumers.cases_handler(
        sqs_event([message], queue_arn=cloud.provisioned.queue_arns[f"eservices-test-bookings-{queue}"]),
        FakeLambdaContext(),
    )


def learn_case(cloud: MotoCloud, case_number: str, owner_ref: str) -> dict[str, Any]:
    filed = ReportFiled(
        case_number=case_number,
        report_type="theft",
        region="Syd",
        municipality_code="1280",
        filed_at=NOW,
        owner_ref=owner_ref,
    )
    return deliver_case(cloud, filed, source=REPORTS_SOURCE, queue="cases")


def learn_permit_application(cloud: MotoCloud, diarienummer: str, owner_ref: str) -> dict[str, Any]:
    submitted = PermitApplicationSubmitted(
        diarienummer=diarienummer,
        kind="publicPlace",
        region="Stockholm",
        municipality_code="0180",
        fee_sek=870,
        submitted_at=NOW,
        owner_ref=owner_ref,
    )
    return deliver_case(cloud, submitted, source=PERMITS_SOURCE, queue="permitCases")


# --- events --------------------------------------------------------------------------------------------


def test_each_change_publishes_its_event_without_the_applicant_s_personnummer(
    clock: FixedClock, bus: Bus
) -> None:
    claims = citizen(1)
    first, second = open_slots("malmo", NOW)[4:6]
    number = book(claims, first.starts_at)["bookingNumber"]
    call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(second.starts_at)}
        )
    )
    call(bookings_event("DELETE", f"{APPOINTMENTS}/{number}", claims=claims))

    events = bus.published()

    assert [e["detail-type"] for e in events] == [
        "AppointmentBooked",
        "AppointmentRescheduled",
        "AppointmentCancelled",
    ]
    booked, moved, cancelled = (e["detail"]["data"] for e in events)
    assert booked["bookingNumber"] == number
    assert booked["bookerRef"] == claims["sub"]
    assert booked["contactEmail"] == "kim.andersson@example.se"
    assert (moved["previousStartsAt"], moved["startsAt"]) == (
        first.starts_at.isoformat().replace("+00:00", "Z"),
        second.starts_at.isoformat().replace("+00:00", "Z"),
    )
    assert cancelled["cancelledWith"] == "eId"
    assert claims["personnummer"] not in json.dumps(events)


# --- reminders -----------------------------------------------------------------------------------------


def test_a_reminder_goes_out_once_a_day_before_and_the_citizen_sees_when(clock: FixedClock, bus: Bus) -> None:
    claims = citizen(1)
    slot = open_slots("malmo", NOW + timedelta(days=2))[0]  # Wednesday 08:00
    number = book(claims, slot.starts_at)["bookingNumber"]
    bus.published()

    too_early = remind(slot.starts_at - timedelta(hours=25))
    clock.advance(slot.starts_at - timedelta(hours=23) - NOW)
    due = remind(clock.now())
    again = remind(clock.now() + timedelta(minutes=5))

    assert (too_early, due, again) == (0, 1, 0)
    (reminder,) = bus.published()
    assert reminder["detail-type"] == "AppointmentReminderDue"
    assert reminder["detail"]["data"]["bookingNumber"] == number
    mine = response_json(call(bookings_event("GET", f"{APPOINTMENTS}/{number}", claims=claims)))
    assert mine["remindedAt"] == iso(clock.now())


def test_cancelled_appointments_and_those_booked_within_a_day_get_no_reminder(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    tomorrow = open_slots("malmo", NOW)[0]  # today 08:15: booked less than a day ahead
    later = open_slots("malmo", NOW + timedelta(days=3))[0]
    book(citizen(1), tomorrow.starts_at)
    claims = citizen(2)
    cancelled = book(claims, later.starts_at)["bookingNumber"]
    call(bookings_event("DELETE", f"{APPOINTMENTS}/{cancelled}", claims=claims))

    assert remind(later.starts_at - timedelta(hours=1)) == 0


def test_a_moved_appointment_is_reminded_of_its_new_time(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    claims = citizen(1)
    first = open_slots("malmo", NOW + timedelta(days=2))[0]
    moved_to = open_slots("malmo", NOW + timedelta(days=4))[0]
    number = book(claims, first.starts_at)["bookingNumber"]
    call(
        bookings_event(
            "PATCH", f"{APPOINTMENTS}/{number}", claims=claims, body={"start": iso(moved_to.starts_at)}
        )
    )

    assert remind(first.starts_at - timedelta(hours=2)) == 0
    assert remind(moved_to.starts_at - timedelta(hours=2)) == 1


# --- case meetings -------------------------------------------------------------------------------------


def test_a_citizen_books_a_meeting_about_their_own_case_and_not_about_anyone_else_s(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    owner, stranger = citizen(1), citizen(2)
    assert learn_case(bookings_cloud, "K4711-26", owner["sub"])["batchItemFailures"] == []
    slot = open_slots("malmo", NOW, kind=AppointmentKind.CASE_MEETING)[0]

    def meet(claims: dict[str, str], case: str) -> dict[str, Any]:
        body = case_meeting_body("malmo", slot.starts_at, case)
        return call(bookings_event("POST", f"{BASE}/case-appointments", body=body, claims=claims))

    theirs = meet(stranger, "K4711-26")
    unknown = meet(owner, "K999-26")
    malformed = meet(owner, "4711")
    mine = meet(owner, "k4711-26")
    twice = meet(owner, "K4711-26")

    assert theirs["statusCode"] == 404
    assert unknown["statusCode"] == 404
    assert response_json(theirs)["detail"].replace("K4711-26", "K999-26") == response_json(unknown)["detail"]
    assert response_json(malformed)["invalidParameters"][0]["name"] == "caseNumber"
    assert mine["statusCode"] == 201, mine["body"]
    meeting = response_json(mine)
    assert (meeting["kind"], meeting["caseNumber"], meeting["end"]) == (
        "caseMeeting",
        "K4711-26",
        iso(slot.starts_at + timedelta(minutes=30)),
    )
    assert twice["statusCode"] == 409


def test_the_applicant_of_a_permit_case_books_a_meeting_about_it_and_a_stranger_cannot(
    clock: FixedClock, bookings_cloud: MotoCloud
) -> None:
    applicant, stranger = citizen(1), citizen(2)
    learnt = learn_permit_application(bookings_cloud, "A579.501/2026", applicant["sub"])
    assert learnt["batchItemFailures"] == []
    slot = open_slots("malmo", NOW, kind=AppointmentKind.CASE_MEETING)[0]

    def meet(claims: dict[str, str], case: str) -> dict[str, Any]:
        body = case_meeting_body("malmo", slot.starts_at, case)
        return call(bookings_event("POST", f"{BASE}/case-appointments", body=body, claims=claims))

    theirs = meet(stranger, "A579.501/2026")
    unknown = meet(applicant, "A579.502/2026")
    mine = meet(applicant, "A579.501/2026")
    twice = meet(applicant, "A579.501/2026")

    assert theirs["statusCode"] == 404
    assert unknown["statusCode"] == 404
    assert (
        response_json(theirs)["detail"].replace("A579.501/2026", "A579.502/2026")
        == response_json(unknown)["detail"]
    )
    assert mine["statusCode"] == 201, mine["body"]
    assert (response_json(mine)["kind"], response_json(mine)["caseNumber"]) == (
        "caseMeeting",
        "A579.501/2026",
    )
    assert twice["statusCode"] == 409


# --- reception staff -----------------------------------------------------------------------------------


def test_staff_see_the_day_s_list_of_their_region_s_receptions_only(clock: FixedClock) -> None:
    first, second = open_slots("malmo", NOW)[2:4]
    late = book(citizen(2), second.starts_at)["bookingNumber"]
    early = book(citizen(1), first.starts_at)["bookingNumber"]
    cancelled_claims = citizen(3)
    cancelled = book(cancelled_claims, second.starts_at)["bookingNumber"]
    call(bookings_event("DELETE", f"{APPOINTMENTS}/{cancelled}", claims=cancelled_claims))
    day_list = f"{BASE}/staff/receptions/malmo/appointments"

    syd = call(bookings_event("GET", day_list, claims=staff_claims(region="Syd")))
    national = call(
        bookings_event("GET", day_list, claims=staff_claims(region="National"), query={"date": "2026-11-23"})
    )
    vast = call(bookings_event("GET", day_list, claims=staff_claims(region="Väst")))
    no_role = call(bookings_event("GET", day_list, claims=staff_claims(region="Syd", roles="handler")))
    a_citizen = call(bookings_event("GET", day_list, claims=citizen(1)))

    listed = response_json(syd)
    assert listed["date"] == "2026-11-23"
    assert [a["bookingNumber"] for a in listed["items"]] == [early, late]
    assert "contact" not in listed["items"][0]
    assert response_json(national)["items"] == listed["items"]
    assert (vast["statusCode"], no_role["statusCode"], a_citizen["statusCode"]) == (404, 403, 403)


def test_staff_mark_arrival_and_no_show_on_the_day(clock: FixedClock, bus: Bus) -> None:
    first, second = open_slots("malmo", NOW)[0:2]
    arrives = book(citizen(1), first.starts_at)["bookingNumber"]
    stays_away = book(citizen(2), second.starts_at)["bookingNumber"]
    bus.published()

    def mark(number: str, attendance: str, region: str = "Syd") -> dict[str, Any]:
        path = f"{BASE}/staff/appointments/{number}/attendance"
        return call(
            bookings_event("PUT", path, body={"attendance": attendance}, claims=staff_claims(region=region))
        )

    too_soon = mark(stays_away, "noShow")
    other_region = mark(arrives, "arrived", region="Nord")
    arrived = mark(arrives, "arrived")
    clock.advance(second.starts_at - NOW + timedelta(minutes=10))
    missed = mark(stays_away, "noShow")
    flip = mark(arrives, "noShow")

    assert too_soon["statusCode"] == 409
    assert other_region["statusCode"] == 404
    assert response_json(arrived)["status"] == "attended"
    assert response_json(missed)["status"] == "missed"
    assert flip["statusCode"] == 409
    assert [e["detail-type"] for e in bus.published()] == ["AppointmentAttended", "AppointmentMissed"]
