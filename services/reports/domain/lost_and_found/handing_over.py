"""Handing an item over to its owner, its finder or the state, when the law allows it now."""

from __future__ import annotations

from services.reports.domain.audit import AuditAction
from services.reports.domain.found_item import (
    FoundItem,
    FoundItemStatus,
    HandOver,
    Recipient,
    found_item_event,
    spelled,
)
from services.reports.domain.lost_and_found.deadlines import advance
from services.reports.domain.lost_and_found.reading import checked
from services.reports.domain.model import (
    FoundPropertyNotice,
    Report,
    TimelineEntry,
)
from services.reports.domain.ports import (
    AuditLog,
    FoundItemRepository,
    ReportRepository,
)
from services.reports.domain.reception import Staff, require_reception
from services.reports.messages import TEXTS
from shared.clock import Clock, stockholm_time
from shared.errors import Conflict, InvalidInput
from shared.events.contracts.reports import (
    FoundItemHandedOver,
)
from shared.i18n import kept


def _refusal(item: FoundItem, recipient: Recipient) -> str | None:
    """Why the item may not go to ``recipient`` now, or None if it may."""
    status = item.status
    if status is FoundItemStatus.HANDED_OVER:
        assert item.handed_over is not None
        handed = item.handed_over
        return (
            f"Found item {item.found_item_id} was already handed over to the {handed.recipient.value} on "
            f"{spelled(stockholm_time(handed.at).date())}"
        )
    waiting_for_owner = status in (FoundItemStatus.REGISTERED, FoundItemStatus.OWNER_NOTIFIED)
    if recipient is Recipient.OWNER and not waiting_for_owner:
        ended = item.owner_period_ended or item.unclaimed_until
        return (
            f"The owner's time to claim found item {item.found_item_id} ended on {spelled(ended)}; "
            f"it is now {status.value}"
        )
    if recipient is Recipient.FINDER and status is not FoundItemStatus.FINDER_MAY_COLLECT:
        if waiting_for_owner:
            return (
                f"The finder may collect found item {item.found_item_id} only if no owner claims it by "
                f"{spelled(item.unclaimed_until)}"
            )
        if item.collect_by is None:
            return (
                f"Found item {item.found_item_id} is not the finder's: they did not ask for it, or it is an "
                "identity document"
            )
        return (
            f"The finder's time to collect found item {item.found_item_id} ended on "
            f"{spelled(item.collect_by)}"
        )
    if recipient is Recipient.STATE and status is not FoundItemStatus.FORFEITED_TO_STATE:
        return (
            f"Found item {item.found_item_id} goes to the state only when neither its owner nor its finder "
            f"may take it; it is now {status.value}"
        )
    return None


def hand_over(
    found_item_id: str,
    *,
    recipient: Recipient,
    case_number: str | None,
    costs_paid_sek: int | None,
    staff: Staff,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    audit: AuditLog,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """Record that the item left the police, if the rules allow it now (deadlines that ended are applied
    first, in the same write, with the audit record of the hand-over)."""
    now = clock.now()
    require_reception(
        staff,
        AuditAction.HAND_OVER,
        audit=audit,
        now=now,
        correlation_id=correlation_id,
        found_item_id=found_item_id,
    )
    problems: dict[str, str] = {}
    if recipient is Recipient.OWNER and case_number is None:
        problems["caseNumber"] = (
            "is required for a hand-over to the owner: the case number of the matched report"
        )
    if recipient is not Recipient.OWNER and case_number is not None:
        problems["caseNumber"] = "belongs only to a hand-over to the owner"
    if recipient is not Recipient.FINDER and costs_paid_sek is not None:
        problems["costsPaidSek"] = "belongs only to a hand-over to the finder"
    if problems:
        raise InvalidInput(problems)

    stored, record = checked(
        found_item_id,
        AuditAction.HAND_OVER,
        staff=staff,
        repository=found_items,
        audit=audit,
        now=now,
        correlation_id=correlation_id,
        change=f"handed over to the {recipient.value}",
    )
    if case_number is not None:
        record = record.model_copy(update={"case_number": case_number})
    item, events = advance(stored, now=now, correlation_id=correlation_id)
    refusal = _refusal(item, recipient)
    if refusal:
        raise Conflict(refusal)

    report: Report | None = None
    if recipient is Recipient.OWNER:
        assert case_number is not None
        report = reports.get(case_number)
        if report is None or not item.is_matched_to(case_number):
            raise Conflict(
                f"Report {case_number} is not matched to found item {found_item_id}; hand it over to the "
                "owner of a matched report"
            )

    handed = item.moved_to(
        FoundItemStatus.HANDED_OVER,
        at=now,
        reason=f"Handed over to the {recipient.value}"
        + (f" (report {case_number})." if case_number else "."),
        handed_over=HandOver(
            recipient=recipient,
            at=now,
            staff_id=staff.staff_id,
            case_number=case_number,
            costs_paid_sek=costs_paid_sek,
        ),
    )
    handed_over = FoundItemHandedOver(
        found_item_id=item.found_item_id,
        region=item.region,
        recipient=recipient.value,
        case_number=case_number,
        owner_ref=report.owner_ref if report else None,
        handed_over_at=now,
    )
    events = [*events, found_item_event(handed_over, now=now, correlation_id=correlation_id)]
    if report is None:
        found_items.replace(handed, expected_version=stored.version, events=events, audit=record)
        return handed

    notices = [
        n.model_copy(update={"handed_over_at": now}) if n.found_item_id == found_item_id else n
        for n in report.found_property
    ]
    if not any(n.found_item_id == found_item_id for n in notices):
        notices.append(
            FoundPropertyNotice(
                found_item_id=found_item_id,
                category=item.category,
                reception=item.reception.name,
                claim_by=now.date(),
                notified_at=now,
                handed_over_at=now,
            )
        )
    entry = TimelineEntry(
        status=report.status,
        at=now,
        reason=kept(
            TEXTS(
                "found.handed_back",
                foundItemId=found_item_id,
                what=TEXTS(f"item.{item.category.value}"),
                reception=item.reception.name,
            )
        ),
    )
    updated_report = report.model_copy(
        update={
            "timeline": [*report.timeline, entry],
            "found_property": notices,
            "version": report.version + 1,
        }
    )
    found_items.replace_with_report(
        handed,
        expected_version=stored.version,
        report=updated_report,
        expected_report_version=report.version,
        events=events,
        audit=record,
    )
    return handed
