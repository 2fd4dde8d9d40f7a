"""The public HTTP contract of the reports API (camelCase on the wire)."""

from __future__ import annotations

from pydantic import AwareDatetime

from services.reports.domain.model import Item, Location, Report, ReportDraft, ReportStatus, TimelineEntry
from shared.events.envelope import CamelModel


class FileReportRequest(ReportDraft):
    """The body of ``POST /reports/v1/reports``."""


class ReportView(CamelModel):
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

    @classmethod
    def of(cls, report: Report) -> ReportView:
        return cls.model_validate(report.model_dump(include=set(cls.model_fields)))


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
