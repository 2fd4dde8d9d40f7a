"""Consuming events: an SQS batch of EventBridge deliveries, partial batch failures, idempotent on
``metadata.eventId`` (Powertools idempotency; the partial batch response written here, ADR 73).

A consumer names the contracts it handles, each with its handler (``{ReportFiled: triage, ...}``); here, in
one place, each delivery is parsed once, its ``data`` into the contract its detail-type names, and handed to
that contract's handler. A detail-type the consumer has no contract for fails the record (its rule should
not have delivered it), so it ends in the dead-letter queue instead of being dropped unseen."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)

from shared.adapters import aws
from shared.events.envelope import DataT, EventData, EventMetadata

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

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


class BatchFailed(RuntimeError):
    """Every record of the batch failed: the invocation fails, so SQS redelivers them all (as it would any
    record the partial batch response names)."""


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

    def record_handler(record: Mapping[str, Any]) -> None:
        delivery = json.loads(record["body"])
        received = parsed(delivery, contracts)
        metadata = received.metadata
        logger.set_correlation_id(metadata.correlation_id)
        logger.append_keys(eventId=metadata.event_id, eventType=metadata.event_type)
        handle_once(delivery=delivery, received=received)
        logger.info("Event handled")

    return partial_batch_response(event["Records"], record_handler)


def partial_batch_response(
    records: Sequence[Mapping[str, Any]], record_handler: Callable[[Mapping[str, Any]], None]
) -> PartialItemFailureResponse:
    """Each SQS record handled on its own: the ones that raised are named for redelivery, and a batch
    whose every record raised fails as a whole.

    What Powertools' ``BatchProcessor`` does for SQS, without the package, which imports every event
    source's data class and asyncio on a consumer's cold path (ADR 73)."""
    failures: list[BaseException] = []
    failed_ids: list[str] = []
    for record in records:
        try:
            record_handler(record)
        except Exception as error:
            failures.append(error)
            failed_ids.append(record["messageId"])
    if records and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} records failed") from failures[0]
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed_ids]}
