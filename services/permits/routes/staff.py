"""Police staff: the queues, a case, taking it, asking the applicant for more, and deciding. Weapons cases
need the weapons role; public-place cases the permits role and the place's region (or national staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.permits import dependencies
from services.permits.contracts import (
    CompletionRequestBody,
    DecisionRequest,
    DiarienummerPath,
    QueueEntry,
    QueueList,
    QueuePath,
    StaffApplicationView,
)
from services.permits.domain import following
from services.permits.domain.casework import CaseDesk
from services.permits.domain.model import Application
from services.permits.manifest import STAFF
from services.permits.routes.common import correlation_id, diarienummer
from services.permits.telemetry import metrics
from shared.http.auth import require_staff
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.staff import StaffMember

router = Router()  # type: ignore[no-untyped-call]


def _desk() -> CaseDesk:
    caller = require_staff(router.current_event.raw_event)
    return CaseDesk(
        staff=StaffMember(
            staff_id=caller.staff_id or caller.subject, region=caller.region or "", roles=caller.roles
        ),
        applications=dependencies.permits(),
        licences=dependencies.permits(),
        audit=dependencies.audit_log(),
        rules=dependencies.rules(),
        clock=dependencies.clock(),
        correlation_id=correlation_id(),
    )


def _view(application: Application) -> StaffApplicationView:
    outlook = following.forecast(
        application,
        repository=dependencies.permits(),
        rules=dependencies.rules(),
        now=dependencies.clock().now(),
    )
    return StaffApplicationView.for_staff(application, forecast=outlook)


@router.get(
    f"{STAFF}/queues/<queue>",
    summary="A queue of cases waiting for a case handler, in the order paid",
    description="`weapons` (the national weapons queue) or a region's name (its public-place cases).",
)
def get_queue(
    queue: QueuePath,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> QueueList:
    page = _desk().queue(queue, limit=limit, start=decode_token(next_token))
    return QueueList(
        queue=queue,
        items=[QueueEntry.of(a) for a in page.applications],
        next_token=encode_token(page.next_start),
    )


@router.get(f"{STAFF}/applications/<diarienummer>", summary="Read a case, with its checks and flags")
def get_case(diarienummer: DiarienummerPath) -> StaffApplicationView:
    return _view(_desk().read(_number(diarienummer)))


def _number(text: str) -> str:
    return diarienummer(text)


@router.post(f"{STAFF}/applications/<diarienummer>/assignment", summary="Take a case from its queue")
def post_assignment(diarienummer: DiarienummerPath) -> StaffApplicationView:
    return _view(_desk().take(_number(diarienummer)))


@router.post(
    f"{STAFF}/applications/<diarienummer>/completion-requests",
    summary="Ask the applicant for more, by a date; the case's clock stands still meanwhile",
)
def post_completion_request(
    diarienummer: DiarienummerPath, request: Annotated[CompletionRequestBody, Body()]
) -> StaffApplicationView:
    asked = _desk().request_completion(_number(diarienummer), asked=request.asked, due_on=request.due_on)
    metrics.add_metric(name="PermitCompletionsRequested", unit=MetricUnit.Count, value=1)
    return _view(asked)


@router.post(
    f"{STAFF}/applications/<diarienummer>/decision",
    summary="Decide a case you hold: grant (with conditions and validity) or refuse (with reasons)",
    description="A public-place permit is never granted when the municipality advised against it (409).",
    responses={409: {"description": "Not held by you, decided already, or the municipality advised against"}},
)
def post_decision(
    diarienummer: DiarienummerPath, request: Annotated[DecisionRequest, Body()]
) -> StaffApplicationView:
    decided = _desk().decide(
        _number(diarienummer),
        grant=request.outcome == "granted",
        reasons=request.reasons,
        conditions=request.conditions,
        valid_until=request.valid_until,
    )
    metrics.add_dimension(name="outcome", value=request.outcome)
    metrics.add_metric(name="PermitsDecided", unit=MetricUnit.Count, value=1)
    return _view(decided)
