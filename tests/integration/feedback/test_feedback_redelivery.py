"""Each feedback consumer handed the very same SQS record twice, one after the other and racing: the effect
happens once, by the write that records it (ADR 87). Nothing else remembers the event."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from shared.adapters import aws
from shared.events.contracts.permits import PermitApplicationSubmitted
from shared.events.contracts.reports import ReportFiled
from tests.integration.conftest import MotoCloud
from tests.support.faults import before_each_transaction
from tests.support.feedback_handlers import (
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
    table_items,
)
from tests.support.lambda_events import response_json

OWNER = citizen(51)


def state(cloud: MotoCloud) -> list[dict[str, Any]]:
    """Everything the table holds but the outbox (which the publisher empties), in a fixed order."""
    kept = [i for i in table_items(cloud) if not i["pk"]["S"].startswith("OUTBOX#")]
    return sorted(kept, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def before_the_next_put(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """Run ``action`` (once) just before the next single-item put is sent: another copy that gets there
    first (the case-owner record is a plain conditional put, not a transaction)."""
    client = aws.dynamodb()
    real = client.put_item
    pending = [action]

    def first_another(**request: Any) -> Any:
        if pending:
            pending.pop()()
        return real(**request)

    monkeypatch.setattr(client, "put_item", first_another)


def report_filed() -> dict[str, Any]:
    data = ReportFiled(
        case_number="K100-26",
        report_type="vandalism",
        region="Syd",
        municipality_code="1280",
        filed_at=NOW,
        owner_ref=OWNER["sub"],
    )
    return announced(data, source="polisen.reports")


def permit_submitted() -> dict[str, Any]:
    data = PermitApplicationSubmitted(
        diarienummer="A579.501/2026",
        kind="weaponLicence",
        region="National",
        fee_sek=700,
        submitted_at=NOW,
        owner_ref=OWNER["sub"],
    )
    return announced(data, source="polisen.permits")


def owners(cloud: MotoCloud) -> dict[str, str]:
    return {
        i["pk"]["S"].removeprefix("CASE#"): i["ownerRef"]["S"]
        for i in table_items(cloud)
        if i["pk"]["S"].startswith("CASE#")
    }


def answered(cloud: MotoCloud) -> tuple[str, dict[str, Any]]:
    given = call("POST", ITEMS, body=complaint(), claims=OWNER)
    assert given["statusCode"] == 201, given["body"]
    number = str(response_json(given)["feedbackNumber"])
    path = f"{STAFF_ITEMS}/{number}"
    assert (
        call("POST", f"{path}/assignment", body={"manager": "PM-5502"}, claims=FUNCTION)["statusCode"] == 200
    )
    assert call("POST", f"{path}/answer", body={"text": "Vi beklagar."}, claims=MANAGER)["statusCode"] == 200
    (message,) = outbox(cloud, "FeedbackAnswered", "feedbackNumber", number)
    return number, message


def lesson_published(cloud: MotoCloud) -> tuple[list[str], dict[str, Any]]:
    numbers = []
    for seed, answer in ((52, {"by": "digitalMail"}), (53, {"by": "digitalMail"}), (54, None)):
        given = call("POST", ITEMS, body=complaint(answer=answer), claims=citizen(seed))
        assert given["statusCode"] == 201, given["body"]
        numbers.append(str(response_json(given)["feedbackNumber"]))
    lesson = {"title": "Fler tider", "change": "Vi har öppnat fler tider.", "feedbackNumbers": numbers}
    published = call("POST", f"{STAFF}/lessons", body=lesson, claims=FUNCTION)
    assert published["statusCode"] == 201, published["body"]
    (message,) = outbox(cloud, "LessonPublished", "lessonId", response_json(published)["lessonId"])
    return numbers, message


def item_body(cloud: MotoCloud, number: str) -> dict[str, Any]:
    (item,) = [i for i in table_items(cloud) if i["pk"]["S"] == f"FEEDBACK#{number}"]
    body: dict[str, Any] = json.loads(item["body"]["S"])
    return body


# --- cases ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("announcement", [report_filed, permit_submitted], ids=["report", "permit"])
def test_a_case_announced_twice_is_learnt_once(
    feedback_cloud: MotoCloud, announcement: Callable[[], dict[str, Any]]
) -> None:
    message = announcement()

    assert deliver(feedback_cloud, "cases", message) == []
    after_first = state(feedback_cloud)
    assert deliver(feedback_cloud, "cases", message) == []

    assert state(feedback_cloud) == after_first
    assert list(owners(feedback_cloud).values()) == [OWNER["sub"]]


@pytest.mark.parametrize("announcement", [report_filed, permit_submitted], ids=["report", "permit"])
def test_a_case_announced_twice_at_once_is_learnt_once(
    feedback_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch, announcement: Callable[[], dict[str, Any]]
) -> None:
    message = announcement()
    racing: list[list[Any]] = []
    before_the_next_put(monkeypatch, lambda: racing.append(deliver(feedback_cloud, "cases", message)))

    assert deliver(feedback_cloud, "cases", message) == []

    assert racing == [[]]
    assert list(owners(feedback_cloud).values()) == [OWNER["sub"]]


# --- letters: the answer ----------------------------------------------------------------------------------


def test_an_answer_delivered_twice_writes_one_letter(feedback_cloud: MotoCloud) -> None:
    number, message = answered(feedback_cloud)

    assert deliver(feedback_cloud, "letters", message) == []
    after_first = state(feedback_cloud)
    assert deliver(feedback_cloud, "letters", message) == []

    assert state(feedback_cloud) == after_first
    (letter,) = letters_sent(feedback_cloud)
    assert letter["caseNumber"] == number
    assert item_body(feedback_cloud, number)["letters_sent"] == [letter["messageId"]]


def test_an_answer_delivered_twice_at_once_writes_one_letter(
    feedback_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, message = answered(feedback_cloud)
    racing: list[list[Any]] = []
    before_each_transaction(monkeypatch, lambda: racing.append(deliver(feedback_cloud, "letters", message)))

    assert deliver(feedback_cloud, "letters", message) == []

    assert racing == [[]]
    letters = letters_sent(feedback_cloud)
    # Both copies may hand the letter over before either records it; it is the same letter, one id, which the
    # mailbox connector drops the second time.
    assert {letter["messageId"] for letter in letters} == {letters[0]["messageId"]}
    assert item_body(feedback_cloud, number)["letters_sent"] == [letters[0]["messageId"]]


# --- letters: a lesson ------------------------------------------------------------------------------------


def test_a_lesson_delivered_twice_tells_each_sender_once(feedback_cloud: MotoCloud) -> None:
    numbers, message = lesson_published(feedback_cloud)

    assert deliver(feedback_cloud, "letters", message) == []
    after_first = state(feedback_cloud)
    assert deliver(feedback_cloud, "letters", message) == []

    assert state(feedback_cloud) == after_first
    letters = letters_sent(feedback_cloud)
    assert sorted(letter["caseNumber"] for letter in letters) == numbers[:2]  # the third asked for no answer
    for number in numbers:
        assert len(item_body(feedback_cloud, number)["lesson_ids"]) == 1


def test_a_lesson_delivered_twice_at_once_tells_each_sender_once(
    feedback_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers, message = lesson_published(feedback_cloud)
    racing: list[list[Any]] = []
    before_each_transaction(monkeypatch, lambda: racing.append(deliver(feedback_cloud, "letters", message)))

    assert deliver(feedback_cloud, "letters", message) == []

    assert racing == [[]]
    letters = letters_sent(feedback_cloud)
    by_item: dict[str, set[str]] = {}
    for letter in letters:
        by_item.setdefault(letter["caseNumber"], set()).add(letter["messageId"])
    assert sorted(by_item) == numbers[:2]
    assert all(len(ids) == 1 for ids in by_item.values())  # a copy handed over twice is the same letter
    for number in numbers:
        body = item_body(feedback_cloud, number)
        assert len(body["lesson_ids"]) == 1
        assert len(body["letters_sent"]) == (1 if number in by_item else 0)
