"""Feedback over the local cloud, as senders, the contact centre, regional functions and managers use it: both
channels, routing, the answer, one reopening, the crime referral, and an overdue item escalated on a set clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from infra.local.cloud import LocalCloud
from infra.local.event_sources import scheduled_event
from tests.e2e.support import LocalClient, eventually, synthetic_personnummer, upload
from tests.support.reports import form

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
BASE = "/feedback/v1"
ITEMS = f"{BASE}/items"
STAFF = f"{BASE}/staff/items"


def complaint(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "serviceComplaint",
        "category": "waitingTime",
        "concerns": {"municipalityCode": "1280", "unit": {"name": "Passexpeditionen Malmö"}},
        "text": "Jag väntade i två timmar på passexpeditionen trots bokad tid.",
        "answer": {"by": "digitalMail"},
        "publishConsent": True,
    }
    body.update(changes)
    return body


def staff(client: LocalClient, *roles: str, staff_id: str = "PM-5501", region: str = "Syd") -> str:
    return client.staff_token(staff_id=staff_id, roles=roles, region=region)


def test_feedback_is_routed_answered_closed_and_reopened_once(
    client: LocalClient, rng: random.Random
) -> None:
    guidance = client.request("GET", f"{BASE}/guidance").json()
    assert "anonymt" in guidance["anonymous"]
    token = client.citizen_token(synthetic_personnummer(rng))
    given = client.request("POST", ITEMS, json_body=complaint(), token=token)
    assert given.status == 201, given.body
    receipt = given.json()
    number = receipt["feedbackNumber"]
    assert "Syd" in receipt["function"]
    assert receipt["answerBy"] is not None

    function = staff(client, "feedback")
    listed = client.request("GET", f"{BASE}/staff/items?region=Syd&limit=100", token=function)
    assert listed.status == 200, listed.body
    assert number in [i["feedbackNumber"] for i in listed.json()["items"]]
    other_region = staff(client, "feedback", region="Nord")
    assert client.request("GET", f"{STAFF}/{number}", token=other_region).status == 404

    manager = staff(client, "manager", staff_id="PM-5502")
    assigned = client.request(
        "POST", f"{STAFF}/{number}/assignment", json_body={"manager": "PM-5502"}, token=function
    )
    assert assigned.status == 200, assigned.body
    answered = client.request(
        "POST",
        f"{STAFF}/{number}/answer",
        json_body={"text": "Vi beklagar väntetiden och har sett över bokningarna."},
        token=manager,
    )
    assert answered.status == 200, answered.body
    assert client.request("POST", f"{STAFF}/{number}/closing", token=manager).status == 200

    mine = client.request("GET", f"{ITEMS}/{number}", token=token).json()
    assert mine["status"] == "closed"
    assert mine["answer"]["text"].startswith("Vi beklagar")
    assert mine["mayReopen"] is True
    reopened = client.request(
        "POST", f"{ITEMS}/{number}/reopening", json_body={"reason": "Svaret förklarar inget."}, token=token
    )
    assert reopened.status == 200, reopened.body
    assert reopened.json()["status"] == "assigned"
    assert client.request("GET", f"{STAFF}/{number}", token=manager).json()["manager"] == "PM-5502"
    assert (
        client.request(
            "POST", f"{STAFF}/{number}/answer", json_body={"text": "Vi har nu ändrat rutinen."}, token=manager
        ).status
        == 200
    )
    assert client.request("POST", f"{STAFF}/{number}/closing", token=manager).status == 200
    again = client.request(
        "POST", f"{ITEMS}/{number}/reopening", json_body={"reason": "Fortfarande inte nöjd."}, token=token
    )
    assert again.status == 409

    stranger = client.citizen_token(synthetic_personnummer(rng))
    assert client.request("GET", f"{ITEMS}/{number}", token=stranger).status == 404


def test_staff_find_feedback_of_their_region_by_its_words(client: LocalClient, rng: random.Random) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    word = f"köbricka{rng.randrange(10**6)}"
    text = f"Maskinen för {word} på passexpeditionen var trasig, så jag missade min tur."
    number = client.request("POST", ITEMS, json_body=complaint(text=text), token=token).json()[
        "feedbackNumber"
    ]
    function = staff(client, "feedback")

    def found(query: str, who: str = function) -> list[str]:
        answer = client.request("GET", f"{BASE}/staff/search?q={quote(query)}", token=who)
        assert answer.status == 200, answer.body
        return [hit["feedbackNumber"] for hit in answer.json()["items"]]

    assert found(word) == [number]
    assert found(word.upper()[:-2]) == [number]  # case does not matter; the last word may be a beginning
    assert found(f"maskinen {word}") == [number]
    assert number in found(word, staff(client, "feedback", region="National"))
    assert found(word, staff(client, "feedback", region="Nord")) == []
    by_status = client.request("GET", f"{BASE}/staff/search?q={quote(word)}&status=closed", token=function)
    assert by_status.json()["items"] == []
    assert client.request("GET", f"{BASE}/staff/search?q=a", token=function).status == 400


def test_the_contact_centre_registers_a_caller_and_anonymous_feedback_cannot_ask_for_an_answer(
    client: LocalClient, rng: random.Random
) -> None:
    centre = staff(client, "contactCentre", staff_id="KC-114", region="National")
    registered = client.request(
        "POST",
        STAFF,
        json_body={"caller": {"name": "Kim Andersson"}, "feedback": complaint(kind="praise", answer=None)},
        token=centre,
    )
    assert registered.status == 201, registered.body
    number = registered.json()["feedbackNumber"]
    item = client.request("GET", f"{STAFF}/{number}", token=staff(client, "feedback")).json()
    assert item["channel"] == "contactCentre"
    assert item["registeredBy"] == "KC-114"

    asks = client.request("POST", f"{BASE}/anonymous-items", json_body=complaint())
    assert asks.status == 400
    assert asks.json()["invalidParameters"][0]["name"] == "answer"
    anonymous = client.request("POST", f"{BASE}/anonymous-items", json_body=complaint(answer=None))
    assert anonymous.status == 201, anonymous.body
    assert "kan inte besvaras" in anonymous.json()["anonymousNotice"]


def test_a_complaint_that_may_describe_a_crime_is_referred_not_handled_as_feedback(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    body = complaint(
        kind="employeeComplaint",
        category="intervention",
        describesCrime=True,
        text="En polis slog mig vid gripandet.",
    )
    given = client.request("POST", ITEMS, json_body=body, token=token)
    assert given.status == 201, given.body
    assert given.json()["status"] == "referred"
    assert "särskilda utredningar" in given.json()["message"]
    client.wait_for_event(
        "FeedbackRouted", lambda e: e["detail"]["data"]["feedbackNumber"] == given.json()["feedbackNumber"]
    )


def test_feedback_about_a_case_must_be_about_one_s_own(client: LocalClient, rng: random.Random) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    filed = client.request("POST", "/reports/v1/reports", json_body=form("vandalism"), token=token)
    assert filed.status == 201, filed.body
    case = filed.json()["caseNumber"]
    stranger = client.citizen_token(synthetic_personnummer(rng))
    about = complaint(concerns={"municipalityCode": "1280", "caseNumber": case})
    assert client.request("POST", ITEMS, json_body=about, token=stranger).status == 404
    mine = eventually(
        lambda: (r := client.request("POST", ITEMS, json_body=about, token=token)).status == 201 and r,
        what="the feedback service to learn whose case it is",
    )
    assert mine.json()["feedbackNumber"]


def test_an_overdue_item_is_escalated_and_its_sender_told_on_a_set_clock(
    client: LocalClient, local_cloud: LocalCloud, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    given = client.request("POST", ITEMS, json_body=complaint(), token=token).json()
    number = given["feedbackNumber"]
    due = datetime.fromisoformat(
        client.request("GET", f"{ITEMS}/{number}", token=token).json()["answerDueAt"]
    )
    ran = local_cloud.invoke(
        "feedback",
        "deadlines",
        scheduled_event("eservices-local-feedback-deadlines", due - timedelta(days=2)),
    )
    assert ran["reminded"] >= 1
    ran = local_cloud.invoke(
        "feedback",
        "deadlines",
        scheduled_event("eservices-local-feedback-deadlines", due + timedelta(minutes=1)),
    )
    assert ran["escalated"] >= 1
    item = client.request("GET", f"{STAFF}/{number}", token=staff(client, "feedback")).json()
    assert item["escalatedAt"] is not None
    assert item["remindedAt"] is not None


def test_the_learning_endpoint_csv_and_chart_show_the_month_s_themes(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    for category in ("waitingTime", "treatment", "treatment"):
        assert (
            client.request("POST", ITEMS, json_body=complaint(category=category), token=token).status == 201
        )
    function = staff(client, "feedback")
    learning = client.request("GET", f"{BASE}/staff/learning", token=function)
    assert learning.status == 200, learning.body
    themes = learning.json()["themes"]
    treatment = [t for t in themes if t["category"] == "treatment" and t["region"] == "Syd"]
    assert treatment
    assert treatment[-1]["received"] >= 2
    csv = client.request("GET", learning.json()["csv"], token=function)
    assert csv.status == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.body.decode().splitlines()[0].startswith("month,region,kind,category,received")
    chart = client.request("GET", learning.json()["chart"], token=function)
    assert chart.status == 200
    assert chart.headers["content-type"] == "image/svg+xml"
    assert "bemötande" in chart.body.decode()
    national = client.request(
        "GET", f"{BASE}/staff/learning", token=staff(client, "feedback", region="National")
    )
    months = {t["month"] for t in national.json()["themes"]}
    assert len(months) >= 6, months  # the demo data's six months, and this one
    assert any(t["answeredInTime"] < t["answered"] for t in national.json()["themes"])
    other = client.request("GET", f"{BASE}/staff/learning?region=Nord", token=function)
    assert other.status == 403
    absurd = client.request("GET", f"{BASE}/staff/learning?from=2000-01&to=2026-01", token=function)
    assert absurd.status == 400


def test_a_lesson_is_published_and_reaches_the_items_it_came_from(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    numbers = [
        client.request("POST", ITEMS, json_body=complaint(), token=token).json()["feedbackNumber"]
        for _ in range(2)
    ]
    function = staff(client, "feedback")
    body = {
        "title": "Fler tider på passexpeditionen",
        "change": "Vi har öppnat kvällstider i Malmö.",
        "feedbackNumbers": numbers,
    }
    published = client.request("POST", f"{BASE}/staff/lessons", json_body=body, token=function)
    assert published.status == 201, published.body
    lesson = published.json()["lessonId"]
    assert lesson in [item["lessonId"] for item in client.request("GET", f"{BASE}/lessons").json()["items"]]
    eventually(
        lambda: lesson in client.request("GET", f"{STAFF}/{numbers[0]}", token=function).json()["lessons"],
        what="the lesson to reach its items",
    )
    elsewhere = client.request(
        "POST", f"{BASE}/staff/lessons", json_body=body, token=staff(client, "feedback", region="Nord")
    )
    assert elsewhere.status == 404


def test_consented_feedback_is_found_in_the_public_search_once_approved_with_nothing_personal_in_it(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    word = f"väntrum{rng.randrange(10**6)}"
    text = (
        f"Polisen Eva Lindqvist på Storgatan 12 i Malmö var jättehjälpsam i {word}et, ring mig gärna på "
        "070-123 45 67 eller mejla eva.karlsson@example.se."
    )
    given = client.request(
        "POST", ITEMS, json_body=complaint(kind="praise", category="treatment", text=text), token=token
    )
    number = given.json()["feedbackNumber"]
    search = f"{BASE}/published?q={quote(word)}"
    assert client.request("GET", search).json()["items"] == []

    function = staff(client, "feedback")
    proposal = client.request("GET", f"{STAFF}/{number}", token=function).json()["proposedPublication"]
    approved = client.request(
        "PUT", f"{STAFF}/{number}/publication", json_body={"text": proposal}, token=function
    )
    assert approved.status == 200, approved.body
    found = client.request("GET", search).json()["items"]
    assert len(found) == 1
    published = found[0]
    assert published["municipality"] == "Malmö"
    assert len(published["month"]) == 7
    for personal in ("Lindqvist", "Storgatan 12", "070-123 45 67", "eva.karlsson@example.se"):
        assert personal not in published["text"]
    assert client.request("GET", f"{BASE}/published?q={quote(word.upper())}").json()["items"] == found

    complaint_about_employee = client.request(
        "POST", ITEMS, json_body=complaint(kind="employeeComplaint", publishConsent=True), token=token
    ).json()["feedbackNumber"]
    refused = client.request(
        "PUT", f"{STAFF}/{complaint_about_employee}/publication", json_body={"text": "x"}, token=function
    )
    assert refused.status == 409
    absurd = client.request("GET", f"{BASE}/published?from=1990-01&to=2026-01")
    assert absurd.status == 400


def test_a_sender_attaches_a_photo_to_their_open_feedback(client: LocalClient, rng: random.Random) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    number = client.request("POST", ITEMS, json_body=complaint(), token=token).json()["feedbackNumber"]
    attach = f"{ITEMS}/{number}/attachments"
    wrong = client.request(
        "POST", attach, json_body={"contentType": "text/html", "sizeBytes": 10}, token=token
    )
    assert wrong.status == 400
    assert wrong.json()["invalidParameters"][0]["name"] == "contentType"
    stranger = client.citizen_token(synthetic_personnummer(rng))
    assert (
        client.request(
            "POST", attach, json_body={"contentType": "image/png", "sizeBytes": 10}, token=stranger
        ).status
        == 404
    )
    target = client.request(
        "POST", attach, json_body={"contentType": "image/png", "sizeBytes": len(PNG)}, token=token
    )
    assert target.status == 200, target.body
    assert upload(target.json(), PNG, "image/png") in (200, 201, 204)
    done = client.request("POST", target.json()["complete"], token=token)
    assert done.status == 200, done.body
    assert done.json()["attachments"] == 1
