"""Lambda: the outbox publisher. DynamoDB stream records of outbox items → PutEvents on the bus.

Raises when any entry fails so the stream delivers the batch again: an event may be published twice (consumers
are idempotent on ``metadata.eventId``) but never lost.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import DynamoDBStreamEvent, event_source
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecordEventName
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters import aws
from shared.events.outbox import is_outbox_key
from shared.observability import create_logger, create_metrics, entry_point

if TYPE_CHECKING:
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_events.type_defs import PutEventsRequestEntryTypeDef

logger = create_logger()
metrics = create_metrics()
tracer = Tracer()

PUT_EVENTS_MAX_ENTRIES = 10


class PublishFailed(RuntimeError):
    pass


def entries_from_stream(event: DynamoDBStreamEvent, bus_name: str) -> list[PutEventsRequestEntryTypeDef]:
    entries: list[PutEventsRequestEntryTypeDef] = []
    for record in event.records:
        change = record.dynamodb
        if record.event_name is not DynamoDBRecordEventName.INSERT or change is None:
            continue
        image = change.new_image
        if not is_outbox_key(str(image.get("pk", ""))):
            continue
        entries.append(
            {
                "EventBusName": bus_name,
                "Source": str(image["source"]),
                "DetailType": str(image["detailType"]),
                "Detail": str(image["detail"]),
            }
        )
    return entries


def publish(entries: list[PutEventsRequestEntryTypeDef], client: EventBridgeClient) -> None:
    for start in range(0, len(entries), PUT_EVENTS_MAX_ENTRIES):
        chunk = entries[start : start + PUT_EVENTS_MAX_ENTRIES]
        response = client.put_events(Entries=chunk)
        failed = response.get("FailedEntryCount", 0)
        if failed:
            codes = sorted({e.get("ErrorCode", "?") for e in response["Entries"] if "ErrorCode" in e})
            raise PublishFailed(f"{failed} of {len(chunk)} events were not accepted by the bus: {codes}")


@entry_point(logger, metrics=metrics, tracer=tracer)
@event_source(data_class=DynamoDBStreamEvent)
def handler(event: DynamoDBStreamEvent, context: LambdaContext) -> dict[str, Any]:
    entries = entries_from_stream(event, os.environ["EVENT_BUS_NAME"])
    publish(entries, aws.events())
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(entries))
    logger.info("Published outbox events", extra={"count": len(entries)})
    return {"published": len(entries)}
