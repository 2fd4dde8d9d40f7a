"""The authorization matrix: every route of every manifest, called by every kind of caller, over the local cloud.

Rows are the manifests' routes, columns the identities below; each cell's expected answer follows from the
route's declared audience and role and from whether it addresses one object (a citizen's own, or one of a
staff region). A new route without a request here fails the matrix until someone says how to call it.

What a cell expects:
- ``unauthenticated``: 401 (no token, a tampered one, an expired one) on every route that is not public, and
  the token of the other sign-in: citizens log in with e-ID, checked by the citizens' authorizer, staff and
  agencies through the user pool, checked by its authorizer; each refuses the other's tokens (ADR 77);
- ``forbidden``: 403, a caller of the pool of the wrong kind (staff on an agency route, an agency on a staff
  route) or without the route's role;
- ``hidden``: 404 for another citizen's object (its existence is not revealed); for staff of another region,
  404 or 403;
- ``allowed``: neither 401, 403 nor 404, and never a 5xx.
A public route answers everyone and never 5xx.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from infra.catalog import MANIFESTS
from infra.local.aws import AwsClients
from infra.local.cloud import LocalCloud
from shared.identity import generate_personnummer
from shared.manifest import Route, ServiceManifest
from shared.payments import payment_reference, sign_callback
from tests.e2e.support import LocalClient, Response, eventually
from tests.support.bookings import CONTACT
from tests.support.permits import path_of, pay, public_place, read, submit, weapon_licence
from tests.support.reports import form

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local_cloud")]

REGION = "Syd"
OTHER_REGION = "Stockholm"
MUNICIPALITY = "1280"  # Malmö, region Syd
RECEPTION_ID = "malmo"
STAFF_ID = "PM-7301"

IDENTITIES = (
    "anonymous",
    "tampered",
    "expired",
    "owner",
    "otherCitizen",
    "agency",
    "staffWithoutRole",
    "staff",
    "staffOfOtherRegion",
    "national",
)
# Object-addressing path parameters: of a citizen's own object on citizen routes, of a region's on staff routes.
OBJECT_PARAMETERS = frozenset(
    {
        "caseNumber",
        "bookingNumber",
        "attachmentId",
        "foundItemId",
        "receptionId",
        "diarienummer",
        "queue",
        "feedbackNumber",
    }
)


# --- the objects the matrix reaches ----------------------------------------------------------------------


@dataclass
class World:
    client: LocalClient
    tokens: dict[str, str | None]
    case_number: str
    attachment_id: str
    found_item_id: str
    booking_number: str
    booking_start: str
    serial_number: str
    rng: random.Random
    # The owner's public-place application in the region (referred to its municipality) and weapons
    # application (completed and decided), and the completion request on the latter.
    public_place: str = ""
    weapons: str = ""
    completion_id: str = ""
    callback_secret: bytes = b""
    # The owner's feedback items in the region: one to answer and close, one to pass on, one to refer.
    feedback: str = ""
    feedback_to_transfer: str = ""
    feedback_to_refer: str = ""
    feedback_attachment: str = ""

    def slot(self, kind: str = "documents", skip: int = 0) -> str:
        """The start of an untouched slot at the reception, a day or more ahead."""
        first = date.today() + timedelta(days=1)
        query = f"from={first}&to={first + timedelta(days=20)}&kind={kind}"
        listing = self.client.request("GET", f"/bookings/v1/receptions/{RECEPTION_ID}/slots?{query}")
        assert listing.status == 200, listing.body
        fresh = [s for s in listing.json()["items"] if s["free"] == s["capacity"]]
        return str(fresh[skip + self.rng.randrange(len(fresh) - skip)]["start"])


def _staff_token(client: LocalClient, *, roles: list[str], region: str) -> str:
    return client.token(staffId=STAFF_ID, roles=roles, region=region)


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    return f"{header}.{payload}.{flipped}"


def _expired(client: LocalClient, personnummer: str) -> str:
    response = client.request(
        "POST", "/_local/token", json_body={"personnummer": personnummer, "expiresIn": 1}
    )
    assert response.status == 200, response.body
    token = str(response.json()["accessToken"])
    probe = "/reports/v1/reports"
    eventually(
        lambda: client.request("GET", probe, token=token).status == 401, timeout_s=5, what="the token expired"
    )
    return token


def _roles(manifests: tuple[ServiceManifest, ...]) -> list[str]:
    return sorted({role for m in manifests for r in m.routes for role in r.roles})


@pytest.fixture(scope="module")
def world(local_cloud: LocalCloud) -> World:
    client = LocalClient(local_cloud.base_url)
    rng = random.Random("authorization-matrix")
    owner_pnr = str(generate_personnummer(rng))
    owner = client.citizen_token(owner_pnr)
    other = client.citizen_token(str(generate_personnummer(rng)))
    roles = _roles(MANIFESTS)
    tokens: dict[str, str | None] = {
        "anonymous": None,
        "tampered": _tamper(owner),
        "expired": _expired(client, owner_pnr),
        "owner": owner,
        "otherCitizen": other,
        "agency": client.token(
            clientId="agency-example", scopes=["reports.read", f"permits/referrals:{MUNICIPALITY}"]
        ),
        "staffWithoutRole": _staff_token(client, roles=[], region=REGION),
        "staff": _staff_token(client, roles=roles, region=REGION),
        "staffOfOtherRegion": _staff_token(client, roles=roles, region=OTHER_REGION),
        "national": _staff_token(client, roles=roles, region="National"),
    }
    serial_number = f"MX{rng.randrange(10**9):09d}"
    report = form("theft", location={"municipalityCode": MUNICIPALITY, "address": "Södergatan 5, Malmö"})
    report["items"] = [{"category": "camera", "brand": "Fujifilm", "serialNumber": serial_number}]
    filed = client.request("POST", "/reports/v1/reports", json_body=report, token=owner)
    assert filed.status == 201, filed.body
    case_number = str(filed.json()["caseNumber"])

    attachment = client.request(
        "POST",
        f"/reports/v1/reports/{case_number}/attachments",
        json_body={"fileName": "dorr.jpg", "contentType": "image/jpeg", "sizeBytes": 2048},
        token=owner,
    )
    assert attachment.status == 201, attachment.body
    attachment_id = str(attachment.json()["attachment"]["attachmentId"])

    found = client.request(
        "POST", "/reports/v1/staff/found-items", json_body=_found_item(rng), token=tokens["staff"]
    )
    assert found.status == 201, found.body
    found_item_id = str(found.json()["foundItemId"])

    world = World(client, tokens, case_number, attachment_id, found_item_id, "", "", serial_number, rng)
    start = world.slot()
    booked = client.request("POST", "/bookings/v1/appointments", json_body=_booking(start), token=owner)
    assert booked.status == 201, booked.body
    world.booking_number = str(booked.json()["bookingNumber"])
    world.booking_start = start
    _permit_cases(world, local_cloud, owner)
    _feedback_items(world, owner)
    return world


def _feedback_items(world: World, owner: str) -> None:
    client, staff = world.client, world.tokens["staff"]

    def give(**changes: Any) -> str:
        given = client.request("POST", f"{FB}/items", json_body=_feedback(**changes), token=owner)
        assert given.status == 201, given.body
        return str(given.json()["feedbackNumber"])

    world.feedback = give()
    world.feedback_to_transfer = give()
    world.feedback_to_refer = give(kind="employeeComplaint", publishConsent=False)
    attachment = client.request(
        "POST",
        f"{FB}/items/{world.feedback}/attachments",
        json_body={"contentType": "image/png", "sizeBytes": 2048},
        token=owner,
    )
    assert attachment.status == 200, attachment.body
    world.feedback_attachment = str(attachment.json()["attachmentId"])
    assigned = client.request(
        "POST", f"{FB}/staff/items/{world.feedback}/assignment", json_body={"manager": STAFF_ID}, token=staff
    )
    assert assigned.status == 200, assigned.body


def _feedback(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "serviceComplaint",
        "category": "waitingTime",
        "concerns": {"municipalityCode": MUNICIPALITY},
        "text": "Lång väntan i receptionen.",
        "answer": {"by": "digitalMail"},
        "publishConsent": True,
    }
    return {**body, **changes}


def _paid(client: LocalClient, owner: str, details: dict[str, Any], status: str) -> str:
    submitted = submit(client, owner, details)
    assert submitted.status == 201, submitted.body
    assert pay(client, submitted.json()).status == 200
    number = str(submitted.json()["diarienummer"])
    eventually(lambda: read(client, owner, number).json()["status"] == status, what=f"{number} {status}")
    return number


def _permit_cases(world: World, local_cloud: LocalCloud, owner: str) -> None:
    client, staff = world.client, world.tokens["staff"]
    world.public_place = _paid(client, owner, public_place(municipality=MUNICIPALITY), "referred")
    world.weapons = _paid(client, owner, weapon_licence(), "queued")
    case = f"{P}/staff/applications/{path_of(world.weapons)}"
    assert client.request("POST", f"{case}/assignment", token=staff).status == 200
    due = (date.today() + timedelta(days=10)).isoformat()
    asked = client.request(
        "POST", f"{case}/completion-requests", json_body={"asked": "Foto", "dueOn": due}, token=staff
    )
    assert asked.status == 200, asked.body
    world.completion_id = str(asked.json()["completions"][0]["requestId"])
    answer = f"{P}/applications/{path_of(world.weapons)}/completions/{world.completion_id}"
    assert client.request("PUT", answer, json_body={"answer": "Bifogat"}, token=owner).status == 200
    decided = client.request(
        "POST", f"{case}/decision", json_body={"outcome": "granted", "reasons": "Ok"}, token=staff
    )
    assert decided.status == 200, decided.body
    aws = AwsClients.connect(local_cloud.aws_endpoint)
    secrets = aws.secrets.get_secret_value(SecretId="eservices-local-permits-payment-callbacks")
    world.callback_secret = secrets["SecretString"].encode()


def _signed(world: World, body: dict[str, Any]) -> dict[str, str]:
    """The payment provider's signature headers for ``body``, as its callbacks carry them."""
    timestamp = int(time.time())
    text = json.dumps(body).encode()
    signature = sign_callback(world.callback_secret, webhook_id="msg-matrix", timestamp=timestamp, body=text)
    return {"webhook-id": "msg-matrix", "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def _found_item(rng: random.Random) -> dict[str, Any]:
    return {
        "category": "wallet",
        "description": "Brun plånbok av läder",
        "foundAt": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
        "place": {"municipalityCode": MUNICIPALITY, "description": "Gustav Adolfs torg, vid en bänk"},
        "reception": {"name": "Polisen Malmö", "municipalityCode": MUNICIPALITY},
        "finder": {"name": f"Upphittare {rng.randrange(1000)}", "wantsItemIfUnclaimed": False},
    }


def _booking(start: str) -> dict[str, Any]:
    return {"receptionId": RECEPTION_ID, "start": start, "services": ["passport"], "contact": dict(CONTACT)}


# --- how to call each route ------------------------------------------------------------------------------

Call = tuple[str, dict[str, Any] | None]  # the path with its parameters filled in, and the body
Requests = dict[tuple[str, str], Callable[[World], Call]]

R = "/reports/v1"
B = "/bookings/v1"
P = "/permits/v1"
FB = "/feedback/v1"
UNKNOWN_PAYMENT = {
    "reference": payment_reference(4711),
    "amountSek": 870,
    "currency": "SEK",
    "transactionId": "tx-matrix",
    "paidAt": "2026-01-05T10:00:00+01:00",
}
TIP = {"category": "drugs", "description": "Det säljs narkotika vid busshållplatsen på kvällarna."}

REQUESTS: Requests = {
    ("POST", f"{R}/reports"): lambda w: (f"{R}/reports", form("vandalism")),
    ("GET", f"{R}/reports"): lambda w: (f"{R}/reports", None),
    ("GET", f"{R}/reports/{{caseNumber}}"): lambda w: (f"{R}/reports/{w.case_number}", None),
    ("POST", f"{R}/reports/{{caseNumber}}/amendments"): lambda w: (
        f"{R}/reports/{w.case_number}/amendments",
        {"text": "Jag såg en vit skåpbil utanför samma kväll."},
    ),
    ("GET", f"{R}/reports/{{caseNumber}}/receipt"): lambda w: (f"{R}/reports/{w.case_number}/receipt", None),
    ("POST", f"{R}/reports/{{caseNumber}}/attachments"): lambda w: (
        f"{R}/reports/{w.case_number}/attachments",
        {"fileName": "kvitto.pdf", "contentType": "application/pdf", "sizeBytes": 1024},
    ),
    ("POST", f"{R}/reports/{{caseNumber}}/attachments/{{attachmentId}}/complete"): lambda w: (
        f"{R}/reports/{w.case_number}/attachments/{w.attachment_id}/complete",
        None,
    ),
    ("DELETE", f"{R}/reports/{{caseNumber}}/attachments/{{attachmentId}}"): lambda w: (
        f"{R}/reports/{w.case_number}/attachments/{w.attachment_id}",
        None,
    ),
    ("POST", f"{R}/tips"): lambda w: (f"{R}/tips", dict(TIP)),
    ("POST", f"{R}/identified-tips"): lambda w: (f"{R}/identified-tips", dict(TIP)),
    ("GET", f"{R}/stolen-goods/{{serialNumber}}"): lambda w: (f"{R}/stolen-goods/{w.serial_number}", None),
    ("GET", f"{R}/openapi.json"): lambda w: (f"{R}/openapi.json", None),
    ("POST", f"{R}/staff/found-items"): lambda w: (f"{R}/staff/found-items", _found_item(w.rng)),
    ("GET", f"{R}/staff/found-items"): lambda w: (f"{R}/staff/found-items?region={REGION}", None),
    ("GET", f"{R}/staff/found-items/{{foundItemId}}"): lambda w: (
        f"{R}/staff/found-items/{w.found_item_id}",
        None,
    ),
    ("POST", f"{R}/staff/found-items/{{foundItemId}}/owner-notices"): lambda w: (
        f"{R}/staff/found-items/{w.found_item_id}/owner-notices",
        {"caseNumber": w.case_number},
    ),
    ("POST", f"{R}/staff/found-items/{{foundItemId}}/handover"): lambda w: (
        f"{R}/staff/found-items/{w.found_item_id}/handover",
        {"to": "owner", "caseNumber": w.case_number},
    ),
    ("GET", f"{R}/staff/queue"): lambda w: (f"{R}/staff/queue?region={REGION}", None),
    ("GET", f"{R}/staff/reports/{{caseNumber}}"): lambda w: (f"{R}/staff/reports/{w.case_number}", None),
    ("POST", f"{R}/staff/reports/{{caseNumber}}/assignment"): lambda w: (
        f"{R}/staff/reports/{w.case_number}/assignment",
        None,
    ),
    ("POST", f"{R}/staff/reports/{{caseNumber}}/status"): lambda w: (
        f"{R}/staff/reports/{w.case_number}/status",
        {"status": "awaitingAssessment", "reason": "Tillbaka i kön för bedömning."},
    ),
    ("POST", f"{R}/staff/reports/{{caseNumber}}/decision"): lambda w: (
        f"{R}/staff/reports/{w.case_number}/decision",
        {"outcome": "investigationNotOpened", "reason": "Det finns inga spår att gå vidare med."},
    ),
    ("POST", f"{R}/staff/reports/{{caseNumber}}/notes"): lambda w: (
        f"{R}/staff/reports/{w.case_number}/notes",
        {"text": "Kontrollera kameror vid torget."},
    ),
    ("GET", f"{B}/receptions"): lambda w: (f"{B}/receptions", None),
    ("GET", f"{B}/receptions/{{receptionId}}"): lambda w: (f"{B}/receptions/{RECEPTION_ID}", None),
    ("GET", f"{B}/receptions/{{receptionId}}/slots"): lambda w: (
        f"{B}/receptions/{RECEPTION_ID}/slots?from={date.today()}&to={date.today() + timedelta(days=3)}",
        None,
    ),
    ("POST", f"{B}/document-validity"): lambda w: (
        f"{B}/document-validity",
        {"documentNumber": "10000001", "personnummer": "19400908-3272", "expiryDate": "2030-01-01"},
    ),
    ("POST", f"{B}/cancellations"): lambda w: (
        f"{B}/cancellations",
        {"bookingNumber": "ZZZZZZZZ", "email": "nobody@example.se"},
    ),
    ("POST", f"{B}/appointments"): lambda w: (f"{B}/appointments", _booking(w.slot(skip=1))),
    ("GET", f"{B}/appointments"): lambda w: (f"{B}/appointments", None),
    ("GET", f"{B}/appointments/{{bookingNumber}}"): lambda w: (f"{B}/appointments/{w.booking_number}", None),
    ("PATCH", f"{B}/appointments/{{bookingNumber}}"): lambda w: (
        f"{B}/appointments/{w.booking_number}",
        {"start": w.slot(skip=2)},
    ),
    ("DELETE", f"{B}/appointments/{{bookingNumber}}"): lambda w: (
        f"{B}/appointments/{w.booking_number}",
        None,
    ),
    ("POST", f"{B}/case-appointments"): lambda w: (
        f"{B}/case-appointments",
        {
            "receptionId": RECEPTION_ID,
            "start": w.slot(kind="caseMeeting"),
            "caseNumber": w.case_number,
            "contact": dict(CONTACT),
        },
    ),
    ("GET", f"{B}/staff/receptions/{{receptionId}}/appointments"): lambda w: (
        f"{B}/staff/receptions/{RECEPTION_ID}/appointments?date={w.booking_start[:10]}",
        None,
    ),
    ("PUT", f"{B}/staff/appointments/{{bookingNumber}}/attendance"): lambda w: (
        f"{B}/staff/appointments/{w.booking_number}/attendance",
        {"attendance": "arrived"},
    ),
    ("GET", f"{B}/openapi.json"): lambda w: (f"{B}/openapi.json", None),
    ("POST", f"{P}/fee-quotes"): lambda w: (f"{P}/fee-quotes", {"details": weapon_licence(weapons=2)}),
    ("POST", f"{P}/applications"): lambda w: (f"{P}/applications", {"details": public_place()}),
    ("GET", f"{P}/applications"): lambda w: (f"{P}/applications", None),
    ("GET", f"{P}/applications/{{diarienummer}}"): lambda w: (
        f"{P}/applications/{path_of(w.public_place)}",
        None,
    ),
    ("POST", f"{P}/applications/{{diarienummer}}/sketch"): lambda w: (
        f"{P}/applications/{path_of(w.public_place)}/sketch",
        {"contentType": "image/png", "sizeBytes": 2048},
    ),
    ("POST", f"{P}/applications/{{diarienummer}}/sketch/complete"): lambda w: (
        f"{P}/applications/{path_of(w.public_place)}/sketch/complete",
        None,
    ),
    ("PUT", f"{P}/applications/{{diarienummer}}/completions/{{requestId}}"): lambda w: (
        f"{P}/applications/{path_of(w.weapons)}/completions/{w.completion_id}",
        {"answer": "Igen"},
    ),
    ("GET", f"{P}/applications/{{diarienummer}}/receipt"): lambda w: (
        f"{P}/applications/{path_of(w.public_place)}/receipt",
        None,
    ),
    ("GET", f"{P}/applications/{{diarienummer}}/decision"): lambda w: (
        f"{P}/applications/{path_of(w.weapons)}/decision",
        None,
    ),
    ("GET", f"{P}/licences"): lambda w: (f"{P}/licences", None),
    ("POST", f"{P}/payment-callbacks"): lambda w: (f"{P}/payment-callbacks", dict(UNKNOWN_PAYMENT)),
    ("GET", f"{P}/referrals"): lambda w: (f"{P}/referrals", None),
    ("GET", f"{P}/referrals/{{diarienummer}}"): lambda w: (f"{P}/referrals/{path_of(w.public_place)}", None),
    ("PUT", f"{P}/referrals/{{diarienummer}}/answer"): lambda w: (
        f"{P}/referrals/{path_of(w.public_place)}/answer",
        {"verdict": "supportsWithConditions", "conditions": "Fri passage om 1,5 meter"},
    ),
    ("GET", f"{P}/staff/queues/{{queue}}"): lambda w: (f"{P}/staff/queues/{REGION}", None),
    ("GET", f"{P}/staff/applications/{{diarienummer}}"): lambda w: (
        f"{P}/staff/applications/{path_of(w.public_place)}",
        None,
    ),
    ("POST", f"{P}/staff/applications/{{diarienummer}}/assignment"): lambda w: (
        f"{P}/staff/applications/{path_of(w.public_place)}/assignment",
        None,
    ),
    ("POST", f"{P}/staff/applications/{{diarienummer}}/completion-requests"): lambda w: (
        f"{P}/staff/applications/{path_of(w.public_place)}/completion-requests",
        {"asked": "En tydligare skiss", "dueOn": (date.today() + timedelta(days=7)).isoformat()},
    ),
    ("POST", f"{P}/staff/applications/{{diarienummer}}/decision"): lambda w: (
        f"{P}/staff/applications/{path_of(w.public_place)}/decision",
        {"outcome": "refused", "reasons": "Platsen är redan upplåten."},
    ),
    ("GET", f"{P}/openapi.json"): lambda w: (f"{P}/openapi.json", None),
    ("GET", f"{FB}/guidance"): lambda w: (f"{FB}/guidance", None),
    ("GET", f"{FB}/lessons"): lambda w: (f"{FB}/lessons", None),
    ("GET", f"{FB}/published"): lambda w: (f"{FB}/published?q=v%C3%A4ntan", None),
    ("POST", f"{FB}/anonymous-items"): lambda w: (f"{FB}/anonymous-items", _feedback(answer=None)),
    ("POST", f"{FB}/items"): lambda w: (f"{FB}/items", _feedback()),
    ("GET", f"{FB}/items"): lambda w: (f"{FB}/items", None),
    ("GET", f"{FB}/items/{{feedbackNumber}}"): lambda w: (f"{FB}/items/{w.feedback}", None),
    ("POST", f"{FB}/items/{{feedbackNumber}}/reopening"): lambda w: (
        f"{FB}/items/{w.feedback}/reopening",
        {"reason": "Inte nöjd med svaret."},
    ),
    ("POST", f"{FB}/items/{{feedbackNumber}}/attachments"): lambda w: (
        f"{FB}/items/{w.feedback}/attachments",
        {"contentType": "application/pdf", "sizeBytes": 1024},
    ),
    ("POST", f"{FB}/items/{{feedbackNumber}}/attachments/{{attachmentId}}/complete"): lambda w: (
        f"{FB}/items/{w.feedback}/attachments/{w.feedback_attachment}/complete",
        None,
    ),
    ("POST", f"{FB}/staff/items"): lambda w: (f"{FB}/staff/items", {"feedback": _feedback(answer=None)}),
    ("GET", f"{FB}/staff/items"): lambda w: (f"{FB}/staff/items?region={REGION}", None),
    ("POST", f"{FB}/staff/lessons"): lambda w: (
        f"{FB}/staff/lessons",
        {"title": "Kortare väntan", "change": "Fler i receptionen.", "feedbackNumbers": [w.feedback]},
    ),
    ("GET", f"{FB}/staff/search"): lambda w: (f"{FB}/staff/search?q=v%C3%A4ntan&region={REGION}", None),
    ("GET", f"{FB}/staff/learning"): lambda w: (f"{FB}/staff/learning?region={REGION}", None),
    ("GET", f"{FB}/staff/learning.csv"): lambda w: (f"{FB}/staff/learning.csv?region={REGION}", None),
    ("GET", f"{FB}/staff/learning/chart.svg"): lambda w: (
        f"{FB}/staff/learning/chart.svg?region={REGION}",
        None,
    ),
    ("GET", f"{FB}/staff/items/{{feedbackNumber}}"): lambda w: (f"{FB}/staff/items/{w.feedback}", None),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/assignment"): lambda w: (
        f"{FB}/staff/items/{w.feedback}/assignment",
        {"manager": STAFF_ID},
    ),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/transfer"): lambda w: (
        f"{FB}/staff/items/{w.feedback_to_transfer}/transfer",
        {"to": "National", "reason": "Gäller en nationell enhet."},
    ),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/referral"): lambda w: (
        f"{FB}/staff/items/{w.feedback_to_refer}/referral",
        {"reason": "Kan beskriva ett brott."},
    ),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/answer"): lambda w: (
        f"{FB}/staff/items/{w.feedback}/answer",
        {"text": "Vi har förstärkt receptionen."},
    ),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/employee-feedback"): lambda w: (
        f"{FB}/staff/items/{w.feedback}/employee-feedback",
        None,
    ),
    ("POST", f"{FB}/staff/items/{{feedbackNumber}}/closing"): lambda w: (
        f"{FB}/staff/items/{w.feedback}/closing",
        None,
    ),
    ("PUT", f"{FB}/staff/items/{{feedbackNumber}}/publication"): lambda w: (
        f"{FB}/staff/items/{w.feedback}/publication",
        {"text": "Lång väntan i receptionen."},
    ),
    ("GET", f"{FB}/openapi.json"): lambda w: (f"{FB}/openapi.json", None),
}
# Staff routes that are no region's: the contact centre takes calls from the whole country.
REGIONLESS_STAFF_ROUTES = frozenset({("POST", f"{FB}/staff/items")})
# Requests that carry more than a token: the payment provider's signature.
HEADERS: dict[tuple[str, str], Callable[[World, dict[str, Any]], dict[str, str]]] = {
    ("POST", f"{P}/payment-callbacks"): _signed,
}


