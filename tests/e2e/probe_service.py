"""A test-only service that makes the local cloud's machinery observable from outside.

It runs in its own worker like any service, so everything it reports (its environment, the events it was
given, how often each message came back) is what a real service would experience. Handlers keep their
evidence in the service's table, which the tests read through moto.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from functools import cache
from typing import TYPE_CHECKING, Any

from shared.manifest import (
    EID_AUTHORIZER,
    Function,
    Route,
    Schedule,
    ServiceManifest,
    Subscription,
    Table,
    TableAccess,
)

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient

MODULE = __name__
BASE = "/probe/v1"
SOURCE = "polisen.probe"
DETAIL_TYPE = "ProbeSent"
# Events in the platform's envelope, for the ledger consumer (the shared consume_batch).
LEDGER_DETAIL_TYPE = "ProbeLedgered"
# Short timings, declared like any manifest's, so that redelivery is observable within seconds while the
# local cloud keeps AWS's rules: a message comes back after its queue's visibility timeout, which is at least
# its consumer's timeout.
INBOX_VISIBILITY_S = 2
LEDGER_TIMEOUT_S = 5
LEDGER_VISIBILITY_S = 8
SLEEPER_TIMEOUT_S = 1

MANIFEST = ServiceManifest(
    name="probe",
    title="Platform probe (tests only)",
    routes=(
        Route("GET", f"{BASE}/echo/{{itemId}}", "citizen"),
        Route("GET", f"{BASE}/echo", "public"),
        Route("GET", f"{BASE}/rendezvous/{{group}}", "public"),
        Route("GET", f"{BASE}/boom", "public"),
        Route("POST", f"{BASE}/crash", "public"),
        Route("POST", f"{BASE}/messages", "public"),
    ),
    functions=(
        Function("api", f"{MODULE}.api", "api", access=(TableAccess("main", ("PutItem", "Query")),)),
        EID_AUTHORIZER,
        # Counts its planned failures in the table.
        Function(
            "publisher", f"{MODULE}.publisher", "publisher", access=(TableAccess("main", ("UpdateItem",)),)
        ),
        Function(
            "inbox",
            f"{MODULE}.inbox",
            "consumer",
            timeout_s=INBOX_VISIBILITY_S,
            access=(TableAccess("main", ("GetItem", "UpdateItem")),),
        ),
        Function(
            "ledger",
            f"{MODULE}.ledger",
            "consumer",
            timeout_s=LEDGER_TIMEOUT_S,
            access=(TableAccess("main", ("PutItem", "UpdateItem")),),
        ),
        # Invoked directly by the tests: it sleeps as long as it is told, past its timeout if need be.
        Function(
            "sleeper",
            f"{MODULE}.sleeper",
            "consumer",
            timeout_s=SLEEPER_TIMEOUT_S,
            access=(TableAccess("main", ("PutItem", "UpdateItem")),),
        ),
        Function("tick", f"{MODULE}.tick", "job", access=(TableAccess("main", ("GetItem", "UpdateItem")),)),
    ),
    tables=(Table("main", stream=True),),
    subscriptions=(
        Subscription(
            "inbox",
            function="inbox",
            source=SOURCE,
            detail_types=(DETAIL_TYPE,),
            max_receive_count=2,
            visibility_timeout_s=INBOX_VISIBILITY_S,
        ),
        Subscription(
            "ledger",
            function="ledger",
            source=SOURCE,
            detail_types=(LEDGER_DETAIL_TYPE,),
            visibility_timeout_s=LEDGER_VISIBILITY_S,
        ),
    ),
    schedules=(Schedule("tick", function="tick", expression="rate(1 second)"),),
    seed_handler=f"{MODULE}.seed",
    publishes=(DETAIL_TYPE, LEDGER_DETAIL_TYPE),
)


@cache
def _dynamodb() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb")


@cache
def _events() -> EventBridgeClient:
    import boto3

    return boto3.client("events")


def _count(key: str, attribute: str = "n") -> int:
    """Atomically counts one more under ``key``; returns the new count."""
    response = _dynamodb().update_item(
        TableName=os.environ["TABLE_MAIN"],
        Key={"pk": {"S": key}, "sk": {"S": "COUNT"}},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": attribute},
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"][attribute]["N"])


def _count_once(key: str) -> None:
    """Counts ``key`` as 1 the first time only: a redelivered event finds its effect recorded."""
    client = _dynamodb()
    with contextlib.suppress(client.exceptions.ConditionalCheckFailedException):
        client.update_item(
            TableName=os.environ["TABLE_MAIN"],
            Key={"pk": {"S": key}, "sk": {"S": "COUNT"}},
            UpdateExpression="SET n = :one",
            ConditionExpression="attribute_not_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )


def _rendezvous(group: str, size: int, wait_s: float) -> dict[str, Any]:
    """Arrives at ``group`` and waits for ``size`` arrivals: only invocations running side by side meet."""
    table, key = os.environ["TABLE_MAIN"], f"RENDEZVOUS#{group}"
    _dynamodb().put_item(TableName=table, Item={"pk": {"S": key}, "sk": {"S": f"PID#{os.getpid()}"}})
    deadline = time.monotonic() + wait_s
    while True:
        arrived = _dynamodb().query(
            TableName=table,
            KeyConditionExpression="pk = :key",
            ExpressionAttributeValues={":key": {"S": key}},
            Select="COUNT",
        )["Count"]
        if arrived >= size or time.monotonic() > deadline:
            return {"met": arrived >= size, "pid": os.getpid()}
        time.sleep(0.02)


def api(event: dict[str, Any], context: Any) -> dict[str, Any]:
    path = event["path"]
    if path.startswith(f"{BASE}/rendezvous/"):
        query = event["queryStringParameters"] or {}
        outcome = _rendezvous(
            event["pathParameters"]["group"], int(query.get("size", 1)), float(query.get("waitS", 5))
        )
        return {"statusCode": 200, "body": json.dumps(outcome)}
    if path == f"{BASE}/boom":
        raise RuntimeError("internal detail: the database password is hunter2")
    if path == f"{BASE}/crash":
        os._exit(3)
    if path == f"{BASE}/messages":
        message = json.loads(event["body"])
        table = os.environ["TABLE_MAIN"]
        # A plain item beside the outbox item: the publisher must never be given it.
        _dynamodb().put_item(
            TableName=table, Item={"pk": {"S": f"NOTE#{message['id']}"}, "sk": {"S": "NOTE"}}
        )
        _dynamodb().put_item(
            TableName=table,
            Item={
                "pk": {"S": f"OUTBOX#{message['id']}"},
                "sk": {"S": "EVENT"},
                "detail": {"S": json.dumps(message)},
                "publisherFailures": {"N": str(message.get("publisherFailures", 0))},
            },
        )
        return {"statusCode": 202, "body": json.dumps({"accepted": message["id"]})}
    observed = {
        "event": event,
        "pid": os.getpid(),
        "environment": dict(os.environ),
        "context": {
            "functionName": context.function_name,
            "memoryLimitInMb": context.memory_limit_in_mb,
            "invokedFunctionArn": context.invoked_function_arn,
            "awsRequestId": context.aws_request_id,
            "remainingMs": context.get_remaining_time_in_millis(),
        },
    }
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps(observed)}


def publisher(event: dict[str, Any], context: Any) -> None:
    entries = []
    for record in event["Records"]:
        image = record["dynamodb"]["NewImage"]
        key = image["pk"]["S"]
        if record["eventName"] != "INSERT" or not key.startswith("OUTBOX#"):
            raise ValueError(f"the stream filter let {record['eventName']} {key} through")
        if _count(f"PUBLISH#{key}") <= int(image["publisherFailures"]["N"]):
            raise RuntimeError(f"planned publisher failure for {key}")
        entries.append(
            {
                "Source": SOURCE,
                "DetailType": DETAIL_TYPE,
                "Detail": image["detail"]["S"],
                "EventBusName": os.environ["EVENT_BUS_NAME"],
            }
        )
    response = _events().put_events(Entries=entries)  # type: ignore[arg-type]
    if response["FailedEntryCount"]:
        raise RuntimeError(f"{response['FailedEntryCount']} event(s) were not put")


def _exists(key: str) -> bool:
    item = {"pk": {"S": key}, "sk": {"S": "SWITCH"}}
    return "Item" in _dynamodb().get_item(TableName=os.environ["TABLE_MAIN"], Key=item, ConsistentRead=True)


def inbox(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fails a message whose outcome is ``fail``, or ``failWhileSwitched`` while its switch item exists."""
    failures = []
    for record in event["Records"]:
        detail = json.loads(record["body"])["detail"]
        _count(f"RECEIVED#{detail['id']}")
        outcome = detail.get("outcome")
        if outcome == "fail" or (outcome == "failWhileSwitched" and _exists(f"FAIL#{detail['id']}")):
            failures.append({"itemIdentifier": record["messageId"]})
        else:
            _count(f"HANDLED#{detail['id']}")
    return {"batchItemFailures": failures}


