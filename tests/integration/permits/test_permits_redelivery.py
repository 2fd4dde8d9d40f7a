"""Each permits consumer handed the very same SQS record twice, one after the other and racing: the effect
happens once, by the write that records it (ADR 87). Nothing else remembers the event."""

from __future__ import annotations

import json
from typing import Any

import pytest

from services.permits import dependencies
from services.permits.domain.deciding import licence_number_of
from services.permits.seed import SEED_YEAR
from shared import synthetic_people
from shared.clock import stockholm_time
from tests.integration.conftest import MotoCloud
from tests.support.faults import before_each_transaction
from tests.support.lambda_events import citizen_claims, response_json
from tests.support.permits_fakes import public_place, renewal, weapon_licence
from tests.support.permits_handlers import (
    APPLICATIONS,
    BASE,
    NOW,
    call,
    callback_secret,
    citizen,
    deliver,
    letters_sent,
    outbox,
    path_of,
    payment_callback,
    table_items,
)

TODAY = stockholm_time(NOW).date()
SHOOTER = synthetic_people.WEAPON_HOLDERS[1]
PISTOL_LICENCE = licence_number_of(5, SEED_YEAR)


def paid(cloud: MotoCloud, claims: dict[str, str], details: Any) -> str:
    form = {"details": details.model_dump(mode="json", by_alias=True, exclude_none=True)}
    submitted = call("POST", APPLICATIONS, body=form, claims=claims)
    assert submitted["statusCode"] == 201, submitted["body"]
    application = response_json(submitted)
    answer = payment_callback(
        callback_secret(cloud),
        reference=application["payment"]["reference"],
        amount=application["fee"]["amountSek"],
    )
    assert answer["statusCode"] == 200, answer["body"]
    return str(application["diarienummer"])


def fee_paid(cloud: MotoCloud, diarienummer: str) -> dict[str, Any]:
    (message,) = outbox(cloud, "PermitFeePaid", diarienummer)
    return message


def state(cloud: MotoCloud, diarienummer: str) -> tuple[dict[str, Any], int, list[str]]:
    """The case as stored, how many licences the register holds, and the events waiting in the outbox."""
    items = table_items(cloud)
    (case,) = [i for i in items if i["pk"]["S"] == f"APP#{diarienummer}"]
    licences = sum(1 for i in items if i["pk"]["S"].startswith("LICENCE#"))
    events = sorted(i["detailType"]["S"] for i in items if i["pk"]["S"].startswith("OUTBOX#"))
    return json.loads(case["body"]["S"]), licences, events


def referred_and_answered(cloud: MotoCloud) -> tuple[str, dict[str, Any]]:
    number = paid(cloud, citizen(41), public_place(TODAY))
    assert deliver(cloud, "prepare", fee_paid(cloud, number)) == []
    answered = call(
        "PUT",
        f"{BASE}/referrals/{path_of(number)}/answer",
        body={"verdict": "supports"},
        claims={"sub": "municipality-client", "principalType": "agency", "scope": "permits/referrals:0180"},
    )
    assert answered["statusCode"] == 200, answered["body"]
    (message,) = outbox(cloud, "MunicipalityAnswered", number)
    return number, message


def granted_by_rule(cloud: MotoCloud) -> tuple[str, dict[str, Any]]:
    number = paid(cloud, citizen_claims(SHOOTER), renewal(PISTOL_LICENCE))
    assert deliver(cloud, "prepare", fee_paid(cloud, number)) == []
    (message,) = outbox(cloud, "PermitDecided", number)
    return number, message


# --- prepare ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["queued", "referred", "granted-by-rule"])
def test_a_fee_paid_delivered_twice_is_prepared_once(permits_cloud: MotoCloud, kind: str) -> None:
    details = {
        "queued": weapon_licence(),
        "referred": public_place(TODAY),
        "granted-by-rule": renewal(PISTOL_LICENCE),
    }
    claims = citizen_claims(SHOOTER) if kind == "granted-by-rule" else citizen(42)
    number = paid(permits_cloud, claims, details[kind])
    message = fee_paid(permits_cloud, number)

    assert deliver(permits_cloud, "prepare", message) == []
    after_first = state(permits_cloud, number)
    assert deliver(permits_cloud, "prepare", message) == []

    assert state(permits_cloud, number) == after_first
    assert after_first[0]["status"] == kind.removesuffix("-by-rule")


