"""Lost and found property (hittegods): items handed in at a police reception, matched to loss and theft
reports, and the statutory deadlines that decide who may take an item nobody claims.

The rules (lagen (1938:121) om hittegods, as DOMAIN.md summarises it):

- A found item is registered at a reception; the finder gets a receipt.
- A known owner is told and has **1 month** to claim it. If no owner claims it within **3 months** of
  registration, the finder may take it if they asked to, after paying the police's costs within **1 month**;
  otherwise it goes to the state. Items found in a shop, bus or train belong to that business as finder.
- Periods are counted in calendar months as Swedish law counts them (lag (1930:173) om beräkning av
  lagstadgad tid, 2 §): a period of n months that starts on a day ends on the day with the same number
  n months later, or on the last day of that month if it is shorter (31 January + 1 month → 28/29 February).
  Days are Swedish (Europe/Stockholm) days; a period ends when its last day ends. A last day on a weekend or
  holiday is not moved.
- A told owner's month is never cut short: the 3-month track starts when both the 3 months and the owner's
  month have ended. The finder's month starts on the day the owner's time ended.
- A passport or national ID card never goes to the finder (a lost one is blocked when reported).

Staff handle found items only with the role ``reception``, and every action leaves an audit record (see
:mod:`services.reports.domain.reception`).

Matching (see :func:`match_found_item`): an identifying number (serial number, IMEI, frame number; compared
letters and digits only, case-insensitively) named by **one** owner, in open loss reports or in theft reports
(closed ones too: a decision not to investigate does not return the property), tells that owner at once.
Otherwise the item is a *possible* match of open loss reports of the same category and region whose loss
period it was found in (from ``occurredFrom`` to 14 days after ``occurredTo``); staff confirm a possible match
before its owner is told.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, field_validator

from services.reports.domain.model import (
    MAX_VALUE_SEK,
    FoundPropertyNotice,
    ItemCategory,
    Report,
    ShortText,
    TimelineEntry,
)
from services.reports.domain.notifications import DigitalLetter, letter_id
from services.reports.domain.reception import Staff, audit_record, require_reception
from services.reports.domain.staff import AuditAction, AuditRecord
from services.reports.messages import TEXTS
from shared.clock import STOCKHOLM, Clock, stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events.contracts.reports import (
    SOURCE,
    FoundItemDeadlinePassed,
    FoundItemHandedOver,
    FoundItemRegistered,
    LostPropertyMatched,
)
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import Message, kept
from shared.i18n import spelled as spelled_message
from shared.identity import InvalidIdentifier, parse_organisationsnummer, parse_personnummer
from shared.models import CamelModel, Imei, Timestamp
from shared.regions import Region, UnknownMunicipality, municipality, region_for_municipality

if TYPE_CHECKING:
    from services.reports.domain.ports import (
        AuditLog,
        DigitalMailbox,
        FoundItemRepository,
        ReportedPropertyIndex,
        ReportRepository,
    )

OWNER_CLAIM_MONTHS = 1
UNCLAIMED_MONTHS = 3
FINDER_COLLECT_MONTHS = 1
# A lost thing is often handed in some days after it was lost: found up to 14 days after the loss period.
FOUND_AFTER_LOSS = timedelta(days=14)
FINDERS_REWARD_SHARE = 0.10
# The clock of the reception's computer and the finder's memory are rough; minutes ahead are not the future.
CLOCK_SKEW = timedelta(minutes=5)
NATIONAL = "National"
# The loss and theft report types a found item can be matched to.
MATCHABLE_REPORT_TYPES = frozenset({"loss", "theft"})

FOUND_ITEM_ID_PATTERN = r"^HG[1-9]\d{0,8}-\d{2}$"
_FOUND_ITEM_ID = re.compile(FOUND_ITEM_ID_PATTERN)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

MatchKind = Literal["serialNumber", "description"]


# --- time ------------------------------------------------------------------------------------------------


def add_months(start: date, months: int) -> date:
    """The last day of a period of ``months`` calendar months starting on ``start`` (lag (1930:173), 2 §)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def months_after(moment: datetime, months: int) -> date:
    """The last day of a period of ``months`` starting on the Swedish day of ``moment``."""
    return add_months(stockholm_time(moment).date(), months)


