"""A service's pool hands each invocation to an idle worker, at most one invocation per worker at a time."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from infra.local.invoker import FunctionError
from infra.local.pool import WorkerPool


class FakeWorker:
    """Runs ``behaviour`` for each invocation and tracks how many run at once across all fakes."""

    in_flight = 0
    most_in_flight = 0
    _lock = threading.Lock()

    def __init__(self, pid: int, behaviour: Callable[[], Any] = lambda: None) -> None:
        self.pid: int | None = pid
        self.behaviour = behaviour
        self.busy = False
        self.running = threading.Event()
        self.invocations = 0
        self.replacement_checks = 0
        self.stopped = False

    def start(self) -> None: ...

    def stop(self) -> None:
        self.stopped = True

    def wait_ready(self, deadline: float) -> None: ...

    def ping(self) -> bool:
        return not self.stopped

    def invoke(self, function: str, event: Any) -> Any:
        assert not self.busy, "a worker was handed a second invocation while running one"
        self.busy = True
        self.running.set()
        with FakeWorker._lock:
            FakeWorker.in_flight += 1
            FakeWorker.most_in_flight = max(FakeWorker.most_in_flight, FakeWorker.in_flight)
        try:
            self.invocations += 1
            self.behaviour()
            return {"pid": self.pid}
        finally:
            with FakeWorker._lock:
                FakeWorker.in_flight -= 1
            self.busy = False

    def replace_if_exited(self) -> None:
        self.replacement_checks += 1


@pytest.fixture(autouse=True)
def _reset_counters() -> None:
    FakeWorker.in_flight = FakeWorker.most_in_flight = 0


def test_invocations_run_side_by_side_up_to_the_pool_size() -> None:
    meeting = threading.Barrier(3, timeout=5)
    pool = WorkerPool("probe", [FakeWorker(pid, meeting.wait) for pid in (1, 2, 3)])
    with ThreadPoolExecutor(3) as callers:
        results = list(callers.map(lambda _: pool.invoke("api", {}), range(3)))
    assert sorted(r["pid"] for r in results) == [1, 2, 3]


def test_more_invocations_than_workers_wait_their_turn_and_all_complete() -> None:
    pool = WorkerPool("probe", [FakeWorker(pid, lambda: time.sleep(0.01)) for pid in (1, 2)])
    with ThreadPoolExecutor(8) as callers:
        results = list(callers.map(lambda _: pool.invoke("api", {}), range(16)))
    assert len(results) == 16
    assert FakeWorker.most_in_flight <= 2


def test_the_wait_for_an_idle_worker_is_bounded() -> None:
    release = threading.Event()
    worker = FakeWorker(1, lambda: release.wait(5))
    pool = WorkerPool("probe", [worker], idle_wait_s=0.05)
    with ThreadPoolExecutor(1) as callers:
        holding = callers.submit(pool.invoke, "api", {})
        assert worker.running.wait(5)
        with pytest.raises(FunctionError) as refused:
            pool.invoke("api", {})
        release.set()
        assert holding.result(timeout=5) == {"pid": 1}
    assert refused.value.error_type == "TooManyRequestsException"


def test_sequential_invocations_reuse_the_warmest_worker() -> None:
    workers = [FakeWorker(pid) for pid in (1, 2, 3)]
    pool = WorkerPool("probe", workers)
    assert {pool.invoke("api", {})["pid"] for _ in range(5)} == {3}


def test_a_worker_is_checked_for_replacement_after_every_invocation_even_a_failed_one() -> None:
    def fail() -> None:
        raise FunctionError("api", "Local.WorkerUnavailable", "the worker died")

    worker = FakeWorker(1, fail)
    pool = WorkerPool("probe", [worker])
    with pytest.raises(FunctionError):
        pool.invoke("api", {})
    worker.behaviour = lambda: None
    assert pool.invoke("api", {}) == {"pid": 1}
    assert worker.replacement_checks == 2


def test_stopping_wakes_a_caller_waiting_for_a_worker() -> None:
    release = threading.Event()
    worker = FakeWorker(1, lambda: release.wait(5))
    pool = WorkerPool("probe", [worker])
    with ThreadPoolExecutor(2) as callers:
        holding = callers.submit(pool.invoke, "api", {})
        assert worker.running.wait(5)
        waiting = callers.submit(pool.invoke, "api", {})
        pool.stop()
        with pytest.raises(FunctionError, match="stopping"):
            waiting.result(timeout=2)
        release.set()
        holding.result(timeout=5)


def test_a_pool_needs_a_worker() -> None:
    with pytest.raises(ValueError, match="at least one worker"):
        WorkerPool("probe", [])
