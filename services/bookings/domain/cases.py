"""Whose case is whose: a projection of the owning services' events, so that a citizen may book a meeting
about their own case and no one else's, without bookings ever calling another service."""

from __future__ import annotations

from services.bookings.domain.ports import CaseOwnership
from shared.events.contracts.reports import ReportFiled


def learn_report_owner(filed: ReportFiled, *, cases: CaseOwnership) -> None:
    """Recording the same report twice changes nothing, so a redelivered event is harmless."""
    cases.record(filed.case_number, owner_ref=filed.owner_ref, case_type="report", region=filed.region)
