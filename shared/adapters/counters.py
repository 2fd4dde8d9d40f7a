"""Gap-tolerant, unique running numbers (e.g. for K-numbers) kept in a DynamoDB table."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDbCounter:
    """Hands out 1, 2, 3, ... per counter name; unique across concurrent callers.

    Each call is one atomic ``UpdateItem ADD`` on the item ``pk=COUNTER#<counter>, sk=COUNTER`` (created on
    first use), so DynamoDB serialises concurrent increments. A number whose caller fails afterwards is never
    reused: expect gaps, never duplicates.
    """

    def __init__(self, table_name: str, client: DynamoDBClient) -> None:
        self._table_name = table_name
        self._client = client

    def next(self, counter: str) -> int:
        """The next number of ``counter``, starting at 1."""
        if not counter:
            raise ValueError("a counter needs a name")
        response = self._client.update_item(
            TableName=self._table_name,
            Key={"pk": {"S": f"COUNTER#{counter}"}, "sk": {"S": "COUNTER"}},
            # "value" is a DynamoDB reserved word, hence the name placeholder.
            UpdateExpression="ADD #value :one",
            ExpressionAttributeNames={"#value": "value"},
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["value"]["N"])
