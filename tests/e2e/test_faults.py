"""Faults injected into the local cloud (``/_local/faults``), seen as a citizen sees them: the bus away, an
entry refused, a crash between commit and answer. No filed report may be left without its event.

The bus is away for ``FAULT_TEST_OUTAGE_S`` seconds (8 by default; ``bench/faults.py`` runs 25 s and 90 s):
longer than the stream retries a record locally, so only the outbox sweeper can bring those events across.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

import pytest

from shared.identity import generate_personnummer
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.reports import theft_report

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
OUTAGE_S = float(os.environ.get("FAULT_TEST_OUTAGE_S", "8"))
MAX_FILINGS = 20


@pytest.fixture
def faults(client: LocalClient) -> Iterator[LocalClient]:
    """The client, with every fault cleared afterwards whatever happened."""
    try:
        yield client
    finally:
        assert client.request("DELETE", "/_local/faults").status == 200


def inject(client: LocalClient, **fault: Any) -> dict[str, Any]:
    response = client.request("POST", "/_local/faults", json_body=fault)
    assert response.status == 201, response.body
    added: dict[str, Any] = response.json()
    return added


def active(client: LocalClient, fault: dict[str, Any]) -> bool:
    return any(f["id"] == fault["id"] for f in client.request("GET", "/_local/faults").json()["faults"])


def citizen(client: LocalClient, rng: random.Random) -> str:
    return client.citizen_token(str(generate_personnummer(rng)))


def file(client: LocalClient, token: str, key: str | None = None) -> Response:
    headers = {"Idempotency-Key": key} if key else {}
    # A bicycle theft without leads: triage decides it at once, so "received" means not triaged.
    return client.request("POST", REPORTS, json_body=theft_report(), token=token, headers=headers)


def filed_events(client: LocalClient, cases: set[str]) -> Counter[str]:
    return Counter(
        e["detail"]["data"]["caseNumber"]
        for e in client.events(detail_type="ReportFiled")
        if e["detail"]["data"]["caseNumber"] in cases
    )


def every_one_filed(client: LocalClient, cases: set[str]) -> Counter[str] | None:
    """How often each case's ReportFiled crossed the bus, once every one of them has."""
    found = filed_events(client, cases)
    return found if set(found) == cases else None


def status(client: LocalClient, token: str, case: str) -> str:
    return str(client.request("GET", f"{REPORTS}/{case}", token=token).json()["status"])


def test_reports_filed_while_the_bus_is_away_all_reach_it_once_and_are_triaged(
    faults: LocalClient, rng: random.Random
) -> None:
    client = faults
    token = citizen(client, rng)
    outage = inject(client, call="events:PutEvents", effect="unavailable", seconds=OUTAGE_S)

    cases: set[str] = set()
    while active(client, outage) and len(cases) < MAX_FILINGS:
        response = file(client, token)
        assert response.status == 201, response.body
        cases.add(response.json()["caseNumber"])
    eventually(lambda: not active(client, outage), timeout_s=OUTAGE_S + 5, what="the end of the outage")

    delivered = eventually(
        lambda: every_one_filed(client, cases),
        timeout_s=30,
        what=f"ReportFiled for all {len(cases)} reports filed while the bus was away",
    )
    assert max(delivered.values()) == 1, f"put on the bus twice: {delivered}"
    outage_end = outage["until"]
    times = [
        datetime.fromisoformat(e["time"].replace("Z", "+00:00")).timestamp()
        for e in client.events(detail_type="ReportFiled")
        if e["detail"]["data"]["caseNumber"] in cases
    ]
    assert min(times) >= outage_end - 1, "nothing crossed while the bus was away"
    eventually(
        lambda: all(status(client, token, case) != "received" for case in cases),
        timeout_s=30,
        what="triage of every report",
    )


def test_an_entry_the_bus_refuses_is_put_again_alone_and_nothing_is_doubled(
    faults: LocalClient, rng: random.Random
) -> None:
    client = faults
    tokens = [citizen(client, rng) for _ in range(6)]
    # Each of the next four PutEvents calls refuses its first entry.
    inject(client, call="events:PutEvents", effect="refuse-entries", entry=0, times=4, service="reports")

    with ThreadPoolExecutor(len(tokens)) as pool:
        responses = list(pool.map(lambda token: file(client, token), tokens))
    assert [r.status for r in responses] == [201] * len(tokens)
    cases = {r.json()["caseNumber"] for r in responses}

    delivered = eventually(
        lambda: every_one_filed(client, cases),
        timeout_s=30,
        what="ReportFiled for every report",
    )
    assert set(delivered.values()) == {1}, f"published twice: {delivered}"


def test_a_crash_between_commit_and_answer_gives_one_case_on_retry(
    faults: LocalClient, rng: random.Random
) -> None:
    client = faults
    token = citizen(client, rng)
    key = f"crash-{rng.getrandbits(64):x}"
    inject(
        client,
        call="dynamodb:TransactWriteItems",
        effect="crash-after",
        service="reports",
        function="api",
        times=1,
    )

    first = file(client, token, key)
    assert first.status == 502, "the function died after the filing committed, before it answered"

    def answered() -> Response | None:
        retry = file(client, token, key)
        return retry if retry.status not in (409, 429, 502, 503) else None

    retry = eventually(answered, timeout_s=30, what="an answer to the retried filing")
    assert retry.status == 201, retry.body
    mine = client.request("GET", f"{REPORTS}?limit=100", token=token).json()["items"]
    assert [item["caseNumber"] for item in mine] == [retry.json()["caseNumber"]]
