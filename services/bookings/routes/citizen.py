"""Citizens with e-ID: booking (for oneself or one's child), moving, cancelling and reading their own
appointments, and meetings about their own case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.bookings import dependencies
from services.bookings.contracts import (
    AppointmentList,
    AppointmentView,
    BookAppointmentRequest,
    BookCaseAppointmentRequest,
    BookingNumberPath,
    RescheduleRequest,
)
from services.bookings.domain import booking
from services.bookings.domain.appointments import Appointment
from services.bookings.domain.errors import NotGuardian
from services.bookings.manifest import BASE
from services.bookings.messages import TEXTS
from services.bookings.routes.common import booking_number, correlation_id
from services.bookings.telemetry import metrics
from shared.http.auth import require_citizen
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import PROBLEM_JSON, ForbiddenProblem
from shared.models import CamelModel

router = Router()  # type: ignore[no-untyped-call]


@router.exception_handler(NotGuardian)
def _not_guardian(error: NotGuardian) -> Response[str]:
    problem = ForbiddenProblem(
        error.detail,
        invalid_parameters=[("applicant.personnummer", TEXTS("not_guardian_reason"))],
    ).problem(router.current_event.path)
    return Response(status_code=problem.status, content_type=PROBLEM_JSON, body=problem.to_json())


def _booker() -> booking.Booker:
    caller = require_citizen(router.current_event.raw_event)
    return booking.Booker(ref=caller.subject, personnummer=caller.personnummer or "")


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
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=lambda: _booked(book()),
        replay=lambda number: AppointmentView.of(
            booking.owned_appointment(number, booker_ref=booker.ref, repository=dependencies.repository())
        ),
        location=lambda view: f"{BASE}/appointments/{view.booking_number}",
    )


@router.post(
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
            correlation_id=correlation_id(),
        ),
    )


@router.post(
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
            correlation_id=correlation_id(),
        ),
    )


@router.get(f"{BASE}/appointments", summary="List my appointments, latest time first")
def list_appointments(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> AppointmentList:
    booker = _booker()
    page = booking.booked_by(
        booker.ref, limit=limit, start=decode_token(next_token), repository=dependencies.repository()
    )
    return AppointmentList(
        items=[AppointmentView.of(a) for a in page.appointments], next_token=encode_token(page.next_start)
    )


@router.get(f"{BASE}/appointments/<bookingNumber>", summary="Read one of my appointments")
def get_appointment(bookingNumber: BookingNumberPath) -> AppointmentView:  # noqa: N803 - the path parameter's public name
    booker = _booker()
    appointment = booking.owned_appointment(
        booking_number(bookingNumber), booker_ref=booker.ref, repository=dependencies.repository()
    )
    return AppointmentView.of(appointment)


@router.patch(
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
        booking_number(bookingNumber),
        request,
        booker_ref=booker.ref,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=correlation_id(),
    )
    metrics.add_metric(name="AppointmentsRescheduled", unit=MetricUnit.Count, value=1)
    return AppointmentView.of(moved)


@router.delete(f"{BASE}/appointments/<bookingNumber>", summary="Cancel my appointment")
def delete_appointment(bookingNumber: BookingNumberPath) -> AppointmentView:  # noqa: N803 - the path parameter's public name
    booker = _booker()
    cancelled = booking.cancel_as_booker(
        booking_number(bookingNumber),
        booker_ref=booker.ref,
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=correlation_id(),
    )
    metrics.add_metric(name="AppointmentsCancelled", unit=MetricUnit.Count, value=1)
    return AppointmentView.of(cancelled)