# --- what each cell expects --------------------------------------------------------------------------------


# Routes whose body names the owner's object (the case a meeting is about).
BODY_NAMES_AN_OBJECT = frozenset({("POST", f"{B}/case-appointments")})


def addresses_an_object(route: Route) -> bool:
    return (route.method, route.path) in BODY_NAMES_AN_OBJECT or any(
        f"{{{name}}}" in route.path for name in OBJECT_PARAMETERS
    )


def expected(route: Route, identity: str) -> str:
    if route.audience == "public":
        return "answered"
    if identity in ("anonymous", "tampered", "expired"):
        return "unauthenticated"
    citizen = identity in ("owner", "otherCitizen")
    if route.audience == "citizen":
        if identity == "owner":
            return "allowed"
        if identity == "otherCitizen":
            return "hidden" if addresses_an_object(route) else "allowed"
        return "unauthenticated"
    if citizen:
        return "unauthenticated"
    if route.audience == "staff":
        if identity == "agency":
            return "forbidden"
        if identity == "staffWithoutRole":
            return "forbidden" if route.roles else "allowed"
        if identity == "staffOfOtherRegion" and (route.method, route.path) in REGIONLESS_STAFF_ROUTES:
            return "allowed"
        if identity == "staffOfOtherRegion":
            # A region's object, or a list or queue of the region named in the query.
            return "hiddenOrForbidden"
        return "allowed"
    # Agency routes: only agencies.
    return "allowed" if identity == "agency" else "forbidden"


