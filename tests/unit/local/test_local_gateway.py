"""The gateway over real HTTP, workers stood in for: what API Gateway answers before and after a call."""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from infra.local.gateway import Gateway
from infra.local.invoker import FunctionError
from infra.local.plan import build_plan
from infra.local.pollers import EventTap
from infra.local.tokens import TokenIssuer
from shared.manifest import EID_AUTHORIZER, Function, Route, ServiceManifest, Table

PROBE = ServiceManifest(
    name="probe",
    title="Probe",
    routes=(
        Route("GET", "/probe/v1/things/{id}", "citizen"),
        Route("POST", "/probe/v1/things", "staff"),
        Route("GET", "/probe/v1/public", "public"),
        Route("POST", "/probe/v1/tips", "public", rate_limit_per_second=0.5, burst_limit=1),
    ),
    functions=(Function("api", "probe.api.handler", "api"), EID_AUTHORIZER),
    tables=(Table("main"),),
    rate_limit_per_second=1,
    burst_limit=3,
    max_body_bytes=100,
)


@dataclass
class FakeWorkers:
    """Answers every invocation with ``result`` (or raises ``error``) and keeps the events."""

    result: Any = field(default_factory=lambda: {"statusCode": 200, "body": '{"ok": true}'})
    error: FunctionError | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, service: str, function: str, event: dict[str, Any]) -> Any:
        assert (service, function) == ("probe", "eservices-local-probe-api")
        self.events.append(event)
        if self.error:
            raise self.error
        return self.result


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Harness:
    gateway: Gateway
    workers: FakeWorkers
    tokens: TokenIssuer
    tap: EventTap

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Reply:
        connection = http.client.HTTPConnection("127.0.0.1", self.gateway.port, timeout=5)
        try:
            connection.request(method, path, body, headers or {})
            response = connection.getresponse()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
        finally:
            connection.close()

    def bearer(self, claims: dict[str, str], ttl_s: int | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.issue(claims, ttl_s=ttl_s)}"}


CITIZEN = {"sub": "c-1", "principalType": "citizen", "personnummer": "198503122387"}


@pytest.fixture
def harness() -> Iterator[Harness]:
    workers, tokens, tap = FakeWorkers(), TokenIssuer(issuer="test-idp"), EventTap()
    gateway = Gateway(
        build_plan([PROBE]),
        invoke=workers,
        tokens=tokens,
        tap=tap,
        health=lambda: (True, {"services": {"probe": "ok"}}),
        today=lambda: date(2026, 11, 22),
    )
    gateway.start()
    gateway.accept_service_traffic()
    yield Harness(gateway, workers, tokens, tap)
    gateway.stop()


def _assert_problem(reply: Reply, status: int) -> dict[str, Any]:
    assert reply.status == status, reply.body
    assert reply.headers["content-type"] == "application/problem+json"
    document = reply.json()
    assert document["status"] == status
    assert document["type"].startswith("https://polisen.se/problems/")
    assert document["title"]
    assert document["detail"]
    return dict(document)


def test_a_valid_call_reaches_the_function_and_its_result_comes_back(harness: Harness) -> None:
    harness.workers.result = {"statusCode": 201, "headers": {"Location": "/x"}, "body": '{"id": "1"}'}
    reply = harness.call("GET", "/probe/v1/things/a%20b?x=1", headers=harness.bearer(CITIZEN))
    assert reply.status == 201
    assert reply.headers["location"] == "/x"
    assert reply.headers["x-amzn-requestid"]
    assert reply.json() == {"id": "1"}
    (event,) = harness.workers.events
    assert event["pathParameters"] == {"id": "a b"}
    assert event["queryStringParameters"] == {"x": "1"}
    assert event["requestContext"]["authorizer"]["personnummer"] == "198503122387"
    assert event["requestContext"]["requestId"] == reply.headers["x-amzn-requestid"]


def test_an_unknown_route_is_404_and_another_method_405(harness: Harness) -> None:
    _assert_problem(harness.call("GET", "/probe/v1/nothing"), 404)
    reply = harness.call("DELETE", "/probe/v1/public")
    _assert_problem(reply, 405)
    assert reply.headers["allow"] == "GET"
    assert harness.workers.events == []


