"""API Gateway's rules between HTTP and a function, as the local gateway applies them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from http import HTTPStatus

import pytest

from infra.local.apigw import (
    HttpRequest,
    MalformedProxyResult,
    MethodNotAllowed,
    RouteMatch,
    RouteTable,
    problem,
    proxy_event,
    response_from_proxy_result,
)
from infra.local.plan import RoutePlan

ROUTES = RouteTable(
    [
        RoutePlan("reports", "GET", "/reports/v1/reports", "citizen", "fn-api"),
        RoutePlan("reports", "POST", "/reports/v1/reports", "citizen", "fn-api"),
        RoutePlan("reports", "GET", "/reports/v1/reports/{caseNumber}", "citizen", "fn-api"),
        RoutePlan("reports", "GET", "/reports/v1/reports/mine", "citizen", "fn-api"),
        RoutePlan("files", "GET", "/files/v1/{key+}", "public", "fn-files"),
    ]
)


def _match(method: str, path: str) -> RouteMatch:
    match = ROUTES.match(method, path)
    assert isinstance(match, RouteMatch), match
    return match


def test_a_literal_path_matches_its_route() -> None:
    match = _match("POST", "/reports/v1/reports")
    assert match.route.path == "/reports/v1/reports"
    assert match.path_parameters == {}


def test_a_template_binds_its_parameter_percent_decoded() -> None:
    match = _match("GET", "/reports/v1/reports/K12%2F34-26")
    assert match.route.path == "/reports/v1/reports/{caseNumber}"
    assert match.path_parameters == {"caseNumber": "K12/34-26"}


def test_a_literal_segment_wins_over_a_parameter() -> None:
    assert _match("GET", "/reports/v1/reports/mine").route.path == "/reports/v1/reports/mine"


def test_a_greedy_parameter_takes_the_rest_of_the_path() -> None:
    assert _match("GET", "/files/v1/a/b/c.pdf").path_parameters == {"key": "a/b/c.pdf"}
    assert ROUTES.match("GET", "/files/v1") is None


def test_an_unknown_path_matches_nothing() -> None:
    assert ROUTES.match("GET", "/reports/v1/nothing/here/at/all") is None
    assert ROUTES.match("GET", "/reports/v2/reports") is None


def test_a_known_path_with_another_method_names_the_allowed_ones() -> None:
    assert ROUTES.match("DELETE", "/reports/v1/reports") == MethodNotAllowed(("GET", "POST"))


def _request(**overrides: object) -> HttpRequest:
    values: dict[str, object] = {
        "method": "GET",
        "path": "/reports/v1/reports/K1-26",
        "query": "limit=5&tag=a&tag=b&empty=",
        "headers": [("Accept", "application/json"), ("X-Trace", "1"), ("x-trace", "2"), ("User-Agent", "ua")],
        "body": b"",
        "source_ip": "127.0.0.1",
    }
    values.update(overrides)
    return HttpRequest(**values)  # type: ignore[arg-type]


def _event(request: HttpRequest, claims: dict[str, str] | None = None) -> dict[str, object]:
    return proxy_event(
        request,
        _match(request.method, request.path),
        request_id="req-1",
        claims=claims,
        now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        domain_name="127.0.0.1:3000",
    )


def test_the_proxy_event_carries_the_request_as_api_gateway_rest_does() -> None:
    event = _event(_request())
    assert event["resource"] == "/reports/v1/reports/{caseNumber}"
    assert event["path"] == "/reports/v1/reports/K1-26"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"caseNumber": "K1-26"}
    assert event["queryStringParameters"] == {"limit": "5", "tag": "b", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {"limit": ["5"], "tag": ["a", "b"], "empty": [""]}
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    headers = event["headers"]
    assert isinstance(headers, dict)
    assert headers["X-Trace"] == "2"
    assert headers["X-Forwarded-For"] == "127.0.0.1"
    assert event["multiValueHeaders"]["X-Trace"] == ["1", "2"]  # type: ignore[index]
    context = event["requestContext"]
    assert isinstance(context, dict)
    assert context["requestId"] == "req-1"
    assert context["resourcePath"] == "/reports/v1/reports/{caseNumber}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/reports/v1/reports/K1-26"
    assert context["stage"] == "local"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["requestTimeEpoch"] == 1767323045000
    assert "authorizer" not in context


def test_a_citizen_s_login_reaches_the_function_as_the_e_id_authorizer_s_context() -> None:
    claims = {"sub": "s", "principalType": "citizen", "personnummer": "199001010017"}
    event = _event(_request(), claims)
    authorizer = event["requestContext"]["authorizer"]  # type: ignore[index]
    assert authorizer["principalId"] == "s"
    assert {k: authorizer[k] for k in claims} == claims
    assert "claims" not in authorizer


def test_staff_claims_reach_the_function_as_the_user_pool_authorizer_s_claims() -> None:
    claims = {"sub": "s", "principalType": "staff", "staffId": "PM-1", "roles": "Utredare", "region": "Syd"}
    event = _event(_request(), claims)
    assert event["requestContext"]["authorizer"] == {"claims": claims}  # type: ignore[index]


def test_an_empty_query_and_no_parameters_are_null() -> None:
    event = _event(_request(method="GET", path="/reports/v1/reports", query=""))
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None


def test_a_text_body_is_passed_as_text_and_a_binary_one_as_base64() -> None:
    text = _event(_request(method="POST", path="/reports/v1/reports", body='{"å": 1}'.encode()))
    assert text["body"] == '{"å": 1}'
    assert text["isBase64Encoded"] is False
    binary = _event(_request(method="POST", path="/reports/v1/reports", body=b"\xff\x00"))
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(str(binary["body"])) == b"\xff\x00"


def test_a_proxy_result_becomes_the_http_response() -> None:
    response = response_from_proxy_result(
        {
            "statusCode": 201,
            "headers": {"Location": "/reports/v1/reports/K1-26", "Content-Type": "application/json"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": '{"caseNumber": "K1-26"}',
            "isBase64Encoded": False,
        }
    )
    assert response.status == 201
    assert response.header("Location") == "/reports/v1/reports/K1-26"
    assert [v for k, v in response.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert json.loads(response.body) == {"caseNumber": "K1-26"}


def test_a_header_in_both_maps_appears_once() -> None:
    response = response_from_proxy_result(
        {"statusCode": 200, "headers": {"X-A": "1"}, "multiValueHeaders": {"X-A": ["1", "2"]}, "body": ""}
    )
    assert [v for k, v in response.headers if k == "X-A"] == ["1", "2"]


def test_a_base64_body_is_decoded_and_content_type_defaults_to_json() -> None:
    response = response_from_proxy_result(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )
    assert response.body == b"\x00\x01"
    assert response.header("Content-Type") == "application/json"


def test_hop_by_hop_headers_from_the_function_are_dropped() -> None:
    response = response_from_proxy_result(
        {"statusCode": 204, "headers": {"Content-Length": "99", "Connection": "close", "X-Kept": "y"}}
    )
    assert response.header("Content-Length") is None
    assert response.header("Connection") is None
    assert response.header("X-Kept") == "y"


@pytest.mark.parametrize(
    "result",
    [
        None,
        "ok",
        {"body": "no status"},
        {"statusCode": "abc"},
        {"statusCode": 700},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "multiValueHeaders": {"X": "not a list"}},
        {"statusCode": 200, "body": "!!!", "isBase64Encoded": True},
    ],
)
def test_a_result_api_gateway_cannot_use_is_malformed(result: object) -> None:
    with pytest.raises(MalformedProxyResult):
        response_from_proxy_result(result)


def test_a_problem_is_rfc_9457_json() -> None:
    response = problem(
        HTTPStatus.BAD_REQUEST,
        "validation-failed",
        "personnummer: the check digit is wrong",
        instance="/_local/token",
        invalid_parameters=[("personnummer", "the check digit is wrong")],
    )
    assert response.status == 400
    assert response.header("Content-Type") == "application/problem+json"
    assert json.loads(response.body) == {
        "type": "https://polisen.se/problems/validation-failed",
        "title": "Bad Request",
        "status": 400,
        "detail": "personnummer: the check digit is wrong",
        "instance": "/_local/token",
        "invalidParameters": [{"name": "personnummer", "reason": "the check digit is wrong"}],
    }
