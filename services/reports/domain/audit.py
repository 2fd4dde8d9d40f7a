"""The audit record staff leave: who did what to which case or found item, when, and whether it was
allowed. Records are appended and never changed."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from shared.errors import Forbidden
from shared.models import CamelModel


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


class AuditRecord(CamelModel):
    """Who did what to which case or found item, when, and whether it was allowed. Names the change, never its
    content (a note's text, a reason or a finder's data stays with the case or the item)."""

    audit_id: str
    at: AwareDatetime
    staff_id: str
    staff_region: str
    action: AuditAction
    allowed: bool
    case_number: str | None = None
    found_item_id: str | None = None
    # The region whose reports were read or changed.
    region: str | None = None
    # The cases a list showed.
    case_numbers: list[str] = Field(default_factory=list)
    change: str | None = None
    correlation_id: str


class NotPermitted(Forbidden):
    """The staff member's roles do not allow this."""
