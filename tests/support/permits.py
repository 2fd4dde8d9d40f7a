"""Permit applications as citizens send them, and paying for them through the local payment provider."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.e2e.support import LocalClient, Response

BASE = "/permits/v1"
APPLICATIONS = f"{BASE}/applications"
STORAGE = {"address": "Storgatan 1, Umeå", "description": "Certifierat vapenskåp SS 3492"}


def path_of(diarienummer: str) -> str:
    return diarienummer.replace("/", "-")


def public_place(
    *, starts_in_days: int = 40, municipality: str = "0180", purpose: str = "outdoorSeating"
) -> dict[str, Any]:
    starts = date.today() + timedelta(days=starts_in_days)
    return {
        "kind": "publicPlace",
        "purpose": purpose,
        "description": "Uteservering med sex bord framför caféet",
        "place": {"municipalityCode": municipality, "address": "Götgatan 14, Stockholm"},
        "period": {"startsOn": starts.isoformat(), "endsOn": (starts + timedelta(days=90)).isoformat()},
        "areaSquareMetres": 24,
        "responsiblePerson": {"name": "Kim Andersson", "phone": "070-123 45 67"},
    }


def rifle(serial: str = "S404-9001") -> dict[str, Any]:
    return {"type": "rifle", "make": "Sauer", "model": "S404", "calibre": "6.5x55", "serialNumber": serial}


def weapon_licence(*, weapons: int = 1, purpose: str = "hunting", exam: bool = True) -> dict[str, Any]:
    return {
        "kind": "weaponLicence",
        "weapons": [rifle(f"S404-{9000 + n}") for n in range(weapons)],
        "purpose": purpose,
        "evidence": {"huntingExamPassedOn": "2015-05-20"} if exam else {},
        "storage": STORAGE,
    }


def purchase_permit() -> dict[str, Any]:
    return {
        "kind": "purchasePermit",
        "weapon": {"type": "pistol", "make": "CZ", "model": "Shadow 2", "calibre": "9x19"},
        "purpose": "targetShooting",
        "evidence": {
            "clubCertificate": {"club": "Umeå Pistolklubb", "memberSince": "2020-03-01", "active": True}
        },
        "storage": STORAGE,
    }


def renewal(licence_number: str) -> dict[str, Any]:
    return {
        "kind": "renewal",
        "licenceNumber": licence_number,
        "circumstancesUnchanged": True,
        "storage": STORAGE,
    }


def duplicate(licence_number: str) -> dict[str, Any]:
    return {
        "kind": "duplicateLicence",
        "licenceNumber": licence_number,
        "howLost": "Licensen försvann vid en flytt",
        "lostOn": (date.today() - timedelta(days=3)).isoformat(),
    }


def submit(client: LocalClient, token: str, details: dict[str, Any], **extra: Any) -> Response:
    return client.request("POST", APPLICATIONS, json_body={"details": details, **extra}, token=token)


def pay(
    client: LocalClient, application: dict[str, Any], *, amount: int | None = None, outcome: str = "paid"
) -> Response:
    body = {
        "reference": application["payment"]["reference"],
        "amountSek": application["fee"]["amountSek"] if amount is None else amount,
        "outcome": outcome,
    }
    return client.request("POST", "/_local/payments", json_body=body)


def read(client: LocalClient, token: str, diarienummer: str, **headers: str) -> Response:
    return client.request(
        "GET", f"{APPLICATIONS}/{path_of(diarienummer)}", token=token, headers=headers or None
    )
