"""The events Lambda's event sources deliver, built from what moto returns: pure functions, no I/O."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from infra.local.plan import ACCOUNT_ID, REGION
from shared.events.outbox import OUTBOX_PREFIX

# --- DynamoDB Streams ----------------------------------------------------------------------------------


def is_outbox_insert(record: Mapping[str, Any], partition_key: str = "pk") -> bool:
    """The publisher's event source filter in AWS: INSERTs whose partition key starts with ``OUTBOX#``."""
    if record.get("eventName") != "INSERT":
        return False
    keys = record.get("dynamodb", {}).get("Keys") or {}
    key = keys.get(partition_key, {}).get("S")
    return isinstance(key, str) and key.startswith(OUTBOX_PREFIX)


def stream_event(records: Iterable[Mapping[str, Any]], *, stream_arn: str) -> dict[str, Any]:
    """``{"Records": [...]}`` as Lambda's DynamoDB Streams event source sends it.

    ``records`` come from boto3's ``get_records``, which has already turned binary attributes into bytes and
    times into datetimes; Lambda's event carries base64 strings and epoch seconds.
    """
    return {"Records": [_stream_record(record, stream_arn) for record in records]}


def _stream_record(record: Mapping[str, Any], stream_arn: str) -> dict[str, Any]:
    source = record["dynamodb"]
    dynamodb: dict[str, Any] = {
        "Keys": _attribute_json(source.get("Keys", {})),
        "SequenceNumber": str(source["SequenceNumber"]),
        "SizeBytes": int(source.get("SizeBytes", 0)),
        "StreamViewType": source.get("StreamViewType", "NEW_IMAGE"),
    }
    created = source.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = int(created.timestamp())
    for image in ("NewImage", "OldImage"):
        if image in source:
            dynamodb[image] = _attribute_json(source[image])
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        # moto stamps every stream record us-east-1; Lambda reports the table's region.
        "awsRegion": REGION,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def _attribute_json(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _attribute_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_attribute_json(item) for item in value]
    return value


def stream_retry_index(result: Any, sequence_numbers: Sequence[str]) -> int | None:
    """Where a stream batch is retried from, read from the function's partial batch response as Lambda reads
    it (``ReportBatchItemFailures``): None when the batch succeeded (no response, no ``batchItemFailures`` or
    an empty list); else the position of the lowest sequence number reported, from which every record is
    retried; 0, the whole batch, when an identifier is missing, empty or not a record of the batch."""
    if not isinstance(result, Mapping) or not result.get("batchItemFailures"):
        return None
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return 0
    positions = {number: index for index, number in enumerate(sequence_numbers)}
    reported: list[int] = []
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not isinstance(identifier, str) or identifier not in positions:
            return 0
        reported.append(positions[identifier])
    return min(reported)


def stream_failure_record(
    records: Sequence[Mapping[str, Any]],
    *,
    shard_id: str,
    stream_arn: str,
    function: str,
    invoke_count: int,
    now: datetime,
) -> dict[str, Any]:
    """What Lambda sends a stream's on-failure destination when it gives up on a batch: where the records
    are (to replay from), not the records themselves."""
    created = [
        source["ApproximateCreationDateTime"]
        for source in (record["dynamodb"] for record in records)
        if isinstance(source.get("ApproximateCreationDateTime"), datetime)
    ]
    return {
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{function}",
            "condition": "RetryAttemptsExhausted",
            "approximateInvokeCount": invoke_count,
        },
        "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
        "version": "1.0",
        "timestamp": _iso(now),
        "DDBStreamBatchInfo": {
            "shardId": shard_id,
            "startSequenceNumber": str(records[0]["dynamodb"]["SequenceNumber"]),
            "endSequenceNumber": str(records[-1]["dynamodb"]["SequenceNumber"]),
            "approximateArrivalOfFirstRecord": _iso(min(created)) if created else None,
            "approximateArrivalOfLastRecord": _iso(max(created)) if created else None,
            "batchSize": len(records),
            "streamArn": stream_arn,
        },
    }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# --- SQS -----------------------------------------------------------------------------------------------


def sqs_event(messages: Iterable[Mapping[str, Any]], *, queue_arn: str) -> dict[str, Any]:
    """``{"Records": [...]}`` as Lambda's SQS event source sends it, from ``receive_message`` messages."""
    return {"Records": [_sqs_record(message, queue_arn) for message in messages]}


def _sqs_record(message: Mapping[str, Any], queue_arn: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    attribute: dict[str, Any] = {
        "dataType": value.get("DataType", "String"),
        "stringListValues": list(value.get("StringListValues", [])),
        "binaryListValues": [_attribute_json(item) for item in value.get("BinaryListValues", [])],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = _attribute_json(value["BinaryValue"])
    return attribute


def failed_message_ids(result: Any, message_ids: Iterable[str]) -> set[str]:
    """Which messages of a batch to retry, read from a partial batch response as Lambda reads it.

    No ``batchItemFailures`` means the whole batch succeeded; an identifier that is empty or not in the
    batch makes Lambda treat the whole batch as failed.
    """
    batch = set(message_ids)
    if not isinstance(result, Mapping) or result.get("batchItemFailures") is None:
        return set()
    failures = result["batchItemFailures"]
    if not isinstance(failures, list):
        return batch
    failed: set[str] = set()
    for failure in failures:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if not isinstance(identifier, str) or identifier not in batch:
            return batch
        failed.add(identifier)
    return failed


# --- EventBridge Scheduler -----------------------------------------------------------------------------


def scheduled_event(schedule_name: str, scheduled_time: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": ACCOUNT_ID,
        "time": scheduled_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [f"arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{schedule_name}"],
        "detail": {},
    }
