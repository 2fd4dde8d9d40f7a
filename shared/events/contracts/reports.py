"""Events the reports service publishes (source ``polisen.reports``). Owned by the reports service."""

from __future__ import annotations

from datetime import datetime

from shared.events.envelope import EventData

SOURCE = "polisen.reports"


class ReportFiled(EventData):
    """A citizen filed a crime report. Carries what triage and case-ownership projections need; no
    narrative and no personal data beyond the opaque owner reference."""

    event_type = "ReportFiled"

    case_number: str
    report_type: str
    region: str
    municipality_code: str
    filed_at: datetime
    # Opaque reference to the filing citizen (the e-ID subject), so other services can tell whose case it is.
    owner_ref: str


class ReportStatusChanged(EventData):
    event_type = "ReportStatusChanged"

    case_number: str
    region: str
    previous_status: str
    status: str
    changed_at: datetime
    owner_ref: str


CONTRACTS: tuple[type[EventData], ...] = (ReportFiled, ReportStatusChanged)