@pytest.mark.parametrize("kind", ["queued", "granted-by-rule"])
def test_a_fee_paid_delivered_twice_at_once_is_prepared_once(
    permits_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    claims = citizen_claims(SHOOTER) if kind == "granted-by-rule" else citizen(43)
    number = paid(
        permits_cloud, claims, renewal(PISTOL_LICENCE) if kind == "granted-by-rule" else weapon_licence()
    )
    message = fee_paid(permits_cloud, number)
    _, licences_before, _ = state(permits_cloud, number)
    racing: list[list[Any]] = []
    # The second copy gets in between the first's read and its write.
    before_each_transaction(monkeypatch, lambda: racing.append(deliver(permits_cloud, "prepare", message)))

    assert deliver(permits_cloud, "prepare", message) == []

    assert racing == [[]]
    case, licences, events = state(permits_cloud, number)
    assert case["status"] == ("granted" if kind == "granted-by-rule" else "queued")
    assert [entry["status"] for entry in case["timeline"]].count(case["status"]) == 1
    assert licences == licences_before
    assert events.count("PermitDecided") == (1 if kind == "granted-by-rule" else 0)


# --- referralAnswers --------------------------------------------------------------------------------------


def test_an_answer_delivered_twice_is_taken_in_once(permits_cloud: MotoCloud) -> None:
    number, message = referred_and_answered(permits_cloud)

    assert deliver(permits_cloud, "referralAnswers", message) == []
    after_first = state(permits_cloud, number)
    assert deliver(permits_cloud, "referralAnswers", message) == []

    assert state(permits_cloud, number) == after_first
    assert after_first[0]["status"] == "queued"


def test_an_answer_delivered_twice_at_once_is_taken_in_once(
    permits_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, message = referred_and_answered(permits_cloud)
    racing: list[list[Any]] = []
    before_each_transaction(
        monkeypatch, lambda: racing.append(deliver(permits_cloud, "referralAnswers", message))
    )

    assert deliver(permits_cloud, "referralAnswers", message) == []

    assert racing == [[]]
    case, _, _ = state(permits_cloud, number)
    assert [entry["status"] for entry in case["timeline"]].count("queued") == 1


# --- letters ----------------------------------------------------------------------------------------------


def test_a_decision_delivered_twice_writes_one_letter(permits_cloud: MotoCloud) -> None:
    number, message = granted_by_rule(permits_cloud)

    assert deliver(permits_cloud, "letters", message) == []
    after_first = state(permits_cloud, number)
    assert deliver(permits_cloud, "letters", message) == []

    assert state(permits_cloud, number) == after_first
    (letter,) = letters_sent(permits_cloud)
    assert after_first[0]["letters_sent"] == [letter["messageId"]]


def test_a_decision_delivered_twice_at_once_writes_one_letter(
    permits_cloud: MotoCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    number, message = granted_by_rule(permits_cloud)
    racing: list[list[Any]] = []
    before_each_transaction(monkeypatch, lambda: racing.append(deliver(permits_cloud, "letters", message)))

    assert deliver(permits_cloud, "letters", message) == []

    assert racing == [[]]
    letters = letters_sent(permits_cloud)
    # Both copies may hand the letter over before either records it; it is the same letter, one id, which the
    # mailbox connector drops the second time.
    assert {letter["messageId"] for letter in letters} == {letter["messageId"] for letter in letters[:1]}
    case, _, _ = state(permits_cloud, number)
    assert case["letters_sent"] == [letters[0]["messageId"]]


def test_a_completion_request_delivered_twice_writes_one_letter(permits_cloud: MotoCloud) -> None:
    number = paid(permits_cloud, citizen(44), weapon_licence())
    assert deliver(permits_cloud, "prepare", fee_paid(permits_cloud, number)) == []
    staff = {
        "sub": "staff-PM-5001",
        "principalType": "staff",
        "staffId": "PM-5001",
        "roles": "weapons",
        "region": "Nord",
    }
    case_path = f"{BASE}/staff/applications/{path_of(number)}"
    assert call("POST", f"{case_path}/assignment", claims=staff)["statusCode"] == 200
    asked = call(
        "POST",
        f"{case_path}/completion-requests",
        body={"asked": "Intyg om jägarexamen", "dueOn": "2026-12-07"},
        claims=staff,
    )
    assert asked["statusCode"] == 200, asked["body"]
    (message,) = outbox(permits_cloud, "PermitCompletionRequested", number)

    for _ in range(2):
        assert deliver(permits_cloud, "letters", message) == []

    (letter,) = letters_sent(permits_cloud)
    assert letter["caseNumber"] == number
    assert dependencies.permits().get(number) is not None
