"""What every bookings router reads the same way: today in Stockholm, the request's correlation id, a booking
number from the path."""

from __future__ import annotations

from datetime import date

from services.bookings import dependencies
from services.bookings.domain.appointments import is_booking_number, normalise_booking_number
from services.bookings.messages import TEXTS
from services.bookings.telemetry import logger
from shared.clock import stockholm_time
from shared.http.problems import ValidationProblem


def booking_number(text: str) -> str:
    number = normalise_booking_number(text)
    if not is_booking_number(number):
        raise ValidationProblem.for_field("bookingNumber", TEXTS("booking_number"))
    return number


def today() -> date:
    return stockholm_time(dependencies.clock().now()).date()


def correlation_id() -> str:
    return logger.get_correlation_id() or ""
