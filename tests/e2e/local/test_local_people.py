"""The seeded test people and documents, as a newcomer finds them: GET /_local/people on the running cloud."""

from __future__ import annotations

from datetime import date

import pytest

from tests.e2e.support import LocalClient

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

BOOKINGS = "/bookings/v1"
PERMITS = "/permits/v1"


def _people(client: LocalClient) -> dict:
    response = client.request("GET", "/_local/people")
    assert response.status == 200, response.body
    assert response.headers["content-type"].startswith("application/json")
    return dict(response.json())


def test_the_listed_documents_answer_the_validity_check_as_listed(client: LocalClient) -> None:
    listing = _people(client)
    # The first of each state: the seed keeps these as they are (other tests block only their own).
    first = {}
    for document in listing["documents"]:
        first.setdefault(document["state"], document)
    assert set(first) == {"valid", "expired", "blocked"}
    for document in first.values():
        answer = client.request(
            "POST",
            f"{BOOKINGS}/document-validity",
            json_body={
                "documentNumber": document["documentNumber"],
                "personnummer": document["holder"],
                "expiryDate": document["expiryDate"],
            },
        )
        assert answer.status == 200, answer.body
        assert answer.json()["result"] == document["validityCheckAnswers"], document


def test_the_listed_people_and_staff_log_in_and_reach_their_routes(client: LocalClient) -> None:
    listing = _people(client)
    guardian = listing["families"][0]["guardians"][0]
    mine = client.request("GET", f"{BOOKINGS}/appointments", token=client.citizen_token(guardian))
    assert mine.status == 200, mine.body

    by_role = {tuple(e["token"]["roles"]): e["token"] for e in listing["staff"]}
    reception = by_role[("reception",)]
    where = next(r for r in listing["receptions"] if r["region"] == reception["region"])
    day = client.request(
        "GET",
        f"{BOOKINGS}/staff/receptions/{where['receptionId']}/appointments?date={date.today().isoformat()}",
        token=client.token(**reception),
    )
    assert day.status == 200, day.body
    for token, query in ((by_role[("caseHandler",)], ""), (by_role[()], "?region=Stockholm")):
        queue = client.request("GET", f"/reports/v1/staff/queue{query}", token=client.token(**token))
        assert queue.status == 200, queue.body

    weapons, permits = by_role[("weapons",)], by_role[("permits",)]
    for token, queue_name in ((weapons, "weapons"), (permits, permits["region"])):
        queue = client.request("GET", f"{PERMITS}/staff/queues/{queue_name}", token=client.token(**token))
        assert queue.status == 200, queue.body
    (municipality,) = listing["municipalities"]
    referrals = client.request("GET", f"{PERMITS}/referrals", token=client.token(**municipality["token"]))
    assert referrals.status == 200, referrals.body
    holder = listing["permits"][0]
    licences = client.request(
        "GET", f"{PERMITS}/licences", token=client.citizen_token(holder["personnummer"])
    )
    assert licences.status == 200, licences.body
    assert {item["licenceNumber"] for item in licences.json()["items"]} == {
        licence["licenceNumber"] for licence in holder["licences"]
    }


def test_the_people_endpoint_only_answers_get(client: LocalClient) -> None:
    response = client.request("POST", "/_local/people", json_body={})
    assert response.status == 405
    assert response.headers["allow"] == "GET"
