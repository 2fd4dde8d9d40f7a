"""Citizens with e-ID: applying, paying information, following their own applications, the sketch, answering
a completion request, the decision letter, and their licences. Another's application is 404."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.permits import dependencies
from services.permits.contracts import (
    ApplicationList,
    ApplicationSummary,
    ApplicationView,
    CompletionAnswerRequest,
    DiarienummerPath,
    LicenceList,
    LicenceView,
    RequestIdPath,
    SketchUploadRequest,
    SubmitApplicationRequest,
    UploadInstructions,
    path_of,
)
from services.permits.domain import applying, following, letters, sketches
from services.permits.domain.applying import Applicant
from services.permits.manifest import APPLICATIONS, BASE
from services.permits.messages import TEXTS
from services.permits.routes.common import correlation_id, diarienummer
from services.permits.telemetry import metrics
from shared.http.auth import require_citizen
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import NotFoundProblem
from shared.i18n import current_language

router = Router()  # type: ignore[no-untyped-call]


def _applicant() -> Applicant:
    caller = require_citizen(router.current_event.raw_event)
    return Applicant(ref=caller.subject, personnummer=caller.personnummer or "", language=current_language())


def _view(application_number: str, applicant: Applicant) -> ApplicationView:
    repository = dependencies.permits()
    application = applying.owned_application(
        application_number, applicant_ref=applicant.ref, repository=repository
    )
    outlook = following.forecast(
        application, repository=repository, rules=dependencies.rules(), now=dependencies.clock().now()
    )
    return ApplicationView.of(application, forecast=outlook)


@router.post(
    APPLICATIONS,
    summary="Apply for a permit",
    description="One form per `details.kind`: publicPlace, weaponLicence, renewal, purchasePermit, "
    "duplicateLicence. The answer is the receipt: the diarienummer, the fee (kept on refusal) and the payment "
    "reference. Handling starts when the fee is paid.",
    responses={
        **created("Submitted; pay the fee with the payment reference", ApplicationView),
        403: {"description": "The company register does not name you as acting for the organisation"},
    },
)
def post_application(
    request: Annotated[SubmitApplicationRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[ApplicationView]:
    applicant = _applicant()

    def submit() -> ApplicationView:
        application = applying.submit(
            request.details,
            organisation=request.organisation,
            applicant=applicant,
            repository=dependencies.permits(),
            licences=dependencies.permits(),
            companies=dependencies.companies(),
            rules=dependencies.rules(),
            now=dependencies.clock().now(),
            correlation_id=correlation_id(),
        )
        metrics.add_dimension(name="kind", value=application.kind.value)
        metrics.add_metric(name="PermitApplicationsSubmitted", unit=MetricUnit.Count, value=1)
        return ApplicationView.of(application)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=submit,
        replay=lambda number: _view(number, applicant),
        location=lambda view: f"{APPLICATIONS}/{path_of(view.diarienummer)}",
    )


@router.get(APPLICATIONS, summary="List my applications, latest first")
def list_applications(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ApplicationList:
    applicant = _applicant()
    page = applying.applications_of(
        applicant.ref, repository=dependencies.permits(), limit=limit, start=decode_token(next_token)
    )
    return ApplicationList(
        items=[ApplicationSummary.of(a) for a in page.applications], next_token=encode_token(page.next_start)
    )


@router.get(
    f"{APPLICATIONS}/<diarienummer>",
    summary="Follow one of my applications",
    description="Status, timeline, what it waits for and, for a weapons case, the expected decision date.",
)
def get_application(diarienummer: DiarienummerPath) -> ApplicationView:
    return _view(_number(diarienummer), _applicant())


def _number(text: str) -> str:
    return diarienummer(text)


@router.post(
    f"{APPLICATIONS}/<diarienummer>/sketch",
    summary="Upload the sketch of a public-place application (placement and measurements)",
    description="PNG, JPEG or PDF, at most 10 MB. Send the file to the answer's `url`, then call `complete`.",
)
def post_sketch(
    diarienummer: DiarienummerPath, request: Annotated[SketchUploadRequest, Body()]
) -> UploadInstructions:
    applicant = _applicant()
    number = _number(diarienummer)
    _, target = sketches.request_upload(
        number,
        applicant_ref=applicant.ref,
        content_type=request.content_type,
        size_bytes=request.size_bytes,
        repository=dependencies.permits(),
        store=dependencies.sketches(),
        now=dependencies.clock().now(),
    )
    return UploadInstructions(
        url=target.url,
        fields=target.fields,
        expires_at=target.expires_at,
        complete=f"{APPLICATIONS}/{path_of(number)}/sketch/complete",
    )


@router.post(f"{APPLICATIONS}/<diarienummer>/sketch/complete", summary="Say the sketch is uploaded")
def post_sketch_complete(diarienummer: DiarienummerPath) -> ApplicationView:
    applicant = _applicant()
    number = _number(diarienummer)
    sketches.complete_upload(
        number,
        applicant_ref=applicant.ref,
        repository=dependencies.permits(),
        store=dependencies.sketches(),
        now=dependencies.clock().now(),
    )
    return _view(number, applicant)


@router.put(
    f"{APPLICATIONS}/<diarienummer>/completions/<requestId>",
    summary="Answer a case handler's completion request",
    description="Before its deadline (409 after it, or when answered already).",
)
def put_completion(
    diarienummer: DiarienummerPath,
    requestId: RequestIdPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[CompletionAnswerRequest, Body()],
) -> ApplicationView:
    applicant = _applicant()
    number = _number(diarienummer)
    following.answer_completion(
        number,
        requestId,
        applicant_ref=applicant.ref,
        answer=request.answer,
        repository=dependencies.permits(),
        now=dependencies.clock().now(),
        correlation_id=correlation_id(),
    )
    return _view(number, applicant)


@router.get(
    f"{APPLICATIONS}/<diarienummer>/receipt",
    summary="The receipt of one of my applications (PDF): diarienummer, fee and how to pay",
    responses={200: {"description": "The receipt", "content": {"application/pdf": {}}}},
    # Validation would serialize the PDF bytes as JSON text; the only input is the path, checked below.
    enable_validation=False,
)
def get_receipt(diarienummer: str) -> Response[bytes]:
    applicant = _applicant()
    number = _number(diarienummer)
    application = applying.owned_application(
        number, applicant_ref=applicant.ref, repository=dependencies.permits()
    )
    disposition = f'attachment; filename="kvitto-{path_of(number)}.pdf"'
    return Response(
        200, "application/pdf", letters.receipt_pdf(application), headers={"Content-Disposition": disposition}
    )


@router.get(
    f"{APPLICATIONS}/<diarienummer>/decision",
    summary="The decision letter of one of my applications (PDF)",
    responses={200: {"description": "The decision", "content": {"application/pdf": {}}}},
    # Validation would serialize the PDF bytes as JSON text; the only input is the path, checked below.
    enable_validation=False,
)
def get_decision(diarienummer: str) -> Response[bytes]:
    applicant = _applicant()
    number = _number(diarienummer)
    application = applying.owned_application(
        number, applicant_ref=applicant.ref, repository=dependencies.permits()
    )
    if application.decision is None:
        raise NotFoundProblem(TEXTS("not_found.decision", diarienummer=number))
    disposition = f'attachment; filename="beslut-{path_of(number)}.pdf"'
    return Response(
        200,
        "application/pdf",
        letters.decision_pdf(application),
        headers={"Content-Disposition": disposition},
    )


@router.get(f"{BASE}/licences", summary="My weapons licences and purchase permits")
def list_licences() -> LicenceList:
    applicant = _applicant()
    held = dependencies.permits().held_by(applicant.personnummer)
    return LicenceList(items=[LicenceView.of(licence) for licence in held])
