"""A service's warm workers: each runs one invocation at a time, as one Lambda execution environment does.

In AWS, concurrent requests to a function run in separate execution environments. Locally each service has a
few worker processes; an invocation takes an idle one, and waits (bounded) when all are busy. The most
recently used worker is handed out first, as Lambda reuses its warmest environment, so sequential traffic
keeps hitting the worker that has already imported its handlers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from infra.local.invoker import FunctionError

# API Gateway gives an integration 29 s; a request still waiting for a worker by then has lost anyway.
IDLE_WORKER_WAIT_S = 29.0


class Worker(Protocol):
    @property
    def pid(self) -> int | None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def wait_ready(self, deadline: float) -> None: ...

    def ping(self) -> bool: ...

    def invoke(self, function: str, event: Any) -> Any: ...

    def replace_if_exited(self) -> None: ...


class WorkerPool:
    def __init__(
        self, name: str, workers: Sequence[Worker], *, idle_wait_s: float = IDLE_WORKER_WAIT_S
    ) -> None:
        if not workers:
            raise ValueError(f"the {name} pool needs at least one worker")
        self.name = name
        self._workers = tuple(workers)
        self._idle = list(self._workers)  # a stack: the last one released is the next one taken
        self._available = threading.Condition()
        self._idle_wait_s = idle_wait_s
        self._stopped = False

    @property
    def size(self) -> int:
        return len(self._workers)

    @property
    def pids(self) -> list[int]:
        return [pid for pid in (worker.pid for worker in self._workers) if pid is not None]

    def start(self) -> None:
        """Starts every worker without waiting: they initialise side by side."""
        for worker in self._workers:
            worker.start()

    def wait_ready(self, deadline: float) -> None:
        for worker in self._workers:
            worker.wait_ready(deadline)

    def ping(self) -> bool:
        """Whether every worker answers; asked side by side, so one slow worker does not add up with the rest."""
        with ThreadPoolExecutor(len(self._workers), thread_name_prefix=f"{self.name}-ping") as pings:
            return all(pings.map(lambda worker: worker.ping(), self._workers))

    def invoke(self, function: str, event: Any) -> Any:
        """The function's result, from the next idle worker; raises :class:`FunctionError` when it has none."""
        worker = self._acquire(function)
        try:
            return worker.invoke(function, event)
        finally:
            self._release(worker)

    def stop(self) -> None:
        with self._available:
            self._stopped = True
            self._available.notify_all()
        for worker in self._workers:
            worker.stop()

    def _acquire(self, function: str) -> Worker:
        deadline = time.monotonic() + self._idle_wait_s
        with self._available:
            while not self._idle and not self._stopped:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FunctionError(
                        function,
                        "TooManyRequestsException",
                        f"all {self.size} {self.name} workers stayed busy for {self._idle_wait_s:.0f} s",
                    )
                self._available.wait(remaining)
            if self._stopped:
                raise FunctionError(function, "Local.Stopped", "the local cloud is stopping")
            return self._idle.pop()

    def _release(self, worker: Worker) -> None:
        # A worker that died during the invocation is replaced before anyone else is handed it.
        worker.replace_if_exited()
        with self._available:
            self._idle.append(worker)
            self._available.notify()
