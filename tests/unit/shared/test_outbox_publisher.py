"""The outbox publisher puts a stream batch on the bus, retries only what the bus refused, deletes what it
published, and leaves the rest where the stream's retry or the sweeper finds it: nothing lost, nothing put
twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent
from boto3.dynamodb.types import TypeSerializer
from botocore.exceptions import ClientError

from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import new_event
from shared.events.outbox import SWEEP_AFTER_VARIABLE, outbox_item
from shared.events.publisher import OutboxRecord, Outcome, outbox_records, publish_batch

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
TABLE = "eservices-test-reports-main"
STREAM_ARN = f"arn:aws:dynamodb:eu-north-1:123456789012:table/{TABLE}/stream/2026-01-01T00:00:00.000"


@pytest.fixture(autouse=True)
def sweep_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWEEP_AFTER_VARIABLE, "120")  # the publisher hands over at 40 s


def filed(case: str, written: datetime = NOW) -> dict[str, Any]:
    data = ReportFiled(
        case_number=case,
        report_type="theft",
        region="Stockholm",
        municipality_code="0180",
        filed_at=NOW,
        owner_ref="sub-1",
    )
    event = new_event(data, producer="polisen.reports", occurred_at=NOW, correlation_id="c")
    return outbox_item(event, source="polisen.reports", now=written)


def record(item: dict[str, Any], sequence: int, event_name: str = "INSERT") -> dict[str, Any]:
    image = {k: TypeSerializer().serialize(v) for k, v in item.items()}
    return {
        "eventName": event_name,
        "eventSourceARN": STREAM_ARN,
        "dynamodb": {
            "Keys": {"pk": image["pk"], "sk": image["sk"]},
            "NewImage": image,
            "SequenceNumber": str(1000 + sequence),
        },
    }


def batch(*items: dict[str, Any]) -> list[OutboxRecord]:
    event = DynamoDBStreamEvent({"Records": [record(item, i) for i, item in enumerate(items)]})
    return outbox_records(event, "bus")


def case_of(entry: Any) -> str:
    detail: str = entry["Detail"]
    return detail.split('"caseNumber":"')[1].split('"')[0]


class Bus:
    """Takes every entry except those of cases it is told to refuse (``times`` refusals each)."""

    def __init__(self, refuse: dict[str, int] | None = None, away: bool = False) -> None:
        self.refuse = dict(refuse or {})
        self.away = away
        self.calls: list[list[str]] = []
        self.accepted: list[str] = []

    def put_events(self, Entries: list[Any]) -> dict[str, Any]:  # noqa: N803 - boto3's keyword
        cases = [case_of(e) for e in Entries]
        self.calls.append(cases)
        if self.away:
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "away"}}, "PutEvents")
        results: list[dict[str, str]] = []
        for case in cases:
            if self.refuse.get(case, 0) > 0:
                self.refuse[case] -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "refused"})
            else:
                self.accepted.append(case)
                results.append({"EventId": f"id-{case}"})
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


class Table:
    """Holds outbox items by key; deletes them as BatchWriteItem does (``unprocessed`` are left)."""

    def __init__(self, *items: dict[str, Any], failing: bool = False) -> None:
        self.items = {(i["pk"], i["sk"]): i for i in items}
        self.failing = failing

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:  # noqa: N803
        if self.failing:
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "BatchWriteItem")
        for request in RequestItems[TABLE]:
            key = request["DeleteRequest"]["Key"]
            self.items.pop((key["pk"]["S"], key["sk"]["S"]), None)
        return {"UnprocessedItems": {}}

    def cases(self) -> list[str]:
        return sorted(i["detail"].split('"caseNumber":"')[1].split('"')[0] for i in self.items.values())


def publish(records: list[OutboxRecord], bus: Bus, table: Table) -> Outcome:
    return publish_batch(
        records,
        events=bus,  # type: ignore[arg-type]
        dynamodb=table,  # type: ignore[arg-type]
        now=NOW + timedelta(seconds=1),
        remaining_ms=lambda: 10_000,
        sleep=lambda _: None,
    )


def test_only_inserted_outbox_items_become_records() -> None:
    report_item = {"pk": "REPORT#K1-26", "sk": "REPORT", "body": "{}"}
    event = DynamoDBStreamEvent(
        {"Records": [record(filed("K1-26"), 1), record(report_item, 2), record(filed("K2-26"), 3, "MODIFY")]}
    )

    (only,) = outbox_records(event, "bus")

    assert (only.entry["Source"], only.entry["DetailType"]) == ("polisen.reports", "ReportFiled")
    assert case_of(only.entry) == "K1-26"
    assert only.table == TABLE
    assert only.written_at == NOW


def test_every_event_is_put_in_chunks_of_ten_and_its_outbox_item_deleted() -> None:
    items = [filed(f"K{i}-26") for i in range(1, 24)]
    bus, table = Bus(), Table(*items)

    outcome = publish(batch(*items), bus, table)

    assert [len(call) for call in bus.calls] == [10, 10, 3]
    assert outcome.response() == {"published": 23, "batchItemFailures": []}
    assert table.items == {}


def test_an_entry_the_bus_refused_once_is_put_again_alone() -> None:
    items = [filed(f"K{i}-26") for i in range(1, 6)]
    bus, table = Bus(refuse={"K3-26": 1}), Table(*items)

    outcome = publish(batch(*items), bus, table)

    assert bus.calls == [["K1-26", "K2-26", "K3-26", "K4-26", "K5-26"], ["K3-26"]]
    assert sorted(bus.accepted) == ["K1-26", "K2-26", "K3-26", "K4-26", "K5-26"]
    assert outcome.response()["batchItemFailures"] == []
    assert table.items == {}


def test_a_refused_entry_between_published_ones_is_left_to_the_sweeper_not_to_the_stream() -> None:
    items = [filed(f"K{i}-26") for i in range(1, 6)]
    bus, table = Bus(refuse={"K2-26": 100}), Table(*items)

    outcome = publish(batch(*items), bus, table)

    # Reporting K2 would make the stream deliver K3..K5 again, which the bus already has.
    assert outcome.response() == {"published": 4, "batchItemFailures": []}
    assert table.cases() == ["K2-26"]
    assert sorted(bus.accepted) == ["K1-26", "K3-26", "K4-26", "K5-26"]


def test_the_refused_tail_of_a_batch_is_reported_so_the_stream_retries_only_that() -> None:
    items = [filed(f"K{i}-26") for i in range(1, 6)]
    records = batch(*items)
    bus, table = Bus(refuse={"K4-26": 100, "K5-26": 100}), Table(*items)

    outcome = publish(records, bus, table)

    assert outcome.response() == {
        "published": 3,
        "batchItemFailures": [{"itemIdentifier": records[3].sequence_number}],
    }
    assert table.cases() == ["K4-26", "K5-26"]


def test_while_the_bus_is_away_nothing_is_deleted_and_the_whole_batch_is_given_back() -> None:
    items = [filed(f"K{i}-26") for i in range(1, 13)]
    records = batch(*items)
    bus, table = Bus(away=True), Table(*items)

    outcome = publish(records, bus, table)

    assert outcome.response()["batchItemFailures"] == [{"itemIdentifier": records[0].sequence_number}]
    assert len(table.items) == 12
    # One failed call per round is enough to know: the second chunk is not tried in vain.
    assert [len(call) for call in bus.calls] == [10, 10, 10]


def test_an_item_older_than_the_handover_age_is_the_sweepers_and_not_put_here() -> None:
    old, young = filed("K1-26", NOW - timedelta(seconds=41)), filed("K2-26")
    bus, table = Bus(), Table(old, young)

    outcome = publish(batch(old, young), bus, table)

    assert bus.accepted == ["K2-26"]
    assert [case_of(r.entry) for r in outcome.handed_over] == ["K1-26"]
    assert table.cases() == ["K1-26"]
    assert outcome.response()["batchItemFailures"] == []


def test_a_delete_that_fails_leaves_the_item_for_the_sweeper_and_does_not_fail_the_batch() -> None:
    item = filed("K1-26")
    bus, table = Bus(), Table(item, failing=True)

    outcome = publish(batch(item), bus, table)

    assert outcome.response() == {"published": 1, "batchItemFailures": []}
    assert table.cases() == ["K1-26"]
