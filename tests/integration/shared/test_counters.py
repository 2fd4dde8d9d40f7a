"""DynamoDbCounter against moto's in-process DynamoDB.

Real DynamoDB applies each single-item write atomically. moto's in-process backend does not serialise
concurrent requests: with 50 threads calling ``UpdateItem ADD`` it handed out duplicates in about 1 run in 8.
The concurrency test therefore serialises moto's request handling (one request at a time, as DynamoDB
behaves per item) and checks what is then left to the adapter: that it needs nothing beyond one atomic
request. A read-then-write counter still fails that test, because other callers' requests run between its two.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb.responses import DynamoHandler

from shared.adapters.counters import DynamoDbCounter

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TABLE = "counters-test"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        dynamodb: DynamoDBClient = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        yield dynamodb


@pytest.fixture
def atomic_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make moto handle one DynamoDB request at a time, as DynamoDB does for writes to one item."""
    handle = DynamoHandler.call_action
    lock = threading.Lock()

    def serialised(self: Any) -> Any:
        with lock:
            return handle(self)

    monkeypatch.setattr(DynamoHandler, "call_action", serialised)


def test_counts_up_from_one(client: DynamoDBClient) -> None:
    counter = DynamoDbCounter(TABLE, client)

    assert [counter.next("k-2026") for _ in range(5)] == [1, 2, 3, 4, 5]


def test_counters_are_independent(client: DynamoDBClient) -> None:
    counter = DynamoDbCounter(TABLE, client)

    assert counter.next("k-2026") == 1
    assert counter.next("k-2026") == 2
    assert counter.next("diarie-2026") == 1
    assert counter.next("k-2026") == 3


def test_state_lives_in_the_table_not_the_object(client: DynamoDBClient) -> None:
    DynamoDbCounter(TABLE, client).next("k-2026")
    DynamoDbCounter(TABLE, client).next("k-2026")

    item = client.get_item(TableName=TABLE, Key={"pk": {"S": "COUNTER#k-2026"}, "sk": {"S": "COUNTER"}})[
        "Item"
    ]
    assert item["value"] == {"N": "2"}
    assert DynamoDbCounter(TABLE, client).next("k-2026") == 3


@pytest.mark.usefixtures("atomic_requests")
def test_concurrent_callers_get_distinct_numbers(client: DynamoDBClient) -> None:
    counter = DynamoDbCounter(TABLE, client)
    callers = 50
    start = threading.Barrier(callers)

    def take(_: int) -> int:
        start.wait()  # release all callers at once to maximise overlap
        return counter.next("k-2026")

    with ThreadPoolExecutor(max_workers=callers) as pool:
        numbers = list(pool.map(take, range(callers)))

    assert sorted(numbers) == list(range(1, callers + 1))
    assert counter.next("k-2026") == callers + 1


def test_empty_counter_name_is_refused(client: DynamoDBClient) -> None:
    with pytest.raises(ValueError, match="name"):
        DynamoDbCounter(TABLE, client).next("")
