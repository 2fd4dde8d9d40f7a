"""Schedule expressions the local scheduler fires on time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from infra.local.invoker import FunctionError
from infra.local.plan import SchedulePlan
from infra.local.scheduler import Cron, Scheduler, UnsupportedExpression, next_fire, parse_rate

T0 = datetime(2026, 11, 22, 13, 7, 30, tzinfo=UTC)  # a Sunday, 14:07:30 in Stockholm
STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    ("expression", "period"),
    [
        ("rate(1 second)", timedelta(seconds=1)),
        ("rate(30 seconds)", timedelta(seconds=30)),
        ("rate(1 minute)", timedelta(minutes=1)),
        ("rate(5 minutes)", timedelta(minutes=5)),
        ("rate(2 hours)", timedelta(hours=2)),
        ("rate(1 day)", timedelta(days=1)),
    ],
)
def test_a_rate_fires_one_period_later(expression: str, period: timedelta) -> None:
    assert parse_rate(expression) == period
    assert next_fire(expression, T0) == T0 + period


@pytest.mark.parametrize(
    "expression", ["rate(0 minutes)", "rate(5 fortnights)", "rate(minutes)", "at(2026-01-01)"]
)
def test_an_unsupported_expression_is_refused(expression: str) -> None:
    with pytest.raises(UnsupportedExpression):
        next_fire(expression, T0)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cron(0 * * * ? *)", datetime(2026, 11, 22, 15, 0, tzinfo=STOCKHOLM)),
        ("cron(*/15 * * * ? *)", datetime(2026, 11, 22, 14, 15, tzinfo=STOCKHOLM)),
        ("cron(0 6 * * ? *)", datetime(2026, 11, 23, 6, 0, tzinfo=STOCKHOLM)),
        ("cron(0 8 ? * MON-FRI *)", datetime(2026, 11, 23, 8, 0, tzinfo=STOCKHOLM)),
        ("cron(0 8 ? * 1 *)", datetime(2026, 11, 29, 8, 0, tzinfo=STOCKHOLM)),
        ("cron(30 2 1 * ? *)", datetime(2026, 12, 1, 2, 30, tzinfo=STOCKHOLM)),
        ("cron(0 0 1 JAN ? 2027)", datetime(2027, 1, 1, 0, 0, tzinfo=STOCKHOLM)),
        ("cron(10,40 14 * * ? *)", datetime(2026, 11, 22, 14, 10, tzinfo=STOCKHOLM)),
        ("cron(5,40 14 * * ? *)", datetime(2026, 11, 22, 14, 40, tzinfo=STOCKHOLM)),
        ("cron(0 12 * JUL ? *)", datetime(2027, 7, 1, 10, 0, tzinfo=UTC)),  # summer time, UTC+2
    ],
)
def test_a_cron_fires_at_its_next_matching_minute(expression: str, expected: datetime) -> None:
    assert next_fire(expression, T0) == expected


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 8 L * ? *)",
        "cron(0 8 ? * 2#1 *)",
        "cron(0 8 * *)",
        "cron(99 * * * ? *)",
        "cron(0 8 15W * ? *)",
    ],
)
def test_cron_forms_beyond_the_common_ones_are_refused(expression: str) -> None:
    with pytest.raises(UnsupportedExpression):
        Cron.parse(expression)


def _schedule(name: str, expression: str) -> SchedulePlan:
    return SchedulePlan(
        "bookings",
        name,
        "eservices-local-bookings-jobs",
        expression,
        "eservices-local-bookings-jobs-failures",
    )


def test_the_scheduler_invokes_the_function_when_due() -> None:
    now = [T0]
    fired: list[tuple[str, dict[str, Any]]] = []
    done = threading.Event()

    def invoke(function: str, event: dict[str, Any]) -> None:
        fired.append((function, event))
        done.set()

    stop = threading.Event()
    schedules = [
        _schedule("eservices-local-bookings-tick", "rate(1 minute)"),
        _schedule("eservices-local-bookings-odd", "cron(0 8 L * ? *)"),
    ]
    scheduler = Scheduler(schedules, invoke, stop, clock=lambda: now[0])
    scheduler.start()
    try:
        now[0] = T0 + timedelta(minutes=1)
        assert done.wait(5)
    finally:
        stop.set()
        scheduler.join(5)
    function, event = fired[0]
    assert function == "eservices-local-bookings-jobs"
    assert event["time"] == "2026-11-22T13:08:30Z"
    assert event["resources"][0].endswith("schedule/default/eservices-local-bookings-tick")


def test_a_failed_run_is_handed_to_the_failure_recorder_with_its_event() -> None:
    now = [T0]
    recorded: list[tuple[SchedulePlan, dict[str, Any], Exception]] = []
    done = threading.Event()

    def invoke(function: str, event: dict[str, Any]) -> None:
        raise FunctionError(function, "RuntimeError", "the register is down")

    def record(schedule: SchedulePlan, event: dict[str, Any], error: Exception) -> None:
        recorded.append((schedule, event, error))
        done.set()

    stop = threading.Event()
    schedule = _schedule("eservices-local-bookings-tick", "rate(1 minute)")
    scheduler = Scheduler([schedule], invoke, stop, clock=lambda: now[0], on_failure=record)
    scheduler.start()
    try:
        now[0] = T0 + timedelta(minutes=1)
        assert done.wait(5)
    finally:
        stop.set()
        scheduler.join(5)
    (recorded_schedule, event, error) = recorded[0]
    assert recorded_schedule.failure_queue == "eservices-local-bookings-jobs-failures"
    assert event["detail-type"] == "Scheduled Event"
    assert "the register is down" in str(error)
