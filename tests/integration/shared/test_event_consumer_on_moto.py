"""The shared consumer: each delivery parsed once into the contract its detail-type names and handed to that
contract's handler, once per event id; what no handler is for fails alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools import Logger

from infra.local.event_sources import sqs_event
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


def test_an_event_no_handler_is_for_fails_alone_and_a_redelivered_one_is_not_handled_again(
    moto_cloud: MotoCloud,
) -> None:
    handled: list[str] = []
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
            handlers={ReportFiled: lambda e: handled.append(e.data.case_number)},
            logger=Logger(service="test"),
        )
        return [failure["itemIdentifier"] for failure in result["batchItemFailures"]]

    assert run(first, unsubscribed, malformed) == [unsubscribed["MessageId"], "m-bad"]
    assert run({**first, "MessageId": "m-again"}) == []
    assert handled == ["K2-26"]
