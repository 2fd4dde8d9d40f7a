"""The document validity check and document blocking, through the handlers, on moto."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.event_sources import sqs_event
from services.bookings import api, consumers, dependencies, seed_data
from services.bookings.domain.ports import IssuedDocument
from shared.events.contracts.reports import SOURCE as REPORTS_SOURCE
from shared.events.contracts.reports import DocumentBlockRequested
from shared.events.envelope import new_event
from tests.integration.conftest import MotoCloud
from tests.support.bookings import BASE, bookings_event, validity_body
from tests.support.lambda_events import FakeLambdaContext, response_header, response_json

CHECK = f"{BASE}/document-validity"


@pytest.fixture
def cloud(bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> MotoCloud:
    # The padding is a unit test's subject; here it would only slow the suite down.
    monkeypatch.setenv("VALIDITY_MIN_RESPONSE_MS", "0")
    return bookings_cloud


def check(body: Any, source_ip: str = "198.51.100.7") -> dict[str, Any]:
    return api.handler(bookings_event("POST", CHECK, body=body, source_ip=source_ip), FakeLambdaContext())


def answer(body: Any) -> str:
    result = check(body)
    assert result["statusCode"] == 200, result["body"]
    document = response_json(result)
    assert set(document) == {"result"}, "the check reveals nothing but its answer"
    return str(document["result"])


def deliver_block_request(
    cloud: MotoCloud,
    document: IssuedDocument,
    holder: str,
    *,
    case_number: str = "K77-26",
    **extra_bodies: str,
) -> dict[str, Any]:
    requested = DocumentBlockRequested(
        document_type=document.type.value,
        document_number=document.number,
        holder_personnummer=holder,
        requested_by="holder",
        reason="lost",
        case_number=case_number,
        requested_at=datetime(2026, 11, 22, 12, 0, tzinfo=UTC),
    )
    envelope = new_event(
        requested, producer=REPORTS_SOURCE, occurred_at=requested.requested_at, correlation_id="c-1"
    )
    delivery = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "DocumentBlockRequested",
        "source": REPORTS_SOURCE,
        "time": "2026-11-22T12:00:00Z",
        "detail": json.loads(envelope.detail_json()),
    }
    messages = [
        {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps(delivery)},
        *({"MessageId": name, "ReceiptHandle": name, "Body": body} for name, body in extra_bodies.items()),
    ]
    queue = "eservices-test-bookings-documents"
    return consumers.documents_handler(
        sqs_event(messages, queue_arn=cloud.provisioned.queue_arns[queue]), FakeLambdaContext()
    )


def test_a_valid_passport_is_giltig_and_only_for_its_holder_and_expiry_date(cloud: MotoCloud) -> None:
    passport = seed_data.VALID_PASSPORT
    other_person = seed_data.HOLDERS[5]

    assert answer(validity_body(passport)) == "Giltig"
    assert answer(validity_body(seed_data.VALID_ID_CARD)) == "Giltig"
    assert answer(validity_body(passport, expiryDate="2030-01-01")) == "Inget resultat"
    assert answer(validity_body(passport, personnummer=other_person)) == "Inget resultat"
    assert answer(validity_body(passport, documentNumber="10000001")) == "Inget resultat"


def test_expired_and_blocked_documents(cloud: MotoCloud) -> None:
    assert answer(validity_body(seed_data.EXPIRED_PASSPORT)) == "Inget resultat"
    assert answer(validity_body(seed_data.BLOCKED_ID_CARD)) == "Spärrat"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"documentNumber": "1234567"}, "documentNumber"),
        ({"documentNumber": "AB123456"}, "documentNumber"),
        ({"personnummer": "19850312-2399"}, "personnummer"),
        ({"expiryDate": "31/12/2029"}, "expiryDate"),
        ({"documentNumber": None}, "documentNumber"),
    ],
)
def test_malformed_input_is_a_problem_naming_the_field(
    cloud: MotoCloud, changes: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in validity_body(seed_data.VALID_PASSPORT, **changes).items() if v is not None}
    result = check(body)

    assert result["statusCode"] == 400
    assert field in {p["name"] for p in response_json(result)["invalidParameters"]}


def test_the_check_is_open_without_login_and_limited_per_client_address(
    cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_REQUESTS_PER_MINUTE", "3")
    dependencies.public_rate_limiter.cache_clear()
    body = validity_body(seed_data.VALID_PASSPORT)

    allowed = [check(body, source_ip="203.0.113.5")["statusCode"] for _ in range(3)]
    throttled = check(body, source_ip="203.0.113.5")
    elsewhere = check(body, source_ip="203.0.113.6")

    assert allowed == [200, 200, 200]
    assert throttled["statusCode"] == 429
    assert response_header(throttled, "Content-Type") == "application/problem+json"
    assert 1 <= int(response_header(throttled, "Retry-After") or "0") <= 60
    assert elsewhere["statusCode"] == 200


def test_every_answer_takes_at_least_the_minimum_time(
    cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VALIDITY_MIN_RESPONSE_MS", "150")
    for body in (
        validity_body(seed_data.VALID_PASSPORT),
        validity_body(seed_data.VALID_PASSPORT, documentNumber="10000001"),
    ):
        started = time.monotonic()
        check(body)
        assert time.monotonic() - started >= 0.15


def answers_in_the_outbox(cloud: MotoCloud, case_number: str) -> list[tuple[str, dict[str, Any]]]:
    """The (detail-type, data) of every event of the case waiting in the bookings outbox."""
    table = cloud.plan.service("bookings").environment["TABLE_MAIN"]
    items = cloud.aws.dynamodb.scan(TableName=table)["Items"]
    events = [
        (i["detailType"]["S"], json.loads(i["detail"]["S"])["data"])
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#")
    ]
    return [(kind, data) for kind, data in events if data.get("caseNumber") == case_number]


def test_a_passport_reported_lost_by_its_holder_is_blocked_and_the_report_is_told(cloud: MotoCloud) -> None:
    passport = seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS

    result = deliver_block_request(
        cloud, passport, passport.holder_personnummer, case_number="K77-26", poison='{"not": "an event"}'
    )

    assert result["batchItemFailures"] == [{"itemIdentifier": "poison"}]
    assert answer(validity_body(passport)) == "Spärrat"
    [(kind, data)] = answers_in_the_outbox(cloud, "K77-26")
    assert kind == "DocumentBlocked"
    assert (data["documentNumber"], data["alreadyBlocked"]) == (passport.number, False)
    assert passport.holder_personnummer not in json.dumps(data)


def test_no_one_blocks_someone_else_s_passport_and_the_report_is_told(cloud: MotoCloud) -> None:
    passport = seed_data.PASSPORT_OF_SOMEONE_ELSE
    reporter = seed_data.HOLDERS[0]

    result = deliver_block_request(cloud, passport, reporter, case_number="K78-26")

    assert result["batchItemFailures"] == []
    assert answer(validity_body(passport)) == "Giltig"
    [(kind, data)] = answers_in_the_outbox(cloud, "K78-26")
    assert (kind, data["reason"]) == ("DocumentBlockRefused", "noSuchDocumentOfTheHolder")


def test_a_block_requested_again_however_late_changes_nothing(
    cloud: MotoCloud,
) -> None:
    passport = seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS
    assert deliver_block_request(cloud, passport, passport.holder_personnummer)["batchItemFailures"] == []
    blocked = dependencies.documents().find(passport.number)
    assert blocked is not None
    assert (blocked.blocked, blocked.blocked_by_case) == (True, "K77-26")

    # A re-drive or an archive replay weeks later, and a second report of the same passport.
    again = deliver_block_request(cloud, passport, passport.holder_personnummer)
    later = deliver_block_request(cloud, passport, passport.holder_personnummer, case_number="K78-26")

    assert again["batchItemFailures"] == later["batchItemFailures"] == []
    assert dependencies.documents().find(passport.number) == blocked
    assert answer(validity_body(passport)) == "Spärrat"
    [(kind, data)] = answers_in_the_outbox(cloud, "K78-26")
    assert (kind, data["alreadyBlocked"]) == ("DocumentBlocked", True)
