"""The reports table: report items, the yearly case-number counter and the outbox, in one table.

Item layout (pk / sk):
- ``REPORT#<caseNumber>`` / ``REPORT``: the report as JSON in ``body``; ``ownerKey``/``ownerSort`` index it by
  owner (newest first); ``queueKey``/``queueSort`` by region queue while it awaits assessment (by priority,
  then filing time).
- ``REPORT#<caseNumber>`` / ``NOTE#<at>#<noteId>``: staff's internal notes, apart from the report the owner
  reads (see ``adapters.case_work``).
- ``COUNTER#K#<year>`` / ``COUNTER``: the running case number of the year.
- ``OUTBOX#<eventId>`` / ``EVENT``: events on their way to the bus (see shared.events.outbox).
- ``STOLEN#<identifier>`` / ``REPORT#<caseNumber>``: a serial number, IMEI or frame number reported stolen.
- ``TIP#<tipId>`` / ``TIP``: a tip (JSON ``body``); ``queueKey`` ``TIPS#<region>`` for staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from services.reports.domain.model import Report, ReportStatus
from services.reports.domain.ports import Page
from services.reports.domain.tips import Tip
from shared.adapters.counters import DynamoDbCounter
from shared.errors import Conflict
from shared.events.contracts.reports import SOURCE
from shared.events.envelope import Envelope, EventData
from shared.events.outbox import outbox_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, WriteRequestTypeDef

OWNER_INDEX = "byOwner"
# For a report queued without a priority (triage always gives one): among the ordinary ones.
DEFAULT_PRIORITY = 3
BATCH_WRITE_MAX = 25
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def report_key(case_number: str) -> dict[str, Any]:
    return _item({"pk": f"REPORT#{case_number}", "sk": "REPORT"})


def queue_sort(report: Report) -> str:
    """Most urgent first (priority 1), then oldest first; fixed-width UTC times sort as text."""
    filed = report.filed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"P{report.priority or DEFAULT_PRIORITY}#{filed}#{report.case_number}"


def report_item(report: Report) -> dict[str, Any]:
    awaiting = report.status is ReportStatus.AWAITING_ASSESSMENT
    return _item(
        {
            "pk": f"REPORT#{report.case_number}",
            "sk": "REPORT",
            "ownerKey": f"OWNER#{report.owner_ref}",
            "ownerSort": f"{report.filed_at.isoformat()}#{report.case_number}",
            "queueKey": f"QUEUE#{report.region}" if awaiting else None,
            "queueSort": queue_sort(report) if awaiting else None,
            "status": report.status.value,
            "version": report.version,
            "body": report.model_dump_json(),
        }
    )


def _report(item: dict[str, Any]) -> Report:
    return Report.model_validate_json(_deserializer.deserialize(item["body"]))


class DynamoDbReportRepository:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client
        self._counter = DynamoDbCounter(table_name, client)

    def allocate_case_number(self, year: int) -> int:
        return self._counter.next(f"K#{year}")

    def _outbox_puts(self, events: Sequence[Envelope[EventData]]) -> list[TransactWriteItemTypeDef]:
        return [
            {"Put": {"TableName": self._table, "Item": _item(outbox_item(e, source=SOURCE))}} for e in events
        ]

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": report_item(report),
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }
        self._transact([put, *self._outbox_puts(events)], f"Report {report.case_number} already exists")

    def replace(
        self, report: Report, *, expected_version: int, events: Sequence[Envelope[EventData]]
    ) -> None:
        conflict = f"Report {report.case_number} changed meanwhile"
        if not events:
            # One item needs no transaction: a conditional put is as safe and costs half the write capacity.
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item=report_item(report),
                    ConditionExpression="version = :expected",
                    ExpressionAttributeValues={":expected": {"N": str(expected_version)}},
                )
            except ClientError as error:
                if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    raise Conflict(conflict) from error
                raise
            return
        put: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self._table,
                "Item": report_item(report),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
            }
        }
        self._transact([put, *self._outbox_puts(events)], conflict)

    def _transact(self, items: list[TransactWriteItemTypeDef], conflict: str) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            if error.response["Error"]["Code"] == "TransactionCanceledException":
                reasons = error.response.get("CancellationReasons", [])
                if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                    raise Conflict(conflict) from error
            raise

    def get(self, case_number: str) -> Report | None:
        response = self._client.get_item(
            TableName=self._table, Key=report_key(case_number), ConsistentRead=True
        )
        item = response.get("Item")
        return _report(item) if item else None

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "ownerKey = :owner",
            "ExpressionAttributeValues": {":owner": {"S": f"OWNER#{owner_ref}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if start:
            query["ExclusiveStartKey"] = _item(start)
        response = self._client.query(**query)
        last = response.get("LastEvaluatedKey")
        next_start = {k: _deserializer.deserialize(v) for k, v in last.items()} if last else None
        return Page(reports=[_report(i) for i in response.get("Items", [])], next_start=next_start)


class DynamoDbStolenGoodsIndex:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def mark_stolen(self, identifiers: Iterable[str], case_number: str) -> None:
        requests: list[WriteRequestTypeDef] = [
            {"PutRequest": {"Item": _item({"pk": f"STOLEN#{i}", "sk": f"REPORT#{case_number}"})}}
            for i in identifiers
        ]
        for start in range(0, len(requests), BATCH_WRITE_MAX):
            pending: dict[str, list[WriteRequestTypeDef]] = {
                self._table: requests[start : start + BATCH_WRITE_MAX]
            }
            while pending:
                # BatchWriteItem may leave some writes undone under throttling; they are handed back to retry.
                unprocessed = self._client.batch_write_item(RequestItems=pending).get("UnprocessedItems", {})
                pending = cast(dict[str, list["WriteRequestTypeDef"]], unprocessed)

    def is_stolen(self, identifier: str) -> bool:
        response = self._client.query(
            TableName=self._table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"STOLEN#{identifier}"}},
            Limit=1,
        )
        return bool(response.get("Items"))


class DynamoDbTipRepository:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def add_tip(self, tip: Tip) -> None:
        item = {
            "pk": f"TIP#{tip.tip_id}",
            "sk": "TIP",
            "queueKey": f"TIPS#{tip.region}",
            "queueSort": tip.received_at.isoformat(),
            "body": tip.model_dump_json(),
        }
        self._client.put_item(
            TableName=self._table, Item=_item(item), ConditionExpression="attribute_not_exists(pk)"
        )
