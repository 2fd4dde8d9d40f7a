"""Automated decisions and staff's case work over the local cloud: clear cases decided within seconds and the
reporter told, the rest worked by a case handler of the region, invisible to other regions."""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from shared.regions import Region
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.reports import form, theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
STAFF = "/reports/v1/staff"
# Clear cases are decided by triage as soon as the filing's event has crossed the bus: well under a second on
# an idle laptop (bench/automatic_decisions.py --local-cloud), longer when the shared cloud is busy.
DECIDED_WITHIN_S = 30.0
HANDLER = ("caseHandler",)


@pytest.fixture
def citizen(client: LocalClient, rng: random.Random) -> str:
    return client.citizen_token(str(generate_personnummer(rng)))


def file(client: LocalClient, token: str, body: dict[str, Any]) -> str:
    response = client.request("POST", REPORTS, json_body=body, token=token)
    assert response.status == 201, response.body
    return str(response.json()["caseNumber"])


def read(client: LocalClient, token: str, case: str) -> dict[str, Any]:
    response = client.request("GET", f"{REPORTS}/{case}", token=token)
    assert response.status == 200, response.body
    return dict(response.json())


def ok(response: Response, status: int = 200) -> dict[str, Any]:
    assert response.status == status, response.body
    return dict(response.json())


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


def queue_of(client: LocalClient, token: str, region: str | None = None) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    query = {"limit": "100", **({"region": region} if region else {})}
    while True:
        page = ok(client.request("GET", f"{STAFF}/queue?{urlencode(query)}", token=token))
        items.extend(page["items"])
        if not page["nextToken"]:
            return items
        query["nextToken"] = page["nextToken"]


