"""Demo reports: a realistic mix of every report type, the same every time, for the local cloud and the bench.

Generated from a fixed seed. The reporters are synthetic: personnummer with valid check digits drawn at random,
never a real person's on purpose, and e-ID subjects of their own (no dev token logs in as them).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.reports.domain.filing import Citizen
from services.reports.domain.model import ReportDraft, parse_draft
from shared.identity import generate_organisationsnummer, generate_personnummer, luhn_is_valid

DEMO_SEED = 20261122
_DEMO_SUBJECTS = uuid.UUID("9a3f1b52-0c7e-4d21-8f65-2b4c7d9e1a30")

# Municipality code and a street in it, across all seven regions.
_PLACES = (
    ("0180", "Götgatan 14, Stockholm"),
    ("0114", "Centralvägen 3, Upplands Väsby"),
    ("0980", "Adelsgatan 7, Visby"),
    ("1480", "Linnégatan 22, Göteborg"),
    ("1380", "Storgatan 40, Halmstad"),
    ("1280", "Södra Förstadsgatan 5, Malmö"),
    ("1281", "Klostergatan 9, Lund"),
    ("0880", "Larmgatan 2, Kalmar"),
    ("0380", "Svartbäcksgatan 30, Uppsala"),
    ("2180", "Nygatan 11, Gävle"),
    ("0580", "Ågatan 18, Linköping"),
    ("0680", "Östra Storgatan 6, Jönköping"),
    ("1880", "Drottninggatan 25, Örebro"),
    ("1780", "Tingvallagatan 4, Karlstad"),
    ("2480", "Kungsgatan 50, Umeå"),
    ("2581", "Storgatan 19, Piteå"),
)
_BICYCLES = ("Crescent", "Monark", "Skeppshult", "Bianchi", "Cannondale", "Kronan")
_PHONES = (("Apple", "iPhone 15"), ("Samsung", "Galaxy S24"), ("Google", "Pixel 8"))
_REGISTRATION_LETTERS = "ABCDEFGHJKLMNOPRSTUWXYZ"


@dataclass(frozen=True)
class DemoReport:
    citizen: Citizen
    draft: ReportDraft


def demo_reports(now: datetime, seed: int = DEMO_SEED) -> list[DemoReport]:
    """About forty reports of every type, occurred within the three weeks before ``now``."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    reports: list[DemoReport] = []
    for count, form in _MIX:
        for _ in range(count):
            body = {**_common(rng, now), **form(rng)}
            for transaction in body.get("transactions", []):
                transaction["at"] = body["occurredTo"]
            personnummer = str(generate_personnummer(rng))
            citizen = Citizen(
                owner_ref=str(uuid.uuid5(_DEMO_SUBJECTS, personnummer)), personnummer=personnummer
            )
            reports.append(DemoReport(citizen=citizen, draft=parse_draft(body)))
    return reports


def _common(rng: random.Random, now: datetime) -> dict[str, Any]:
    municipality_code, address = rng.choice(_PLACES)
    ended = now - timedelta(days=rng.randint(0, 20), hours=rng.randint(1, 12))
    started = ended - timedelta(hours=rng.randint(1, 14))
    return {
        "occurredFrom": started.isoformat(),
        "occurredTo": ended.isoformat(),
        "location": {"municipalityCode": municipality_code, "address": address},
        "notifyOnDecision": rng.random() < 0.7,
    }


def _bicycle(rng: random.Random, *, value: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"category": "bicycle", "brand": rng.choice(_BICYCLES)}
    if rng.random() < 0.6:
        item["frameNumber"] = f"WSB{rng.randint(100000, 999999)}"
    item["valueSek"] = value if value is not None else rng.randrange(1500, 12000, 500)
    return item


def _phone(rng: random.Random) -> dict[str, Any]:
    brand, model = rng.choice(_PHONES)
    drawn = "".join(str(rng.randint(0, 9)) for _ in range(15))
    # The 15th digit drawn gives way to the check digit, so the demo data stay as they were otherwise.
    imei = next(drawn[:14] + d for d in "0123456789" if luhn_is_valid(drawn[:14] + d))
    return {
        "category": "mobilePhone",
        "brand": brand,
        "model": model,
        "imei": imei,
        "valueSek": rng.randrange(3000, 15000, 500),
    }


def _registration(rng: random.Random) -> str:
    letters = "".join(rng.choice(_REGISTRATION_LETTERS) for _ in range(3))
    return f"{letters}{rng.randint(0, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"


def _bicycle_theft(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "theft",
        "theftKind": "other",
        "description": "Cykeln var fastlåst i cykelstället utanför jobbet och var borta när jag kom tillbaka.",
        "items": [_bicycle(rng)],
    }


def _bicycle_theft_seen(rng: random.Random) -> dict[str, Any]:
    return {
        **_bicycle_theft(rng),
        "witnesses": [{"name": "Kim Andersson", "phone": "070-123 45 67"}],
        "suspectDescription": "En man i mörk jacka klippte låset och cyklade mot centrum.",
    }


def _expensive_bicycle_theft(rng: random.Random) -> dict[str, Any]:
    return {**_bicycle_theft(rng), "items": [_bicycle(rng, value=rng.randrange(55000, 90000, 1000))]}


def _cellar_burglary(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "theft",
        "theftKind": "cellarOrAttic",
        "description": "Förrådet i källaren var uppbrutet; cykeln och verktygen är borta.",
        "items": [_bicycle(rng), {"category": "tools", "description": "Skruvdragare", "valueSek": 2500}],
    }


