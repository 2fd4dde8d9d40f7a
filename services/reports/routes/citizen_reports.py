"""A citizen's own reports: file, list, read, add information."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.reports import dependencies
from services.reports.contracts import (
    AmendReportRequest,
    AttachmentIdPath,
    AttachmentRequest,
    FileReportRequest,
    ReportList,
    ReportSummary,
    ReportView,
    UploadInstructions,
)
from services.reports.domain import attachments, authority, filing, receipt
from services.reports.domain.model import Attachment
from services.reports.telemetry import logger, metrics
from shared.http.auth import require_citizen
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.params import CaseNumberPath, checked_case_number
from shared.i18n import current_language
from shared.uploads import UploadTarget

BASE = "/reports/v1"
router = Router()  # type: ignore[no-untyped-call]


def _citizen() -> filing.Citizen:
    caller = require_citizen(router.current_event.raw_event)
    return filing.Citizen(
        owner_ref=caller.subject, personnummer=caller.personnummer or "", language=current_language()
    )


def _correlation_id() -> str:
    return logger.get_correlation_id() or ""


@router.post(
    f"{BASE}/reports",
    summary="File a crime or loss report",
    description="One form per `type`: theft, shopTheft, cardFraud, vandalism, parkingDamage, loss. "
    "Matters that belong elsewhere (a crime in progress, card details given on the phone, lost keys) "
    "are answered 422 with `referTo` saying where to turn. A shop theft is filed only by a representative "
    "of the company the company register names (403 otherwise). A passport or ID card is asked to be "
    "blocked only for its holder or a guardian of a holder under 18 (`documentBlocks` says which and why).",
    responses=created("Filed: the case number is in the body and the Location header", ReportView),
)
def post_report(
    request: Annotated[FileReportRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[ReportView]:
    citizen = _citizen()
    # Before any stored answer of a retry: a replay is authorized like the first request.
    authority.require_representative(
        request, reporter_personnummer=citizen.personnummer, companies=dependencies.companies()
    )

    def create() -> ReportView:
        report = filing.file_report(
            request,
            citizen=citizen,
            repository=dependencies.repository(),
            registers=dependencies.registers(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        )
        metrics.add_dimension(name="reportType", value=report.type)
        metrics.add_metric(name="ReportsFiled", unit=MetricUnit.Count, value=1)
        return ReportView.of(report)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=create,
        replay=lambda case_number: _own_report(case_number, citizen),
        location=lambda view: f"{BASE}/reports/{view.case_number}",
    )


def _own_report(case_number: str, citizen: filing.Citizen) -> ReportView:
    return ReportView.of(
        filing.owned_report(case_number, owner_ref=citizen.owner_ref, repository=dependencies.repository())
    )


@router.get(f"{BASE}/reports/<caseNumber>", summary="Read one of my reports")
def get_report(caseNumber: CaseNumberPath) -> ReportView:  # noqa: N803 - the path parameter's public name
    citizen = _citizen()
    return ReportView.of(
        filing.owned_report(caseNumber, owner_ref=citizen.owner_ref, repository=dependencies.repository())
    )


@router.get(f"{BASE}/reports", summary="List my reports, newest first")
def list_reports(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ReportList:
    citizen = _citizen()
    start = decode_token(next_token)
    page = filing.owned_reports(
        citizen.owner_ref, limit=limit, start=start, repository=dependencies.repository()
    )
    return ReportList(
        items=[ReportSummary.of(r) for r in page.reports], next_token=encode_token(page.next_start)
    )


@router.post(
    f"{BASE}/reports/<caseNumber>/amendments",
    summary="Add information to one of my open reports",
    description="A retry with the same `Idempotency-Key` adds nothing twice: it answers with the report.",
    responses={200: {"description": "The report with the addition"}},
)
def post_amendment(
    caseNumber: CaseNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AmendReportRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[ReportView]:
    citizen = _citizen()

    def create() -> ReportView:
        report = filing.amend_report(
            caseNumber,
            text=request.text,
            items=request.items,
            owner_ref=citizen.owner_ref,
            repository=dependencies.repository(),
            registers=dependencies.registers(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        )
        return ReportView.of(report)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=create,
        replay=lambda case_number: _own_report(case_number, citizen),
        status=200,
    )


@router.get(
    f"{BASE}/reports/<caseNumber>/receipt",
    summary="A PDF receipt of one of my reports, for the insurer",
    responses={200: {"description": "The receipt", "content": {"application/pdf": {}}}},
    # Validation would serialize the PDF bytes as JSON text; the only input is the path.
    enable_validation=False,
)
def get_receipt(caseNumber: CaseNumberPath) -> Response[bytes]:  # noqa: N803 - the path parameter's public name
    citizen = _citizen()
    report = filing.owned_report(
        checked_case_number(caseNumber), owner_ref=citizen.owner_ref, repository=dependencies.repository()
    )
    pdf = receipt.render_receipt(report, issued_at=dependencies.clock().now(), language=current_language())
    disposition = f'attachment; filename="kvitto-{report.case_number}.pdf"'
    return Response(200, "application/pdf", pdf, headers={"Content-Disposition": disposition})


@router.post(
    f"{BASE}/reports/<caseNumber>/attachments",
    summary="Attach a photo or receipt to one of my open reports: get where to upload it",
    description="JPEG, PNG, HEIC or PDF, at most 10 MiB, at most 10 per report. Upload within 15 minutes, "
    "then call `complete`.",
    responses={201: {"description": "Upload instructions"}},
)
def post_attachment(
    caseNumber: CaseNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AttachmentRequest, Body()],
    idempotency_key: IdempotencyKey = None,
) -> Response[UploadInstructions]:
    citizen = _citizen()

    def create() -> UploadInstructions:
        return _instructions(
            caseNumber,
            *attachments.request_upload(
                caseNumber,
                file_name=request.file_name,
                content_type=request.content_type,
                size_bytes=request.size_bytes,
                owner_ref=citizen.owner_ref,
                repository=dependencies.repository(),
                store=dependencies.attachments(),
                clock=dependencies.clock(),
            ),
        )

    def replay(attachment_id: str) -> UploadInstructions:
        # The place reserved by the first request, with a fresh upload target (the first may have expired).
        return _instructions(
            caseNumber,
            *attachments.upload_again(
                caseNumber,
                attachment_id,
                owner_ref=citizen.owner_ref,
                repository=dependencies.repository(),
                store=dependencies.attachments(),
            ),
        )

    return created_once(
        router.current_event, request, idempotency_key=idempotency_key, create=create, replay=replay
    )


def _instructions(case_number: str, attachment: Attachment, target: UploadTarget) -> UploadInstructions:
    complete = f"{BASE}/reports/{case_number}/attachments/{attachment.attachment_id}/complete"
    return UploadInstructions(
        attachment=attachment,
        url=target.url,
        fields=target.fields,
        expires_at=target.expires_at,
        complete=complete,
    )


@router.post(
    f"{BASE}/reports/<caseNumber>/attachments/<attachmentId>/complete",
    summary="Tell that an attachment's upload is done; it is checked and then listed on the report",
)
def post_attachment_complete(caseNumber: CaseNumberPath, attachmentId: AttachmentIdPath) -> ReportView:  # noqa: N803
    citizen = _citizen()
    report = attachments.complete_upload(
        caseNumber,
        attachmentId,
        owner_ref=citizen.owner_ref,
        repository=dependencies.repository(),
        store=dependencies.attachments(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )
    return ReportView.of(report)


@router.delete(
    f"{BASE}/reports/<caseNumber>/attachments/<attachmentId>",
    summary="Remove an upload I requested and no longer need",
    description="Only a requested upload that was not completed; an uploaded file is part of the report (409). "
    "A requested upload also expires by itself when its 15 minutes pass.",
    responses={204: {"description": "Removed"}},
)
def delete_attachment(caseNumber: CaseNumberPath, attachmentId: AttachmentIdPath) -> Response[str]:  # noqa: N803
    citizen = _citizen()
    attachments.remove_requested_upload(
        caseNumber,
        attachmentId,
        owner_ref=citizen.owner_ref,
        repository=dependencies.repository(),
        store=dependencies.attachments(),
    )
    return Response(204, None, "")
