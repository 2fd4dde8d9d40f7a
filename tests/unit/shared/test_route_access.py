"""Who may call a route at all, from the manifest's audience and role, before the body is parsed."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.local.apigw import authorizer_context
from shared.http.access import RouteAccess
from shared.manifest import Route

CASE = "/reports/v1/staff/reports/{caseNumber}"
ROUTES = (
    Route("GET", "/reports/v1/reports", "citizen"),
    Route("GET", "/reports/v1/tips", "public"),
    Route("GET", CASE, "staff"),
    Route("POST", f"{CASE}/notes", "staff", role="caseHandler"),
)
CITIZEN = {"sub": "c-1", "principalType": "citizen", "personnummer": "194009083272"}
STAFF = {"sub": "s-1", "principalType": "staff", "staffId": "PM-1", "roles": "reception", "region": "Syd"}
HANDLER = {**STAFF, "roles": "reception caseHandler"}
AGENCY = {"sub": "insurer", "principalType": "agency", "scope": "reports.read"}


def event(
    method: str, resource: str, claims: dict[str, str] | None, body: str | None = None
) -> dict[str, Any]:
    context: dict[str, Any] = {"authorizer": authorizer_context(claims)} if claims is not None else {}
    return {
        "httpMethod": method,
        "resource": resource,
        "path": resource,
        "requestContext": context,
        "body": body,
    }


@pytest.mark.parametrize(
    ("method", "resource", "claims", "status"),
    [
        ("GET", "/reports/v1/reports", None, 401),
        ("GET", "/reports/v1/reports", STAFF, 403),
        ("GET", "/reports/v1/reports", AGENCY, 403),
        ("GET", CASE, CITIZEN, 403),
        ("POST", f"{CASE}/notes", {**HANDLER, "region": ""}, 403),
    ],
    ids=["no-login", "staff-on-citizen-route", "agency", "citizen-on-staff-route", "no-region"],
)
def test_callers_the_route_shuts_out_get_a_problem_before_the_body_is_read(
    method: str, resource: str, claims: dict[str, str] | None, status: int
) -> None:
    refusal = RouteAccess(ROUTES).refusal(event(method, resource, claims, body="not json at all"))

    assert refusal is not None
    assert refusal["statusCode"] == status
    assert refusal["headers"]["Content-Type"] == "application/problem+json"
    assert json.loads(refusal["body"])["status"] == status


@pytest.mark.parametrize(
    ("method", "resource", "claims"),
    [
        ("GET", "/reports/v1/reports", CITIZEN),
        ("GET", "/reports/v1/tips", None),
        ("GET", CASE, STAFF),
        ("POST", f"{CASE}/notes", HANDLER),
        # The role is the domain's to check, so that the refusal is audited with its case.
        ("POST", f"{CASE}/notes", STAFF),
        ("GET", "/reports/v1/undeclared", None),
    ],
    ids=[
        "citizen",
        "public",
        "staff-on-a-route-needing-no-role",
        "handler",
        "staff-without-the-role",
        "undeclared",
    ],
)
def test_callers_the_route_admits_go_on(method: str, resource: str, claims: dict[str, str] | None) -> None:
    assert RouteAccess(ROUTES).refusal(event(method, resource, claims)) is None


def test_a_manifest_cannot_give_a_citizen_route_a_role() -> None:
    from shared.manifest import Function, ServiceManifest, Table

    with pytest.raises(ValueError, match="only staff routes name a role"):
        ServiceManifest(
            name="demo",
            title="Demo",
            routes=(Route("GET", "/demo/v1/things", "citizen", role="caseHandler"),),
            functions=(Function("api", "demo.api.handler", "api"),),
            tables=(Table("main"),),
        )
