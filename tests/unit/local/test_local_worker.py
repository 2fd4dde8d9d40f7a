"""A worker runs handlers as Lambda does: lazily imported, with a context, errors reported not raised."""

from __future__ import annotations

import json
import os
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.aws import aws_environment
from infra.local.invoker import worker_environment
from infra.local.plan import build_plan
from infra.local.worker import Function, FunctionSpec
from services.reports.manifest import MANIFEST as REPORTS

HANDLERS = """
import os

calls = 0

def echo(event, context):
    global calls
    calls += 1
    return {
        "event": event,
        "calls": calls,
        "functionName": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "requestId": context.aws_request_id,
        "remainingMs": context.get_remaining_time_in_millis(),
        "envFunctionName": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
    }

def boom(event, context):
    raise KeyError("no such case")

def unserialisable(event, context):
    return object()
"""


@pytest.fixture
def handlers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"local_worker_handlers_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(HANDLERS))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AWS_REGION", "eu-north-1")
    # The worker sets Lambda's variables per invocation; in this process they must not outlive the test.
    for variable in (
        "AWS_LAMBDA_FUNCTION_NAME",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION",
        "AWS_LAMBDA_LOG_GROUP_NAME",
    ):
        monkeypatch.delenv(variable, raising=False)
    yield name
    sys.modules.pop(name, None)


def _function(handler: str, timeout_s: int = 10) -> Function:
    spec = FunctionSpec("eservices-local-probe-api", handler, 256, timeout_s)
    return Function(spec, "123456789012", threading.Lock())


def test_a_handler_gets_the_event_and_a_lambda_context(handlers: str) -> None:
    payload, failed = _function(f"{handlers}.echo").invoke({"hello": "world"})
    assert not failed
    result = json.loads(payload)
    assert result["event"] == {"hello": "world"}
    assert result["functionName"] == "eservices-local-probe-api"
    assert result["arn"] == "arn:aws:lambda:eu-north-1:123456789012:function:eservices-local-probe-api"
    assert result["memory"] == 256
    assert result["requestId"]
    assert 9_000 < result["remainingMs"] <= 10_000
    assert result["envFunctionName"] == "eservices-local-probe-api"


def test_the_handler_stays_warm_between_invocations(handlers: str) -> None:
    function = _function(f"{handlers}.echo")
    function.invoke({})
    payload, _ = function.invoke({})
    assert json.loads(payload)["calls"] == 2


def test_an_exception_is_a_function_error_payload(handlers: str) -> None:
    payload, failed = _function(f"{handlers}.boom").invoke({})
    assert failed
    error = json.loads(payload)
    assert error["errorType"] == "KeyError"
    assert "no such case" in error["errorMessage"]
    assert error["stackTrace"]


def test_a_missing_handler_is_an_import_error_and_is_retried_next_time(handlers: str) -> None:
    function = _function(f"{handlers}.not_there")
    payload, failed = function.invoke({})
    assert failed
    assert json.loads(payload)["errorType"] == "Runtime.ImportModuleError"
    assert function.invoke({})[1]


def test_a_result_that_is_not_json_is_a_marshal_error(handlers: str) -> None:
    payload, failed = _function(f"{handlers}.unserialisable").invoke({})
    assert failed
    assert json.loads(payload)["errorType"] == "Runtime.MarshalError"


def test_a_worker_gets_its_service_environment_and_nothing_of_the_developers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "someones-real-account")
    monkeypatch.setenv("TABLE_MAIN", "leaked-from-the-shell")
    plan = build_plan([REPORTS]).service("reports")
    environment = worker_environment(plan, aws_environment("http://127.0.0.1:1234"))
    assert environment["TABLE_MAIN"] == "eservices-local-reports-main"
    assert environment["SERVICE_NAME"] == "reports"
    assert environment["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1234"
    assert environment["AWS_CONFIG_FILE"] == os.devnull
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert "AWS_PROFILE" not in environment
    assert set(environment) - set(plan.environment) - set(aws_environment("x")) == {
        "PATH",
        "LANG",
        "TZ",
        "PYTHONPATH",
        "POWERTOOLS_TRACE_DISABLED",
    }


def test_a_caller_that_hung_up_leaves_no_traceback_but_other_errors_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import socket as socket_module

    from infra.local.worker import WorkerServer

    listening = socket_module.create_server(("127.0.0.1", 0))
    server = WorkerServer(listening, {})
    try:
        for error in (BrokenPipeError(32, "Broken pipe"), RuntimeError("a real failure")):
            try:
                raise error
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()

    printed = capsys.readouterr().err
    assert "BrokenPipeError" not in printed
    assert "a real failure" in printed
