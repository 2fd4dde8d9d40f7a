"""The moto server: AWS APIs over real HTTP on loopback, in a child process.

The child serves moto's own WSGI application the way ``python -m moto.server`` and ``ThreadedMotoServer`` do
(a threaded werkzeug server with moto's request handler), but on a socket the supervisor has already bound
and handed down. The endpoint is therefore known before moto has finished importing, so the workers start in
parallel with it, and no other program can take the port in between. Out of process, moto's work stays off
the gateway's interpreter lock.

moto's DynamoDB backend is not thread-safe: a request reads an item, works on a copy and writes it back, so two
concurrent writes to one item can both pass their condition, and counters lose increments. DynamoDB applies
each write atomically per item, so the child serialises every DynamoDB (and DynamoDB Streams) request behind
one lock; the other services' requests stay concurrent.

Run as ``python -m infra.local.moto_server --fd N`` (by :class:`MotoServer`, not by hand).
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from infra.local import moto_patches
from infra.local.processes import REPO_ROOT, ChildProcess, LineSink, exit_when_parent_exits

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# DynamoDB and DynamoDB Streams speak JSON with the operation in X-Amz-Target ("DynamoDB_20120810.PutItem",
# "DynamoDBStreams_20120810.GetRecords"); no other service's target starts so.
SERIALISED_TARGETS = ("DynamoDB_", "DynamoDBStreams_")


class MotoServer:
    def __init__(self, log_path: Path, echo: LineSink | None = None) -> None:
        self._log_path = log_path
        self._echo = echo
        self._port = 0
        self._child: ChildProcess | None = None

    @property
    def url(self) -> str:
        if not self._port:
            raise RuntimeError("the moto server has not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child else None

    def start(self) -> None:
        listening = socket.create_server(("127.0.0.1", 0), backlog=128)
        try:
            self._port = listening.getsockname()[1]
            fd = listening.fileno()
            self._child = ChildProcess(
                "moto",
                [
                    sys.executable,
                    "-u",
                    "-m",
                    "infra.local.moto_server",
                    "--fd",
                    str(fd),
                    "--port",
                    str(self._port),
                ],
                env=_moto_environment(),
                log_path=self._log_path,
                echo=self._echo,
                pass_fds=[fd],
            )
            self._child.start()
        finally:
            listening.close()

    def wait_ready(self, deadline: float) -> None:
        while not self.answers():
            code = self._child.exit_code() if self._child else None
            if code is not None:
                raise RuntimeError(f"moto exited with code {code}{self._last_words()}; see {self._log_path}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"moto did not answer on {self.url}; see {self._log_path}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._child:
            self._child.stop()

    def _last_words(self) -> str:
        """What the child said last before it exited (a patch that no longer fits names itself there)."""
        try:
            lines = self._log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        said = [line for line in lines[-5:] if line.strip()]
        return (": " + " / ".join(said)) if said else ""

    def answers(self) -> bool:
        """Whether the server answers HTTP now (within 5 s: a loaded machine answers late, not never)."""
        try:
            with urllib.request.urlopen(f"{self.url}/moto-api/", timeout=5) as response:  # noqa: S310 - loopback
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False


class SerialisedDynamoDB:
    """WSGI middleware: DynamoDB requests run one at a time, body included; everything else passes through."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not is_serialised(environ):
            return self._app(environ, start_response)
        with self._lock:
            response = self._app(environ, start_response)
            try:
                return list(response)  # a lazy body would otherwise be produced after the lock is released
            finally:
                close = getattr(response, "close", None)
                if close:
                    close()


def is_serialised(environ: dict[str, Any]) -> bool:
    return str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith(SERIALISED_TARGETS)


def _moto_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="moto on an inherited listening socket")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    exit_when_parent_exits()
    # Pollers call moto several times a second; a line per request would drown the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ["MOTO_PORT"] = str(args.port)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    try:
        moto_patches.install()
    except moto_patches.MotoPatchOutdated as exc:
        print(exc, file=sys.stderr, flush=True)
        sys.exit(3)
    app = SerialisedDynamoDB(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler, fd=args.fd
    )
    print(f"moto listening on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
