"""Report bodies as a citizen would send them, one per e-service form."""

from __future__ import annotations

import copy
from typing import Any

from shared.synthetic_people import COMPANIES

# The body the platform issue requires to be accepted as it stands.
THEFT_REPORT: dict[str, Any] = {
    "type": "theft",
    "occurredFrom": "2026-11-20T18:00:00+01:00",
    "occurredTo": "2026-11-21T07:30:00+01:00",
    "location": {"municipalityCode": "0180", "address": "Drottninggatan 1, Stockholm"},
    "description": "Min cykel stals från cykelstället utanför porten.",
    "items": [{"category": "bicycle", "brand": "Crescent", "serialNumber": "WSB123456", "valueSek": 4500}],
    "notifyOnDecision": True,
}

_COMMON: dict[str, Any] = {
    "occurredFrom": "2026-11-18T22:00:00+01:00",
    "occurredTo": "2026-11-19T06:00:00+01:00",
    "notifyOnDecision": True,
}

FORMS: dict[str, dict[str, Any]] = {
    "theft": {
        **_COMMON,
        "type": "theft",
        "theftKind": "home",
        "location": {"municipalityCode": "1480", "address": "Avenyn 10, Göteborg"},
        "description": "Någon bröt upp ytterdörren och tog datorn och smycken.",
        "items": [
            {"category": "computer", "brand": "Lenovo", "serialNumber": "PF-3KX9Q2", "valueSek": 12000},
            {"category": "jewellery", "description": "Guldring", "valueSek": 8000},
        ],
        "witnesses": [{"name": "Granne i trappan"}],
    },
    "shopTheft": {
        **_COMMON,
        "type": "shopTheft",
        # A seeded company: its representatives (synthetic_people.COMPANIES[0]) may file for it.
        "organisationsnummer": COMPANIES[0].organisationsnummer,
        "storeName": "Livs i Malmö",
        "location": {"municipalityCode": "1280", "address": "Södergatan 5, Malmö"},
        "description": "En man tog varor och lämnade butiken utan att betala.",
        "goods": [{"description": "Kaffe 500 g", "quantity": 6, "unitPriceSek": 59}],
        "cctv": True,
    },
    "cardFraud": {
        **_COMMON,
        "type": "cardFraud",
        "location": {"municipalityCode": "0380", "address": "Internet"},
        "description": "Okända köp på mitt kort hos en webbutik.",
        "cardBlocked": True,
        "detailsGivenByPhone": False,
        "cardIssuer": "Banken AB",
        "cardLastFour": "1234",
        "merchantName": "Webbutiken.example",
        "transactions": [
            {"at": "2026-11-19T02:10:00+01:00", "amountSek": 2499, "merchant": "Webbutiken.example"}
        ],
    },
    "vandalism": {
        **_COMMON,
        "type": "vandalism",
        "damageKind": "graffiti",
        "damagedProperty": "Garageport",
        "estimatedCostSek": 3000,
        "location": {"municipalityCode": "0580", "address": "Storgatan 3, Linköping"},
        "description": "Garageporten har sprejats med klotter under natten.",
    },
    "parkingDamage": {
        **_COMMON,
        "type": "parkingDamage",
        "registrationNumber": "abc 12a",
        "damageDescription": "Bucklig bakre stötfångare, okänt fordon.",
        "location": {"municipalityCode": "1880", "address": "Parkeringen vid Örebro slott"},
        "description": "Bilen stod parkerad och var skadad när jag kom tillbaka.",
    },
    "loss": {
        **_COMMON,
        "type": "loss",
        "location": {"municipalityCode": "2480", "address": "Umeå centralstation"},
        "description": "Jag tappade min plånbok med passet i.",
        "items": [
            {"category": "wallet", "description": "Brun läderplånbok"},
            {"category": "passport", "documentNumber": "87654321"},
        ],
    },
}


def theft_report(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(THEFT_REPORT)
    body.update(changes)
    return body


def form(report_type: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(FORMS[report_type])
    body.update(changes)
    return body
