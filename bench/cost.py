"""What a journey costs in AWS: the calls and capacity units the handlers really use, priced per million.

Each journey runs through the real handlers against moto in this process, provisioned from the manifests as the
local cloud is: the API function, then the table's stream into the outbox publisher, the bus's rules into the
subscribed queues and their consumers, again until nothing is left to deliver. A botocore event hook counts
every AWS call the handlers make. DynamoDB capacity is computed as AWS bills it, from the items themselves
(moto answers ``ReturnConsumedCapacity`` with fixed figures): the bench reads each item a write touches before
and after the call, outside the count, and applies

- writes: 1 unit per started KB of the larger of the item's old and new image (PutItem, UpdateItem; a delete
  the old one), twice that in a transaction; plus every global secondary index the write changes, at the size
  of the index entry (its keys and projected attributes; an entry whose key changes is a delete and a put);
- reads: 1 unit per started 4 KB (GetItem on its item, Query on the sum of what it returned), half that
  eventually consistent, twice in a transaction.

What no handler call shows is modelled and said so in the table: the SQS requests of EventBridge's deliveries
and of Lambda's pollers (send, receive, delete per message), the API Gateway request, the WAF's inspection of
it and the stage's access log line, Lambda's own log lines (none at the functions' system log level WARN),
traces kept at the configured sampling, and the identity provider's charge per monthly active user.

Every journey is run four times and a warm run is priced (warm functions, as almost every invocation is; the
quietest of three for the durations). A function's duration is its own time here, stretched by its share of a
vCPU (``ONE_VCPU_MB``: a 512 MB function has 29 % of one), with each AWS call's time in moto replaced by a
typical latency in AWS (``CALL_LATENCY_MS``).
Prices are list prices of eu-north-1 (Stockholm), on-demand, without free tiers, as written in ``PRICES``.

Run: ``.venv/bin/python bench/cost.py`` (``--journey filing`` for one; ``--json`` for the figures).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

# Run as a script, only bench/ is on the path; the code under test lives at the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3
import botocore.session
from moto import mock_aws

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients
from infra.local.event_sources import is_outbox_insert, sqs_event, stream_event
from infra.local.plan import LocalPlan, build_plan
from infra.local.provision import provision
from infra.local.tokens import (
    LOCAL_EID_AUDIENCE,
    LOCAL_EID_ISSUER,
    TokenIssuer,
    agency_claims,
    serving_eid_keys,
)
from infra.local.tokens import citizen_claims as citizen_claims_of
from shared import synthetic_people
from shared.eid_authorizer import AUDIENCE_VARIABLE, ISSUER_VARIABLE, JWKS_URL_VARIABLE
from shared.identity import generate_personnummer
from shared.manifest import EID_AUTHORIZER, SYSTEM_LOG_LEVEL, Function
from shared.payments import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, PaymentConfirmation, sign_callback
from tests.support.bookings import APPOINTMENTS, booking_body, bookings_event, open_slots
from tests.support.lambda_events import FakeLambdaContext, response_json, rest_event
from tests.support.permits import APPLICATIONS, BASE, duplicate, public_place
from tests.support.reports import theft_report

ENV = "bench"
REGION = "eu-north-1"

# List prices, USD, eu-north-1, on-demand, no free tier.
PRICES = {
    "lambda_request": 0.20 / 1e6,
    # arm64 (the functions' architecture), per GB-second.
    "lambda_gb_s": 0.0000133334,
    "dynamodb_wru": 0.625 / 1e6,
    "dynamodb_rru": 0.125 / 1e6,
    "eventbridge_event": 1.00 / 1e6,
    # Standard queues, per 64 KB chunk of a request.
    "sqs_request": 0.40 / 1e6,
    "kms_request": 0.03 / 1e4,
    "xray_trace": 5.00 / 1e6,
    "apigw_rest_request": 3.50 / 1e6,
    # The web ACL in front of every stage, per request it inspects (its monthly charges are not per filing).
    "waf_request": 0.60 / 1e6,
    "secrets_call": 0.05 / 1e4,
    "logs_gb": 0.50,
    "metrics_put": 0.01 / 1e3,
    "s3_put": 0.005 / 1e3,
    "s3_get": 0.0004 / 1e3,
    # Cognito user pool, a user signing in through a SAML or OIDC identity provider, per monthly active user.
    "cognito_federated_mau": 0.015,
}
# A citizen who files a report rarely files another that month: each filing is one monthly active user.
FILINGS_PER_USER_MONTH = 1.0
# What a call waits for in AWS, in place of moto's time in this process (typical latencies from inside a
# region, ms): a function is billed for its own work and for these waits.
CALL_LATENCY_MS = {
    "dynamodb": 6.0,
    "events": 25.0,
    "sqs": 12.0,
    "secretsmanager": 15.0,
    "s3": 20.0,
    "kms": 8.0,
}
# Lambda writes START, END and REPORT lines of its own per invocation (about this many bytes), at INFO: none
# when the functions' system log level is WARN (``shared.manifest.SYSTEM_LOG_LEVEL``).
PLATFORM_LOG_BYTES = 330 if SYSTEM_LOG_LEVEL in ("INFO", "DEBUG") else 0
# The stage's access log line of a request (the dozen JSON fields of ``infra.cloud.service_api``).
ACCESS_LOG_BYTES = 420
# Below this much memory a function gets that share of one vCPU (AWS: 1,769 MB is one vCPU), so its own work
# takes longer in proportion; a core of this machine stands for one vCPU. Waits for AWS calls do not stretch.
ONE_VCPU_MB = 1769


# --- counting calls -----------------------------------------------------------------------------------------


@dataclass
class Invocation:
    function: str
    memory_mb: int
    kind: str
    own_ms: float  # this process's time outside AWS calls, on a core of this machine
    waits_ms: float  # the AWS calls, at CALL_LATENCY_MS each
    log_bytes: int

    @property
    def duration_ms(self) -> float:
        """Billed duration: its own work at the function's share of a vCPU, and its waits."""
        return self.own_ms * max(1.0, ONE_VCPU_MB / self.memory_mb) + self.waits_ms


