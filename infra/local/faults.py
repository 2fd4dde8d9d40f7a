"""Faults injected into the local cloud: an AWS API that is unavailable, a PutEvents that refuses an entry, a
worker process that crashes right after an AWS call returned. For fault tests and ``bench/faults.py``; never
in AWS, never in a service's code.

The supervisor keeps the active faults in a JSON file of its run directory (:class:`FaultBook`, behind
``/_local/faults``). Each worker process gets the file's path in ``LOCAL_FAULTS_FILE`` and, before it imports
its first handler, registers botocore event hooks (:func:`install`) that every boto3 session of the process
then carries. On each AWS call a hook re-reads the file if it changed and applies the first fault that matches
the call, the worker's service and the function being invoked:

- ``unavailable``: the call fails at once with 503 ``ServiceUnavailable`` (as after the SDK's retries);
- ``refuse-entries`` (``events:PutEvents`` only): the entry at position ``entry`` of each call is refused with
  ``InternalFailure``; the others are really put;
- ``crash-after``: the call is made, then the worker exits before the function goes on (a crash between a
  commit and its answer). The local cloud replaces the worker, as Lambda replaces an execution environment.

A fault lasts ``seconds`` from when it is added, or fires ``times`` times counted across every worker (each
firing claims a marker file, so exactly that many happen).
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
import uuid
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

FAULTS_FILE_VARIABLE = "LOCAL_FAULTS_FILE"
# A worker killed by a crash-after fault exits with this code (sysexits' EX_SOFTWARE).
CRASH_EXIT_CODE = 70
EFFECTS = ("unavailable", "refuse-entries", "crash-after")
MAX_SECONDS = 3600
MAX_TIMES = 10_000
_CALL = re.compile(r"^(\*|[a-z0-9-]+:(\*|[A-Z][A-Za-z0-9]*))$")
_NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")

Effect = Literal["unavailable", "refuse-entries", "crash-after"]


class InvalidFault(ValueError):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


@dataclass(frozen=True)
class Fault:
    id: str
    call: str  # "events:PutEvents", "dynamodb:*" or "*": the boto3 client name, then the operation
    effect: Effect
    service: str | None = None  # only in this service's workers
    function: str | None = None  # only while this function (logical name, e.g. "api") runs
    until: float | None = None  # epoch seconds
    times: int | None = None
    entry: int = 0  # refuse-entries: the position refused in each call (-1 the last)

    def matches(self, call: str, service: str | None, function: str | None, now: float) -> bool:
        if self.until is not None and now >= self.until:
            return False
        if self.call != "*" and self.call != call and self.call != call.split(":")[0] + ":*":
            return False
        if self.service is not None and self.service != service:
            return False
        return self.function is None or (
            function is not None and (function == self.function or function.endswith(f"-{self.function}"))
        )

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value is not None}


def parse_fault(body: Any, *, now: float, functions: Mapping[str, Collection[str]]) -> Fault:
    """A fault from a request body; ``functions`` maps each service to its functions' logical names."""
    if not isinstance(body, Mapping):
        raise InvalidFault("body", "a JSON object is required")
    unknown = set(body) - {"call", "effect", "service", "function", "seconds", "times", "entry"}
    if unknown:
        raise InvalidFault(sorted(unknown)[0], "not a fault field")
    call = body.get("call")
    if not isinstance(call, str) or not _CALL.fullmatch(call):
        raise InvalidFault("call", "an AWS call such as events:PutEvents, dynamodb:*, or *")
    effect = body.get("effect")
    if effect not in EFFECTS:
        raise InvalidFault("effect", f"one of {', '.join(EFFECTS)}")
    if effect == "refuse-entries" and call != "events:PutEvents":
        raise InvalidFault("call", "refuse-entries applies to events:PutEvents only")
    service, function = body.get("service"), body.get("function")
    if service is not None and (not isinstance(service, str) or service not in functions):
        raise InvalidFault("service", f"one of {', '.join(sorted(functions))}")
    if function is not None:
        if not isinstance(function, str) or not _NAME.fullmatch(function):
            raise InvalidFault("function", "a function's logical name, e.g. api")
        known = functions[service] if service else {f for names in functions.values() for f in names}
        if function not in known:
            raise InvalidFault("function", "not a function of " + (service or "any service"))
    seconds, times = body.get("seconds"), body.get("times")
    if (seconds is None) == (times is None):
        raise InvalidFault("seconds", "give either seconds or times")
    if seconds is not None and (
        not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 < seconds <= MAX_SECONDS
    ):
        raise InvalidFault("seconds", f"a number of seconds above 0, at most {MAX_SECONDS}")
    if times is not None and (
        not isinstance(times, int) or isinstance(times, bool) or not 0 < times <= MAX_TIMES
    ):
        raise InvalidFault("times", f"a whole number from 1 to {MAX_TIMES}")
    entry = body.get("entry", 0)
    if not isinstance(entry, int) or isinstance(entry, bool) or not -10 <= entry <= 9:
        raise InvalidFault("entry", "a position in a PutEvents call, -10 to 9")
    return Fault(
        id=uuid.uuid4().hex[:12],
        call=call,
        effect=effect,
        service=service,
        function=function,
        until=now + float(seconds) if seconds is not None else None,
        times=times,
        entry=entry,
    )


