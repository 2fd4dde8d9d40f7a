"""One warm execution environment of the reports service (as the local cloud runs it): the log lines of each
invocation carry its own keys, never those of the consumer invocation that ran before it."""

from __future__ import annotations

import io
import json
import logging
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from infra.local.event_sources import is_outbox_insert, sqs_event, stream_event
from services.reports import api, consumers, telemetry
from shared.events import publisher
from shared.identity import generate_personnummer
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_json, rest_event
from tests.support.reports import theft_report

TRIAGE_QUEUE = "eservices-test-reports-triage"


@pytest.fixture
def log_lines() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """Every JSON log line the service's loggers have written so far in the test (metrics lines aside)."""
    stream = io.StringIO()
    handlers = {id(h): h for h in (telemetry.logger.registered_handler, publisher.logger.registered_handler)}
    previous = [(h, h.setStream(stream)) for h in handlers.values() if isinstance(h, logging.StreamHandler)]

    def read() -> list[dict[str, Any]]:
        lines = (json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{"))
        return [line for line in lines if "message" in line]

    yield read
    for handler, old in previous:
        handler.setStream(old)


def _outbox_records(cloud: MotoCloud) -> tuple[str, list[dict[str, Any]]]:
    arn = cloud.provisioned.stream_arns[cloud.plan.service("reports").environment["TABLE_MAIN"]]
    streams = cloud.aws.streams
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records.extend(streams.get_records(ShardIterator=iterator)["Records"])
    return arn, [r for r in records if is_outbox_insert(r)]


def test_the_publisher_after_a_consumer_logs_none_of_the_consumers_event_keys(
    moto_cloud: MotoCloud, log_lines: Callable[[], list[dict[str, Any]]]
) -> None:
    claims = citizen_claims(str(generate_personnummer(random.Random(7))))
    filed = api.handler(
        rest_event("POST", "/reports/v1/reports", body=theft_report(theftKind="home"), claims=claims),
        FakeLambdaContext(),
    )
    assert filed["statusCode"] == 201, response_json(filed)
    arn, records = _outbox_records(moto_cloud)
    publisher.handler(stream_event(records, stream_arn=arn), FakeLambdaContext())
    url = moto_cloud.provisioned.queue_urls[TRIAGE_QUEUE]
    messages = moto_cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    triaged = consumers.triage_handler(
        sqs_event(messages, queue_arn=moto_cloud.provisioned.queue_arns[TRIAGE_QUEUE]), FakeLambdaContext()
    )
    assert triaged["batchItemFailures"] == []
    _, after_triage = _outbox_records(moto_cloud)
    # The status change triage wrote, published by the next invocation in the same process.
    publisher.handler(stream_event(after_triage[len(records) :], stream_arn=arn), FakeLambdaContext())

    lines = log_lines()
    handled = [line for line in lines if line["message"] == "Event handled"]
    published = [line for line in lines if line["message"] == "Published outbox events"]
    assert len(handled) == 1
    assert handled[0]["eventType"] == "ReportFiled"
    assert len(published) == 2
    last = published[-1]
    assert last["count"] == 1
    assert not {"eventId", "eventType", "correlation_id"} & set(last)
    assert last["function_request_id"] != handled[0]["function_request_id"]
