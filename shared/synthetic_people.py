"""The synthetic people and companies every local register is seeded with, so the services agree on them.

The population register (who is guardian of whom, and when each person was born) and the company register of
representatives (who may act for an organisationsnummer) are national registers outside the police. Locally
each service that asks them has a simulator behind its own port, seeded from here: a guardian in the bookings
service's register is the same guardian in the reports service's.

Every number is generated with a valid check digit from ``random.Random(SEED)``: never a real person's or
company's on purpose, and the same in every run. Children are born a fixed number of years before today, so
they stay under 18 whenever the tests run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from shared.identity import generate_organisationsnummer, generate_personnummer

SEED = 20261122
ADULT_AGE = 18


@dataclass(frozen=True)
class Person:
    personnummer: str  # 12 digits
    birth_date: date
    guardians: tuple[str, ...] = ()  # of a child under 18, as the population register lists them


@dataclass(frozen=True)
class Family:
    guardians: tuple[str, ...]  # 12-digit personnummer
    children: tuple[str, ...]

    @property
    def guardianship(self) -> list[tuple[str, str]]:
        """Every (guardian, child) pair."""
        return [(guardian, child) for guardian in self.guardians for child in self.children]


@dataclass(frozen=True)
class Company:
    organisationsnummer: str  # 10 digits
    name: str
    representatives: tuple[str, ...]  # personnummer of those who may act for it


_rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic people, not a secret
_THIS_YEAR = date.today().year
_born: dict[str, date] = {}


def _person(year: int) -> str:
    birth_date = date(year, _rng.randint(1, 12), _rng.randint(1, 28))
    number = str(generate_personnummer(_rng, birth_date=birth_date))
    _born[number] = birth_date
    return number


# Three families: two guardians with two children, and two single guardians with one child each.
FAMILIES: tuple[Family, ...] = (
    Family(
        guardians=(_person(1984), _person(1986)), children=(_person(_THIS_YEAR - 10), _person(_THIS_YEAR - 7))
    ),
    Family(guardians=(_person(1979),), children=(_person(_THIS_YEAR - 12),)),
    Family(guardians=(_person(1990),), children=(_person(_THIS_YEAR - 5),)),
)
# People who may act for a company (a shop's manager, its owner), and nobody's guardians.
REPRESENTATIVES: tuple[str, ...] = (_person(1971), _person(1982), _person(1993))
COMPANIES: tuple[Company, ...] = (
    Company(
        str(generate_organisationsnummer(_rng)),
        "Hörnbutiken i Malmö AB",
        (REPRESENTATIVES[0], REPRESENTATIVES[1]),
    ),
    Company(str(generate_organisationsnummer(_rng)), "Sportaffären Norr AB", (REPRESENTATIVES[2],)),
)

# Weapons: two licence holders (the first holds a hunter's normal set of four, the second a time-limited
# pistol licence and a purchase permit), a person the police registers flag, one whose suitability check the register cannot answer, and
# a young adult, old enough for a licence but not for a fully automatic weapon.
WEAPON_HOLDERS: tuple[str, ...] = (_person(1968), _person(1975))
SUITABILITY_FLAGGED = _person(1988)
SUITABILITY_UNAVAILABLE = _person(1991)
YOUNG_ADULT = _person(_THIS_YEAR - 19)


def _people() -> tuple[Person, ...]:
    guardians: dict[str, list[str]] = {}
    for family in FAMILIES:
        for guardian, child in family.guardianship:
            guardians.setdefault(child, []).append(guardian)
    return tuple(
        Person(number, birth_date, tuple(guardians.get(number, ()))) for number, birth_date in _born.items()
    )


# Everyone above, as the population register lists them.
PEOPLE: tuple[Person, ...] = _people()
