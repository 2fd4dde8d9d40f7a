"""Lambda (scheduled): the outbox sweeper, the sure path to the bus (ADR 40).

The publisher deletes the outbox item of every event the bus accepted, so an item still in the outbox after
:func:`~shared.events.outbox.sweep_after` is an event that may not have reached the bus: the publisher failed,
the bus was away longer than the stream retried, or the stream was lost. On every run the sweeper walks the
outbox's hourly buckets from a watermark (the oldest bucket that may still hold an item) to now, reads only
items older than ``sweep_after`` (a key condition on the sort key: the stream's young items cost nothing),
puts them on the bus, retrying only refused entries, and deletes what the bus accepted. A bucket that has been
closed for :data:`SETTLE` and is empty moves the watermark on; one still holding an event keeps it, so an
event is published however long the bus stays away. Runs of one table never overlap (two would put the same
events): each takes a lease on the watermark item, reading the watermark in the same write.

Each run reports ``OutboxEventsBehind`` (events older than :data:`BEHIND_AFTER` found in the outbox: the
alarm), ``OutboxOldestEventAge`` and ``EventsRepublished``.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters import aws
from shared.events.outbox import (
    BEHIND_AFTER,
    BUCKET,
    OUTBOX_TABLES_VARIABLE,
    SHARDS,
    WATERMARK_KEY,
    bucket_key,
    bucket_name,
    buckets,
    bus_entry,
    parse_bucket,
    stamp,
    sweep_after,
    written_at,
)
from shared.events.publisher import OutboxRecord, delete_published, put_entries
from shared.observability import create_logger, create_metrics, create_tracer, entry_point

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient

logger = create_logger()
metrics = create_metrics()
tracer = create_tracer()

# A function writes an outbox item it built moments before, and no Lambda runs longer than 15 minutes: a
# bucket that ended this long ago receives no more items.
SETTLE = timedelta(minutes=15)
# The run stops starting new work this long before its timeout and keeps the progress made.
TIME_RESERVE_MS = 5_000

RemainingMs = Callable[[], int]


@dataclass
class Sweep:
    republished: int = 0
    refused: int = 0
    behind: int = 0
    oldest_age_s: float = 0.0
    watermark: str | None = None
    skipped: bool = False  # another run holds the table's lease

    def add(self, other: Sweep) -> None:
        self.republished += other.republished
        self.refused += other.refused
        self.behind += other.behind
        self.oldest_age_s = max(self.oldest_age_s, other.oldest_age_s)


def sweep_table(
    table: str,
    *,
    dynamodb: DynamoDBClient,
    events: EventBridgeClient,
    bus_name: str,
    now: datetime,
    remaining_ms: RemainingMs,
    sleep: Callable[[float], None] = time.sleep,
) -> Sweep:
    result = Sweep()
    lease_id = uuid.uuid4().hex
    watermark = take_lease(dynamodb, table, lease_id, now=now, seconds=remaining_ms() / 1000)
    if watermark is False:
        logger.info("Another sweep of the outbox is running", extra={"table": table})
        return Sweep(skipped=True)
    start = watermark or _table_created(dynamodb, table)
    cutoff = now - sweep_after()
    advance_to, clean = start, True
    try:
        for bucket in buckets(start, cutoff):
            if remaining_ms() < TIME_RESERVE_MS:
                clean = False
                break
            records = [_record(table, item, bus_name) for item in _old_items(dynamodb, table, bucket, cutoff)]
            left = 0
            if records:
                ages = [(now - r.written_at).total_seconds() for r in records if r.written_at is not None]
                result.oldest_age_s = max([result.oldest_age_s, *ages])
                result.behind += sum(1 for age in ages if age > BEHIND_AFTER.total_seconds())
                refused = put_entries(
                    [r.entry for r in records], events, remaining_ms=remaining_ms, sleep=sleep
                )
                published = [r for i, r in enumerate(records) if i not in refused]
                left = len(refused) + delete_published(published, dynamodb, sleep)
                result.republished += len(published)
                result.refused += len(refused)
            if clean and not left and bucket + BUCKET <= now - SETTLE:
                advance_to = bucket + BUCKET
            else:
                clean = False
    finally:
        release_lease(dynamodb, table, lease_id, watermark=advance_to if advance_to > start else None)
    result.watermark = bucket_name(advance_to)
    return result


def take_lease(
    dynamodb: DynamoDBClient, table: str, lease_id: str, *, now: datetime, seconds: float
) -> datetime | Literal[False] | None:
    """Takes the table's sweep lease (runs must not overlap: both would put the same events) and reads the
    watermark with it, in one write. The watermark, None before the first run, or False if another run holds
    the lease."""
    try:
        item = dynamodb.update_item(
            TableName=table,
            Key=_key(),
            UpdateExpression="SET leaseUntil = :until, leaseId = :id",
            ConditionExpression="attribute_not_exists(leaseUntil) OR leaseUntil < :now",
            ExpressionAttributeValues={
                ":until": {"N": str(int(now.timestamp() + seconds) + 1)},
                ":id": {"S": lease_id},
                ":now": {"N": str(int(now.timestamp()))},
            },
            ReturnValues="ALL_NEW",
        )["Attributes"]
    except dynamodb.exceptions.ConditionalCheckFailedException:
        return False
    return parse_bucket(item["bucket"]["S"]) if "bucket" in item else None


def release_lease(dynamodb: DynamoDBClient, table: str, lease_id: str, *, watermark: datetime | None) -> None:
    """Gives the lease back, moving the watermark forward if the run got further."""
    request: dict[str, Any] = {
        "TableName": table,
        "Key": _key(),
        "UpdateExpression": "REMOVE leaseUntil, leaseId",
        "ConditionExpression": "leaseId = :id",
        "ExpressionAttributeValues": {":id": {"S": lease_id}},
    }
    if watermark is not None:
        request["UpdateExpression"] = "SET #bucket = :bucket REMOVE leaseUntil, leaseId"
        request["ExpressionAttributeNames"] = {"#bucket": "bucket"}
        request["ExpressionAttributeValues"][":bucket"] = {"S": bucket_name(watermark)}
    try:
        dynamodb.update_item(**request)
    except dynamodb.exceptions.ConditionalCheckFailedException:
        # The run outlived its lease and another took it: that one carries on from the older watermark.
        logger.warning("The sweep lease was lost before the run ended", extra={"table": table})


def _table_created(dynamodb: DynamoDBClient, table: str) -> datetime:
    """Before the first run, no item can be older than the table; an item's time is its writer's clock, though,
    so the first run also reads the hour before the table's creation (one empty query, once)."""
    created: datetime = dynamodb.describe_table(TableName=table)["Table"]["CreationDateTime"]
    return created.astimezone(UTC) - BUCKET