class FaultBook:
    """The supervisor's side: the active faults, in the file every worker reads."""

    def __init__(self, path: Path, functions: Mapping[str, Collection[str]]) -> None:
        self.path = path
        self.functions = {service: frozenset(names) for service, names in functions.items()}
        self._claims = path.with_name(path.name + ".claims")
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._write()

    def add_from_request(self, body: Any) -> Fault:
        """Parses and adds a fault; raises :class:`InvalidFault` naming the field that is wrong."""
        return self.add(parse_fault(body, now=time.time(), functions=self.functions))

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
            self._write()
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults = []
            self._write()
            for claim in self._claims.glob("*") if self._claims.exists() else ():
                claim.unlink(missing_ok=True)

    def active(self, now: float | None = None) -> list[dict[str, Any]]:
        """The faults still in force, each with how many times it fired."""
        moment = time.time() if now is None else now
        with self._lock:
            faults = list(self._faults)
        listed = []
        for fault in faults:
            fired = _fired(self._claims, fault)
            if (fault.until is not None and moment >= fault.until) or (
                fault.times is not None and fired >= fault.times
            ):
                continue
            listed.append({**fault.to_json(), "fired": fired})
        return listed

    def _write(self) -> None:
        self._claims.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        staged.write_text(json.dumps([fault.to_json() for fault in self._faults]))
        staged.replace(self.path)  # atomic: a worker reads the old list or the new one, never half


def _fired(claims: Path, fault: Fault) -> int:
    return sum(1 for _ in claims.glob(f"{fault.id}.*")) if claims.exists() else 0


# --- the worker's side --------------------------------------------------------------------------------------


