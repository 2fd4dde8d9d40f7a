"""The feedback API handler against moto: giving feedback (identified, anonymous, registered by the contact
centre), the case routine of the regional function and the manager, reopening, the deadlines job, learning as
JSON, CSV and SVG, the public database and lessons; bad input is a 4xx problem naming the field."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from shared.events.contracts.reports import ReportFiled
from tests.integration.conftest import MotoCloud
from tests.support.feedback_handlers import (
    BASE,
    FUNCTION,
    ITEMS,
    MANAGER,
    NOW,
    STAFF,
    STAFF_ITEMS,
    announced,
    call,
    citizen,
    complaint,
    deliver,
    letters_sent,
    outbox,
    run_deadlines,
    staff,
    stored,
    waiting_events,
)
from tests.support.lambda_events import response_header, response_json

DUE = NOW + timedelta(days=14)


def given(claims: dict[str, str] | None = None, **changes: Any) -> str:
    answer = call("POST", ITEMS, body=complaint(**changes), claims=claims or citizen(1))
    assert answer["statusCode"] == 201, answer["body"]
    return str(response_json(answer)["feedbackNumber"])


def assigned(claims: dict[str, str] | None = None, **changes: Any) -> str:
    number = given(claims, **changes)
    answer = call("POST", f"{STAFF_ITEMS}/{number}/assignment", body={"manager": "PM-5502"}, claims=FUNCTION)
    assert answer["statusCode"] == 200, answer["body"]
    return number


def ok(method: str, path: str, claims: dict[str, str], body: Any = None) -> Any:
    answer = call(method, path, body=body, claims=claims)
    assert answer["statusCode"] == 200, answer["body"]
    return response_json(answer)


def invalid_names(answer: dict[str, Any]) -> list[str]:
    assert answer["statusCode"] == 400, answer["body"]
    assert response_header(answer, "Content-Type") == "application/problem+json"
    return [p["name"] for p in response_json(answer)["invalidParameters"]]


# --- giving feedback -------------------------------------------------------------------------------------


def test_feedback_is_received_with_a_receipt_and_routed_to_its_region(feedback_cloud: MotoCloud) -> None:
    answer = call("POST", ITEMS, body=complaint(), claims=citizen(1))

    assert answer["statusCode"] == 201, answer["body"]
    receipt = response_json(answer)
    assert receipt["feedbackNumber"] == "F1-26"
    assert receipt["status"] == "registered"
    assert "Syd" in receipt["function"]
    assert receipt["answerBy"] == "2026-12-07"
    assert response_header(answer, "Location") == f"{ITEMS}/F1-26"
    assert waiting_events(feedback_cloud) == ["FeedbackReceived"]
    mine = ok("GET", f"{ITEMS}/F1-26", citizen(1))
    assert mine["status"] == "registered"
    assert [i["feedbackNumber"] for i in ok("GET", ITEMS, citizen(1))["items"]] == ["F1-26"]


def test_a_retried_feedback_with_the_same_key_is_received_once(feedback_cloud: MotoCloud) -> None:
    headers = {"Idempotency-Key": "8f7c6f2e-3a2b-4c1d-9e8f-7a6b5c4d3e2f"}
    first = call("POST", ITEMS, body=complaint(), claims=citizen(1), headers=headers)
    again = call("POST", ITEMS, body=complaint(), claims=citizen(1), headers=headers)

    assert (first["statusCode"], again["statusCode"]) == (201, 201)
    assert response_json(again)["feedbackNumber"] == response_json(first)["feedbackNumber"]
    assert waiting_events(feedback_cloud) == ["FeedbackReceived"]


def test_bad_input_is_a_problem_naming_the_field_in_the_caller_s_language(feedback_cloud: MotoCloud) -> None:
    body = complaint(concerns={"municipalityCode": "9999"})
    swedish = call("POST", ITEMS, body=body, claims=citizen(1))
    english = call("POST", ITEMS, body=body, claims=citizen(1), headers={"Accept-Language": "en"})

    assert invalid_names(swedish) == ["concerns.municipalityCode"]
    assert invalid_names(english) == ["concerns.municipalityCode"]
    assert (
        response_json(swedish)["invalidParameters"][0]["reason"]
        != response_json(english)["invalidParameters"][0]["reason"]
    )
    assert invalid_names(call("POST", ITEMS, body=complaint(kind="rant"), claims=citizen(1))) == ["kind"]
    assert invalid_names(call("POST", ITEMS, body=complaint(text=""), claims=citizen(1))) == ["text"]


def test_anonymous_feedback_is_received_but_cannot_ask_for_an_answer(feedback_cloud: MotoCloud) -> None:
    asks = call("POST", f"{BASE}/anonymous-items", body=complaint())
    names_a_case = call(
        "POST", f"{BASE}/anonymous-items", body=complaint(answer=None, concerns={"caseNumber": "K100-26"})
    )
    anonymous = call("POST", f"{BASE}/anonymous-items", body=complaint(answer=None))

    assert invalid_names(asks) == ["answer"]
    assert invalid_names(names_a_case) == ["concerns.caseNumber"]
    assert anonymous["statusCode"] == 201, anonymous["body"]
    receipt = response_json(anonymous)
    assert "kan inte besvaras" in receipt["anonymousNotice"]
    item = stored(feedback_cloud, receipt["feedbackNumber"])
    assert (item["owner_ref"], item["personnummer"], item["channel"]) == (None, None, "anonymousWeb")


def test_feedback_about_a_case_must_be_about_one_s_own(feedback_cloud: MotoCloud) -> None:
    owner = citizen(1)
    filed = ReportFiled(
        case_number="K100-26",
        report_type="vandalism",
        region="Syd",
        municipality_code="1280",
        filed_at=NOW,
        owner_ref=owner["sub"],
    )
    assert deliver(feedback_cloud, "cases", announced(filed, source="polisen.reports")) == []
    about = complaint(concerns={"municipalityCode": "1280", "caseNumber": "K100-26"})

    stranger = call("POST", ITEMS, body=about, claims=citizen(2))
    own = call("POST", ITEMS, body=about, claims=owner)

    assert stranger["statusCode"] == 404, stranger["body"]
    assert own["statusCode"] == 201, own["body"]


def test_a_complaint_that_may_describe_a_crime_is_referred(feedback_cloud: MotoCloud) -> None:
    body = complaint(kind="employeeComplaint", category="intervention", describesCrime=True)

    answer = call("POST", ITEMS, body=body, claims=citizen(1))

    assert answer["statusCode"] == 201, answer["body"]
    assert response_json(answer)["status"] == "referred"
    assert response_json(answer)["answerBy"] is None
    assert waiting_events(feedback_cloud) == ["FeedbackReceived", "FeedbackRouted"]
    assert ok("GET", STAFF_ITEMS, FUNCTION)["items"] == []


def test_the_contact_centre_registers_a_caller(feedback_cloud: MotoCloud) -> None:
    centre = staff("contactCentre", staff_id="KC-114", region="National")
    body = {
        "caller": {"name": "Kim Andersson"},
        "feedback": complaint(answer={"by": "phone", "phone": "070-1234567"}),
    }

    registered = call("POST", STAFF_ITEMS, body=body, claims=centre)
    refused = call("POST", STAFF_ITEMS, body=body, claims=FUNCTION)

    assert registered["statusCode"] == 201, registered["body"]
    assert refused["statusCode"] == 403
    item = ok("GET", f"{STAFF_ITEMS}/{response_json(registered)['feedbackNumber']}", FUNCTION)
    assert (item["channel"], item["registeredBy"], item["callerName"]) == (
        "contactCentre",
        "KC-114",
        "Kim Andersson",
    )


# --- the case routine ------------------------------------------------------------------------------------


def test_the_routine_assign_answer_employee_feedback_and_close(feedback_cloud: MotoCloud) -> None:
    number = assigned(kind="employeeComplaint", category="treatment")
    path = f"{STAFF_ITEMS}/{number}"

    answered = ok("POST", f"{path}/answer", MANAGER, {"text": "Vi har talat med polisen i fråga."})
    early = call("POST", f"{path}/closing", claims=MANAGER)
    ok("POST", f"{path}/employee-feedback", MANAGER)
    closed = ok("POST", f"{path}/closing", MANAGER)

    assert answered["status"] == "answered"
    assert early["statusCode"] == 409
    assert closed["status"] == "closed"
    seen = ok("GET", path, FUNCTION)
    assert seen["answer"]["text"] == "Vi har talat med polisen i fråga."
    assert seen["employeeFeedbackAt"] is not None
    assert seen["manager"] == "PM-5502"
    assert "FeedbackAnswered" in waiting_events(feedback_cloud)
    assert "FeedbackClosed" in waiting_events(feedback_cloud)


def test_another_region_s_item_is_not_found_and_the_refusal_audited(feedback_cloud: MotoCloud) -> None:
    number = given()

    north = call("GET", f"{STAFF_ITEMS}/{number}", claims=staff("feedback", region="Nord"))
    national = call("GET", f"{STAFF_ITEMS}/{number}", claims=staff("feedback", region="National"))
    unassigned_manager = call("GET", f"{STAFF_ITEMS}/{number}", claims=MANAGER)

    assert north["statusCode"] == 404
    assert national["statusCode"] == 200
    assert unassigned_manager["statusCode"] == 404
    audit = feedback_cloud.plan.service("feedback").environment["TABLE_AUDIT"]
    records = feedback_cloud.aws.dynamodb.scan(TableName=audit)["Items"]
    assert any(r.get("allowed", {}).get("BOOL") is False for r in records)


@pytest.mark.parametrize(
    ("method", "path", "claims"),
    [
        ("POST", "assignment", MANAGER),
        ("POST", "answer", FUNCTION),
        ("GET", "", staff("contactCentre")),
    ],
)
def test_a_route_without_its_role_is_forbidden(
    feedback_cloud: MotoCloud, method: str, path: str, claims: dict[str, str]
) -> None:
    number = given()
    body = {"manager": "PM-5502"} if path == "assignment" else {"text": "Svar"}

    answer = call(method, f"{STAFF_ITEMS}/{number}/{path}".rstrip("/"), body=body, claims=claims)

    assert answer["statusCode"] == 403, answer["body"]


def test_a_transfer_with_a_reason_moves_the_item(feedback_cloud: MotoCloud) -> None:
    number = given()

    moved = ok("POST", f"{STAFF_ITEMS}/{number}/transfer", FUNCTION, {"to": "Nord", "reason": "Gäller Umeå"})
    back = call(
        "POST", f"{STAFF_ITEMS}/{number}/transfer", body={"to": "Mitt", "reason": "Fel"}, claims=FUNCTION
    )
    unknown = call(
        "POST", f"{STAFF_ITEMS}/{given()}/transfer", body={"to": "Atlantis", "reason": "Fel"}, claims=FUNCTION
    )

    assert moved["region"] == "Nord"
    assert back["statusCode"] == 404  # no longer Syd's to move
    assert invalid_names(unknown) == ["to"]
    assert number in [
        i["feedbackNumber"] for i in ok("GET", STAFF_ITEMS, staff("feedback", region="Nord"))["items"]
    ]
    assert number not in [i["feedbackNumber"] for i in ok("GET", STAFF_ITEMS, FUNCTION)["items"]]


def test_the_answer_letter_is_written_once(feedback_cloud: MotoCloud) -> None:
    number = assigned()
    ok("POST", f"{STAFF_ITEMS}/{number}/answer", MANAGER, {"text": "Vi beklagar väntetiden."})
    (message,) = outbox(feedback_cloud, "FeedbackAnswered", "feedbackNumber", number)

    assert deliver(feedback_cloud, "letters", message) == []

    (letter,) = letters_sent(feedback_cloud)
    assert letter["caseNumber"] == number
    assert "Vi beklagar väntetiden." in letter["body"]


def test_a_closed_item_is_reopened_once(feedback_cloud: MotoCloud) -> None:
    number = assigned()
    ok("POST", f"{STAFF_ITEMS}/{number}/answer", MANAGER, {"text": "Svar"})
    ok("POST", f"{STAFF_ITEMS}/{number}/closing", MANAGER)
    reason = {"reason": "Svaret förklarar inget."}

    reopened = ok("POST", f"{ITEMS}/{number}/reopening", citizen(1), reason)
    ok("POST", f"{STAFF_ITEMS}/{number}/answer", MANAGER, {"text": "Nytt svar"})
    ok("POST", f"{STAFF_ITEMS}/{number}/closing", MANAGER)
    again = call("POST", f"{ITEMS}/{number}/reopening", body=reason, claims=citizen(1))
    stranger = call("POST", f"{ITEMS}/{number}/reopening", body=reason, claims=citizen(2))

    assert reopened["status"] == "assigned"
    assert again["statusCode"] == 409
    assert stranger["statusCode"] == 404


def test_the_deadlines_job_reminds_then_escalates_and_tells_the_sender(feedback_cloud: MotoCloud) -> None:
    number = assigned()

    reminded = run_deadlines(DUE - timedelta(days=3))
    escalated = run_deadlines(DUE)

    assert (reminded["reminded"], reminded["escalated"]) == (1, 0)
    assert (escalated["escalated"], escalated["delayNotices"]) == (1, 1)
    (letter,) = letters_sent(feedback_cloud)
    assert letter["caseNumber"] == number
    assert stored(feedback_cloud, number)["escalated_at"] is not None
    assert run_deadlines(DUE + timedelta(hours=1))["escalated"] == 0


# --- learning, the public database, lessons --------------------------------------------------------------


def test_learning_as_json_csv_and_a_chart(feedback_cloud: MotoCloud) -> None:
    number = assigned()
    ok("POST", f"{STAFF_ITEMS}/{number}/answer", MANAGER, {"text": "Svar"})
    given(category="treatment")
    query = {"from": "2026-11", "to": "2026-11"}

    learning = call("GET", f"{STAFF}/learning", claims=FUNCTION, query=query)
    spreadsheet = call("GET", f"{STAFF}/learning.csv", claims=FUNCTION, query=query)
    chart = call("GET", f"{STAFF}/learning/chart.svg", claims=FUNCTION, query=query)

    assert learning["statusCode"] == 200, learning["body"]
    themes = response_json(learning)["themes"]
    assert [(t["category"], t["received"], t["answered"], t["answeredInTime"]) for t in themes] == [
        ("treatment", 1, 0, 0),
        ("waitingTime", 1, 1, 1),
    ]
    assert response_json(learning)["csv"].startswith(f"{STAFF}/learning.csv?from=2026-11")
    assert spreadsheet["statusCode"] == 200
    assert response_header(spreadsheet, "Content-Type") == "text/csv; charset=utf-8"
    assert spreadsheet["body"].splitlines()[0].startswith("month,region,kind,category,received")
    assert len(spreadsheet["body"].splitlines()) == 3
    assert chart["statusCode"] == 200
    assert response_header(chart, "Content-Type") == "image/svg+xml"
    assert "<title" in chart["body"]
    assert "Syd" in chart["body"]
    assert invalid_names(call("GET", f"{STAFF}/learning", claims=FUNCTION, query={"from": "2020-01"})) == [
        "from"
    ]
    assert call("GET", f"{STAFF}/learning", claims=FUNCTION, query={"region": "Nord"})["statusCode"] == 403


def test_a_transferred_item_is_counted_once(feedback_cloud: MotoCloud) -> None:
    number = given()
    ok("POST", f"{STAFF_ITEMS}/{number}/transfer", FUNCTION, {"to": "Nord", "reason": "Gäller Umeå"})

    everything = ok("GET", f"{STAFF}/learning", staff("feedback", region="National"), None)

    assert sum(t["received"] for t in everything["themes"]) == 1


def test_an_approved_publication_is_searchable(feedback_cloud: MotoCloud) -> None:
    number = given(publishConsent=True)
    without = given()
    approved = ok(
        "PUT", f"{STAFF_ITEMS}/{number}/publication", FUNCTION, {"text": "Lång väntetid trots bokad tid."}
    )
    refused = call("PUT", f"{STAFF_ITEMS}/{without}/publication", body={"text": "Något"}, claims=FUNCTION)

    found = call("GET", f"{BASE}/published", query={"q": "VÄNTE", "municipality": "malmö"})
    none = call("GET", f"{BASE}/published", query={"q": "vante"})

    assert approved["publication"]["municipality"] == "Malmö"
    assert refused["statusCode"] == 409
    assert found["statusCode"] == 200, found["body"]
    assert [i["text"] for i in response_json(found)["items"]] == ["Lång väntetid trots bokad tid."]
    assert response_json(none)["items"] == []
    assert invalid_names(call("GET", f"{BASE}/published", query={"from": "2026-11", "to": "2026-01"})) == [
        "to"
    ]


def test_a_lesson_is_published_and_its_senders_told_once(feedback_cloud: MotoCloud) -> None:
    ours = given()
    theirs = given(concerns={"municipalityCode": "2480"})
    lesson = {"title": "Fler tider", "change": "Vi har öppnat fler tider.", "feedbackNumbers": [ours]}

    published = call("POST", f"{STAFF}/lessons", body=lesson, claims=FUNCTION)
    foreign = call("POST", f"{STAFF}/lessons", body={**lesson, "feedbackNumbers": [theirs]}, claims=FUNCTION)

    assert published["statusCode"] == 201, published["body"]
    assert foreign["statusCode"] == 404, foreign["body"]
    lesson_id = response_json(published)["lessonId"]
    assert [i["lessonId"] for i in response_json(call("GET", f"{BASE}/lessons"))["items"]] == [lesson_id]
    (message,) = outbox(feedback_cloud, "LessonPublished", "lessonId", lesson_id)
    assert deliver(feedback_cloud, "letters", message) == []
    assert deliver(feedback_cloud, "letters", message) == []
    (letter,) = letters_sent(feedback_cloud)
    assert letter["caseNumber"] == ours
    assert stored(feedback_cloud, ours)["lesson_ids"] == [lesson_id]


def test_the_contact_centre_s_retried_registration_gets_the_same_receipt(feedback_cloud: MotoCloud) -> None:
    centre = staff("contactCentre", staff_id="KC-114", region="National")
    body = {"caller": None, "feedback": complaint(answer=None)}
    headers = {"Idempotency-Key": "2b1f0c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}

    first = call("POST", STAFF_ITEMS, body=body, claims=centre, headers=headers)
    again = call("POST", STAFF_ITEMS, body=body, claims=centre, headers=headers)

    assert first["statusCode"] == 201, first["body"]
    assert again["statusCode"] == 201, again["body"]
    assert response_json(again)["feedbackNumber"] == response_json(first)["feedbackNumber"]


def test_the_default_period_is_the_last_twelve_months(feedback_cloud: MotoCloud) -> None:
    learning = ok("GET", f"{STAFF}/learning", FUNCTION)

    assert (learning["from"], learning["to"]) == ("2025-12", "2026-11")


def test_a_photo_is_attached_to_one_s_own_open_item(feedback_cloud: MotoCloud) -> None:
    number = given()
    photo = b"\xff\xd8\xff\xe0" + b"0" * 1000

    asked = ok(
        "POST", f"{ITEMS}/{number}/attachments", citizen(1), {"contentType": "image/jpeg", "sizeBytes": 2000}
    )
    stranger = call(
        "POST",
        f"{ITEMS}/{number}/attachments",
        body={"contentType": "image/jpeg", "sizeBytes": 2000},
        claims=citizen(2),
    )
    gif = call(
        "POST",
        f"{ITEMS}/{number}/attachments",
        body={"contentType": "image/gif", "sizeBytes": 2000},
        claims=citizen(1),
    )
    early = call("POST", asked["complete"], claims=citizen(1))
    feedback_cloud.aws.s3.put_object(
        Bucket=feedback_cloud.plan.service("feedback").environment["BUCKET_ATTACHMENTS"],
        Key=asked["fields"]["key"],
        Body=photo,
        ContentType="image/jpeg",
    )
    done = call("POST", asked["complete"], claims=citizen(1))

    assert asked["url"]
    assert stranger["statusCode"] == 404
    assert invalid_names(gif) == ["contentType"]
    assert early["statusCode"] == 409, early["body"]
    assert done["statusCode"] == 200, done["body"]
    (attachment,) = stored(feedback_cloud, number)["attachments"]
    assert attachment["uploaded_at"] is not None
