"""The found item with its finder's personal data, for reception staff of its region only: each read is
recorded, and so is each refusal.
"""

from __future__ import annotations

from datetime import datetime

from services.reports.domain.audit import AuditAction, AuditRecord
from services.reports.domain.found_item import (
    FoundItem,
    is_found_item_id,
)
from services.reports.domain.ports import (
    AuditLog,
    FoundItemRepository,
)
from services.reports.domain.reception import Staff, audit_record, require_reception
from shared.clock import Clock
from shared.errors import NotFound


def visible_found_item(
    found_item_id: str,
    *,
    staff: Staff,
    repository: FoundItemRepository,
    refusal: tuple[AuditLog, AuditRecord] | None = None,
) -> FoundItem:
    """The item, if kept in the caller's region (any region for National). Others' items are not found;
    ``refusal`` is recorded when the item is not found."""
    item = repository.get(found_item_id) if is_found_item_id(found_item_id) else None
    if item is None or not staff.may_see(item.region):
        if refusal is not None:
            log, record = refusal
            log.record(record.model_copy(update={"allowed": False}))
        raise NotFound(f"No found item {found_item_id} is kept in your region")
    return item


def checked(
    found_item_id: str,
    action: AuditAction,
    *,
    staff: Staff,
    repository: FoundItemRepository,
    audit: AuditLog,
    now: datetime,
    correlation_id: str,
    change: str | None = None,
) -> tuple[FoundItem, AuditRecord]:
    """The item, after the role and region checks, and the audit record of the action (the refusal is
    recorded here)."""
    require_reception(
        staff, action, audit=audit, now=now, correlation_id=correlation_id, found_item_id=found_item_id
    )
    record = audit_record(
        staff, action, now, correlation_id=correlation_id, found_item_id=found_item_id, change=change
    )
    item = visible_found_item(found_item_id, staff=staff, repository=repository, refusal=(audit, record))
    return item, record.model_copy(update={"region": item.region})


def read_found_item(
    found_item_id: str,
    *,
    staff: Staff,
    repository: FoundItemRepository,
    audit: AuditLog,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """The item with the finder's data, for reception staff of its region; the read is recorded."""
    item, record = checked(
        found_item_id,
        AuditAction.VIEW_FOUND_ITEM,
        staff=staff,
        repository=repository,
        audit=audit,
        now=clock.now(),
        correlation_id=correlation_id,
    )
    audit.record(record)
    return item
