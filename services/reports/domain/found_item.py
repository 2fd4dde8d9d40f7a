"""A found item (hittegods) as the police keep it, and the law's periods that move it on.

Periods are counted in calendar months as Swedish law counts them (lag (1930:173) om beräkning av lagstadgad
tid, 2 §): a period of n months that starts on a day ends on the day with the same number n months later, or
on the last day of that month if it is shorter (31 January + 1 month → 28/29 February). Days are Swedish
(Europe/Stockholm) days; a period ends when its last day ends. A last day on a weekend or holiday is not moved.
The use cases are in :mod:`services.reports.domain.lost_and_found`.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, field_validator

from services.reports.domain.model import (
    MAX_VALUE_SEK,
    ItemCategory,
    Report,
    ShortText,
)
from shared.clock import STOCKHOLM, stockholm_time
from shared.events.contracts.reports import SOURCE
from shared.events.envelope import Envelope, EventData, new_event
from shared.identity import InvalidIdentifier, parse_organisationsnummer, parse_personnummer
from shared.models import CamelModel, Imei, Timestamp
from shared.regions import UnknownMunicipality, municipality

OWNER_CLAIM_MONTHS = 1
UNCLAIMED_MONTHS = 3
FINDER_COLLECT_MONTHS = 1
# A lost thing is often handed in some days after it was lost: found up to 14 days after the loss period.
FOUND_AFTER_LOSS = timedelta(days=14)
FINDERS_REWARD_SHARE = 0.10
# The clock of the reception's computer and the finder's memory are rough; minutes ahead are not the future.
CLOCK_SKEW = timedelta(minutes=5)
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


def found_item_event(data: EventData, *, now: datetime, correlation_id: str) -> Envelope[EventData]:
    """An event of lost and found, as the reports service publishes it."""
    return new_event(data, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)
