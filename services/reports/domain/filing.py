"""Filing a crime report, reading it back, and placing it in its region's queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.reports.domain.model import Report, ReportDraft, ReportStatus, TimelineEntry
from services.reports.domain.ports import Page, ReportRepository
from shared.casenumbers import KNumber
from shared.clock import Clock, stockholm_time
from shared.errors import InvalidInput, NotFound
from shared.events.contracts.reports import SOURCE, ReportFiled, ReportStatusChanged
from shared.events.envelope import new_event
from shared.regions import region_for_municipality

# Clocks on citizens' devices drift; a few minutes ahead is not "in the future".
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Citizen:
    owner_ref: str
    personnummer: str


def file_report(
    draft: ReportDraft, *, citizen: Citizen, repository: ReportRepository, clock: Clock, correlation_id: str
) -> Report:
    now = clock.now()
    in_the_future = {
        field: "must not be in the future"
        for field, moment in (("occurredFrom", draft.occurred_from), ("occurredTo", draft.occurred_to))
        if moment > now + CLOCK_SKEW
    }
    if in_the_future:
        raise InvalidInput(in_the_future)

    year = stockholm_time(now).year
    case_number = str(KNumber.for_year(repository.allocate_case_number(year), year))
    region = region_for_municipality(draft.location.municipality_code)
    report = Report(
        case_number=case_number,
        type=draft.type,
        status=ReportStatus.RECEIVED,
        region=region.value,
        location=draft.location,
        occurred_from=draft.occurred_from,
        occurred_to=draft.occurred_to,
        description=draft.description,
        items=draft.items,
        notify_on_decision=draft.notify_on_decision,
        filed_at=now,
        timeline=[TimelineEntry(status=ReportStatus.RECEIVED, at=now, reason="The report was received.")],
        owner_ref=citizen.owner_ref,
        reporter_personnummer=citizen.personnummer,
    )
    filed = ReportFiled(
        case_number=case_number,
        report_type=report.type,
        region=report.region,
        municipality_code=report.location.municipality_code,
        filed_at=now,
        owner_ref=citizen.owner_ref,
    )
    repository.add(
        report, [new_event(filed, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)]
    )
    return report


def owned_report(case_number: str, *, owner_ref: str, repository: ReportRepository) -> Report:
    """The report, if it is the caller's. Someone else's report is as unknown as a missing one."""
    report = repository.get(case_number)
    if report is None or not report.is_owned_by(owner_ref):
        raise NotFound(f"No report {case_number} of yours was found")
    return report


def owned_reports(
    owner_ref: str, *, limit: int, start: dict[str, Any] | None, repository: ReportRepository
) -> Page:
    return repository.list_owned(owner_ref, limit=limit, start=start)


def place_in_region_queue(
    case_number: str, *, repository: ReportRepository, clock: Clock, correlation_id: str
) -> Report | None:
    """Triage of a newly filed report: it joins its region's intake queue for assessment. Doing it twice
    changes nothing, so a redelivered event is harmless."""
    report = repository.get(case_number)
    if report is None:
        raise NotFound(f"Report {case_number} does not exist")
    if report.status is not ReportStatus.RECEIVED:
        return None
    now = clock.now()
    queued = report.move_to(
        ReportStatus.AWAITING_ASSESSMENT,
        at=now,
        reason=f"The report is in police region {report.region}'s queue for assessment.",
    )
    changed = ReportStatusChanged(
        case_number=case_number,
        region=report.region,
        previous_status=report.status.value,
        status=queued.status.value,
        changed_at=now,
        owner_ref=report.owner_ref,
    )
    repository.replace(
        queued,
        expected_version=report.version,
        events=[new_event(changed, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)],
    )
    return queued
