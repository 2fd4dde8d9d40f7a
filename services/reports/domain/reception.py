"""Who may handle found property: staff with the role ``reception``, in their own region, and every action
on record.

Registering a found item, telling an owner of a possible match, handing an item over and reading an item
(with the finder's personal data) need the role ``reception``; without it the answer is 403 and a record of
the refused attempt is kept. Each allowed action leaves an audit record in the append-only audit table: a
change in the same transaction as the change, a read alone. Records name the action and the item, never the
finder's data.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from services.reports.domain.audit import AuditAction, AuditRecord, NotPermitted
from services.reports.domain.ports import AuditLog
from shared.staff import StaffMember

RECEPTION = "reception"
FOUND_ITEM_ACTIONS = frozenset(
    {
        AuditAction.REGISTER_FOUND_ITEM,
        AuditAction.VIEW_FOUND_ITEM,
        AuditAction.NOTIFY_OWNER,
        AuditAction.HAND_OVER,
    }
)


class Staff(StaffMember):
    @property
    def works_reception(self) -> bool:
        return self.has_role(RECEPTION)


def audit_record(
    staff: Staff,
    action: AuditAction,
    now: datetime,
    *,
    correlation_id: str,
    allowed: bool = True,
    found_item_id: str | None = None,
    region: str | None = None,
    case_number: str | None = None,
    change: str | None = None,
) -> AuditRecord:
    return AuditRecord(
        audit_id=str(uuid.uuid4()),
        at=now,
        staff_id=staff.staff_id,
        staff_region=staff.region,
        action=action,
        allowed=allowed,
        found_item_id=found_item_id,
        case_number=case_number,
        region=region or (None if found_item_id else staff.region),
        change=change,
        correlation_id=correlation_id,
    )


def require_reception(
    staff: Staff,
    action: AuditAction,
    *,
    audit: AuditLog,
    now: datetime,
    correlation_id: str,
    found_item_id: str | None = None,
) -> None:
    """Refuse (and record the refusal) unless the staff member works a reception."""
    if staff.works_reception:
        return
    audit.record(
        audit_record(
            staff, action, now, correlation_id=correlation_id, allowed=False, found_item_id=found_item_id
        )
    )
    raise NotPermitted(f"Found property is handled by staff with the role {RECEPTION}")
