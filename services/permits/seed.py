"""Lambda (local cloud only): the register simulators and the register of licences seeded at start.

The company register of representatives gets the platform's synthetic companies, the suitability register a
default answer of clear with one flagged person and one whose register is away, and the register of licences
the synthetic weapon holders' licences: a hunter's set of four, a time-limited pistol licence that runs out
within the reminder period, and a purchase permit. All are synthetic people (``shared.synthetic_people``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.permits import dependencies
from services.permits.adapters.registers import CLEAR, DEFAULT, UNAVAILABLE
from services.permits.domain.deciding import add_years, licence_number_of
from services.permits.domain.model import Licence, LicenceKind, NewWeapon, Weapon, WeaponPurpose, WeaponType
from services.permits.telemetry import logger
from shared import synthetic_people
from shared.observability import entry_point

# Seeded licence numbers are of a year no running number of this service reaches.
SEED_YEAR = 2019


def seeded_licences(today: date) -> list[Licence]:
    hunter, shooter = synthetic_people.WEAPON_HOLDERS
    rifles = [
        Weapon(
            type=WeaponType.RIFLE, make="Sauer", model="S404", calibre="6.5x55", serial_number=f"S404-{n:04d}"
        )
        for n in range(1, 4)
    ]
    shotgun = Weapon(
        type=WeaponType.SHOTGUN, make="Beretta", model="A400", calibre="12/76", serial_number="A400-7731"
    )
    pistol = Weapon(
        type=WeaponType.PISTOL, make="Glock", model="17", calibre="9x19", serial_number="GLK-55120"
    )
    licences = [
        Licence(
            licence_number=licence_number_of(n, SEED_YEAR),
            kind=LicenceKind.LICENCE,
            holder_personnummer=hunter,
            weapon=weapon,
            purpose=WeaponPurpose.HUNTING,
            issued_on=date(SEED_YEAR, 9, 1),
        )
        for n, weapon in enumerate([*rifles, shotgun], start=1)
    ]
    licences.append(
        Licence(
            licence_number=licence_number_of(5, SEED_YEAR),
            kind=LicenceKind.LICENCE,
            holder_personnummer=shooter,
            weapon=pistol,
            purpose=WeaponPurpose.TARGET_SHOOTING,
            issued_on=add_years(today + timedelta(days=40), -5),
            valid_until=today + timedelta(days=40),
        )
    )
    licences.append(
        Licence(
            licence_number=licence_number_of(6, SEED_YEAR),
            kind=LicenceKind.PURCHASE_PERMIT,
            holder_personnummer=shooter,
            weapon=NewWeapon(type=WeaponType.RIFLE, make="Tikka", model="T3x", calibre=".308 Win"),
            purpose=WeaponPurpose.HUNTING,
            issued_on=today - timedelta(days=150),
            valid_until=today + timedelta(days=30),
        )
    )
    return licences


@entry_point(logger)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    companies = {c.organisationsnummer: set(c.representatives) for c in synthetic_people.COMPANIES}
    dependencies.companies().put_companies(companies)
    dependencies.suitability().put_answers(
        [
            (DEFAULT, CLEAR),
            (synthetic_people.SUITABILITY_FLAGGED, "flagged"),
            (synthetic_people.SUITABILITY_UNAVAILABLE, UNAVAILABLE),
        ]
    )
    licences = seeded_licences(dependencies.clock().now().date())
    dependencies.permits().put_licences(licences)
    logger.info("Permits registers seeded", extra={"licences": len(licences), "companies": len(companies)})
    return {"licences": len(licences), "companies": len(companies)}