class _Injector:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._claims = path.with_name(path.name + ".claims")
        self._seen: tuple[int, int] | None = None
        self._faults: list[Fault] = []

    def fault_for(self, call: str, effects: Collection[str]) -> Fault | None:
        """The first active fault for this call in this process, if one fires now."""
        now = time.time()
        service = os.environ.get("SERVICE_NAME")
        function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        for fault in self._current():
            if fault.effect in effects and fault.matches(call, service, function, now) and self._fire(fault):
                return fault
        return None

    def _current(self) -> list[Fault]:
        try:
            status = os.stat(self._path)
        except OSError:
            return []
        seen = (status.st_mtime_ns, status.st_ino)
        if seen != self._seen:
            try:
                self._faults = [Fault(**item) for item in json.loads(self._path.read_text())]
            except (OSError, ValueError, TypeError):
                return self._faults  # a file being replaced: keep what was read last
            self._seen = seen
        return self._faults

    def _fire(self, fault: Fault) -> bool:
        if fault.times is None:
            return True
        for firing in range(fault.times):
            try:
                os.close(os.open(self._claims / f"{fault.id}.{firing}", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except FileExistsError:
                continue
            except OSError:
                return False
            return True
        return False


_installed: Path | None = None


def install_from_environment() -> None:
    """Registers the hooks if the supervisor gave this process a faults file; idempotent."""
    path = os.environ.get(FAULTS_FILE_VARIABLE)
    if path:
        install(Path(path))


def install(path: Path) -> None:
    """Registers the fault hooks on every botocore session this process creates from now on."""
    global _installed
    if _installed is not None:
        return
    from botocore import handlers

    # botocore registers this list on each new session; a change to it must not pass silently.
    if not isinstance(getattr(handlers, "BUILTIN_HANDLERS", None), list):
        raise RuntimeError("botocore.handlers.BUILTIN_HANDLERS is no longer a list: the fault hooks need it")
    handlers.BUILTIN_HANDLERS.extend(hooks(path))
    _installed = path


def hooks(path: Path) -> list[tuple[str, Any]]:
    """The botocore event handlers that apply the faults in ``path``, for one session or for all."""
    injector = _Injector(path)
    return [
        ("provide-client-params", _hook(injector, _refuse_entries)),
        ("before-call", _hook(injector, _answer_instead)),
        ("after-call", _hook(injector, _after_call)),
    ]


def _hook(injector: _Injector, action: Any) -> Any:
    def hook(model: Any = None, **kwargs: Any) -> Any:
        if model is None:
            return None
        call = f"{model.service_model.service_name}:{model.name}"
        return action(injector, call, **kwargs)

    return hook


def _refuse_entries(injector: _Injector, call: str, params: Any = None, context: Any = None, **_: Any) -> Any:
    if call != "events:PutEvents" or not isinstance(params, dict) or context is None:
        return None
    entries = list(params.get("Entries") or [])
    fault = injector.fault_for(call, {"refuse-entries"}) if entries else None
    if fault is None:
        return None
    position = fault.entry if fault.entry >= 0 else len(entries) + fault.entry
    position = min(max(position, 0), len(entries) - 1)
    context["local_fault_refused"] = (position, len(entries))
    if len(entries) == 1:
        return None  # before-call answers for the whole call: PutEvents needs at least one entry
    return {**params, "Entries": entries[:position] + entries[position + 1 :]}


def _answer_instead(injector: _Injector, call: str, context: Any = None, **_: Any) -> Any:
    refused = context.get("local_fault_refused") if isinstance(context, dict) else None
    if refused is not None and refused[1] == 1:
        context.pop("local_fault_refused")
        return (
            _response(200),
            {"FailedEntryCount": 1, "Entries": [_refusal()], "ResponseMetadata": {"HTTPStatusCode": 200}},
        )
    fault = injector.fault_for(call, {"unavailable"})
    if fault is None:
        return None
    message = f"local fault {fault.id}: {call} is unavailable"
    return (
        _response(503),
        {
            "Error": {"Code": "ServiceUnavailable", "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": 503},
        },
    )


def _after_call(
    injector: _Injector,
    call: str,
    http_response: Any = None,
    parsed: Any = None,
    context: Any = None,
    **_: Any,
) -> None:
    refused = context.pop("local_fault_refused", None) if isinstance(context, dict) else None
    if refused is not None and isinstance(parsed, dict) and isinstance(parsed.get("Entries"), list):
        parsed["Entries"].insert(refused[0], _refusal())
        parsed["FailedEntryCount"] = int(parsed.get("FailedEntryCount", 0)) + 1
    status = getattr(http_response, "status_code", 500)
    if status < 300 and injector.fault_for(call, {"crash-after"}) is not None:
        print(f"[local fault] crashing after {call} returned", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(CRASH_EXIT_CODE)


def _response(status: int) -> Any:
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    return AWSResponse("local-fault", status, HTTPHeaders(), _EmptyBody())


def _refusal() -> dict[str, str]:
    return {"ErrorCode": "InternalFailure", "ErrorMessage": "local fault: entry refused"}


class _EmptyBody:
    def stream(self, **_: Any) -> Any:
        return iter([b""])
