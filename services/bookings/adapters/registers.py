"""Reference data and registers in the bookings table, and the per-client rate limit.

Item layout (pk / sk):
- ``RECEPTIONS`` / ``<receptionId>``: a passport reception as JSON in ``body``.
- ``PERSON#<personnummer>`` / ``POPULATION``: ``guardians`` and ``children`` as the population register says
  (locally: seeded, synthetic people).
- ``DOCUMENT#<documentNumber>`` / ``DOCUMENT``: an issued passport or national ID card: ``documentType``,
  ``holderPersonnummer``, ``expiryDate``, ``blocked`` (and why and when).
- ``CASE#<caseNumber>`` / ``OWNER``: whose case it is (``ownerRef``), learned from the owning service's events.
- ``RATE#<scope>#<client>`` / ``<window>``: requests a client made in one window; expires after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from services.bookings.adapters.dynamodb import epoch, item, plain
from services.bookings.domain.ports import Events, IssuedDocument, IssuedDocumentType
from services.bookings.domain.receptions import Reception
from shared.events.contracts.bookings import SOURCE
from shared.events.outbox import outbox_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

RECEPTIONS = "RECEPTIONS"
_BATCH = 25  # BatchWriteItem's limit


def _outbox_puts(table: str, events: Events) -> list[TransactWriteItemTypeDef]:
    return [{"Put": {"TableName": table, "Item": item(outbox_item(e, source=SOURCE))}} for e in events]


class DynamoDbReceptionDirectory:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def all(self) -> list[Reception]:
        receptions: list[Reception] = []
        request = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :receptions",
            "ExpressionAttributeValues": item({":receptions": RECEPTIONS}),
        }
        while True:
            response = self._client.query(**request)  # type: ignore[arg-type]
            receptions.extend(Reception.model_validate_json(plain(i)["body"]) for i in response["Items"])
            if "LastEvaluatedKey" not in response:
                return receptions
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def get(self, reception_id: str) -> Reception | None:
        found = self._client.get_item(
            TableName=self._table, Key=item({"pk": RECEPTIONS, "sk": reception_id})
        ).get("Item")
        return Reception.model_validate_json(plain(found)["body"]) if found else None

    def put_all(self, receptions: Iterable[Reception]) -> None:
        _write_all(
            self._client,
            self._table,
            [item({"pk": RECEPTIONS, "sk": r.id, "body": r.model_dump_json()}) for r in receptions],
        )


class DynamoDbPopulationRegister:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def guardians_of(self, child_personnummer: str) -> frozenset[str]:
        return self._related(child_personnummer, "guardians")

    def children_of(self, guardian_personnummer: str) -> frozenset[str]:
        return self._related(guardian_personnummer, "children")

    def _related(self, personnummer: str, relation: str) -> frozenset[str]:
        found = self._client.get_item(
            TableName=self._table,
            Key=item({"pk": f"PERSON#{personnummer}", "sk": "POPULATION"}),
            ProjectionExpression="#relation",
            ExpressionAttributeNames={"#relation": relation},
        ).get("Item")
        return frozenset(plain(found).get(relation, set())) if found else frozenset()

    def put_families(self, guardianship: Iterable[tuple[str, str]]) -> None:
        """Record each (guardian, child) pair, in both directions."""
        guardians: dict[str, set[str]] = {}
        children: dict[str, set[str]] = {}
        for guardian, child in guardianship:
            children.setdefault(guardian, set()).add(child)
            guardians.setdefault(child, set()).add(guardian)
        people = sorted(set(guardians) | set(children))
        _write_all(
            self._client,
            self._table,
            [
                item(
                    {
                        "pk": f"PERSON#{person}",
                        "sk": "POPULATION",
                        # DynamoDB refuses empty sets: a relation nobody has is left out.
                        "guardians": guardians.get(person) or None,
                        "children": children.get(person) or None,
                    }
                )
                for person in people
            ],
        )


class DynamoDbDocumentRegister:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def find(self, document_number: str) -> IssuedDocument | None:
        found = self._client.get_item(
            TableName=self._table,
            Key=item({"pk": f"DOCUMENT#{document_number}", "sk": "DOCUMENT"}),
            ConsistentRead=True,
        ).get("Item")
        if not found:
            return None
        values = plain(found)
        return IssuedDocument(
            number=document_number,
            type=IssuedDocumentType(values["documentType"]),
            holder_personnummer=values["holderPersonnummer"],
            expiry_date=date.fromisoformat(values["expiryDate"]),
            blocked=bool(values.get("blocked", False)),
        )

    def block(
        self,
        document_number: str,
        *,
        document_type: IssuedDocumentType,
        holder_personnummer: str,
        reason: str,
        case_number: str,
        blocked_at: datetime,
        events: Events,
    ) -> bool:
        update: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self._table,
                "Key": item({"pk": f"DOCUMENT#{document_number}", "sk": "DOCUMENT"}),
                "UpdateExpression": (
                    "SET blocked = :blocked, blockReason = :reason, blockedByCase = :case, blockedAt = :at"
                ),
                "ConditionExpression": (
                    "attribute_exists(pk) AND holderPersonnummer = :holder AND documentType = :type "
                    "AND (attribute_not_exists(blocked) OR blocked = :unblocked)"
                ),
                "ExpressionAttributeValues": item(
                    {
                        ":blocked": True,
                        ":unblocked": False,
                        ":reason": reason,
                        ":case": case_number,
                        ":at": blocked_at.isoformat(),
                        ":holder": holder_personnummer,
                        ":type": document_type.value,
                    }
                ),
            }
        }
        try:
            self._client.transact_write_items(TransactItems=[update, *_outbox_puts(self._table, events)])
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException" and any(
                r.get("Code") == "ConditionalCheckFailed"
                for r in error.response.get("CancellationReasons", [])
            ):
                return False
            raise
        return True

    def publish(self, events: Events) -> None:
        if events:
            self._client.transact_write_items(TransactItems=_outbox_puts(self._table, events))

    def put_all(self, documents: Iterable[IssuedDocument]) -> None:
        _write_all(
            self._client,
            self._table,
            [
                item(
                    {
                        "pk": f"DOCUMENT#{d.number}",
                        "sk": "DOCUMENT",
                        "documentType": d.type.value,
                        "holderPersonnummer": d.holder_personnummer,
                        "expiryDate": d.expiry_date.isoformat(),
                        "blocked": d.blocked,
                    }
                )
                for d in documents
            ],
        )


class DynamoDbCaseOwnership:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def owner_of(self, case_number: str) -> str | None:
        found = self._client.get_item(
            TableName=self._table,
            Key=item({"pk": f"CASE#{case_number}", "sk": "OWNER"}),
            ConsistentRead=True,
        ).get("Item")
        return str(plain(found)["ownerRef"]) if found else None

    def record(self, case_number: str, *, owner_ref: str, case_type: str, region: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=item(
                {
                    "pk": f"CASE#{case_number}",
                    "sk": "OWNER",
                    "ownerRef": owner_ref,
                    "caseType": case_type,
                    "region": region,
                }
            ),
        )


class DynamoDbRateLimiter:
    """At most ``limit`` requests per client and scope in each fixed window of ``window_s`` seconds.

    Clients are told apart by their address, kept only as a hash (an address is personal data)."""

    def __init__(self, table_name: str, client: DynamoDBClient, *, limit: int, window_s: int = 60) -> None:
        if limit < 1 or window_s < 1:
            raise ValueError("a rate limit needs a positive limit and window")
        self._table = table_name
        self._client = client
        self._limit = limit
        self._window_s = window_s

    def spend(self, scope: str, client: str, now: datetime) -> int:
        window = epoch(now) // self._window_s
        ends = (window + 1) * self._window_s
        hashed = hashlib.sha256(client.encode()).hexdigest()[:32]
        response = self._client.update_item(
            TableName=self._table,
            Key=item({"pk": f"RATE#{scope}#{hashed}", "sk": str(window)}),
            UpdateExpression="ADD requests :one SET expiresAt = :expires",
            ExpressionAttributeValues=item({":one": 1, ":expires": ends + self._window_s}),
            ReturnValues="UPDATED_NEW",
        )
        spent = int(response["Attributes"]["requests"]["N"])
        return 0 if spent <= self._limit else max(1, ends - epoch(now))


def _write_all(client: DynamoDBClient, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), _BATCH):
        pending: dict[str, Any] = {
            table: [{"PutRequest": {"Item": i}} for i in items[start : start + _BATCH]]
        }
        while pending:
            pending = dict(client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {})