@pytest.mark.parametrize("method", ["FOO", "PROPFIND", "M-SEARCH", "get"])
def test_a_method_http_does_not_know_is_answered_as_api_gateway_answers_any_other_a_4xx(
    harness: Harness, method: str
) -> None:
    reply = harness.call(method, "/probe/v1/public")
    _assert_problem(reply, 405)
    assert reply.headers["allow"] == "GET"
    _assert_problem(harness.call(method, "/probe/v1/nothing"), 404)
    assert harness.workers.events == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": f"Bearer {TokenIssuer(issuer='test-idp').issue(CITIZEN)}"},
    ],
    ids=["missing", "other scheme", "garbage", "signed with another key"],
)
def test_an_authenticated_route_without_a_valid_token_is_401(
    harness: Harness, headers: dict[str, str]
) -> None:
    reply = harness.call("GET", "/probe/v1/things/1", headers=headers)
    _assert_problem(reply, 401)
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert harness.workers.events == []


def test_an_expired_token_is_401(harness: Harness) -> None:
    document = _assert_problem(
        harness.call("GET", "/probe/v1/things/1", headers=harness.bearer(CITIZEN, -1)), 401
    )
    assert "expired" in document["detail"]


def test_any_caller_of_the_user_pool_passes_its_authorizer_and_the_service_decides(harness: Harness) -> None:
    agency = {"sub": "skatteverket", "principalType": "agency", "scope": "reports.read"}
    reply = harness.call("POST", "/probe/v1/things", headers=harness.bearer(agency))
    assert reply.status == 200
    assert harness.workers.events[0]["requestContext"]["authorizer"]["claims"]["principalType"] == "agency"


def test_a_citizen_route_takes_only_the_e_id_broker_s_tokens_and_the_others_only_the_pool_s(
    harness: Harness,
) -> None:
    staff = {"sub": "s-1", "principalType": "staff", "staffId": "PM-1", "roles": "triage", "region": "Syd"}
    _assert_problem(harness.call("GET", "/probe/v1/things/1", headers=harness.bearer(staff)), 401)
    _assert_problem(harness.call("POST", "/probe/v1/things", headers=harness.bearer(CITIZEN)), 401)
    assert harness.workers.events == []


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": f"Bearer {TokenIssuer(issuer='test-idp').issue(CITIZEN)}"},
        {"Authorization": "Bearer junk"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["anonymous", "token signed elsewhere", "garbage token", "other scheme"],
)
def test_a_public_route_never_checks_a_token_nor_passes_claims(
    harness: Harness, headers: dict[str, str]
) -> None:
    assert harness.call("GET", "/probe/v1/public", headers=headers).status == 200
    (event,) = harness.workers.events
    assert "authorizer" not in event["requestContext"]


def test_a_public_route_passes_no_claims_even_for_a_token_the_gateway_issued(harness: Harness) -> None:
    assert harness.call("GET", "/probe/v1/public", headers=harness.bearer(CITIZEN)).status == 200
    (event,) = harness.workers.events
    assert "authorizer" not in event["requestContext"]
    assert event["headers"]["Authorization"].startswith("Bearer ")


def test_a_body_over_the_limit_is_413_and_the_connection_stays_usable(harness: Harness) -> None:
    staff = harness.bearer({"sub": "s", "principalType": "staff"})
    assert harness.call("POST", "/probe/v1/things", b"x" * 100, staff).status == 200
    _assert_problem(harness.call("POST", "/probe/v1/things", b"x" * 101, staff), 413)
    assert len(harness.workers.events) == 1


def test_a_client_over_its_rate_is_429_with_retry_after(harness: Harness) -> None:
    replies = [harness.call("GET", "/probe/v1/public") for _ in range(4)]
    assert [r.status for r in replies[:3]] == [200, 200, 200]
    _assert_problem(replies[3], 429)
    assert int(replies[3].headers["retry-after"]) >= 1


