"""Bookings over the local cloud: a citizen books, moves, is reminded and cancels; many try one slot at once;
a passport reported lost to the reports service reads Spärrat; case meetings only about one's own case."""

from __future__ import annotations

import io
import json
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from threading import Barrier
from typing import Any

import pytest
from pypdf import PdfReader

from infra.local.aws import AwsClients
from infra.local.cloud import LocalCloud
from infra.local.event_sources import scheduled_event
from infra.local.redrive import DeadLetters, dead_letter_queues
from services.bookings import seed_data
from services.bookings.domain.ports import IssuedDocument
from shared.events.contracts.reports import SOURCE as REPORTS_SOURCE
from shared.events.contracts.reports import DocumentBlockRequested
from shared.events.envelope import new_event
from tests.e2e.support import LocalClient, Response, eventually, synthetic_personnummer
from tests.support.bookings import APPOINTMENTS, BASE, booking_body, case_meeting_body, validity_body
from tests.support.permits import public_place, submit
from tests.support.reports import form, theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
# Generous, and spent only when needed: right after start the shared cloud is still working through the demo
# reports it seeded, whose events reach bookings too.
WAIT_S = 45.0


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    return document


def untouched_slot(
    client: LocalClient, reception_id: str, *, after: timedelta, kind: str = "documents", skip: int = 0
) -> dict[str, Any]:
    """A slot no one has booked, starting at least ``after`` from now."""
    first = date.today()
    query = f"from={first}&to={first + timedelta(days=20)}&kind={kind}"
    listing = client.request("GET", f"{BASE}/receptions/{reception_id}/slots?{query}")
    assert listing.status == 200, listing.body
    not_before = datetime.now(UTC) + after
    fresh = [
        s
        for s in listing.json()["items"]
        if datetime.fromisoformat(s["start"]) > not_before and s["free"] == s["capacity"]
    ]
    return dict(fresh[skip])


def free_places(client: LocalClient, reception_id: str, start: str) -> int:
    day = start[:10]
    listing = client.request("GET", f"{BASE}/receptions/{reception_id}/slots?from={day}&to={day}").json()
    return int(next(s["free"] for s in listing["items"] if s["start"] == start))


def validity(client: LocalClient, document: IssuedDocument) -> str:
    response = client.request("POST", f"{BASE}/document-validity", json_body=validity_body(document))
    assert response.status == 200, response.body
    return str(response.json()["result"])


def on_the_bus(client: LocalClient, detail_type: str, booking_number: str) -> dict[str, Any]:
    return client.wait_for_event(
        detail_type,
        lambda e: (
            e["source"] == "polisen.bookings" and e["detail"]["data"]["bookingNumber"] == booking_number
        ),
        timeout_s=WAIT_S,
    )


