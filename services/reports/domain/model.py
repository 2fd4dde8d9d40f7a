"""Crime and loss reports: what citizens submit for each e-service, and the report the police keep.

Every report type of polisen.se has its own form (``*Report`` drafts, chosen by ``type``), sharing the common
part in :class:`BaseDraft`. Checks that need no clock and no storage live here; the rest in the use cases.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import (
    AwareDatetime,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationInfo,
    field_validator,
    model_validator,
)

from services.reports.messages import TEXTS
from shared.i18n import DEFAULT_LANGUAGE, InvalidValue, Language, Localized, LocalText, Message, kept
from shared.identity import InvalidIdentifier, parse_organisationsnummer, parse_personnummer
from shared.models import CamelModel, Day, Imei, Timestamp, tagged_union
from shared.regions import UnknownMunicipality, municipality

MAX_VALUE_SEK = 10_000_000
MAX_DESCRIPTION_CHARS = 4000
MAX_ITEMS = 50

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION_CHARS)
]
Sek = Annotated[int, Field(ge=0, le=MAX_VALUE_SEK)]

# Swedish registration numbers: ABC123 or (since 2019) ABC12A. I, Q and V are never used; O not last.
_REGISTRATION = re.compile(r"^[A-HJ-PR-UW-Z]{3}[0-9]{2}[A-HJ-NPR-UW-Z0-9]$")


class ReportStatus(StrEnum):
    RECEIVED = "received"
    AWAITING_ASSESSMENT = "awaitingAssessment"
    UNDER_ASSESSMENT = "underAssessment"
    UNDER_INVESTIGATION = "underInvestigation"
    # A loss report stays open so found items can be matched to it.
    REGISTERED = "registered"
    CLOSED = "closed"

    @property
    def is_open(self) -> bool:
        return self is not ReportStatus.CLOSED


class ItemCategory(StrEnum):
    BICYCLE = "bicycle"
    MOBILE_PHONE = "mobilePhone"
    COMPUTER = "computer"
    JEWELLERY = "jewellery"
    WALLET = "wallet"
    BAG = "bag"
    CAMERA = "camera"
    TOOLS = "tools"
    VEHICLE_PART = "vehiclePart"
    CASH = "cash"
    PAYMENT_CARD = "paymentCard"
    PASSPORT = "passport"
    NATIONAL_ID_CARD = "nationalIdCard"
    KEYS = "keys"
    OTHER = "other"

    @property
    def is_identity_document(self) -> bool:
        return self in (ItemCategory.PASSPORT, ItemCategory.NATIONAL_ID_CARD)


class TheftKind(StrEnum):
    HOME = "home"
    CELLAR_OR_ATTIC = "cellarOrAttic"
    VEHICLE = "vehicle"
    OTHER = "other"


class DamageKind(StrEnum):
    GRAFFITI = "graffiti"
    OTHER = "other"


class Coordinates(CamelModel):
    # Sweden's bounding box, with a margin for coastal waters.
    latitude: Annotated[float, Field(ge=55.0, le=69.5)]
    longitude: Annotated[float, Field(ge=10.5, le=24.5)]


class Location(CamelModel):
    municipality_code: Annotated[str, Field(pattern=r"^\d{4}$", examples=["0180"])]
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    coordinates: Coordinates | None = None

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, code: str) -> str:
        try:
            municipality(code)
        except UnknownMunicipality:
            raise InvalidValue(TEXTS("invalid.municipality", code=code)) from None
        return code


class Item(CamelModel):
    category: ItemCategory
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    brand: ShortText | None = None
    model: ShortText | None = None
    serial_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = None
    imei: Imei | None = None
    frame_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = None
    document_number: Annotated[str, Field(pattern=r"^\d{8}$")] | None = None
    value_sek: Sek | None = None
    purchase_date: Day | None = None

    @model_validator(mode="after")
    def _documents_have_numbers(self) -> Item:
        if self.category.is_identity_document and self.document_number is None:
            raise InvalidValue(TEXTS("invalid.document_number_missing"))
        if self.document_number is not None and not self.category.is_identity_document:
            raise InvalidValue(TEXTS("invalid.document_number_not_here"))
        return self

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Serial-like numbers that identify this very item (for matching found property)."""
        return tuple(
            n.upper() for n in (self.serial_number, self.imei, self.frame_number, self.document_number) if n
        )


