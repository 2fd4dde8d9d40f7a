"""The permits service's handlers on moto: applying, the payment provider's signed callback, the checks when the
fee is paid, the municipality's answer, and what another citizen or municipality is told."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.permits.domain.deciding import licence_number_of
from services.permits.seed import SEED_YEAR
from shared import synthetic_people
from shared.clock import FixedClock, stockholm_time
from shared.payments import payment_reference
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import citizen_claims, response_header, response_json
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
)

TODAY = stockholm_time(NOW).date()
SHOOTER = synthetic_people.WEAPON_HOLDERS[1]
# The shooter's pistol licence, seeded to run out within the reminder period: renewable.
PISTOL_LICENCE = licence_number_of(5, SEED_YEAR)


def form(details: Any) -> dict[str, Any]:
    return {"details": details.model_dump(mode="json", by_alias=True, exclude_none=True)}


def problem(result: dict[str, Any], status: int) -> dict[str, Any]:
    assert result["statusCode"] == status, result["body"]
    assert response_header(result, "Content-Type") == "application/problem+json"
    document: dict[str, Any] = response_json(result)
    return document


def submitted(claims: dict[str, str], details: Any) -> dict[str, Any]:
    result = call("POST", APPLICATIONS, body=form(details), claims=claims)
    assert result["statusCode"] == 201, result["body"]
    application: dict[str, Any] = response_json(result)
    return application


def paid(cloud: MotoCloud, application: dict[str, Any]) -> dict[str, Any]:
    result = payment_callback(
        callback_secret(cloud),
        reference=application["payment"]["reference"],
        amount=application["fee"]["amountSek"],
    )
    assert result["statusCode"] == 200, result["body"]
    answer: dict[str, Any] = response_json(result)
    return answer


def prepared(cloud: MotoCloud, diarienummer: str) -> None:
    (message,) = outbox(cloud, "PermitFeePaid", diarienummer)
    assert deliver(cloud, "prepare", message) == []


def followed(claims: dict[str, str], diarienummer: str) -> dict[str, Any]:
    result = call("GET", f"{APPLICATIONS}/{path_of(diarienummer)}", claims=claims)
    assert result["statusCode"] == 200, result["body"]
    view: dict[str, Any] = response_json(result)
    return view


def agency(*codes: str) -> dict[str, str]:
    return {
        "sub": "municipality-client",
        "principalType": "agency",
        "scope": " ".join(f"permits/referrals:{code}" for code in codes),
    }


# --- paying and preparing ---------------------------------------------------------------------------------


def test_a_weapons_licence_paid_is_prepared_and_queued(permits_cloud: MotoCloud) -> None:
    applicant = citizen(1)
    application = submitted(applicant, weapon_licence(weapons=2))
    assert application["status"] == "awaitingPayment"
    assert application["fee"]["amountSek"] == 950

    assert paid(permits_cloud, application) == {"status": "recorded"}
    assert followed(applicant, application["diarienummer"])["status"] == "paid"
    prepared(permits_cloud, application["diarienummer"])

    view = followed(applicant, application["diarienummer"])
    assert view["status"] == "queued"
    assert [entry["status"] for entry in view["timeline"]] == ["awaitingPayment", "paid", "queued"]


def test_a_clear_renewal_is_granted_by_the_rule_and_its_letter_written(permits_cloud: MotoCloud) -> None:
    shooter = citizen_claims(SHOOTER)
    application = submitted(shooter, renewal(PISTOL_LICENCE))
    assert application["fee"]["amountSek"] == 250
    paid(permits_cloud, application)
    prepared(permits_cloud, application["diarienummer"])

    view = followed(shooter, application["diarienummer"])
    assert view["status"] == "granted"
    (decided,) = outbox(permits_cloud, "PermitDecided", application["diarienummer"])
    assert deliver(permits_cloud, "letters", decided) == []
    (letter,) = letters_sent(permits_cloud)
    assert letter["caseNumber"] == application["diarienummer"]
    decision = call("GET", f"{APPLICATIONS}/{path_of(application['diarienummer'])}/decision", claims=shooter)
    assert decision["statusCode"] == 200
    licences = response_json(call("GET", f"{BASE}/licences", claims=shooter))["items"]
    renewed = next(item for item in licences if item["licenceNumber"] == PISTOL_LICENCE)
    assert renewed["validUntil"] > (TODAY + timedelta(days=5 * 365)).isoformat()


def test_the_same_callback_again_is_answered_as_the_first(permits_cloud: MotoCloud) -> None:
    application = submitted(citizen(2), weapon_licence())
    paid(permits_cloud, application)

    assert paid(permits_cloud, application) == {"status": "alreadyRecorded"}
    assert len(outbox(permits_cloud, "PermitFeePaid", application["diarienummer"])) == 1


def test_a_second_transaction_for_a_paid_application_is_a_conflict(permits_cloud: MotoCloud) -> None:
    application = submitted(citizen(3), weapon_licence())
    paid(permits_cloud, application)

    result = payment_callback(
        callback_secret(permits_cloud),
        reference=application["payment"]["reference"],
        amount=application["fee"]["amountSek"],
        transaction_id="tx-2",
    )

    problem(result, 409)


def test_a_callback_not_signed_with_the_secret_is_unauthorized(permits_cloud: MotoCloud) -> None:
    application = submitted(citizen(4), weapon_licence())

    result = payment_callback(b"not the secret", reference=application["payment"]["reference"], amount=700)

    problem(result, 401)
    assert followed(citizen(4), application["diarienummer"])["status"] == "awaitingPayment"


def test_a_callback_too_old_is_unauthorized(permits_cloud: MotoCloud, permits_clock: FixedClock) -> None:
    application = submitted(citizen(5), weapon_licence())
    permits_clock.advance(timedelta(minutes=6))

    result = payment_callback(
        callback_secret(permits_cloud), reference=application["payment"]["reference"], amount=700
    )

    problem(result, 401)


def test_a_wrong_amount_is_refused_as_bad_input_naming_it(permits_cloud: MotoCloud) -> None:
    application = submitted(citizen(6), weapon_licence())

    result = payment_callback(
        callback_secret(permits_cloud), reference=application["payment"]["reference"], amount=500
    )

    document = problem(result, 400)
    assert "amountSek" in {p["name"] for p in document["invalidParameters"]}
    assert followed(citizen(6), application["diarienummer"])["status"] == "awaitingPayment"


def test_an_unknown_reference_is_not_found(permits_cloud: MotoCloud) -> None:
    problem(
        payment_callback(callback_secret(permits_cloud), reference=payment_reference(4711), amount=700), 404
    )


def test_a_past_period_is_refused_naming_its_start(permits_cloud: MotoCloud) -> None:
    details = public_place(TODAY).model_copy(
        update={
            "period": public_place(TODAY).period.model_copy(update={"starts_on": TODAY - timedelta(days=1)})
        }
    )

    document = problem(call("POST", APPLICATIONS, body=form(details), claims=citizen(7)), 400)

    assert "details.period.startsOn" in {p["name"] for p in document["invalidParameters"]}


def test_a_renewal_of_anothers_licence_is_refused_naming_the_licence(permits_cloud: MotoCloud) -> None:
    document = problem(call("POST", APPLICATIONS, body=form(renewal(PISTOL_LICENCE)), claims=citizen(8)), 400)

    assert "details.licenceNumber" in {p["name"] for p in document["invalidParameters"]}


# --- another citizen --------------------------------------------------------------------------------------


def test_another_citizens_application_is_not_found_on_every_citizen_route(permits_cloud: MotoCloud) -> None:
    owner = citizen(9)
    application = submitted(owner, public_place(TODAY))
    number = path_of(application["diarienummer"])
    stranger = citizen(10)

    for method, path, body in [
        ("GET", f"{APPLICATIONS}/{number}", None),
        ("POST", f"{APPLICATIONS}/{number}/sketch", {"contentType": "image/png", "sizeBytes": 1000}),
        ("POST", f"{APPLICATIONS}/{number}/sketch/complete", None),
        (
            "PUT",
            f"{APPLICATIONS}/{number}/completions/0b6c6a52-4a3e-4f63-9a56-2f0f8c1d2e3f",
            {"answer": "Här"},
        ),
        ("GET", f"{APPLICATIONS}/{number}/decision", None),
    ]:
        result = call(method, path, body=body, claims=stranger)
        assert result["statusCode"] == 404, (method, path, result["body"])

    listed = response_json(call("GET", APPLICATIONS, claims=stranger))
    assert listed["items"] == []
    assert followed(owner, application["diarienummer"])["status"] == "awaitingPayment"


# --- the municipality -------------------------------------------------------------------------------------


@pytest.fixture
def referred(permits_cloud: MotoCloud) -> dict[str, Any]:
    applicant = citizen(11)
    application = submitted(applicant, public_place(TODAY))
    paid(permits_cloud, application)
    prepared(permits_cloud, application["diarienummer"])
    assert followed(applicant, application["diarienummer"])["status"] == "referred"
    return application


def test_the_municipality_answers_and_the_case_joins_its_regions_queue(
    permits_cloud: MotoCloud, referred: dict[str, Any]
) -> None:
    number = path_of(referred["diarienummer"])
    listed = response_json(call("GET", f"{BASE}/referrals", claims=agency("0180")))
    assert [item["diarienummer"] for item in listed["items"]] == [referred["diarienummer"]]

    answered = call(
        "PUT",
        f"{BASE}/referrals/{number}/answer",
        body={"verdict": "supportsWithConditions", "conditions": "Högst sex bord"},
        claims=agency("0180"),
    )
    assert answered["statusCode"] == 200, answered["body"]
    (event,) = outbox(permits_cloud, "MunicipalityAnswered", referred["diarienummer"])
    assert deliver(permits_cloud, "referralAnswers", event) == []

    assert followed(citizen(11), referred["diarienummer"])["status"] == "queued"
    again = call(
        "PUT", f"{BASE}/referrals/{number}/answer", body={"verdict": "supports"}, claims=agency("0180")
    )
    problem(again, 409)


def test_conditions_are_needed_with_supports_with_conditions(
    permits_cloud: MotoCloud, referred: dict[str, Any]
) -> None:
    result = call(
        "PUT",
        f"{BASE}/referrals/{path_of(referred['diarienummer'])}/answer",
        body={"verdict": "supportsWithConditions"},
        claims=agency("0180"),
    )

    document = problem(result, 400)
    assert "conditions" in {p["name"] for p in document["invalidParameters"]}


def test_another_municipality_is_told_the_referral_does_not_exist(
    permits_cloud: MotoCloud, referred: dict[str, Any]
) -> None:
    number = path_of(referred["diarienummer"])
    other = agency("1280")

    problem(call("GET", f"{BASE}/referrals/{number}", claims=other), 404)
    problem(call("PUT", f"{BASE}/referrals/{number}/answer", body={"verdict": "supports"}, claims=other), 404)
    assert response_json(call("GET", f"{BASE}/referrals", claims=other))["items"] == []
    assert followed(citizen(11), referred["diarienummer"])["status"] == "referred"


def test_a_decision_letter_reaches_the_outgoing_mail_once(permits_cloud: MotoCloud) -> None:
    shooter = citizen_claims(SHOOTER)
    application = submitted(shooter, renewal(PISTOL_LICENCE))
    paid(permits_cloud, application)
    prepared(permits_cloud, application["diarienummer"])
    (decided,) = outbox(permits_cloud, "PermitDecided", application["diarienummer"])

    for _ in range(2):
        assert deliver(permits_cloud, "letters", decided) == []

    assert len(letters_sent(permits_cloud)) == 1


# --- staff ------------------------------------------------------------------------------------------------


def staff(region: str, roles: str) -> dict[str, str]:
    return {
        "sub": "staff-PM-6001",
        "principalType": "staff",
        "staffId": "PM-6001",
        "roles": roles,
        "region": region,
    }


def test_staff_of_another_region_are_told_the_case_does_not_exist(
    permits_cloud: MotoCloud, referred: dict[str, Any]
) -> None:
    case = f"{BASE}/staff/applications/{path_of(referred['diarienummer'])}"

    problem(call("GET", case, claims=staff("Syd", "permits")), 404)
    problem(call("GET", case, claims=staff("Stockholm", "weapons")), 404)
    assert call("GET", case, claims=staff("Stockholm", "permits"))["statusCode"] == 200
    assert call("GET", case, claims=staff("National", "permits"))["statusCode"] == 200


def test_a_permit_the_municipality_advised_against_is_not_granted(
    permits_cloud: MotoCloud, referred: dict[str, Any]
) -> None:
    number = path_of(referred["diarienummer"])
    answered = call(
        "PUT",
        f"{BASE}/referrals/{number}/answer",
        body={"verdict": "advisesAgainst", "reason": "Trafikfara vid övergångsstället"},
        claims=agency("0180"),
    )
    assert answered["statusCode"] == 200, answered["body"]
    (event,) = outbox(permits_cloud, "MunicipalityAnswered", referred["diarienummer"])
    assert deliver(permits_cloud, "referralAnswers", event) == []
    handler = staff("Stockholm", "permits")
    case = f"{BASE}/staff/applications/{number}"
    assert call("POST", f"{case}/assignment", claims=handler)["statusCode"] == 200

    granted = call(
        "POST", f"{case}/decision", body={"outcome": "granted", "reasons": "Beviljas"}, claims=handler
    )

    problem(granted, 409)
    assert followed(citizen(11), referred["diarienummer"])["status"] == "inProgress"
