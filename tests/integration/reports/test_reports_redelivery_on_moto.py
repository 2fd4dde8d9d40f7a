"""Each reports consumer handed the very same SQS record twice, one after the other and racing: the effect
happens once, by the write that records it (ADR 87): one decision, one letter, one match, one answer on the
report, and no second event. Nothing else remembers the event."""

from __future__ import annotations

import functools
import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.event_sources import sqs_event
from services.reports import api, consumers, seed
from services.reports import dependencies as reports_dependencies
from shared.adapters import aws
from shared.adapters.mailbox import MESSAGE_ID_ATTRIBUTE
from shared.clock import FixedClock
from shared.events.consumer import BatchFailed
from shared.events.contracts.bookings import SOURCE as BOOKINGS_SOURCE
from shared.events.contracts.bookings import DocumentBlocked
from shared.events.envelope import new_event
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.integration.reports.test_reports_found_items_on_moto import LOST_PHONE, registration, staff
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_json, rest_event
from tests.support.reports import form, theft_report
from tests.support.reports_outbox import ReportsOutbox

REPORTS = "/reports/v1/reports"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
HANDLERS: dict[str, Callable[[dict[str, Any], Any], Any]] = {
    "triage": consumers.triage_handler,
    "notify": consumers.notify_handler,
    "lostAndFound": consumers.lost_and_found_handler,
    "documentBlocks": consumers.document_blocks_handler,
}


class Reports(ReportsOutbox):
    """The outbox onto the bus, each subscription's queue read by hand, and every event that crossed."""

    def __init__(self, cloud: MotoCloud) -> None:
        super().__init__(cloud)
        self.crossed: list[dict[str, Any]] = []

    def take(self, subscription: str) -> list[dict[str, Any]]:
        """What the bus delivered to the subscription's queue, taken off it."""
        self.publish_outbox()
        return self.take_from(f"eservices-test-reports-{subscription}")

    def hand(self, subscription: str, messages: list[dict[str, Any]]) -> list[str]:
        """The messages as one batch to the subscription's consumer; the ids of the records that failed."""
        queue_arn = self.cloud.provisioned.queue_arns[f"eservices-test-reports-{subscription}"]
        result = HANDLERS[subscription](sqs_event(messages, queue_arn=queue_arn), FakeLambdaContext())
        return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]

    def pass_on(self, subscription: str) -> None:
        messages = self.take(subscription)
        assert messages, f"nothing delivered to {subscription}"
        assert self.hand(subscription, messages) == []

    def events(self, detail_type: str | None = None) -> list[dict[str, Any]]:
        """Every event (of the type) that crossed the bus so far, as the local cloud's tap sees them."""
        self.publish_outbox()
        url = self.cloud.provisioned.queue_urls[self.cloud.plan.tap_queue]
        while messages := self.cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            for message in messages:
                self.crossed.append(json.loads(message["Body"]))
                self.cloud.aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [e for e in self.crossed if detail_type in (None, e["detail-type"])]


@pytest.fixture
def reports(moto_cloud: MotoCloud) -> Reports:
    return Reports(moto_cloud)


@pytest.fixture
def clock(moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch) -> FixedClock:
    fixed = FixedClock(NOW)
    monkeypatch.setattr(reports_dependencies, "clock", functools.cache(lambda: fixed))
    return fixed


def citizen(seed_: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed_))))


def call(method: str, path: str, claims: dict[str, str], body: Any = None) -> dict[str, Any]:
    return api.handler(rest_event(method, path, body=body, claims=claims), FakeLambdaContext())


def file(claims: dict[str, str], body: dict[str, Any]) -> str:
    result = call("POST", REPORTS, claims, body)
    assert result["statusCode"] == 201, result["body"]
    return str(response_json(result)["caseNumber"])


def read(claims: dict[str, str], case: str) -> dict[str, Any]:
    result = call("GET", f"{REPORTS}/{case}", claims)
    assert result["statusCode"] == 200, result["body"]
    report: dict[str, Any] = response_json(result)
    return report


