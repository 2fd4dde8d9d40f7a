"""The first citizen journey over the local cloud: file a theft report, follow it, and see it cross the bus."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.reports import THEFT_REPORT, theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
K_NUMBER = re.compile(r"K[1-9]\d*-\d{2}")


@pytest.fixture
def personnummer(rng: random.Random) -> str:
    return str(generate_personnummer(rng))


@pytest.fixture
def token(client: LocalClient, personnummer: str) -> str:
    return client.citizen_token(personnummer)


def file(client: LocalClient, token: str, body: Any = THEFT_REPORT, **headers: str) -> Response:
    return client.request("POST", REPORTS, json_body=body, token=token, headers=headers)


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    document: dict[str, Any] = response.json()
    assert document["status"] == status
    return document


def my_case_numbers(client: LocalClient, token: str) -> list[str]:
    response = client.request("GET", f"{REPORTS}?limit=100", token=token)
    assert response.status == 200, response.body
    return [item["caseNumber"] for item in response.json()["items"]]


def test_a_citizen_files_the_theft_report_and_gets_a_case_number_at_once(
    client: LocalClient, token: str
) -> None:
    response = file(client, token)

    assert response.status == 201, response.body
    report = response.json()
    assert K_NUMBER.fullmatch(report["caseNumber"])
    assert report["region"] == "Stockholm"
    assert report["status"] == "received"
    assert response.headers["location"] == f"{REPORTS}/{report['caseNumber']}"


def test_the_report_crosses_the_bus_and_lands_in_its_region_queue(client: LocalClient, token: str) -> None:
    # A burglary is assessed by staff (a bicycle theft without leads would be decided at once).
    case = file(client, token, theft_report(theftKind="home")).json()["caseNumber"]

    filed = client.wait_for_event("ReportFiled", lambda e: e["detail"]["data"]["caseNumber"] == case)
    assert filed["source"] == "polisen.reports"
    assert filed["detail"]["data"]["region"] == "Stockholm"

    def queued() -> dict[str, Any] | None:
        report: dict[str, Any] = client.request("GET", f"{REPORTS}/{case}", token=token).json()
        return report if report["status"] == "awaitingAssessment" else None

    report = eventually(queued, timeout_s=15, what="triage of the filed report")
    assert [entry["status"] for entry in report["timeline"]] == ["received", "awaitingAssessment"]
    client.wait_for_event("ReportStatusChanged", lambda e: e["detail"]["data"]["caseNumber"] == case)


def test_only_the_owner_can_read_a_report(client: LocalClient, token: str, rng: random.Random) -> None:
    case = file(client, token).json()["caseNumber"]
    stranger = client.citizen_token(str(generate_personnummer(rng)))

    assert client.request("GET", f"{REPORTS}/{case}", token=token).status == 200
    problem(client.request("GET", f"{REPORTS}/{case}", token=stranger), 404)
    problem(client.request("GET", f"{REPORTS}/{case}"), 401)
    problem(client.request("GET", f"{REPORTS}/{case}", token=token + "x"), 401)


def test_a_citizen_sees_their_own_reports_newest_first(client: LocalClient, token: str) -> None:
    first = file(client, token).json()["caseNumber"]
    second = file(client, token).json()["caseNumber"]

    mine = my_case_numbers(client, token)
    assert mine[:2] == [second, first]

    page = client.request("GET", f"{REPORTS}?limit=1", token=token).json()
    assert [item["caseNumber"] for item in page["items"]] == [second]
    rest = client.request("GET", f"{REPORTS}?limit=1&nextToken={page['nextToken']}", token=token).json()
    assert [item["caseNumber"] for item in rest["items"]] == [first]


def test_a_retried_filing_returns_the_same_case_and_a_reused_key_is_refused(
    client: LocalClient, token: str
) -> None:
    first = file(client, token, **{"Idempotency-Key": "e2e-retry"})
    retry = file(client, token, **{"Idempotency-Key": "e2e-retry"})
    changed = file(client, token, theft_report(description="Annan text."), **{"Idempotency-Key": "e2e-retry"})

    assert retry.status == 201
    assert retry.json()["caseNumber"] == first.json()["caseNumber"]
    problem(changed, 422)
    assert my_case_numbers(client, token) == [first.json()["caseNumber"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"type": "theft",', "body"),
        (theft_report(type="piracy"), "type"),
        (
            theft_report(location={"municipalityCode": "0999", "address": "Storgatan 1"}),
            "location.municipalityCode",
        ),
        (theft_report(occurredTo="2026-11-20T07:30:00+01:00"), "occurredTo"),
        (
            theft_report(occurredFrom="2098-11-20T18:00:00+01:00", occurredTo="2099-11-21T07:30:00+01:00"),
            "occurredTo",
        ),
        (theft_report(description="ö" * 4001), "description"),
    ],
    ids=[
        "malformed-json",
        "unknown-type",
        "unknown-municipality",
        "ends-before-start",
        "future",
        "oversized",
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    client: LocalClient, token: str, body: Any, field: str
) -> None:
    if isinstance(body, bytes):
        response = client.request(
            "POST", REPORTS, body=body, token=token, headers={"Content-Type": "application/json"}
        )
    else:
        response = file(client, token, body)

    document = problem(response, 400)
    assert field in {p["name"] for p in document["invalidParameters"]}
    assert my_case_numbers(client, token) == []


def test_an_invalid_personnummer_gets_no_token(client: LocalClient) -> None:
    document = problem(
        client.request("POST", "/_local/token", json_body={"personnummer": "19400908-3273"}), 400
    )
    assert document["invalidParameters"][0]["name"] == "personnummer"


def test_the_correlation_id_follows_the_report_into_the_consumer_and_no_log_holds_a_personnummer(
    client: LocalClient, token: str, personnummer: str, local_cloud: LocalCloud
) -> None:
    case = file(client, token).json()["caseNumber"]
    filed = client.wait_for_event("ReportFiled", lambda e: e["detail"]["data"]["caseNumber"] == case)
    correlation_id = filed["detail"]["metadata"]["correlationId"]
    log = local_cloud.logs_dir / "reports.log"

    def triage_logged() -> list[dict[str, Any]] | None:
        lines = [
            json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")
        ]
        handled = [
            line
            for line in lines
            if line.get("correlation_id") == correlation_id
            and line.get("function_name", "").endswith("-triage")
        ]
        return handled or None

    assert correlation_id
    assert eventually(triage_logged, timeout_s=15, what="a triage log line carrying the correlation id")
    digits = personnummer.replace("-", "")
    for path in local_cloud.logs_dir.glob("*.log"):
        text = path.read_text(encoding="utf-8")
        assert digits not in text, path.name
        assert digits[2:] not in text, path.name
