"""The outbox stream poller does what the CDK's event source mapping does: in order, split a failing batch,
retry a failing record a bounded number of times, then record it in the failure queue and move on."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Collection
from typing import Any

from infra.local.invoker import FunctionError
from infra.local.pollers import StreamPoller
from shared.manifest import STREAM_RETRY_ATTEMPTS

STREAM_ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
FAILURES_URL = "http://127.0.0.1:1/123456789012/eservices-local-probe-publisher-failures"


def _record(number: int) -> dict[str, Any]:
    key = {"pk": {"S": f"OUTBOX#{number}"}, "sk": {"S": "EVENT"}}
    return {
        "eventID": f"e{number}",
        "eventName": "INSERT",
        "dynamodb": {"Keys": key, "NewImage": key, "SequenceNumber": f"{100 + number}"},
    }


class FakeStream:
    """One shard whose reads return the given batches, one per read, then nothing."""

    def __init__(self, *batches: list[dict[str, Any]]) -> None:
        self._batches = list(batches)

    def describe_stream(self, StreamArn: str) -> dict[str, Any]:  # noqa: N803 - boto3's names
        return {"StreamDescription": {"Shards": [{"ShardId": "shardId-1"}]}}

    def get_shard_iterator(self, **_: Any) -> dict[str, Any]:
        return {"ShardIterator": "0"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:  # noqa: N803
        read = int(ShardIterator)
        records = self._batches[read] if read < len(self._batches) else []
        return {"Records": records, "NextShardIterator": str(read + 1)}


class FakeQueue:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:  # noqa: N803
        assert QueueUrl == FAILURES_URL
        self.bodies.append(json.loads(MessageBody))


class FakePublisher:
    """Fails on any batch holding a poisoned record, and on a record's first ``flaky`` deliveries."""

    def __init__(self, poisoned: Collection[int] = (), flaky: dict[int, int] | None = None) -> None:
        self.poisoned = set(poisoned)
        self.flaky = dict(flaky or {})
        self.calls: list[list[int]] = []
        self.published: list[int] = []

    def __call__(self, function: str, event: dict[str, Any]) -> None:
        numbers = [int(r["dynamodb"]["Keys"]["pk"]["S"].removeprefix("OUTBOX#")) for r in event["Records"]]
        self.calls.append(numbers)
        if self.poisoned & set(numbers):
            raise FunctionError(function, "RuntimeError", "poisoned")
        for number in numbers:
            if self.flaky.get(number, 0) > 0:
                self.flaky[number] -= 1
                raise FunctionError(function, "RuntimeError", "the bus is busy")
        self.published += numbers


def _poller(stream: FakeStream, publisher: FakePublisher, queue: FakeQueue) -> StreamPoller:
    return StreamPoller(
        table="eservices-local-probe-main",
        partition_key="pk",
        stream_arn=STREAM_ARN,
        function="eservices-local-probe-publisher",
        invoke=publisher,
        streams=stream,  # type: ignore[arg-type]
        failure_queue_url=FAILURES_URL,
        sqs=queue,  # type: ignore[arg-type]
        stop=threading.Event(),
        wake=threading.Event(),
        retry_backoff_s=(0.0,),
    )


def test_a_poisoned_record_is_retried_a_bounded_number_of_times_then_recorded_and_skipped() -> None:
    stream, publisher, queue = (
        FakeStream([_record(n) for n in range(1, 6)], [_record(6)]),
        FakePublisher({3}),
        FakeQueue(),
    )
    poller = _poller(stream, publisher, queue)

    poller.poll_once()
    poller.poll_once()

    assert publisher.published == [1, 2, 4, 5, 6], (
        "every other record is published, in order, and the stream moves on"
    )
    assert Counter(tuple(c) for c in publisher.calls)[(3,)] == 1 + STREAM_RETRY_ATTEMPTS
    (failure,) = queue.bodies
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == "103"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert failure["requestContext"]["approximateInvokeCount"] == 1 + STREAM_RETRY_ATTEMPTS


