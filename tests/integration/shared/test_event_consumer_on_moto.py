"""The shared consumer: each delivery parsed once into the contract its detail-type names and handed to that
contract's handler; what no handler is for fails alone. It remembers no event: a redelivered one is handed to
its handler again, and changes nothing only because the handler's write that records its effect is
conditional (ADR 87)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from infra.local.event_sources import sqs_event
from shared.adapters import aws
from shared.events.consumer import Received, consume_batch
from shared.events.contracts.reports import SOURCE, ReportAmended, ReportFiled
from shared.events.envelope import EventData, new_event
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import FakeLambdaContext

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
QUEUE_ARN = "arn:aws:sqs:eu-north-1:123456789012:eservices-test-reports-triage"


def _message(
    data: EventData, *, correlation_id: str = "corr-1", event_id: str | None = None
) -> dict[str, Any]:
    envelope = new_event(data, producer=SOURCE, occurred_at=NOW, correlation_id=correlation_id)
    detail = json.loads(envelope.detail_json())
    if event_id is not None:
        detail["metadata"]["eventId"] = event_id
    delivery = {"id": detail["metadata"]["eventId"], "source": SOURCE, "detail-type": data.event_type}
    body = json.dumps({**delivery, "time": NOW.isoformat(), "detail": detail})
    message_id = f"m-{detail['metadata']['eventId']}"
    return {"MessageId": message_id, "ReceiptHandle": message_id, "Body": body}


def _filed(case_number: str) -> ReportFiled:
    return ReportFiled(
        case_number=case_number,
        report_type="theft",
        region="Stockholm",
        municipality_code="0180",
        filed_at=NOW,
        owner_ref="owner-1",
    )


def test_each_contract_reaches_its_own_handler_parsed(moto_cloud: MotoCloud) -> None:
    filed: list[Received[ReportFiled]] = []
    amended: list[Received[ReportAmended]] = []
    batch = sqs_event(
        [
            _message(_filed("K1-26"), correlation_id="corr-filed"),
            _message(
                ReportAmended(case_number="K1-26", region="Stockholm", amended_at=NOW, owner_ref="owner-1")
            ),
        ],
        queue_arn=QUEUE_ARN,
    )

    result = consume_batch(
        batch,
        FakeLambdaContext(),
        handlers={ReportFiled: filed.append, ReportAmended: amended.append},
        logger=Logger(service="test"),
    )

    assert result["batchItemFailures"] == []
    assert [(e.data.case_number, e.correlation_id) for e in filed] == [("K1-26", "corr-filed")]
    assert isinstance(filed[0].data, ReportFiled)
    assert [type(e.data) for e in amended] == [ReportAmended]


def _effects(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("reports").environment["TABLE_MAIN"]
    items = cloud.aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return [i for i in items if i["pk"]["S"].startswith("EFFECT#")]


def test_an_event_no_handler_is_for_fails_alone_and_a_redelivered_one_changes_nothing_again(
    moto_cloud: MotoCloud,
) -> None:
    handed: list[str] = []
    took_effect: list[str] = []

    def record_once(event: Received[ReportFiled]) -> None:
        # A consumer's shape: the write that records the effect is conditional on the effect not being there.
        handed.append(event.data.case_number)
        try:
            aws.dynamodb().put_item(
                TableName=moto_cloud.plan.service("reports").environment["TABLE_MAIN"],
                Item={
                    "pk": {"S": f"EFFECT#{event.data.case_number}"},
                    "sk": {"S": "EFFECT"},
                    "eventId": {"S": event.metadata.event_id},
                },
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return
        took_effect.append(event.data.case_number)

    first = _message(_filed("K2-26"), event_id="event-2")
    unsubscribed = _message(
        ReportAmended(case_number="K2-26", region="Stockholm", amended_at=NOW, owner_ref="owner-1")
    )
    malformed = {**_message(_filed("K3-26")), "MessageId": "m-bad"}
    malformed["Body"] = malformed["Body"].replace('"caseNumber": "K3-26", ', "")

    def run(*messages: dict[str, Any]) -> list[str]:
        result = consume_batch(
            sqs_event(list(messages), queue_arn=QUEUE_ARN),
            FakeLambdaContext(),
            handlers={ReportFiled: record_once},
            logger=Logger(service="test"),
        )
        return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]

    assert run(first, unsubscribed, malformed) == [unsubscribed["MessageId"], "m-bad"]
    assert run({**first, "MessageId": "m-again"}) == []
    assert run(first) == []  # the very same record once more, as SQS may deliver it

    assert handed == ["K2-26"] * 3
    assert took_effect == ["K2-26"]
    assert [e["eventId"]["S"] for e in _effects(moto_cloud)] == ["event-2"]


def test_consuming_keeps_no_record_of_the_events_handled(moto_cloud: MotoCloud) -> None:
    batch = sqs_event([_message(_filed("K4-26")), _message(_filed("K5-26"))], queue_arn=QUEUE_ARN)

    result = consume_batch(
        batch, FakeLambdaContext(), handlers={ReportFiled: lambda e: None}, logger=Logger(service="test")
    )

    assert result["batchItemFailures"] == []
    for service in ("reports", "bookings"):
        table = moto_cloud.plan.service(service).environment["TABLE_IDEMPOTENCY"]
        assert moto_cloud.aws.dynamodb.scan(TableName=table)["Items"] == []
