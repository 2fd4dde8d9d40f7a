"""Staff's case work in DynamoDB: the region queue, internal notes, and the append-only audit table.

Notes are items of their own next to the report (``REPORT#<caseNumber>`` / ``NOTE#<at>#<noteId>``), never part
of the report body that the owner's view is made from. An audit record goes into the audit table in the same
transaction as the change it records (DynamoDB transactions span tables), or alone for a read: the audit table
is every service's, ``shared.adapters.audit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from services.reports.adapters.dynamodb import DynamoDbReportRepository, report_item
from services.reports.domain.audit import AuditRecord
from services.reports.domain.model import Note, Report
from services.reports.domain.ports import Page
from shared.adapters.audit import DynamoDbAuditLog
from shared.adapters.dynamodb import (
    from_body,
    put_if_absent,
    put_if_version,
    query_all,
    query_page,
    sortable,
    to_item,
    transact,
)
from shared.events.envelope import Envelope, EventData

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

QUEUE_INDEX = "byRegionQueue"
NOTE_PREFIX = "NOTE#"


class DynamoDbCaseWork(DynamoDbReportRepository):
    def __init__(self, table_name: str, client: DynamoDBClient, *, audit: DynamoDbAuditLog) -> None:
        super().__init__(table_name, client)
        self._audit = audit

    def region_queue(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        query: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": QUEUE_INDEX,
            "KeyConditionExpression": "queueKey = :queue",
            "ExpressionAttributeValues": {":queue": {"S": f"QUEUE#{region}"}},
            "ScanIndexForward": True,
            "Limit": limit,
        }
        items, next_start = query_page(self._client, query, start)
        return Page(reports=[from_body(Report, i) for i in items], next_start=next_start)

    def notes(self, case_number: str) -> list[Note]:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :notes)",
            "ExpressionAttributeValues": {
                ":pk": {"S": f"REPORT#{case_number}"},
                ":notes": {"S": NOTE_PREFIX},
            },
            "ConsistentRead": True,
        }
        return [from_body(Note, i) for i in query_all(self._client, query)]

    def save(
        self,
        report: Report,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]],
        audit: AuditRecord,
    ) -> None:
        transact(
            self._client,
            [
                put_if_version(self._table, report_item(report), expected_version),
                *self._outbox(events),
                self._audit.put(audit),
            ],
            conflict=f"Report {report.case_number} changed meanwhile; read it again",
            subject=report.case_number,
        )

    def add_note(self, note: Note, *, audit: AuditRecord) -> None:
        item = {
            "pk": f"REPORT#{note.case_number}",
            "sk": f"{NOTE_PREFIX}{sortable(note.at)}#{note.note_id}",
            "body": note.model_dump_json(),
        }
        transact(
            self._client,
            [put_if_absent(self._table, to_item(item), key="sk"), self._audit.put(audit)],
            conflict=f"Note {note.note_id} already exists",
            subject=note.note_id,
        )
