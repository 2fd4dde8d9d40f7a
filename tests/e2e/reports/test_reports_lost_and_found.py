"""Lost and found over the local cloud: staff register a found item, it is matched to a citizen's loss report,
and the owner sees it on their report; the deadline job runs inside the service."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.reports import theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
# Generous: right after start the cloud is still working through the demo reports it seeded (about 10 s of
# triage and letters), and it is shared with the other end-to-end tests.
WAIT_S = 30.0
FOUND_ITEMS = "/reports/v1/staff/found-items"


def loss_report(serial_number: str) -> dict[str, Any]:
    return theft_report(
        type="loss",
        description="Jag tappade min kamera i parken.",
        items=[{"category": "camera", "brand": "Fujifilm", "serialNumber": serial_number}],
    )


def registration(serial_number: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "camera",
        "description": "Small silver camera in a brown case",
        "brand": "Fujifilm",
        "serialNumber": serial_number,
        "foundAt": "2026-11-21T09:00:00+01:00",
        "place": {"municipalityCode": "0180", "description": "Kungsträdgården, on a bench"},
        "reception": {"name": "Polisen Stockholm City", "municipalityCode": "0180"},
        "finder": {"name": "Finder Person", "phone": "070-123 45 67", "wantsItemIfUnclaimed": True},
    }
    body.update(changes)
    return body


@pytest.fixture
def citizen(client: LocalClient, rng: random.Random) -> str:
    return client.citizen_token(str(generate_personnummer(rng)))


@pytest.fixture
def reception(client: LocalClient) -> str:
    return client.staff_token(staff_id="PM-4711", roles=("reception",), region="Stockholm")


@pytest.fixture
def serial_number(rng: random.Random) -> str:
    # Unique per test: the cloud is shared by the session, and a number two owners name is left to staff.
    return f"FJ{rng.randrange(10**9):09d}"


def file_loss(client: LocalClient, token: str, serial_number: str) -> str:
    response = client.request("POST", REPORTS, json_body=loss_report(serial_number), token=token)
    assert response.status == 201, response.body
    return str(response.json()["caseNumber"])


def register(client: LocalClient, token: str, body: dict[str, Any]) -> Response:
    return client.request("POST", FOUND_ITEMS, json_body=body, token=token)


def my_report(client: LocalClient, token: str, case: str) -> dict[str, Any]:
    response = client.request("GET", f"{REPORTS}/{case}", token=token)
    assert response.status == 200, response.body
    report: dict[str, Any] = response.json()
    return report


def told_of(client: LocalClient, token: str, case: str, found_item_id: str) -> dict[str, Any] | None:
    report = my_report(client, token, case)
    notices = [n for n in report["foundProperty"] if n["foundItemId"] == found_item_id]
    return report if notices else None


def test_a_registered_found_item_is_matched_to_the_loss_report_and_the_owner_sees_it(
    client: LocalClient, citizen: str, reception: str, serial_number: str
) -> None:
    case = file_loss(client, citizen, serial_number)
    eventually(
        lambda: my_report(client, citizen, case)["status"] != "received",
        timeout_s=WAIT_S,
        what="triage of the loss report",
    )

    # Staff type the number as it is printed on the camera: spaced and in lower case.
    spaced = f"{serial_number[:4].lower()} {serial_number[4:]}"
    response = register(client, reception, registration(spaced))
    assert response.status == 201, response.body
    receipt = response.json()
    found_item_id = receipt["foundItemId"]
    assert response.headers["location"] == f"{FOUND_ITEMS}/{found_item_id}"
    assert receipt["reception"] == "Polisen Stockholm City"

    report = eventually(
        lambda: told_of(client, citizen, case, found_item_id), timeout_s=WAIT_S, what="the owner being told"
    )
    (notice,) = report["foundProperty"]
    assert notice["reception"] == "Polisen Stockholm City"
    assert "Polisen Stockholm City" in report["timeline"][-1]["reason"]
    assert found_item_id in report["timeline"][-1]["reason"]
    matched = client.wait_for_event(
        "LostPropertyMatched", lambda e: e["detail"]["data"]["foundItemId"] == found_item_id, timeout_s=WAIT_S
    )
    assert matched["detail"]["data"]["caseNumber"] == case
    assert matched["detail"]["data"]["claimBy"] == notice["claimBy"]

    item = client.request("GET", f"{FOUND_ITEMS}/{found_item_id}", token=reception).json()
    assert item["status"] == "ownerNotified"
    elsewhere = client.staff_token(staff_id="PM-0815", roles=("reception",), region="Väst")
    assert client.request("GET", f"{FOUND_ITEMS}/{found_item_id}", token=elsewhere).status == 404

    handed = client.request(
        "POST",
        f"{FOUND_ITEMS}/{found_item_id}/handover",
        json_body={"to": "owner", "caseNumber": case},
        token=reception,
    )
    assert handed.status == 200, handed.body
    assert my_report(client, citizen, case)["foundProperty"][0]["handedOverAt"]


def test_a_loss_report_filed_after_the_item_was_handed_in_finds_it(
    client: LocalClient, citizen: str, reception: str, serial_number: str
) -> None:
    response = register(client, reception, registration(serial_number))
    assert response.status == 201, response.body
    found_item_id = response.json()["foundItemId"]
    client.wait_for_event(
        "FoundItemRegistered", lambda e: e["detail"]["data"]["foundItemId"] == found_item_id
    )

    case = file_loss(client, citizen, serial_number)

    eventually(
        lambda: told_of(client, citizen, case, found_item_id), timeout_s=WAIT_S, what="the owner being told"
    )


def test_a_found_bicycle_reaches_the_owner_of_a_theft_report_closed_without_investigation(
    client: LocalClient, citizen: str, reception: str, serial_number: str
) -> None:
    stolen = theft_report(items=[{"category": "bicycle", "brand": "Crescent", "frameNumber": serial_number}])
    response = client.request("POST", REPORTS, json_body=stolen, token=citizen)
    assert response.status == 201, response.body
    case = response.json()["caseNumber"]
    eventually(
        lambda: my_report(client, citizen, case)["status"] == "closed",
        timeout_s=WAIT_S,
        what="the rule closing the case",
    )

    bicycle = registration(
        serial_number, category="bicycle", brand="Crescent", description="Black bicycle", serialNumber=None
    )
    response = register(client, reception, {**bicycle, "frameNumber": serial_number})
    assert response.status == 201, response.body

    eventually(
        lambda: told_of(client, citizen, case, response.json()["foundItemId"]),
        timeout_s=WAIT_S,
        what="the owner being told",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"place": {"municipalityCode": "0999", "description": "Torget"}}, "place.municipalityCode"),
        ({"foundAt": "2099-01-01T12:00:00+01:00"}, "foundAt"),
        (
            {"finder": {"name": "Anna", "personnummer": "19400908-3273", "wantsItemIfUnclaimed": False}},
            "finder.personnummer",
        ),
    ],
    ids=["unknown-municipality", "found-in-the-future", "invalid-finder-personnummer"],
)
def test_bad_input_names_the_field_and_registers_nothing(
    client: LocalClient, serial_number: str, changes: dict[str, Any], field: str
) -> None:
    desk = client.staff_token(staff_id="PM-0042", roles=("reception",), region="Bergslagen")
    body = registration(
        serial_number, reception={"name": "Polisen Örebro", "municipalityCode": "1880"}, **changes
    )
    before = kept_in_my_region(client, desk)

    response = register(client, desk, body)

    assert response.status == 400, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert field in {p["name"] for p in response.json()["invalidParameters"]}
    assert kept_in_my_region(client, desk) == before


def kept_in_my_region(client: LocalClient, token: str) -> list[str]:
    listed = client.request("GET", f"{FOUND_ITEMS}?limit=100", token=token)
    assert listed.status == 200, listed.body
    return [i["foundItemId"] for i in listed.json()["items"]]


def test_the_deadline_job_runs_in_the_service_and_leaves_a_fresh_item_alone(
    client: LocalClient, local_cloud: LocalCloud, reception: str, serial_number: str
) -> None:
    found_item_id = register(client, reception, registration(serial_number)).json()["foundItemId"]
    scheduled = {
        "id": "e2e-deadlines",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "detail": {},
    }

    result = local_cloud.invoke("reports", "foundItemDeadlines", scheduled)

    assert result == {"moved": 0, "steps": 0, "skipped": 0}
    item = client.request("GET", f"{FOUND_ITEMS}/{found_item_id}", token=reception).json()
    assert item["status"] in ("registered", "ownerNotified")
    assert item["nextDeadline"]


def test_a_found_item_registered_without_the_reception_role_is_403_and_nothing_is_written(
    client: LocalClient, reception: str, serial_number: str
) -> None:
    no_role = client.staff_token(staff_id="PM-0666", roles=("caseHandler",), region="Stockholm")
    body = registration(serial_number, description=f"Kamera {serial_number}")
    before = kept_in_my_region(client, reception)

    response = register(client, no_role, body)

    assert response.status == 403, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert kept_in_my_region(client, reception) == before
    # Nor may it read an item with its finder's data.
    found_item_id = register(client, reception, registration(serial_number)).json()["foundItemId"]
    read = client.request("GET", f"{FOUND_ITEMS}/{found_item_id}", token=no_role)
    assert read.status == 403, read.body
    assert b"Finder Person" not in read.body
