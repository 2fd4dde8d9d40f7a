"""Lambda: the outbox publisher, the fast path from a table's stream to the bus (ADR 40).

For each batch of outbox inserts it puts the events on the bus, retrying only the entries the bus refused, and
deletes the item of every event the bus accepted: what stays in the outbox is what the sweeper
(:mod:`shared.events.sweeper`) republishes later. Nothing it could not publish is lost, and nothing it did
publish is put again by a retry:

- the refused records that end the batch (no published record after them) are reported as a partial batch
  response, so the stream retries exactly those;
- a refused record followed by published ones is left to the sweeper: reporting it would make the stream
  deliver the published ones after it again;
- a record older than :func:`~shared.events.outbox.handover_age` is not published here at all: it belongs to
  the sweeper, which takes items from three times that age on, so the two do not put the same item at once.

A crash after PutEvents and before the delete (or a delete that fails) leaves published items behind, which
are then published twice: consumers are idempotent on ``metadata.eventId``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters import aws
from shared.events.outbox import bus_entry, handover_age, is_outbox_key, written_at
from shared.observability import create_logger, create_metrics, create_tracer, entry_point

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

logger = create_logger()
metrics = create_metrics()
tracer = create_tracer()

PUT_EVENTS_MAX_ENTRIES = 10
BATCH_WRITE_MAX_ITEMS = 25
# Refused entries are put again after these pauses, within the invocation; what is still refused then waits
# for the stream's retry or the sweeper.
RETRY_BACKOFF_S = (0.1, 0.3)
# Below this much remaining time no further call is started, so the invocation ends before its timeout.
TIME_RESERVE_MS = 2_000

Sleep = Callable[[float], None]
RemainingMs = Callable[[], int]


@dataclass(frozen=True)
class OutboxRecord:
    """One outbox insert of a stream batch."""

    sequence_number: str
    table: str
    key: dict[str, str]  # pk, sk: what to delete once published
    entry: PutEventsRequestEntryTypeDef
    written_at: datetime | None


@dataclass(frozen=True)
class Outcome:
    published: tuple[OutboxRecord, ...]
    refused: tuple[OutboxRecord, ...]  # the bus did not take them
    handed_over: tuple[OutboxRecord, ...]  # too old to publish here: the sweeper's
    retry_from: str | None  # the sequence number the stream retries from, if any

    def response(self) -> dict[str, Any]:
        failures = [{"itemIdentifier": self.retry_from}] if self.retry_from else []
        return {"published": len(self.published), "batchItemFailures": failures}


def outbox_records(event: DynamoDBStreamEvent, bus_name: str) -> list[OutboxRecord]:
    """The batch's outbox inserts in stream order (the stream filter passes only those; this checks again)."""
    records: list[OutboxRecord] = []
    for record in event.records:
        change = record.dynamodb
        if record.event_name is not DynamoDBRecordEventName.INSERT or change is None:
            continue
        image = change.new_image
        pk, sk = str(image.get("pk", "")), str(image.get("sk", ""))
        if not is_outbox_key(pk) or change.sequence_number is None:
            continue
        records.append(
            OutboxRecord(
                sequence_number=change.sequence_number,
                table=_table_of(record.event_source_arn or ""),
                key={"pk": pk, "sk": sk},
                entry=bus_entry(image, bus_name),
                written_at=written_at(sk),
            )
        )
    return records


def _table_of(stream_arn: str) -> str:
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>
    return stream_arn.split(":table/", 1)[-1].split("/", 1)[0]


def put_entries(
    entries: Sequence[PutEventsRequestEntryTypeDef],
    client: EventBridgeClient,
    *,
    remaining_ms: RemainingMs,
    sleep: Sleep = time.sleep,
    backoff_s: Sequence[float] = RETRY_BACKOFF_S,
) -> set[int]:
    """Puts the entries in chunks of ten; the indices of those the bus still refused after retrying only them."""
    pending = list(range(len(entries)))
    for attempt in range(len(backoff_s) + 1):
        if attempt:
            if remaining_ms() < TIME_RESERVE_MS + backoff_s[attempt - 1] * 1000:
                break
            sleep(backoff_s[attempt - 1])
        pending = _put_once(entries, pending, client, remaining_ms)
        if not pending:
            break
    return set(pending)