def end_of(day: date) -> datetime:
    """The moment a Swedish day ends: midnight in Stockholm after it, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=STOCKHOLM).astimezone(UTC)


def spelled(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# --- identifiers ---------------------------------------------------------------------------------------


def matching_key(identifier: str) -> str:
    """An identifying number as compared: letters and digits, upper case ("wsb-123 456" → "WSB123456")."""
    return "".join(ch for ch in identifier.upper() if ch.isalnum())


def format_found_item_id(number: int, year: int) -> str:
    """``HG<running number>-<YY>``: short enough to read out at a counter and to write on a label."""
    return f"HG{number}-{year % 100:02d}"


def is_found_item_id(text: str) -> bool:
    return _FOUND_ITEM_ID.fullmatch(text) is not None


def report_identifiers(report: Report) -> set[str]:
    """The matching keys of the items a report names, its additions included. A passport or ID card is left
    out: a lost one is blocked and will not be handed back."""
    items = [*report.details.items_reported, *(i for a in report.amendments for i in a.items)]
    return {
        key
        for item in items
        if not item.category.is_identity_document
        for identifier in item.identifiers
        if (key := matching_key(identifier))
    }


def category_words(category: ItemCategory) -> str:
    """``mobilePhone`` → "mobile phone", for letters and receipts."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", category.value).lower()


# --- the found item --------------------------------------------------------------------------------------


class FoundItemStatus(StrEnum):
    REGISTERED = "registered"
    OWNER_NOTIFIED = "ownerNotified"
    FINDER_MAY_COLLECT = "finderMayCollect"
    FORFEITED_TO_STATE = "forfeitedToState"
    HANDED_OVER = "handedOver"


class Recipient(StrEnum):
    OWNER = "owner"
    FINDER = "finder"
    STATE = "state"


class Premises(StrEnum):
    PUBLIC_PLACE = "publicPlace"
    SHOP = "shop"
    BUS = "bus"
    TRAIN = "train"

    @property
    def business_is_finder(self) -> bool:
        return self is not Premises.PUBLIC_PLACE


def _known_municipality(code: str) -> str:
    try:
        municipality(code)
    except UnknownMunicipality:
        raise ValueError(f"{code} is not a Swedish municipality code") from None
    return code


MunicipalityCode = Annotated[str, Field(pattern=r"^\d{4}$", examples=["0180"])]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class FoundPlace(CamelModel):
    municipality_code: MunicipalityCode
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    premises: Premises = Premises.PUBLIC_PLACE

    _municipality = field_validator("municipality_code")(_known_municipality)


class Reception(CamelModel):
    """The police reception that keeps the item, and where its owner or finder collects it."""

    name: ShortText
    municipality_code: MunicipalityCode

    _municipality = field_validator("municipality_code")(_known_municipality)


