"""``Idempotency-Key``: a retried request is answered from what the first one did, and never done twice.

A key belongs to one route and one caller (its scope). Its record is written by the request's state change
itself: a :class:`RequestClaim` that the DynamoDB toolkit puts in the same transaction as the change (see
:mod:`shared.adapters.dynamodb`), so the change never exists without its record, nor the record without the
change, whatever crashes in between. The record keeps only hashes, the id of what was created or changed (its
subject) and its expiry; a retry is answered with that subject as it is now, by the route's own read, after
the route authorized (and audited) the retry exactly as a fresh request. See ADR 30.

- The same key and the same request: the first answer's status, for the subject as it is now.
- The same key and another request (body or path): 422.
- The same key at the same moment: one commits; the other is answered from its record, or gets 409 with
  ``Retry-After`` if the record was still being written when it gave up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Annotated, TypeVar

from aws_lambda_powertools.event_handler.openapi.params import Header

from shared.adapters import aws
from shared.adapters.dynamodb import Write, claiming, from_item, to_item
from shared.errors import DomainError
from shared.http.auth import caller_from_event
from shared.http.problems import ConflictProblem, ProblemError, UnprocessableProblem
from shared.messages import TEXTS

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent
    from mypy_boto3_dynamodb import DynamoDBClient
    from pydantic import BaseModel

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 128
# Printable ASCII, space to tilde: what every HTTP client can send in a header unchanged.
KEY_PATTERN = r"^[ -~]+$"
# Long enough to cover a citizen's retries across a flaky connection or a closed laptop lid.
EXPIRES_AFTER_SECONDS = 24 * 3600
RETRY_AFTER_SECONDS = 1
RECORD_PREFIX = "request#"

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=HEADER,
        min_length=1,
        max_length=MAX_KEY_LENGTH,
        pattern=KEY_PATTERN,
        description=f"Makes a retry safe: 1 to {MAX_KEY_LENGTH} printable ASCII characters, new for each new "
        "request (a UUID will do). A retry with the same key is answered as the first request was, for "
        "what it created or changed as it is now; the same key with another request is 422. A key belongs "
        f"to one route and one caller and is remembered for {EXPIRES_AFTER_SECONDS // 3600} hours.",
    ),
]
"""The header every idempotent route declares: ``idempotency_key: IdempotencyKey = None``."""

T = TypeVar("T")


class KeyTaken(ConflictProblem):
    """The key's record committed with another change first (a concurrent request with the same key).

    Not a domain Conflict: a use case that retries its conflicts must not try again a change that can only
    be refused the same way."""

    def __init__(self) -> None:
        super().__init__(f"This {HEADER} was used by another request at the same moment. Try again.")


def key_in_use() -> ConflictProblem:
    return ConflictProblem(
        TEXTS("key_in_use", header=HEADER),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


@dataclass(frozen=True)
class Record:
    """What a key's first request left: a hash of the request, and the id of what it created or changed."""

    fingerprint: str
    subject: str


@dataclass
class RequestClaim:
    """The record of one key, carried by the first write of the request that names its subject."""

    table: str
    record_id: str
    fingerprint: str
    now: int
    subject: str | None = None

    @property
    def pending(self) -> bool:
        return self.subject is None

    def write(self, subject: str) -> Write:
        item = to_item(
            {
                "id": self.record_id,
                "fingerprint": self.fingerprint,
                "subject": subject,
                "expiration": self.now + EXPIRES_AFTER_SECONDS,
            }
        )
        return Write(
            {
                "Put": {
                    "TableName": self.table,
                    "Item": item,
                    # An expired record that DynamoDB's TTL has not removed yet no longer holds the key.
                    "ConditionExpression": "attribute_not_exists(id) OR #expiration <= :now",
                    "ExpressionAttributeNames": {"#expiration": "expiration"},
                    "ExpressionAttributeValues": {":now": {"N": str(self.now)}},
                }
            },
            refusal=KeyTaken,
            contended=key_in_use,
        )

    def committed(self, subject: str) -> None:
        self.subject = subject


class RecordStore:
    """Records of keys, in the service's idempotency table (partition key ``id``, TTL ``expiration``)."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self.table_name = table_name
        self._client = client

    def find(self, record_id: str, now: int) -> Record | None:
        found = self._client.get_item(
            TableName=self.table_name, Key={"id": {"S": record_id}}, ConsistentRead=True
        ).get("Item")
        if not found:
            return None
        values = from_item(found)
        if int(values.get("expiration", 0)) <= now or "subject" not in values:
            return None
        return Record(fingerprint=str(values["fingerprint"]), subject=str(values["subject"]))

    def claim(self, record_id: str, fingerprint: str, now: int) -> RequestClaim:
        return RequestClaim(self.table_name, record_id, fingerprint, now)


@cache
def _store() -> RecordStore:
    return RecordStore(os.environ["TABLE_IDEMPOTENCY"], aws.dynamodb())


def _digest(text: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=")


def request_scope(event: BaseProxyEvent) -> str:
    """The route and the caller a key belongs to. Staff are one caller per staff id, whichever token they
    hold, so a token without a role or of another region meets the record and is refused by the route."""
    caller = caller_from_event(event.raw_event)
    if caller is None:
        who = "anonymous"
    elif caller.is_staff and caller.staff_id:
        who = f"staff:{caller.staff_id}"
    else:
        who = f"{caller.principal_type}:{caller.subject}"
    # The route's template (``/reports/v1/reports/{caseNumber}/notes``) where API Gateway gives it.
    route = event.raw_event.get("resource") or event.path
    return f"{event.http_method} {route}\n{who}"


def request_fingerprint(event: BaseProxyEvent, request: BaseModel | None) -> str:
    """The request as the key remembers it: its path (a key used on another case is another request) and
    its parsed body, so whitespace and field order do not matter."""
    body = request.model_dump(mode="json", by_alias=True) if request is not None else None
    return _digest(json.dumps({"path": event.path, "body": body}, sort_keys=True, ensure_ascii=False))


def record_id(scope: str, key: str) -> str:
    """Hashed, so the record holds nothing of the caller or the key."""
    return RECORD_PREFIX + _digest(f"{scope}\n{key}")


def run_once(
    *,
    key: str | None,
    scope: str,
    fingerprint: str,
    create: Callable[[], T],
    replay: Callable[[str], T],
    store: RecordStore | None = None,
    now: Callable[[], float] = time.time,
) -> T:
    """``create`` once per (scope, key); a retry is ``replay(subject)``. Without a key, simply ``create``.

    ``create`` commits the key's record with its change through the toolkit's writes. ``replay`` must
    authorize (and audit) the caller as ``create`` would, then read the subject as it is now.
    """
    if key is None:
        return create()
    records = store or _store()
    rid = record_id(scope, key)
    found = records.find(rid, int(now()))
    if found is not None:
        return _again(found, fingerprint, replay)
    try:
        with claiming(records.claim(rid, fingerprint, int(now()))):
            return create()
    except (DomainError, ProblemError):
        # Refused, perhaps because a request with the same key committed meanwhile: then that one answers.
        found = records.find(rid, int(now()))
        if found is None:
            raise
        return _again(found, fingerprint, replay)


def _again(found: Record, fingerprint: str, replay: Callable[[str], T]) -> T:
    if found.fingerprint != fingerprint:
        raise UnprocessableProblem(TEXTS("key_reused", header=HEADER))
    return replay(found.subject)