class Witness(CamelModel):
    name: ShortText
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None


class OnBehalfOf(CamelModel):
    """The person the report is about, when a citizen files for someone else (a child, a relative)."""

    personnummer: str
    relation: Literal["child", "relative", "employer", "other"]

    @field_validator("personnummer")
    @classmethod
    def _valid_personnummer(cls, text: str) -> str:
        try:
            return str(parse_personnummer(text, today=date.today()))
        except InvalidIdentifier as error:
            raise InvalidValue(error.message) from None


class BaseDraft(CamelModel):
    """What every report form asks."""

    occurred_from: Timestamp
    occurred_to: Timestamp
    location: Location
    description: Text
    # The reporter must be asked whether to be told of a decision, so there is no default.
    notify_on_decision: bool
    # Screening: a crime in progress is for 112, not a form.
    ongoing: bool = False
    on_behalf_of: OnBehalfOf | None = None
    witnesses: Annotated[list[Witness], Field(max_length=10)] = Field(default_factory=list)
    suspect_description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] | None = (
        None
    )
    cctv: bool = False
    insurer: ShortText | None = None

    @field_validator("occurred_to")
    @classmethod
    def _not_before_start(cls, occurred_to: datetime, info: ValidationInfo) -> datetime:
        occurred_from = info.data.get("occurred_from")
        if occurred_from is not None and occurred_to < occurred_from:
            raise InvalidValue(TEXTS("invalid.before_start"))
        return occurred_to

    @property
    def items_reported(self) -> list[Item]:
        return []

    @property
    def has_leads(self) -> bool:
        """Something an investigator could follow up: a suspect, a witness or camera footage."""
        return bool(self.suspect_description) or bool(self.witnesses) or self.cctv


class TheftReport(BaseDraft):
    """Theft and burglary: from a home, a cellar or attic, a vehicle, or elsewhere."""

    type: Literal["theft"]
    theft_kind: TheftKind = TheftKind.OTHER
    items: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)

    @property
    def items_reported(self) -> list[Item]:
        return self.items


class Goods(CamelModel):
    description: ShortText
    article_number: ShortText | None = None
    quantity: Annotated[int, Field(ge=1, le=10_000)]
    unit_price_sek: Sek


class ShopTheftReport(BaseDraft):
    """Theft from a shop, filed by the shop (an employee logged in with e-ID, for the company)."""

    type: Literal["shopTheft"]
    organisationsnummer: str
    store_name: ShortText
    goods: Annotated[list[Goods], Field(min_length=1, max_length=200)]

    @field_validator("organisationsnummer")
    @classmethod
    def _valid_organisationsnummer(cls, text: str) -> str:
        try:
            return str(parse_organisationsnummer(text))
        except InvalidIdentifier as error:
            raise InvalidValue(error.message) from None

    @property
    def total_value_sek(self) -> int:
        return sum(g.quantity * g.unit_price_sek for g in self.goods)


class CardTransaction(CamelModel):
    at: Timestamp
    amount_sek: Annotated[int, Field(ge=1, le=MAX_VALUE_SEK)]
    merchant: ShortText


class CardFraudReport(BaseDraft):
    """Card fraud: only once the card is blocked at the bank and the merchant is known."""

    type: Literal["cardFraud"]
    card_blocked: bool
    details_given_by_phone: bool
    card_issuer: ShortText
    card_last_four: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    merchant_name: ShortText | None = None
    transactions: Annotated[list[CardTransaction], Field(min_length=1, max_length=100)]


