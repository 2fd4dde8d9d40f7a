"""Open to anyone: receptions, free times, the document validity check and cancelling with booking number and
e-mail."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.bookings import dependencies, pacing
from services.bookings.contracts import (
    CancellationRequest,
    CancellationView,
    ReceptionIdPath,
    ReceptionList,
    ReceptionView,
    SlotList,
    ValidityRequest,
    ValidityResponse,
)
from services.bookings.domain import booking, validity
from services.bookings.domain.receptions import AppointmentKind
from services.bookings.manifest import BASE
from services.bookings.messages import TEXTS
from services.bookings.routes.common import correlation_id, today
from services.bookings.telemetry import metrics
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import NotFoundProblem, ProblemError, ValidationProblem
from shared.models import CamelModel, Day
from shared.regions import Region, UnknownMunicipality, municipality

DEFAULT_SLOT_RANGE = timedelta(days=6)

router = Router()  # type: ignore[no-untyped-call]


class TooManyRequestsProblem(ProblemError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "too-many-requests"


def _client_address() -> str:
    context = router.current_event.raw_event.get("requestContext") or {}
    return str((context.get("identity") or {}).get("sourceIp") or "unknown")


def _spend_public_allowance(scope: str) -> None:
    """Open routes are limited per client address on top of the stage's throttling: they answer questions
    (does this document exist? is this the e-mail?) that must not be asked by the thousand."""
    now = dependencies.clock().now()
    wait_s = dependencies.public_rate_limiter().spend(scope, _client_address(), now)
    if wait_s:
        metrics.add_metric(name="PublicRequestsThrottled", unit=MetricUnit.Count, value=1)
        raise TooManyRequestsProblem(
            TEXTS("too_many_requests", seconds=wait_s),
            headers={"Retry-After": str(wait_s)},
        )


def _json_of(model: type[CamelModel]) -> dict[str, Any]:
    """An OpenAPI response body for routes that answer with a Response of their own."""
    return {content_types.APPLICATION_JSON: {"model": model}}


@router.get(f"{BASE}/receptions", summary="List passport receptions, by region and municipality")
def list_receptions(
    region: Annotated[Region | None, Query(description="A police region, e.g. Väst")] = None,
    municipality_code: Annotated[
        str | None, Query(alias="municipality", pattern=r"^\d{4}$", description="A kommunkod, e.g. 1480")
    ] = None,
) -> ReceptionList:
    if municipality_code is not None:
        try:
            municipality(municipality_code)
        except UnknownMunicipality:
            raise ValidationProblem.for_field(
                "municipality", TEXTS("municipality", code=municipality_code)
            ) from None
    day = today()
    receptions = sorted(dependencies.receptions().all(), key=lambda r: (r.region.value, r.name))
    return ReceptionList(
        items=[
            ReceptionView.of(r, today=day)
            for r in receptions
            if (region is None or r.region is region)
            and (municipality_code is None or r.municipality_code == municipality_code)
        ]
    )


@router.get(f"{BASE}/receptions/<receptionId>", summary="Read one passport reception")
def get_reception(receptionId: ReceptionIdPath) -> ReceptionView:  # noqa: N803 - the path parameter's public name
    reception = dependencies.receptions().get(receptionId)
    if reception is None:
        raise NotFoundProblem(TEXTS("no_reception", receptionId=receptionId))
    return ReceptionView.of(reception, today=today())


@router.get(
    f"{BASE}/receptions/<receptionId>/slots",
    summary="Free times at a reception",
    description="Slots that have not begun, from `from` to `to` (dates in Europe/Stockholm, inclusive, at "
    "most 31 days), with the places still free. Closed days (weekends, public holidays, eves) have none.",
)
def list_slots(
    receptionId: ReceptionIdPath,  # noqa: N803 - the path parameter's public name
    first: Annotated[Day | None, Query(alias="from", description="First day; default today")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Last day; default six days on")] = None,
    kind: Annotated[AppointmentKind, Query()] = AppointmentKind.DOCUMENTS,
) -> SlotList:
    first = first or today()
    last = last or first + DEFAULT_SLOT_RANGE
    reception, slots = booking.free_slots(
        receptionId,
        kind,
        first,
        last,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
    )
    return SlotList.of(reception.id, kind, first, last, slots)


@router.post(
    f"{BASE}/document-validity",
    summary="Check whether a passport or national ID card is valid",
    description="Answers exactly one of `Giltig`, `Spärrat` (blocked: reported lost or stolen, or revoked) "
    "and `Inget resultat` (no such document for this person and expiry date), and nothing more. Limited per "
    "client address.",
    responses={
        200: {"description": "The answer", "content": _json_of(ValidityResponse)},
        429: {"description": "Too many checks from this address; see Retry-After"},
    },
)
def post_document_validity(request: Annotated[ValidityRequest, Body()]) -> Response[dict[str, Any]]:
    _spend_public_allowance("document-validity")
    with pacing.at_least(dependencies.validity_min_response_s()):
        result = validity.check_validity(request, register=dependencies.documents(), today=today())
    metrics.add_metric(name="DocumentValidityChecks", unit=MetricUnit.Count, value=1)
    body = ValidityResponse(result=result).model_dump(mode="json", by_alias=True)
    return Response(
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    f"{BASE}/cancellations",
    summary="Cancel an appointment with its booking number and e-mail address, without logging in",
)
def post_cancellation(
    request: Annotated[CancellationRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[CancellationView]:
    _spend_public_allowance("cancellation")

    def cancel() -> CancellationView:
        # Cancelling is idempotent by itself (a cancelled appointment is answered as it is, with no second
        # event), so a retry simply runs again: it is checked, number and e-mail, exactly as the first was.
        cancelled = booking.cancel_with_email(
            request.booking_number,
            request.email,
            repository=dependencies.repository(),
            clock=dependencies.clock(),
            correlation_id=correlation_id(),
        )
        return CancellationView(booking_number=cancelled.booking_number, status=cancelled.status)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=cancel,
        replay=lambda _booking_number: cancel(),
        status=200,
    )