def _arrive(key: str, **values: str) -> None:
    """Records one arrival under ``key``: when (epoch seconds), in which process, and ``values``."""
    _dynamodb().put_item(
        TableName=os.environ["TABLE_MAIN"],
        Item={
            "pk": {"S": key},
            "sk": {"S": f"AT#{time.time():.6f}#{os.getpid()}"},
            "at": {"N": f"{time.time():.6f}"},
            "pid": {"N": str(os.getpid())},
            **{name: {"S": value} for name, value in values.items()},
        },
    )


def ledger(event: dict[str, Any], context: Any) -> Any:
    """The platform's consumer shape (``shared.events.consumer``): partial batch failures, and a handler
    idempotent by the write that records its effect (``HANDLED#<id>``, once). An event with ``crashOnce`` ends the process the first time it is handled, as a worker that dies
    (out of memory, a segfault) would; whatever else was in that batch is recorded as its batch-mates."""
    batch = [json.loads(record["body"])["detail"]["data"]["id"] for record in event["Records"]]
    for record in event["Records"]:
        data, attributes = json.loads(record["body"])["detail"]["data"], record["attributes"]
        _arrive(
            f"ARRIVAL#{data['id']}",
            receiveCount=attributes["ApproximateReceiveCount"],
            firstReceivedAt=attributes["ApproximateFirstReceiveTimestamp"],
        )

    from shared.events.consumer import Received, consume_batch
    from shared.events.envelope import EventData
    from shared.observability import create_logger

    class ProbeLedgered(EventData):
        event_type = LEDGER_DETAIL_TYPE

        id: str
        crash_once: bool = False

    def handle(event: Received[ProbeLedgered]) -> None:
        data = event.data
        if data.crash_once and _count(f"CRASH#{data.id}") == 1:
            _arrive(f"CRASHED#{data.id}", batch=json.dumps(batch))
            os._exit(3)
        _count_once(f"HANDLED#{data.id}")

    return consume_batch(event, context, handlers={ProbeLedgered: handle}, logger=create_logger())


def sleeper(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleeps ``sleepS`` seconds, then counts ``SLEPT#<id>``: past its timeout, Lambda stops it first."""
    _arrive(f"SLEEPING#{event['id']}")
    time.sleep(float(event["sleepS"]))
    _count(f"SLEPT#{event['id']}")
    return {"slept": event["sleepS"], "pid": os.getpid()}


def tick(event: dict[str, Any], context: Any) -> None:
    switch = {"pk": {"S": "TICK"}, "sk": {"S": "FAIL"}}
    if "Item" in _dynamodb().get_item(TableName=os.environ["TABLE_MAIN"], Key=switch):
        raise RuntimeError("planned tick failure")
    _count("TICKS")


def seed(event: dict[str, Any], context: Any) -> None:
    _dynamodb().put_item(
        TableName=os.environ["TABLE_MAIN"],
        Item={"pk": {"S": "SEED"}, "sk": {"S": "SEED"}, "loadedBy": {"S": context.function_name}},
    )
