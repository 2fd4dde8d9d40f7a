"""One execution environment of a service: its functions, warm in one process, one invocation at a time.

The supervisor starts this module with the service's environment only and hands it a listening socket. It
serves Lambda's Invoke API shape, ``POST /2015-03-31/functions/<name>/invocations`` with the event as the
body, and answers like Lambda: the handler's result as the payload, or an error payload with
``X-Amz-Function-Error: Unhandled``. Handlers are imported on their first invocation.

A handler that overruns its timeout is stopped as Lambda stops it: at the deadline the process logs
``Task timed out`` and exits with :data:`TIMED_OUT_EXIT_CODE`, whatever the handler is doing, so nothing it
would have written afterwards is written; the supervisor reports ``Sandbox.Timedout`` and starts a fresh
worker (Lambda resets the execution environment after a timeout). As in Lambda, the handler's import (the
init phase) runs before the clock starts.

Requests are served on threads (so pings answer while a function runs), but one invocation runs at a time:
the state that handlers and Powertools keep in module globals (the resolver's current event, the logger's
Lambda context keys, ``AWS_LAMBDA_FUNCTION_NAME``) is per process, as it is per execution environment in
Lambda. Concurrency comes from running several of these per service (``pool.WorkerPool``), never from
threads inside one.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import socket
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from infra.local import access, faults
from infra.local.processes import exit_when_parent_exits

INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")
FUNCTION_ERROR_HEADER = "X-Amz-Function-Error"
PING_PATH = "/ping"
# How a worker that stopped an overrunning handler exits, so the supervisor can tell a timeout from a crash.
TIMED_OUT_EXIT_CODE = 124

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    handler: str  # "package.module.attribute"
    memory_mb: int
    timeout_s: int

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "handler": self.handler,
            "memory_mb": self.memory_mb,
            "timeout_s": self.timeout_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FunctionSpec:
        return cls(str(data["name"]), str(data["handler"]), int(data["memory_mb"]), int(data["timeout_s"]))


class LambdaContext:
    """The attributes and method of the Python runtime's context object that handlers and Powertools use."""

    function_version = "$LATEST"
    identity = None
    client_context = None

    def __init__(self, spec: FunctionSpec, request_id: str, region: str, account: str) -> None:
        self.function_name = spec.name
        self.memory_limit_in_mb = spec.memory_mb
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{spec.name}"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{spec.name}"
        self.log_stream_name = f"local/{os.getpid()}"
        self._deadline = time.monotonic() + spec.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class Function:
    def __init__(
        self,
        spec: FunctionSpec,
        account: str,
        invocation_lock: threading.Lock,
        on_timeout: Callable[[str, float], None] | None = None,
    ) -> None:
        self.spec = spec
        self._account = account
        self._lock = invocation_lock
        self._handler: Handler | None = None
        # What happens at the deadline: in a worker process, the process ends (see stop_at_timeout).
        self._on_timeout = on_timeout or stop_at_timeout

    def invoke(self, event: Any) -> tuple[bytes, bool]:
        """The payload and whether it is a function error."""
        with self._lock:
            request_id = str(uuid.uuid4())
            print(f"START RequestId: {request_id} Version: $LATEST", flush=True)
            _set_lambda_variables(self.spec)
            started = time.monotonic()
            try:
                handler = self._load()
            except Exception as exc:
                traceback.print_exc()
                payload, failed = (
                    _error_payload(request_id, "Runtime.ImportModuleError", f"{self.spec.handler}: {exc}"),
                    True,
                )
            else:
                # The clock starts once the handler is loaded: Lambda's init phase has a budget of its own.
                started = time.monotonic()
                watchdog = threading.Timer(self.spec.timeout_s, self._on_timeout, (request_id, started))
                watchdog.daemon = True
                watchdog.start()
                try:
                    payload, failed = self._run(handler, event, request_id)
                finally:
                    watchdog.cancel()
            elapsed_s = time.monotonic() - started
            if not failed and elapsed_s > self.spec.timeout_s:
                # Only where the deadline could not stop the handler (a test's in-process worker): the caller
                # still sees what Lambda would have answered.
                payload, failed = (
                    _error_payload(
                        request_id, "Sandbox.Timedout", f"Task timed out after {elapsed_s:.2f} seconds"
                    ),
                    True,
                )
            print(f"END RequestId: {request_id}", flush=True)
            print(
                f"REPORT RequestId: {request_id}\tDuration: {elapsed_s * 1000:.2f} ms\t"
                f"Memory Size: {self.spec.memory_mb} MB",
                flush=True,
            )
            return payload, failed

    def _run(self, handler: Handler, event: Any, request_id: str) -> tuple[bytes, bool]:
        context = LambdaContext(self.spec, request_id, os.environ.get("AWS_REGION", ""), self._account)
        try:
            result = handler(event, context)
        except Exception as exc:
            print(f"[ERROR] {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
            traceback.print_exc()
            stack = traceback.format_tb(exc.__traceback__)
            return _error_payload(request_id, type(exc).__name__, str(exc), stack), True
        try:
            return json.dumps(result).encode(), False
        except (TypeError, ValueError) as exc:
            return _error_payload(
                request_id, "Runtime.MarshalError", f"Unable to marshal response: {exc}"
            ), True

    def _load(self) -> Handler:
        # Not cached on failure: as in Lambda, the next invocation initialises afresh.
        if self._handler is None:
            module_name, _, attribute = self.spec.handler.rpartition(".")
            handler = getattr(importlib.import_module(module_name), attribute)
            if not callable(handler):
                raise TypeError(f"{self.spec.handler} is not callable")
            self._handler = handler
        return self._handler


def _set_lambda_variables(spec: FunctionSpec) -> None:
    os.environ["AWS_LAMBDA_FUNCTION_NAME"] = spec.name
    os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = str(spec.memory_mb)
    os.environ["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
    os.environ["AWS_LAMBDA_LOG_GROUP_NAME"] = f"/aws/lambda/{spec.name}"


def stop_at_timeout(request_id: str, started: float) -> None:
    """The handler overran its timeout: end the process, as Lambda ends the execution environment."""
    elapsed_s = time.monotonic() - started
    print(f"{request_id} Task timed out after {elapsed_s:.2f} seconds", flush=True)
    print(f"END RequestId: {request_id}", flush=True)
    print(f"REPORT RequestId: {request_id}\tDuration: {elapsed_s * 1000:.2f} ms\tStatus: timeout", flush=True)
    os._exit(TIMED_OUT_EXIT_CODE)


def _error_payload(request_id: str, error_type: str, message: str, stack: list[str] | None = None) -> bytes:
    body = {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack or [],
    }
    return json.dumps(body).encode()


class _RequestHandler(BaseHTTPRequestHandler):
    server: WorkerServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == PING_PATH:
            self._reply(HTTPStatus.OK, b'{"status": "ok"}')
        else:
            self._reply(HTTPStatus.NOT_FOUND, b'{"message": "not found"}')

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        match = INVOKE_PATH.match(self.path)
        function = self.server.functions.get(match["name"]) if match else None
        if function is None:
            message = {"Type": "User", "message": f"Function not found: {self.path}"}
            self._reply(HTTPStatus.NOT_FOUND, json.dumps(message).encode())
            return
        try:
            event = json.loads(body or b"{}")
        except ValueError:
            self._reply(
                HTTPStatus.BAD_REQUEST, b'{"Type": "User", "message": "Could not parse request body"}'
            )
            return
        payload, failed = function.invoke(event)
        self._reply(HTTPStatus.OK, payload, {FUNCTION_ERROR_HEADER: "Unhandled"} if failed else {})

    def _reply(self, status: HTTPStatus, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Lambda-style START/END/REPORT lines are the log; access lines would only add noise."""


class WorkerServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, listening: socket.socket, functions: dict[str, Function]) -> None:
        super().__init__(listening.getsockname()[:2], _RequestHandler, bind_and_activate=False)
        self.socket.close()
        self.socket = listening
        self.functions = functions

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A caller that gave up (a health ping past its timeout) closed the connection before the answer: no
        traceback on the console for that; anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fd", type=int, required=True, help="an inherited listening socket")
    parser.add_argument("--functions", required=True, help="JSON list of function specs")
    parser.add_argument("--account", required=True, help="the account id in function ARNs")
    parser.add_argument("--access", default='{"functions": {}}', help="JSON: what each function may do")
    args = parser.parse_args(argv)
    exit_when_parent_exits()
    # Before any boto3 session exists (the access check below makes the default one): the local cloud's fault
    # hooks (none in AWS), which botocore gives every session created after them.
    faults.install_from_environment()
    # Calls a function's role in AWS would refuse are refused here too (see infra/local/access.py).
    access.install(json.loads(args.access))
    specs = [FunctionSpec.from_json(item) for item in json.loads(args.functions)]
    listening = socket.socket(fileno=args.fd)
    lock = threading.Lock()
    server = WorkerServer(listening, {spec.name: Function(spec, args.account, lock) for spec in specs})
    server.serve_forever(poll_interval=0.5)


if __name__ == "__main__":
    main()
