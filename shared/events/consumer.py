"""Consuming events: an SQS batch of EventBridge deliveries, partial batch failures, idempotent on
``metadata.eventId`` (Powertools batch processing + idempotency)."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from shared.adapters import aws
from shared.events.envelope import DeliveredEvent

# Longer than any redelivery window (SQS retention 4 days by default, plus archive replays within a week).
DEDUPLICATION_WINDOW_SECONDS = 8 * 24 * 3600

EventHandler = Callable[[DeliveredEvent], None]


@cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=os.environ["TABLE_IDEMPOTENCY"], boto3_client=aws.dynamodb())


def consume_batch(
    event: dict[str, Any], context: LambdaContext, *, handle: EventHandler, logger: Logger
) -> PartialItemFailureResponse:
    """Run ``handle`` once per delivered event; failed records are reported back for redelivery."""
    config = IdempotencyConfig(
        event_key_jmespath="detail.metadata.eventId",
        expires_after_seconds=DEDUPLICATION_WINDOW_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    config.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="delivery", persistence_store=_store(), config=config)
    def handle_once(delivery: dict[str, Any]) -> dict[str, str]:
        delivered = DeliveredEvent.model_validate(delivery)
        handle(delivered)
        return {"handled": delivered.metadata.event_id}

    def record_handler(record: SQSRecord) -> None:
        delivered = DeliveredEvent.model_validate_json(record.body)
        metadata = delivered.metadata
        logger.set_correlation_id(metadata.correlation_id)
        logger.append_keys(eventId=metadata.event_id, eventType=metadata.event_type)
        handle_once(delivery=delivered.model_dump(mode="json", by_alias=True))
        logger.info("Event handled")

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
