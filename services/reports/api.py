"""Lambda: the citizen HTTP API of the reports service (``/reports/v1``). Thin: parse, authorize, delegate."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.reports import dependencies
from services.reports.contracts import FileReportRequest, ReportList, ReportSummary, ReportView
from services.reports.domain import filing
from shared.http.auth import caller_from_event
from shared.http.idempotency import HEADER as IDEMPOTENCY_HEADER
from shared.http.idempotency import run_once
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import ForbiddenProblem, UnauthorizedProblem
from shared.http.resolver import create_resolver
from shared.observability import create_logger, create_metrics

BASE = "/reports/v1"

logger = create_logger()
metrics = create_metrics()
tracer = Tracer()
app = create_resolver(title="Crime reports", base_path=BASE, logger=logger)


def _citizen() -> filing.Citizen:
    caller = caller_from_event(app.current_event.raw_event)
    if caller is None:
        raise UnauthorizedProblem("Log in with e-ID to use this service")
    if not caller.is_citizen or caller.personnummer is None:
        raise ForbiddenProblem("Only citizens logged in with e-ID can use this service")
    return filing.Citizen(owner_ref=caller.subject, personnummer=caller.personnummer)


def _json(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


@app.post(f"{BASE}/reports", summary="File a crime report", responses={201: {"description": "Filed"}})
def post_report(
    request: Annotated[FileReportRequest, Body()],
    idempotency_key: Annotated[str | None, Header(alias=IDEMPOTENCY_HEADER)] = None,
) -> Response[dict[str, Any]]:
    citizen = _citizen()

    def create() -> dict[str, Any]:
        report = filing.file_report(
            request,
            citizen=citizen,
            repository=dependencies.repository(),
            clock=dependencies.clock(),
            correlation_id=logger.get_correlation_id() or "",
        )
        metrics.add_dimension(name="reportType", value=report.type)
        metrics.add_metric(name="ReportsFiled", unit=MetricUnit.Count, value=1)
        return ReportView.of(report).model_dump(mode="json", by_alias=True)

    body = run_once(
        key=idempotency_key,
        scope=citizen.owner_ref,
        body=request.model_dump(mode="json", by_alias=True),
        create=create,
        context=app.lambda_context,
    )
    return _json(201, body, {"Location": f"{BASE}/reports/{body['caseNumber']}"})


@app.get(f"{BASE}/reports/<caseNumber>", summary="Read one of my reports")
def get_report(caseNumber: str) -> ReportView:  # noqa: N803 - the path parameter's public name
    citizen = _citizen()
    report = filing.owned_report(
        caseNumber, owner_ref=citizen.owner_ref, repository=dependencies.repository()
    )
    return ReportView.of(report)


@app.get(f"{BASE}/reports", summary="List my reports, newest first")
def list_reports(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ReportList:
    citizen = _citizen()
    start = decode_token(next_token, must_contain={"ownerKey": f"OWNER#{citizen.owner_ref}"})
    page = filing.owned_reports(
        citizen.owner_ref, limit=limit, start=start, repository=dependencies.repository()
    )
    return ReportList(
        items=[ReportSummary.of(r) for r in page.reports], next_token=encode_token(page.next_start)
    )


@metrics.log_metrics
@tracer.capture_lambda_handler
@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
