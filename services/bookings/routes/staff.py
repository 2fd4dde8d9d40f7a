"""Reception staff: the day's list of their region's receptions, and attendance."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from services.bookings import dependencies
from services.bookings.contracts import (
    AttendanceRequest,
    BookingNumberPath,
    DayList,
    ReceptionIdPath,
    StaffAppointmentView,
)
from services.bookings.domain import booking
from services.bookings.manifest import BASE, RECEPTION_ROLE
from services.bookings.routes.common import booking_number, correlation_id, today
from shared.http.auth import require_staff
from shared.http.problems import ForbiddenProblem
from shared.models import Day
from shared.regions import Region
from shared.staff import NATIONAL

router = Router()  # type: ignore[no-untyped-call]


def _reception_staff() -> booking.ReceptionStaff:
    caller = require_staff(router.current_event.raw_event, role=RECEPTION_ROLE)
    if caller.region == NATIONAL:
        return booking.ReceptionStaff(ref=caller.subject, region=None)
    try:
        return booking.ReceptionStaff(ref=caller.subject, region=Region(caller.region or ""))
    except ValueError:
        raise ForbiddenProblem("Only police staff of a region, or national staff, can use this") from None


@router.get(
    f"{BASE}/staff/receptions/<receptionId>/appointments",
    summary="The day's appointments at a reception of my region",
)
def list_day(
    receptionId: ReceptionIdPath,  # noqa: N803 - the path parameter's public name
    day: Annotated[Day | None, Query(alias="date", description="Default today (Europe/Stockholm)")] = None,
) -> DayList:
    staff = _reception_staff()
    day = day or today()
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


@router.put(
    f"{BASE}/staff/appointments/<bookingNumber>/attendance",
    summary="Mark that the citizen arrived, or did not come",
)
def put_attendance(
    bookingNumber: BookingNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AttendanceRequest, Body()],
) -> StaffAppointmentView:
    staff = _reception_staff()
    marked = booking.mark_attendance(
        booking_number(bookingNumber),
        request.attendance,
        staff=staff,
        receptions=dependencies.receptions(),
        repository=dependencies.repository(),
        clock=dependencies.clock(),
        correlation_id=correlation_id(),
    )
    return StaffAppointmentView.of(marked)
