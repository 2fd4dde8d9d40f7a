"""Lambda (local cloud only): the register simulators and the register of licences seeded at start, and demo
applications prepared, so case handlers have queues and municipalities referrals at once.

The company register of representatives gets the platform's synthetic companies, the suitability register a
default answer of clear with one flagged person and one whose register is away, and the register of licences
the synthetic weapon holders' licences: a hunter's set of four, a time-limited pistol licence that runs out
within the reminder period, and a purchase permit. All are synthetic people (``shared.synthetic_people``).

Then the demo applications (``services.permits.demo``) are submitted, paid and prepared through the same use
cases as citizens', in memory, and what they left is stored: each application once, and a decision by rule
with the licence it changed in one write, as the prepare function writes it. Their numbers come from the
table's counters. Their events are not put on the outbox: on the bus they would only prepare every case
again and write letters to people who do not exist, and a backlog at start holds up the first requests.
"""

from __future__ import annotations

import uuid
from collections import Counter, deque
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from services.permits import dependencies
from services.permits.adapters.registers import CLEAR, DEFAULT, UNAVAILABLE
from services.permits.demo import StagedPermits, demo_applications, prepared_demo
from services.permits.domain.deciding import add_years, licence_number_of
from services.permits.domain.model import (
    Application,
    Licence,
    LicenceKind,
    NewWeapon,
    Weapon,
    WeaponPurpose,
    WeaponType,
)
from services.permits.telemetry import logger
from shared import synthetic_people
from shared.observability import entry_point

# Seeded licence numbers are of a year no running number of this service reaches.
SEED_YEAR = 2019
SEED_WRITERS = 8


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


def _seed_demo(licences: list[Licence]) -> dict[str, int]:
    permits = dependencies.permits()
    now = dependencies.clock().now()
    demo = demo_applications(now, licences)
    # The writes are independent of each other (but for a licence before the decision that changes it), so
    # they go side by side: one after another they kept the local cloud's start waiting some five seconds.
    with ThreadPoolExecutor(SEED_WRITERS) as pool:
        list(pool.map(lambda licence: permits.put_licences([licence]), demo.licences))
        years = Counter(application.submitted_at.year for application in demo.applications)
        reserved = {
            year: deque(sorted(pool.map(lambda _, year=year: permits.allocate_number(year), range(count))))
            for year, count in years.items()
        }

        def number(counter: str, year: int) -> int:
            if counter == "application" and reserved.get(year):
                return reserved[year].popleft()
            if counter == "application":
                return permits.allocate_number(year)
            return permits.allocate_licence_number(year)

        staged = StagedPermits([*licences, *demo.licences], number)
        applications = prepared_demo(demo, staged, dependencies.rules(), f"demo-seed-{uuid.uuid4()}")

        def store(application: Application) -> None:
            change = staged.changes.get(application.diarienummer)
            if change is None:
                permits.add(application, [])
                return
            permits.add(change.before, [])
            permits.save(
                application,
                expected_version=change.before.version,
                licences=change.licences,
                expected_licence_versions=change.expected_versions,
            )

        list(pool.map(store, applications))
    statuses = Counter(application.status.value for application in applications)
    return {"applications": len(applications), **statuses}


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
    # Tests of the handlers on an in-process moto ask for the registers alone ({"demo": false}).
    demo = _seed_demo(licences) if event.get("demo", True) is not False else {}
    summary = {"licences": len(licences), "companies": len(companies), **demo}
    logger.info("Permits registers and demo applications seeded", extra=summary)
    return summary
