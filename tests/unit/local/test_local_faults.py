"""Faults the local cloud injects into its workers' AWS calls: an API that is away, a PutEvents that refuses an
entry, a crash right after a call returned; each exactly as often, as long and as narrowly as asked."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from infra.local.faults import CRASH_EXIT_CODE, FaultBook, InvalidFault, hooks, parse_fault
from infra.local.processes import REPO_ROOT

FUNCTIONS = {"reports": {"api", "publisher", "triage"}, "bookings": {"api", "documents"}}


@pytest.fixture
def book(tmp_path: Path) -> FaultBook:
    return FaultBook(tmp_path / "faults.json", FUNCTIONS)


@pytest.fixture
def in_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """As inside the reports service's worker while its publisher runs."""
    monkeypatch.setenv("SERVICE_NAME", "reports")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eservices-local-reports-publisher")
    for name, value in {
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


@pytest.fixture
def session(book: FaultBook, in_worker: None) -> Iterator[boto3.session.Session]:
    with mock_aws():
        session = boto3.session.Session()
        for event, handler in hooks(book.path):
            session.events.register(event, handler)
        yield session


def entries(*names: str) -> list[Any]:
    return [
        {"Source": "polisen.reports", "DetailType": "ReportFiled", "Detail": json.dumps({"n": n})}
        for n in names
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"effect": "unavailable", "seconds": 5}, "call"),
        ({"call": "PutEvents", "effect": "unavailable", "seconds": 5}, "call"),
        ({"call": "events:PutEvents", "effect": "explode", "seconds": 5}, "effect"),
        ({"call": "events:PutEvents", "effect": "unavailable"}, "seconds"),
        ({"call": "events:PutEvents", "effect": "unavailable", "seconds": 5, "times": 1}, "seconds"),
        ({"call": "events:PutEvents", "effect": "unavailable", "seconds": 0}, "seconds"),
        ({"call": "events:PutEvents", "effect": "unavailable", "times": True}, "times"),
        ({"call": "dynamodb:PutItem", "effect": "refuse-entries", "times": 1}, "call"),
        ({"call": "*", "effect": "unavailable", "seconds": 5, "service": "permits"}, "service"),
        (
            {
                "call": "*",
                "effect": "unavailable",
                "seconds": 5,
                "service": "reports",
                "function": "documents",
            },
            "function",
        ),
        ({"call": "*", "effect": "unavailable", "seconds": 5, "when": "now"}, "when"),
        (["events:PutEvents"], "body"),
    ],
)
def test_a_fault_that_makes_no_sense_is_refused_naming_the_field(body: Any, field: str) -> None:
    with pytest.raises(InvalidFault) as refused:
        parse_fault(body, now=0.0, functions=FUNCTIONS)
    assert refused.value.name == field


def test_an_unavailable_api_fails_at_once_for_its_duration_then_answers_again(
    book: FaultBook, session: boto3.session.Session
) -> None:
    events = session.client("events")
    book.add_from_request({"call": "events:PutEvents", "effect": "unavailable", "seconds": 0.5})

    started = time.monotonic()
    with pytest.raises(ClientError) as failed:
        events.put_events(Entries=entries("a"))
    assert failed.value.response["Error"]["Code"] == "ServiceUnavailable"
    assert time.monotonic() - started < 0.5, "no retries, no network: the SDK's retries are already spent"
    session.client("dynamodb").list_tables()  # other APIs answer

    time.sleep(0.6)
    assert events.put_events(Entries=entries("a"))["FailedEntryCount"] == 0
    assert book.active() == []


def test_a_refused_entry_is_the_only_one_not_put(book: FaultBook, session: boto3.session.Session) -> None:
    events = session.client("events")
    book.add_from_request({"call": "events:PutEvents", "effect": "refuse-entries", "entry": 1, "times": 2})

    first = events.put_events(Entries=entries("a", "b", "c"))
    alone = events.put_events(Entries=entries("b"))
    after = events.put_events(Entries=entries("a", "b"))

    assert first["FailedEntryCount"] == 1
    assert ["ErrorCode" in e for e in first["Entries"]] == [False, True, False]
    assert alone["FailedEntryCount"] == 1
    assert alone["Entries"][0]["ErrorCode"] == "InternalFailure"
    assert after["FailedEntryCount"] == 0, "two times, then no more"


def test_a_fault_for_one_service_or_function_leaves_the_others_alone(
    book: FaultBook, session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb = session.client("dynamodb")
    book.add_from_request(
        {"call": "dynamodb:*", "effect": "unavailable", "seconds": 60, "function": "triage"}
    )
    book.add_from_request({"call": "*", "effect": "unavailable", "seconds": 60, "service": "bookings"})

    dynamodb.list_tables()  # the publisher of reports
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "eservices-local-reports-triage")
    with pytest.raises(ClientError, match="ServiceUnavailable"):
        dynamodb.list_tables()


