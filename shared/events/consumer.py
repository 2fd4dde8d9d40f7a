"""Consuming events: an SQS batch of EventBridge deliveries, each record on its own, failed ones named back
for redelivery (the partial batch response written here, ADR 73).

A consumer names the contracts it handles, each with its handler (``{ReportFiled: triage, ...}``); here, in
one place, each delivery is parsed once, its ``data`` into the contract its detail-type names, and handed to
that contract's handler. A detail-type the consumer has no contract for fails the record (its rule should
not have delivered it), so it ends in the dead-letter queue instead of being dropped unseen.

Nothing here remembers which events were handled (ADR 87). An event can arrive again at any time: SQS
delivers at least once, a record that failed is redelivered, a dead letter is re-driven, the archive is
replayed a week later. So each handler is idempotent by the write that records its effect (a status, a version
or a condition on the very item the effect changes), which no expiry can undo."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic

from shared.events.envelope import DataT, EventData, EventMetadata

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext


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
    """Run the handler of each delivered event's contract; failed records are reported back for redelivery.
    A handler must be idempotent by its own writes: an event handled before is handed to it again."""
    contracts = {contract.event_type: contract for contract in handlers}

    def record_handler(record: Mapping[str, Any]) -> None:
        received = parsed(json.loads(record["body"]), contracts)
        metadata = received.metadata
        logger.set_correlation_id(metadata.correlation_id)
        logger.append_keys(eventId=metadata.event_id, eventType=metadata.event_type)
        handlers[type(received.data)](received)
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