def test_a_citizen_books_moves_is_reminded_and_cancels(
    client: LocalClient, local_cloud: LocalCloud, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    slot = untouched_slot(client, "umea", after=timedelta(hours=26))
    later = untouched_slot(client, "umea", after=timedelta(hours=26), skip=1)

    booked = client.request("POST", APPOINTMENTS, json_body=booking_body("umea", slot["start"]), token=token)
    assert booked.status == 201, booked.body
    number = booked.json()["bookingNumber"]
    assert booked.headers["location"] == f"{APPOINTMENTS}/{number}"
    assert free_places(client, "umea", slot["start"]) == slot["capacity"] - 1
    on_the_bus(client, "AppointmentBooked", number)

    moved = client.request(
        "PATCH", f"{APPOINTMENTS}/{number}", json_body={"start": later["start"]}, token=token
    )
    assert moved.status == 200, moved.body
    assert moved.json()["start"] == later["start"]
    assert free_places(client, "umea", slot["start"]) == slot["capacity"]
    on_the_bus(client, "AppointmentRescheduled", number)

    staff = client.staff_token(staff_id="PM-4711", roles=("reception",), region="Nord")
    day_list = client.request(
        "GET", f"{BASE}/staff/receptions/umea/appointments?date={later['start'][:10]}", token=staff
    )
    assert number in [a["bookingNumber"] for a in day_list.json()["items"]]

    # The scheduler runs the job every five minutes; here it runs as the scheduler would, 23 hours ahead.
    a_day_before = datetime.fromisoformat(later["start"]) - timedelta(hours=23)
    ran = local_cloud.invoke(
        "bookings", "reminders", scheduled_event("eservices-local-bookings-reminders", a_day_before)
    )
    assert ran["reminded"] >= 1
    reminded = client.request("GET", f"{APPOINTMENTS}/{number}", token=token).json()
    assert reminded["remindedAt"] is not None
    on_the_bus(client, "AppointmentReminderDue", number)

    cancelled = client.request("DELETE", f"{APPOINTMENTS}/{number}", token=token)
    assert cancelled.json()["status"] == "cancelled"
    assert free_places(client, "umea", later["start"]) == later["capacity"]
    on_the_bus(client, "AppointmentCancelled", number)


def test_many_citizens_at_once_never_overbook_a_slot(client: LocalClient, rng: random.Random) -> None:
    slot = untouched_slot(client, "lulea", after=timedelta(hours=2))
    assert slot["capacity"] == 2
    attempts = 12
    tokens = [client.citizen_token(synthetic_personnummer(rng)) for _ in range(attempts)]
    start_together = Barrier(attempts)

    def attempt(token: str) -> Response:
        start_together.wait()
        return client.request(
            "POST", APPOINTMENTS, json_body=booking_body("lulea", slot["start"]), token=token
        )

    with ThreadPoolExecutor(max_workers=attempts) as pool:
        responses = list(pool.map(attempt, tokens))

    statuses = sorted(r.status for r in responses)
    assert statuses == [201, 201] + [409] * (attempts - 2), [r.body for r in responses]
    for refused in (r for r in responses if r.status == 409):
        assert "fullbokad" in problem(refused, 409)["detail"]
    assert free_places(client, "lulea", slot["start"]) == 0


def test_a_passport_reported_lost_to_the_police_reads_sparrat(client: LocalClient) -> None:
    passport = seed_data.PASSPORT_TO_REPORT_LOST
    assert validity(client, passport) == "Giltig"
    holder = client.citizen_token(passport.holder_personnummer)

    filed = client.request(
        "POST",
        REPORTS,
        json_body=form("loss", items=[{"category": "passport", "documentNumber": passport.number}]),
        token=holder,
    )
    assert filed.status == 201, filed.body

    eventually(
        lambda: validity(client, passport) == "Spärrat", timeout_s=WAIT_S, what="the passport to read Spärrat"
    )


def test_a_dead_lettered_block_is_listed_and_the_redrive_makes_the_passport_read_sparrat(
    client: LocalClient, local_cloud: LocalCloud
) -> None:
    passport = seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS
    reported = DocumentBlockRequested(
        document_type=passport.type.value,
        document_number=passport.number,
        holder_personnummer=passport.holder_personnummer,
        requested_by="holder",
        reason="stolen",
        case_number="K990001-26",
        requested_at=datetime.now(UTC),
    )
    envelope = new_event(
        reported, producer=REPORTS_SOURCE, occurred_at=reported.requested_at, correlation_id="c"
    )
    delivered = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "DocumentBlockRequested",
        "source": REPORTS_SOURCE,
        "time": reported.requested_at.isoformat(),
        "detail": json.loads(envelope.detail_json()),
    }
    sqs = AwsClients.connect(local_cloud.aws_endpoint).sqs
    dead_letters = DeadLetters(sqs, dead_letter_queues(local_cloud.plan), local=True)
    dlq = dead_letters.find("bookings-documents-dlq")
    # What SQS leaves after the documents consumer failed it three times (its register was down, say).
    sqs.send_message(QueueUrl=dead_letters.url(dlq.name), MessageBody=json.dumps(delivered))
    assert validity(client, passport) == "Giltig"

    listed = dead_letters.state(dlq, peek=100)
    assert listed.count >= 1
    assert listed.oldest is not None
    (letter,) = [p.summary for p in listed.peek if p.summary.get("eventId") == envelope.metadata.event_id]
    assert (letter["detailType"], letter["caseNumber"]) == ("DocumentBlockRequested", "K990001-26")
    assert passport.holder_personnummer not in json.dumps([listed.to_json()])

    assert dead_letters.redrive(dlq).startswith("moved ")
    eventually(lambda: validity(client, passport) == "Spärrat", timeout_s=WAIT_S, what="the re-driven block")


