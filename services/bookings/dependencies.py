"""Wiring for the Lambda entry points: built on first use, so importing a handler stays cheap.

Each adapter is imported where it is built: a function loads only the adapters (and the domain behind them)
that its own requests use.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING

from shared.adapters import aws
from shared.clock import Clock, SystemClock
from shared.composition import forget_built

if TYPE_CHECKING:
    from services.bookings.adapters.dynamodb import DynamoDbAppointmentRepository
    from services.bookings.adapters.registers import (
        DynamoDbCaseOwnership,
        DynamoDbDocumentRegister,
        DynamoDbPopulationRegister,
        DynamoDbRateLimiter,
        DynamoDbReceptionDirectory,
    )

# Defaults; the manifest sets them per environment.
DEFAULT_PUBLIC_REQUESTS_PER_MINUTE = 30
DEFAULT_VALIDITY_MIN_RESPONSE_MS = 200


def _table() -> str:
    return os.environ["TABLE_MAIN"]


@cache
def repository() -> DynamoDbAppointmentRepository:
    from services.bookings.adapters.dynamodb import DynamoDbAppointmentRepository

    return DynamoDbAppointmentRepository(_table(), aws.dynamodb())


@cache
def receptions() -> DynamoDbReceptionDirectory:
    from services.bookings.adapters.registers import DynamoDbReceptionDirectory

    return DynamoDbReceptionDirectory(_table(), aws.dynamodb())


@cache
def population() -> DynamoDbPopulationRegister:
    from services.bookings.adapters.registers import DynamoDbPopulationRegister

    return DynamoDbPopulationRegister(_table(), aws.dynamodb())


@cache
def documents() -> DynamoDbDocumentRegister:
    from services.bookings.adapters.registers import DynamoDbDocumentRegister

    return DynamoDbDocumentRegister(_table(), aws.dynamodb())


@cache
def cases() -> DynamoDbCaseOwnership:
    from services.bookings.adapters.registers import DynamoDbCaseOwnership

    return DynamoDbCaseOwnership(_table(), aws.dynamodb())


@cache
def public_rate_limiter() -> DynamoDbRateLimiter:
    """The open routes (validity check, cancelling without login) per client address."""
    from services.bookings.adapters.registers import DynamoDbRateLimiter

    limit = int(os.environ.get("PUBLIC_REQUESTS_PER_MINUTE", DEFAULT_PUBLIC_REQUESTS_PER_MINUTE))
    return DynamoDbRateLimiter(_table(), aws.dynamodb(), limit=limit, window_s=60)


def validity_min_response_s() -> float:
    return int(os.environ.get("VALIDITY_MIN_RESPONSE_MS", DEFAULT_VALIDITY_MIN_RESPONSE_MS)) / 1000


@cache
def clock() -> Clock:
    return SystemClock()


def reset() -> None:
    """Forget every client and adapter built so far (a test's fresh cloud)."""
    forget_built(globals())
