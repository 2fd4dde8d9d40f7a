"""The outbox publisher turns stream records into bus entries and never swallows a refused entry."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from boto3.dynamodb.types import TypeSerializer

from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import new_event
from shared.events.outbox import outbox_item
from shared.events.publisher import PublishFailed, entries_from_stream, publish

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


def record(item: dict[str, Any], event_name: str = "INSERT") -> dict[str, Any]:
    image = {k: TypeSerializer().serialize(v) for k, v in item.items()}
    return {"eventName": event_name, "dynamodb": {"Keys": {"pk": image["pk"]}, "NewImage": image}}


def filed(case: str) -> dict[str, Any]:
    data = ReportFiled(
        case_number=case,
        report_type="theft",
        region="Stockholm",
        municipality_code="0180",
        filed_at=NOW,
        owner_ref="sub-1",
    )
    return outbox_item(
        new_event(data, producer="polisen.reports", occurred_at=NOW, correlation_id="c"), source="s"
    )


class RefusingBus:
    def __init__(self, refuse: set[int]) -> None:
        self.refuse = refuse
        self.calls: list[list[Any]] = []

    def put_events(self, Entries: list[Any]) -> dict[str, Any]:  # noqa: N803 - boto3's keyword
        self.calls.append(Entries)
        entries = [
            {"ErrorCode": "InternalFailure"} if i in self.refuse else {"EventId": "e"}
            for i in range(len(Entries))
        ]
        return {"FailedEntryCount": len(self.refuse & set(range(len(Entries)))), "Entries": entries}


def test_only_inserted_outbox_items_become_entries() -> None:
    report_item = {"pk": "REPORT#K1-26", "sk": "REPORT", "body": "{}"}
    event = DynamoDBStreamEvent(
        {"Records": [record(filed("K1-26")), record(report_item), record(filed("K2-26"), "MODIFY")]}
    )

    entries = entries_from_stream(event, "bus")

    assert [(e["Source"], e["DetailType"]) for e in entries] == [("s", "ReportFiled")]
    assert '"caseNumber":"K1-26"' in entries[0]["Detail"]


def test_entries_go_out_in_chunks_of_ten() -> None:
    bus = RefusingBus(refuse=set())
    event = DynamoDBStreamEvent({"Records": [record(filed(f"K{i}-26")) for i in range(1, 24)]})

    publish(entries_from_stream(event, "bus"), bus)  # type: ignore[arg-type]

    assert [len(call) for call in bus.calls] == [10, 10, 3]


def test_a_refused_entry_raises_so_the_stream_delivers_the_batch_again() -> None:
    event = DynamoDBStreamEvent({"Records": [record(filed("K1-26")), record(filed("K2-26"))]})

    with pytest.raises(PublishFailed, match="1 of 2"):
        publish(entries_from_stream(event, "bus"), RefusingBus(refuse={1}))  # type: ignore[arg-type]
