"""The outbox sweeper on moto: an event whose outbox item committed reaches the bus however long the bus was
away, once, and what the stream already published is left alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from infra.local.event_sources import is_outbox_insert, stream_event
from shared.events.contracts.reports import ReportFiled
from shared.events.envelope import new_event
from shared.events.outbox import outbox_item
from shared.events.publisher import handler as publish
from shared.events.sweeper import SETTLE, Sweep, sweep_table, take_lease
from shared.events.sweeper import handler as sweep
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import FakeLambdaContext

SOURCE = "polisen.reports"


def table(cloud: MotoCloud) -> str:
    return cloud.plan.service("reports").environment["TABLE_MAIN"]


def write_event(cloud: MotoCloud, case: str, written: datetime) -> None:
    """What a filing's transaction writes beside the report: the outbox item, ``written`` at that moment."""
    data = ReportFiled(
        case_number=case,
        report_type="theft",
        region="Stockholm",
        municipality_code="0180",
        filed_at=written,
        owner_ref="sub-1",
    )
    event = new_event(data, producer=SOURCE, occurred_at=written, correlation_id=f"c-{case}")
    item = {
        k: TypeSerializer().serialize(v) for k, v in outbox_item(event, source=SOURCE, now=written).items()
    }
    cloud.aws.dynamodb.put_item(TableName=table(cloud), Item=item)


def outbox(cloud: MotoCloud) -> list[str]:
    items = cloud.aws.dynamodb.scan(TableName=table(cloud))["Items"]
    return sorted(
        json.loads(i["detail"]["S"])["data"]["caseNumber"]
        for i in items
        if i["pk"]["S"].startswith("OUTBOX#")
    )


def on_the_bus(cloud: MotoCloud) -> list[str]:
    url = cloud.provisioned.queue_urls[cloud.plan.tap_queue]
    cases: list[str] = []
    while messages := cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        cases += [json.loads(m["Body"])["detail"]["data"]["caseNumber"] for m in messages]
        cloud.aws.sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
        )
    return sorted(cases)


def run(cloud: MotoCloud, now: datetime, bus: str | None = None) -> Sweep:
    return sweep_table(
        table(cloud),
        dynamodb=cloud.aws.dynamodb,
        events=cloud.aws.events,
        bus_name=bus or cloud.plan.bus,
        now=now,
        remaining_ms=lambda: 40_000,
        sleep=lambda _: None,
    )


def test_an_event_older_than_the_grace_period_is_put_on_the_bus_and_leaves_the_outbox(
    moto_cloud: MotoCloud,
) -> None:
    now = datetime.now(UTC)
    write_event(moto_cloud, "K1-26", now - timedelta(minutes=3))
    write_event(moto_cloud, "K2-26", now - timedelta(seconds=10))  # the stream's to publish

    result = run(moto_cloud, now)

    assert on_the_bus(moto_cloud) == ["K1-26"]
    assert outbox(moto_cloud) == ["K2-26"]
    assert (result.republished, result.behind) == (1, 0)
    assert 170 < result.oldest_age_s < 190


def test_an_event_whose_bus_stayed_away_for_days_still_reaches_it_once_and_alarms_meanwhile(
    moto_cloud: MotoCloud,
) -> None:
    start = datetime.now(UTC)
    write_event(moto_cloud, "K7-26", start)
    away = f"{moto_cloud.plan.bus}-away"  # a bus that does not answer: every put is refused

    for hours in (1, 5, 24, 72):
        during = run(moto_cloud, start + timedelta(hours=hours), bus=away)
        assert (during.republished, during.refused, during.behind) == (0, 1, 1)
    assert outbox(moto_cloud) == ["K7-26"]

    back = run(moto_cloud, start + timedelta(hours=73))

    assert (back.republished, back.behind) == (1, 1)
    assert on_the_bus(moto_cloud) == ["K7-26"]
    assert outbox(moto_cloud) == []
    assert run(moto_cloud, start + timedelta(hours=74)).republished == 0, "and only once"


def test_the_watermark_moves_past_settled_empty_hours_and_stops_at_an_unpublished_event(
    moto_cloud: MotoCloud,
) -> None:
    start = datetime.now(UTC)
    write_event(moto_cloud, "K3-26", start + timedelta(hours=2))
    away = f"{moto_cloud.plan.bus}-away"

    stuck = run(moto_cloud, start + timedelta(hours=6), bus=away)
    assert stuck.watermark == (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H")

    later = start + timedelta(hours=6, minutes=1)
    done = run(moto_cloud, later)
    assert done.watermark == (later - SETTLE).strftime("%Y-%m-%dT%H"), "every hour closed for writes"
    assert on_the_bus(moto_cloud) == ["K3-26"]


def test_what_the_stream_published_is_never_put_again(
    moto_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_event(moto_cloud, "K4-26", datetime.now(UTC))
    arn = moto_cloud.provisioned.stream_arns[table(moto_cloud)]
    records = _stream_records(moto_cloud, arn)
    publish(stream_event(records, stream_arn=arn), FakeLambdaContext())
    assert on_the_bus(moto_cloud) == ["K4-26"]

    result = run(moto_cloud, datetime.now(UTC) + timedelta(hours=1))

    assert result.republished == 0
    assert on_the_bus(moto_cloud) == []


def test_the_scheduled_handler_sweeps_every_outbox_table_of_the_service(moto_cloud: MotoCloud) -> None:
    write_event(moto_cloud, "K5-26", datetime.now(UTC) - timedelta(minutes=10))

    result = sweep({"detail-type": "Scheduled Event"}, FakeLambdaContext())

    assert (result["republished"], result["behind"]) == (1, 1)
    assert set(result["watermarks"]) == {table(moto_cloud)}
    assert on_the_bus(moto_cloud) == ["K5-26"]


def _stream_records(cloud: MotoCloud, arn: str) -> list[dict[str, Any]]:
    streams = cloud.aws.streams
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )
        records += streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    return [r for r in records if is_outbox_insert(r)]


def test_a_run_that_overlaps_another_leaves_the_outbox_to_it(moto_cloud: MotoCloud) -> None:
    now = datetime.now(UTC)
    write_event(moto_cloud, "K6-26", now - timedelta(minutes=3))
    # A slow run is still at it (it took the lease for its 50 s).
    assert take_lease(moto_cloud.aws.dynamodb, table(moto_cloud), "slow", now=now, seconds=50) is None

    overlapping = run(moto_cloud, now + timedelta(seconds=3))

    assert overlapping.skipped
    assert on_the_bus(moto_cloud) == []
    after_its_lease = run(moto_cloud, now + timedelta(seconds=60))
    assert after_its_lease.republished == 1
    assert on_the_bus(moto_cloud) == ["K6-26"]


def test_the_first_run_finds_an_event_whose_writer_clock_was_behind_the_table_creation(
    moto_cloud: MotoCloud,
) -> None:
    created = moto_cloud.aws.dynamodb.describe_table(TableName=table(moto_cloud))["Table"]["CreationDateTime"]
    # Written "before" the table existed by a writer whose clock lags, in the hour before the table's own.
    written = created.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(minutes=5)
    write_event(moto_cloud, "K8-26", written)

    result = run(moto_cloud, datetime.now(UTC))

    assert result.republished == 1
    assert on_the_bus(moto_cloud) == ["K8-26"]