def _put_once(
    entries: Sequence[PutEventsRequestEntryTypeDef],
    indices: list[int],
    client: EventBridgeClient,
    remaining_ms: RemainingMs,
) -> list[int]:
    refused: list[int] = []
    for start in range(0, len(indices), PUT_EVENTS_MAX_ENTRIES):
        chunk = indices[start : start + PUT_EVENTS_MAX_ENTRIES]
        if remaining_ms() < TIME_RESERVE_MS:
            return refused + indices[start:]
        try:
            response = client.put_events(Entries=[entries[i] for i in chunk])
        except (ClientError, BotoCoreError) as exc:
            # The bus (or the way to it) is away: the rest of this round would fail the same way.
            logger.warning("PutEvents failed", extra={"error": str(exc), "entries": len(chunk)})
            return refused + indices[start:]
        if response.get("FailedEntryCount"):
            results = response["Entries"]
            codes = sorted({r["ErrorCode"] for r in results if "ErrorCode" in r})
            logger.warning("The bus refused entries", extra={"errorCodes": codes})
            refused += [i for i, result in zip(chunk, results, strict=True) if "ErrorCode" in result]
    return refused


def delete_published(
    records: Iterable[OutboxRecord], client: DynamoDBClient, sleep: Sleep = time.sleep
) -> int:
    """Deletes the outbox items of published events; how many deletes could not be made (they stay, and the
    sweeper publishes them again: a duplicate, never a loss)."""
    by_table: dict[str, list[dict[str, str]]] = {}
    for record in records:
        by_table.setdefault(record.table, []).append(record.key)
    left = 0
    for table, keys in by_table.items():
        for start in range(0, len(keys), BATCH_WRITE_MAX_ITEMS):
            requests: list[Any] = [
                {"DeleteRequest": {"Key": {name: {"S": value} for name, value in key.items()}}}
                for key in keys[start : start + BATCH_WRITE_MAX_ITEMS]
            ]
            left += _batch_delete(table, requests, client, sleep)
    return left


def _batch_delete(table: str, requests: list[Any], client: DynamoDBClient, sleep: Sleep) -> int:
    for pause in (0.0, 0.05, 0.2):
        if pause:
            sleep(pause)
        try:
            response = client.batch_write_item(RequestItems={table: requests})
        except (ClientError, BotoCoreError) as exc:
            logger.warning("Deleting published outbox items failed", extra={"error": str(exc)})
            continue
        requests = list(response.get("UnprocessedItems", {}).get(table, []))
        if not requests:
            return 0
    return len(requests)


def publish_batch(
    records: Sequence[OutboxRecord],
    *,
    events: EventBridgeClient,
    dynamodb: DynamoDBClient,
    now: datetime,
    remaining_ms: RemainingMs,
    sleep: Sleep = time.sleep,
) -> Outcome:
    oldest = now - handover_age()
    mine = [i for i, r in enumerate(records) if r.written_at is None or r.written_at > oldest]
    refused_at = put_entries([records[i].entry for i in mine], events, remaining_ms=remaining_ms, sleep=sleep)
    refused = {mine[j] for j in refused_at}
    published = [i for i in mine if i not in refused]
    undeleted = delete_published([records[i] for i in published], dynamodb, sleep)
    if undeleted:
        logger.warning("Published outbox items stay until the sweeper", extra={"count": undeleted})
    # The stream retries from the first record of the batch's unpublished tail, if that tail holds a refused
    # record: it then gives back nothing that was published.
    tail = max(published, default=-1) + 1
    retry_from = records[tail].sequence_number if any(i >= tail for i in refused) else None
    return Outcome(
        published=tuple(records[i] for i in published),
        refused=tuple(records[i] for i in sorted(refused)),
        handed_over=tuple(records[i] for i in sorted(set(range(len(records))) - set(mine))),
        retry_from=retry_from,
    )


@entry_point(logger, metrics=metrics, tracer=tracer)
@event_source(data_class=DynamoDBStreamEvent)
def handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    records = outbox_records(event, os.environ["EVENT_BUS_NAME"])
    outcome = publish_batch(
        records,
        events=aws.events(),
        dynamodb=aws.dynamodb(),
        now=datetime.now(UTC),
        remaining_ms=context.get_remaining_time_in_millis,
    )
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(outcome.published))
    if outcome.refused:
        metrics.add_metric(name="EventsRefused", unit=MetricUnit.Count, value=len(outcome.refused))
    if outcome.handed_over:
        metrics.add_metric(name="EventsHandedOver", unit=MetricUnit.Count, value=len(outcome.handed_over))
    logger.info(
        "Published outbox events",
        extra={
            "count": len(outcome.published),
            "refused": len(outcome.refused),
            "handedOver": len(outcome.handed_over),
            "retryFrom": outcome.retry_from,
        },
    )
    return outcome.response()
