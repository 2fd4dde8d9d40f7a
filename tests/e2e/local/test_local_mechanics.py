"""What the local cloud does between the pieces, observed through a test-only service (``probe_service``).

Isolation of workers and their concurrency, the proxy event a function receives, function errors, the outbox
stream with bounded retries and its failure queue, partial batch failures ending in the DLQ, schedules (and
their failures) and seeding: each as AWS would do it.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import pytest

from infra.catalog import MANIFESTS
from infra.local import redrive
from infra.local.aws import AwsClients
from infra.local.cloud import LocalCloud
from infra.local.invoker import FunctionError
from infra.local.plan import REGION
from infra.local.redrive import DeadLetterQueue, DeadLetters, dead_letter_queues
from shared.manifest import STREAM_RETRY_ATTEMPTS
from tests.e2e import probe_service
from tests.e2e.support import LocalClient, Response, eventually, synthetic_personnummer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import MessageTypeDef

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("probe_cloud")]

PROBE = probe_service.BASE
TABLE = "eservices-local-probe-main"
DLQ = "eservices-local-probe-inbox-dlq"
LEDGER_DLQ = "eservices-local-probe-ledger-dlq"
PUBLISHER_FAILURES = "eservices-local-probe-publisher-failures"
TICK_FAILURES = "eservices-local-probe-tick-failures"


@pytest.fixture(scope="module")
def probe_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    cloud = LocalCloud([*MANIFESTS, probe_service.MANIFEST], run_dir=tmp_path_factory.mktemp("probe-cloud"))
    cloud.start(timeout_s=60)
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def probe(probe_cloud: LocalCloud) -> LocalClient:
    return LocalClient(probe_cloud.base_url)


@pytest.fixture(scope="module")
def aws(probe_cloud: LocalCloud) -> AwsClients:
    return AwsClients.connect(probe_cloud.aws_endpoint)


@pytest.fixture
def dynamodb(aws: AwsClients) -> DynamoDBClient:
    return aws.dynamodb


@pytest.fixture
def sqs(aws: AwsClients) -> SQSClient:
    return aws.sqs


def _count(dynamodb: DynamoDBClient, key: str) -> int:
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": key}, "sk": {"S": "COUNT"}}).get("Item")
    return int(item["n"]["N"]) if item else 0


def _receive(sqs: SQSClient, queue_url: str) -> MessageTypeDef | None:
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=1, WaitTimeSeconds=1, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return messages[0] if messages else None


def _arrivals(dynamodb: DynamoDBClient, group: str) -> int:
    return dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :key",
        ExpressionAttributeValues={":key": {"S": f"RENDEZVOUS#{group}"}},
        Select="COUNT",
    )["Count"]


def _message_id(rng: random.Random) -> str:
    return f"m-{rng.randrange(10**9)}"


def test_reference_data_is_seeded_before_the_cloud_is_ready(dynamodb: DynamoDBClient) -> None:
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": "SEED"}, "sk": {"S": "SEED"}}).get("Item")
    assert item is not None
    assert item["loadedBy"]["S"] == "eservices-local-probe-seed"


def test_a_function_sees_only_its_own_service(probe: LocalClient, probe_cloud: LocalCloud) -> None:
    observed = probe.request("GET", f"{PROBE}/echo").json()
    environment: dict[str, str] = observed["environment"]
    assert environment["SERVICE_NAME"] == "probe"
    assert environment["TABLE_MAIN"] == TABLE
    assert environment["AWS_ENDPOINT_URL"] == probe_cloud.aws_endpoint
    assert environment["AWS_REGION"] == REGION
    assert environment["AWS_LAMBDA_FUNCTION_NAME"] == "eservices-local-probe-api"
    assert environment["POWERTOOLS_TRACE_DISABLED"] == "true"
    assert not [name for name, value in environment.items() if "reports" in value]
    assert "PYTEST_CURRENT_TEST" not in environment
    context = observed["context"]
    assert context["functionName"] == "eservices-local-probe-api"
    assert context["invokedFunctionArn"].endswith(":function:eservices-local-probe-api")
    assert 0 < context["remainingMs"] <= 10_000


def test_the_function_gets_the_rest_proxy_event(probe: LocalClient, rng: random.Random) -> None:
    token = probe.citizen_token(synthetic_personnummer(rng))
    response = probe.request("GET", f"{PROBE}/echo/a%20b?tag=x&tag=y", token=token, headers={"X-Trace": "t1"})
    assert response.status == 200
    assert response.headers["x-amzn-requestid"]
    event = response.json()["event"]
    assert event["resource"] == f"{PROBE}/echo/{{itemId}}"
    assert event["path"] == f"{PROBE}/echo/a b"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"itemId": "a b"}
    assert event["queryStringParameters"] == {"tag": "y"}
    assert event["multiValueQueryStringParameters"] == {"tag": ["x", "y"]}
    assert event["headers"]["X-Trace"] == "t1"
    assert event["body"] is None
    context = event["requestContext"]
    assert context["requestId"] == response.headers["x-amzn-requestid"]
    assert context["resourcePath"] == f"{PROBE}/echo/{{itemId}}"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    # A citizen's login is the e-ID authorizer's context, at the top of requestContext.authorizer.
    login = context["authorizer"]
    assert login["principalType"] == "citizen"
    assert len(login["personnummer"]) == 12
    assert login["principalId"] == login["sub"]


def test_a_public_route_gets_no_claims_even_with_a_token_and_its_citizen_twin_does(
    probe: LocalClient, rng: random.Random
) -> None:
    token = probe.citizen_token(synthetic_personnummer(rng))
    for sent in (None, token, "not-a-token"):
        anonymous = probe.request("GET", f"{PROBE}/echo", token=sent)
        assert anonymous.status == 200
        assert "authorizer" not in anonymous.json()["event"]["requestContext"]
    signed_in = probe.request("GET", f"{PROBE}/echo/me", token=token).json()["event"]
    assert signed_in["requestContext"]["authorizer"]["principalType"] == "citizen"
    assert probe.request("GET", f"{PROBE}/echo/me", token="not-a-token").status == 401


def test_a_function_error_is_502_without_internals_and_the_workers_live_on(
    probe: LocalClient, probe_cloud: LocalCloud
) -> None:
    before = probe_cloud.worker_pids("probe")
    response = probe.request("GET", f"{PROBE}/boom")
    assert response.status == 502
    assert response.headers["content-type"] == "application/problem+json"
    assert b"hunter2" not in response.body
    assert b"RuntimeError" not in response.body
    assert probe_cloud.worker_pids("probe") == before


def test_a_worker_that_dies_is_replaced(probe: LocalClient, probe_cloud: LocalCloud) -> None:
    before = probe_cloud.worker_pids("probe")
    assert probe.request("POST", f"{PROBE}/crash").status == 502
    after = probe_cloud.worker_pids("probe")
    assert len(after) == len(before) == probe_cloud.concurrency
    assert len(set(before) - set(after)) == 1
    assert probe.request("GET", f"{PROBE}/echo").json()["pid"] in after


def _rendezvous(probe: LocalClient, group: str, size: int, wait_s: float = 10) -> Response:
    return probe.request("GET", f"{PROBE}/rendezvous/{group}?size={size}&waitS={wait_s}")


def test_concurrent_requests_run_side_by_side_in_separate_workers(
    probe: LocalClient, probe_cloud: LocalCloud, rng: random.Random
) -> None:
    group, size = _message_id(rng), probe_cloud.concurrency
    with ThreadPoolExecutor(size) as pool:
        responses = list(pool.map(lambda _: _rendezvous(probe, group, size), range(size)))
    assert [r.status for r in responses] == [200] * size
    assert all(r.json()["met"] for r in responses), "the invocations did not run at the same time"
    assert {r.json()["pid"] for r in responses} == set(probe_cloud.worker_pids("probe"))


def test_with_every_worker_busy_a_request_waits_while_other_services_keep_answering(
    probe: LocalClient, probe_cloud: LocalCloud, dynamodb: DynamoDBClient, rng: random.Random
) -> None:
    reports_route = "/reports/v1/openapi.json"
    assert probe.request("GET", reports_route).status == 200  # warm, so its answer below is prompt
    group, busy = _message_id(rng), probe_cloud.concurrency
    with ThreadPoolExecutor(busy + 1) as pool:
        # Waiting for one arrival more than can run, these hold every probe worker until they give up; long
        # enough that the checks below finish first on a loaded machine.
        holders = [pool.submit(_rendezvous, probe, group, busy + 1, 8.0) for _ in range(busy)]
        eventually(lambda: _arrivals(dynamodb, group) == busy, timeout_s=5, what="every probe worker busy")
        waiting = pool.submit(probe.request, "GET", f"{PROBE}/echo")
        assert probe.request("GET", reports_route).status == 200
        assert probe.request("GET", "/_local/health").status == 200
        assert not waiting.done()
        assert waiting.result(timeout=15).status == 200
        assert [h.result().json()["met"] for h in holders] == [False] * busy


def test_an_outbox_item_reaches_the_bus_and_the_subscribed_queue(
    probe: LocalClient, dynamodb: DynamoDBClient, rng: random.Random
) -> None:
    message = _message_id(rng)
    assert (
        probe.request("POST", f"{PROBE}/messages", json_body={"id": message, "outcome": "ok"}).status == 202
    )
    event = probe.wait_for_event(probe_service.DETAIL_TYPE, lambda e: e["detail"]["id"] == message)
    assert event["source"] == probe_service.SOURCE
    eventually(lambda: _count(dynamodb, f"RECEIVED#{message}") == 1, what="delivery to the inbox consumer")
    assert _count(dynamodb, f"PUBLISH#OUTBOX#{message}") == 1


def test_a_failing_publisher_is_retried_with_the_same_records(
    probe: LocalClient, dynamodb: DynamoDBClient, rng: random.Random
) -> None:
    message = _message_id(rng)
    body = {"id": message, "outcome": "ok", "publisherFailures": 2}
    assert probe.request("POST", f"{PROBE}/messages", json_body=body).status == 202
    probe.wait_for_event(probe_service.DETAIL_TYPE, lambda e: e["detail"]["id"] == message)
    assert _count(dynamodb, f"PUBLISH#OUTBOX#{message}") == 3
    published = [
        e for e in probe.events(detail_type=probe_service.DETAIL_TYPE) if e["detail"]["id"] == message
    ]
    assert len(published) == 1


def test_a_poisoned_outbox_record_is_retried_as_in_aws_then_recorded_and_the_stream_moves_on(
    probe: LocalClient, dynamodb: DynamoDBClient, sqs: SQSClient, rng: random.Random
) -> None:
    poisoned, later = _message_id(rng), _message_id(rng)
    body = {"id": poisoned, "outcome": "ok", "publisherFailures": 1000}
    assert probe.request("POST", f"{PROBE}/messages", json_body=body).status == 202
    failures_url = sqs.get_queue_url(QueueName=PUBLISHER_FAILURES)["QueueUrl"]

    recorded = eventually(
        lambda: _receive(sqs, failures_url), what="the poisoned record in the failure queue"
    )
    failure = json.loads(recorded["Body"])
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["DDBStreamBatchInfo"]["batchSize"] == 1
    assert _count(dynamodb, f"PUBLISH#OUTBOX#{poisoned}") == 1 + STREAM_RETRY_ATTEMPTS

    assert probe.request("POST", f"{PROBE}/messages", json_body={"id": later, "outcome": "ok"}).status == 202
    probe.wait_for_event(probe_service.DETAIL_TYPE, lambda e: e["detail"]["id"] == later)
    assert not [
        e for e in probe.events(detail_type=probe_service.DETAIL_TYPE) if e["detail"]["id"] == poisoned
    ]


def test_a_failed_scheduled_run_is_recorded_in_the_jobs_failure_queue(
    dynamodb: DynamoDBClient, sqs: SQSClient
) -> None:
    switch = {"pk": {"S": "TICK"}, "sk": {"S": "FAIL"}}
    failures_url = sqs.get_queue_url(QueueName=TICK_FAILURES)["QueueUrl"]
    dynamodb.put_item(TableName=TABLE, Item=switch)
    try:
        recorded = eventually(
            lambda: _receive(sqs, failures_url), timeout_s=5, what="a failed tick in the failure queue"
        )
    finally:
        dynamodb.delete_item(TableName=TABLE, Key=switch)
    body = json.loads(recorded["Body"])
    assert body["detail-type"] == "Scheduled Event"
    assert body["resources"][0].endswith("schedule/default/eservices-local-probe-tick")
    assert "planned tick failure" in recorded["MessageAttributes"]["ErrorMessage"]["StringValue"]


def test_a_message_reported_as_failed_is_retried_then_moved_to_the_dlq(
    probe: LocalClient, dynamodb: DynamoDBClient, sqs: SQSClient, rng: random.Random
) -> None:
    message = _message_id(rng)
    assert (
        probe.request("POST", f"{PROBE}/messages", json_body={"id": message, "outcome": "fail"}).status == 202
    )
    dlq_url = sqs.get_queue_url(QueueName=DLQ)["QueueUrl"]

    def dead_lettered() -> dict[str, Any] | None:
        messages = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        bodies = [json.loads(m["Body"]) for m in messages]
        return next((b for b in bodies if b["detail"]["id"] == message), None)

    dead = eventually(dead_lettered, timeout_s=20, what="the failed message in the DLQ")
    assert dead["detail-type"] == probe_service.DETAIL_TYPE
    assert _count(dynamodb, f"RECEIVED#{message}") == 2  # the subscription's maxReceiveCount


def test_a_rate_schedule_fires_on_time(dynamodb: DynamoDBClient) -> None:
    first = eventually(lambda: _count(dynamodb, "TICKS") or None, timeout_s=5, what="a first tick")
    eventually(lambda: _count(dynamodb, "TICKS") >= first + 2, timeout_s=5, what="two more ticks")


def test_a_function_can_be_invoked_directly_by_its_logical_name(
    probe_cloud: LocalCloud, dynamodb: DynamoDBClient
) -> None:
    before = _count(dynamodb, "TICKS")
    probe_cloud.invoke("probe", "tick", {})
    assert _count(dynamodb, "TICKS") > before
    with pytest.raises(ValueError, match="no function"):
        probe_cloud.invoke("probe", "nothing", {})


# --- redelivery, timeouts and dead letters, on AWS's timing -------------------------------------------------


def _arrivals_of(dynamodb: DynamoDBClient, key: str) -> list[dict[str, Any]]:
    items = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :key",
        ExpressionAttributeValues={":key": {"S": key}},
        ConsistentRead=True,
    )["Items"]
    arrivals = [
        {
            "at": float(i["at"]["N"]),
            "pid": int(i["pid"]["N"]),
            **{k: v["S"] for k, v in i.items() if "S" in v},
        }
        for i in items
    ]
    return sorted(arrivals, key=lambda a: a["at"])


def _ledger_entry(event_id: str, **data: Any) -> dict[str, Any]:
    detail = {
        "metadata": {
            "eventId": event_id,
            "eventType": probe_service.LEDGER_DETAIL_TYPE,
            "version": 1,
            "occurredAt": "2026-11-22T12:00:00+00:00",
            "correlationId": f"c-{event_id}",
            "producer": probe_service.SOURCE,
        },
        "data": {"id": event_id, **data},
    }
    return {
        "Source": probe_service.SOURCE,
        "DetailType": probe_service.LEDGER_DETAIL_TYPE,
        "Detail": json.dumps(detail),
        "EventBusName": "eservices-local",
    }


def _in_dlq(sqs: SQSClient, queue: str) -> list[dict[str, Any]]:
    letters = DeadLetters(sqs, [DeadLetterQueue(queue, "subscription", "probe", source=None)], local=True)
    state = letters.state(letters.queues[0], peek=1000)
    return [letter.summary for letter in state.peek]


def test_a_worker_that_dies_mid_batch_loses_nothing_and_its_batch_mates_are_not_dead_lettered(
    aws: AwsClients, dynamodb: DynamoDBClient, rng: random.Random
) -> None:
    crashing, *mates = (_message_id(rng) for _ in range(3))
    entries = [_ledger_entry(crashing, crashOnce=True), *(_ledger_entry(m) for m in mates)]
    assert aws.events.put_events(Entries=entries)["FailedEntryCount"] == 0  # type: ignore[arg-type]

    everyone = [crashing, *mates]
    eventually(
        lambda: all(_count(dynamodb, f"HANDLED#{m}") == 1 for m in everyone),
        timeout_s=30,
        what="every event of the crashed batch handled",
    )
    assert [_count(dynamodb, f"HANDLED#{m}") for m in everyone] == [1, 1, 1]
    crashed = _arrivals_of(dynamodb, f"CRASHED#{crashing}")
    assert len(crashed) == 1
    for mate in json.loads(crashed[0]["batch"]):
        assert _count(dynamodb, f"HANDLED#{mate}") == 1, "a batch-mate of the crash was lost or doubled"

    first, second = _arrivals_of(dynamodb, f"ARRIVAL#{crashing}")[:2]
    # Back only once the queue's visibility timeout, counted from the first receive, ran out, as in AWS: never
    # while the invocation that died could still have been running.
    first_received_s = int(second["firstReceivedAt"]) / 1000
    assert second["at"] - first_received_s >= probe_service.LEDGER_VISIBILITY_S - 0.5
    assert (first["receiveCount"], second["receiveCount"]) == ("1", "2")
    assert second["pid"] != first["pid"], "the dead worker was not replaced"
    assert not [s for s in _in_dlq(aws.sqs, LEDGER_DLQ) if s.get("eventId") in everyone]


def test_a_handler_past_its_timeout_is_stopped_there_and_its_worker_replaced(
    probe_cloud: LocalCloud, dynamodb: DynamoDBClient, rng: random.Random
) -> None:
    quick, slow = _message_id(rng), _message_id(rng)
    assert probe_cloud.invoke("probe", "sleeper", {"id": quick, "sleepS": 0.05})["slept"] == 0.05

    started = time.monotonic()
    with pytest.raises(FunctionError) as stopped:
        probe_cloud.invoke("probe", "sleeper", {"id": slow, "sleepS": 30})
    assert stopped.value.error_type == "Sandbox.Timedout"
    assert time.monotonic() - started < probe_service.SLEEPER_TIMEOUT_S + 5, "it ran on past its timeout"

    sleeping = _arrivals_of(dynamodb, f"SLEEPING#{slow}")
    assert len(sleeping) == 1
    pid = sleeping[0]["pid"]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # killed, so nothing after its timeout can ever be written
    assert pid not in probe_cloud.worker_pids("probe")
    assert len(probe_cloud.worker_pids("probe")) == probe_cloud.concurrency
    assert _count(dynamodb, f"SLEPT#{slow}") == 0


def test_a_consumer_failing_past_its_retries_is_recovered_by_the_redrive(
    probe: LocalClient,
    probe_cloud: LocalCloud,
    dynamodb: DynamoDBClient,
    sqs: SQSClient,
    rng: random.Random,
) -> None:
    message = _message_id(rng)
    switch = {"pk": {"S": f"FAIL#{message}"}, "sk": {"S": "SWITCH"}}
    dynamodb.put_item(TableName=TABLE, Item=switch)
    body = {"id": message, "outcome": "failWhileSwitched"}
    assert probe.request("POST", f"{PROBE}/messages", json_body=body).status == 202
    letters = DeadLetters(sqs, dead_letter_queues(probe_cloud.plan), local=True)
    dlq = letters.find(DLQ)

    def dead_lettered() -> bool:
        return any(s.get("detailType") == probe_service.DETAIL_TYPE for s in _in_dlq(sqs, DLQ)) and (
            _count(dynamodb, f"RECEIVED#{message}") == 2
        )

    eventually(dead_lettered, timeout_s=20, what="the failing message in the DLQ")
    state = letters.state(dlq)
    assert state.count >= 1
    assert state.oldest is not None
    assert _count(dynamodb, f"HANDLED#{message}") == 0

    dynamodb.delete_item(TableName=TABLE, Key=switch)  # the cause is fixed
    assert letters.redrive(dlq).startswith("moved ")
    eventually(
        lambda: _count(dynamodb, f"HANDLED#{message}") == 1, timeout_s=15, what="the re-driven message"
    )
    assert _count(dynamodb, f"RECEIVED#{message}") == 3


def test_the_redrive_command_lists_every_dead_letter_queue_and_refuses_what_it_cannot_redrive(
    probe_cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    assert redrive.main(["--endpoint", probe_cloud.aws_endpoint]) == 0
    listing = capsys.readouterr().out
    for name in ("eservices-local-reports-triage-dlq", "eservices-local-bookings-documents-dlq"):
        assert name in listing
    assert "eservices-local-reports-publisher-failures" in listing

    failures = "eservices-local-reports-publisher-failures"
    assert redrive.main(["--endpoint", probe_cloud.aws_endpoint, failures]) == 2
    assert "outbox sweeper" in capsys.readouterr().err
