"""Whose case is whose: a projection of the owning services' events, so that a citizen may book a meeting
about their own case and no one else's, without bookings ever calling another service.

A report is learnt from ``ReportFiled`` (its K-number), a permit application from
``PermitApplicationSubmitted`` (its diarienummer): a citizen may meet about an application from the moment it
is submitted, paid or not."""

from __future__ import annotations

from services.bookings.domain.ports import CaseOwnership
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import ReportFiled


def learn_report_owner(filed: ReportFiled, *, cases: CaseOwnership) -> None:
    """Recording the same report twice changes nothing, so a redelivered event is harmless."""
    cases.record(filed.case_number, owner_ref=filed.owner_ref, case_type="report", region=filed.region)


def learn_permit_applicant(submitted: PermitApplicationSubmitted, *, cases: CaseOwnership) -> None:
    """As for a report: the same application recorded twice is the same record."""
    cases.record(
        submitted.diarienummer, owner_ref=submitted.owner_ref, case_type="permit", region=submitted.region
    )
