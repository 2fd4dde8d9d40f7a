"""What every service's DynamoDB adapters do with items, in one place.

- Typed attribute maps: :func:`to_item`, :func:`from_item`; a model kept in one attribute: :func:`to_body`
  (JSON, compressed: a write costs a unit per started KB, and JSON shrinks to a third) and :func:`from_body`
  (either that or plain JSON).
- Times in sort keys: :func:`sortable` (microseconds) and :func:`sortable_seconds`, UTC with a fixed width, so
  the text order of keys is their time order; :func:`parse_sortable` reads either back.
- Reads: :func:`query_page` (one page and where the next starts, refusing a start in another partition),
  :func:`query_all` (every page), :func:`get_all` (items by key, in their keys' order: what a keys-only index
  page points at).
- Batch puts: :func:`put_all` (25 at a time, retrying what DynamoDB hands back unprocessed).
- Writes that can be refused: :class:`Write` pairs one item of a transaction with the domain error its failed
  condition stands for; :func:`transact` writes them all or none, and :func:`conditional_put` writes one.
- Outbox items: :func:`outbox_puts`, always built by :func:`shared.events.outbox.outbox_item`.

A request may carry a :class:`Claim` (an idempotency record, see :mod:`shared.http.idempotency`) that must
commit with the request's state change or not at all. A write that names its ``subject`` (the id, in the
domain's terms, of what it creates or changes) takes the claim along: the claim becomes the first item of the
transaction, and a single conditional put becomes a transaction of two. Writes that are not the request's
change (an audit record of a read, a consumer's work) name no subject and never carry it.
"""

from __future__ import annotations

import random
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from shared.errors import Conflict, ForeignPageStart
from shared.events.outbox import outbox_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, WriteRequestTypeDef
    from pydantic import BaseModel

    from shared.events.envelope import Envelope, EventData

BATCH_WRITE_MAX = 25
# DynamoDB cancels a transaction that meets another one on the same item (TransactionConflict); it is tried
# again, with jittered backoff, until a condition decides or the attempts run out.
TRANSACT_ATTEMPTS = 6
BACKOFF_BASE_S = 0.02
# Unprocessed batch writes (throttling) are handed back; after this many rounds the batch fails loudly.
BATCH_ROUNDS = 10

_SECONDS = "%Y-%m-%dT%H:%M:%SZ"
_MICROSECONDS = "%Y-%m-%dT%H:%M:%S.%fZ"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Model = TypeVar("Model", bound="BaseModel")
Refusal = Callable[[], Exception]


# --- attribute maps --------------------------------------------------------------------------------------


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as DynamoDB attribute values; a ``None`` leaves its attribute out (sparse index keys)."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """Plain Python values of an item (numbers come back as ``Decimal``)."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def to_body(model: BaseModel) -> bytes:
    """The model as its item keeps it: JSON without the fields that are None, compressed. It reads back the
    same where every field that may be None defaults to None (the models kept so are tested for it)."""
    return zlib.compress(model.model_dump_json(exclude_none=True).encode(), level=9)


def from_body(model: type[Model], item: Mapping[str, Any], attribute: str = "body") -> Model:
    """The model kept in the item's ``body``: compressed JSON (:func:`to_body`), or JSON as text."""
    value = _deserializer.deserialize(item[attribute])
    if isinstance(value, str):
        return model.model_validate_json(value)
    return model.model_validate_json(zlib.decompress(bytes(value)))


# --- times in keys ---------------------------------------------------------------------------------------


def sortable(moment: datetime) -> str:
    """UTC to the microsecond with a fixed width: ``2026-11-24T08:15:00.000000Z``."""
    return moment.astimezone(UTC).strftime(_MICROSECONDS)


def sortable_seconds(moment: datetime) -> str:
    """UTC to the second with a fixed width: ``2026-11-24T08:15:00Z``."""
    return moment.astimezone(UTC).strftime(_SECONDS)


def parse_sortable(text: str) -> datetime:
    """The instant of a :func:`sortable` or :func:`sortable_seconds` key."""
    return datetime.strptime(text, _MICROSECONDS if "." in text else _SECONDS).replace(tzinfo=UTC)


def epoch(moment: datetime) -> int:
    """Seconds since 1970, as DynamoDB's TTL wants them."""
    return int(moment.timestamp())


# --- reads -----------------------------------------------------------------------------------------------


