"""The reports table: report items, the yearly case-number counter and the outbox, in one table.

Item layout (pk / sk):
- ``REPORT#<caseNumber>`` / ``REPORT``: the report as compressed JSON in ``body``; ``ownerKey``/``ownerSort`` index it by
  owner (newest first); ``queueKey``/``queueSort`` by region queue while it awaits assessment (by priority,
  then filing time), or while it is still received and its triage overdue (ahead of all, as ``P0``);
  ``dueKey`` ``TRIAGEDUE`` / ``dueAt`` (its filing time) while it is received, for the stalled-reports job.
- ``REPORT#<caseNumber>`` / ``NOTE#<at>#<noteId>``: staff's internal notes, apart from the report the owner
  reads (see ``adapters.case_work``).
- ``COUNTER#K#<year>`` / ``COUNTER``: the running case number of the year.
- ``OUTBOX#<eventId>`` / ``EVENT``: events on their way to the bus (see shared.events.outbox).
- ``STOLEN#<identifier>`` / ``REPORT#<caseNumber>``: a serial number, IMEI or frame number reported stolen.
- ``TIP#<tipId>`` / ``TIP``: a tip (JSON ``body``); ``queueKey`` ``TIPS#<region>`` for staff.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from services.reports.domain.model import Report, ReportStatus, Tip
from services.reports.domain.ports import Page
from shared.adapters.counters import DynamoDbCounter
from shared.adapters.dynamodb import (
    Write,
    conditional_put,
    from_body,
    get_all,
    outbox_puts,
    put_all,
    put_if_absent,
    put_if_version,
    query_page,
    sortable,
    to_body,
    to_item,
    transact,
)
from shared.errors import Conflict
from shared.events.contracts.reports import SOURCE
from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

OWNER_INDEX = "byOwner"
DEADLINE_INDEX = "byDeadline"
# Reports awaiting triage, by filing time (the index's other keys are found items' deadlines per region).
TRIAGE_DUE = "TRIAGEDUE"
# For a report queued without a priority (triage always gives one): among the ordinary ones.
DEFAULT_PRIORITY = 3
# A report whose triage is overdue comes before every priority: nothing has looked at it yet.
OVERDUE_PRIORITY = 0


def report_key(case_number: str) -> dict[str, Any]:
    return to_item({"pk": f"REPORT#{case_number}", "sk": "REPORT"})


def queue_sort(report: Report) -> str:
    """Overdue triage first, then most urgent (priority 1), then oldest; fixed-width UTC times sort as text."""
    priority = OVERDUE_PRIORITY if report.triage_overdue else report.priority or DEFAULT_PRIORITY
    return f"P{priority}#{sortable(report.filed_at)}#{report.case_number}"


def report_item(report: Report) -> dict[str, Any]:
    queued = report.status is ReportStatus.AWAITING_ASSESSMENT or report.triage_overdue
    received = report.status is ReportStatus.RECEIVED
    return to_item(
        {
            "pk": f"REPORT#{report.case_number}",
            "sk": "REPORT",
            "ownerKey": f"OWNER#{report.owner_ref}",
            "ownerSort": f"{report.filed_at.isoformat()}#{report.case_number}",
            "queueKey": f"QUEUE#{report.region}" if queued else None,
            "queueSort": queue_sort(report) if queued else None,
            "dueKey": TRIAGE_DUE if received else None,
            "dueAt": f"{sortable(report.filed_at)}#{report.case_number}" if received else None,
            "status": report.status.value,
            "version": report.version,
            "body": to_body(report),
        }
    )


class DynamoDbReportRepository:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client
        self._counter = DynamoDbCounter(table_name, client)

    def allocate_case_number(self, year: int) -> int:
        return self._counter.next(f"K#{year}")

    def add(self, report: Report, events: Sequence[Envelope[EventData]]) -> None:
        transact(
            self._client,
            [put_if_absent(self._table, report_item(report)), *self._outbox(events)],
            conflict=f"Report {report.case_number} already exists",
            subject=report.case_number,
        )

    def replace(
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        subject: str | None = None,
    ) -> None:
        conflict = f"Report {report.case_number} changed meanwhile"
        if not events:
            # One item needs no transaction: a conditional put is as safe and costs half the write capacity.
            conditional_put(
                self._client,
                self._table,
                report_item(report),
                condition="version = :expected",
                values={":expected": {"N": str(expected_version)}},
                refusal=lambda: Conflict(conflict),
                subject=subject or report.case_number,
            )
            return
        transact(
            self._client,
            [put_if_version(self._table, report_item(report), expected_version), *self._outbox(events)],
            conflict=conflict,
            subject=subject or report.case_number,
        )

    def _outbox(self, events: Sequence[Envelope[EventData]]) -> list[Write]:
        return outbox_puts(self._table, events, source=SOURCE)

    def get(self, case_number: str) -> Report | None:
        response = self._client.get_item(
            TableName=self._table, Key=report_key(case_number), ConsistentRead=True
        )
        item = response.get("Item")
        return from_body(Report, item) if item else None

    def list_owned(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": OWNER_INDEX,
            "KeyConditionExpression": "ownerKey = :owner",
            "ExpressionAttributeValues": {":owner": {"S": f"OWNER#{owner_ref}"}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        entries, next_start = query_page(self._client, query, start)
        # The index keeps keys only: the page's reports are read by key.
        keys = [{"pk": e["pk"], "sk": e["sk"]} for e in entries]
        items = get_all(self._client, self._table, keys) if keys else []
        return Page(reports=[from_body(Report, i) for i in items], next_start=next_start)


class DynamoDbTriageBacklog:
    """Reports still received, oldest first, from the sparse ``TRIAGEDUE`` keys of the deadline index."""

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def received_before(self, moment: datetime) -> Iterator[Report]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": DEADLINE_INDEX,
            "KeyConditionExpression": "dueKey = :due AND dueAt < :before",
            "ExpressionAttributeValues": {":due": {"S": TRIAGE_DUE}, ":before": {"S": sortable(moment)}},
        }
        start: dict[str, Any] | None = None
        while True:
            entries, start = query_page(self._client, dict(query), start)
            # The index keeps keys only, and lags: each report is read, and skipped if gone.
            for entry in entries:
                found = self._client.get_item(
                    TableName=self._table, Key={"pk": entry["pk"], "sk": entry["sk"]}, ConsistentRead=True
                ).get("Item")
                if found:
                    yield from_body(Report, found)
            if start is None:
                return


class DynamoDbStolenGoodsIndex:
    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table = table_name
        self._client = client

    def mark_stolen(self, identifiers: Iterable[str], case_number: str) -> None:
        rows = [to_item({"pk": f"STOLEN#{i}", "sk": f"REPORT#{case_number}"}) for i in identifiers]
        put_all(self._client, self._table, rows)

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
        conditional_put(
            self._client,
            self._table,
            to_item(item),
            condition="attribute_not_exists(pk)",
            refusal=lambda: Conflict(f"Tip {tip.tip_id} already exists"),
            subject=tip.tip_id,
        )

    def get_tip(self, tip_id: str) -> Tip | None:
        found = self._client.get_item(
            TableName=self._table, Key=to_item({"pk": f"TIP#{tip_id}", "sk": "TIP"}), ConsistentRead=True
        ).get("Item")
        return from_body(Tip, found) if found else None
