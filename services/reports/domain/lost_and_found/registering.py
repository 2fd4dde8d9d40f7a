"""Registering a found item at a reception, with the audit record of the registration in the same write."""

from __future__ import annotations

from services.reports.domain.audit import AuditAction
from services.reports.domain.found_item import (
    CLOCK_SKEW,
    UNCLAIMED_MONTHS,
    FoundItem,
    FoundItemRegistration,
    FoundItemStatus,
    StatusEntry,
    format_found_item_id,
    found_item_event,
    months_after,
    spelled,
)
from services.reports.domain.ports import (
    AuditLog,
    FoundItemRepository,
)
from services.reports.domain.reception import Staff, audit_record, require_reception
from shared.clock import Clock, stockholm_time
from shared.errors import Forbidden, InvalidInput
from shared.events.contracts.reports import (
    FoundItemRegistered,
)
from shared.regions import region_for_municipality


def register_found_item(
    registration: FoundItemRegistration,
    *,
    staff: Staff,
    repository: FoundItemRepository,
    audit: AuditLog,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """Register a found item with the audit record of its registration, in one write."""
    now = clock.now()
    require_reception(
        staff, AuditAction.REGISTER_FOUND_ITEM, audit=audit, now=now, correlation_id=correlation_id
    )
    problems = registration.rule_violations()
    if registration.found_at > now + CLOCK_SKEW:
        problems["foundAt"] = "must not be in the future"
    if problems:
        raise InvalidInput(problems)
    held_in = region_for_municipality(registration.reception.municipality_code).value
    if not staff.may_see(held_in):
        raise Forbidden(
            f"The reception is in police region {held_in}; staff of region {staff.region} register items "
            f"kept in {staff.region}"
        )

    year = stockholm_time(now).year
    found_item_id = format_found_item_id(repository.allocate_found_item_number(year), year)
    unclaimed_until = months_after(now, UNCLAIMED_MONTHS)
    found_in = region_for_municipality(registration.place.municipality_code).value
    item = FoundItem.model_validate(
        {
            **registration.model_dump(),
            "found_item_id": found_item_id,
            "status": FoundItemStatus.REGISTERED,
            "region": held_in,
            "found_in_region": found_in,
            "registered_at": now,
            "registered_by": staff.staff_id,
            "unclaimed_until": unclaimed_until,
            "history": [
                StatusEntry(
                    status=FoundItemStatus.REGISTERED,
                    at=now,
                    reason=f"Registered at {registration.reception.name}; "
                    f"it waits for its owner until {spelled(unclaimed_until)}.",
                )
            ],
        }
    )
    registered = FoundItemRegistered(
        found_item_id=found_item_id,
        category=item.category.value,
        region=found_in,
        municipality_code=item.place.municipality_code,
        found_on=item.found_at,
        registered_at=now,
        held_in_region=held_in,
    )
    record = audit_record(
        staff,
        AuditAction.REGISTER_FOUND_ITEM,
        now,
        correlation_id=correlation_id,
        found_item_id=found_item_id,
        region=held_in,
        change=f"registered at {registration.reception.name}",
    )
    repository.add(item, [found_item_event(registered, now=now, correlation_id=correlation_id)], audit=record)
    return item
