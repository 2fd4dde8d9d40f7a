"""Log lines of one invocation carry that invocation's keys only, for every entry point of every service."""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger

from infra.catalog import MANIFESTS
from shared.observability import ENTRY_POINT_MARK, RedactingFormatter, entry_point
from tests.support.lambda_events import FakeLambdaContext


def _logger() -> tuple[Logger, io.StringIO]:
    """A Logger like the services' (one per service, shared by all its modules), writing to a buffer."""
    stream = io.StringIO()
    service = f"probe-{uuid.uuid4()}"
    logger = Logger(
        service=service, logger_handler=logging.StreamHandler(stream), logger_formatter=RedactingFormatter()
    )
    return logger, stream


def _lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_later_invocation_does_not_carry_the_keys_an_earlier_one_appended() -> None:
    logger, stream = _logger()
    # Another module of the same service: Powertools shares the formatter, and so the keys, between them.
    api_logger = Logger(service=logger.service)

    @entry_point(logger)
    def consumer(event: dict[str, Any], context: Any) -> None:
        logger.set_correlation_id("correlation-of-the-event")
        logger.append_keys(eventId="event-1", caseNumber="K1-26")
        logger.info("Event handled")

    @entry_point(api_logger, correlation_id_path="requestContext.requestId")
    def api(event: dict[str, Any], context: Any) -> None:
        api_logger.info("Request answered")

    consumer({}, FakeLambdaContext())
    api({"requestContext": {"requestId": "request-2"}}, FakeLambdaContext())

    handled, answered = _lines(stream)
    assert handled["eventId"] == "event-1"
    assert handled["correlation_id"] == "correlation-of-the-event"
    assert "eventId" not in answered
    assert "caseNumber" not in answered
    assert answered["correlation_id"] == "request-2"
    assert answered["service"] == logger.service
    assert answered["function_request_id"] != handled["function_request_id"]


def test_the_same_function_warm_starts_each_invocation_afresh() -> None:
    logger, stream = _logger()

    @entry_point(logger)
    def job(event: dict[str, Any], context: Any) -> None:
        if event.get("case"):
            logger.append_keys(caseNumber=event["case"])
        logger.info("Ran")

    job({"case": "K7-26"}, FakeLambdaContext())
    job({}, FakeLambdaContext())

    first, second = _lines(stream)
    assert first["caseNumber"] == "K7-26"
    assert "caseNumber" not in second
    assert first["function_request_id"] != second["function_request_id"]


def test_every_function_and_seed_of_every_manifest_is_an_entry_point() -> None:
    handlers = [
        handler
        for manifest in MANIFESTS
        for handler in (*(f.handler for f in manifest.functions), manifest.seed_handler)
        if handler is not None
    ]
    missing = []
    for dotted in handlers:
        module, _, attribute = dotted.rpartition(".")
        if not getattr(getattr(importlib.import_module(module), attribute), ENTRY_POINT_MARK, False):
            missing.append(dotted)

    assert len(handlers) >= 11
    assert missing == []


_TRACING_PROBE = """
import json, sys
from shared.observability import create_logger, create_tracer, entry_point

tracer = create_tracer()

@entry_point(create_logger(), tracer=tracer)
def handler(event, context):
    return {"answered": event["n"], "xray": "aws_xray_sdk" in sys.modules}

class Context:
    function_name = "probe"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-north-1:123456789012:function:probe"
    aws_request_id = "r-1"

before = "aws_xray_sdk" in sys.modules
print(json.dumps({"before": before, "result": handler({"n": 1}, Context()), "made": tracer.made}))
"""


def _run_tracing_probe(**environment: str) -> dict[str, Any]:
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "AWS_DEFAULT_REGION": "eu-north-1",
        # Nothing listens there: the segments the SDK sends are lost, as without a daemon.
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:9",
        **environment,
    }
    done = subprocess.run(  # noqa: S603 - this interpreter, our own probe
        [sys.executable, "-c", _TRACING_PROBE],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return answer


def test_an_untraced_invocation_never_loads_the_xray_sdk() -> None:
    # Locally (no Lambda), switched off, and in Lambda for an invocation X-Ray did not sample.
    for environment in (
        {},
        {"LAMBDA_TASK_ROOT": "/var/task", "POWERTOOLS_TRACE_DISABLED": "true", "_X_AMZN_TRACE_ID": _SAMPLED},
        {"LAMBDA_TASK_ROOT": "/var/task", "_X_AMZN_TRACE_ID": _SAMPLED.replace("Sampled=1", "Sampled=0")},
    ):
        answer = _run_tracing_probe(**environment)
        assert answer["result"] == {"answered": 1, "xray": False}, environment
        assert answer["made"] is False


def test_a_sampled_invocation_in_lambda_is_traced_and_answered() -> None:
    answer = _run_tracing_probe(LAMBDA_TASK_ROOT="/var/task", _X_AMZN_TRACE_ID=_SAMPLED)

    assert answer["before"] is False
    assert answer["result"] == {"answered": 1, "xray": True}
    assert answer["made"] is True


_SAMPLED = "Root=1-67890abc-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1"


def test_a_line_names_the_function_and_the_request_but_not_what_the_function_s_configuration_says() -> None:
    logger, stream = _logger()

    @entry_point(logger)
    def job(event: dict[str, Any], context: Any) -> None:
        logger.info("Ran")

    context = FakeLambdaContext()
    job({}, context)

    (line,) = _lines(stream)
    assert line["function_name"] == context.function_name
    assert line["function_request_id"] == context.aws_request_id
    assert "cold_start" in line
    assert not {"function_arn", "function_memory_size"} & line.keys()
