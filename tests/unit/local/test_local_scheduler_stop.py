"""The local scheduler stops cleanly: a run the stop interrupts is neither a failure nor a thread's crash."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infra.local.invoker import FunctionError
from infra.local.plan import SchedulePlan
from infra.local.scheduler import Scheduler

T0 = datetime(2026, 11, 22, 13, 7, 30, tzinfo=UTC)
SCHEDULE = SchedulePlan(
    "bookings",
    "eservices-local-bookings-tick",
    "eservices-local-bookings-jobs",
    "rate(1 minute)",
    "eservices-local-bookings-jobs-failures",
)


@pytest.fixture
def thread_crashes(monkeypatch: pytest.MonkeyPatch) -> list[threading.ExceptHookArgs]:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    return crashes


def _jobs_alive() -> list[str]:
    # Only this test's schedule: a local cloud of another test in the same process runs jobs of its own.
    return [t.name for t in threading.enumerate() if t.name == f"job:{SCHEDULE.name}" and t.is_alive()]


def _due_now(invoke: Any, stop: threading.Event, **kwargs: Any) -> Scheduler:
    now = [T0]
    scheduler = Scheduler([SCHEDULE], invoke, stop, clock=lambda: now[0], **kwargs)
    scheduler.start()
    now[0] = T0 + timedelta(minutes=1)
    return scheduler


def test_a_run_the_stop_interrupts_is_not_recorded_as_failed_and_crashes_no_thread(
    thread_crashes: list[threading.ExceptHookArgs],
) -> None:
    stop = threading.Event()
    running = threading.Event()
    recorded: list[Exception] = []

    def invoke(function: str, event: dict[str, Any]) -> None:
        running.set()
        stop.wait(5)
        raise FunctionError(function, "WorkerGone", "the pool stopped")

    def record(schedule: SchedulePlan, event: dict[str, Any], error: Exception) -> None:
        recorded.append(error)
        raise ConnectionRefusedError("the queues have stopped too")

    scheduler = _due_now(invoke, stop, on_failure=record)
    assert running.wait(5)
    stop.set()
    scheduler.join(5)
    assert _jobs_alive() == []
    assert recorded == []
    assert thread_crashes == []


def test_stopping_waits_for_a_run_still_going() -> None:
    stop = threading.Event()
    running = threading.Event()
    finished = threading.Event()

    def invoke(function: str, event: dict[str, Any]) -> None:
        running.set()
        threading.Timer(0.2, finished.set).start()
        finished.wait(5)

    scheduler = _due_now(invoke, stop)
    assert running.wait(5)
    stop.set()
    scheduler.join(5)
    assert finished.is_set()
    assert _jobs_alive() == []


def test_a_failure_that_cannot_be_recorded_is_logged_not_raised(
    thread_crashes: list[threading.ExceptHookArgs], caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    attempted = threading.Event()

    def invoke(function: str, event: dict[str, Any]) -> None:
        raise FunctionError(function, "RuntimeError", "the register is down")

    def record(schedule: SchedulePlan, event: dict[str, Any], error: Exception) -> None:
        attempted.set()
        raise ConnectionRefusedError("the failure queue is away")

    with caplog.at_level(logging.WARNING, logger="infra.local"):
        scheduler = _due_now(invoke, stop, on_failure=record)
        try:
            assert attempted.wait(5)
        finally:
            stop.set()
            scheduler.join(5)
    assert thread_crashes == []
    assert "the failed run could not be recorded: the failure queue is away" in caplog.text
