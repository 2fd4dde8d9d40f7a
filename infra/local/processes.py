"""Child processes of the local cloud: started in their own session, logged to a file, never orphaned.

Children run in a new session so that Ctrl-C reaches only the supervisor, which then stops them in order.
Each child gets a pipe on stdin and exits when it reads end-of-file: if the supervisor dies without cleaning
up (SIGKILL, a crash), the pipe closes and the children follow it.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

log = logging.getLogger("infra.local")

REPO_ROOT = Path(__file__).resolve().parents[2]

LineSink = Callable[[str, str], None]  # (child name, line without newline)


class ChildProcess:
    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        log_path: Path,
        echo: LineSink | None = None,
        on_line: Callable[[str], None] | None = None,
        pass_fds: Sequence[int] = (),
    ) -> None:
        self.name = name
        self.log_path = log_path
        self._argv = list(argv)
        self._env = dict(env)
        self._echo = echo
        self._on_line = on_line
        self._pass_fds = tuple(pass_fds)
        self._process: subprocess.Popen[bytes] | None = None
        self._pump: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 - argv is built by this package, never from input
            self._argv,
            env=self._env,
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            pass_fds=self._pass_fds,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        self._pump = threading.Thread(
            target=self._copy_output, args=(self._process.stdout,), name=f"log-{self.name}", daemon=True
        )
        self._pump.start()

    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self._process.poll() if self._process else None

    def wait(self, timeout_s: float) -> int | None:
        """The exit code once the child has exited within ``timeout_s``; None if it is still running."""
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return None

    def is_running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout_s: float = 3.0) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                log.warning("%s did not stop within %.0f s; killing it", self.name, timeout_s)
                process.kill()
                process.wait(timeout_s)
        if process.stdin:
            process.stdin.close()
        if self._pump:
            self._pump.join(timeout_s)

    def _copy_output(self, stream: IO[bytes]) -> None:
        # One write(2) per line on an O_APPEND descriptor: children sharing a log file (the workers of one
        # service) never interleave inside a line.
        log_fd = os.open(self.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            for raw in iter(stream.readline, b""):
                os.write(log_fd, raw)
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if self._on_line:
                    self._on_line(line)
                if self._echo:
                    self._echo(self.name, line)
        finally:
            os.close(log_fd)
            stream.close()


def exit_when_parent_exits() -> None:
    """For children: leave as soon as the supervisor's end of our stdin closes."""

    def watch() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        finally:
            os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
