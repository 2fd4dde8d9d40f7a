"""What Lambda's event source mappings do in AWS: poll streams and queues, invoke functions, honour failures.

Each poller is a thread that stops when the shared ``stop`` event is set; every wait in it is bounded (long
polls last one second) so the local cloud shuts down promptly.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.local.event_sources import (
    failed_message_ids,
    is_outbox_insert,
    sqs_event,
    stream_event,
    stream_failure_record,
    stream_retry_index,
)
from infra.local.invoker import FunctionError
from shared.manifest import STREAM_BATCH_SIZE, STREAM_RETRY_ATTEMPTS

if TYPE_CHECKING:
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
    from mypy_boto3_dynamodbstreams.type_defs import RecordTypeDef
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

log = logging.getLogger("infra.local")

Invoke = Callable[[str, Any], Any]  # (function name, event) -> result; raises FunctionError

# moto keeps every shard iterator it hands out, so an idle stream is polled only once a second; a wake-up
# after each invocation of the service's functions (whose writes feed the stream) keeps delivery prompt.
STREAM_IDLE_WAIT_S = 1.0
SHARD_REFRESH_S = 5.0
# Between retries of a failing stream record: short, so a poisoned record reaches the failure queue within
# seconds on a laptop (AWS paces its retries longer; their number is the same).
STREAM_RETRY_BACKOFF_S = (0.05, 0.1, 0.2, 0.4)
LONG_POLL_S = 1
# What StreamPoller._attempt answers when the invocation itself failed (not a partial batch response).
_FUNCTION_ERROR = -1


class Poller:
    """A polling loop on its own thread; not a Thread subclass, whose private names would clash."""

    def __init__(self, name: str, stop: threading.Event) -> None:
        self.name = name
        self.stop_event = stop
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout_s: float) -> None:
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.poll_once()
            except Exception:
                if self.stop_event.is_set():
                    return
                log.exception("%s failed; polling again shortly", self.name)
                self.stop_event.wait(1.0)

    def poll_once(self) -> None:
        raise NotImplementedError


class StreamPoller(Poller):
    """A DynamoDB stream feeding the outbox publisher, in order per shard, as the CDK configures the mapping.

    Lambda's settings there: bisect on function error, ``ReportBatchItemFailures``, ``STREAM_RETRY_ATTEMPTS``.
    A batch whose invocation fails is split in two and each half delivered in turn (splitting costs no retry);
    a single record whose invocation fails is retried. A partial batch response checkpoints the stream before
    the lowest sequence number it reports and retries from there, that record and every one after it in the
    batch, and nothing before it. A batch that is still failing after ``STREAM_RETRY_ATTEMPTS`` retries is
    recorded in the publisher's failure queue (where its records are, not what they hold) and skipped, so a
    poisoned record cannot block its shard.
    """

    def __init__(
        self,
        *,
        table: str,
        partition_key: str,
        stream_arn: str,
        function: str,
        invoke: Invoke,
        streams: DynamoDBStreamsClient,
        failure_queue_url: str,
        sqs: SQSClient,
        stop: threading.Event,
        wake: threading.Event,
        retry_backoff_s: Sequence[float] = STREAM_RETRY_BACKOFF_S,
    ) -> None:
        super().__init__(f"stream:{table}", stop)
        self._wake = wake
        self._partition_key = partition_key
        self._stream_arn = stream_arn
        self._function = function
        self._invoke = invoke
        self._streams = streams
        self._failure_queue_url = failure_queue_url
        self._sqs = sqs
        self._retry_backoff_s = tuple(retry_backoff_s)
        self._iterators: dict[str, str] = {}
        self._known_shards: set[str] = set()
        self._shards_checked = 0.0

    def poll_once(self) -> None:
        if time.monotonic() - self._shards_checked > SHARD_REFRESH_S:
            self._discover_shards()
        saw_records = False
        for shard_id, iterator in list(self._iterators.items()):
            response = self._streams.get_records(ShardIterator=iterator, Limit=STREAM_BATCH_SIZE)
            records = [r for r in response.get("Records", []) if is_outbox_insert(r, self._partition_key)]
            if records and not self._deliver(shard_id, records):
                return  # stopping: leave the iterator where it was
            saw_records = saw_records or bool(response.get("Records"))
            next_iterator = response.get("NextShardIterator")
            if next_iterator:
                self._iterators[shard_id] = next_iterator
            else:
                del self._iterators[shard_id]  # the shard is closed and read to its end
        if not saw_records:
            self._wake.wait(STREAM_IDLE_WAIT_S)
            self._wake.clear()

    def _discover_shards(self) -> None:
        description = self._streams.describe_stream(StreamArn=self._stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id in self._known_shards:
                continue
            # Every shard is younger than this run, so its start is where this run's changes begin.
            iterator = self._streams.get_shard_iterator(
                StreamArn=self._stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            self._known_shards.add(shard_id)
            self._iterators[shard_id] = iterator
        self._shards_checked = time.monotonic()

    def _deliver(self, shard_id: str, records: Sequence[RecordTypeDef]) -> bool:
        """True once every record was published or given up on; False if the cloud stopped first."""
        batches: deque[tuple[list[RecordTypeDef], int]] = deque([(list(records), 0)])  # (records, retries)
        while batches:
            if self.stop_event.is_set():
                return False
            batch, retries = batches.popleft()
            failed_from = self._attempt(batch)
            if failed_from is None:
                continue
            if failed_from == _FUNCTION_ERROR:
                if len(batch) > 1:
                    half = len(batch) // 2
                    batches.extendleft([(batch[half:], retries), (batch[:half], retries)])  # first half first
                    continue
                failed_from = 0
            remaining = batch[failed_from:]
            if retries >= STREAM_RETRY_ATTEMPTS:
                self._record_failure(shard_id, remaining, invoke_count=retries + 1)
                continue
            backoff = self._retry_backoff_s[min(retries, len(self._retry_backoff_s) - 1)]
            if self.stop_event.wait(backoff):
                return False
            batches.appendleft((remaining, retries + 1))
        return True

    def _attempt(self, batch: Sequence[RecordTypeDef]) -> int | None:
        """None when the batch succeeded; where to retry it from when the function reported failed records;
        ``_FUNCTION_ERROR`` when the invocation failed."""
        try:
            result = self._invoke(self._function, stream_event(batch, stream_arn=self._stream_arn))
        except FunctionError as exc:
            log.warning("%s failed on %d stream record(s): %s", self._function, len(batch), exc)
            return _FUNCTION_ERROR
        failed_from = stream_retry_index(result, [str(r["dynamodb"]["SequenceNumber"]) for r in batch])
        if failed_from is not None:
            log.info(
                "%s: %d of %d stream record(s) will be retried",
                self._function,
                len(batch) - failed_from,
                len(batch),
            )
        return failed_from

    def _record_failure(self, shard_id: str, batch: Sequence[RecordTypeDef], *, invoke_count: int) -> None:
        record = stream_failure_record(
            batch,
            shard_id=shard_id,
            stream_arn=self._stream_arn,
            function=self._function,
            invoke_count=invoke_count,
            now=datetime.now(UTC),
        )
        self._sqs.send_message(QueueUrl=self._failure_queue_url, MessageBody=json.dumps(record))
        log.error(
            "%s gave up on stream record %s after %d retries; recorded in %s",
            self._function,
            record["DDBStreamBatchInfo"]["startSequenceNumber"],
            STREAM_RETRY_ATTEMPTS,
            self._failure_queue_url.rsplit("/", 1)[-1],
        )


class QueuePoller(Poller):
    """An SQS queue drained by a consumer, with partial batch responses, as Lambda's event source mapping does.

    What the consumer handled is deleted. What failed (reported in ``batchItemFailures``, or the whole batch
    when the function failed, timed out or its worker died) is left alone: it stays invisible for the rest of
    the queue's visibility timeout, then comes back with one more receive counted, and SQS moves it to the
    DLQ after ``maxReceiveCount`` receives. The visibility timeout is the manifest's (see
    ``plan.QueuePlan.local_visibility_timeout_s`` for the local time scale), never shorter than the consumer's
    timeout, so a message never comes back while the invocation that received it may still run.
    """

    def __init__(
        self,
        *,
        queue_url: str,
        queue_arn: str,
        function: str,
        batch_size: int,
        invoke: Invoke,
        sqs: SQSClient,
        stop: threading.Event,
    ) -> None:
        super().__init__(f"queue:{queue_arn.rsplit(':', 1)[-1]}", stop)
        self._queue_url = queue_url
        self._queue_arn = queue_arn
        self._function = function
        self._batch_size = max(1, min(batch_size, 10))  # SQS hands out at most ten per receive
        self._invoke = invoke
        self._sqs = sqs

    def poll_once(self) -> None:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=LONG_POLL_S,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        ids = [m["MessageId"] for m in messages]
        try:
            result = self._invoke(self._function, sqs_event(messages, queue_arn=self._queue_arn))
            failed = failed_message_ids(result, ids)
        except FunctionError as exc:
            log.warning("%s failed on a batch of %d message(s): %s", self._function, len(messages), exc)
            failed = set(ids)
        if failed:
            log.info(
                "%s: %d of %d message(s) return after the queue's visibility timeout",
                self._function,
                len(failed),
                len(messages),
            )
        self._delete([m for m in messages if m["MessageId"] not in failed])

    def _delete(self, messages: Sequence[MessageTypeDef]) -> None:
        if messages:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )


class EventTap:
    """The events that crossed the bus, oldest first, as EventBridge delivered them."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._events: deque[dict[str, Any]] = deque(maxlen=capacity)
        self._lock = threading.Lock()

    def add(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._events.append(event)

    def events(self, *, source: str | None = None, detail_type: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            events = list(self._events)
        return [
            e
            for e in events
            if (source is None or e.get("source") == source)
            and (detail_type is None or e.get("detail-type") == detail_type)
        ]


class TapPoller(Poller):
    def __init__(self, *, queue_url: str, tap: EventTap, sqs: SQSClient, stop: threading.Event) -> None:
        super().__init__("tap", stop)
        self._queue_url = queue_url
        self._tap = tap
        self._sqs = sqs

    def poll_once(self) -> None:
        messages = self._sqs.receive_message(
            QueueUrl=self._queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=LONG_POLL_S
        ).get("Messages", [])
        # SQS does not promise order; EventBridge's event time (then arrival) restores it within a batch.
        for event in sorted((_parse(m.get("Body", "")) for m in messages), key=_event_time):
            self._tap.add(event)
        if messages:
            self._sqs.delete_message_batch(
                QueueUrl=self._queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
            )


def _parse(body: str) -> dict[str, Any]:
    try:
        event = json.loads(body)
    except ValueError:
        return {"body": body}
    return event if isinstance(event, dict) else {"body": event}


def _event_time(event: Mapping[str, Any]) -> str:
    return str(event.get("time", ""))