@dataclass
class Ledger:
    calls: Counter[str] = field(default_factory=Counter)
    wru: float = 0.0
    rru: float = 0.0
    wru_by: Counter[str] = field(default_factory=Counter)
    invocations: list[Invocation] = field(default_factory=list)
    # Time spent inside the calls (in moto), and the latency AWS would have instead.
    call_ms: float = 0.0
    modelled_call_ms: float = 0.0
    bus_events: int = 0
    queue_messages: int = 0
    api_requests: int = 0
    sign_ins: int = 0
    # (function, operation, table, what, item kind, units) of every DynamoDB write.
    writes: list[tuple[str, str, str, str, str, float]] = field(default_factory=list)


def _attribute_size(value: Mapping[str, Any]) -> int:
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 2
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _attribute_size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_attribute_size(v) + 1 for v in inner)
    if kind in ("SS", "NS", "BS"):
        return sum(len(str(v).encode()) for v in inner)
    raise ValueError(kind)


def item_size(item: Mapping[str, Any] | None) -> int:
    """Bytes of an item as DynamoDB counts them: attribute names and values."""
    if not item:
        return 0
    return sum(len(name.encode()) + _attribute_size(value) for name, value in item.items())


def write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


@dataclass(frozen=True)
class IndexShape:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY, INCLUDE
    included: tuple[str, ...]


@dataclass(frozen=True)
class TableShape:
    keys: tuple[str, ...]
    indexes: tuple[IndexShape, ...]

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.keys}

    def index_entry(self, index: IndexShape, item: Mapping[str, Any] | None) -> dict[str, Any] | None:
        if not item or any(k not in item for k in index.keys):
            return None
        if index.projection == "ALL":
            return dict(item)
        names = {*self.keys, *index.keys, *(index.included if index.projection == "INCLUDE" else ())}
        return {k: v for k, v in item.items() if k in names}


