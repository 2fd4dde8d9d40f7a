"""The public HTTP contract of the reports API (camelCase on the wire)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AwareDatetime, Field, StringConstraints

from services.reports.domain.found_item import FOUND_ITEM_ID_PATTERN
from services.reports.domain.model import (
    MAX_ITEMS,
    Attachment,
    Item,
    Report,
    ReportDraftBody,
    ReportRecord,
    ReportStatus,
    TipCategory,
)
from services.reports.domain.stolen_goods import SERIAL_NUMBER_PATTERN
from shared.models import CamelModel, Timestamp

# The body of ``POST /reports/v1/reports``: one of the report forms, chosen by ``type``.
FileReportRequest = ReportDraftBody


class ReportView(ReportRecord):
    """A report as its owner sees it: what was submitted, its status timeline, additions and decision."""

    @classmethod
    def of(cls, report: Report) -> ReportView:
        return cls.model_validate(report.record().model_dump())


class ReportSummary(CamelModel):
    case_number: str
    type: str
    status: ReportStatus
    region: str
    filed_at: AwareDatetime

    @classmethod
    def of(cls, report: Report) -> ReportSummary:
        return cls.model_validate(report.model_dump(include=set(cls.model_fields)))


class ReportList(CamelModel):
    items: list[ReportSummary]
    next_token: str | None = None


class AmendReportRequest(CamelModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    items: Annotated[list[Item], Field(max_length=MAX_ITEMS)] = Field(default_factory=list)


class AttachmentRequest(CamelModel):
    file_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255, pattern=r"^[^/\\]+$")
    ]
    content_type: Annotated[str, StringConstraints(max_length=100)]
    size_bytes: Annotated[int, Field(ge=1)]


class UploadInstructions(CamelModel):
    """Send the file as ``multipart/form-data`` POST to ``url`` with ``fields`` first and the file last, then
    call the ``complete`` link."""

    attachment: Attachment
    url: str
    fields: dict[str, str]
    expires_at: AwareDatetime
    complete: str


class TipRequest(CamelModel):
    category: TipCategory
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=4000)]
    municipality_code: Annotated[str, Field(pattern=r"^\d{4}$")] | None = None
    occurred_at: Timestamp | None = None


class IdentifiedTipRequest(TipRequest):
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{6,20}$")] | None = None


class TipReceipt(CamelModel):
    tip_id: str
    received_at: AwareDatetime
    message: str


class StolenGoodsAnswer(CamelModel):
    serial_number: str
    reported_stolen: bool


# --- path parameters -------------------------------------------------------------------------------------

AttachmentIdPath = Annotated[
    str,
    Path(
        pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        description="The attachment's id, as the upload instructions named it",
    ),
]
FoundItemIdPath = Annotated[
    str,
    Path(pattern=FOUND_ITEM_ID_PATTERN, max_length=16, description="e.g. HG17-26", examples=["HG17-26"]),
]
SerialNumberPath = Annotated[
    str,
    Path(
        pattern=SERIAL_NUMBER_PATTERN,
        max_length=80,
        description="A serial number, IMEI or frame number: letters and digits, spaces, dots and dashes "
        "between them are ignored (HX-4471-B is HX4471B)",
        examples=["HX-4471-B"],
    ),
]