def test_a_record_that_fails_for_a_while_is_published_once_it_passes() -> None:
    stream, publisher, queue = FakeStream([_record(1)]), FakePublisher(flaky={1: 2}), FakeQueue()

    _poller(stream, publisher, queue).poll_once()

    assert publisher.calls == [[1], [1], [1]]
    assert publisher.published == [1]
    assert queue.bodies == []


def test_a_failing_batch_is_split_so_that_its_good_records_are_not_held_back() -> None:
    stream, publisher, queue = FakeStream([_record(n) for n in range(1, 5)]), FakePublisher({4}), FakeQueue()

    _poller(stream, publisher, queue).poll_once()

    assert publisher.calls[:3] == [[1, 2, 3, 4], [1, 2], [3, 4]]
    assert publisher.published == [1, 2, 3]
    assert len(queue.bodies) == 1


class ReportingPublisher:
    """Reports the given records as failed (a partial batch response) while it has refusals left for them."""

    def __init__(self, refusals: dict[int, int], identifier: str | None = None) -> None:
        self.refusals = dict(refusals)
        self.identifier = identifier  # answer this instead of the records' sequence numbers
        self.calls: list[list[int]] = []

    def __call__(self, function: str, event: dict[str, Any]) -> dict[str, Any]:
        numbers = [int(r["dynamodb"]["Keys"]["pk"]["S"].removeprefix("OUTBOX#")) for r in event["Records"]]
        self.calls.append(numbers)
        failed = [n for n in numbers if self.refusals.get(n, 0) > 0]
        for number in failed:
            self.refusals[number] -= 1
        identifiers = [self.identifier or f"{100 + n}" for n in failed]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in identifiers]}


def _reporting_poller(stream: FakeStream, publisher: ReportingPublisher, queue: FakeQueue) -> StreamPoller:
    return _poller(stream, publisher, queue)  # type: ignore[arg-type]


def test_a_partial_batch_response_retries_from_the_lowest_reported_record_and_nothing_before_it() -> None:
    stream, queue = FakeStream([_record(n) for n in range(1, 6)]), FakeQueue()
    publisher = ReportingPublisher({5: 1, 3: 1})

    _reporting_poller(stream, publisher, queue).poll_once()

    # As Lambda does: the checkpoint is before record 3, so 3, 4 and 5 come again (4 too, though it passed).
    assert publisher.calls == [[1, 2, 3, 4, 5], [3, 4, 5]]
    assert queue.bodies == []


def test_an_identifier_that_is_not_a_record_of_the_batch_fails_the_whole_batch() -> None:
    stream, queue = FakeStream([_record(n) for n in range(1, 4)]), FakeQueue()
    publisher = ReportingPublisher({2: 1}, identifier="not-a-sequence-number")

    _reporting_poller(stream, publisher, queue).poll_once()

    assert publisher.calls == [[1, 2, 3], [1, 2, 3]]


def test_records_reported_failed_past_the_retries_are_recorded_and_the_stream_moves_on() -> None:
    stream, queue = FakeStream([_record(n) for n in range(1, 5)], [_record(5)]), FakeQueue()
    publisher = ReportingPublisher({3: 1000})
    poller = _reporting_poller(stream, publisher, queue)

    poller.poll_once()
    poller.poll_once()

    assert publisher.calls[:2] == [[1, 2, 3, 4], [3, 4]]
    assert len(publisher.calls) == 1 + 1 + STREAM_RETRY_ATTEMPTS  # the last is record 5, later
    assert publisher.calls[-1] == [5]
    (failure,) = queue.bodies
    assert failure["DDBStreamBatchInfo"]["startSequenceNumber"] == "103"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 2
    assert failure["requestContext"]["approximateInvokeCount"] == 1 + STREAM_RETRY_ATTEMPTS