class CapacityMeter:
    """DynamoDB capacity of each call, from the items it touched, read around it by a client of its own."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        # A session of its own: its calls are not counted.
        self._client = botocore.session.Session().create_client("dynamodb", region_name=REGION)
        self._shapes: dict[str, TableShape] = {}
        self._before: dict[int, list[tuple[str, dict[str, Any], dict[str, Any] | None, int]]] = {}
        self.function = ""
        self.operation = ""

    def shape(self, table: str) -> TableShape:
        if table not in self._shapes:
            described = self._client.describe_table(TableName=table)["Table"]
            indexes = tuple(
                IndexShape(
                    name=i["IndexName"],
                    keys=tuple(k["AttributeName"] for k in i["KeySchema"]),
                    projection=i["Projection"]["ProjectionType"],
                    included=tuple(i["Projection"].get("NonKeyAttributes", ())),
                )
                for i in described.get("GlobalSecondaryIndexes", [])
            )
            self._shapes[table] = TableShape(
                keys=tuple(k["AttributeName"] for k in described["KeySchema"]), indexes=indexes
            )
        return self._shapes[table]

    def _get(self, table: str, key: Mapping[str, Any]) -> dict[str, Any] | None:
        return self._client.get_item(TableName=table, Key=dict(key), ConsistentRead=True).get("Item")

    def _touched(self, operation: str, params: Mapping[str, Any]) -> list[tuple[str, dict[str, Any], int]]:
        """(table, key, factor) of each item a write touches; factor 2 in a transaction."""
        if operation in ("PutItem",):
            table = params["TableName"]
            return [(table, self.shape(table).key_of(params["Item"]), 1)]
        if operation in ("UpdateItem", "DeleteItem"):
            return [(params["TableName"], dict(params["Key"]), 1)]
        if operation == "TransactWriteItems":
            touched = []
            for entry in params["TransactItems"]:
                ((kind, request),) = entry.items()
                table = request["TableName"]
                key = self.shape(table).key_of(request["Item"]) if kind == "Put" else dict(request["Key"])
                touched.append((table, key, 0 if kind == "ConditionCheck" else 2))
            return touched
        if operation == "BatchWriteItem":
            touched = []
            for table, requests in params["RequestItems"].items():
                for request in requests:
                    if "PutRequest" in request:
                        touched.append((table, self.shape(table).key_of(request["PutRequest"]["Item"]), 1))
                    else:
                        touched.append((table, dict(request["DeleteRequest"]["Key"]), 1))
            return touched
        return []

    def before(self, operation: str, params: Mapping[str, Any], call_id: int) -> None:
        self._before[call_id] = [
            (table, key, self._get(table, key), factor)
            for table, key, factor in self._touched(operation, params)
        ]

    def after(
        self, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any], call_id: int
    ) -> None:
        self.operation = operation
        touched = self._before.pop(call_id, [])
        failed = "Error" in parsed
        for table, key, old, factor in touched:
            new = old if failed else self._get(table, key)
            if factor == 0:
                continue
            if failed and operation != "TransactWriteItems":
                # A refused conditional write is billed as a write of the item's size.
                self._write(table, "refused", write_units(item_size(old or params.get("Item"))) * factor, key)
                continue
            if failed:
                continue
            self._write(table, "table", write_units(max(item_size(old), item_size(new))) * factor, key)
            shape = self.shape(table)
            for index in shape.indexes:
                before, after = shape.index_entry(index, old), shape.index_entry(index, new)
                if before == after:
                    continue
                if (
                    before is not None
                    and after is not None
                    and any(before.get(k) != after.get(k) for k in index.keys)
                ):
                    units = write_units(item_size(before)) + write_units(item_size(after))
                else:
                    units = write_units(item_size(after or before))
                self._write(table, f"index {index.name}", units, key)
        self._reads(operation, params, parsed)

    def _write(self, table: str, what: str, units: float, key: Mapping[str, Any] | None = None) -> None:
        self.ledger.wru += units
        self.ledger.wru_by[f"{_short(table)} {what}"] += units
        self.ledger.writes.append((self.function, self.operation, _short(table), what, _kind(key), units))

    def _reads(self, operation: str, params: Mapping[str, Any], parsed: Mapping[str, Any]) -> None:
        consistent = bool(params.get("ConsistentRead"))
        if operation == "GetItem":
            size = item_size(parsed.get("Item"))
            self.ledger.rru += math.ceil(max(size, 1) / 4096) * (1 if consistent else 0.5)
        elif operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in parsed.get("Items", []))
            self.ledger.rru += math.ceil(max(size, 1) / 4096) * (1 if consistent else 0.5)
        elif operation == "BatchGetItem":
            for items in parsed.get("Responses", {}).values():
                self.ledger.rru += sum(math.ceil(max(item_size(i), 1) / 4096) * 0.5 for i in items)
        elif operation == "TransactGetItems":
            for response in parsed.get("Responses", []):
                self.ledger.rru += 2 * math.ceil(max(item_size(response.get("Item")), 1) / 4096)


def _kind(key: Mapping[str, Any] | None) -> str:
    """What an item is, by its key's prefix (``REPORT``, ``OUTBOX``, ...)."""
    if not key:
        return ""
    first = str(next(iter(next(iter(key.values())).values())))
    return first.split("#")[0]


def _short(table: str) -> str:
    return table.removeprefix(f"eservices-{ENV}-")


