"""The supervisor's side of one worker process: start it in its service's environment, invoke its functions.

A service has several (see ``pool.WorkerPool``); each is one execution environment running one invocation at
a time.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from infra.local.plan import ACCOUNT_ID, ServicePlan
from infra.local.processes import REPO_ROOT, ChildProcess, LineSink
from infra.local.worker import FUNCTION_ERROR_HEADER, PING_PATH, TIMED_OUT_EXIT_CODE, FunctionSpec

log = logging.getLogger("infra.local")

# Lambda gives the init phase (importing the handler) up to 10 s of its own, before the function's timeout
# starts; past both (and a margin), a worker that has not answered is hung and is killed from outside.
INIT_BUDGET_S = 10
_UNANSWERED_MARGIN_S = 5
# A worker busy with a CPU-bound invocation answers its ping thread late on a loaded machine; only one that does
# not answer for this long counts as down.
PING_TIMEOUT_S = 5


class FunctionError(Exception):
    """An invocation that did not return a result: the handler raised, timed out, or its worker is gone."""

    def __init__(self, function: str, error_type: str, message: str) -> None:
        super().__init__(f"{function}: {error_type}: {message}")
        self.function = function
        self.error_type = error_type
        self.message = message


def worker_environment(service: ServicePlan, aws_environment: dict[str, str]) -> dict[str, str]:
    """The service's variables, AWS's, and what any Python process needs. Nothing of another service."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONPATH": str(REPO_ROOT),
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "EServices",
    }
    env.update(service.environment)
    env.update(aws_environment)
    return env


class ServiceWorker:
    def __init__(
        self,
        service: ServicePlan,
        aws_environment: dict[str, str],
        log_path: Path,
        echo: LineSink | None = None,
    ) -> None:
        self.service = service
        self.log_path = log_path
        self._env = worker_environment(service, aws_environment)
        self._echo = echo
        self._specs = [FunctionSpec(f.name, f.handler, f.memory_mb, f.timeout_s) for f in service.functions]
        if service.seed:
            seed = service.seed
            self._specs.append(FunctionSpec(seed.name, seed.handler, seed.memory_mb, seed.timeout_s))
        self._timeouts = {spec.name: spec.timeout_s for spec in self._specs}
        self._child: ChildProcess | None = None
        self._port = 0
        self._lock = threading.Lock()
        self._stopped = False

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child else None

    def start(self) -> None:
        # The worker inherits a socket that is already listening, so its port is known (and taken) before the
        # child has even started, and requests wait in the backlog until it serves them.
        listening = socket.create_server(("127.0.0.1", 0), backlog=128)
        try:
            self._port = listening.getsockname()[1]
            functions = json.dumps([spec.to_json() for spec in self._specs])
            argv = [sys.executable, "-u", "-m", "infra.local.worker", "--fd", str(listening.fileno())]
            argv += ["--functions", functions, "--account", ACCOUNT_ID]
            argv += ["--access", json.dumps(self.service.access)]
            self._child = ChildProcess(
                self.name,
                argv,
                env=self._env,
                log_path=self.log_path,
                echo=self._echo,
                pass_fds=[listening.fileno()],
            )
            self._child.start()
        finally:
            listening.close()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._child:
                self._child.stop()

    def wait_ready(self, deadline: float) -> None:
        while not self.ping():
            child = self._child
            code = child.exit_code() if child else None
            if code is not None:
                raise RuntimeError(f"the {self.name} worker exited with code {code}; see {self.log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"the {self.name} worker did not answer; see {self.log_path}")
            time.sleep(0.02)

    def ping(self) -> bool:
        try:
            status, _, _ = self._request("GET", PING_PATH, None, timeout_s=PING_TIMEOUT_S)
        except (OSError, http.client.HTTPException):
            return False
        return status == 200

    def invoke(self, function: str, event: Any) -> Any:
        """The function's result; raises :class:`FunctionError` when it has none."""
        self.replace_if_exited()
        timeout_s = self._timeouts.get(function, 30)
        path = f"/2015-03-31/functions/{function}/invocations"
        try:
            status, payload, failed = self._request(
                "POST", path, json.dumps(event).encode(), timeout_s + INIT_BUDGET_S + _UNANSWERED_MARGIN_S
            )
        except TimeoutError as exc:
            # The worker's own deadline did not stop it (stuck outside Python): stop it from here.
            self._kill()
            raise FunctionError(
                function, "Sandbox.Timedout", f"Task timed out after {timeout_s} seconds"
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            code = self._reap() if isinstance(exc, ConnectionError) else None
            if code == TIMED_OUT_EXIT_CODE:
                message = f"Task timed out after {timeout_s} seconds"
                raise FunctionError(function, "Sandbox.Timedout", message) from exc
            if code is not None:
                message = f"Runtime exited with error: exit status {code}"
                raise FunctionError(function, "Runtime.ExitError", message) from exc
            raise FunctionError(function, "Local.WorkerUnavailable", str(exc)) from exc
        if status != 200:
            raise FunctionError(function, "Local.InvokeRejected", payload.decode(errors="replace"))
        data = json.loads(payload)
        if failed:
            raise FunctionError(function, str(data.get("errorType")), str(data.get("errorMessage")))
        return data

    def _reap(self) -> int | None:
        """The exit code of a worker that died mid-invocation, so the next invocation starts a new one."""
        return self._child.wait(1.0) if self._child else None

    def _kill(self) -> None:
        if self._child:
            self._child.stop(timeout_s=1.0)

    def _request(
        self, method: str, path: str, body: bytes | None, timeout_s: float
    ) -> tuple[int, bytes, bool]:
        connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=timeout_s)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            return response.status, response.read(), bool(response.getheader(FUNCTION_ERROR_HEADER))
        finally:
            connection.close()

    def replace_if_exited(self) -> None:
        with self._lock:
            child = self._child
            code = child.exit_code() if child else None
            if code is None or self._stopped:
                return
            # Lambda replaces an execution environment that died; so does the local cloud.
            log.warning(
                "a %s worker (pid %s) exited with code %s; starting a new one",
                self.name,
                child and child.pid,
                code,
            )
            self.start()
