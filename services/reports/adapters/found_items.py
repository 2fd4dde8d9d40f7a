"""Found items (hittegods) and the matching indexes, in the reports table.

Item layout (pk / sk):
- ``FOUND#<id>`` / ``FOUND``: the found item as JSON in ``body``, ``status``, ``version``;
  ``queueKey`` ``FOUNDITEMS#<region>`` / ``queueSort`` ``<registeredAt>#<id>`` list a region's items (index
  ``byRegionQueue``, shared with the report and tip queues); while a period runs, ``dueKey``
  ``FOUNDDUE#<region>`` / ``dueAt`` (when it ends, UTC) put it in the deadline job's index ``byDeadline``.
- ``FOUNDID#<matching key>`` / ``FOUND#<id>``: an identifying number of a found item.
- ``FOUNDCAT#<region found in>#<category>`` / ``<foundAt>#<id>``: found items by place, category and time.
  Both found-item indexes expire (``expiresAt``) a month after the owner's 3 months: the item is no longer
  matched then.
- ``REPORTED#<matching key>`` / ``REPORT#<caseNumber>``: an identifying number named in a loss or theft
  report.
- ``LOST#<region>#<category>`` / ``<occurredTo>#<caseNumber>``: a loss report by place, category and the end
  of its loss period (``occurredFrom`` alongside).

Times in sort keys are UTC with a fixed width, so that their text order is their time order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from services.reports.adapters.dynamodb import report_item
from services.reports.domain.audit import AuditRecord
from services.reports.domain.found_item import FoundItem, FoundItemStatus
from services.reports.domain.model import Report
from services.reports.domain.ports import FoundItemPage
from shared.adapters.audit import DynamoDbAuditLog
from shared.adapters.counters import DynamoDbCounter
from shared.adapters.dynamodb import (
    Write,
    from_body,
    outbox_puts,
    put,
    put_all,
    put_if_absent,
    put_if_version,
    query_all,
    query_page,
    sortable,
    to_item,
    transact,
)
from shared.events.contracts.reports import SOURCE
from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

REGION_INDEX = "byRegionQueue"
DEADLINE_INDEX = "byDeadline"
# Found-item indexes outlive the owner's 3 months by this much, then DynamoDB removes them.
INDEX_GRACE = timedelta(days=31)


def found_item_key(found_item_id: str) -> dict[str, Any]:
    return to_item({"pk": f"FOUND#{found_item_id}", "sk": "FOUND"})


def found_item_item(item: FoundItem) -> dict[str, Any]:
    due = item.due_at
    return to_item(
        {
            "pk": f"FOUND#{item.found_item_id}",
            "sk": "FOUND",
            "queueKey": f"FOUNDITEMS#{item.region}",
            "queueSort": f"{sortable(item.registered_at)}#{item.found_item_id}",
            "dueKey": f"FOUNDDUE#{item.region}" if due else None,
            "dueAt": sortable(due) if due else None,
            "status": item.status.value,
            "version": item.version,
            "body": item.model_dump_json(),
        }
    )


def _found_indexes(item: FoundItem) -> list[dict[str, Any]]:
    expires = int((item.due_at or item.registered_at).timestamp() + INDEX_GRACE.total_seconds())
    sk = f"FOUND#{item.found_item_id}"
    rows = [
        {"pk": f"FOUNDID#{key}", "sk": sk, "foundItemId": item.found_item_id, "expiresAt": expires}
        for key in item.identifiers
    ]
    rows.append(
        {
            "pk": f"FOUNDCAT#{item.found_in_region}#{item.category.value}",
            "sk": f"{sortable(item.found_at)}#{item.found_item_id}",
            "foundItemId": item.found_item_id,
            "expiresAt": expires,
        }
    )
    return [to_item(row) for row in rows]


class _Table:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def _query_all(self, **query: Any) -> Iterator[dict[str, Any]]:
        return query_all(self._client, {"TableName": self._table, **query})

    def _outbox(self, events: Sequence[Envelope[EventData]]) -> list[Write]:
        return outbox_puts(self._table, events, source=SOURCE)

    def _partition(
        self, pk: str, *, sk_condition: str = "", values: dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of one partition, or those whose sort key meets ``sk_condition`` (" AND sk ...")."""
        return self._query_all(
            KeyConditionExpression=f"pk = :pk{sk_condition}",
            ExpressionAttributeValues={":pk": {"S": pk}, **(values or {})},
        )


