"""Each bookings consumer handed the very same SQS record twice, one after the other and racing: the effect
happens once, by the write that records it (ADR 87). Nothing else remembers the event."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.event_sources import sqs_event
from services.bookings import consumers, dependencies, seed_data
from services.bookings.domain.ports import IssuedDocument
from shared.adapters import aws
from shared.events.contracts.permits import SOURCE as PERMITS_SOURCE
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import SOURCE as REPORTS_SOURCE
from shared.events.contracts.reports import DocumentBlockRequested, ReportFiled
from shared.events.envelope import EventData, new_event
from tests.integration.conftest import MotoCloud
from tests.support.faults import before_each_transaction
from tests.support.lambda_events import FakeLambdaContext

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def record(event: EventData, *, message_id: str = "m-1", source: str = REPORTS_SOURCE) -> dict[str, Any]:
    """One SQS message as a rule delivers the event: delivered again, it is this very message."""
    envelope = new_event(event, producer=source, occurred_at=NOW, correlation_id="c-1")
    delivery = {
        "version": "0",
        "id": envelope.metadata.event_id,
        "detail-type": event.event_type,
        "source": source,
        "account": "123456789012",
        "time": NOW.isoformat(),
        "region": "eu-north-1",
        "resources": [],
        "detail": json.loads(envelope.detail_json()),
    }
    return {"MessageId": message_id, "ReceiptHandle": message_id, "Body": json.dumps(delivery)}


def block_request(document: IssuedDocument, holder: str, case_number: str = "K77-26") -> dict[str, Any]:
    return record(
        DocumentBlockRequested(
            document_type=document.type.value,
            document_number=document.number,
            holder_personnummer=holder,
            requested_by="holder",
            reason="lost",
            case_number=case_number,
            requested_at=NOW,
        )
    )


def deliver(cloud: MotoCloud, consumer: str, message: dict[str, Any]) -> list[Any]:
    queue = f"eservices-test-bookings-{consumer}"
    handler = {
        "documents": consumers.documents_handler,
        "cases": consumers.cases_handler,
        "permitCases": consumers.cases_handler,
    }[consumer]
    event = sqs_event([message], queue_arn=cloud.provisioned.queue_arns[queue])
    return list(handler(event, FakeLambdaContext())["batchItemFailures"])


def items(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("bookings").environment["TABLE_MAIN"]
    return cloud.aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]


def answers(cloud: MotoCloud, case_number: str) -> list[tuple[str, bool | None]]:
    """The report's answers waiting in the bookings outbox: (detail-type, alreadyBlocked)."""
    found = []
    for item in items(cloud):
        if item["pk"]["S"].startswith("OUTBOX#"):
            data = json.loads(item["detail"]["S"])["data"]
            if data.get("caseNumber") == case_number:
                found.append((item["detailType"]["S"], data.get("alreadyBlocked")))
    return found


