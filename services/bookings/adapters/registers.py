"""Reference data and registers in the bookings table, and the per-client rate limit.

Item layout (pk / sk):
- ``RECEPTIONS`` / ``<receptionId>``: a passport reception as JSON in ``body``.
- ``PERSON#<personnummer>`` / ``POPULATION``: ``guardians`` and ``children`` as the population register says
  (locally: seeded, synthetic people).
- ``DOCUMENT#<documentNumber>`` / ``DOCUMENT``: an issued passport or national ID card: ``documentType``,
  ``holderPersonnummer``, ``expiryDate``, ``blocked``, and with the block, written once and never again:
  ``blockReason``, ``blockedByCase``, ``blockedAt``.
- ``DOCUMENT#<documentNumber>`` / ``ANSWER#<caseNumber>#<documentType>``: a report's block request answered
  without a block (refused, or blocked before): ``answer`` (the event's type) and ``answeredAt``. Written once,
  with the answering event, so a request delivered again is not answered again.
- ``CASE#<caseNumber>`` / ``OWNER``: whose case it is (``ownerRef``), learned from the owning service's events.
- ``RATE#<scope>#<client>`` / ``<window>``: requests a client made in one window; expires after it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

from services.bookings.domain.ports import Events, IssuedDocument, IssuedDocumentType
from services.bookings.domain.receptions import Reception
from shared.adapters.dynamodb import (
    Write,
    epoch,
    from_body,
    from_item,
    outbox_puts,
    put_all,
    put_if_absent,
    query_all,
    to_item,
    transact,
)
from shared.events.contracts.bookings import SOURCE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

RECEPTIONS = "RECEPTIONS"


class DynamoDbReceptionDirectory:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def all(self) -> list[Reception]:
        query = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :receptions",
            "ExpressionAttributeValues": to_item({":receptions": RECEPTIONS}),
        }
        return [from_body(Reception, i) for i in query_all(self._client, query)]

    def get(self, reception_id: str) -> Reception | None:
        found = self._client.get_item(
            TableName=self._table, Key=to_item({"pk": RECEPTIONS, "sk": reception_id})
        ).get("Item")
        return from_body(Reception, found) if found else None

    def put_all(self, receptions: Iterable[Reception]) -> None:
        put_all(
            self._client,
            self._table,
            [to_item({"pk": RECEPTIONS, "sk": r.id, "body": r.model_dump_json()}) for r in receptions],
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
            Key=to_item({"pk": f"PERSON#{personnummer}", "sk": "POPULATION"}),
            ProjectionExpression="#relation",
            ExpressionAttributeNames={"#relation": relation},
        ).get("Item")
        return frozenset(from_item(found).get(relation, set())) if found else frozenset()

    def put_families(self, guardianship: Iterable[tuple[str, str]]) -> None:
        """Record each (guardian, child) pair, in both directions."""
        guardians: dict[str, set[str]] = {}
        children: dict[str, set[str]] = {}
        for guardian, child in guardianship:
            children.setdefault(guardian, set()).add(child)
            guardians.setdefault(child, set()).add(guardian)
        people = sorted(set(guardians) | set(children))
        put_all(
            self._client,
            self._table,
            [
                to_item(
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


class _NotBlockable(Exception):
    """The document is not held as requested, or is blocked already: the condition of a block failed."""


class _AnsweredBefore(Exception):
    """The report's request was answered before: the answer's record is there."""


class DynamoDbDocumentRegister:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def find(self, document_number: str) -> IssuedDocument | None:
        found = self._client.get_item(
            TableName=self._table,
            Key=to_item({"pk": f"DOCUMENT#{document_number}", "sk": "DOCUMENT"}),
            ConsistentRead=True,
        ).get("Item")
        if not found:
            return None
        values = from_item(found)
        blocked_at = values.get("blockedAt")
        return IssuedDocument(
            number=document_number,
            type=IssuedDocumentType(values["documentType"]),
            holder_personnummer=values["holderPersonnummer"],
            expiry_date=date.fromisoformat(values["expiryDate"]),
            blocked=bool(values.get("blocked", False)),
            blocked_by_case=values.get("blockedByCase"),
            blocked_at=datetime.fromisoformat(blocked_at) if blocked_at else None,
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
        # One transaction: the block and its record, only on a document not yet blocked (so a repeated
        # request never overwrites the first block's record), and the event that answers the report.
        update = Write(
            {
                "Update": {
                    "TableName": self._table,
                    "Key": to_item({"pk": f"DOCUMENT#{document_number}", "sk": "DOCUMENT"}),
                    "UpdateExpression": (
                        "SET blocked = :blocked, blockReason = :reason, blockedByCase = :case, blockedAt = :at"
                    ),
                    "ConditionExpression": (
                        "attribute_exists(pk) AND holderPersonnummer = :holder AND documentType = :type "
                        "AND (attribute_not_exists(blocked) OR blocked = :unblocked)"
                    ),
                    "ExpressionAttributeValues": to_item(
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
            },
            refusal=_NotBlockable,
        )
        try:
            transact(
                self._client,
                [update, *outbox_puts(self._table, events, source=SOURCE)],
                conflict=f"Document of case {case_number} changed meanwhile",
            )
        except _NotBlockable:
            return False
        return True

    def answer(self, document_number: str, *, document_type: str, case_number: str, events: Events) -> bool:
        record = {
            "pk": f"DOCUMENT#{document_number}",
            "sk": f"ANSWER#{case_number}#{document_type}",
            "answer": ",".join(e.metadata.event_type for e in events),
            "answeredAt": max(e.metadata.occurred_at for e in events).isoformat(),
        }
        try:
            transact(
                self._client,
                [
                    put_if_absent(self._table, to_item(record), refusal=_AnsweredBefore),
                    *outbox_puts(self._table, events, source=SOURCE),
                ],
                conflict=f"The answer to case {case_number} is already stored",
            )
        except _AnsweredBefore:
            return False
        return True

    def put_all(self, documents: Iterable[IssuedDocument]) -> None:
        put_all(
            self._client,
            self._table,
            [
                to_item(
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
            Key=to_item({"pk": f"CASE#{case_number}", "sk": "OWNER"}),
            ConsistentRead=True,
        ).get("Item")
        return str(from_item(found)["ownerRef"]) if found else None

    def record(self, case_number: str, *, owner_ref: str, case_type: str, region: str) -> None:
        self._client.put_item(
            TableName=self._table,
            Item=to_item(
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
            Key=to_item({"pk": f"RATE#{scope}#{hashed}", "sk": str(window)}),
            UpdateExpression="ADD requests :one SET expiresAt = :expires",
            ExpressionAttributeValues=to_item({":one": 1, ":expires": ends + self._window_s}),
            ReturnValues="UPDATED_NEW",
        )
        spent = int(response["Attributes"]["requests"]["N"])
        return 0 if spent <= self._limit else max(1, ends - epoch(now))
