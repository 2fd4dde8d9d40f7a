"""The crime report aggregate and its parts."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, ValidationInfo, field_validator

from shared.events.envelope import CamelModel
from shared.regions import UnknownMunicipality, municipality

MAX_VALUE_SEK = 10_000_000
MAX_DESCRIPTION_CHARS = 4000
MAX_ITEMS = 50

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ReportStatus(StrEnum):
    RECEIVED = "received"
    AWAITING_ASSESSMENT = "awaitingAssessment"


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
    OTHER = "other"


class Location(CamelModel):
    municipality_code: Annotated[str, Field(pattern=r"^\d{4}$", examples=["0180"])]
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]

    @field_validator("municipality_code")
    @classmethod
    def _known_municipality(cls, code: str) -> str:
        try:
            municipality(code)
        except UnknownMunicipality:
            raise ValueError(f"{code} is not a Swedish municipality code") from None
        return code


class Item(CamelModel):
    category: ItemCategory
    brand: ShortText | None = None
    model: ShortText | None = None
    serial_number: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)] | None
    ) = None
    value_sek: Annotated[int, Field(ge=0, le=MAX_VALUE_SEK)] | None = None
    purchase_date: date | None = None


class TimelineEntry(CamelModel):
    status: ReportStatus
    at: AwareDatetime
    reason: str


class ReportDraft(CamelModel):
    """What a citizen submits. Checks everything that needs no clock and no storage."""

    type: Literal["theft"]
    occurred_from: AwareDatetime
    occurred_to: AwareDatetime
    location: Location
    description: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_DESCRIPTION_CHARS)
    ]
    items: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)
    # The reporter must be asked whether to be told of a decision, so there is no default.
    notify_on_decision: bool

    @field_validator("occurred_to")
    @classmethod
    def _not_before_start(cls, occurred_to: datetime, info: ValidationInfo) -> datetime:
        occurred_from = info.data.get("occurred_from")
        if occurred_from is not None and occurred_to < occurred_from:
            raise ValueError("must not be before occurredFrom")
        return occurred_to


class Report(CamelModel):
    """A filed crime report. ``owner_ref`` is the e-ID subject of the citizen who filed it."""

    case_number: str
    type: str
    status: ReportStatus
    region: str
    location: Location
    occurred_from: AwareDatetime
    occurred_to: AwareDatetime
    description: str
    items: list[Item]
    notify_on_decision: bool
    filed_at: AwareDatetime
    timeline: list[TimelineEntry]
    owner_ref: str
    reporter_personnummer: str
    version: int = 1

    def is_owned_by(self, owner_ref: str) -> bool:
        return self.owner_ref == owner_ref

    def move_to(self, status: ReportStatus, *, at: datetime, reason: str) -> Report:
        entry = TimelineEntry(status=status, at=at, reason=reason)
        return self.model_copy(
            update={"status": status, "timeline": [*self.timeline, entry], "version": self.version + 1}
        )
