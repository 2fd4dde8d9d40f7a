"""The transactional outbox: an event is written in the same DynamoDB transaction as the state change it
reports, so none is published for a change that did not commit, and none that committed is lost.

Two paths take an outbox item to the bus (ADR 40):

- the fast one: the table's stream feeds :mod:`shared.events.publisher`, which puts the event on the bus and
  then deletes the item, within a second or so;
- the sure one: :mod:`shared.events.sweeper`, on a schedule, republishes every item still there after
  :func:`sweep_after` (the publisher failed, the bus was away, the stream gave up), however late.

So an item that is still in the outbox is an event not yet known to be on the bus: there is no TTL on it.
Items are keyed by the hour they were written in (``pk``), spread over a few shards so that one hour's key
never becomes a hot partition, and sorted by the moment they were written (``sk``), which is how the sweeper
finds what is old enough without an index and without reading what the stream is still handling.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Type hints only: the publisher imports this module and must not pay for pydantic at cold start.
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

    from shared.events.envelope import Envelope, EventData

OUTBOX_PREFIX = "OUTBOX#"
BUCKET = timedelta(hours=1)
# One hour's items are spread over this many partition keys: a single key takes at most 1,000 write units a
# second, and a key whose sort keys only grow is never split for heat.
SHARDS = 4
# Where the sweeper keeps the oldest bucket that may still hold an item; not an outbox key, so the stream
# filter (``OUTBOX#`` inserts) never hands it to the publisher.
WATERMARK_KEY = {"pk": "OUTBOX-SWEEP", "sk": "WATERMARK"}

# The physical names of a service's tables that hold an outbox (its streamed tables), comma-separated.
OUTBOX_TABLES_VARIABLE = "OUTBOX_TABLES"
SWEEP_AFTER_VARIABLE = "OUTBOX_SWEEP_AFTER_S"
DEFAULT_SWEEP_AFTER = timedelta(minutes=2)
# An event still in the outbox this long after it was written is late: the sweeper counts it in the metric
# ``OutboxEventsBehind``, which alarms.
BEHIND_AFTER = timedelta(minutes=5)

_BUCKET_FORMAT = "%Y-%m-%dT%H"


def outbox_item(event: Envelope[EventData], *, source: str, now: datetime | None = None) -> dict[str, Any]:
    """The outbox item (plain Python values) for one event, ready for a transactional Put.

    ``now`` is when the item is written (the wall clock by default, which the sweeper also reads), not when
    the event occurred: a domain clock may be set to any day.
    """
    written = (now or datetime.now(UTC)).astimezone(UTC)
    event_id = event.metadata.event_id
    return {
        "pk": bucket_key(written, shard_of(event_id)),
        "sk": f"{stamp(written)}#{event_id}",
        "source": source,
        "detailType": event.metadata.event_type,
        "detail": event.detail_json(),
    }


def is_outbox_key(pk: str) -> bool:
    return pk.startswith(OUTBOX_PREFIX)


def shard_of(event_id: str) -> int:
    return zlib.crc32(event_id.encode()) % SHARDS


def bucket_start(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def bucket_name(moment: datetime) -> str:
    return bucket_start(moment).strftime(_BUCKET_FORMAT)


def parse_bucket(name: str) -> datetime:
    return datetime.strptime(name, _BUCKET_FORMAT).replace(tzinfo=UTC)


def bucket_key(moment: datetime, shard: int) -> str:
    return f"{OUTBOX_PREFIX}{bucket_name(moment)}#{shard}"


def buckets(first: datetime, last: datetime) -> Iterator[datetime]:
    """The start of every bucket from the one holding ``first`` to the one holding ``last``."""
    bucket, end = bucket_start(first), bucket_start(last)
    while bucket <= end:
        yield bucket
        bucket += BUCKET


def stamp(moment: datetime) -> str:
    """Milliseconds, UTC, fixed width: sort keys compare as the moments do."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def written_at(sort_key: str) -> datetime | None:
    """When an outbox item was written, read from its sort key; None for a key of another shape."""
    moment, separator, _ = sort_key.partition("#")
    if not separator:
        return None
    try:
        return datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def sweep_after() -> timedelta:
    """How old an item must be before the sweeper republishes it. The publisher leaves an item alone from a
    third of that age on (:func:`handover_age`): the rest is the margin for a publisher invocation already
    under way, so the two do not publish the same item at the same time."""
    configured = os.environ.get(SWEEP_AFTER_VARIABLE)
    return timedelta(seconds=float(configured)) if configured else DEFAULT_SWEEP_AFTER


def handover_age() -> timedelta:
    return sweep_after() / 3


def bus_entry(item: Mapping[str, Any], bus_name: str) -> PutEventsRequestEntryTypeDef:
    """The PutEvents entry for an outbox item (its attributes as plain strings)."""
    return {
        "EventBusName": bus_name,
        "Source": str(item["source"]),
        "DetailType": str(item["detailType"]),
        "Detail": str(item["detail"]),
    }