class VandalismReport(BaseDraft):
    """Graffiti and other damage. Photos are encouraged (attachments)."""

    type: Literal["vandalism"]
    damage_kind: DamageKind
    damaged_property: ShortText
    estimated_cost_sek: Sek | None = None


class ParkingDamageReport(BaseDraft):
    """Damage to a parked vehicle by an unknown driver; the owner needs the case number for the traffic
    insurance fund (TFF)."""

    type: Literal["parkingDamage"]
    registration_number: str
    damage_description: Text

    @field_validator("registration_number", mode="before")
    @classmethod
    def _swedish_registration(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        normalized = value.replace(" ", "").replace("-", "").upper()
        if not _REGISTRATION.fullmatch(normalized):
            raise InvalidValue(TEXTS("invalid.registration_number"))
        return normalized


class LossReport(BaseDraft):
    """Something lost (not stolen), including a passport or national ID card."""

    type: Literal["loss"]
    items: Annotated[list[Item], Field(min_length=1, max_length=MAX_ITEMS)]

    @property
    def items_reported(self) -> list[Item]:
        return self.items


REPORT_TYPES: dict[str, type[BaseDraft]] = {
    "theft": TheftReport,
    "shopTheft": ShopTheftReport,
    "cardFraud": CardFraudReport,
    "vandalism": VandalismReport,
    "parkingDamage": ParkingDamageReport,
    "loss": LossReport,
}

ReportDraft = (
    TheftReport | ShopTheftReport | CardFraudReport | VandalismReport | ParkingDamageReport | LossReport
)
if TYPE_CHECKING:
    ReportDraftBody = ReportDraft
else:
    # What the API accepts: the variant chosen by ``type``, with errors naming the variant's fields.
    ReportDraftBody = tagged_union("type", REPORT_TYPES)


class TimelineEntry(CamelModel):
    status: ReportStatus
    at: AwareDatetime
    # Kept as a catalog key where the service wrote it, so each reader reads it in their language.
    reason: Localized


class Amendment(CamelModel):
    at: AwareDatetime
    text: str
    items: list[Item] = Field(default_factory=list)


class Decision(CamelModel):
    outcome: str
    reason: Localized
    decided_by: Literal["rule", "staff"]
    rule_id: str | None = None
    rule_version: int | None = None
    staff_id: str | None = None
    decided_at: AwareDatetime
    # When the reporter, who asked to be told, was sent the decision to their digital mailbox, and the
    # letter's id: recorded with the report, so that no redelivery, however late, writes to them again.
    notified_at: AwareDatetime | None = None
    letter_id: str | None = None


class Attachment(CamelModel):
    attachment_id: str
    file_name: str
    content_type: str
    size_bytes: int
    status: Literal["pending", "uploaded"]
    added_at: AwareDatetime


class FoundPropertyNotice(CamelModel):
    """A found item that may be the reporter's, waiting at a police reception (lost and found property)."""

    found_item_id: str
    category: ItemCategory
    reception: str
    claim_by: date
    notified_at: AwareDatetime
    handed_over_at: AwareDatetime | None = None
    # The letter that told the owner, recorded with the report once sent: it is sent once.
    letter_id: str | None = None
    letter_sent_at: AwareDatetime | None = None


class DocumentBlockStatus(StrEnum):
    """Where the block of a passport or ID card named in a loss or theft report stands."""

    # Asked of the register of issued documents; its answer is awaited.
    REQUESTED = "requested"
    # The register blocked it: the validity check answers Spärrat.
    BLOCKED = "blocked"
    # The register holds no such document of the person named as its holder: nothing changed.
    REFUSED = "refused"
    # Not asked: the reporter is neither its holder nor a guardian of a holder under 18.
    NOT_REQUESTED = "notRequested"


class DocumentBlock(CamelModel):
    """A passport or national ID card the report names, and whether it was blocked. ``message`` tells the
    reporter what it means and what to do."""

    document_type: Literal["passport", "nationalIdCard"]
    document_number: str
    status: DocumentBlockStatus
    message: Localized
    at: AwareDatetime


class ReportRecord(CamelModel):
    """The report as its owner sees it."""

    case_number: str
    type: str
    status: ReportStatus
    region: str
    filed_at: AwareDatetime
    submitted: ReportDraftBody
    timeline: list[TimelineEntry]
    amendments: list[Amendment] = Field(default_factory=list)
    decision: Decision | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    found_property: list[FoundPropertyNotice] = Field(default_factory=list)
    # Filed on behalf of someone: whether a register confirmed the relation (a guardian of a child under 18).
    # An unconfirmed one is assessed by a case handler, never decided by a rule. None: filed for oneself.
    on_behalf_of_verified: bool | None = None
    document_blocks: list[DocumentBlock] = Field(default_factory=list)


class Report(ReportRecord):
    """A filed report with what only the police keep: who filed it, whom it concerns, who works it."""

    owner_ref: str
    filer_personnummer: str
    assignee: str | None = None
    priority: int | None = None
    # Since when the report, still received, is known to have missed its triage (see domain/stalled.py):
    # while it is, its region's staff see it at the head of their queue.
    triage_overdue_since: AwareDatetime | None = None
    # The language the reporter filed in: the letters they are sent later are written in it.
    language: Language = DEFAULT_LANGUAGE
    version: int = 1

    @property
    def triage_overdue(self) -> bool:
        return self.status is ReportStatus.RECEIVED and self.triage_overdue_since is not None

    @property
    def details(self) -> ReportDraft:
        return self.submitted

    @property
    def items_reported(self) -> list[Item]:
        """Every item the report names: those filed with it, then those its additions named."""
        return [*self.details.items_reported, *(i for a in self.amendments for i in a.items)]

    @property
    def subject_personnummer(self) -> str:
        """The person the report concerns: the one filed for, or the filer."""
        behalf = self.details.on_behalf_of
        return behalf.personnummer if behalf else self.filer_personnummer

    def is_owned_by(self, owner_ref: str) -> bool:
        return self.owner_ref == owner_ref

    def document_block(self, document_number: str) -> DocumentBlock | None:
        return next((b for b in self.document_blocks if b.document_number == document_number), None)

    def move_to(self, status: ReportStatus, *, at: datetime, reason: Message | LocalText | str) -> Report:
        entry = TimelineEntry(status=status, at=at, reason=kept(reason))
        return self.model_copy(
            update={"status": status, "timeline": [*self.timeline, entry], "version": self.version + 1}
        )

    def record(self) -> ReportRecord:
        return ReportRecord.model_validate(self.model_dump(include=set(ReportRecord.model_fields)))


@cache
def _draft_adapter() -> TypeAdapter[ReportDraft]:
    return TypeAdapter(ReportDraftBody)


def parse_draft(data: object) -> ReportDraft:
    """A draft from plain data (as the API receives it), choosing the form by ``type``."""
    return _draft_adapter().validate_python(data)


class Note(CamelModel):
    """An internal note on a case: for colleagues, never shown to the reporter."""

    note_id: str
    case_number: str
    at: AwareDatetime
    staff_id: str
    text: str


class TipCategory(StrEnum):
    DRUGS = "drugs"
    VIOLENCE = "violence"
    THEFT = "theft"
    FRAUD = "fraud"
    TRAFFIC = "traffic"
    ENVIRONMENT = "environment"
    OTHER = "other"


class Tip(CamelModel):
    """A tip as stored. An anonymous tip holds nothing about its sender: no subject, no number, no address."""

    tip_id: str
    category: TipCategory
    description: str
    municipality_code: str | None
    region: str
    occurred_at: AwareDatetime | None
    received_at: AwareDatetime
    sender_personnummer: str | None = None
    sender_phone: str | None = None

    @property
    def is_anonymous(self) -> bool:
        return self.sender_personnummer is None
