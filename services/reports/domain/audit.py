"""The audit record reports' staff leave: who did what to which case or found item, when, and whether it was
allowed (see :class:`shared.audit.AuditRecord`). Records are appended and never changed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from shared import audit
from shared.errors import Forbidden


class AuditAction(StrEnum):
    VIEW_QUEUE = "viewQueue"
    VIEW_REPORT = "viewReport"
    TAKE_CASE = "takeCase"
    CHANGE_STATUS = "changeStatus"
    DECIDE = "decide"
    ADD_NOTE = "addNote"
    # Found property (see domain/reception.py).
    REGISTER_FOUND_ITEM = "registerFoundItem"
    VIEW_FOUND_ITEM = "viewFoundItem"
    NOTIFY_OWNER = "notifyOwner"
    HAND_OVER = "handOver"


class AuditRecord(audit.AuditRecord):
    """Who did what to which case or found item. Names the change, never its content."""

    action: AuditAction
    case_number: str | None = None
    found_item_id: str | None = None
    # The cases a list showed.
    case_numbers: list[str] = Field(default_factory=list)

    def subject(self) -> audit.AuditSubject:
        if self.found_item_id:
            return audit.AuditSubject("found", self.found_item_id)
        if self.case_number:
            return audit.AuditSubject("case", self.case_number)
        return super().subject()


class NotPermitted(Forbidden):
    """The staff member's roles do not allow this."""