def _home_burglary(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "theft",
        "theftKind": "home",
        "description": "Ytterdörren var uppbruten när vi kom hem. Smycken och en dator saknas.",
        "items": [
            {
                "category": "jewellery",
                "description": "Guldhalsband",
                "valueSek": rng.randrange(5000, 30000, 1000),
            },
            {
                "category": "computer",
                "brand": "Lenovo",
                "serialNumber": f"PF{rng.randint(10**6, 10**7 - 1)}",
                "valueSek": 12000,
            },
        ],
        "insurer": "Folksam",
    }


def _theft_from_vehicle(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "theft",
        "theftKind": "vehicle",
        "description": "Sidorutan var krossad och verktygen i bilen var borta på morgonen.",
        "items": [
            {
                "category": "tools",
                "description": "Borrmaskin och sågar",
                "valueSek": rng.randrange(4000, 20000, 500),
            }
        ],
    }


def _phone_theft_on_camera(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "theft",
        "theftKind": "other",
        "description": "Telefonen togs från bordet på restaurangen. Personalen säger att kameran filmar bordet.",
        "items": [_phone(rng)],
        "cctv": True,
    }


def _parking_damage(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "parkingDamage",
        "description": "Bilen stod parkerad på gatan över natten.",
        "registrationNumber": _registration(rng),
        "damageDescription": "Bucklig och repad bakre stötfångare; ingen lapp på rutan.",
    }


def _parking_damage_witnessed(rng: random.Random) -> dict[str, Any]:
    return {
        **_parking_damage(rng),
        "witnesses": [{"name": "Alex Berg"}],
        "suspectDescription": f"En vit skåpbil med registreringsnummer {_registration(rng)} backade in i bilen.",
    }


def _graffiti(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "vandalism",
        "damageKind": "graffiti",
        "description": "Fasaden mot gården är nedklottrad.",
        "damagedProperty": "Husfasad",
        "estimatedCostSek": rng.randrange(3000, 25000, 1000),
    }


def _smashed_window(rng: random.Random) -> dict[str, Any]:
    return {
        "type": "vandalism",
        "damageKind": "other",
        "description": "Skyltfönstret krossades med en sten under natten.",
        "damagedProperty": "Skyltfönster",
        "estimatedCostSek": rng.randrange(8000, 40000, 1000),
        "suspectDescription": "Två personer sprang därifrån mot busshållplatsen.",
    }


def _shop_theft(rng: random.Random, *, cctv: bool = True) -> dict[str, Any]:
    return {
        "type": "shopTheft",
        "description": "En person stoppade varor i väskan och gick ut utan att betala.",
        "organisationsnummer": str(generate_organisationsnummer(rng)),
        "storeName": rng.choice(("ICA Nära Centrum", "Coop Konsum", "Clas Ohlson", "Apotek Hjärtat")),
        "goods": [
            {"description": "Rakblad", "quantity": rng.randint(2, 10), "unitPriceSek": 189},
            {"description": "Hörlurar", "quantity": 1, "unitPriceSek": rng.randrange(300, 2000, 100)},
        ],
        "cctv": cctv,
    }


def _shop_theft_unfilmed(rng: random.Random) -> dict[str, Any]:
    return _shop_theft(rng, cctv=False)


def _card_fraud(rng: random.Random) -> dict[str, Any]:
    merchant = rng.choice(("Webbshoppen AB", "Resebokning Online", "Elektronikhuset"))
    return {
        "type": "cardFraud",
        "description": "Okända köp på mitt kort som jag inte har gjort.",
        "cardBlocked": True,
        "detailsGivenByPhone": False,
        "cardIssuer": rng.choice(("Swedbank", "Handelsbanken", "Nordea", "SEB")),
        "cardLastFour": f"{rng.randint(0, 9999):04d}",
        "merchantName": merchant,
        # Made at the time of the report (set by demo_reports).
        "transactions": [{"amountSek": rng.randrange(400, 9000, 10), "merchant": merchant}],
    }


def _loss(rng: random.Random) -> dict[str, Any]:
    item = rng.choice(
        (
            {"category": "wallet", "description": "Brun plånbok i skinn", "valueSek": 600},
            _phone(rng),
            {"category": "bag", "description": "Svart ryggsäck med en bok", "valueSek": 900},
            {"category": "passport", "documentNumber": f"{rng.randint(10**7, 10**8 - 1)}"},
            {"category": "nationalIdCard", "documentNumber": f"{rng.randint(10**7, 10**8 - 1)}"},
        )
    )
    return {
        "type": "loss",
        "description": "Tappade bort den någonstans mellan bussen och jobbet.",
        "items": [item],
    }


# How many of each: high-volume forms (bicycles, parking damage) dominate, as they do in the police's intake.
_MIX: tuple[tuple[int, Callable[[random.Random], dict[str, Any]]], ...] = (
    (9, _bicycle_theft),
    (1, _bicycle_theft_seen),
    (1, _expensive_bicycle_theft),
    (1, _cellar_burglary),
    (3, _home_burglary),
    (3, _theft_from_vehicle),
    (2, _phone_theft_on_camera),
    (7, _parking_damage),
    (1, _parking_damage_witnessed),
    (2, _graffiti),
    (1, _smashed_window),
    (2, _shop_theft),
    (1, _shop_theft_unfilmed),
    (2, _card_fraud),
    (5, _loss),
)
