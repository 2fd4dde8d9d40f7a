"""Every report e-service over the local cloud: file it, follow it, add to it, fetch its receipt."""

from __future__ import annotations

import io
import random
from typing import Any

import boto3
import pytest
from pypdf import PdfReader

from infra.local.cloud import LocalCloud
from shared.identity import generate_organisationsnummer, generate_personnummer
from shared.synthetic_people import COMPANIES
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.reports import FORMS, form

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REPORTS = "/reports/v1/reports"
REGIONS = {
    "theft": "Väst",
    "shopTheft": "Syd",
    "cardFraud": "Mitt",
    "vandalism": "Öst",
    "parkingDamage": "Bergslagen",
    "loss": "Nord",
}


@pytest.fixture
def personnummer(rng: random.Random) -> str:
    return str(generate_personnummer(rng))


@pytest.fixture
def token(client: LocalClient, personnummer: str) -> str:
    return client.citizen_token(personnummer)


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    return dict(response.json())


STAYS_OPEN: dict[str, dict[str, Any]] = {"parkingDamage": {"witnesses": [{"name": "Grannen på plan 2"}]}}


@pytest.mark.parametrize("report_type", sorted(FORMS))
def test_each_form_is_filed_followed_amended_and_gets_a_receipt(
    client: LocalClient, token: str, report_type: str
) -> None:
    if report_type == "shopTheft":  # filed by someone who may act for the shop's company
        token = client.citizen_token(COMPANIES[0].representatives[0])
    # A lead keeps the report open for the addition: without one, triage may close it first (parking damage).
    body = form(report_type, **STAYS_OPEN.get(report_type, {}))
    filed = client.request("POST", REPORTS, json_body=body, token=token)
    assert filed.status == 201, filed.body
    case = filed.json()["caseNumber"]
    assert filed.json()["region"] == REGIONS[report_type]

    report = client.request("GET", f"{REPORTS}/{case}", token=token).json()
    assert report["type"] == report_type
    assert report["submitted"]["description"] == FORMS[report_type]["description"]

    amended = client.request(
        "POST", f"{REPORTS}/{case}/amendments", json_body={"text": "Jag kom på en sak till."}, token=token
    )
    assert amended.status == 200, amended.body
    assert [a["text"] for a in amended.json()["amendments"]] == ["Jag kom på en sak till."]

    receipt = client.request("GET", f"{REPORTS}/{case}/receipt", token=token)
    assert receipt.status == 200
    assert receipt.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.body)).pages)
    assert case in text
    assert "Kvitto på anmälan" in text
    assert REGIONS[report_type] in text


def test_a_receipt_is_only_for_the_owner(client: LocalClient, token: str, rng: random.Random) -> None:
    case = client.request("POST", REPORTS, json_body=form("theft"), token=token).json()["caseNumber"]
    stranger = client.citizen_token(str(generate_personnummer(rng)))
    problem(client.request("GET", f"{REPORTS}/{case}/receipt", token=stranger), 404)


def test_a_parking_damage_receipt_carries_the_registration_number_for_the_insurance_fund(
    client: LocalClient, token: str
) -> None:
    case = client.request("POST", REPORTS, json_body=form("parkingDamage"), token=token).json()["caseNumber"]
    receipt = client.request("GET", f"{REPORTS}/{case}/receipt", token=token)
    text = PdfReader(io.BytesIO(receipt.body)).pages[0].extract_text()
    assert "ABC12A" in text
    assert "Trafikförsäkringsföreningen" in text


@pytest.mark.parametrize(
    ("body", "refer_to"),
    [
        (form("theft", ongoing=True), "112"),
        (form("cardFraud", cardBlocked=False), "114 14"),
        (form("cardFraud", detailsGivenByPhone=True), "114 14"),
        (form("cardFraud", merchantName=None), "114 14"),
        (form("loss", items=[{"category": "keys", "description": "Husnycklar"}]), "reception"),
    ],
    ids=["in-progress", "card-not-blocked", "details-on-phone", "merchant-unknown", "lost-keys"],
)
def test_matters_for_elsewhere_are_referred_and_nothing_is_filed(
    client: LocalClient, token: str, body: dict[str, Any], refer_to: str
) -> None:
    document = problem(client.request("POST", REPORTS, json_body=body, token=token), 422)
    assert document["referTo"] == refer_to
    assert client.request("GET", REPORTS, token=token).json()["items"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (form("shopTheft", organisationsnummer="556036-0794"), "organisationsnummer"),
        (form("shopTheft", goods=[]), "goods"),
        (form("parkingDamage", registrationNumber="ABCD12"), "registrationNumber"),
        (form("loss", items=[{"category": "passport"}]), "items[0]"),
        (form("cardFraud", transactions=[]), "transactions"),
        (form("vandalism", damageKind="arson"), "damageKind"),
        (form("theft", location={"municipalityCode": "0199", "address": "X"}), "location.municipalityCode"),
        (
            form("theft", onBehalfOf={"personnummer": "19400908-3273", "relation": "child"}),
            "onBehalfOf.personnummer",
        ),
        ({**form("loss"), "type": "burglaryOnTheMoon"}, "type"),
    ],
    ids=[
        "orgnr",
        "no-goods",
        "registration",
        "passport-without-number",
        "no-transactions",
        "damage-kind",
        "municipality",
        "on-behalf-personnummer",
        "type",
    ],
)
def test_bad_input_per_form_names_the_field(
    client: LocalClient, token: str, body: dict[str, Any], field: str
) -> None:
    document = problem(client.request("POST", REPORTS, json_body=body, token=token), 400)
    assert field in {p["name"] for p in document["invalidParameters"]}
    assert client.request("GET", REPORTS, token=token).json()["items"] == []