def test_no_one_blocks_someone_else_s_passport_by_reporting_it(
    client: LocalClient, local_cloud: LocalCloud
) -> None:
    passport = seed_data.PASSPORT_OF_SOMEONE_ELSE
    reporter = client.citizen_token(seed_data.HOLDERS[0])

    filed = client.request(
        "POST",
        REPORTS,
        json_body=form("loss", items=[{"category": "passport", "documentNumber": passport.number}]),
        token=reporter,
    )
    assert filed.status == 201, filed.body
    case = filed.json()["caseNumber"]

    def refusal_logged() -> bool:
        lines = (local_cloud.logs_dir / "bookings.log").read_text(encoding="utf-8").splitlines()
        return any(
            line.startswith("{") and json.loads(line).get("caseNumber") == case and "not blocked" in line
            for line in lines
        )

    eventually(refusal_logged, timeout_s=WAIT_S, what="bookings to refuse the block")
    assert validity(client, passport) == "Giltig"


def test_a_stranger_s_passport_named_in_a_report_filed_on_their_behalf_stays_giltig(
    client: LocalClient, rng: random.Random
) -> None:
    passport = seed_data.PASSPORT_OF_A_STRANGER
    reporter = client.citizen_token(synthetic_personnummer(rng))
    body = theft_report(
        items=[{"category": "passport", "documentNumber": passport.number}],
        onBehalfOf={"personnummer": passport.holder_personnummer, "relation": "other"},
    )

    filed = client.request("POST", REPORTS, json_body=body, token=reporter)

    assert filed.status == 201, filed.body
    report = filed.json()
    [block] = report["documentBlocks"]
    assert block["status"] == "notRequested"
    assert "Innehavaren måste själv anmäla det förlorat eller stulet" in block["message"]
    assert report["onBehalfOfVerified"] is False
    # The report reaches the case handlers' queue; no rule decides it.
    case = report["caseNumber"]
    triaged = eventually(
        lambda: (
            (r := client.request("GET", f"{REPORTS}/{case}", token=reporter).json())["status"] != "received"
            and r
        ),
        timeout_s=WAIT_S,
        what="triage of the report",
    )
    assert triaged["status"] == "awaitingAssessment"
    assert triaged["decision"] is None
    assert not [
        e
        for e in client.events(detail_type="DocumentBlockRequested")
        if e["detail"]["data"]["caseNumber"] == case
    ]
    assert validity(client, passport) == "Giltig"
    receipt = client.request("GET", f"{REPORTS}/{case}/receipt", token=reporter)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.body)).pages)
    assert passport.number in text
    assert "spärrat" not in text


