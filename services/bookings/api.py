"""Lambda: the HTTP API of the bookings service (``/bookings/v1``). Thin: parse, authorize, delegate.

Open to anyone: receptions, free times, the document validity check and cancelling with booking number and
e-mail. Citizens with e-ID: booking, moving, cancelling and reading their own appointments. Reception staff:
the day's list of their region's receptions, and attendance.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from services.bookings import dependencies, pacing
from services.bookings.contracts import (
    AppointmentList,
    AppointmentView,
    AttendanceRequest,
    BookAppointmentRequest,
    BookCaseAppointmentRequest,
    BookingNumberPath,
    CancellationRequest,
    CancellationView,
    DayList,
    ReceptionIdPath,
    ReceptionList,
    ReceptionView,
    RescheduleRequest,
    SlotList,
    StaffAppointmentView,
    ValidityRequest,
    ValidityResponse,
)
from services.bookings.domain import booking, validity
from services.bookings.domain.appointments import Appointment, is_booking_number, normalise_booking_number
from services.bookings.domain.errors import NotGuardian
from services.bookings.domain.receptions import AppointmentKind
from services.bookings.manifest import BASE, MANIFEST, RECEPTION_ROLE
from shared.clock import stockholm_time
from shared.events.envelope import CamelModel
from shared.http.auth import NATIONAL, Caller, caller_from_event
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import (
    PROBLEM_JSON,
    ForbiddenProblem,
    InvalidParameter,
    NotFoundProblem,
    ProblemError,
    UnauthorizedProblem,
    ValidationProblem,
)
from shared.http.resolver import create_resolver
from shared.models import Day
from shared.observability import create_logger, create_metrics, create_tracer, entry_point
from shared.regions import Region, UnknownMunicipality, municipality

DEFAULT_SLOT_RANGE = timedelta(days=6)

logger = create_logger()
metrics = create_metrics()
tracer = create_tracer()
app = create_resolver(title=MANIFEST.title, base_path=BASE, logger=logger, routes=MANIFEST.routes)


class TooManyRequestsProblem(ProblemError):
    status = HTTPStatus.TOO_MANY_REQUESTS
    slug = "too-many-requests"


@app.exception_handler(NotGuardian)
def _not_guardian(error: NotGuardian) -> Response[str]:
    problem = ForbiddenProblem(
        error.detail,
        invalid_parameters=[
            InvalidParameter(name="applicant.personnummer", reason="you are not registered as guardian")
        ],
    ).problem(app.current_event.path)
    return Response(status_code=problem.status, content_type=PROBLEM_JSON, body=problem.to_json())


def _caller() -> Caller | None:
    return caller_from_event(app.current_event.raw_event)


def _booker() -> booking.Booker:
    caller = _caller()
    if caller is None:
        raise UnauthorizedProblem("Log in with e-ID to book")
    if not caller.is_citizen or caller.personnummer is None:
        raise ForbiddenProblem("Only citizens logged in with e-ID can book")
    return booking.Booker(ref=caller.subject, personnummer=caller.personnummer)


def _reception_staff() -> booking.ReceptionStaff:
    caller = _caller()
    if caller is None:
        raise UnauthorizedProblem("Log in with the police identity provider")
    if not caller.is_staff or RECEPTION_ROLE not in caller.roles:
        raise ForbiddenProblem(f"Only police staff with the role {RECEPTION_ROLE} can use this")
    if caller.region == NATIONAL:
        return booking.ReceptionStaff(ref=caller.subject, region=None)
    try:
        return booking.ReceptionStaff(ref=caller.subject, region=Region(caller.region or ""))
    except ValueError:
        raise ForbiddenProblem("Only police staff of a region, or national staff, can use this") from None


def _client_address() -> str:
    context = app.current_event.raw_event.get("requestContext") or {}
    return str((context.get("identity") or {}).get("sourceIp") or "unknown")


def _spend_public_allowance(scope: str) -> None:
    """Open routes are limited per client address on top of the stage's throttling: they answer questions
    (does this document exist? is this the e-mail?) that must not be asked by the thousand."""
    now = dependencies.clock().now()
    wait_s = dependencies.public_rate_limiter().spend(scope, _client_address(), now)
    if wait_s:
        metrics.add_metric(name="PublicRequestsThrottled", unit=MetricUnit.Count, value=1)
        raise TooManyRequestsProblem(
            f"Too many requests from your address. Try again in {wait_s} seconds.",
            headers={"Retry-After": str(wait_s)},
        )


def _booking_number(text: str) -> str:
    number = normalise_booking_number(text)
    if not is_booking_number(number):
        raise ValidationProblem.for_field(
            "bookingNumber", "a booking number has 8 characters (A-Z and 2-9, without O and I)"
        )
    return number


def _today() -> date:
    return stockholm_time(dependencies.clock().now()).date()


def _correlation_id() -> str:
    return logger.get_correlation_id() or ""


def _json(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response[dict[str, Any]]:
    return Response(
        status_code=status, content_type=content_types.APPLICATION_JSON, body=body, headers=headers
    )


def _json_of(model: type[CamelModel]) -> dict[str, Any]:
    """An OpenAPI response body for routes that answer with a Response of their own."""
    return {content_types.APPLICATION_JSON: {"model": model}}


def _booked(appointment: Appointment) -> AppointmentView:
    metrics.add_dimension(name="kind", value=appointment.kind.value)
    metrics.add_metric(name="AppointmentsBooked", unit=MetricUnit.Count, value=1)
    return AppointmentView.of(appointment)


def _book_once(
    request: CamelModel,
    *,
    booker: booking.Booker,
    idempotency_key: str | None,
    book: Callable[[], Appointment],
) -> Response[AppointmentView]:
    """Book at most once per idempotency key: a retry is answered with the booking it made, as it is now."""
    return created_once(
        app.current_event,
        request,
        idempotency_key=idempotency_key,
        create=lambda: _booked(book()),
        replay=lambda booking_number: AppointmentView.of(
            booking.owned_appointment(
                booking_number, booker_ref=booker.ref, repository=dependencies.repository()
            )
        ),
        location=lambda view: f"{BASE}/appointments/{view.booking_number}",
    )


# --- open to anyone --------------------------------------------------------------------------------------


@app.get(f"{BASE}/receptions", summary="List passport receptions, by region and municipality")
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
                "municipality", f"{municipality_code} is not a Swedish municipality code"
            ) from None
    today = _today()
    receptions = sorted(dependencies.receptions().all(), key=lambda r: (r.region.value, r.name))
    return ReceptionList(
        items=[
            ReceptionView.of(r, today=today)
            for r in receptions
            if (region is None or r.region is region)
            and (municipality_code is None or r.municipality_code == municipality_code)
        ]
    )


@app.get(f"{BASE}/receptions/<receptionId>", summary="Read one passport reception")
def get_reception(receptionId: ReceptionIdPath) -> ReceptionView:  # noqa: N803 - the path parameter's public name
    reception = dependencies.receptions().get(receptionId)
    if reception is None:
        raise NotFoundProblem(f"No reception {receptionId}")
    return ReceptionView.of(reception, today=_today())


@app.get(
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
    first = first or _today()
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


@app.post(
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
        result = validity.check_validity(request, register=dependencies.documents(), today=_today())
    metrics.add_metric(name="DocumentValidityChecks", unit=MetricUnit.Count, value=1)
    body = ValidityResponse(result=result).model_dump(mode="json", by_alias=True)
    return _json(200, body, {"Cache-Control": "no-store"})


@app.post(
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
            correlation_id=_correlation_id(),
        )
        return CancellationView(booking_number=cancelled.booking_number, status=cancelled.status)

    return created_once(
        app.current_event,
        request,
        idempotency_key=idempotency_key,
        create=cancel,
        replay=lambda _booking_number: cancel(),
        status=200,
    )


# --- citizens with e-ID ----------------------------------------------------------------------------------


@app.post(
    f"{BASE}/appointments",
    summary="Book a passport and/or ID-card appointment",
    description="For yourself, or for a child you are guardian of (`applicant`). At most 2 active bookings "
    "per e-ID and one per applicant and document. 409 when the time is fully booked.",
    responses={
        **created("Booked; the booking number is the confirmation", AppointmentView),
        403: {"description": "The population register does not list you as the applicant's guardian"},
        409: {"description": "Fully booked, a third active booking, or the applicant already has one"},
    },
)
def post_appointment(
    request: Annotated[BookAppointmentRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[AppointmentView]:
    booker = _booker()
    return _book_once(
        request,
        booker=booker,
        idempotency_key=idempotency_key,
        book=lambda: booking.book_documents(
            request,
            booker=booker,
            receptions=dependencies.receptions(),
            population=dependencies.population(),
            repository=dependencies.repository(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        ),
    )


@app.post(
    f"{BASE}/case-appointments",
    summary="Book a meeting with an expert about your own case",
    description="Only about a case of yours: another's case, or one not known, is 404.",
    responses={
        **created("Booked", AppointmentView),
        404: {"description": "No case of yours has this number"},
        409: {"description": "Fully booked, or the case already has a booked meeting"},
    },
)
def post_case_appointment(
    request: Annotated[BookCaseAppointmentRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[AppointmentView]:
    booker = _booker()
    return _book_once(
        request,
        booker=booker,
        idempotency_key=idempotency_key,
        book=lambda: booking.book_case_meeting(
            request,
            booker=booker,
            receptions=dependencies.receptions(),
            cases=dependencies.cases(),
            repository=dependencies.repository(),
            clock=dependencies.clock(),
            correlation_id=_correlation_id(),
        ),
    )


@app.get(f"{BASE}/appointments", summary="List my appointments, latest time first")
def list_appointments(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> AppointmentList:
    booker = _booker()
    start = decode_token(next_token, must_contain={"bookerKey": f"BOOKER#{booker.ref}"})
    page = booking.booked_by(booker.ref, limit=limit, start=start, repository=dependencies.repository())
    return AppointmentList(
        items=[AppointmentView.of(a) for a in page.appointments], next_token=encode_token(page.next_start)
    )


@app.get(f"{BASE}/appointments/<bookingNumber>", summary="Read one of my appointments")
def get_appointment(bookingNumber: BookingNumberPath) -> AppointmentView:  # noqa: N803 - the path parameter's public name
    booker = _booker()
    appointment = booking.owned_appointment(
        _booking_number(bookingNumber), booker_ref=booker.ref, repository=dependencies.repository()
    )
    return AppointmentView.of(appointment)


@app.patch(
    f"{BASE}/appointments/<bookingNumber>",
    summary="Move my appointment to another time",
    description="The new time is held before the old one is released: if it is taken, nothing changes (409).",
)
def patch_appointment(
    bookingNumber: BookingNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[RescheduleRequest, Body()],
) -> AppointmentView:
    booker = _booker()
    moved = booking.reschedule(
        _booking_number(bookingNumber),
        request,
        booker_ref=booker.ref,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )
    metrics.add_metric(name="AppointmentsRescheduled", unit=MetricUnit.Count, value=1)
    return AppointmentView.of(moved)


@app.delete(f"{BASE}/appointments/<bookingNumber>", summary="Cancel my appointment")
def delete_appointment(bookingNumber: BookingNumberPath) -> AppointmentView:  # noqa: N803 - the path parameter's public name
    booker = _booker()
    cancelled = booking.cancel_as_booker(
        _booking_number(bookingNumber),
        booker_ref=booker.ref,
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )
    metrics.add_metric(name="AppointmentsCancelled", unit=MetricUnit.Count, value=1)
    return AppointmentView.of(cancelled)


# --- reception staff -------------------------------------------------------------------------------------


@app.get(
    f"{BASE}/staff/receptions/<receptionId>/appointments",
    summary="The day's appointments at a reception of my region",
)
def list_day(
    receptionId: ReceptionIdPath,  # noqa: N803 - the path parameter's public name
    day: Annotated[Day | None, Query(alias="date", description="Default today (Europe/Stockholm)")] = None,
) -> DayList:
    staff = _reception_staff()
    day = day or _today()
    appointments = booking.day_list(
        receptionId,
        day,
        staff=staff,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
    )
    return DayList(
        reception_id=receptionId, day=day, items=[StaffAppointmentView.of(a) for a in appointments]
    )


@app.put(
    f"{BASE}/staff/appointments/<bookingNumber>/attendance",
    summary="Mark that the citizen arrived, or did not come",
)
def put_attendance(
    bookingNumber: BookingNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AttendanceRequest, Body()],
) -> StaffAppointmentView:
    staff = _reception_staff()
    marked = booking.mark_attendance(
        _booking_number(bookingNumber),
        request.attendance,
        staff=staff,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=_correlation_id(),
    )
    return StaffAppointmentView.of(marked)


@entry_point(logger, metrics=metrics, tracer=tracer, correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
