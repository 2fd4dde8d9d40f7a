"""Bad input is a 4xx problem+json naming what is wrong, on every route of every service, because the shared
resolver refuses it before any route runs (so nothing can be half-written: no route code runs at all)."""

from __future__ import annotations

import base64
import importlib
import json
import re
from types import ModuleType
from typing import Any

import pytest

from infra.catalog import MANIFESTS
from shared.manifest import Route
from tests.support.lambda_events import FakeLambdaContext, citizen_claims, response_header, rest_event

# Well-formed values for each path parameter, so that only the input under test is wrong.
PATH_VALUES = {
    "caseNumber": "K1-26",
    "attachmentId": "00000000-0000-4000-8000-000000000000",
    "foundItemId": "HG1-26",
    "serialNumber": "WSB123456",
    "receptionId": "stockholm-city",
    "bookingNumber": "K7MQ2XRT",
    "diarienummer": "A000.001-2026",
    "requestId": "5f0c2b9e-8d1a-4c3e-9b7f-2a6d4e8c1f00",
    "queue": "weapons",
    "feedbackNumber": "F1-26",
}
# Each route is called by a caller of its audience, as API Gateway and the route access check let through:
# the request's body and parameters are what is under test.
CLAIMS = {
    "citizen": citizen_claims("194009083272"),
    "staff": {
        "sub": "staff-PM-1",
        "principalType": "staff",
        "staffId": "PM-1",
        "roles": "caseHandler reception",
        "region": "Stockholm",
    },
    "agency": {"sub": "municipality-0180", "principalType": "agency", "scope": "permits/referrals:0180"},
}


def _api(route: Route) -> ModuleType:
    manifest = next(m for m in MANIFESTS if route in m.routes)
    return importlib.import_module(manifest.api_function.handler.rsplit(".", 1)[0])


def _routes(where: Any) -> list[Route]:
    return [r for m in MANIFESTS for r in m.routes if where(r)]


def _path(route: Route, **values: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: values.get(m[1], PATH_VALUES[m[1]]), route.path)


def _call(route: Route, path: str | None = None, **event: Any) -> tuple[int, dict[str, Any]]:
    claims = CLAIMS.get(route.audience, CLAIMS["citizen"])
    request = rest_event(route.method, path or _path(route), claims=claims, resource=route.path)
    request.update(event)
    result = _api(route).app.resolve(request, FakeLambdaContext())
    assert response_header(result, "Content-Type") == "application/problem+json", result
    problem = json.loads(result["body"])
    assert problem["status"] == result["statusCode"]
    return result["statusCode"], problem


def _named(problem: dict[str, Any]) -> list[str]:
    return [p["name"] for p in problem.get("invalidParameters", [])]


# The routes whose handler takes a body (POST/PUT/PATCH with a request model).
WITH_BODY = [
    r
    for r in _routes(lambda r: r.method in ("POST", "PUT", "PATCH"))
    if not r.path.endswith(("/assignment", "/complete", "/employee-feedback", "/closing"))
]


def test_the_routes_with_a_body_are_all_here() -> None:
    # Seventeen when the fuzz found them, and more since: each is tested below.
    assert len(WITH_BODY) >= 17


@pytest.mark.parametrize("route", WITH_BODY, ids=lambda r: f"{r.method} {r.path}")
class TestEveryBody:
    def test_bytes_that_are_not_utf8_are_400_naming_body(self, route: Route) -> None:
        body = base64.b64encode(b'{"description": "\xff\xfe caf\xe9"}').decode()
        status, problem = _call(route, body=body, isBase64Encoded=True)
        assert (status, _named(problem)) == (400, ["body"])

    @pytest.mark.parametrize("levels", [2_000, 15_000])
    def test_json_nested_thousands_of_levels_is_400_naming_body(self, route: Route, levels: int) -> None:
        status, problem = _call(route, body="[" * levels + "]" * levels)
        assert (status, _named(problem)) == (400, ["body"])

    def test_a_number_of_thousands_of_digits_is_400_naming_body(self, route: Route) -> None:
        status, problem = _call(route, body='{"n": ' + "9" * 5_000 + "}")
        assert (status, _named(problem)) == (400, ["body"])

    @pytest.mark.parametrize(
        "content_type",
        [
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "text/plain",
            "application/json; charset=latin-1",
        ],
    )
    def test_a_body_that_is_not_json_is_415(self, route: Route, content_type: str) -> None:
        request = rest_event(
            route.method,
            _path(route),
            claims=CLAIMS.get(route.audience, CLAIMS["citizen"]),
            headers={"Content-Type": content_type},
            resource=route.path,
        )
        request["body"] = '--x\r\nContent-Disposition: form-data; name="category"\r\n\r\ndrugs\r\n--x--\r\n'
        result = _api(route).app.resolve(request, FakeLambdaContext())
        assert result["statusCode"] == 415
        assert _named(json.loads(result["body"])) == ["Content-Type"]

    def test_a_body_that_is_not_an_object_is_400(self, route: Route) -> None:
        status, _ = _call(route, body='"just a string"')
        assert status == 400


PARAMETERISED = _routes(lambda r: "{" in r.path)


@pytest.mark.parametrize("route", PARAMETERISED, ids=lambda r: f"{r.method} {r.path}")
def test_a_path_parameter_of_3000_characters_is_400_naming_it(route: Route) -> None:
    name = re.findall(r"{(\w+)}", route.path)[-1]
    status, problem = _call(route, _path(route, **{name: "K" * 3_000}))
    assert status == 400
    assert name in _named(problem)


REPORTS = next(r for r in _routes(lambda r: r.method == "POST" and r.path == "/reports/v1/reports"))


def _theft(**changes: Any) -> dict[str, Any]:
    from tests.support.reports import theft_report

    return theft_report(**changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"notifyOnDecision": "yes"}, "notifyOnDecision"),
        ({"notifyOnDecision": 1}, "notifyOnDecision"),
        ({"occurredFrom": 0}, "occurredFrom"),
        ({"occurredFrom": "0"}, "occurredFrom"),
        ({"occurredFrom": "1700000000"}, "occurredFrom"),
        ({"occurredFrom": "0001-01-01T00:00:00+00:00"}, "occurredFrom"),
        ({"occurredTo": "9999-12-31T23:59:59+01:00"}, "occurredTo"),
        ({"occurredFrom": "1899-12-31T23:00:00+00:00"}, "occurredFrom"),
        ({"items": [{"category": "bicycle", "valueSek": "100"}]}, "items[0].valueSek"),
        ({"items": [{"category": "bicycle", "valueSek": 100.5}]}, "items[0].valueSek"),
        ({"items": [{"category": "mobilePhone", "imei": "490154203237519"}]}, "items[0].imei"),
        ({"type": {"a": 1}}, "type"),
        ({"type": ["theft"]}, "type"),
    ],
)
def test_json_types_are_strict_and_times_bounded(changes: dict[str, Any], field: str) -> None:
    status, problem = _call(REPORTS, body=json.dumps(_theft(**changes)))
    assert (status, _named(problem)) == (400, [field])


SLOTS = next(r for r in _routes(lambda r: r.path.endswith("/slots")))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "0"}, "from"),
        ({"from": "1700000000"}, "from"),
        ({"from": "20261124"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"to": "9999-12-31"}, "to"),
        ({"from": "9999-12-25", "to": "9999-12-31"}, "from"),
    ],
)
def test_date_query_parameters_are_iso_days_within_the_years_served(
    query: dict[str, str], field: str
) -> None:
    status, problem = _call(SLOTS, queryStringParameters=query)
    assert status == 400
    assert field in _named(problem)