class Finder(CamelModel):
    """Who found the item: a person, or the business whose shop, bus or train it was found in."""

    name: ShortText
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None
    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)] | None = None
    personnummer: str | None = None
    organisationsnummer: str | None = None
    # The finder must be asked, so there is no default.
    wants_item_if_unclaimed: bool

    @field_validator("personnummer")
    @classmethod
    def _valid_personnummer(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            return str(parse_personnummer(text, today=date.today()))
        except InvalidIdentifier as error:
            raise ValueError(error.reason) from None

    @field_validator("organisationsnummer")
    @classmethod
    def _valid_organisationsnummer(cls, text: str | None) -> str | None:
        if text is None:
            return None
        try:
            return str(parse_organisationsnummer(text))
        except InvalidIdentifier as error:
            raise ValueError(error.reason) from None


class FoundItemRegistration(CamelModel):
    """What staff at a reception register about a found item."""

    category: ItemCategory
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    brand: ShortText | None = None
    model: ShortText | None = None
    serial_number: Identifier | None = None
    imei: Imei | None = None
    frame_number: Identifier | None = None
    document_number: Annotated[str, Field(pattern=r"^\d{8}$")] | None = None
    estimated_value_sek: Annotated[int, Field(ge=0, le=MAX_VALUE_SEK)] | None = None
    found_at: Timestamp
    place: FoundPlace
    reception: Reception
    finder: Finder

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Matching keys of the numbers that identify this very item (a document number is not matched)."""
        numbers = (self.serial_number, self.imei, self.frame_number)
        return tuple(dict.fromkeys(key for n in numbers if n and (key := matching_key(n))))

    def rule_violations(self) -> dict[str, str]:
        """Rules across fields, each naming the field to correct."""
        problems: dict[str, str] = {}
        if self.category.is_identity_document and self.document_number is None:
            problems["documentNumber"] = "is required for a passport or national ID card"
        if self.document_number is not None and not self.category.is_identity_document:
            problems["documentNumber"] = "belongs only to a passport or national ID card"
        finder = self.finder
        if finder.personnummer and finder.organisationsnummer:
            problems["finder.personnummer"] = (
                "give a personnummer for a person or an organisationsnummer for a business, not both"
            )
        if self.place.premises.business_is_finder:
            if finder.organisationsnummer is None:
                problems["finder.organisationsnummer"] = (
                    f"is required: an item found in a {self.place.premises.value} belongs to that business "
                    "as finder"
                )
            if finder.personnummer is not None:
                problems["finder.personnummer"] = (
                    f"must be left out: an item found in a {self.place.premises.value} belongs to that "
                    "business as finder"
                )
        if finder.wants_item_if_unclaimed and not (finder.phone or finder.email):
            problems["finder.phone"] = (
                "a phone number or e-mail address is needed to tell the finder when they may collect the item"
            )
        return problems


class PossibleMatch(CamelModel):
    """An open report this item may belong to, for staff to confirm."""

    case_number: str
    match_kind: MatchKind
    found_at: AwareDatetime


class OwnerNotice(CamelModel):
    """The owner of a matched report was told, and may claim the item until ``claim_by`` (inclusive)."""

    case_number: str
    match_kind: MatchKind
    confirmed_by: Literal["rule", "staff"]
    notified_at: AwareDatetime
    claim_by: date
    lapsed: bool = False


class HandOver(CamelModel):
    recipient: Recipient
    at: AwareDatetime
    staff_id: str
    case_number: str | None = None
    costs_paid_sek: int | None = None


class StatusEntry(CamelModel):
    status: FoundItemStatus
    at: AwareDatetime
    reason: str


class FoundItemRecord(FoundItemRegistration):
    """A found item as staff see it."""

    found_item_id: str
    status: FoundItemStatus
    # The region of the reception that keeps it: whose staff may see it.
    region: str
    # The region it was found in: what it is matched against.
    found_in_region: str
    registered_at: AwareDatetime
    registered_by: str
    unclaimed_until: date
    owner_notices: list[OwnerNotice] = Field(default_factory=list)
    possible_matches: list[PossibleMatch] = Field(default_factory=list)
    # The last day its owner could claim it (3 months, or a told owner's month if that ended later).
    owner_period_ended: date | None = None
    collect_by: date | None = None
    handed_over: HandOver | None = None
    history: list[StatusEntry] = Field(default_factory=list)


class FoundItem(FoundItemRecord):
    version: int = 1

    @property
    def next_deadline(self) -> date | None:
        """The last day of the period now running, if any."""
        if self.status is FoundItemStatus.REGISTERED:
            return self.unclaimed_until
        if self.status is FoundItemStatus.OWNER_NOTIFIED:
            return self.owner_notices[-1].claim_by
        if self.status is FoundItemStatus.FINDER_MAY_COLLECT:
            return self.collect_by
        return None

    @property
    def due_at(self) -> datetime | None:
        """When the running period ends and the item must move on."""
        deadline = self.next_deadline
        return end_of(deadline) if deadline else None

    @property
    def finder_may_take_it(self) -> bool:
        return self.finder.wants_item_if_unclaimed and not self.category.is_identity_document

    @property
    def finders_reward_sek(self) -> int | None:
        """About a tenth of the value, owed by an owner who gets the item back."""
        value = self.estimated_value_sek
        return round(value * FINDERS_REWARD_SHARE) if value is not None else None

    @property
    def notified_case_numbers(self) -> set[str]:
        return {n.case_number for n in self.owner_notices}

    def is_matched_to(self, case_number: str) -> bool:
        return case_number in self.notified_case_numbers or any(
            p.case_number == case_number for p in self.possible_matches
        )

    def moved_to(self, status: FoundItemStatus, *, at: datetime, reason: str, **changes: object) -> FoundItem:
        entry = StatusEntry(status=status, at=at, reason=reason)
        return self.model_copy(
            update={
                **changes,
                "status": status,
                "history": [*self.history, entry],
                "version": self.version + 1,
            }
        )


def _event(data: EventData, *, now: datetime, correlation_id: str) -> Envelope[EventData]:
    return new_event(data, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)


# --- registering and reading -----------------------------------------------------------------------------


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
    repository.add(item, [_event(registered, now=now, correlation_id=correlation_id)], audit=record)
    return item


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


def _checked(
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
    item, record = _checked(
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


# --- matching --------------------------------------------------------------------------------------------


def _matchable(report: Report | None) -> bool:
    """A loss report while it is open; a theft report whatever became of it, since a decision not to
    investigate (most bicycle thefts are closed at once) does not give the owner their property back."""
    if report is None or report.type not in MATCHABLE_REPORT_TYPES:
        return False
    return report.type == "theft" or report.status.is_open


def _reports_by_identifier(
    item: FoundItem, *, reports: ReportRepository, index: ReportedPropertyIndex
) -> list[Report]:
    keys = set(item.identifiers)
    if not keys:
        return []
    found = [reports.get(case) for case in sorted(set(index.reports_with(keys)))]
    return [r for r in found if r is not None and _matchable(r) and keys & report_identifiers(r)]


def _lost_like(item: FoundItem, report: Report) -> bool:
    """Same category, region and time; and no identifying number of the report's items that contradicts."""
    details = report.details
    if report.type != "loss" or report.region != item.found_in_region:
        return False
    if not details.occurred_from <= item.found_at <= details.occurred_to + FOUND_AFTER_LOSS:
        return False
    same_kind = [i for i in details.items_reported if i.category is item.category]
    if not same_kind:
        return False
    keys = set(item.identifiers)
    if not keys:
        return True
    # A report item without a number may be this one; one with other numbers is not.
    return any(not i.identifiers or keys & {matching_key(n) for n in i.identifiers} for i in same_kind)


def _reports_by_description(
    item: FoundItem, *, reports: ReportRepository, index: ReportedPropertyIndex
) -> list[Report]:
    cases = index.lost_in(
        item.found_in_region, item.category.value, ended_at_or_after=item.found_at - FOUND_AFTER_LOSS
    )
    found = [reports.get(case) for case in sorted(set(cases))]
    return [r for r in found if r is not None and _matchable(r) and _lost_like(item, r)]


def _owner_message(item: FoundItem, claim_by: date) -> Message:
    return TEXTS(
        "found.owner_message",
        what=TEXTS(f"item.{item.category.value}"),
        reception=item.reception.name,
        town=municipality(item.reception.municipality_code).name,
        claimBy=spelled_message(claim_by),
        foundItemId=item.found_item_id,
    )


def _tell_owner(
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
    entry = TimelineEntry(status=report.status, at=now, reason=kept(_owner_message(item, claim_by)))
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
        events=[*earlier_events, _event(matched, now=now, correlation_id=correlation_id)],
        audit=audit,
    )
    return told


def _match_once(
    item: FoundItem,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    now: datetime,
    correlation_id: str,
) -> FoundItem:
    already_told = item.notified_case_numbers
    by_number = [
        r
        for r in _reports_by_identifier(item, reports=reports, index=index)
        if r.case_number not in already_told
    ]
    if len({r.owner_ref for r in by_number}) == 1:
        newest = max(by_number, key=lambda r: r.filed_at)
        return _tell_owner(
            item,
            newest,
            match_kind="serialNumber",
            confirmed_by="rule",
            repository=found_items,
            now=now,
            correlation_id=correlation_id,
        )
    # Several owners name the same number: staff decide whose it is.
    candidates: list[tuple[Report, MatchKind]] = [(r, "serialNumber") for r in by_number] or [
        (r, "description") for r in _reports_by_description(item, reports=reports, index=index)
    ]
    new = [
        PossibleMatch(case_number=r.case_number, match_kind=kind, found_at=now)
        for r, kind in candidates
        if not item.is_matched_to(r.case_number)
    ]
    if not new:
        return item
    with_matches = item.model_copy(
        update={"possible_matches": [*item.possible_matches, *new], "version": item.version + 1}
    )
    found_items.replace(with_matches, expected_version=item.version, events=[])
    return with_matches


def match_found_item(
    found_item_id: str,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    clock: Clock,
    correlation_id: str,
) -> FoundItem:
    """Match an unclaimed item against open reports: tell the owner of an identifying number, or record
    possible matches for staff. Only items waiting for an owner (``registered``) are matched. Running it again
    changes nothing new, so a redelivered event is harmless."""

    def attempt() -> FoundItem:
        item = found_items.get(found_item_id)
        if item is None:
            raise NotFound(f"Found item {found_item_id} does not exist")
        now = clock.now()
        if item.status is not FoundItemStatus.REGISTERED or (item.due_at and item.due_at <= now):
            return item  # not waiting for its owner (any more): the deadline job moves it on
        return _match_once(
            item,
            found_items=found_items,
            reports=reports,
            index=index,
            now=now,
            correlation_id=correlation_id,
        )

    # The item or the report may change meanwhile (the deadline job, staff): read both again and retry.
    return retry_on_conflict(attempt)


def match_report(
    report: Report,
    *,
    found_items: FoundItemRepository,
    reports: ReportRepository,
    index: ReportedPropertyIndex,
    clock: Clock,
    correlation_id: str,
) -> list[FoundItem]:
    """A new or amended loss or theft report: index what it names, then match the unclaimed found items it
    may concern (each matched against every open report, so the rules are the same both ways)."""
    if report.type not in MATCHABLE_REPORT_TYPES:
        return []
    keys = report_identifiers(report)
    if keys:
        index.mark_reported(sorted(keys), report.case_number)
    details = report.details
    categories = sorted({i.category.value for i in details.items_reported})
    if report.type == "loss" and categories:
        index.mark_lost(
            region=report.region,
            categories=categories,
            occurred_from=details.occurred_from,
            occurred_to=details.occurred_to,
            case_number=report.case_number,
        )
    if not _matchable(report):
        return []
    candidates = set(found_items.with_identifiers(sorted(keys))) if keys else set()
    if report.type == "loss":
        for category in categories:
            candidates |= set(
                found_items.found_between(
                    report.region,
                    category,
                    start=details.occurred_from,
                    end=details.occurred_to + FOUND_AFTER_LOSS,
                )
            )
    return [
        match_found_item(
            found_item_id,
            found_items=found_items,
            reports=reports,
            index=index,
            clock=clock,
            correlation_id=correlation_id,
        )
        for found_item_id in sorted(candidates)
    ]


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
    stored, record = _checked(
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
    if report is None or not _matchable(report):
        raise Conflict(f"Report {case_number} is closed; its owner is not told")
    return _tell_owner(
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
            _owner_message(item, claim_by),
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


# --- deadlines -------------------------------------------------------------------------------------------


def _unclaimed(item: FoundItem, *, since: date, at: datetime) -> FoundItem:
    """No owner claimed the item in time: the finder's turn, if they asked for it; otherwise the state's."""
    if item.finder_may_take_it:
        collect_by = add_months(since, FINDER_COLLECT_MONTHS)
        return item.moved_to(
            FoundItemStatus.FINDER_MAY_COLLECT,
            at=at,
            reason=f"No owner claimed it; the finder may collect it by {spelled(collect_by)} after paying "
            "the costs.",
            owner_period_ended=since,
            collect_by=collect_by,
        )
    why = (
        "a passport or ID card never goes to the finder"
        if item.category.is_identity_document
        else "the finder did not ask for it"
    )
    return item.moved_to(
        FoundItemStatus.FORFEITED_TO_STATE,
        at=at,
        reason=f"No owner claimed it and {why}: it goes to the state.",
        owner_period_ended=since,
    )


def _next_period(
    item: FoundItem, *, at: datetime
) -> tuple[FoundItem, Literal["claim", "unclaimed", "collection"]]:
    deadline = item.next_deadline
    assert deadline is not None
    if item.status is FoundItemStatus.OWNER_NOTIFIED:
        lapsed = item.owner_notices[-1].model_copy(update={"lapsed": True})
        item = item.model_copy(update={"owner_notices": [*item.owner_notices[:-1], lapsed]})
        if item.unclaimed_until > deadline:
            return (
                item.moved_to(
                    FoundItemStatus.REGISTERED,
                    at=at,
                    reason=f"The owner who was told did not claim it by {spelled(deadline)}; it waits for "
                    f"its owner until {spelled(item.unclaimed_until)}.",
                ),
                "claim",
            )
        return _unclaimed(item, since=deadline, at=at), "claim"
    if item.status is FoundItemStatus.REGISTERED:
        return _unclaimed(item, since=deadline, at=at), "unclaimed"
    return (
        item.moved_to(
            FoundItemStatus.FORFEITED_TO_STATE,
            at=at,
            reason=f"The finder did not collect it by {spelled(deadline)}: it goes to the state.",
        ),
        "collection",
    )


def advance(
    item: FoundItem, *, now: datetime, correlation_id: str
) -> tuple[FoundItem, list[Envelope[EventData]]]:
    """The item as the law has it at ``now``: every period that ended moves it on, one event per step. The
    result's version is the input's plus the number of steps."""
    events: list[Envelope[EventData]] = []
    while (due := item.due_at) is not None and due <= now:
        deadline, previous = item.next_deadline, item.status
        assert deadline is not None
        item, kind = _next_period(item, at=now)
        passed = FoundItemDeadlinePassed(
            found_item_id=item.found_item_id,
            region=item.region,
            deadline=kind,
            deadline_date=deadline,
            previous_status=previous.value,
            status=item.status.value,
            recorded_at=now,
        )
        events.append(_event(passed, now=now, correlation_id=correlation_id))
    return item, events


@dataclass(frozen=True)
class DeadlineRun:
    moved: int  # items that moved on
    steps: int  # periods that ended (an item late by months may take several)
    skipped: int  # items that changed meanwhile: the next run looks at them again


def pass_deadlines(
    *, repository: FoundItemRepository, clock: Clock, correlation_id: str, max_items: int = 1000
) -> DeadlineRun:
    """Move on every item whose period ended, in every region. Safe to run at any time and any number of
    times: an item not yet due, or already moved, is left alone."""
    now = clock.now()
    moved = steps = skipped = 0
    for region in Region:
        for found_item_id in repository.due(region.value, until=now):
            if moved + skipped >= max_items:
                return DeadlineRun(moved=moved, steps=steps, skipped=skipped)
            item = repository.get(found_item_id)  # the index lags; the item itself is the truth
            if item is None:
                continue
            advanced, events = advance(item, now=now, correlation_id=correlation_id)
            if not events:
                continue
            try:
                repository.replace(advanced, expected_version=item.version, events=events)
            except Conflict:
                skipped += 1
                continue
            moved += 1
            steps += len(events)
    return DeadlineRun(moved=moved, steps=steps, skipped=skipped)


# --- hand-over -------------------------------------------------------------------------------------------


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

    stored, record = _checked(
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
    events = [*events, _event(handed_over, now=now, correlation_id=correlation_id)]
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
        reason=f"Found item {found_item_id} ({category_words(item.category)}) was handed back to you at "
        f"{item.reception.name}.",
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
