"""Consuming events: an SQS batch of EventBridge deliveries, partial batch failures, idempotent on
``metadata.eventId`` (Powertools batch processing + idempotency).

A consumer names the contracts it handles, each with its handler (``{ReportFiled: triage, ...}``); here, in
one place, each delivery is parsed once, its ``data`` into the contract its detail-type names, and handed to
that contract's handler. A detail-type the consumer has no contract for fails the record (its rule should
not have delivered it), so it ends in the dead-letter queue instead of being dropped unseen."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Generic

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
from shared.events.envelope import DataT, EventData, EventMetadata

# Longer than any redelivery window (SQS retention 4 days by default, plus archive replays within a week).
DEDUPLICATION_WINDOW_SECONDS = 8 * 24 * 3600


@dataclass(frozen=True)
class Received(Generic[DataT]):
    """A delivered event, parsed once: its envelope's metadata and its data as its contract."""

    metadata: EventMetadata
    data: DataT

    @property
    def correlation_id(self) -> str:
        return self.metadata.correlation_id


# Each handler takes ``Received[<its contract>]``; the mapping cannot say so per entry, ``parsed`` checks it.
Handlers = Mapping[type[EventData], Callable[[Received[Any]], None]]


class NotSubscribed(ValueError):
    """A delivery of a detail-type the consumer has no contract for."""


@cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=os.environ["TABLE_IDEMPOTENCY"], boto3_client=aws.dynamodb())


def parsed(delivery: Mapping[str, Any], contracts: Mapping[str, type[EventData]]) -> Received[EventData]:
    """The delivery (an EventBridge event as a rule put it on a queue) as its contract; NotSubscribed if
    ``contracts`` (by detail-type) has none for it."""
    detail_type = delivery["detail-type"]
    contract = contracts.get(detail_type)
    if contract is None:
        raise NotSubscribed(f"not subscribed to {detail_type}; handles {sorted(contracts)}")
    detail = delivery["detail"]
    return Received(
        metadata=EventMetadata.model_validate(detail["metadata"]),
        data=contract.model_validate(detail["data"]),
    )


def consume_batch(
    event: dict[str, Any], context: LambdaContext, *, handlers: Handlers, logger: Logger
) -> PartialItemFailureResponse:
    """Run the handler of each delivered event's contract once per event; failed records are reported back
    for redelivery."""
    contracts = {contract.event_type: contract for contract in handlers}
    config = IdempotencyConfig(
        event_key_jmespath="detail.metadata.eventId",
        expires_after_seconds=DEDUPLICATION_WINDOW_SECONDS,
        raise_on_no_idempotency_key=True,
    )
    config.register_lambda_context(context)

    @idempotent_function(data_keyword_argument="delivery", persistence_store=_store(), config=config)
    def handle_once(*, delivery: dict[str, Any], received: Received[EventData]) -> dict[str, str]:
        handlers[type(received.data)](received)
        return {"handled": received.metadata.event_id}

    def record_handler(record: SQSRecord) -> None:
        delivery = json.loads(record.body)
        received = parsed(delivery, contracts)
        metadata = received.metadata
        logger.set_correlation_id(metadata.correlation_id)
        logger.append_keys(eventId=metadata.event_id, eventType=metadata.event_type)
        handle_once(delivery=delivery, received=received)
        logger.info("Event handled")

    processor = BatchProcessor(event_type=EventType.SQS)
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
