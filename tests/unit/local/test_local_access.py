"""The local cloud refuses what a function's role in AWS would refuse: only what its manifest declares."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local.access import Permission, install, permissions, policy_document, refused
from shared.manifest import (
    Bucket,
    BucketAccess,
    Function,
    Index,
    Queue,
    ServiceManifest,
    Table,
    TableAccess,
)

ENV = "local"
ACCOUNT = "123456789012"
MANIFEST = ServiceManifest(
    name="probe",
    title="Probe",
    routes=(),
    functions=(
        Function(
            "api",
            "probe.api",
            "api",
            access=(
                TableAccess("main", ("GetItem", "PutItem"), indexes=("byOwner",)),
                BucketAccess("files", ("PutObject",)),
            ),
        ),
        Function("publisher", "probe.publisher", "publisher"),
        Function("nightly", "probe.nightly", "job", access=(TableAccess("main", ("UpdateItem",)),)),
    ),
    tables=(Table("main", indexes=(Index("byOwner", "ownerKey"),), stream=True),),
    buckets=(Bucket("files"),),
    queues=(Queue("outbound", senders=("nightly",)),),
)
POLICY = policy_document(MANIFEST, ENV, ACCOUNT)
API = MANIFEST.function_name(ENV, "api")
NIGHTLY = MANIFEST.function_name(ENV, "nightly")
PUBLISHER = MANIFEST.function_name(ENV, "publisher")
TABLE = MANIFEST.table_name(ENV, "main")


def _refused(function: str, service: str, operation: str, **params: object) -> list[Permission]:
    return refused(POLICY, function, list(permissions(service, operation, params)))


def test_a_declared_action_passes_and_an_undeclared_one_is_refused() -> None:
    assert _refused(API, "dynamodb", "GetItem", TableName=TABLE, Key={}) == []
    assert _refused(API, "dynamodb", "DeleteItem", TableName=TABLE, Key={}) == [
        Permission("dynamodb:DeleteItem", TABLE)
    ]
    assert _refused(NIGHTLY, "dynamodb", "GetItem", TableName=TABLE, Key={}) != []


def test_a_transaction_needs_each_of_its_writes() -> None:
    items = [{"Put": {"TableName": TABLE}}, {"ConditionCheck": {"TableName": TABLE}}]

    assert _refused(API, "dynamodb", "TransactWriteItems", TransactItems=items) == [
        Permission("dynamodb:ConditionCheckItem", TABLE)
    ]


def test_querying_an_index_is_not_querying_its_table() -> None:
    assert _refused(API, "dynamodb", "Query", TableName=TABLE, IndexName="byOwner") == []
    assert _refused(API, "dynamodb", "Query", TableName=TABLE) == [Permission("dynamodb:Query", TABLE)]


def test_the_publisher_puts_events_of_its_own_service_only() -> None:
    own = {"EventBusName": "eservices-local", "Source": "polisen.probe", "DetailType": "X", "Detail": "{}"}
    forged = {**own, "Source": "polisen.reports"}

    assert _refused(PUBLISHER, "events", "PutEvents", Entries=[own]) == []
    assert [p.event_source for p in _refused(PUBLISHER, "events", "PutEvents", Entries=[own, forged])] == [
        "polisen.reports"
    ]
    assert _refused(API, "events", "PutEvents", Entries=[own]) != []


def test_only_a_declared_sender_sends_to_a_queue() -> None:
    url = f"http://localhost/{ACCOUNT}/{MANIFEST.queue_name(ENV, 'outbound')}"

    assert _refused(NIGHTLY, "sqs", "SendMessage", QueueUrl=url, MessageBody="x") == []
    assert _refused(API, "sqs", "SendMessage", QueueUrl=url, MessageBody="x") != []


def test_a_presigned_post_is_the_signers_upload() -> None:
    bucket = MANIFEST.bucket_name(ENV, "files", ACCOUNT)
    post = list(permissions("s3", "CreateBucket", {"Bucket": bucket}, presigned=True))

    assert post == [Permission("s3:PutObject", bucket)]
    assert refused(POLICY, API, post) == []
    assert refused(POLICY, NIGHTLY, post) == post


def test_code_outside_a_manifest_function_is_not_checked() -> None:
    seed = MANIFEST.function_name(ENV, "seed")

    assert _refused(seed, "dynamodb", "DeleteItem", TableName=TABLE, Key={}) == []


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        session = boto3.Session()
        session.client("dynamodb").create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        install(POLICY, session)
        yield session


def test_a_refused_call_fails_as_aws_refuses_it_and_says_what_to_declare(
    session: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = session.client("dynamodb")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", API)

    client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}})
    with pytest.raises(ClientError) as refusal:
        client.delete_item(TableName=TABLE, Key={"pk": {"S": "a"}})

    assert refusal.value.response["Error"]["Code"] == "AccessDeniedException"
    message = refusal.value.response["Error"]["Message"]
    assert "dynamodb:DeleteItem" in message
    assert "services/probe/manifest.py" in message
    assert "Item" in client.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})