def test_filing_for_someone_else_identifies_both(
    client: LocalClient, token: str, rng: random.Random, personnummer: str
) -> None:
    child = str(generate_personnummer(rng))
    body = form("theft", onBehalfOf={"personnummer": child, "relation": "child"})
    report = client.request("POST", REPORTS, json_body=body, token=token).json()
    assert report["submitted"]["onBehalfOf"]["personnummer"] == child

    own = form("theft", onBehalfOf={"personnummer": personnummer, "relation": "other"})
    problem(client.request("POST", REPORTS, json_body=own, token=token), 400)


def test_a_lost_passport_is_asked_to_be_blocked_on_the_bus_at_once(
    client: LocalClient, token: str, personnummer: str
) -> None:
    case = client.request("POST", REPORTS, json_body=form("loss"), token=token).json()["caseNumber"]

    requested = client.wait_for_event(
        "DocumentBlockRequested", lambda e: e["detail"]["data"]["caseNumber"] == case
    )
    data = requested["detail"]["data"]
    assert (data["documentType"], data["documentNumber"], data["reason"]) == ("passport", "87654321", "lost")
    assert (data["holderPersonnummer"], data["requestedBy"]) == (personnummer, "holder")


def test_a_shop_theft_for_a_company_one_does_not_represent_is_403(
    client: LocalClient, token: str, rng: random.Random
) -> None:
    unrelated = str(generate_organisationsnummer(rng))
    for body in (form("shopTheft"), form("shopTheft", organisationsnummer=unrelated)):
        refused = problem(client.request("POST", REPORTS, json_body=body, token=token), 403)
        assert "företrädare" in refused["detail"]
    assert client.request("GET", REPORTS, token=token).json()["items"] == []


def test_a_forged_next_token_is_400_naming_it(client: LocalClient, token: str) -> None:
    for _ in range(2):
        assert client.request("POST", REPORTS, json_body=form("vandalism"), token=token).status == 201
    page = client.request("GET", f"{REPORTS}?limit=1", token=token).json()
    genuine = page["nextToken"]
    assert client.token_subject(token) not in genuine
    altered = genuine[:-2] + ("AA" if genuine[-2:] != "AA" else "BB")

    for forged in (altered, "eyJvd25lcktleSI6Ik9XTkVSI3gifQ"):
        answer = problem(client.request("GET", f"{REPORTS}?limit=1&nextToken={forged}", token=token), 400)
        assert [p["name"] for p in answer["invalidParameters"]] == ["nextToken"]


def test_the_stolen_goods_check_says_yes_or_no_and_nothing_more(client: LocalClient, token: str) -> None:
    serial = f"SN{random.Random().randrange(10**9):09d}"
    body = form("theft", items=[{"category": "bicycle", "serialNumber": serial.lower(), "valueSek": 5000}])
    client.request("POST", REPORTS, json_body=body, token=token)

    def stolen() -> dict[str, Any] | None:
        answer: dict[str, Any] = client.request("GET", f"/reports/v1/stolen-goods/{serial}").json()
        return answer if answer["reportedStolen"] else None

    assert eventually(stolen, what="the serial number to read as stolen") == {
        "serialNumber": serial,
        "reportedStolen": True,
    }
    unknown = client.request("GET", "/reports/v1/stolen-goods/NEVERSEEN123").json()
    assert unknown == {"serialNumber": "NEVERSEEN123", "reportedStolen": False}
    problem(client.request("GET", "/reports/v1/stolen-goods/%3Cscript%3E"), 400)


def test_an_anonymous_tip_stores_nothing_that_identifies_the_sender(
    client: LocalClient, local_cloud: LocalCloud, token: str, personnummer: str
) -> None:
    tip = {
        "category": "drugs",
        "description": "Det säljs narkotika vid busshållplatsen varje kväll.",
        "municipalityCode": "0180",
    }

    anonymous = client.request("POST", "/reports/v1/tips", json_body=tip, token=token)
    identified = client.request("POST", "/reports/v1/identified-tips", json_body=tip, token=token)

    assert anonymous.status == 201, anonymous.body
    assert identified.status == 201, identified.body
    tables = boto3.client(
        "dynamodb",
        endpoint_url=local_cloud.aws_endpoint,
        region_name="eu-north-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    items = tables.scan(TableName="eservices-local-reports-main")["Items"]
    stored = {item["pk"]["S"]: str(item) for item in items if item["pk"]["S"].startswith("TIP#")}
    anonymous_record = stored[f"TIP#{anonymous.json()['tipId']}"]
    identified_record = stored[f"TIP#{identified.json()['tipId']}"]
    assert personnummer in identified_record
    for trace in (personnummer, "127.0.0.1", client.token_subject(token)):
        assert trace not in anonymous_record

    # Nor in the gateway's log: no line names the client's address.
    def gateway_lines() -> list[str]:
        log = (local_cloud.logs_dir / "local.log").read_text(encoding="utf-8")
        return [line for line in log.splitlines() if "infra.local.gateway" in line]

    eventually(
        lambda: any('"POST /reports/v1/tips" 201' in line for line in gateway_lines()),
        what="the gateway to log the tip",
    )
    assert not [line for line in gateway_lines() if "127.0.0.1" in line]
    problem(client.request("POST", "/reports/v1/identified-tips", json_body=tip), 401)