def letter_about(local_cloud: LocalCloud, case: str) -> dict[str, Any] | None:
    """The letter for ``case`` on the outgoing-mail queue, where the mailbox connector would pick it up. Letters
    looked through stay hidden for the queue's visibility timeout, so each look sees only newer ones."""
    sqs = boto3.client(
        "sqs",
        endpoint_url=local_cloud.aws_endpoint,
        region_name="eu-north-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    url = sqs.get_queue_url(QueueName="eservices-local-reports-outgoing-mail")["QueueUrl"]
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            letter: dict[str, Any] = json.loads(message["Body"])
            if letter["caseNumber"] == case:
                return letter
    return None


@pytest.mark.parametrize(
    ("body", "rule_id", "status"),
    [
        (form("parkingDamage"), "parking-damage-no-leads", "closed"),
        (theft_report(), "bicycle-theft-no-leads", "closed"),
        (form("loss"), "loss-registered", "registered"),
    ],
    ids=["parking-damage", "bicycle-theft", "loss"],
)
def test_a_clear_case_is_decided_within_seconds_and_the_reporter_sees_why(
    client: LocalClient, citizen: str, body: dict[str, Any], rule_id: str, status: str
) -> None:
    case = file(client, citizen, body)

    def decided() -> dict[str, Any] | None:
        report = read(client, citizen, case)
        return report if report["decision"] else None

    report = eventually(decided, timeout_s=DECIDED_WITHIN_S, what=f"an automated decision on {case}")
    decision = report["decision"]
    assert report["status"] == status
    assert (decision["decidedBy"], decision["ruleId"]) == ("rule", rule_id)
    assert decision["ruleVersion"] >= 1
    assert report["timeline"][-1] == {
        "status": status,
        "at": decision["decidedAt"],
        "reason": decision["reason"],
    }
    seconds = (
        datetime.fromisoformat(decision["decidedAt"]) - datetime.fromisoformat(report["filedAt"])
    ).total_seconds()
    assert 0 <= seconds < DECIDED_WITHIN_S


def test_a_reporter_who_asked_gets_the_decision_and_its_reason_in_their_digital_mailbox(
    client: LocalClient, rng: random.Random, local_cloud: LocalCloud
) -> None:
    personnummer = str(generate_personnummer(rng))
    token = client.citizen_token(personnummer)
    case = file(client, token, form("parkingDamage", notifyOnDecision=True))

    def told() -> dict[str, Any] | None:
        report = read(client, token, case)
        return report if report["decision"] and report["decision"]["notifiedAt"] else None

    report = eventually(told, timeout_s=DECIDED_WITHIN_S, what=f"the reporter of {case} being told")
    letter = eventually(
        lambda: letter_about(local_cloud, case), timeout_s=DECIDED_WITHIN_S, what=f"a letter about {case}"
    )
    assert letter["recipientPersonnummer"] == personnummer
    assert report["decision"]["reason"] in letter["body"]
    assert case in letter["subject"]


def test_a_case_handler_works_a_queued_case_and_the_reporter_sees_the_decision(
    client: LocalClient, citizen: str, rng: random.Random
) -> None:
    case = file(client, citizen, theft_report(theftKind="home"))
    handler = client.staff_token(f"PM-{rng.randint(1000, 9999)}", roles=HANDLER, region="Stockholm")

    def queued() -> dict[str, Any] | None:
        return next((item for item in queue_of(client, handler) if item["caseNumber"] == case), None)

    entry = eventually(queued, timeout_s=DECIDED_WITHIN_S, what=f"{case} in Stockholm's queue")
    assert entry["priority"] == 1
    taken = ok(client.request("POST", f"{STAFF}/reports/{case}/assignment", token=handler))
    note = ok(
        client.request(
            "POST",
            f"{STAFF}/reports/{case}/notes",
            json_body={"text": "Grannen har en kamera vid porten."},
            token=handler,
        ),
        201,
    )
    reason = "Traces at the scene and a neighbour's camera can be followed up."
    decided = ok(
        client.request(
            "POST",
            f"{STAFF}/reports/{case}/decision",
            json_body={"outcome": "investigationOpened", "reason": reason},
            token=handler,
        )
    )

    assert taken["status"] == "underAssessment"
    assert decided["status"] == "underInvestigation"
    assert decided["notes"] == [note]
    assert case not in [item["caseNumber"] for item in queue_of(client, handler)]
    mine = read(client, citizen, case)
    assert mine["status"] == "underInvestigation"
    assert (mine["decision"]["outcome"], mine["decision"]["reason"]) == ("investigationOpened", reason)
    assert "kamera vid porten" not in json.dumps(mine)
    assert [entry["status"] for entry in mine["timeline"]] == [
        "received",
        "awaitingAssessment",
        "underAssessment",
        "underInvestigation",
    ]


def test_staff_of_another_region_get_404_for_the_case_and_403_for_the_queue(
    client: LocalClient, citizen: str
) -> None:
    case = file(client, citizen, theft_report(theftKind="home"))
    outsider = client.staff_token("PM-7001", roles=HANDLER, region="Väst")
    national = client.staff_token("PM-7002", roles=(), region="National")

    problem(client.request("GET", f"{STAFF}/reports/{case}", token=outsider), 404)
    problem(client.request("POST", f"{STAFF}/reports/{case}/assignment", token=outsider), 404)
    problem(client.request("GET", f"{STAFF}/queue?region=Stockholm", token=outsider), 403)
    assert ok(client.request("GET", f"{STAFF}/reports/{case}", token=national))["caseNumber"] == case
    problem(client.request("POST", f"{STAFF}/reports/{case}/assignment", token=national), 403)
    # A citizen's e-ID login is not a staff sign-in: the staff routes' authorizer refuses it.
    problem(client.request("GET", f"{STAFF}/queue", token=citizen), 401)


def test_the_demo_reports_give_every_region_work_at_start(client: LocalClient) -> None:
    national = client.staff_token("PM-7003", region="National")

    waiting = {region.value: queue_of(client, national, region.value) for region in Region}

    assert sum(len(items) for items in waiting.values()) >= 15
    assert all(waiting.values()), {region: len(items) for region, items in waiting.items()}