class DynamoDbFoundItemRepository(_Table):
    """Staff changes are written with their audit record in the same transaction (the audit table's put)."""

    def __init__(
        self, table_name: str, client: DynamoDBClient, *, audit: DynamoDbAuditLog | None = None
    ) -> None:
        super().__init__(table_name, client)
        self._counter = DynamoDbCounter(table_name, client)
        self._audit = audit

    def _audit_put(self, record: AuditRecord | None) -> list[Write]:
        if record is None:
            return []
        if self._audit is None:
            raise RuntimeError("this repository was built without the audit table")
        return [self._audit.put(record)]

    def allocate_found_item_number(self, year: int) -> int:
        return self._counter.next(f"HG#{year}")

    def add(
        self, item: FoundItem, events: Sequence[Envelope[EventData]], *, audit: AuditRecord | None = None
    ) -> None:
        indexes = [put(self._table, row) for row in _found_indexes(item)]
        transact(
            self._client,
            [
                put_if_absent(self._table, found_item_item(item)),
                *indexes,
                *self._outbox(events),
                *self._audit_put(audit),
            ],
            conflict=f"Found item {item.found_item_id} already exists",
            subject=item.found_item_id,
        )

    def get(self, found_item_id: str) -> FoundItem | None:
        response = self._client.get_item(
            TableName=self._table, Key=found_item_key(found_item_id), ConsistentRead=True
        )
        item = response.get("Item")
        return from_body(FoundItem, item) if item else None

    def replace(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord | None = None,
    ) -> None:
        transact(
            self._client,
            [
                put_if_version(self._table, found_item_item(item), expected_version),
                *self._outbox(events),
                *self._audit_put(audit),
            ],
            conflict=f"Found item {item.found_item_id} changed meanwhile",
            subject=item.found_item_id,
        )

    def replace_with_report(
        self,
        item: FoundItem,
        *,
        expected_version: int,
        report: Report,
        expected_report_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord | None = None,
    ) -> None:
        transact(
            self._client,
            [
                put_if_version(self._table, found_item_item(item), expected_version),
                put_if_version(self._table, report_item(report), expected_report_version),
                *self._outbox(events),
                *self._audit_put(audit),
            ],
            conflict=f"Found item {item.found_item_id} or report {report.case_number} changed meanwhile",
            subject=item.found_item_id,
        )

    def list_held_in(
        self, region: str, *, status: FoundItemStatus | None, limit: int, start: dict[str, Any] | None
    ) -> FoundItemPage:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": REGION_INDEX,
            "KeyConditionExpression": "queueKey = :region",
            "ExpressionAttributeValues": {":region": {"S": f"FOUNDITEMS#{region}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            # Filtered after the limit is applied: a page may hold fewer items, and the token goes on.
            query["FilterExpression"] = "#status = :status"
            query["ExpressionAttributeNames"] = {"#status": "status"}
            query["ExpressionAttributeValues"][":status"] = {"S": status.value}
        items, next_start = query_page(self._client, query, start)
        return FoundItemPage(items=[from_body(FoundItem, i) for i in items], next_start=next_start)

    def due(self, region: str, *, until: datetime) -> Iterator[str]:
        rows = self._query_all(
            IndexName=DEADLINE_INDEX,
            KeyConditionExpression="dueKey = :due AND dueAt <= :until",
            ExpressionAttributeValues={":due": {"S": f"FOUNDDUE#{region}"}, ":until": {"S": sortable(until)}},
            ProjectionExpression="pk",
        )
        for row in rows:
            yield row["pk"]["S"].removeprefix("FOUND#")

    def with_identifiers(self, identifiers: Iterable[str]) -> list[str]:
        return sorted(
            {row["foundItemId"]["S"] for key in set(identifiers) for row in self._partition(f"FOUNDID#{key}")}
        )

    def found_between(self, region: str, category: str, *, start: datetime, end: datetime) -> list[str]:
        rows = self._partition(
            f"FOUNDCAT#{region}#{category}",
            sk_condition=" AND sk BETWEEN :start AND :end",
            # "~" sorts after every id, so items found at exactly ``end`` are included.
            values={":start": {"S": sortable(start)}, ":end": {"S": f"{sortable(end)}#~"}},
        )
        return sorted({row["foundItemId"]["S"] for row in rows})


class DynamoDbReportedPropertyIndex(_Table):
    def mark_reported(self, identifiers: Iterable[str], case_number: str) -> None:
        put_all(
            self._client,
            self._table,
            [
                to_item({"pk": f"REPORTED#{key}", "sk": f"REPORT#{case_number}", "caseNumber": case_number})
                for key in identifiers
            ],
        )

    def mark_lost(
        self,
        *,
        region: str,
        categories: Iterable[str],
        occurred_from: datetime,
        occurred_to: datetime,
        case_number: str,
    ) -> None:
        put_all(
            self._client,
            self._table,
            [
                to_item(
                    {
                        "pk": f"LOST#{region}#{category}",
                        "sk": f"{sortable(occurred_to)}#{case_number}",
                        "caseNumber": case_number,
                        "occurredFrom": sortable(occurred_from),
                    }
                )
                for category in categories
            ],
        )

    def reports_with(self, identifiers: Iterable[str]) -> list[str]:
        return sorted(
            {row["caseNumber"]["S"] for key in set(identifiers) for row in self._partition(f"REPORTED#{key}")}
        )

    def lost_in(self, region: str, category: str, *, ended_at_or_after: datetime) -> list[str]:
        rows = self._partition(
            f"LOST#{region}#{category}",
            sk_condition=" AND sk >= :ended",
            values={":ended": {"S": sortable(ended_at_or_after)}},
        )
        return sorted({row["caseNumber"]["S"] for row in rows})
