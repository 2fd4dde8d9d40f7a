"""Log lines of one invocation carry that invocation's keys only, for every entry point of every service."""

from __future__ import annotations

import importlib
import io
import json
import logging
import uuid
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