def test_a_crash_comes_right_after_the_call_returned(
    book: FaultBook, session: boto3.session.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    dynamodb = session.client("dynamodb")
    dynamodb.create_table(
        TableName="t",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    class Crashed(Exception):
        pass

    def crash(code: int) -> None:
        raise Crashed(code)

    monkeypatch.setattr(os, "_exit", crash)
    book.add_from_request({"call": "dynamodb:PutItem", "effect": "crash-after", "times": 1})

    with pytest.raises(Crashed) as crashed:
        dynamodb.put_item(TableName="t", Item={"pk": {"S": "committed"}})
    assert crashed.value.args == (CRASH_EXIT_CODE,)
    assert "Item" in dynamodb.get_item(TableName="t", Key={"pk": {"S": "committed"}}), "the write was made"
    dynamodb.put_item(TableName="t", Item={"pk": {"S": "next"}})  # once only


def test_times_are_counted_across_every_worker_process(book: FaultBook, tmp_path: Path) -> None:
    fault = book.add_from_request({"call": "events:PutEvents", "effect": "unavailable", "times": 3})
    script = (
        "import sys; from pathlib import Path; from infra.local.faults import _Injector\n"
        "injector = _Injector(Path(sys.argv[1]))\n"
        "print(sum(injector.fault_for('events:PutEvents', {'unavailable'}) is not None for _ in range(5)))\n"
    )
    workers = [
        subprocess.run(  # noqa: S603 - a fixed script with this interpreter
            [sys.executable, "-c", script, str(book.path)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            check=True,
        )
        for _ in range(2)
    ]

    assert sum(int(w.stdout) for w in workers) == 3
    assert book.active() == [], f"{fault.id} has fired all its times"


def test_installed_hooks_reach_every_session_the_worker_creates(book: FaultBook, tmp_path: Path) -> None:
    book.add_from_request({"call": "events:PutEvents", "effect": "unavailable", "seconds": 60})
    script = (
        "import sys; from pathlib import Path; import boto3\n"
        "from infra.local.faults import install\n"
        "install(Path(sys.argv[1]))\n"
        "client = boto3.session.Session().client('events', endpoint_url='http://127.0.0.1:9')\n"
        "try:\n"
        "    client.put_events(Entries=[{'Source': 's', 'DetailType': 'd', 'Detail': '{}'}])\n"
        "except client.exceptions.ClientError as exc:\n"
        "    print(exc.response['Error']['Code'])\n"
    )
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "AWS_DEFAULT_REGION": "eu-north-1",
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
    }
    done = subprocess.run(  # noqa: S603 - a fixed script with this interpreter
        [sys.executable, "-c", script, str(book.path)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environment,
        check=True,
    )

    assert done.stdout.strip() == "ServiceUnavailable"


def test_clearing_ends_every_fault(book: FaultBook) -> None:
    book.add_from_request({"call": "*", "effect": "unavailable", "seconds": 60})
    assert len(book.active()) == 1

    book.clear()

    assert book.active() == []
    assert json.loads(book.path.read_text()) == []


def test_faults_are_added_listed_and_cleared_over_the_gateway(book: FaultBook) -> None:
    from infra.local.gateway import Gateway
    from infra.local.plan import build_plan
    from infra.local.pollers import EventTap
    from infra.local.tokens import TokenIssuer
    from tests.unit.local.test_local_gateway import PROBE

    gateway = Gateway(
        build_plan([PROBE]),
        invoke=lambda *_: None,
        tokens=TokenIssuer(issuer="test-idp"),
        tap=EventTap(),
        health=lambda: (True, {}),
        faults=book,
    )
    gateway.start()

    def call(method: str, body: Any = None) -> tuple[int, dict[str, str], Any]:
        connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=5)
        try:
            payload = None if body is None else json.dumps(body).encode()
            connection.request(method, "/_local/faults", payload)
            response = connection.getresponse()
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, json.loads(response.read() or b"null")
        finally:
            connection.close()

    try:
        status, _, added = call("POST", {"call": "events:PutEvents", "effect": "unavailable", "seconds": 25})
        assert status == 201
        assert added["until"] > time.time() + 20
        status, headers, refused = call("POST", {"call": "events:PutEvents", "effect": "unavailable"})
        assert (status, headers["content-type"]) == (400, "application/problem+json")
        assert refused["invalidParameters"][0]["name"] == "seconds"
        assert [f["id"] for f in call("GET")[2]["faults"]] == [added["id"]]
        status, headers, _ = call("PUT", {})
        assert (status, headers["allow"]) == (405, "GET, POST, DELETE")
        assert call("DELETE")[2] == {"faults": []}
        assert call("GET")[2] == {"faults": []}
    finally:
        gateway.stop()
