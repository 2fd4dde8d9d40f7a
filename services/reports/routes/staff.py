"""Staff's case work: the region queue, a case file, taking a case, moving it on, deciding it, notes.

Staff tokens only. Staff see their own region (national staff every region); another region's case answers 404,
as a missing one does, and another region's queue 403. Changes need the role ``caseHandler``.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from pydantic import AwareDatetime, StringConstraints

from services.reports import dependencies
from services.reports.adapters.metrics import record_decision
from services.reports.domain.decisions import Outcome
from services.reports.domain.model import Note, Report, ReportRecord, ReportStatus
from services.reports.domain.staff import CaseDesk, CaseFile, StaffMember
from services.reports.telemetry import logger
from shared.http.auth import require_staff
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.params import CaseNumberPath
from shared.http.problems import ForbiddenProblem
from shared.models import CamelModel

STAFF = "/reports/v1/staff"
router = Router()  # type: ignore[no-untyped-call]

PlainText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class QueueEntry(CamelModel):
    case_number: str
    type: str
    status: ReportStatus
    region: str
    municipality_code: str
    priority: int | None
    filed_at: AwareDatetime
    # Set on a report still received long after filing, whose triage never ran: it heads the queue and may
    # be taken at once.
    triage_overdue_since: AwareDatetime | None = None

    @classmethod
    def of(cls, report: Report) -> QueueEntry:
        return cls(
            case_number=report.case_number,
            type=report.type,
            status=report.status,
            region=report.region,
            municipality_code=report.details.location.municipality_code,
            priority=report.priority,
            filed_at=report.filed_at,
            triage_overdue_since=report.triage_overdue_since if report.triage_overdue else None,
        )


class QueuePage(CamelModel):
    region: str
    items: list[QueueEntry]
    next_token: str | None = None


class CaseFileView(ReportRecord):
    """The whole case as staff see it: the report, who filed it, who holds it, and the internal notes."""

    filer_personnummer: str
    assignee: str | None
    priority: int | None
    notes: list[Note]

    @classmethod
    def of(cls, case: CaseFile) -> CaseFileView:
        report = case.report
        fields = report.model_dump(
            include={*ReportRecord.model_fields, "filer_personnummer", "assignee", "priority"}
        )
        return cls.model_validate({**fields, "notes": [n.model_dump() for n in case.notes]})


class StatusChangeRequest(CamelModel):
    status: ReportStatus
    # Shown to the reporter on the report's timeline.
    reason: PlainText


class DecisionRequest(CamelModel):
    outcome: Outcome
    # Shown to the reporter, and sent to them if they asked to be told.
    reason: PlainText


class NoteRequest(CamelModel):
    text: PlainText


def _desk() -> CaseDesk:
    caller = require_staff(router.current_event.raw_event)
    if caller.staff_id is None or caller.region is None:
        raise ForbiddenProblem("The staff token names no staff id")
    return CaseDesk(
        staff=StaffMember(staff_id=caller.staff_id, region=caller.region, roles=caller.roles),
        cases=dependencies.case_work(),
        audit=dependencies.audit_log(),
        clock=dependencies.clock(),
        correlation_id=logger.get_correlation_id() or "",
    )


def _case_file(desk: CaseDesk, report: Report) -> CaseFileView:
    return CaseFileView.of(CaseFile(report, desk.cases.notes(report.case_number)))


@router.get(
    f"{STAFF}/queue",
    summary="A region's reports awaiting assessment, most urgent first",
    description="Reports whose triage never ran (still received minutes after filing, `triageOverdueSince` "
    "set) come first; then priority 1 is the most urgent; within a priority, the oldest report comes first. "
    "The region defaults to the caller's own; national staff name one. Another region's queue is 403.",
)
def get_queue(
    region: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> QueuePage:
    desk = _desk()
    queue_region = desk.queue_region(region)
    start = decode_token(next_token)
    page = desk.queue(queue_region, limit=limit, start=start)
    return QueuePage(
        region=queue_region,
        items=[QueueEntry.of(r) for r in page.reports],
        next_token=encode_token(page.next_start),
    )


@router.get(f"{STAFF}/reports/<caseNumber>", summary="A case file: the report, its holder and internal notes")
def get_case(caseNumber: CaseNumberPath) -> CaseFileView:  # noqa: N803 - the path parameter's public name
    return CaseFileView.of(_desk().read(caseNumber))


@router.post(
    f"{STAFF}/reports/<caseNumber>/assignment",
    summary="Take a case from the queue to assess it",
    description="Needs the role caseHandler. A case someone else holds is 409.",
)
def post_assignment(caseNumber: CaseNumberPath) -> CaseFileView:  # noqa: N803 - the path parameter's public name
    desk = _desk()
    return _case_file(desk, desk.take(caseNumber))


@router.post(
    f"{STAFF}/reports/<caseNumber>/status",
    summary="Move a case to another status, with a reason the reporter sees",
    description="Needs the role caseHandler. Allowed: underAssessment → awaitingAssessment (back to the queue), "
    "closed → underAssessment (reopened), registered → underAssessment or closed. Decisions go to /decision.",
)
def post_status(
    caseNumber: CaseNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[StatusChangeRequest, Body()],
) -> CaseFileView:
    desk = _desk()
    return _case_file(desk, desk.change_status(caseNumber, request.status, reason=request.reason))


@router.post(
    f"{STAFF}/reports/<caseNumber>/decision",
    summary="Decide a case you hold, with the reason the reporter is told",
    description="Needs the role caseHandler and the case taken. Under assessment: investigationNotOpened or "
    "investigationOpened (a loss also registered); under investigation: investigationDiscontinued.",
)
def post_decision(
    caseNumber: CaseNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[DecisionRequest, Body()],
) -> CaseFileView:
    desk = _desk()
    decided = desk.decide(caseNumber, request.outcome, reason=request.reason)
    if decided.decision is not None:
        record_decision(decided.decision, filed_at=decided.filed_at)
    return _case_file(desk, decided)


@router.post(
    f"{STAFF}/reports/<caseNumber>/notes",
    summary="Add an internal note to a case (never shown to the reporter)",
    responses=created("The note", Note, location=False),
)
def post_note(
    caseNumber: CaseNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[NoteRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[Note]:
    desk = _desk()
    # A retry is allowed, refused and audited exactly as adding the note is, before the note is shown.
    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=lambda: desk.add_note(caseNumber, request.text),
        replay=lambda note_id: desk.note_again(caseNumber, note_id),
    )
