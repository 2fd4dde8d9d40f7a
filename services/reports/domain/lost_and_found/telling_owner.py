"""Telling an owner: on their report and by letter, when a number names them or staff confirm a possible
match. The owner then has a month to claim the item.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from services.reports.domain.audit import AuditAction, AuditRecord
from services.reports.domain.found_item import (
    OWNER_CLAIM_MONTHS,
    FoundItem,
    FoundItemStatus,
    MatchKind,
    OwnerNotice,
    found_item_event,
    months_after,
    spelled,
)
from services.reports.domain.lost_and_found.deadlines import advance
from services.reports.domain.lost_and_found.reading import checked
from services.reports.domain.lost_and_found.searches import matchable
from services.reports.domain.model import (
    FoundPropertyNotice,
    Report,
    TimelineEntry,
)
from services.reports.domain.ports import (
    AuditLog,
    DigitalMailbox,
    FoundItemRepository,
    ReportRepository,
)
from services.reports.domain.reception import Staff
from services.reports.messages import TEXTS
from shared.clock import Clock
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, NotFound
from shared.events.contracts.reports import (
    LostPropertyMatched,
)
from shared.events.envelope import Envelope, EventData
from shared.i18n import Message, kept
from shared.i18n import spelled as spelled_message
from shared.letters import DigitalLetter, letter_id
from shared.regions import municipality


def owner_message(item: FoundItem, claim_by: date) -> Message:
    return TEXTS(
        "found.owner_message",
        what=TEXTS(f"item.{item.category.value}"),
        reception=item.reception.name,
        town=municipality(item.reception.municipality_code).name,
        claimBy=spelled_message(claim_by),
        foundItemId=item.found_item_id,
    )


def tell_owner(
    item: FoundItem,
    report: Report,
    *,
    match_kind: MatchKind,
    confirmed_by: Literal["rule", "staff"],
    repository: FoundItemRepository,
    now: datetime,
    correlation_id: str,
    stored_version: int | None = None,
    earlier_events: Sequence[Envelope[EventData]] = (),
    audit: AuditRecord | None = None,
) -> FoundItem:
    """The owner of ``report`` is told, on their report, and the item waits a month for them. ``item`` may be
    ahead of the stored one by ``earlier_events`` (deadlines that ended), written in the same transaction, as
    is ``audit`` when staff tell the owner."""
    claim_by = months_after(now, OWNER_CLAIM_MONTHS)
    notice = OwnerNotice(
        case_number=report.case_number,
        match_kind=match_kind,
        confirmed_by=confirmed_by,
        notified_at=now,
        claim_by=claim_by,
    )
    told = item.moved_to(
        FoundItemStatus.OWNER_NOTIFIED,
        at=now,
        reason=f"The owner of report {report.case_number} was told and may claim it by {spelled(claim_by)}.",
        owner_notices=[*item.owner_notices, notice],
        possible_matches=[p for p in item.possible_matches if p.case_number != report.case_number],
    )
    on_report = FoundPropertyNotice(
        found_item_id=item.found_item_id,
        category=item.category,
        reception=item.reception.name,
        claim_by=claim_by,
        notified_at=now,
    )
    entry = TimelineEntry(status=report.status, at=now, reason=kept(owner_message(item, claim_by)))
    updated_report = report.model_copy(
        update={
            "timeline": [*report.timeline, entry],
            "found_property": [*report.found_property, on_report],
            "version": report.version + 1,
        }
    )
    matched = LostPropertyMatched(
        found_item_id=item.found_item_id,
        case_number=report.case_number,
        match_kind=match_kind,
        matched_at=now,
        owner_ref=report.owner_ref,
        region=item.region,
        claim_by=claim_by,
        confirmed_by=confirmed_by,
    )
    repository.replace_with_report(
        told,
        expected_version=item.version if stored_version is None else stored_version,
        report=updated_report,
        expected_report_version=report.version,
        events=[*earlier_events, found_item_event(matched, now=now, correlation_id=correlation_id)],
        audit=audit,
    )
    return told


def tell_owner_of_possible_match(
    found_item_id: str,
    case_number: str,
    *,
    staff: Staff,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    audit: AuditLog,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """Staff confirm a possible match: its owner is told as for a matching serial number."""
    now = clock.now()
    stored, record = checked(
        found_item_id,
        AuditAction.NOTIFY_OWNER,
        staff=staff,
        repository=found_items,
        audit=audit,
        now=now,
        correlation_id=correlation_id,
        change=f"owner of report {case_number} told",
    )
    item, deadline_events = advance(stored, now=now, correlation_id=correlation_id)
    if item.status is not FoundItemStatus.REGISTERED:
        raise Conflict(f"Found item {found_item_id} is {item.status.value}: its owner can no longer be told")
    match = next((p for p in item.possible_matches if p.case_number == case_number), None)
    if match is None:
        raise Conflict(f"Report {case_number} is not a possible match of found item {found_item_id}")
    report = reports.get(case_number)
    if report is None or not matchable(report):
        raise Conflict(f"Report {case_number} is closed; its owner is not told")
    return tell_owner(
        item,
        report,
        match_kind=match.match_kind,
        confirmed_by="staff",
        repository=found_items,
        now=now,
        correlation_id=correlation_id,
        stored_version=stored.version,
        earlier_events=deadline_events,
        audit=record.model_copy(update={"case_number": case_number}),
    )


def owner_letter(
    report: Report, item: FoundItem, *, claim_by: date, matched_at: datetime, now: datetime
) -> DigitalLetter:
    """The letter that tells the owner of a matched report where their item is and until when to claim it."""
    language = report.language
    reward = item.finders_reward_sek
    body = "\n\n".join(
        message.render(language)
        for message in (
            TEXTS("found.letter_case", caseNumber=report.case_number, foundItemId=item.found_item_id),
            owner_message(item, claim_by),
            TEXTS("found.reward", reward=reward) if reward else None,
            TEXTS("found.in_time"),
        )
        if message is not None
    )
    return DigitalLetter(
        message_id=letter_id(f"foundProperty/{item.found_item_id}", report.case_number, matched_at),
        recipient_personnummer=report.filer_personnummer,
        subject=TEXTS("found.letter_subject", caseNumber=report.case_number).render(language),
        body=body,
        case_number=report.case_number,
        written_at=now,
    )


def write_to_owner(
    found_item_id: str,
    case_number: str,
    *,
    claim_by: date,
    matched_at: datetime,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    mailbox: DigitalMailbox,
    clock: Clock,
) -> bool:
    """Send the owner told of a match a letter to their digital mailbox, once, unless the item is already
    theirs again, and record it on the report's notice of the item. True if a letter went out. A letter
    recorded as sent is never sent again, however late the match is delivered again; a crash between
    sending and recording sends a letter with the same id, which the mailbox drops."""
    item = found_items.get(found_item_id)
    report = reports.get(case_number)
    if item is None or report is None:
        raise NotFound(f"Found item {found_item_id} or report {case_number} does not exist")
    notice = _notice_of(report, found_item_id)
    if item.status is FoundItemStatus.HANDED_OVER or (
        notice is not None and notice.letter_sent_at is not None
    ):
        return False
    letter = owner_letter(report, item, claim_by=claim_by, matched_at=matched_at, now=clock.now())
    mailbox.send(letter)
    if notice is not None:
        _record_letter(case_number, found_item_id, letter, reports=reports)
    return True


def _notice_of(report: Report, found_item_id: str) -> FoundPropertyNotice | None:
    return next((n for n in report.found_property if n.found_item_id == found_item_id), None)


def _record_letter(
    case_number: str, found_item_id: str, letter: DigitalLetter, *, reports: ReportRepository
) -> None:
    """The letter about the item, on the owner's report: read again on a conflict (the owner or staff may
    have changed the report meanwhile)."""

    def attempt() -> None:
        report = reports.get(case_number)
        if report is None:
            raise NotFound(f"Report {case_number} does not exist")
        notices = [
            n.model_copy(update={"letter_id": letter.message_id, "letter_sent_at": letter.written_at})
            if n.found_item_id == found_item_id and n.letter_sent_at is None
            else n
            for n in report.found_property
        ]
        recorded = report.model_copy(update={"found_property": notices, "version": report.version + 1})
        reports.replace(recorded, expected_version=report.version, events=[])

    retry_on_conflict(attempt)
