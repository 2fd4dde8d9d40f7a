"""Case work by police staff: a region's queue, taking a case, moving it on, deciding it, internal notes.

Staff see only their own region's reports unless they are national staff; another region's report is as unknown
as a missing one. Changing anything needs the role ``caseHandler``. Every read and every change, and every
refused attempt, leaves an audit record; a change and its record are stored together or not at all.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.reports.domain.audit import AuditAction, AuditRecord, NotPermitted
from services.reports.domain.decisions import Outcome, apply_decision
from services.reports.domain.filing import change_status
from services.reports.domain.model import Decision, Note, Report, ReportStatus
from services.reports.domain.ports import AuditLog, CaseWork, Page
from services.reports.messages import TEXTS
from shared import staff
from shared.clock import Clock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.regions import Region
from shared.staff import NATIONAL

CASE_HANDLER = "caseHandler"

# Status changes staff make directly; decisions (closing, opening an investigation) go through ``decide``.
STATUS_CHANGES: dict[ReportStatus, frozenset[ReportStatus]] = {
    # Handed back to the region's queue, for someone else to take.
    ReportStatus.UNDER_ASSESSMENT: frozenset({ReportStatus.AWAITING_ASSESSMENT}),
    # Reopened (new information), by the one who reopens it.
    ReportStatus.CLOSED: frozenset({ReportStatus.UNDER_ASSESSMENT}),
    # A loss reopened as a possible crime, or closed (the property is back).
    ReportStatus.REGISTERED: frozenset({ReportStatus.UNDER_ASSESSMENT, ReportStatus.CLOSED}),
}


def outcomes_open_to(report: Report) -> tuple[Outcome, ...]:
    """The decisions staff may make on the report in its present status."""
    if report.status is ReportStatus.UNDER_ASSESSMENT:
        outcomes = (Outcome.INVESTIGATION_NOT_OPENED, Outcome.INVESTIGATION_OPENED)
        return (*outcomes, Outcome.REGISTERED) if report.type == "loss" else outcomes
    if report.status is ReportStatus.UNDER_INVESTIGATION:
        return (Outcome.INVESTIGATION_DISCONTINUED,)
    return ()


class StaffMember(staff.StaffMember):
    @property
    def handles_cases(self) -> bool:
        return self.has_role(CASE_HANDLER)


@dataclass(frozen=True)
class CaseFile:
    report: Report
    notes: list[Note]


@dataclass(frozen=True)
class CaseDesk:
    """The staff use cases, for one staff member's request."""

    staff: StaffMember
    cases: CaseWork
    audit: AuditLog
    clock: Clock
    correlation_id: str

    # --- reads -------------------------------------------------------------------------------------------

    def queue(self, region: str | None, *, limit: int, start: dict[str, Any] | None) -> Page:
        """A region's reports awaiting assessment, most urgent first, then oldest first."""
        region = self.queue_region(region)
        now = self.clock.now()
        if not self.staff.may_see(region):
            self.audit.record(self._record(AuditAction.VIEW_QUEUE, now, allowed=False, region=region))
            raise NotPermitted(f"Only staff of region {region} or national staff may read its queue")
        page = self.cases.region_queue(region, limit=limit, start=start)
        shown = [report.case_number for report in page.reports]
        self.audit.record(self._record(AuditAction.VIEW_QUEUE, now, region=region, case_numbers=shown))
        return page

    def read(self, case_number: str) -> CaseFile:
        now = self.clock.now()
        report = self._visible(case_number, AuditAction.VIEW_REPORT, now)
        notes = self.cases.notes(case_number)
        self.audit.record(
            self._record(AuditAction.VIEW_REPORT, now, case_number=case_number, region=report.region)
        )
        return CaseFile(report, notes)

    # --- changes -----------------------------------------------------------------------------------------

    def take(self, case_number: str) -> Report:
        """Take a case from the queue to assess it. Taking one's own case again changes nothing."""
        now = self.clock.now()
        report = self._changeable(case_number, AuditAction.TAKE_CASE, now)
        if report.status is ReportStatus.UNDER_ASSESSMENT and report.assignee == self.staff.staff_id:
            self.audit.record(
                self._record(
                    AuditAction.TAKE_CASE,
                    now,
                    case_number=case_number,
                    region=report.region,
                    change="already held",
                )
            )
            return report
        self._not_held_by_another(report)
        # A report whose triage never ran is in the queue too, and taken like one awaiting assessment.
        if report.status is not ReportStatus.AWAITING_ASSESSMENT and not report.triage_overdue:
            raise Conflict(
                f"Report {case_number} is {report.status.value}; only a report awaiting assessment can be taken"
            )
        moved, event = change_status(
            report,
            ReportStatus.UNDER_ASSESSMENT,
            reason=TEXTS("timeline.assessing"),
            now=now,
            correlation_id=self.correlation_id,
        )
        taken = moved.model_copy(update={"assignee": self.staff.staff_id})
        record = self._record(
            AuditAction.TAKE_CASE,
            now,
            case_number=case_number,
            region=report.region,
            change=_move(report, taken),
        )
        self.cases.save(taken, expected_version=report.version, events=[event], audit=record)
        return taken

    def change_status(self, case_number: str, status: ReportStatus, *, reason: str) -> Report:
        now = self.clock.now()
        report = self._changeable(case_number, AuditAction.CHANGE_STATUS, now)
        allowed = STATUS_CHANGES.get(report.status, frozenset())
        if status not in allowed:
            possible = ", ".join(sorted(s.value for s in allowed)) or "none: decide the case instead"
            raise Conflict(
                f"Report {case_number} is {report.status.value} and cannot move to {status.value}; "
                f"possible: {possible}"
            )
        if report.status is ReportStatus.UNDER_ASSESSMENT:
            self._held_by_caller(report)
        moved, event = change_status(
            report, status, reason=reason, now=now, correlation_id=self.correlation_id
        )
        assignee = self.staff.staff_id if status is ReportStatus.UNDER_ASSESSMENT else None
        changed = moved.model_copy(update={"assignee": assignee})
        record = self._record(
            AuditAction.CHANGE_STATUS,
            now,
            case_number=case_number,
            region=report.region,
            change=_move(report, changed),
        )
        self.cases.save(changed, expected_version=report.version, events=[event], audit=record)
        return changed

    def decide(self, case_number: str, outcome: Outcome, *, reason: str) -> Report:
        now = self.clock.now()
        report = self._changeable(case_number, AuditAction.DECIDE, now)
        if report.status is ReportStatus.AWAITING_ASSESSMENT:
            raise Conflict(f"Report {case_number} awaits assessment: take the case before deciding it")
        possible = outcomes_open_to(report)
        if not possible:
            raise Conflict(f"Report {case_number} is {report.status.value}; there is nothing to decide")
        self._held_by_caller(report)
        if outcome not in possible:
            raise Conflict(
                f"A report that is {report.status.value} can be decided: "
                f"{', '.join(o.value for o in possible)}; not {outcome.value}"
            )
        decision = Decision(
            outcome=outcome.value,
            reason=reason,
            decided_by="staff",
            staff_id=self.staff.staff_id,
            decided_at=now,
        )
        decided, events = apply_decision(report, decision, correlation_id=self.correlation_id)
        record = self._record(
            AuditAction.DECIDE,
            now,
            case_number=case_number,
            region=report.region,
            change=f"outcome {outcome.value}",
        )
        self.cases.save(decided, expected_version=report.version, events=events, audit=record)
        return decided

    def add_note(self, case_number: str, text: str) -> Note:
        now = self.clock.now()
        report = self._changeable(case_number, AuditAction.ADD_NOTE, now)
        note = Note(
            note_id=str(uuid.uuid4()),
            case_number=case_number,
            at=now,
            staff_id=self.staff.staff_id,
            text=text,
        )
        record = self._record(
            AuditAction.ADD_NOTE,
            now,
            case_number=case_number,
            region=report.region,
            change=f"note {note.note_id}",
        )
        self.cases.add_note(note, audit=record)
        return note

    def note_again(self, case_number: str, note_id: str) -> Note:
        """The note a retried request added before (the same ``Idempotency-Key``): allowed, refused and
        audited exactly as adding it, and changing nothing."""
        now = self.clock.now()
        report = self._changeable(case_number, AuditAction.ADD_NOTE, now)
        note = next((n for n in self.cases.notes(case_number) if n.note_id == note_id), None)
        if note is None:
            raise NotFound(f"No note {note_id} on report {case_number}")
        self.audit.record(
            self._record(
                AuditAction.ADD_NOTE,
                now,
                case_number=case_number,
                region=report.region,
                change=f"note {note_id} answered again",
            )
        )
        return note

    # --- rules of access ---------------------------------------------------------------------------------

    def queue_region(self, region: str | None) -> str:
        """The region whose queue is asked for: the caller's own unless named."""
        if region is None:
            if self.staff.region == NATIONAL:
                raise InvalidInput.of("region", "national staff name the region whose queue to read")
            return self.staff.region
        if region not in {r.value for r in Region}:
            raise InvalidInput.of("region", f"must be one of {', '.join(r.value for r in Region)}")
        return region

    def _visible(self, case_number: str, action: AuditAction, now: datetime) -> Report:
        report = self.cases.get(case_number)
        if report is None or not self.staff.may_see(report.region):
            self.audit.record(self._record(action, now, allowed=False, case_number=case_number))
            raise NotFound(f"No report {case_number} was found")
        return report

    def _changeable(self, case_number: str, action: AuditAction, now: datetime) -> Report:
        if not self.staff.handles_cases:
            self.audit.record(self._record(action, now, allowed=False, case_number=case_number))
            raise NotPermitted(f"Changing a case needs the role {CASE_HANDLER}")
        return self._visible(case_number, action, now)

    def _not_held_by_another(self, report: Report) -> None:
        if report.assignee is not None and report.assignee != self.staff.staff_id:
            raise Conflict(f"Report {report.case_number} is held by another case handler")

    def _held_by_caller(self, report: Report) -> None:
        self._not_held_by_another(report)
        if report.assignee is None:
            raise Conflict(f"Report {report.case_number} is held by no one: take the case first")

    def _record(
        self,
        action: AuditAction,
        now: datetime,
        *,
        allowed: bool = True,
        case_number: str | None = None,
        region: str | None = None,
        case_numbers: list[str] | None = None,
        change: str | None = None,
    ) -> AuditRecord:
        return AuditRecord(
            audit_id=str(uuid.uuid4()),
            at=now,
            staff_id=self.staff.staff_id,
            staff_region=self.staff.region,
            action=action,
            allowed=allowed,
            case_number=case_number,
            region=region,
            case_numbers=case_numbers or [],
            change=change,
            correlation_id=self.correlation_id,
        )


def _move(before: Report, after: Report) -> str:
    return f"status {before.status.value} -> {after.status.value}"
