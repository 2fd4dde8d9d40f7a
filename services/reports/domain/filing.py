"""Filing a report, reading it back, adding to it, and moving it from one status to the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.reports.domain import authority
from services.reports.domain.authority import Registers
from services.reports.domain.model import (
    MAX_ITEMS,
    Amendment,
    CardFraudReport,
    Item,
    ItemCategory,
    Report,
    ReportDraft,
    ReportStatus,
    TimelineEntry,
)
from services.reports.domain.ports import Page, ReportRepository
from services.reports.messages import TEXTS
from shared.casenumbers import KNumber
from shared.clock import Clock, stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput, NotFound, Referral
from shared.events.contracts.reports import (
    SOURCE,
    ReportAmended,
    ReportFiled,
    ReportStatusChanged,
)
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import DEFAULT_LANGUAGE, Language, LocalText, Message, kept
from shared.regions import region_for_municipality

# Clocks on citizens' devices drift; a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)
MAX_AMENDMENTS = 20

EMERGENCY = "112"
NON_EMERGENCY = "114 14"
RECEPTION = "reception"


@dataclass(frozen=True)
class Citizen:
    owner_ref: str
    personnummer: str
    # The language the citizen uses the service in: what they file is answered, and later written to, in it.
    language: Language = DEFAULT_LANGUAGE


def screen(draft: ReportDraft) -> None:
    """Matters that do not belong in an online report are referred where they do, before anything is stored."""
    if draft.ongoing:
        raise Referral(TEXTS("refer.emergency"), EMERGENCY)
    if isinstance(draft, CardFraudReport):
        if draft.details_given_by_phone:
            raise Referral(TEXTS("refer.card_by_phone"), NON_EMERGENCY)
        if not draft.card_blocked:
            raise Referral(TEXTS("refer.block_card_first"), NON_EMERGENCY)
        if draft.merchant_name is None:
            raise Referral(TEXTS("refer.card_merchant_unknown"), NON_EMERGENCY)
    screen_items(draft.type, draft.items_reported)


# The forms that list items; the others (a shop's goods, card transactions, damage) say what was lost their way.
FORMS_WITH_ITEMS = frozenset({"theft", "loss"})


def screen_items(report_type: str, items: list[Item]) -> None:
    """What a filing's items are screened for, and an addition's items alike."""
    if report_type == "loss" and any(i.category is ItemCategory.KEYS for i in items):
        raise Referral(TEXTS("refer.lost_keys"), RECEPTION)


def _check_times(draft: ReportDraft, now: datetime) -> None:
    in_the_future: dict[str, Message] = {
        field: TEXTS("invalid.in_the_future")
        for field, moment in (("occurredFrom", draft.occurred_from), ("occurredTo", draft.occurred_to))
        if moment > now + CLOCK_SKEW
    }
    if in_the_future:
        raise InvalidInput(in_the_future)


def file_report(
    draft: ReportDraft,
    *,
    citizen: Citizen,
    repository: ReportRepository,
    registers: Registers,
    clock: Clock,
    correlation_id: str,
) -> Report:
    """File a report. Who the reporter may act for is checked first (a company they do not represent is
    refused, nothing stored); a relation to the person filed for is confirmed where a register can confirm
    it, and passports and ID cards are asked to be blocked only where the reporter has the right to."""
    screen(draft)
    now = clock.now()
    _check_times(draft, now)
    if draft.on_behalf_of and draft.on_behalf_of.personnummer == citizen.personnummer:
        raise InvalidInput.of("onBehalfOf.personnummer", TEXTS("invalid.own_personnummer"))
    authority.require_representative(
        draft, reporter_personnummer=citizen.personnummer, companies=registers.companies
    )
    today = stockholm_time(now).date()
    verified = authority.relation_verified(
        draft, reporter_personnummer=citizen.personnummer, population=registers.population, today=today
    )

    year = stockholm_time(now).year
    case_number = str(KNumber.for_year(repository.allocate_case_number(year), year))
    region = region_for_municipality(draft.location.municipality_code)
    blocks = authority.document_blocks(
        draft.items_reported,
        report_type=draft.type,
        case_number=case_number,
        reporter_personnummer=citizen.personnummer,
        draft=draft,
        population=registers.population,
        relation_confirmed=verified,
        now=now,
        today=today,
        correlation_id=correlation_id,
    )
    notes = [authority.relation_note(draft, verified), *(b.message for b in blocks.not_requested)]
    report = Report(
        case_number=case_number,
        type=draft.type,
        status=ReportStatus.RECEIVED,
        region=region.value,
        filed_at=now,
        submitted=draft,
        timeline=[
            TimelineEntry(status=ReportStatus.RECEIVED, at=now, reason=kept(TEXTS("timeline.received"))),
            *(
                TimelineEntry(status=ReportStatus.RECEIVED, at=now, reason=kept(note))
                for note in notes
                if note
            ),
        ],
        owner_ref=citizen.owner_ref,
        filer_personnummer=citizen.personnummer,
        on_behalf_of_verified=verified,
        document_blocks=blocks.blocks,
        language=citizen.language,
    )
    filed = ReportFiled(
        case_number=case_number,
        report_type=report.type,
        region=report.region,
        municipality_code=draft.location.municipality_code,
        filed_at=now,
        owner_ref=citizen.owner_ref,
    )
    events: list[Envelope[EventData]] = [
        new_event(filed, producer=SOURCE, occurred_at=now, correlation_id=correlation_id),
        *blocks.events,
    ]
    repository.add(report, events)
    return report


def owned_report(case_number: str, *, owner_ref: str, repository: ReportRepository) -> Report:
    """The report, if it is the caller's. Someone else's report is as unknown as a missing one."""
    report = repository.get(case_number)
    if report is None or not report.is_owned_by(owner_ref):
        raise NotFound(TEXTS("not_found.report_of_yours", caseNumber=case_number))
    return report


def owned_reports(
    owner_ref: str, *, limit: int, start: dict[str, Any] | None, repository: ReportRepository
) -> Page:
    return repository.list_owned(owner_ref, limit=limit, start=start)


def amend_report(
    case_number: str,
    *,
    text: str,
    items: list[Item],
    owner_ref: str,
    repository: ReportRepository,
    registers: Registers,
    clock: Clock,
    correlation_id: str,
) -> Report:
    """The owner adds information to an open report: a new account, or items found missing later. Triage may
    change the report at the same moment; the addition is then applied to the fresh report."""
    return retry_on_conflict(
        lambda: _amend(
            case_number,
            text=text,
            items=items,
            owner_ref=owner_ref,
            repository=repository,
            registers=registers,
            clock=clock,
            correlation_id=correlation_id,
        )
    )


def _amend(
    case_number: str,
    *,
    text: str,
    items: list[Item],
    owner_ref: str,
    repository: ReportRepository,
    registers: Registers,
    clock: Clock,
    correlation_id: str,
) -> Report:
    report = owned_report(case_number, owner_ref=owner_ref, repository=repository)
    if not report.status.is_open:
        raise Conflict(TEXTS("conflict.closed_no_additions", caseNumber=case_number))
    if items and report.type not in FORMS_WITH_ITEMS:
        raise InvalidInput.of("items", TEXTS("invalid.items_not_listed", reportType=report.type))
    if len(report.items_reported) + len(items) > MAX_ITEMS:
        raise InvalidInput.of("items", TEXTS("invalid.too_many_items", max=MAX_ITEMS))
    screen_items(report.type, items)
    if len(report.amendments) >= MAX_AMENDMENTS:
        raise Conflict(TEXTS("conflict.too_many_additions", caseNumber=case_number, max=MAX_AMENDMENTS))
    now = clock.now()
    # Documents added later are blocked by the same rules as those filed at once.
    blocks = authority.document_blocks(
        items,
        report_type=report.type,
        case_number=case_number,
        reporter_personnummer=report.filer_personnummer,
        draft=report.details,
        population=registers.population,
        already_named=[b.document_number for b in report.document_blocks],
        now=now,
        today=stockholm_time(now).date(),
        correlation_id=correlation_id,
    )
    notes = [
        TimelineEntry(status=report.status, at=now, reason=kept(b.message)) for b in blocks.not_requested
    ]
    amended = report.model_copy(
        update={
            "amendments": [*report.amendments, Amendment(at=now, text=text, items=items)],
            "document_blocks": [*report.document_blocks, *blocks.blocks],
            "timeline": [*report.timeline, *notes],
            "version": report.version + 1,
        }
    )
    event = ReportAmended(case_number=case_number, region=report.region, amended_at=now, owner_ref=owner_ref)
    events: list[Envelope[EventData]] = [
        new_event(event, producer=SOURCE, occurred_at=now, correlation_id=correlation_id),
        *blocks.events,
    ]
    repository.replace(amended, expected_version=report.version, events=events)
    return amended


def change_status(
    report: Report,
    status: ReportStatus,
    *,
    reason: Message | LocalText | str,
    now: datetime,
    correlation_id: str,
) -> tuple[Report, Envelope[EventData]]:
    """The report in its new status, and the event that says so."""
    changed = report.move_to(status, at=now, reason=reason)
    event = ReportStatusChanged(
        case_number=report.case_number,
        region=report.region,
        previous_status=report.status.value,
        status=status.value,
        changed_at=now,
        owner_ref=report.owner_ref,
    )
    return changed, new_event(event, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)