def letters(cloud: MotoCloud) -> list[tuple[str, dict[str, Any]]]:
    """What the mailbox connector would find on the outgoing-mail queue: (letterId attribute, letter)."""
    url = cloud.provisioned.queue_urls[reports_dependencies.outgoing_mail_queue()]
    found: list[tuple[str, dict[str, Any]]] = []
    while messages := cloud.aws.sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        for message in messages:
            letter_id = message["MessageAttributes"][MESSAGE_ID_ATTRIBUTE]["StringValue"]
            found.append((letter_id, json.loads(message["Body"])))
            cloud.aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def handled_events(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("reports").environment["TABLE_IDEMPOTENCY"]
    return cloud.aws.dynamodb.scan(TableName=table)["Items"]


def racing(
    monkeypatch: pytest.MonkeyPatch, reports: Reports, subscription: str, message: dict[str, Any]
) -> list[list[str]]:
    """The same record handed over again while the first handling is between its reads and its first write
    (a put or a transaction); what that second handling's batch reported failed."""
    client = aws.dynamodb()
    second: list[list[str]] = []
    pending = [message]

    def first_the_other(real: Callable[..., Any]) -> Callable[..., Any]:
        def write(**request: Any) -> Any:
            if pending:
                second.append(reports.hand(subscription, [pending.pop()]))
            return real(**request)

        return write

    for operation in ("put_item", "transact_write_items"):
        monkeypatch.setattr(client, operation, first_the_other(getattr(client, operation)))
    return second


# --- triage: one decision ------------------------------------------------------------------------------


def test_a_filed_report_delivered_twice_to_triage_is_decided_once(
    moto_cloud: MotoCloud, reports: Reports
) -> None:
    owner = citizen(1)
    case = file(owner, theft_report())  # a bicycle theft without leads: decided by rule at once
    (message,) = reports.take("triage")

    assert reports.hand("triage", [message]) == []
    decided = read(owner, case)
    published = reports.events()
    assert reports.hand("triage", [message]) == []

    assert decided["status"] != "received"
    assert read(owner, case) == decided
    assert reports.events() == published
    assert [e["detail"]["data"]["caseNumber"] for e in reports.events("ReportDecided")] == [case]
    assert handled_events(moto_cloud) == []


def test_a_filed_report_delivered_twice_at_once_is_decided_once(
    moto_cloud: MotoCloud, reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = citizen(2)
    case = file(owner, theft_report())
    (message,) = reports.take("triage")
    second = racing(monkeypatch, reports, "triage", message)

    # The copy that lost the race finds the report changed under it: its record fails, SQS brings it back.
    with pytest.raises(BatchFailed):
        reports.hand("triage", [message])
    assert second == [[]]
    decided = read(owner, case)
    assert reports.hand("triage", [message]) == []

    assert read(owner, case) == decided
    assert len(reports.events("ReportDecided")) == 1
    assert [entry["status"] for entry in decided["timeline"]].count("received") == 1


# --- notify: one letter ----------------------------------------------------------------------------------


def test_a_decision_delivered_twice_to_notify_writes_one_letter(
    moto_cloud: MotoCloud, reports: Reports
) -> None:
    owner = citizen(3)
    case = file(owner, theft_report())
    reports.pass_on("triage")
    (message,) = reports.take("notify")

    assert reports.hand("notify", [message]) == []
    assert reports.hand("notify", [message]) == []

    ((letter_id, letter),) = letters(moto_cloud)
    assert letter["caseNumber"] == case
    assert read(owner, case)["decision"]["letterId"] == letter_id == letter["messageId"]
    assert handled_events(moto_cloud) == []


def test_a_decision_delivered_twice_at_once_is_one_letter_to_the_citizen(
    moto_cloud: MotoCloud, reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = citizen(4)
    case = file(owner, theft_report())
    reports.pass_on("triage")
    (message,) = reports.take("notify")
    second = racing(monkeypatch, reports, "notify", message)

    assert reports.hand("notify", [message]) == []
    assert second == [[]]
    assert reports.hand("notify", [message]) == []  # and once more, after both

    # Both copies sent before either recorded it: the same letter twice, under one id, which the mailbox
    # connector delivers once. Recorded on the report once; nothing more is sent.
    sent = letters(moto_cloud)
    assert len(sent) == 2
    assert {letter_id for letter_id, _ in sent} == {read(owner, case)["decision"]["letterId"]}
    written = {json.dumps({**letter, "writtenAt": None}, sort_keys=True) for _, letter in sent}
    assert len(written) == 1


# --- lostAndFound: one match ---------------------------------------------------------------------------


def register_found_phone() -> str:
    result = call("POST", "/reports/v1/staff/found-items", staff(), registration())
    assert result["statusCode"] == 201, result["body"]
    return str(response_json(result)["foundItemId"])


def test_a_found_item_delivered_twice_to_the_matcher_tells_its_owner_once(
    moto_cloud: MotoCloud, reports: Reports, clock: FixedClock
) -> None:
    owner = citizen(5)
    case = file(owner, LOST_PHONE)
    reports.pass_on("triage")
    found_item_id = register_found_phone()
    (message,) = reports.take("lostAndFound")

    assert reports.hand("lostAndFound", [message]) == []
    assert reports.hand("lostAndFound", [message]) == []

    assert [e["detail"]["data"]["foundItemId"] for e in reports.events("LostPropertyMatched")] == [
        found_item_id
    ]
    assert [n["foundItemId"] for n in read(owner, case)["foundProperty"]] == [found_item_id]
    assert handled_events(moto_cloud) == []


def test_a_found_item_delivered_twice_at_once_tells_its_owner_once(
    moto_cloud: MotoCloud, reports: Reports, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = citizen(6)
    case = file(owner, LOST_PHONE)
    reports.pass_on("triage")
    found_item_id = register_found_phone()
    (message,) = reports.take("lostAndFound")
    second = racing(monkeypatch, reports, "lostAndFound", message)

    assert reports.hand("lostAndFound", [message]) == []  # the loser reads the item again: told already

    assert second == [[]]
    assert len(reports.events("LostPropertyMatched")) == 1
    assert [n["foundItemId"] for n in read(owner, case)["foundProperty"]] == [found_item_id]


def test_an_amended_report_delivered_twice_to_the_matcher_tells_its_owner_once(
    moto_cloud: MotoCloud, reports: Reports, clock: FixedClock
) -> None:
    found_item_id = register_found_phone()
    reports.pass_on("lostAndFound")  # nobody has reported it yet
    owner = citizen(7)
    case = file(owner, theft_report(theftKind="home"))  # a burglary: open, waiting for staff
    reports.pass_on("triage")
    phone = LOST_PHONE["items"][0]
    added = call(
        "POST", f"{REPORTS}/{case}/amendments", owner, {"text": "Telefonen togs också.", "items": [phone]}
    )
    assert added["statusCode"] in (200, 201), added["body"]
    amended = [
        m for m in reports.take("lostAndFound") if json.loads(m["Body"])["detail-type"] == "ReportAmended"
    ]
    assert len(amended) == 1

    assert reports.hand("lostAndFound", amended) == []
    assert reports.hand("lostAndFound", amended) == []

    matched = reports.events("LostPropertyMatched")
    assert [(e["detail"]["data"]["foundItemId"], e["detail"]["data"]["caseNumber"]) for e in matched] == [
        (found_item_id, case)
    ]
    assert [n["foundItemId"] for n in read(owner, case)["foundProperty"]] == [found_item_id]


# --- documentBlocks: one answer on the report ----------------------------------------------------------


def register_answer(cloud: MotoCloud, owner: dict[str, str]) -> tuple[str, dict[str, Any]]:
    seed.seed_registers([])
    case = file(owner, form("loss", items=[{"category": "passport", "documentNumber": "99887766"}]))
    answer = DocumentBlocked(
        document_type="passport",
        document_number="99887766",
        case_number=case,
        blocked_at=NOW,
    )
    envelope = new_event(answer, producer=BOOKINGS_SOURCE, occurred_at=NOW, correlation_id="c-1")
    delivery = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "DocumentBlocked",
        "source": BOOKINGS_SOURCE,
        "account": "123456789012",
        "time": NOW.isoformat(),
        "region": "eu-north-1",
        "resources": [],
        "detail": json.loads(envelope.detail_json()),
    }
    return case, {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": json.dumps(delivery)}


def blocked_entries(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in report["timeline"] if "99887766" in e["reason"]]


def test_a_register_s_answer_delivered_twice_is_on_the_report_once(
    moto_cloud: MotoCloud, reports: Reports
) -> None:
    owner = citizen(8)
    case, message = register_answer(moto_cloud, owner)

    assert reports.hand("documentBlocks", [message]) == []
    answered = read(owner, case)
    assert reports.hand("documentBlocks", [message]) == []

    assert [b["status"] for b in answered["documentBlocks"]] == ["blocked"]
    assert len(blocked_entries(answered)) == 1
    assert read(owner, case) == answered
    assert handled_events(moto_cloud) == []


def test_a_register_s_answer_delivered_twice_at_once_is_on_the_report_once(
    moto_cloud: MotoCloud, reports: Reports, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = citizen(9)
    case, message = register_answer(moto_cloud, owner)
    second = racing(monkeypatch, reports, "documentBlocks", message)

    assert reports.hand("documentBlocks", [message]) == []  # the loser reads the report again: answered

    assert second == [[]]
    report = read(owner, case)
    assert [b["status"] for b in report["documentBlocks"]] == ["blocked"]
    assert len(blocked_entries(report)) == 1