def query_page(
    client: DynamoDBClient, query: dict[str, Any], start: Mapping[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of ``query`` from ``start`` on, and where the next page starts (``None`` after the last).
    Both ends are plain values (see :func:`from_item`), for the caller's pagination token. A ``start`` outside
    the partition the query reads (a genuine token of someone else's list) is refused: ForeignPageStart."""
    request = dict(query)
    if start:
        name, value = _partition(query)
        if start.get(name) != value:
            raise ForeignPageStart()
        request["ExclusiveStartKey"] = to_item(start)
    response = client.query(**request)
    last = response.get("LastEvaluatedKey")
    return list(response.get("Items", [])), from_item(last) if last else None


def _partition(query: Mapping[str, Any]) -> tuple[str, Any]:
    """The partition key's name and plain value of a query: the first ``name = :value`` of its key
    condition (``#name`` resolved through ``ExpressionAttributeNames``)."""
    condition = str(query["KeyConditionExpression"]).split(" AND ")[0]
    name, _, placeholder = (part.strip() for part in condition.partition("="))
    name = query.get("ExpressionAttributeNames", {}).get(name, name)
    return name, _deserializer.deserialize(query["ExpressionAttributeValues"][placeholder])


def query_all(client: DynamoDBClient, query: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Every item ``query`` matches, page after page."""
    request = dict(query)
    while True:
        response = client.query(**request)
        yield from response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        request["ExclusiveStartKey"] = last


BATCH_GET_MAX = 100


def get_all(
    client: DynamoDBClient,
    table: str,
    keys: Sequence[Mapping[str, Any]],
    *,
    backoff: Callable[[int], None] | None = None,
) -> list[dict[str, Any]]:
    """The items of ``keys`` (attribute maps), read consistently, in the order of ``keys``; a key without an
    item is left out. BatchGetItem may hand keys back under throttling; those are asked again after a pause."""
    pause = backoff or _jittered_sleep
    found: dict[str, dict[str, Any]] = {}
    for first in range(0, len(keys), BATCH_GET_MAX):
        pending: Any = {table: {"Keys": list(keys[first : first + BATCH_GET_MAX]), "ConsistentRead": True}}
        for round_ in range(1, BATCH_ROUNDS + 1):
            response = client.batch_get_item(RequestItems=pending)
            for item in response.get("Responses", {}).get(table, []):
                found[_key_text(item, keys[0])] = item
            unprocessed = response.get("UnprocessedKeys") or {}
            pending = {name: {**left, "ConsistentRead": True} for name, left in unprocessed.items()}
            if not pending:
                break
            pause(round_)
        else:
            raise RuntimeError(f"reads of {table} stayed unprocessed after {BATCH_ROUNDS} rounds")
    return [found[text] for key in keys if (text := _key_text(key, key)) in found]


def _key_text(item: Mapping[str, Any], key: Mapping[str, Any]) -> str:
    return repr([(name, item[name]) for name in sorted(key)])


# --- batch puts ------------------------------------------------------------------------------------------


def put_all(
    client: DynamoDBClient,
    table: str,
    rows: Sequence[dict[str, Any]],
    *,
    backoff: Callable[[int], None] | None = None,
) -> None:
    """Put ``rows`` (attribute maps) in batches of 25. BatchWriteItem may leave writes undone under
    throttling and hands them back; those are sent again after a pause, until none is left."""
    pause = backoff or _jittered_sleep
    requests: list[WriteRequestTypeDef] = [{"PutRequest": {"Item": row}} for row in rows]
    for first in range(0, len(requests), BATCH_WRITE_MAX):
        pending: dict[str, list[WriteRequestTypeDef]] = {table: requests[first : first + BATCH_WRITE_MAX]}
        for round_ in range(1, BATCH_ROUNDS + 1):
            unprocessed = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            pending = cast(dict[str, list["WriteRequestTypeDef"]], unprocessed)
            if not pending:
                break
            pause(round_)
        else:
            left = sum(len(writes) for writes in pending.values())
            raise RuntimeError(f"{left} writes to {table} stayed unprocessed after {BATCH_ROUNDS} rounds")


# --- writes that can be refused --------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One item of a transaction, the refusal its failed condition stands for (``None``: the transaction's
    general conflict), and what to raise if it is still contended when the attempts run out."""

    request: TransactWriteItemTypeDef
    refusal: Refusal | None = None
    contended: Refusal | None = None


def put(table: str, item: dict[str, Any]) -> Write:
    return Write({"Put": {"TableName": table, "Item": item}})


def put_if_absent(
    table: str, item: dict[str, Any], *, key: str = "pk", refusal: Refusal | None = None
) -> Write:
    return Write(
        {"Put": {"TableName": table, "Item": item, "ConditionExpression": f"attribute_not_exists({key})"}},
        refusal,
    )


def put_if_version(
    table: str, item: dict[str, Any], expected_version: int, *, refusal: Refusal | None = None
) -> Write:
    """Replace an item whose ``version`` is still the one read (optimistic locking)."""
    return Write(
        {
            "Put": {
                "TableName": table,
                "Item": item,
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        },
        refusal,
    )


def outbox_puts(table: str, events: Sequence[Envelope[EventData]], *, source: str) -> list[Write]:
    """The outbox items of ``events`` (see :mod:`shared.events.outbox`), for the state change's transaction."""
    return [put(table, to_item(outbox_item(event, source=source))) for event in events]


class Claim(Protocol):
    """A write that must commit with a request's state change, once: the first transaction naming a subject
    carries it; later ones in the same request do not."""

    @property
    def pending(self) -> bool:
        """Not yet committed with a change."""
        ...

    def write(self, subject: str) -> Write:
        """The claim as a write of the transaction that creates or changes ``subject``; its refusal says the
        claim was already taken."""
        ...

    def committed(self, subject: str) -> None:
        """The transaction carrying the claim committed."""
        ...


_claim: ContextVar[Claim | None] = ContextVar("dynamodb_claim", default=None)


@contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    """Within the block, the first write that names a subject carries ``claim``."""
    token = _claim.set(claim)
    try:
        yield claim
    finally:
        _claim.reset(token)


def pending_claim(subject: str | None) -> Claim | None:
    """The claim a write about ``subject`` must carry, if any."""
    claim = _claim.get()
    if subject is None or claim is None or not claim.pending:
        return None
    return claim


def transact(
    client: DynamoDBClient,
    writes: Sequence[Write],
    *,
    conflict: str,
    subject: str | None = None,
    attempts: int = TRANSACT_ATTEMPTS,
    busy: Refusal | None = None,
    backoff: Callable[[int], None] | None = None,
) -> None:
    """Write ``writes`` all or none.

    A failed condition raises the refusal of the first write whose condition failed, or ``Conflict(conflict)``
    for a write without one. A transaction that met another on the same item is tried again until a
    condition decides; when ``attempts`` run out, the contended write's own error is raised, else ``busy``
    (by default a Conflict to try again). ``subject`` names what the change creates or changes, so that the
    request's claim, if any, commits with it (see :class:`Claim`).
    """
    claim = pending_claim(subject)
    if claim is not None and subject is not None:
        writes = [claim.write(subject), *writes]
    pause = backoff or _jittered_sleep
    for attempt in range(1, attempts + 1):
        try:
            client.transact_write_items(TransactItems=[w.request for w in writes])
        except ClientError as error:
            if error.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            codes = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            for write, code in zip(writes, codes, strict=False):
                if code == "ConditionalCheckFailed":
                    raise (write.refusal or (lambda: Conflict(conflict)))() from error
            if "TransactionConflict" not in codes:
                raise
            if attempt == attempts:
                for write, code in zip(writes, codes, strict=False):
                    if code == "TransactionConflict" and write.contended is not None:
                        raise write.contended() from error
                raise (busy or _busy)() from error
            pause(attempt)
        else:
            if claim is not None and subject is not None:
                claim.committed(subject)
            return


def conditional_put(
    client: DynamoDBClient,
    table: str,
    item: dict[str, Any],
    *,
    condition: str,
    refusal: Refusal,
    values: dict[str, Any] | None = None,
    names: dict[str, str] | None = None,
    subject: str | None = None,
) -> None:
    """Put one item if ``condition`` holds, else raise ``refusal()``. With a claim to carry (see
    :func:`transact`) it is a transaction of two; otherwise a plain conditional put, at half the cost."""
    request: dict[str, Any] = {"TableName": table, "Item": item, "ConditionExpression": condition}
    if values:
        request["ExpressionAttributeValues"] = values
    if names:
        request["ExpressionAttributeNames"] = names
    if pending_claim(subject) is not None:
        write = Write(cast("TransactWriteItemTypeDef", {"Put": request}), refusal)
        transact(client, [write], conflict="The item changed meanwhile", subject=subject)
        return
    try:
        client.put_item(**request)
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise refusal() from error
        raise


def _busy() -> Exception:
    return Conflict("Others are changing the same thing right now. Try again in a moment.")


def _jittered_sleep(attempt: int) -> None:
    time.sleep(random.uniform(0, BACKOFF_BASE_S * 2**attempt))  # noqa: S311 - jitter, not a secret
