"""The deadlines job on moto, run as the scheduler runs it: what fell due as of the run's scheduled time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.clock import FixedClock, stockholm_time
from tests.integration.conftest import MotoCloud
from tests.support.lambda_events import response_json
from tests.support.permits_fakes import public_place, weapon_licence
from tests.support.permits_handlers import (
    APPLICATIONS,
    NOW,
    call,
    callback_secret,
    citizen,
    deliver,
    letters_sent,
    outbox,
    path_of,
    payment_callback,
    run_deadlines,
)

TODAY = stockholm_time(NOW).date()


def submitted(claims: dict[str, str], details: Any) -> dict[str, Any]:
    form = {"details": details.model_dump(mode="json", by_alias=True, exclude_none=True)}
    result = call("POST", APPLICATIONS, body=form, claims=claims)
    assert result["statusCode"] == 201, result["body"]
    application: dict[str, Any] = response_json(result)
    return application


def status(claims: dict[str, str], diarienummer: str) -> str:
    return str(response_json(call("GET", f"{APPLICATIONS}/{path_of(diarienummer)}", claims=claims))["status"])


def test_an_unpaid_application_is_dismissed_with_a_letter_once(
    permits_cloud: MotoCloud, permits_clock: FixedClock
) -> None:
    applicant = citizen(51)
    application = submitted(applicant, weapon_licence())
    number = application["diarienummer"]

    assert run_deadlines(NOW + timedelta(days=29))["dismissed"] == 0
    assert run_deadlines(NOW + timedelta(days=30))["dismissed"] == 1
    assert run_deadlines(NOW + timedelta(days=30, minutes=5))["dismissed"] == 0

    assert status(applicant, number) == "dismissed"
    # The letters consumer writes the letter from the stored event, however often it is delivered.
    for message in outbox(permits_cloud, "PermitApplicationDismissed", number) * 2:
        assert deliver(permits_cloud, "letters", message) == []
    dismissals = [letter for letter in letters_sent(permits_cloud) if letter["caseNumber"] == number]
    assert len(dismissals) == 1
    permits_clock.advance(timedelta(days=30, minutes=5))
    late = payment_callback(
        callback_secret(permits_cloud),
        reference=application["payment"]["reference"],
        amount=700,
        at=NOW + timedelta(days=30, minutes=5),
    )
    assert late["statusCode"] == 409


def test_the_seeded_licences_near_their_end_are_reminded_once(permits_cloud: MotoCloud) -> None:
    first = run_deadlines(NOW)
    again = run_deadlines(NOW + timedelta(minutes=5))

    # The pistol licence runs out in 40 days, the purchase permit in 30: both within the eight weeks.
    assert (first["licences_reminded"], again["licences_reminded"]) == (2, 0)
    for message in outbox(permits_cloud, "LicenceExpiring", None) * 2:
        assert deliver(permits_cloud, "letters", message) == []
    assert len(letters_sent(permits_cloud)) == 2


def test_an_unanswered_referral_is_reminded_then_escalated(permits_cloud: MotoCloud) -> None:
    applicant = citizen(52)
    application = submitted(applicant, public_place(TODAY))
    paid = payment_callback(
        callback_secret(permits_cloud), reference=application["payment"]["reference"], amount=870
    )
    assert paid["statusCode"] == 200
    (message,) = outbox(permits_cloud, "PermitFeePaid", application["diarienummer"])
    assert deliver(permits_cloud, "prepare", message) == []

    assert run_deadlines(NOW + timedelta(days=16))["reminded"] == 1
    assert run_deadlines(NOW + timedelta(days=17))["reminded"] == 0
    assert run_deadlines(NOW + timedelta(days=21))["escalated"] == 1

    assert status(applicant, application["diarienummer"]) == "queued"
