"""The local cloud as a developer meets it: the services over HTTP, with dev tokens and the bus tap."""

from __future__ import annotations

import random
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from infra.local.cloud import LocalCloud
from tests.e2e.support import LocalClient, Response, eventually, synthetic_personnummer

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"


def _problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    assert document["title"]
    assert document["type"]
    assert document["detail"]
    return document


def _theft_report() -> dict[str, Any]:
    return {
        "type": "theft",
        "occurredFrom": "2026-01-10T08:00:00+01:00",
        "occurredTo": "2026-01-10T09:30:00+01:00",
        "location": {"municipalityCode": "1280", "address": "Stortorget 1"},
        "description": "My bicycle was taken from the rack outside the station.",
        "items": [{"category": "bicycle", "brand": "Crescent"}],
        "notifyOnDecision": True,
    }


def test_health_is_ok_once_started(client: LocalClient) -> None:
    response = client.request("GET", "/_local/health")
    assert response.status == 200
    health = response.json()
    assert health["status"] == "ok"
    assert set(health["services"].values()) == {"ok"}


def test_a_citizen_token_is_issued_for_a_valid_personnummer(client: LocalClient, rng: random.Random) -> None:
    response = client.request(
        "POST", "/_local/token", json_body={"personnummer": synthetic_personnummer(rng)}
    )
    assert response.status == 200
    token = response.json()
    assert token["tokenType"] == "Bearer"
    assert token["expiresIn"] == 3600
    assert client.request("GET", REPORTS, token=token["accessToken"]).status == 200


def test_an_invalid_personnummer_is_400_naming_the_field(client: LocalClient, rng: random.Random) -> None:
    valid = synthetic_personnummer(rng)
    wrong_check_digit = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    response = client.request("POST", "/_local/token", json_body={"personnummer": wrong_check_digit})
    document = _problem(response, 400)
    assert [p["name"] for p in document["invalidParameters"]] == ["personnummer"]
    assert document["invalidParameters"][0]["reason"]


def test_a_citizen_route_without_a_token_is_401(client: LocalClient) -> None:
    _problem(client.request("GET", REPORTS), 401)


def test_a_citizen_route_with_an_expired_token_is_401(client: LocalClient, local_cloud: LocalCloud) -> None:
    claims = {"sub": "expired-citizen", "principalType": "citizen", "personnummer": "194001010000"}
    expired = local_cloud.tokens.issue(claims, ttl_s=-1)
    document = _problem(client.request("GET", REPORTS, token=expired), 401)
    assert "expired" in document["detail"]


def test_a_citizen_route_with_a_badly_signed_token_is_401(client: LocalClient, rng: random.Random) -> None:
    genuine = client.citizen_token(synthetic_personnummer(rng))
    claims = jwt.decode(genuine, options={"verify_signature": False})
    kid = jwt.get_unverified_header(genuine)["kid"]
    not_the_broker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, not_the_broker, algorithm="RS256", headers={"kid": kid})
    document = _problem(client.request("GET", REPORTS, token=forged), 401)
    assert "signature" in document["detail"]
    hmac = jwt.encode(claims, b"not the local cloud's signing key", algorithm="HS256", headers={"kid": kid})
    _problem(client.request("GET", REPORTS, token=hmac), 401)


def test_an_unknown_route_is_404(client: LocalClient) -> None:
    _problem(client.request("GET", "/reports/v1/nothing-here"), 404)
    _problem(client.request("GET", "/no-such-service/v1/anything"), 404)


def test_a_known_path_with_another_method_is_405(client: LocalClient) -> None:
    response = client.request("DELETE", REPORTS)
    _problem(response, 405)
    assert set(response.headers["allow"].split(", ")) == {"GET", "POST"}


def test_an_oversized_body_is_413(client: LocalClient, local_cloud: LocalCloud, rng: random.Random) -> None:
    limit = local_cloud.plan.service("reports").max_body_bytes
    token = client.citizen_token(synthetic_personnummer(rng))
    response = client.request(
        "POST",
        REPORTS,
        body=b"{" + b" " * limit + b"}",
        headers={"Content-Type": "application/json"},
        token=token,
    )
    _problem(response, 413)


def test_a_public_route_needs_no_token(client: LocalClient) -> None:
    response = client.request("GET", "/reports/v1/openapi.json")
    assert response.status == 200
    assert response.json()["openapi"].startswith("3.")


def test_a_filed_report_crosses_the_bus_and_is_triaged(client: LocalClient, rng: random.Random) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    # A burglary is assessed by staff (a bicycle theft without leads would be decided at once).
    filed = client.request("POST", REPORTS, json_body={**_theft_report(), "theftKind": "home"}, token=token)
    assert filed.status == 201, filed.body
    case_number = filed.json()["caseNumber"]

    event = client.wait_for_event("ReportFiled", lambda e: e["detail"]["data"]["caseNumber"] == case_number)
    assert event["source"] == "polisen.reports"
    assert event["id"]
    assert event["time"]
    assert "personnummer" not in str(event["detail"]).lower()

    def triaged() -> dict[str, Any] | None:
        report: dict[str, Any] = client.request("GET", f"{REPORTS}/{case_number}", token=token).json()
        return report if report["status"] == "awaitingAssessment" else None

    report = eventually(triaged, what=f"triage of {case_number}")
    assert report["region"] == "Syd"


def test_another_citizens_report_is_404(client: LocalClient, rng: random.Random) -> None:
    owner = client.citizen_token(synthetic_personnummer(rng))
    stranger = client.citizen_token(synthetic_personnummer(rng))
    case_number = client.request("POST", REPORTS, json_body=_theft_report(), token=owner).json()["caseNumber"]
    assert client.request("GET", f"{REPORTS}/{case_number}", token=owner).status == 200
    _problem(client.request("GET", f"{REPORTS}/{case_number}", token=stranger), 404)


def test_a_staff_token_is_no_e_id_login_and_an_agency_passes_the_pool_s_authorizer_but_not_the_service(
    client: LocalClient,
) -> None:
    staff = client.staff_token(roles=("caseHandler",), region="Syd")
    _problem(client.request("GET", REPORTS, token=staff), 401)
    agency = client.request("POST", "/_local/token", json_body={"clientId": "forsakring", "scopes": ["x"]})
    _problem(client.request("GET", "/reports/v1/staff/queue", token=agency.json()["accessToken"]), 403)
