"""Permits over the local cloud, as applicants, a municipality and case handlers use them: each of the five
kinds submitted, paid through the payment provider's signed callback, followed, completed and decided."""

from __future__ import annotations

import io
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from infra.local.cloud import LocalCloud
from infra.local.event_sources import scheduled_event
from shared import synthetic_people
from tests.e2e.support import LocalClient, eventually, synthetic_personnummer, upload
from tests.support.permits import (
    APPLICATIONS,
    BASE,
    duplicate,
    path_of,
    pay,
    public_place,
    purchase_permit,
    read,
    renewal,
    submit,
    weapon_licence,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
HOLDER, SHOOTER = (f"{p[:8]}-{p[8:]}" for p in synthetic_people.WEAPON_HOLDERS)
HUNTERS_RIFLE = "VL-2019-000001"
SHOOTERS_PISTOL = "VL-2019-000005"


def paid_and_settled(
    client: LocalClient, token: str, application: dict[str, Any], *statuses: str
) -> dict[str, Any]:
    paid = pay(client, application)
    assert paid.status == 200, paid.body
    number = application["diarienummer"]

    def settled() -> dict[str, Any] | None:
        current = read(client, token, number).json()
        return current if current["status"] in statuses else None

    return eventually(settled, timeout_s=20, what=f"{number} to become {' or '.join(statuses)}")


def in_status(client: LocalClient, token: str, number: str, status: str) -> dict[str, Any] | None:
    current: dict[str, Any] = read(client, token, number).json()
    return current if current["status"] == status else None


def staff(client: LocalClient, role: str, region: str = "Stockholm") -> str:
    return client.staff_token(staff_id=f"PM-{random.randint(1000, 9999)}", roles=(role,), region=region)


def test_a_clear_duplicate_licence_is_decided_within_seconds_by_its_rule(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(HOLDER)
    quote = client.request("POST", f"{BASE}/fee-quotes", json_body={"details": duplicate(HUNTERS_RIFLE)})
    assert quote.status == 200, quote.body
    assert quote.json()["amountSek"] == 180
    assert "betalas inte tillbaka" in quote.json()["notice"]

    submitted = submit(client, token, duplicate(HUNTERS_RIFLE))
    assert submitted.status == 201, submitted.body
    application = submitted.json()
    assert application["status"] == "awaitingPayment"
    assert application["fee"]["keptOnRefusal"] is True
    number = application["diarienummer"]
    assert submitted.headers["location"] == f"{APPLICATIONS}/{path_of(number)}"

    started = datetime.now(UTC)
    decided = paid_and_settled(client, token, application, "granted")
    assert datetime.now(UTC) - started < timedelta(seconds=15)
    assert decided["decision"]["decidedBy"] == "rule"
    assert decided["decision"]["ruleId"] == "duplicate-clear"
    assert decided["decision"]["ruleVersion"] >= 1
    assert [entry["status"] for entry in decided["timeline"]][-1] == "granted"

    letter = client.request("GET", f"{APPLICATIONS}/{path_of(number)}/decision", token=token)
    assert letter.status == 200
    assert letter.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(letter.body)).pages[0].extract_text()
    assert "Ansökan beviljas" in text
    assert number in text

    receipt = client.request("GET", f"{APPLICATIONS}/{path_of(number)}/receipt", token=token)
    assert receipt.status == 200
    receipt_text = PdfReader(io.BytesIO(receipt.body)).pages[0].extract_text()
    assert "Kvitto på ansökan" in receipt_text
    assert application["payment"]["reference"] in receipt_text

    stranger = client.citizen_token(synthetic_personnummer(rng))
    paths = ("", "/decision", "/receipt")
    for path in (f"{APPLICATIONS}/{path_of(number)}{tail}" for tail in paths):
        assert client.request("GET", path, token=stranger).status == 404


def test_a_public_place_goes_to_its_municipality_and_its_advice_against_ends_in_a_refusal(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    submitted = submit(client, token, public_place())
    assert submitted.status == 201, submitted.body
    assert submitted.json()["fee"]["amountSek"] == 870
    referred = paid_and_settled(client, token, submitted.json(), "referred")
    number = referred["diarienummer"]
    assert "kommunens" in referred["waitingFor"]

    stockholm = client.token(clientId="municipality-0180", scopes=["permits/referrals:0180"])
    gothenburg = client.token(clientId="municipality-1480", scopes=["permits/referrals:1480"])
    listed = client.request("GET", f"{BASE}/referrals", token=stockholm)
    assert listed.status == 200, listed.body
    assert number in [r["diarienummer"] for r in listed.json()["items"]]
    referral = f"{BASE}/referrals/{path_of(number)}"
    assert client.request("GET", referral, token=gothenburg).status == 404
    assert (
        client.request(
            "PUT", f"{referral}/answer", json_body={"verdict": "supports"}, token=gothenburg
        ).status
        == 404
    )
    unreasoned = client.request(
        "PUT", f"{referral}/answer", json_body={"verdict": "advisesAgainst"}, token=stockholm
    )
    assert unreasoned.status == 400, unreasoned.body
    assert unreasoned.json()["invalidParameters"][0]["name"] == "reason"

    answer = {"verdict": "advisesAgainst", "reason": "Gångbanan blir för smal för rullstolar"}
    answered = client.request("PUT", f"{referral}/answer", json_body=answer, token=stockholm)
    assert answered.status == 200, answered.body
    again = client.request("PUT", f"{referral}/answer", json_body={"verdict": "supports"}, token=stockholm)
    assert again.status == 409

    queued = eventually(
        lambda: in_status(client, token, number, "queued"), what="the answer to reach the case"
    )
    assert queued["municipalityAnswer"]["verdict"] == "advisesAgainst"

    handler = staff(client, "permits", region="Stockholm")
    case = f"{BASE}/staff/applications/{path_of(number)}"
    assert client.request("GET", case, token=staff(client, "permits", region="Väst")).status == 404
    assert client.request("POST", f"{case}/assignment", token=handler).status == 200
    granted = client.request(
        "POST", f"{case}/decision", json_body={"outcome": "granted", "reasons": "Ok"}, token=handler
    )
    assert granted.status == 409
    refused = client.request(
        "POST",
        f"{case}/decision",
        json_body={"outcome": "refused", "reasons": "Kommunen avstyrker: gångbanan blir för smal."},
        token=handler,
    )
    assert refused.status == 200, refused.body

    seen = read(client, token, number).json()
    assert seen["status"] == "refused"
    assert "förvaltningsrätten" in seen["decision"]["appeal"]
    english = read(client, token, number, **{"Accept-Language": "en"}).json()
    assert "administrative court" in english["decision"]["appeal"]


def test_a_weapons_licence_is_completed_by_the_applicant_and_granted_by_a_case_handler(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    submitted = submit(client, token, weapon_licence(weapons=2))
    assert submitted.status == 201, submitted.body
    assert submitted.json()["fee"]["amountSek"] == 950
    queued = paid_and_settled(client, token, submitted.json(), "queued")
    number = queued["diarienummer"]
    assert queued["expectedDecisionOn"] is not None

    handler = staff(client, "weapons", region="Nord")
    queue = client.request("GET", f"{BASE}/staff/queues/weapons?limit=100", token=handler)
    assert queue.status == 200, queue.body
    case = f"{BASE}/staff/applications/{path_of(number)}"
    assert client.request("GET", case, token=staff(client, "permits")).status == 404
    checks = {c["name"]: c["outcome"] for c in client.request("GET", case, token=handler).json()["checks"]}
    assert checks["evidence"] == "passed"
    assert checks["suitability"] == "passed"
    assert client.request("POST", f"{case}/assignment", token=handler).status == 200

    due = (date.today() + timedelta(days=14)).isoformat()
    asked = client.request(
        "POST",
        f"{case}/completion-requests",
        json_body={"asked": "Skicka en bild på vapenskåpet", "dueOn": due},
        token=handler,
    )
    assert asked.status == 200, asked.body
    waiting = read(client, token, number).json()
    assert waiting["status"] == "awaitingCompletion"
    request_id = waiting["completions"][0]["requestId"]
    answered = client.request(
        "PUT",
        f"{APPLICATIONS}/{path_of(number)}/completions/{request_id}",
        json_body={"answer": "Skåpet är ett SS 3492, bild bifogad i brevet"},
        token=token,
    )
    assert answered.status == 200, answered.body
    assert answered.json()["status"] == "inProgress"
    twice = client.request(
        "PUT",
        f"{APPLICATIONS}/{path_of(number)}/completions/{request_id}",
        json_body={"answer": "igen"},
        token=token,
    )
    assert twice.status == 409

    decided = client.request(
        "POST",
        f"{case}/decision",
        json_body={"outcome": "granted", "reasons": "Jägarexamen och förvaring styrkta."},
        token=handler,
    )
    assert decided.status == 200, decided.body
    licences = client.request("GET", f"{BASE}/licences", token=token).json()["items"]
    assert len(licences) == 2
    assert all(licence["kind"] == "licence" for licence in licences)


def test_a_clear_renewal_is_granted_by_its_rule_and_a_stranger_s_licence_cannot_be_renewed(
    client: LocalClient, rng: random.Random
) -> None:
    stranger = client.citizen_token(synthetic_personnummer(rng))
    refused = submit(client, stranger, renewal(SHOOTERS_PISTOL))
    assert refused.status == 400, refused.body
    assert refused.json()["invalidParameters"][0]["name"] == "details.licenceNumber"

    token = client.citizen_token(SHOOTER)
    submitted = submit(client, token, renewal(SHOOTERS_PISTOL))
    assert submitted.status == 201, submitted.body
    assert submitted.json()["fee"]["amountSek"] == 250
    decided = paid_and_settled(client, token, submitted.json(), "granted")
    assert decided["decision"]["ruleId"] == "renewal-clear"
    assert date.fromisoformat(decided["decision"]["validUntil"]) > date.today() + timedelta(days=4 * 365)


def test_a_purchase_permit_is_granted_and_its_holder_reminded_before_it_ends_on_a_set_clock(
    client: LocalClient, local_cloud: LocalCloud, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    submitted = submit(client, token, purchase_permit())
    assert submitted.status == 201, submitted.body
    queued = paid_and_settled(client, token, submitted.json(), "queued")
    number = queued["diarienummer"]
    handler = staff(client, "weapons", region="Syd")
    case = f"{BASE}/staff/applications/{path_of(number)}"
    assert client.request("POST", f"{case}/assignment", token=handler).status == 200
    decided = client.request(
        "POST",
        f"{case}/decision",
        json_body={"outcome": "granted", "reasons": "Medlemskap styrkt."},
        token=handler,
    )
    assert decided.status == 200, decided.body
    permit = client.request("GET", f"{BASE}/licences", token=token).json()["items"][0]
    assert permit["kind"] == "purchasePermit"
    ends = date.fromisoformat(permit["validUntil"])
    assert 170 <= (ends - date.today()).days <= 190

    # The scheduler runs the job every five minutes; here it runs as it would seven weeks before the end.
    seven_weeks_before = datetime.combine(ends - timedelta(weeks=7), datetime.min.time(), UTC)
    ran = local_cloud.invoke(
        "permits", "deadlines", scheduled_event("eservices-local-permits-deadlines", seven_weeks_before)
    )
    assert ran["licences_reminded"] >= 1
    client.wait_for_event(
        "LicenceExpiring", lambda e: e["detail"]["data"]["licenceNumber"] == permit["licenceNumber"]
    )


def test_an_unpaid_application_is_dismissed_after_its_payment_period(
    client: LocalClient, local_cloud: LocalCloud, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    submitted = submit(client, token, public_place(purpose="moneyCollection"))
    assert submitted.status == 201, submitted.body
    assert submitted.json()["fee"]["amountSek"] == 320
    number = submitted.json()["diarienummer"]
    due = datetime.fromisoformat(submitted.json()["payment"]["dueAt"])
    ran = local_cloud.invoke(
        "permits",
        "deadlines",
        scheduled_event("eservices-local-permits-deadlines", due + timedelta(minutes=5)),
    )
    assert ran["dismissed"] >= 1
    assert read(client, token, number).json()["status"] == "dismissed"
    late = pay(client, submitted.json())
    assert late.status == 200  # the provider took it; the service refuses to record it for a dismissed case
    client.wait_for_event(
        "PermitApplicationDismissed", lambda e: e["detail"]["data"]["diarienummer"] == number
    )


def test_bad_input_and_forged_callbacks_are_refused_and_nothing_is_half_written(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    past = submit(client, token, public_place(starts_in_days=-2))
    assert past.status == 400
    assert past.json()["invalidParameters"][0]["name"] == "details.period.startsOn"
    unknown = public_place(municipality="0000")
    bad = submit(client, token, unknown)
    assert bad.status == 400
    assert bad.json()["invalidParameters"][0]["name"] == "details.place.municipalityCode"
    assert client.request("GET", APPLICATIONS, token=token).json()["items"] == []

    submitted = submit(client, token, public_place()).json()
    wrong_amount = pay(client, submitted, amount=100)
    assert wrong_amount.status == 200
    forged = pay(client, submitted, outcome="badSignature")
    assert forged.status == 200
    reference = submitted["payment"]["reference"]

    def answered() -> list[int] | None:
        mine = [
            p
            for p in client.request("GET", "/_local/payments").json()["payments"]
            if p["reference"] == reference
        ]
        codes = sorted(a["statusCode"] for p in mine for a in p["attempts"] if a["statusCode"] is not None)
        return codes if len(codes) >= 2 else None

    codes = eventually(answered, what="the provider's callbacks to be answered")
    assert codes == [400, 401], codes  # the wrong amount names amountSek; the forged signature is refused
    assert read(client, token, submitted["diarienummer"]).json()["status"] == "awaitingPayment"


def test_a_retried_submission_is_one_application_and_concurrent_ones_get_unique_numbers(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    key = {"Idempotency-Key": f"permit-{rng.randrange(10**9)}"}
    body = {"details": public_place()}
    first = client.request("POST", APPLICATIONS, json_body=body, token=token, headers=key)
    again = client.request("POST", APPLICATIONS, json_body=body, token=token, headers=key)
    assert first.status == again.status == 201
    assert again.json()["diarienummer"] == first.json()["diarienummer"]
    other = client.request(
        "POST", APPLICATIONS, json_body={"details": public_place(starts_in_days=50)}, token=token, headers=key
    )
    assert other.status == 422
    assert len(client.request("GET", APPLICATIONS, token=token).json()["items"]) == 1

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: submit(client, token, weapon_licence()), range(16)))
    assert [a.status for a in answers] == [201] * 16
    assert len({a.json()["diarienummer"] for a in answers}) == 16


def test_a_sketch_is_uploaded_checked_and_shown_to_the_municipality(
    client: LocalClient, rng: random.Random
) -> None:
    token = client.citizen_token(synthetic_personnummer(rng))
    application = submit(client, token, public_place(municipality="1280")).json()
    sketch = f"{APPLICATIONS}/{path_of(application['diarienummer'])}/sketch"
    wrong = client.request(
        "POST", sketch, json_body={"contentType": "text/html", "sizeBytes": 100}, token=token
    )
    assert wrong.status == 400
    assert wrong.json()["invalidParameters"][0]["name"] == "contentType"
    too_big = client.request(
        "POST", sketch, json_body={"contentType": "image/png", "sizeBytes": 11 * 2**20}, token=token
    )
    assert too_big.status == 400

    target = client.request(
        "POST", sketch, json_body={"contentType": "image/png", "sizeBytes": len(PNG)}, token=token
    )
    assert target.status == 200, target.body
    assert upload(target.json(), PNG, "image/png") in (200, 201, 204)
    done = client.request("POST", target.json()["complete"], token=token)
    assert done.status == 200, done.body
    assert done.json()["sketchUploaded"] is True

    paid_and_settled(client, token, application, "referred")
    malmo = client.token(clientId="municipality-1280", scopes=["permits/referrals:1280"])
    referral = client.request("GET", f"{BASE}/referrals/{path_of(application['diarienummer'])}", token=malmo)
    assert referral.json()["sketchUploaded"] is True
    assert "personnummer" not in referral.body.decode()