def test_a_route_with_its_own_limit_is_429_while_the_service_s_other_routes_answer(harness: Harness) -> None:
    assert harness.call("POST", "/probe/v1/tips").status == 200
    refused = harness.call("POST", "/probe/v1/tips")
    document = _assert_problem(refused, 429)
    assert document["detail"] == "More than 0.5 requests per second"
    assert int(refused.headers["retry-after"]) == 2
    assert harness.call("GET", "/probe/v1/public").status == 200
    assert len(harness.workers.events) == 2


def test_a_function_error_is_502_without_internals(harness: Harness) -> None:
    harness.workers.error = FunctionError("eservices-local-probe-api", "KeyError", "password=hunter2")
    reply = harness.call("GET", "/probe/v1/public")
    _assert_problem(reply, 502)
    assert b"hunter2" not in reply.body
    assert b"KeyError" not in reply.body


def test_a_malformed_proxy_result_is_502(harness: Harness) -> None:
    harness.workers.result = {"statusCode": 200, "body": {"not": "a string"}}
    _assert_problem(harness.call("GET", "/probe/v1/public"), 502)


def test_service_routes_wait_for_the_cloud_to_be_ready(harness: Harness) -> None:
    harness.gateway._accepting.clear()
    reply = harness.call("GET", "/probe/v1/public")
    _assert_problem(reply, 503)
    health = harness.call("GET", "/_local/health")
    assert health.status == 503
    assert health.json()["status"] == "starting"


def test_health_is_ok_once_ready(harness: Harness) -> None:
    reply = harness.call("GET", "/_local/health")
    assert reply.status == 200
    assert reply.json()["status"] == "ok"


def test_the_token_endpoint_issues_tokens_the_gateway_accepts(harness: Harness) -> None:
    reply = harness.call("POST", "/_local/token", json.dumps({"personnummer": "19850312-2387"}).encode())
    assert reply.status == 200
    token = reply.json()
    assert (token["tokenType"], token["expiresIn"]) == ("Bearer", 3600)
    headers = {"Authorization": f"Bearer {token['accessToken']}"}
    assert harness.call("GET", "/probe/v1/things/1", headers=headers).status == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"personnummer": "19850312-2380"}', "personnummer"),
        (b'{"staffId": "PM-1", "roles": ["a"], "region": "Atlantis"}', "region"),
        (b"not json", "body"),
        (b'{"personnummer": "19850312-2387", "expiresIn": 0}', "expiresIn"),
    ],
)
def test_the_token_endpoint_names_the_invalid_field(harness: Harness, body: bytes, field: str) -> None:
    document = _assert_problem(harness.call("POST", "/_local/token", body), 400)
    assert [p["name"] for p in document["invalidParameters"]] == [field]


def test_the_events_endpoint_lists_the_tap_oldest_first_and_filters(harness: Harness) -> None:
    harness.tap.add({"source": "polisen.reports", "detail-type": "ReportFiled", "detail": {"n": 1}})
    harness.tap.add({"source": "polisen.bookings", "detail-type": "AppointmentBooked", "detail": {"n": 2}})
    assert [e["detail"]["n"] for e in harness.call("GET", "/_local/events").json()["events"]] == [1, 2]
    filtered = harness.call("GET", "/_local/events?detail-type=AppointmentBooked").json()["events"]
    assert [e["detail"]["n"] for e in filtered] == [2]


def test_local_endpoints_answer_404_and_405_too(harness: Harness) -> None:
    _assert_problem(harness.call("GET", "/_local/nothing"), 404)
    _assert_problem(harness.call("GET", "/_local/token"), 405)


def test_the_request_log_names_no_client_address_and_no_query(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    tip = b'{"category": "drugs", "description": "Det saljs narkotika vid hallplatsen."}'

    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name == "infra.local.gateway"]

    with caplog.at_level(logging.INFO, logger="infra.local.gateway"):
        assert harness.call("POST", "/probe/v1/tips", tip).status == 200
        harness.call("GET", "/probe/v1/public?personnummer=19850312-2387")
        # The gateway logs a request after it has answered it: wait, with a deadline, for both lines.
        deadline = time.monotonic() + 5
        while len(lines()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)

    assert any('"POST /probe/v1/tips" 200' in line for line in lines()), lines()
    assert any('"GET /probe/v1/public"' in line for line in lines()), lines()
    assert not [line for line in lines() if "127.0.0.1" in line or "19850312" in line]