def handled_events(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("bookings").environment["TABLE_IDEMPOTENCY"]
    return cloud.aws.dynamodb.scan(TableName=table)["Items"]


@pytest.mark.parametrize(
    ("document", "holder", "answer"),
    [
        (
            seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS,
            seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS.holder_personnummer,
            ("DocumentBlocked", False),
        ),
        (seed_data.PASSPORT_OF_SOMEONE_ELSE, seed_data.HOLDERS[0], ("DocumentBlockRefused", None)),
        (
            seed_data.BLOCKED_ID_CARD,
            seed_data.BLOCKED_ID_CARD.holder_personnummer,
            ("DocumentBlocked", True),
        ),
    ],
    ids=["blocked", "refused", "blocked-before"],
)
def test_a_block_request_delivered_twice_is_answered_once(
    bookings_cloud: MotoCloud, document: IssuedDocument, holder: str, answer: tuple[str, bool | None]
) -> None:
    message = block_request(document, holder)
    assert deliver(bookings_cloud, "documents", message) == []
    after_first = dependencies.documents().find(document.number)

    assert deliver(bookings_cloud, "documents", message) == []

    assert answers(bookings_cloud, "K77-26") == [answer]
    assert dependencies.documents().find(document.number) == after_first
    assert handled_events(bookings_cloud) == []


@pytest.mark.parametrize(
    ("document", "holder"),
    [
        (seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS, seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS.holder_personnummer),
        (seed_data.PASSPORT_OF_SOMEONE_ELSE, seed_data.HOLDERS[0]),
    ],
    ids=["blocked", "refused"],
)
def test_a_block_request_delivered_twice_at_once_is_answered_once(
    bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch, document: IssuedDocument, holder: str
) -> None:
    message = block_request(document, holder)
    racing: list[list[Any]] = []
    # The second copy gets in between the first's read and its write.
    before_each_transaction(monkeypatch, lambda: racing.append(deliver(bookings_cloud, "documents", message)))

    assert deliver(bookings_cloud, "documents", message) == []

    assert racing == [[]]
    assert len(answers(bookings_cloud, "K77-26")) == 1
    found = dependencies.documents().find(document.number)
    assert found is not None
    assert found.blocked is (document is seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS)


def test_another_report_of_a_blocked_document_is_still_answered(bookings_cloud: MotoCloud) -> None:
    passport = seed_data.PASSPORT_TO_BLOCK_ON_THE_BUS
    first = block_request(passport, passport.holder_personnummer, "K77-26")
    second = block_request(passport, passport.holder_personnummer, "K78-26")

    for message in (first, second, first, second):
        assert deliver(bookings_cloud, "documents", message) == []

    assert answers(bookings_cloud, "K77-26") == [("DocumentBlocked", False)]
    assert answers(bookings_cloud, "K78-26") == [("DocumentBlocked", True)]


def test_a_filed_report_delivered_twice_is_one_case_of_its_owner(bookings_cloud: MotoCloud) -> None:
    owner_ref = "owner-4711"
    message = record(
        ReportFiled(
            case_number="K4711-26",
            report_type="theft",
            region="Syd",
            municipality_code="1280",
            filed_at=NOW,
            owner_ref=owner_ref,
        )
    )

    assert deliver(bookings_cloud, "cases", message) == []
    assert deliver(bookings_cloud, "cases", message) == []

    cases = [i for i in items(bookings_cloud) if i["pk"]["S"].startswith("CASE#")]
    assert [(c["pk"]["S"], c["ownerRef"]["S"]) for c in cases] == [("CASE#K4711-26", owner_ref)]
    assert dependencies.cases().owner_of("K4711-26") == owner_ref
    assert answers(bookings_cloud, "K4711-26") == []
    assert handled_events(bookings_cloud) == []


def _submitted_permit(owner_ref: str) -> dict[str, Any]:
    return record(
        PermitApplicationSubmitted(
            diarienummer="A579.501/2026",
            kind="weaponLicence",
            region="National",
            fee_sek=700,
            submitted_at=NOW,
            owner_ref=owner_ref,
        ),
        source=PERMITS_SOURCE,
    )


def _permit_cases(cloud: MotoCloud) -> list[tuple[str, str, str]]:
    return [
        (i["pk"]["S"], i["ownerRef"]["S"], i["caseType"]["S"])
        for i in items(cloud)
        if i["pk"]["S"].startswith("CASE#A")
    ]


def test_a_submitted_permit_application_delivered_twice_is_one_case_of_its_applicant(
    bookings_cloud: MotoCloud,
) -> None:
    message = _submitted_permit("applicant-501")

    assert deliver(bookings_cloud, "permitCases", message) == []
    assert deliver(bookings_cloud, "permitCases", message) == []

    assert _permit_cases(bookings_cloud) == [("CASE#A579.501/2026", "applicant-501", "permit")]
    assert dependencies.cases().owner_of("A579.501/2026") == "applicant-501"
    assert handled_events(bookings_cloud) == []


def test_a_submitted_permit_application_delivered_twice_at_once_is_one_case(
    bookings_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = _submitted_permit("applicant-501")
    client = aws.dynamodb()
    real_put = client.put_item
    racing: list[list[Any]] = []
    pending = [lambda: racing.append(deliver(bookings_cloud, "permitCases", message))]

    def second_copy_first(**request: Any) -> Any:
        # The second copy writes between the first's start and its write.
        if pending:
            pending.pop()()
        return real_put(**request)

    monkeypatch.setattr(client, "put_item", second_copy_first)

    assert deliver(bookings_cloud, "permitCases", message) == []

    assert racing == [[]]
    assert _permit_cases(bookings_cloud) == [("CASE#A579.501/2026", "applicant-501", "permit")]
