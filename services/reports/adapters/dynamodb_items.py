"""What every reports adapter does with DynamoDB items: typed attribute maps, JSON bodies, fixed-width times,
paged queries, batch puts, and transactions whose failed conditions are answered as a Conflict."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError
from pydantic import BaseModel

from shared.errors import Conflict
from shared.events.contracts.reports import SOURCE
from shared.events.envelope import Envelope, EventData
from shared.events.outbox import outbox_item

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef, WriteRequestTypeDef

BATCH_WRITE_MAX = 25
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Model = TypeVar("Model", bound=BaseModel)


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` as DynamoDB attribute values; a ``None`` leaves its attribute out (sparse index keys)."""
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def from_body(model: type[Model], item: dict[str, Any]) -> Model:
    """The model kept as JSON in the item's ``body``."""
    return model.model_validate_json(_deserializer.deserialize(item["body"]))


def sortable(moment: datetime) -> str:
    """UTC with a fixed width, so that the text order of sort keys is their time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def query_page(
    client: DynamoDBClient, query: dict[str, Any], start: dict[str, Any] | None
) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """One page of ``query`` from ``start`` on, and where the next page starts (``None`` after the last)."""
    if start:
        query["ExclusiveStartKey"] = to_item(start)
    response = client.query(**query)
    last = response.get("LastEvaluatedKey")
    return list(response.get("Items", [])), from_item(last) if last else None


def put_all(client: DynamoDBClient, table: str, rows: list[dict[str, Any]]) -> None:
    requests: list[WriteRequestTypeDef] = [{"PutRequest": {"Item": row}} for row in rows]
    for start in range(0, len(requests), BATCH_WRITE_MAX):
        pending: dict[str, list[WriteRequestTypeDef]] = {table: requests[start : start + BATCH_WRITE_MAX]}
        while pending:
            # BatchWriteItem may leave some writes undone under throttling; they are handed back to retry.
            unprocessed = client.batch_write_item(RequestItems=pending).get("UnprocessedItems", {})
            pending = cast(dict[str, list["WriteRequestTypeDef"]], unprocessed)


def put_if_absent(table: str, item: dict[str, Any], *, key: str = "pk") -> TransactWriteItemTypeDef:
    return {"Put": {"TableName": table, "Item": item, "ConditionExpression": f"attribute_not_exists({key})"}}


def put_if_version(table: str, item: dict[str, Any], expected_version: int) -> TransactWriteItemTypeDef:
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
        }
    }


def outbox_puts(table: str, events: Sequence[Envelope[EventData]]) -> list[TransactWriteItemTypeDef]:
    return [{"Put": {"TableName": table, "Item": to_item(outbox_item(e, source=SOURCE))}} for e in events]


def transact(client: DynamoDBClient, items: list[TransactWriteItemTypeDef], conflict: str) -> None:
    """Write ``items`` all or none; a failed condition raises Conflict(``conflict``)."""
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response["Error"]["Code"] == "TransactionCanceledException":
            reasons = error.response.get("CancellationReasons", [])
            if any(r.get("Code") == "ConditionalCheckFailed" for r in reasons):
                raise Conflict(conflict) from error
        raise
