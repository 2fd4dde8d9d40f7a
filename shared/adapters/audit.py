"""The append-only audit table every service with staff keeps (see :mod:`shared.audit`).

Layout: ``pk`` is what was accessed (``<KIND>#<id>`` of the record's subject: ``CASE#<caseNumber>``,
``FOUND#<foundItemId>``, ``REGION#<region>`` for a list or an attempt that named no object), ``sk`` the time and
record id; the index ``byStaff`` (``staffKey`` ``STAFF#<staffId>``, ``staffSort``) answers "what did this
person look at". Records are only ever put, under a condition that nothing is overwritten; ``expiresAt`` ends
them after the retention period. A record of a change goes into the same transaction as the change
(:meth:`DynamoDbAuditLog.put`, DynamoDB transactions span tables); a read or a refusal alone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from shared.adapters.dynamodb import Write, conditional_put, put_if_absent, sortable, to_item
from shared.audit import AuditRecord
from shared.errors import Conflict

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def audit_item(record: AuditRecord, retention: timedelta) -> dict[str, Any]:
    subject = record.subject()
    sort = f"{sortable(record.at)}#{record.audit_id}"
    return to_item(
        {
            "pk": f"{subject.kind.upper()}#{subject.id}",
            "sk": sort,
            "staffKey": f"STAFF#{record.staff_id}",
            "staffSort": sort,
            "action": str(record.action),
            "allowed": record.allowed,
            "expiresAt": int((record.at + retention).timestamp()),
            "body": record.model_dump_json(by_alias=True),
        }
    )


class DynamoDbAuditLog:
    def __init__(self, table_name: str, client: DynamoDBClient, *, retention: timedelta) -> None:
        self.table_name = table_name
        self.retention = retention
        self._client = client

    def put(self, record: AuditRecord) -> Write:
        """The audit record as one write of a transaction."""
        return put_if_absent(self.table_name, audit_item(record, self.retention))

    def record(self, entry: AuditRecord) -> None:
        # Alone: a read or a refusal is not the request's change, so it never carries an idempotency record.
        conditional_put(
            self._client,
            self.table_name,
            audit_item(entry, self.retention),
            condition="attribute_not_exists(pk)",
            refusal=lambda: Conflict(f"Audit record {entry.audit_id} already exists"),
        )