class CallMeter:
    """Counts every AWS call made through boto3's default session, and meters DynamoDB's capacity."""

    def __init__(self) -> None:
        self.ledger = Ledger()
        self.capacity = CapacityMeter(self.ledger)
        self._counter = 0
        self.on = False
        session = boto3.DEFAULT_SESSION or boto3.setup_default_session() or boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register("provide-client-params.*.*", self._before)
        session.events.register("after-call.*.*", self._after)

    def _before(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if not self.on:
            return
        self._counter += 1
        context["bench_call"] = self._counter
        context["bench_params"] = dict(params)
        context["bench_started"] = time.perf_counter()
        if model.service_model.service_name == "dynamodb":
            self.capacity.before(model.name, params, self._counter)

    def _after(
        self, http_response: Any, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any
    ) -> None:
        call_id = context.get("bench_call")
        if not self.on or call_id is None:
            return
        service = model.service_model.service_name
        self.ledger.calls[f"{service}:{model.name}"] += 1
        self.ledger.call_ms += (time.perf_counter() - context["bench_started"]) * 1000
        self.ledger.modelled_call_ms += CALL_LATENCY_MS.get(service, 10.0)
        if service == "dynamodb":
            params = context.get("bench_params", {})
            self.capacity.after(model.name, params, parsed, call_id)

    def fresh(self) -> Ledger:
        self.ledger = Ledger()
        self.capacity.ledger = self.ledger
        return self.ledger


# --- running the handlers -----------------------------------------------------------------------------------


@contextmanager
def captured_stdout() -> Iterator[Callable[[], int]]:
    """Bytes written to the process's stdout meanwhile (where Lambda's log lines go), kept out of the
    terminal."""
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        written = [0]
        try:
            yield lambda: written[0]
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            written[0] = sink.seek(0, os.SEEK_END)


def _import(dotted: str) -> Callable[..., Any]:
    module, _, attribute = dotted.rpartition(".")
    return getattr(__import__(module, fromlist=[attribute]), attribute)  # type: ignore[no-any-return]


def _forget_shared_stores() -> None:
    # Stores that read their table's name from the environment once: another service's function is another
    # process in Lambda.
    from shared.http import idempotency, pagination

    idempotency._store.cache_clear()
    pagination.service_tokens.cache_clear()


class Cloud:
    def __init__(self, plan: LocalPlan, aws: AwsClients, meter: CallMeter, broker: TokenIssuer) -> None:
        self.plan = plan
        self.aws = aws
        self.meter = meter
        self.provisioned = provision(plan, aws)
        self._manifests = {m.name: m for m in MANIFESTS}
        self._service: str | None = None
        self._seen: set[str] = set()
        self.seeded: set[str] = set()
        self.broker = broker

    def function(self, service: str, name: str) -> Function:
        return next(f for f in self._manifests[service].functions if f.name == name)

    def enter(self, service: str, function: str) -> None:
        environment = self.plan.service(service).environment
        os.environ.update(environment)
        os.environ["AWS_LAMBDA_FUNCTION_NAME"] = f"eservices-{ENV}-{service}-{function}"
        if self._service != service:
            _forget_shared_stores()
            self._service = service

    def invoke(self, service: str, function: str, event: dict[str, Any]) -> Any:
        spec = self.function(service, function)
        self.enter(service, function)
        handler = _import(spec.handler)
        self.meter.capacity.function = f"{service}/{function}"
        ledger = self.meter.ledger
        in_calls, modelled = ledger.call_ms, ledger.modelled_call_ms
        self.meter.on = True
        started = time.perf_counter()
        with captured_stdout() as log_bytes:
            try:
                result = handler(event, FakeLambdaContext())
            finally:
                self.meter.on = False
        wall = (time.perf_counter() - started) * 1000
        own = wall - (ledger.call_ms - in_calls)
        waits = ledger.modelled_call_ms - modelled
        self.meter.ledger.invocations.append(
            Invocation(f"{service}/{function}", spec.memory_mb, spec.kind, own, waits, log_bytes())
        )
        return result

    def sign_in(self, service: str, personnummer: str) -> dict[str, str]:
        """The citizen's e-ID token as the broker issues it, checked by the service's e-ID authorizer as API
        Gateway calls it before the request (a metered invocation); the context it hands the API."""
        self.meter.ledger.sign_ins += 1
        token = self.broker.issue(citizen_claims_of(personnummer, today=datetime.now(UTC).date()))
        method_arn = f"arn:aws:execute-api:{REGION}:123456789012:api/{ENV}/POST/{service}/v1"
        answer = self.invoke(
            service,
            EID_AUTHORIZER.name,
            {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": method_arn},
        )
        claims: dict[str, str] = answer["context"]
        return claims

    def api(self, service: str, event: dict[str, Any]) -> dict[str, Any]:
        self.meter.ledger.api_requests += 1
        response: dict[str, Any] = self.invoke(service, "api", event)
        return response

    # Streams to the publisher, rules to the queues, queues to their consumers, until nothing moves.
    def settle(self) -> None:
        while self._publish() | self._consume():
            pass

    def _publish(self) -> bool:
        moved = False
        for stream in self.plan.streams:
            records = [r for r in self._new_records(stream.table) if is_outbox_insert(r)]
            if not records:
                continue
            arn = self.provisioned.stream_arns[stream.table]
            self.meter.ledger.bus_events += len(records)
            self.invoke(stream.service, "publisher", stream_event(records, stream_arn=arn))
            moved = True
        return moved

    def _new_records(self, table: str) -> list[dict[str, Any]]:
        streams = self.aws.streams
        arn = self.provisioned.stream_arns[table]
        found: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            iterator = streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
            )["ShardIterator"]
            for record in streams.get_records(ShardIterator=iterator)["Records"]:
                number = record["dynamodb"]["SequenceNumber"]
                if number not in self._seen:
                    self._seen.add(number)
                    found.append(record)
        return found

    def _consume(self) -> bool:
        moved = False
        for consumer in self.plan.consumers:
            url = self.provisioned.queue_urls[consumer.queue]
            messages = self.aws.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                continue
            for message in messages:
                self.aws.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            self.meter.ledger.queue_messages += len(messages)
            function = consumer.function.removeprefix(f"eservices-{ENV}-{consumer.service}-")
            self.invoke(
                consumer.service,
                function,
                sqs_event(messages, queue_arn=self.provisioned.queue_arns[consumer.queue]),
            )
            moved = True
        return moved


# --- journeys -----------------------------------------------------------------------------------------------


def filing(cloud: Cloud, run: int) -> None:
    """A citizen files a bicycle theft with no leads and asks to be told: filed, published, triaged (decided
    by a rule), the decision published, the letter written; the events every subscriber receives."""
    claims = cloud.sign_in("reports", str(generate_personnummer(random.Random(1000 + run))))
    body = theft_report(notifyOnDecision=True)
    response = cloud.api(
        "reports",
        rest_event(
            "POST",
            "/reports/v1/reports",
            body=body,
            claims=claims,
            headers={"Idempotency-Key": f"bench-{run}"},
            resource="/reports/v1/reports",
        ),
    )
    assert response["statusCode"] == 201, response
    cloud.settle()


def booking(cloud: Cloud, run: int) -> None:
    """A citizen books a passport appointment: booked, published, the events every subscriber receives."""
    from services.bookings import seed

    if run == 0:
        cloud.enter("bookings", "seed")
        with captured_stdout():
            seed.handler({}, FakeLambdaContext())
    claims = cloud.sign_in("bookings", str(generate_personnummer(random.Random(2000 + run))))
    after = datetime.now(UTC) + timedelta(days=2)
    slots = open_slots("malmo", after)
    slot = slots[run * 3]
    response = cloud.api(
        "bookings",
        bookings_event(
            "POST",
            APPOINTMENTS,
            body=booking_body("malmo", slot.starts_at),
            claims=claims,
            headers={"Idempotency-Key": f"bench-booking-{run}"},
        ),
    )
    assert response["statusCode"] == 201, response
    cloud.settle()


def _permits_seeded(cloud: Cloud) -> None:
    """The registers, the seeded people's licences and the demo applications, as the local cloud starts."""
    from services.permits import seed

    if "permits" in cloud.seeded:
        return
    cloud.seeded.add("permits")
    cloud.enter("permits", "seed")
    # One writer: moto in this process is not thread-safe (the local cloud's moto server serialises DynamoDB).
    seed.SEED_WRITERS = 1
    with captured_stdout():
        seed.handler({}, FakeLambdaContext())


def _submitted(cloud: Cloud, personnummer: str, details: dict[str, Any], key: str) -> dict[str, Any]:
    claims = cloud.sign_in("permits", personnummer)
    response = cloud.api(
        "permits",
        rest_event(
            "POST", APPLICATIONS, body={"details": details}, claims=claims, headers={"Idempotency-Key": key}
        ),
    )
    assert response["statusCode"] == 201, response
    application: dict[str, Any] = response_json(response)
    return application


def _paid_by_callback(cloud: Cloud, application: dict[str, Any], run: int) -> None:
    """The payment provider's signed callback for the application's fee, as it reaches the API."""
    from services.permits.manifest import MANIFEST, PAYMENT_CALLBACK_SECRET

    secret = cloud.aws.secrets.get_secret_value(SecretId=MANIFEST.secret_name(ENV, PAYMENT_CALLBACK_SECRET))
    now = datetime.now(UTC)
    body = PaymentConfirmation(
        reference=application["payment"]["reference"],
        amount_sek=application["fee"]["amountSek"],
        currency="SEK",
        transaction_id=f"tx-bench-{run}-{application['payment']['reference']}",
        paid_at=now,
    ).model_dump_json(by_alias=True)
    webhook_id, timestamp = f"msg_bench_{run}_{application['payment']['reference']}", int(now.timestamp())
    signature = sign_callback(
        secret["SecretString"].encode(), webhook_id=webhook_id, timestamp=timestamp, body=body.encode()
    )
    headers = {ID_HEADER: webhook_id, TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature}
    response = cloud.api(
        "permits", rest_event("POST", f"{BASE}/payment-callbacks", body=body, headers=headers)
    )
    assert response["statusCode"] == 200, response


def permit_duplicate(cloud: Cloud, run: int) -> None:
    """A licence holder asks for a duplicate of a lost licence: submitted, paid by the provider's signed
    callback, prepared and decided by its rule, the decision published and the letter written."""
    if run == 0:
        _permits_seeded(cloud)
    hunter = synthetic_people.WEAPON_HOLDERS[0]
    licence = f"VL-2019-{1 + run % 4:06d}"  # the hunter's four seeded licences (services/permits/seed.py)
    application = _submitted(cloud, hunter, duplicate(licence), f"bench-duplicate-{run}")
    cloud.settle()
    _paid_by_callback(cloud, application, run)
    cloud.settle()


def permit_public_place(cloud: Cloud, run: int) -> None:
    """An outdoor seating: submitted, paid by callback, prepared and referred to the municipality, which
    reads the referral and answers; the answer taken into the case, which joins its region's queue."""
    if run == 0:
        _permits_seeded(cloud)
    citizen = str(generate_personnummer(random.Random(3000 + run)))
    application = _submitted(cloud, citizen, public_place(), f"bench-public-place-{run}")
    cloud.settle()
    _paid_by_callback(cloud, application, run)
    cloud.settle()
    municipality = agency_claims("municipality-0180", ["permits/referrals:0180"])
    number = application["diarienummer"].replace("/", "-")
    referral = f"{BASE}/referrals/{{diarienummer}}"
    read = cloud.api(
        "permits",
        rest_event("GET", f"{BASE}/referrals/{number}", claims=municipality, resource=referral)
        | {"pathParameters": {"diarienummer": number}},
    )
    assert read["statusCode"] == 200, read
    answer = cloud.api(
        "permits",
        rest_event(
            "PUT",
            f"{BASE}/referrals/{number}/answer",
            body={"verdict": "supports"},
            claims=municipality,
            resource=f"{referral}/answer",
        )
        | {"pathParameters": {"diarienummer": number}},
    )
    assert answer["statusCode"] == 200, answer
    cloud.settle()


# The first run warms every function; the warm ones are priced.
RUNS = 4
JOURNEYS: dict[str, Callable[[Cloud, int], None]] = {
    "filing": filing,
    "booking": booking,
    "permit-duplicate": permit_duplicate,
    "permit-public-place": permit_public_place,
}


# --- pricing ------------------------------------------------------------------------------------------------


def _stack_constant(module: str, name: str, default: Any = None) -> Any:
    """A constant of a CDK stack module, read from its source: importing it would start CDK's node runtime."""
    source = (Path(__file__).resolve().parents[1] / "infra" / "cloud" / f"{module}.py").read_text()
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return ast.literal_eval(node.value)
    return default


def traced_share(kind: str) -> float:
    """The share of a function's invocations that X-Ray keeps, from the stacks' configuration. A reservoir
    above zero keeps every request at the volume priced (a million a month is 0.4 a second); Lambda samples
    the invocations it starts itself (queues, streams) at one a second and 5 % above it, so every one too."""
    rate = float(_stack_constant("platform_stack", "DEFAULT_TRACING_SAMPLE_RATE"))
    reservoir = float(_stack_constant("platform_stack", "TRACING_RESERVOIR_PER_SECOND"))
    api_share = 1.0 if reservoir > 0 else rate
    if kind == "api":
        return api_share
    mode = _stack_constant("service_functions", "EVENT_TRACING", "Active")
    if mode == "Active":
        return 1.0
    # PassThrough: traced when the event carries a sampled trace from the request that caused it.
    return api_share if kind == "consumer" else 0.0


@dataclass(frozen=True)
class Line:
    what: str
    quantity: float
    unit: str
    usd_per_million: float
    measured: bool


def price(ledger: Ledger) -> list[Line]:
    p = PRICES
    lines: list[Line] = []
    invocations = ledger.invocations
    gb_s = sum(i.memory_mb / 1024 * max(1.0, math.ceil(i.duration_ms)) / 1000 for i in invocations)
    lines.append(
        Line(
            "Lambda requests",
            len(invocations),
            "invocations",
            len(invocations) * p["lambda_request"] * 1e6,
            True,
        )
    )
    lines.append(Line("Lambda compute", gb_s, "GB-s", gb_s * p["lambda_gb_s"] * 1e6, True))
    lines.append(Line("DynamoDB writes", ledger.wru, "WRU", ledger.wru * p["dynamodb_wru"] * 1e6, True))
    lines.append(Line("DynamoDB reads", ledger.rru, "RRU", ledger.rru * p["dynamodb_rru"] * 1e6, True))
    put_events = ledger.calls["events:PutEvents"]
    lines.append(
        Line(
            "EventBridge events",
            ledger.bus_events,
            f"events ({put_events} PutEvents)",
            ledger.bus_events * p["eventbridge_event"] * 1e6,
            True,
        )
    )
    sqs_measured = sum(n for name, n in ledger.calls.items() if name.startswith("sqs:"))
    sqs_modelled = 3 * ledger.queue_messages
    sqs = sqs_measured + sqs_modelled
    lines.append(
        Line(
            "SQS requests", sqs, f"requests ({sqs_measured} by handlers)", sqs * p["sqs_request"] * 1e6, False
        )
    )
    kms = sum(n for name, n in ledger.calls.items() if name.startswith("kms:"))
    lines.append(
        Line("KMS requests", kms, "requests (data keys reused 5 min)", kms * p["kms_request"] * 1e6, True)
    )
    traces = sum(traced_share(i.kind) for i in invocations)
    lines.append(Line("X-Ray traces", traces, "traces", traces * p["xray_trace"] * 1e6, False))
    lines.append(
        Line(
            "API Gateway REST",
            ledger.api_requests,
            "requests",
            ledger.api_requests * p["apigw_rest_request"] * 1e6,
            True,
        )
    )
    lines.append(
        Line(
            "WAF",
            ledger.api_requests,
            "requests inspected",
            ledger.api_requests * p["waf_request"] * 1e6,
            True,
        )
    )
    secrets = ledger.calls["secretsmanager:GetSecretValue"]
    lines.append(Line("Secrets Manager", secrets, "calls", secrets * p["secrets_call"] * 1e6, True))
    log_bytes = sum(i.log_bytes + PLATFORM_LOG_BYTES for i in invocations)
    log_bytes += ledger.api_requests * ACCESS_LOG_BYTES
    lines.append(
        Line("CloudWatch logs", log_bytes / 1024, "KB ingested", log_bytes / 1e9 * p["logs_gb"] * 1e6, True)
    )
    puts = ledger.calls["cloudwatch:PutMetricData"]
    lines.append(
        Line("CloudWatch metrics", puts, "PutMetricData (EMF in logs)", puts * p["metrics_put"] * 1e6, True)
    )
    s3 = ledger.calls["s3:PutObject"] * p["s3_put"] + ledger.calls["s3:GetObject"] * p["s3_get"]
    if s3:
        lines.append(
            Line(
                "S3", ledger.calls["s3:PutObject"] + ledger.calls["s3:GetObject"], "requests", s3 * 1e6, True
            )
        )
    return lines


def identity_lines(ledger: Ledger) -> list[Line]:
    """What the design not taken would add: the citizens' e-ID federated through the user pool, billed per
    monthly active user (ADR 77). The e-ID authorizer the stacks use is measured with the other functions."""
    maus = ledger.sign_ins / FILINGS_PER_USER_MONTH
    return [
        Line(
            "e-ID through Cognito",
            maus,
            "MAU",
            maus * PRICES["cognito_federated_mau"] * 1e6,
            False,
        ),
    ]


def report(name: str, ledger: Ledger, out: Any, *, verbose: bool = False) -> dict[str, Any]:
    lines = price(ledger)
    total = sum(line.usd_per_million for line in lines)
    identity = identity_lines(ledger)
    print(
        f"\n{name}: {len(ledger.invocations)} invocations, {sum(ledger.calls.values())} AWS calls by handlers",
        file=out,
    )
    print(f"  {'':34} {'per journey':>24} {'$ per million':>14}", file=out)
    for line in lines:
        mark = "" if line.measured else " *"
        print(
            f"  {line.what + mark:34} {line.quantity:>9.2f} {line.unit[:14]:<14} {line.usd_per_million:>14.2f}",
            file=out,
        )
    print(f"  {'AWS services':34} {'':>24} {total:>14.2f}", file=out)
    for line in identity:
        print(
            f"  {'not taken: ' + line.what + ' *':34} {line.quantity:>9.2f} {line.unit[:14]:<14} "
            f"{line.usd_per_million:>14.2f}",
            file=out,
        )
    print(
        "  DynamoDB write units by item: "
        + ", ".join(f"{k} {v:g}" for k, v in sorted(ledger.wru_by.items())),
        file=out,
    )
    print("  calls: " + ", ".join(f"{k} {v}" for k, v in sorted(ledger.calls.items())), file=out)
    print(
        "  functions: " + ", ".join(f"{i.function} {i.duration_ms:.0f} ms" for i in ledger.invocations),
        file=out,
    )
    if verbose:
        for write in ledger.writes:
            print("    write: " + " ".join(str(w) for w in write), file=out)
    return {
        "journey": name,
        "usd_per_million_aws": round(total, 2),
        "lines": {line.what: round(line.usd_per_million, 2) for line in lines + identity},
        "wru": ledger.wru,
        "rru": ledger.rru,
        "wru_by": dict(ledger.wru_by),
        "calls": dict(ledger.calls),
    }


def run(names: list[str], out: Any, *, verbose: bool = False) -> list[dict[str, Any]]:
    plan = build_plan(MANIFESTS, ENV)
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "EServicesBench",
    }.items():
        os.environ[name] = value
    os.environ.pop("AWS_ENDPOINT_URL", None)
    results = []
    # The e-ID broker the authorizer checks each journey's citizen against, its keys served on this machine.
    broker = TokenIssuer(issuer="bench")
    with mock_aws(), serving_eid_keys(broker) as jwks_url:
        os.environ.update(
            {
                ISSUER_VARIABLE: LOCAL_EID_ISSUER,
                AUDIENCE_VARIABLE: LOCAL_EID_AUDIENCE,
                JWKS_URL_VARIABLE: jwks_url,
            }
        )
        boto3.setup_default_session()
        meter = CallMeter()
        aws = AwsClients(
            dynamodb=boto3.Session().client("dynamodb"),
            streams=boto3.Session().client("dynamodbstreams"),
            events=boto3.Session().client("events"),
            sqs=boto3.Session().client("sqs"),
            s3=boto3.Session().client("s3"),
            secrets=boto3.Session().client("secretsmanager"),
        )
        cloud = Cloud(plan, aws, meter, broker)
        for name in names:
            warm: list[Ledger] = []
            for attempt in range(RUNS):
                ledger = meter.fresh()
                JOURNEYS[name](cloud, attempt)
                if attempt:
                    warm.append(ledger)
            # The counts are the same each warm run; the quietest run's durations stand for the machine's.
            quietest = min(warm, key=lambda ledger: sum(i.duration_ms for i in ledger.invocations))
            results.append(report(name, quietest, out, verbose=verbose))
    print(
        "\n* modelled, not a handler's call: SQS sends by EventBridge and the pollers' receive and delete per "
        "message; traces at the configured sampling; identity per monthly active user "
        f"({FILINGS_PER_USER_MONTH:g} filing per user and month).",
        file=out,
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journey", choices=sorted(JOURNEYS), action="append")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON after the tables")
    parser.add_argument("--writes", action="store_true", help="list every DynamoDB write and its units")
    args = parser.parse_args()
    results = run(args.journey or list(JOURNEYS), sys.stdout, verbose=args.writes)
    if args.json:
        print(json.dumps(results, indent=2, default=lambda v: float(v) if isinstance(v, Decimal) else str(v)))


if __name__ == "__main__":
    main()
