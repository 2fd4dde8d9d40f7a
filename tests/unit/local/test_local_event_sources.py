"""The events Lambda's DynamoDB Streams, SQS and Scheduler sources deliver, built from moto's answers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from infra.local.event_sources import (
    failed_message_ids,
    is_outbox_insert,
    scheduled_event,
    sqs_event,
    stream_event,
    stream_failure_record,
)

STREAM_ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/t/stream/2026-01-01T00:00:00.000"
QUEUE_ARN = "arn:aws:sqs:eu-north-1:123456789012:eservices-local-reports-triage"


def _stream_record(
    pk: str,
    event_name: str = "INSERT",
    *,
    sequence: str = "1100000000017454423009",
    created: datetime = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
) -> dict[str, object]:
    """A record as boto3's get_records returns it from moto: bytes for B, a datetime, moto's region."""
    return {
        "eventID": "e1",
        "eventName": event_name,
        "eventVersion": "1.0",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"pk": {"S": pk}, "sk": {"S": "EVENT"}},
            "NewImage": {
                "pk": {"S": pk},
                "sk": {"S": "EVENT"},
                "blob": {"B": b"\x00\x01"},
                "tags": {"BS": [b"\x02"]},
                "nested": {"M": {"n": {"N": "1"}, "l": {"L": [{"B": b"\x03"}]}}},
            },
            "SequenceNumber": sequence,
            "SizeBytes": 42,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_only_new_outbox_items_reach_the_publisher() -> None:
    assert is_outbox_insert(_stream_record("OUTBOX#1"))
    assert not is_outbox_insert(_stream_record("OUTBOX#1", "MODIFY"))
    assert not is_outbox_insert(_stream_record("OUTBOX#1", "REMOVE"))
    assert not is_outbox_insert(_stream_record("REPORT#K1-26"))


def test_a_stream_event_is_what_lambda_sends_with_json_safe_attribute_values() -> None:
    event = stream_event([_stream_record("OUTBOX#1")], stream_arn=STREAM_ARN)
    (record,) = event["Records"]
    assert record["eventSource"] == "aws:dynamodb"
    assert record["eventSourceARN"] == STREAM_ARN
    assert record["awsRegion"] == "eu-north-1"
    assert record["eventName"] == "INSERT"
    assert record["eventID"] == "e1"
    dynamodb = record["dynamodb"]
    assert dynamodb["Keys"] == {"pk": {"S": "OUTBOX#1"}, "sk": {"S": "EVENT"}}
    assert dynamodb["NewImage"]["blob"] == {"B": "AAE="}
    assert dynamodb["NewImage"]["tags"] == {"BS": ["Ag=="]}
    assert dynamodb["NewImage"]["nested"]["M"]["l"] == {"L": [{"B": "Aw=="}]}
    assert dynamodb["SequenceNumber"] == "1100000000017454423009"
    assert dynamodb["StreamViewType"] == "NEW_IMAGE"
    assert dynamodb["ApproximateCreationDateTime"] == 1767323045
    json.dumps(event)


def _message(message_id: str) -> dict[str, object]:
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "MD5OfBody": "md5",
        "Body": json.dumps({"detail-type": "ReportFiled"}),
        "Attributes": {"ApproximateReceiveCount": "2", "SentTimestamp": "1767323045000"},
        "MessageAttributes": {"trace": {"DataType": "String", "StringValue": "t-1"}},
    }


def test_an_sqs_event_is_what_lambda_sends() -> None:
    event = sqs_event([_message("m1"), _message("m2")], queue_arn=QUEUE_ARN)
    first = event["Records"][0]
    assert [r["messageId"] for r in event["Records"]] == ["m1", "m2"]
    assert first["receiptHandle"] == "rh-m1"
    assert json.loads(first["body"]) == {"detail-type": "ReportFiled"}
    assert first["attributes"]["ApproximateReceiveCount"] == "2"
    assert first["messageAttributes"] == {
        "trace": {"dataType": "String", "stringValue": "t-1", "stringListValues": [], "binaryListValues": []}
    }
    assert first["md5OfBody"] == "md5"
    assert first["eventSource"] == "aws:sqs"
    assert first["eventSourceARN"] == QUEUE_ARN
    assert first["awsRegion"] == "eu-north-1"


BATCH = ["m1", "m2", "m3"]


@pytest.mark.parametrize(
    ("result", "failed"),
    [
        (None, set()),
        ({"batchItemFailures": []}, set()),
        ({"statusCode": 200}, set()),
        ({"batchItemFailures": [{"itemIdentifier": "m2"}]}, {"m2"}),
        ({"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]}, {"m1", "m3"}),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, set(BATCH)),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, set(BATCH)),
        ({"batchItemFailures": [{}]}, set(BATCH)),
        ({"batchItemFailures": "m1"}, set(BATCH)),
    ],
)
def test_a_partial_batch_response_is_read_as_lambda_reads_it(result: object, failed: set[str]) -> None:
    assert failed_message_ids(result, BATCH) == failed


def test_a_scheduled_event_names_its_schedule_and_time() -> None:
    event = scheduled_event("eservices-local-bookings-reminders", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert event["detail-type"] == "Scheduled Event"
    assert event["source"] == "aws.scheduler"
    assert event["time"] == "2026-01-02T03:04:05Z"
    assert event["resources"] == [
        "arn:aws:scheduler:eu-north-1:123456789012:schedule/default/eservices-local-bookings-reminders"
    ]
    assert event["detail"] == {}


def test_a_record_given_up_on_is_described_as_lambda_describes_it_to_the_on_failure_queue() -> None:
    first = _stream_record("OUTBOX#1")
    last = _stream_record("OUTBOX#2", sequence="1200", created=datetime(2026, 1, 2, 3, 4, 9, tzinfo=UTC))
    failure = stream_failure_record(
        [first, last],
        shard_id="shardId-1",
        stream_arn=STREAM_ARN,
        function="eservices-local-probe-publisher",
        invoke_count=11,
        now=datetime(2026, 1, 2, 3, 5, 0, 250_000, tzinfo=UTC),
    )
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == 11
    assert failure["requestContext"]["functionArn"].endswith(":function:eservices-local-probe-publisher")
    assert failure["responseContext"]["functionError"] == "Unhandled"
    assert failure["timestamp"] == "2026-01-02T03:05:00.250Z"
    assert failure["DDBStreamBatchInfo"] == {
        "shardId": "shardId-1",
        "startSequenceNumber": "1100000000017454423009",
        "endSequenceNumber": "1200",
        "approximateArrivalOfFirstRecord": "2026-01-02T03:04:05.000Z",
        "approximateArrivalOfLastRecord": "2026-01-02T03:04:09.000Z",
        "batchSize": 2,
        "streamArn": STREAM_ARN,
    }
    assert "NewImage" not in json.dumps(failure), "the record says where the items are, not what they hold"
