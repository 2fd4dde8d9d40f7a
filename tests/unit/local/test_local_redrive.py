"""The dead-letter tool: which queues it knows and what it shows of them; in AWS it asks SQS to move the
messages, locally it moves them itself (against moto, in-process here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from moto import mock_aws

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients
from infra.local.plan import build_plan
from infra.local.provision import provision
from infra.local.redrive import DeadLetters, dead_letter_queues, describe
from tests.support.moto_clients import moto_clients, use_fake_credentials

PLAN = build_plan(MANIFESTS, "prod")
HOLDER = "194009083272"  # a generated test number (see README), standing in for personal data


def delivered(detail_type: str, data: dict[str, Any], event_id: str = "e-1") -> str:
    metadata = {"eventId": event_id, "eventType": detail_type, "occurredAt": "2026-11-22T12:00:00+00:00"}
    return json.dumps(
        {
            "detail-type": detail_type,
            "source": "polisen.reports",
            "detail": {"metadata": metadata, "data": data},
        }
    )


def test_every_dlq_re_drives_into_its_subscription_queue_and_failure_queues_are_never_re_driven() -> None:
    queues = {q.name: q for q in dead_letter_queues(PLAN)}
    documents = queues["eservices-prod-bookings-documents-dlq"]
    assert (documents.kind, documents.service, documents.source) == (
        "subscription",
        "bookings",
        "eservices-prod-bookings-documents",
    )
    assert {q.kind for q in queues.values() if not q.redrivable} == {"publisher", "job"}
    assert "outbox sweeper" in queues["eservices-prod-reports-publisher-failures"].recovery
    assert "next scheduled run" in queues["eservices-prod-reports-stalledReports-failures"].recovery
    assert {q.name for q in queues.values() if q.kind == "subscription"} == {q.dlq_name for q in PLAN.queues}


class FakeSqs:
    """SQS as AWS answers the calls the tool makes to start a move task."""

    def __init__(self) -> None:
        self.tasks: list[str] = []

    def get_queue_url(self, QueueName: str) -> dict[str, str]:  # noqa: N803 - boto3's names
        return {"QueueUrl": f"https://sqs.eu-north-1.amazonaws.com/111122223333/{QueueName}"}

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:  # noqa: N803
        name = QueueUrl.rsplit("/", 1)[-1]
        return {"Attributes": {"QueueArn": f"arn:aws:sqs:eu-north-1:111122223333:{name}"}}

    def start_message_move_task(self, SourceArn: str) -> dict[str, str]:  # noqa: N803
        self.tasks.append(SourceArn)
        return {"TaskHandle": "task-1"}


def test_in_aws_a_redrive_starts_sqs_s_move_task_from_the_dlq() -> None:
    sqs = FakeSqs()
    letters = DeadLetters(sqs, dead_letter_queues(PLAN), local=False)  # type: ignore[arg-type]
    said = letters.redrive(letters.find("bookings-documents-dlq"))
    assert sqs.tasks == ["arn:aws:sqs:eu-north-1:111122223333:eservices-prod-bookings-documents-dlq"]
    assert "task-1" in said
    assert "aws sqs list-message-move-tasks" in said
    with pytest.raises(ValueError, match="outbox sweeper"):
        letters.redrive(letters.find("reports-publisher-failures"))
    assert len(sqs.tasks) == 1


def test_a_queue_is_named_in_full_or_by_a_unique_end() -> None:
    letters = DeadLetters(FakeSqs(), dead_letter_queues(PLAN), local=False)  # type: ignore[arg-type]
    assert letters.find("eservices-prod-reports-triage-dlq").name == "eservices-prod-reports-triage-dlq"
    with pytest.raises(LookupError, match="several"):
        letters.find("-dlq")
    with pytest.raises(LookupError, match="not a dead-letter"):
        letters.find("reports-outgoing-mail")


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[DeadLetters, AwsClients]]:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        aws = moto_clients()
        plan = build_plan(MANIFESTS)
        provision(plan, aws)
        yield DeadLetters(aws.sqs, dead_letter_queues(plan), local=True), aws


def test_the_listing_counts_peeks_without_personal_data_and_takes_nothing_away(
    local: tuple[DeadLetters, AwsClients],
) -> None:
    letters, aws = local
    dlq = letters.find("bookings-documents-dlq")
    for n in range(3):
        body = delivered(
            "DocumentBlocked", {"holderPersonnummer": HOLDER, "caseNumber": f"K{n}-26"}, f"e-{n}"
        )
        aws.sqs.send_message(QueueUrl=letters.url(dlq.name), MessageBody=body)

    state = letters.state(dlq, peek=2)
    assert (state.count, state.scanned, len(state.peek)) == (3, 3, 2)
    assert state.oldest is not None
    assert {p.summary["detailType"] for p in state.peek} == {"DocumentBlocked"}
    listing = describe(letters.states(), now=state.oldest)
    assert HOLDER not in listing
    assert HOLDER not in json.dumps(state.to_json())
    assert "make redrive QUEUE=eservices-local-bookings-documents-dlq" in listing
    assert letters.state(dlq).count == 3  # looking left every message where it was, visible


def test_locally_a_redrive_moves_each_message_back_with_its_body_and_attributes(
    local: tuple[DeadLetters, AwsClients],
) -> None:
    letters, aws = local
    dlq = letters.find("reports-notify-dlq")
    bodies = {delivered("ReportDecided", {"caseNumber": f"K{n}-26"}, f"e-{n}") for n in range(12)}
    for body in bodies:
        aws.sqs.send_message(
            QueueUrl=letters.url(dlq.name),
            MessageBody=body,
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "test"}},
        )

    assert letters.redrive(dlq) == f"moved 12 message(s) from {dlq.name} back into {dlq.source}"
    assert letters.count(dlq) == 0
    assert dlq.source is not None
    moved: list[Any] = []
    while batch := aws.sqs.receive_message(
        QueueUrl=letters.url(dlq.source), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        moved.extend(batch)
    assert {m["Body"] for m in moved} == bodies
    assert {m["MessageAttributes"]["origin"]["StringValue"] for m in moved} == {"test"}
