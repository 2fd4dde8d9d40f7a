"""Attaching photos to a report over the local cloud: upload straight to storage, then have it checked."""

from __future__ import annotations

import random
from typing import Any

import pytest

from shared.identity import generate_personnummer
from tests.e2e.support import LocalClient, upload
from tests.support.reports import form

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def token(client: LocalClient, rng: random.Random) -> str:
    return client.citizen_token(str(generate_personnummer(rng)))


@pytest.fixture
def case(client: LocalClient, token: str) -> str:
    return str(client.request("POST", REPORTS, json_body=form("vandalism"), token=token).json()["caseNumber"])


def ask(client: LocalClient, token: str, case: str, **declared: Any) -> Any:
    body = {"fileName": "klotter.png", "contentType": "image/png", "sizeBytes": len(PNG), **declared}
    return client.request("POST", f"{REPORTS}/{case}/attachments", json_body=body, token=token)


def test_a_photo_is_uploaded_checked_and_listed_on_the_report(
    client: LocalClient, token: str, case: str
) -> None:
    asked = ask(client, token, case)
    assert asked.status == 201, asked.body
    instructions = asked.json()

    assert upload(instructions, PNG, "image/png") in (200, 201, 204)
    done = client.request("POST", instructions["complete"], token=token)

    assert done.status == 200, done.body
    [attachment] = done.json()["attachments"]
    assert (attachment["fileName"], attachment["status"], attachment["sizeBytes"]) == (
        "klotter.png",
        "uploaded",
        len(PNG),
    )
    assert client.request("GET", f"{REPORTS}/{case}", token=token).json()["attachments"] == [attachment]


def test_a_file_that_is_not_what_was_declared_is_removed(client: LocalClient, token: str, case: str) -> None:
    instructions = ask(client, token, case, sizeBytes=len(PNG) + 10).json()
    upload(instructions, PNG, "image/png")

    done = client.request("POST", instructions["complete"], token=token)

    assert done.status == 400
    assert done.json()["invalidParameters"][0]["name"] == "file"
    assert client.request("GET", f"{REPORTS}/{case}", token=token).json()["attachments"] == []


def test_completing_before_uploading_is_a_conflict(client: LocalClient, token: str, case: str) -> None:
    instructions = ask(client, token, case).json()
    assert client.request("POST", instructions["complete"], token=token).status == 409


@pytest.mark.parametrize(
    ("declared", "field"),
    [
        ({"contentType": "application/x-msdownload"}, "contentType"),
        ({"sizeBytes": 11 * 1024 * 1024}, "sizeBytes"),
        ({"fileName": "../../etc/passwd"}, "fileName"),
    ],
)
def test_types_and_sizes_outside_the_limits_are_refused(
    client: LocalClient, token: str, case: str, declared: dict[str, Any], field: str
) -> None:
    refused = ask(client, token, case, **declared)
    assert refused.status == 400
    assert field in {p["name"] for p in refused.json()["invalidParameters"]}


def test_at_most_ten_attachments_and_only_on_ones_own_report(
    client: LocalClient, token: str, case: str, rng: random.Random
) -> None:
    for _ in range(10):
        assert ask(client, token, case).status == 201
    assert ask(client, token, case).status == 409
    stranger = client.citizen_token(str(generate_personnummer(rng)))
    assert ask(client, stranger, case).status == 404
