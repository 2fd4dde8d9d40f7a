"""The local cloud's moto server applies each DynamoDB write atomically, as DynamoDB does.

moto's DynamoDB backend reads an item, works on a copy and writes it back with no lock, so concurrent writes
to one item can lose each other's changes. The local cloud's moto server serialises DynamoDB requests; these
tests put many callers on one item at once and check that no write is lost and no condition passes twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from infra.local.moto_server import MotoServer
from infra.local.plan import REGION

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

pytestmark = pytest.mark.e2e

TABLE = "atomicity"
CALLERS = 40
# A big item makes moto's read-modify-write slow enough that, without the lock, increments are lost in
# every run rather than now and then (a small item loses them only occasionally).
BULK = {"M": {f"line{i}": {"S": "twenty characters..."} for i in range(3000)}}
T = TypeVar("T")


@pytest.fixture(scope="module")
def dynamodb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DynamoDBClient]:
    server = MotoServer(Path(tmp_path_factory.mktemp("moto")) / "moto.log")
    server.start()
    try:
        server.wait_ready(deadline=time.monotonic() + 30)
        client = boto3.client(
            "dynamodb",
            endpoint_url=server.url,
            region_name=REGION,
            aws_access_key_id="local",
            aws_secret_access_key="local",
            # A connection per caller, so that every request is in flight at once; no retries to hide a loss.
            config=Config(max_pool_connections=CALLERS, retries={"max_attempts": 1}),
        )
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        yield client
    finally:
        server.stop()


def _all_at_once(call: Callable[[int], T]) -> list[T]:
    """``call(caller)`` on ``CALLERS`` threads released together, so that their requests overlap in moto."""
    start = threading.Barrier(CALLERS, timeout=10)

    def together(caller: int) -> T:
        start.wait()
        return call(caller)

    with ThreadPoolExecutor(CALLERS) as pool:
        return list(pool.map(together, range(CALLERS)))


def test_concurrent_increments_of_one_counter_each_get_their_own_value(dynamodb: DynamoDBClient) -> None:
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "counter"}, "bulk": BULK})

    def increment(_: int) -> int:
        response = dynamodb.update_item(
            TableName=TABLE,
            Key={"pk": {"S": "counter"}},
            UpdateExpression="ADD n :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["n"]["N"])

    assert sorted(_all_at_once(increment)) == list(range(1, CALLERS + 1))


def test_of_concurrent_creates_of_one_key_exactly_one_succeeds(dynamodb: DynamoDBClient) -> None:
    def create(caller: int) -> str:
        try:
            dynamodb.put_item(
                TableName=TABLE,
                Item={"pk": {"S": "case-1"}, "writer": {"N": str(caller)}},
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            return str(error.response["Error"]["Code"])
        return "created"

    outcomes = _all_at_once(create)
    assert sorted(set(outcomes)) == ["ConditionalCheckFailedException", "created"]
    assert outcomes.count("created") == 1
    stored = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "case-1"}})["Item"]
    assert outcomes[int(stored["writer"]["N"])] == "created", "the stored item is another caller's"


def _streamed_table(dynamodb: DynamoDBClient, name: str, keys: list[str]) -> tuple[Any, str]:
    """A table with a NEW_IMAGE stream, string keys ``keys`` (hash, then range), and an iterator on its shard
    from the start: the stream client and the iterator."""
    description = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in zip(keys, ("HASH", "RANGE"), strict=False)],
        AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k in keys],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )["TableDescription"]
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=dynamodb.meta.endpoint_url,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = description["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams, iterator["ShardIterator"]


def test_a_refused_transaction_does_not_cut_the_table_off_from_its_stream(dynamodb: DynamoDBClient) -> None:
    streamed = "streamed"
    streams, iterator = _streamed_table(dynamodb, streamed, ["pk"])
    dynamodb.put_item(TableName=streamed, Item={"pk": {"S": "first"}})
    refused = {
        "Put": {
            "TableName": streamed,
            "Item": {"pk": {"S": "first"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(TransactItems=[refused])  # type: ignore[list-item]
    dynamodb.put_item(TableName=streamed, Item={"pk": {"S": "after"}})

    records = streams.get_records(ShardIterator=iterator)["Records"]

    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["first", "after"]


def test_a_refused_transaction_leaves_every_item_it_named_as_it_was_and_nothing_in_the_stream(
    dynamodb: DynamoDBClient,
) -> None:
    table = "cases"
    streams, iterator = _streamed_table(dynamodb, table, ["pk", "sk"])

    def key(pk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": "STATE"}}

    dynamodb.put_item(TableName=table, Item={**key("CASE#1"), "status": {"S": "filed"}})
    dynamodb.put_item(TableName=table, Item={**key("CASE#2"), "status": {"S": "filed"}})
    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("CASE#1"),
                        "UpdateExpression": "SET #s = :s",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":s": {"S": "decided"}},
                    }
                },
                {"Put": {"TableName": table, "Item": {**key("OUTBOX#1"), "detail": {"S": "{}"}}}},
                {"Delete": {"TableName": table, "Key": key("CASE#2")}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key("CASE#3"),
                        "ConditionExpression": "attribute_exists(pk)",
                    }
                },
            ]
        )
    dynamodb.put_item(TableName=table, Item={**key("CASE#4"), "status": {"S": "filed"}})

    def stored(pk: str) -> dict[str, Any] | None:
        return dynamodb.get_item(TableName=table, Key=key(pk)).get("Item")

    assert (stored("CASE#1") or {})["status"] == {"S": "filed"}
    assert stored("OUTBOX#1") is None
    assert stored("CASE#2") is not None
    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["CASE#1", "CASE#2", "CASE#4"]
