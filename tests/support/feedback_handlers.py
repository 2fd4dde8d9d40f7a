"""The feedback service's handlers as Lambda calls them on moto: the API, the consumers handed what the outbox
holds (or another service's announcement), the deadlines job, and the letters that reached the outgoing mail."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from infra.local.event_sources import scheduled_event, sqs_event
from services.feedback import api, consumers, jobs
from shared.events.envelope import EventData, new_event
from shared.identity import generate_personnummer
from shared.manifest import queue_variable
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, rest_event

if TYPE_CHECKING:
    from tests.integration.conftest import MotoCloud

# The moment the feedback service's integration tests run on (a Monday, 10:00 in Stockholm).
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

BASE = "/feedback/v1"
ITEMS = f"{BASE}/items"
STAFF = f"{BASE}/staff"
STAFF_ITEMS = f"{STAFF}/items"
CONSUMERS = {"cases": consumers.cases_handler, "letters": consumers.letters_handler}
# The queue each consumer reads an event of a detail type from.
QUEUES = {
    "ReportFiled": "reportCases",
    "PermitApplicationSubmitted": "permitCases",
    "FeedbackAnswered": "letters",
    "LessonPublished": "letters",
}


def citizen(seed: int) -> dict[str, str]:
    return citizen_claims(str(generate_personnummer(random.Random(seed))))


def staff(*roles: str, staff_id: str = "PM-5501", region: str = "Syd") -> dict[str, str]:
    return {
        "sub": f"staff-{staff_id}",
        "principalType": "staff",
        "staffId": staff_id,
        "roles": " ".join(roles),
        "region": region,
    }


FUNCTION = staff("feedback")
MANAGER = staff("manager", staff_id="PM-5502")


def complaint(**changes: Any) -> dict[str, Any]:
    """A complaint about waiting time in Malmö (region Syd) that wants an answer by digital mail."""
    body: dict[str, Any] = {
        "kind": "serviceComplaint",
        "category": "waitingTime",
        "concerns": {"municipalityCode": "1280", "unit": {"name": "Passexpeditionen Malmö"}},
        "text": "Jag väntade i två timmar på passexpeditionen trots bokad tid.",
        "answer": {"by": "digitalMail"},
    }
    body.update(changes)
    return body


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


def table_items(cloud: MotoCloud) -> list[dict[str, Any]]:
    table = cloud.plan.service("feedback").environment["TABLE_MAIN"]
    items: list[dict[str, Any]] = cloud.aws.dynamodb.scan(TableName=table, ConsistentRead=True)["Items"]
    return items


def stored(cloud: MotoCloud, feedback_number: str) -> dict[str, Any]:
    """The item as stored (its JSON body)."""
    (item,) = [i for i in table_items(cloud) if i["pk"]["S"] == f"FEEDBACK#{feedback_number}"]
    body: dict[str, Any] = json.loads(item["body"]["S"])
    return body


def waiting_events(cloud: MotoCloud) -> list[str]:
    return sorted(i["detailType"]["S"] for i in table_items(cloud) if i["pk"]["S"].startswith("OUTBOX#"))


def delivery(detail_type: str, source: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An SQS message as a rule delivers an event."""
    event_id = detail["metadata"]["eventId"]
    body = {
        "version": "0",
        "id": event_id,
        "detail-type": detail_type,
        "source": source,
        "account": "123456789012",
        "time": NOW.isoformat(),
        "region": "eu-north-1",
        "resources": [],
        "detail": detail,
    }
    return {"MessageId": event_id, "ReceiptHandle": event_id, "Body": json.dumps(body)}


def announced(data: EventData, *, source: str) -> dict[str, Any]:
    """Another service's event, as its rule delivers it to the feedback service's queue."""
    envelope = new_event(data, producer=source, occurred_at=NOW, correlation_id="corr-other")
    return delivery(data.event_type, source, json.loads(envelope.detail_json()))


def outbox(cloud: MotoCloud, detail_type: str, key: str, value: str) -> list[dict[str, Any]]:
    """The SQS messages a rule would deliver for the service's waiting events of this type whose ``key``
    is ``value``."""
    messages = []
    for item in table_items(cloud):
        if not item["pk"]["S"].startswith("OUTBOX#") or item["detailType"]["S"] != detail_type:
            continue
        detail = json.loads(item["detail"]["S"])
        if detail["data"].get(key) == value:
            messages.append(delivery(detail_type, "polisen.feedback", detail))
    return messages


def deliver(cloud: MotoCloud, consumer: str, message: dict[str, Any]) -> list[Any]:
    """Hand the consumer the message as SQS would; its batch item failures."""
    detail_type = json.loads(message["Body"])["detail-type"]
    queue = f"eservices-test-feedback-{QUEUES[detail_type]}"
    event = sqs_event([message], queue_arn=cloud.provisioned.queue_arns[queue])
    return list(CONSUMERS[consumer](event, FakeLambdaContext())["batchItemFailures"])


def run_deadlines(at: datetime) -> dict[str, Any]:
    """The job's run scheduled for ``at``."""
    result: dict[str, Any] = jobs.deadlines_handler(
        scheduled_event("eservices-test-feedback-deadlines", at), FakeLambdaContext()
    )
    return result


def letters_sent(cloud: MotoCloud) -> list[dict[str, Any]]:
    """Every letter handed to the outgoing-mail queue so far (each read once)."""
    name = cloud.plan.service("feedback").environment[queue_variable("outgoing-mail")]
    url = cloud.aws.sqs.get_queue_url(QueueName=name)["QueueUrl"]
    found: list[dict[str, Any]] = []
    while messages := cloud.aws.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        found.extend(json.loads(m["Body"]) for m in messages)
        cloud.aws.sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages],
        )
    return found