def test_a_guardian_s_report_blocks_the_child_s_passport_and_the_report_says_so(
    client: LocalClient,
) -> None:
    passport = seed_data.CHILD_PASSPORT_TO_REPORT_STOLEN
    guardian = client.citizen_token(seed_data.FAMILIES[1].guardians[0])
    assert validity(client, passport) == "Giltig"
    body = theft_report(
        items=[{"category": "passport", "documentNumber": passport.number}],
        onBehalfOf={"personnummer": passport.holder_personnummer, "relation": "child"},
    )

    filed = client.request("POST", REPORTS, json_body=body, token=guardian)

    assert filed.status == 201, filed.body
    assert filed.json()["onBehalfOfVerified"] is True
    assert [b["status"] for b in filed.json()["documentBlocks"]] == ["requested"]
    case = filed.json()["caseNumber"]
    eventually(
        lambda: validity(client, passport) == "Spärrat", timeout_s=WAIT_S, what="the passport to read Spärrat"
    )

    def blocked_on_the_report() -> dict[str, Any] | None:
        report: dict[str, Any] = client.request("GET", f"{REPORTS}/{case}", token=guardian).json()
        return report if report["documentBlocks"][0]["status"] == "blocked" else None

    report = eventually(blocked_on_the_report, timeout_s=WAIT_S, what="the report to say it is blocked")
    assert any("är spärrat" in e["reason"] for e in report["timeline"])


def test_the_validity_check_is_open_without_login_and_names_a_malformed_number(client: LocalClient) -> None:
    assert validity(client, seed_data.VALID_PASSPORT) == "Giltig"
    assert validity(client, seed_data.BLOCKED_ID_CARD) == "Spärrat"
    malformed = client.request(
        "POST",
        f"{BASE}/document-validity",
        json_body=validity_body(seed_data.VALID_PASSPORT, documentNumber="12-34"),
    )
    assert problem(malformed, 400)["invalidParameters"][0]["name"] == "documentNumber"


def test_a_meeting_about_one_s_own_report_and_never_about_a_stranger_s(
    client: LocalClient, rng: random.Random
) -> None:
    owner = client.citizen_token(synthetic_personnummer(rng))
    stranger = client.citizen_token(synthetic_personnummer(rng))
    case = client.request("POST", REPORTS, json_body=theft_report(), token=owner).json()["caseNumber"]
    slot = untouched_slot(client, "stockholm-city", after=timedelta(hours=2), kind="caseMeeting")
    body = case_meeting_body("stockholm-city", datetime.fromisoformat(slot["start"]), case)

    def book_as_owner() -> Response | None:
        response = client.request("POST", f"{BASE}/case-appointments", json_body=body, token=owner)
        return response if response.status != 404 else None

    # Bookings learns whose case it is from ReportFiled on the bus, a moment after the report is filed.
    booked = eventually(book_as_owner, timeout_s=WAIT_S, what="bookings to learn the case's owner")
    assert booked.status == 201, booked.body
    assert booked.json()["caseNumber"] == case

    refused = client.request("POST", f"{BASE}/case-appointments", json_body=body, token=stranger)
    problem(refused, 404)


def test_a_meeting_about_one_s_own_permit_application_and_never_about_a_stranger_s(
    client: LocalClient, rng: random.Random
) -> None:
    applicant = client.citizen_token(synthetic_personnummer(rng))
    stranger = client.citizen_token(synthetic_personnummer(rng))
    submitted = submit(client, applicant, public_place())
    assert submitted.status == 201, submitted.body
    diarienummer = submitted.json()["diarienummer"]
    slot = untouched_slot(client, "stockholm-city", after=timedelta(hours=2), kind="caseMeeting", skip=1)
    body = case_meeting_body("stockholm-city", datetime.fromisoformat(slot["start"]), diarienummer)

    def book_as_applicant() -> Response | None:
        response = client.request("POST", f"{BASE}/case-appointments", json_body=body, token=applicant)
        return response if response.status != 404 else None

    # Bookings learns whose application it is from PermitApplicationSubmitted on the bus; paid or not.
    booked = eventually(book_as_applicant, timeout_s=WAIT_S, what="bookings to learn the application's owner")
    assert booked.status == 201, booked.body
    assert booked.json()["caseNumber"] == diarienummer

    refused = client.request("POST", f"{BASE}/case-appointments", json_body=body, token=stranger)
    problem(refused, 404)