def satisfied(expectation: str, status: int) -> bool:
    if status >= 500:
        return False
    return {
        "answered": status not in (401, 403),
        "unauthenticated": status == 401,
        "forbidden": status == 403,
        "hidden": status == 404,
        "hiddenOrForbidden": status in (403, 404),
        "allowed": status not in (401, 403, 404),
    }[expectation]


# Refusals first, then the callers who may go on: an allowed call may change the object (a decision, a
# cancellation), but a refused one must not, so every refusal meets the object as it was created.
ORDER = sorted(
    IDENTITIES, key=lambda i: i in ("owner", "staff", "national", "staffWithoutRole", "otherCitizen")
)


def cells() -> Iterator[tuple[Route, str]]:
    for manifest in MANIFESTS:
        for route in manifest.routes:
            for identity in ORDER:
                yield route, identity


def test_every_route_of_every_manifest_has_a_request_in_the_matrix() -> None:
    declared = {(r.method, r.path) for m in MANIFESTS for r in m.routes}
    assert declared - REQUESTS.keys() == set(), "add these routes to the authorization matrix"
    assert REQUESTS.keys() - declared == set(), "these requests name routes no manifest declares"


def test_the_authorization_matrix(world: World) -> None:
    failures: list[str] = []
    counted = 0
    for route, identity in cells():
        build = REQUESTS.get((route.method, route.path))
        if build is None:
            continue
        path, body = build(world)
        expectation = expected(route, identity)
        sign = HEADERS.get((route.method, route.path))
        headers = sign(world, body or {}) if sign else None
        response = _call(world, route.method, path, body, world.tokens[identity], headers)
        counted += 1
        if not satisfied(expectation, response.status):
            failures.append(
                f"{route.method} {route.path} as {identity}: expected {expectation}, got {response.status} "
                f"{response.body[:200]!r}"
            )
    assert counted == len(REQUESTS) * len(IDENTITIES)
    assert not failures, f"{len(failures)} of {counted} cells failed:\n" + "\n".join(failures)


def _call(
    world: World,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    token: str | None,
    headers: dict[str, str] | None = None,
) -> Response:
    # Public routes with a rate limit answer 429 to a quick series from one client: wait it out.
    deadline = time.monotonic() + 10
    while True:
        response = world.client.request(method, path, json_body=body, token=token, headers=headers)
        if response.status != 429 or time.monotonic() > deadline:
            return response
        time.sleep(float(response.headers.get("retry-after", "1")))
