"""The permits service's handlers as Lambda calls them on moto: the API, the payment provider's signed callback,
the consumers handed what the outbox holds, the deadlines job, and the letters that reached the outgoing mail."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.local.event_sources import scheduled_event, sqs_event
from services.permits import api, consumers, jobs
from services.permits.manifest import PAYMENT_CALLBACK_SECRET
from shared.identity import generate_personnummer
from shared.manifest import queue_variable, secret_variable
from shared.payments import ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_callback
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, rest_event

if TYPE_CHECKING:
    from tests.integration.conftest import MotoCloud

# The moment the permits service's integration tests run on (a Monday, 10:00 in Stockholm).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

BASE = "/permits/v1"
APPLICATIONS = f"{BASE}/applications"
CALLBACKS = f"{BASE}/payment-callbacks"
CONSUMERS = {
    "prepare": consumers.prepare_handler,
    "referralAnswers": consumers.referral_answers_handler,
    "letters": consumers.letters_handler,
}


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def path_of(diarienummer: str) -> str:
    return diarienummer.replace("/", "-")


def call(
    method: str,
    path: str,
    *,
    body: Any = None,
    claims: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    return api.handler(
        rest_event(method, path, body=body, claims=claims, headers=headers, query=query), FakeLambdaContext()
    )


def callback_secret(cloud: MotoCloud) -> bytes:
    name = cloud.plan.service("permits").environment[secret_variable(PAYMENT_CALLBACK_SECRET)]
    return cloud.aws.secrets.get_secret_value(SecretId=name)["SecretString"].encode()


def payment_callback(
    secret: bytes, *, reference: str, amount: int, transaction_id: str = "tx-1", at: datetime = NOW
) -> dict[str, Any]:
    """The payment provider's callback, signed the Standard Webhooks way."""
    body = json.dumps(
        {
            "reference": reference,
            "amountSek": amount,
            "currency": "SEK",
            "transactionId": transaction_id,
            "paidAt": at.isoformat(),
        }
    )
    webhook_id = f"msg_{uuid.uuid4().hex}"
    timestamp = int(at.timestamp())
    headers = {
        ID_HEADER: webhook_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign_callback(
            secret, webhook_id=webhook_id, timestamp=timestamp, body=body.encode()
        ),
    }
    return call("POST", CALLBACKS, body=body, headers=headers)


def table_items(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("permits").environment["TABLE_MAIN"]
    items: list[dict[str, Any]] = cloud.aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return items


def outbox(
    cloud: MotoCloud, detail_type: str, diarienummer: str | None, *, key: str = "diarienummer"
) -> list[dict[str, Any]]:
    """The SQS messages a rule would deliver for the service's waiting events of this type about the case (or
    the licence, with ``key="licenceNumber"``; every one of the type with None)."""
    messages = []
    for item in table_items(cloud):
        if not item["pk"]["S"].startswith("OUTBOX#") or item["detailType"]["S"] != detail_type:
            continue
        detail = json.loads(item["detail"]["S"])
        if diarienummer is not None and detail["data"].get(key) != diarienummer:
            continue
        delivery = {
            "version": "0",
            "id": detail["metadata"]["eventId"],
            "detail-type": detail_type,
            "source": "polisen.permits",
            "account": "123456789012",
            "time": NOW.isoformat(),
            "region": "eu-north-1",
            "resources": [],
            "detail": detail,
        }
        message_id = detail["metadata"]["eventId"]
        messages.append({"MessageId": message_id, "ReceiptHandle": message_id, "Body": json.dumps(delivery)})
    return messages


def deliver(cloud: MotoCloud, consumer: str, message: dict[str, Any]) -> list[Any]:
    """Hand the consumer the message as SQS would; its batch item failures."""
    queue = f"eservices-test-permits-{consumer}"
    event = sqs_event([message], queue_arn=cloud.provisioned.queue_arns[queue])
    return list(CONSUMERS[consumer](event, FakeLambdaContext())["batchItemFailures"])


def run_deadlines(at: datetime) -> dict[str, Any]:
    """The job's run scheduled for ``at`` (the clock may stand later: a delayed run)."""
    result: dict[str, Any] = jobs.deadlines_handler(
        scheduled_event("eservices-test-permits-deadlines", at), FakeLambdaContext()
    )
    return result


def letters_sent(cloud: MotoCloud) -> list[dict[str, Any]]:
    """Every letter handed to the outgoing-mail queue so far (each read once)."""
    name = cloud.plan.service("permits").environment[queue_variable("outgoing-mail")]
    url = cloud.aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]
    found: list[dict[str, Any]] = []
    while messages := cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found.extend(json.loads(m["Body"]) for m in messages)
        cloud.aws.sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
        )
    return found