def _key() -> dict[str, Any]:
    return {name: {"S": value} for name, value in WATERMARK_KEY.items()}


def _old_items(
    dynamodb: DynamoDBClient, table: str, bucket: datetime, cutoff: datetime
) -> list[dict[str, Any]]:
    """The bucket's items written before ``cutoff``, from every shard."""
    items: list[dict[str, Any]] = []
    for shard in range(SHARDS):
        query: dict[str, Any] = {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND sk < :cutoff",
            "ExpressionAttributeValues": {
                ":pk": {"S": bucket_key(bucket, shard)},
                ":cutoff": {"S": stamp(cutoff)},
            },
            # Strongly consistent: an item the publisher has just deleted is not read and put again.
            "ConsistentRead": True,
        }
        while True:
            page = dynamodb.query(**query)
            items.extend(page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                break
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return items


def _record(table: str, item: dict[str, Any], bus_name: str) -> OutboxRecord:
    values = {name: value.get("S", "") for name, value in item.items()}
    return OutboxRecord(
        sequence_number="",
        table=table,
        key={"pk": values["pk"], "sk": values["sk"]},
        entry=bus_entry(values, bus_name),
        written_at=written_at(values["sk"]),
    )


def outbox_tables() -> list[str]:
    return [name for name in os.environ.get(OUTBOX_TABLES_VARIABLE, "").split(",") if name]


@entry_point(logger, metrics=metrics, tracer=tracer)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    total = Sweep()
    watermarks: dict[str, str | None] = {}
    for table in outbox_tables():
        result = sweep_table(
            table,
            dynamodb=aws.dynamodb(),
            events=aws.events(),
            bus_name=os.environ["EVENT_BUS_NAME"],
            now=datetime.now(UTC),
            remaining_ms=context.get_remaining_time_in_millis,
        )
        total.add(result)
        watermarks[table] = result.watermark
    metrics.add_metric(name="EventsRepublished", unit=MetricUnit.Count, value=total.republished)
    metrics.add_metric(name="OutboxEventsBehind", unit=MetricUnit.Count, value=total.behind)
    metrics.add_metric(name="OutboxOldestEventAge", unit=MetricUnit.Seconds, value=total.oldest_age_s)
    if total.republished or total.refused:
        logger.warning(
            "Republished outbox events the stream did not deliver",
            extra={"republished": total.republished, "refused": total.refused, "behind": total.behind},
        )
    return {
        "republished": total.republished,
        "refused": total.refused,
        "behind": total.behind,
        "watermarks": watermarks,
    }
