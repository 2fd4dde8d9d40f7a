"""Sweden's 290 municipalities, 21 counties and the Police's 7 regions.

A place maps to a region through its 4-digit municipality code (kommunkod, Statistics Sweden): the first two
digits are the county code (länskod), and each county belongs to one police region. The municipality list is
data (``data/municipalities.json``), read on first use so that importing this module costs nothing at a Lambda
cold start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources


class Region(StrEnum):
    """The Swedish Police's seven regions."""

    NORD = "Nord"
    MITT = "Mitt"
    STOCKHOLM = "Stockholm"
    OST = "Öst"
    VAST = "Väst"
    SYD = "Syd"
    BERGSLAGEN = "Bergslagen"


_REGION_SEATS: dict[Region, str] = {
    Region.NORD: "Umeå",
    Region.MITT: "Uppsala",
    Region.STOCKHOLM: "Stockholm",
    Region.OST: "Linköping",
    Region.VAST: "Göteborg",
    Region.SYD: "Malmö",
    Region.BERGSLAGEN: "Örebro",
}

# County code -> (county name, police region).
_COUNTIES: dict[str, tuple[str, Region]] = {
    "01": ("Stockholms län", Region.STOCKHOLM),
    "03": ("Uppsala län", Region.MITT),
    "04": ("Södermanlands län", Region.OST),
    "05": ("Östergötlands län", Region.OST),
    "06": ("Jönköpings län", Region.OST),
    "07": ("Kronobergs län", Region.SYD),
    "08": ("Kalmar län", Region.SYD),
    "09": ("Gotlands län", Region.STOCKHOLM),
    "10": ("Blekinge län", Region.SYD),
    "12": ("Skåne län", Region.SYD),
    "13": ("Hallands län", Region.VAST),
    "14": ("Västra Götalands län", Region.VAST),
    "17": ("Värmlands län", Region.BERGSLAGEN),
    "18": ("Örebro län", Region.BERGSLAGEN),
    "19": ("Västmanlands län", Region.MITT),
    "20": ("Dalarnas län", Region.BERGSLAGEN),
    "21": ("Gävleborgs län", Region.MITT),
    "22": ("Västernorrlands län", Region.NORD),
    "23": ("Jämtlands län", Region.NORD),
    "24": ("Västerbottens län", Region.NORD),
    "25": ("Norrbottens län", Region.NORD),
}


class UnknownMunicipality(LookupError):
    """No municipality has the given code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no Swedish municipality has the code {code!r}")
        self.code = code


class UnknownCounty(LookupError):
    """No county has the given code."""

    def __init__(self, code: str) -> None:
        super().__init__(f"no Swedish county has the code {code!r}")
        self.code = code


@dataclass(frozen=True)
class County:
    code: str  # 2 digits, e.g. "14"
    name: str  # e.g. "Västra Götalands län"
    region: Region


@dataclass(frozen=True)
class Municipality:
    code: str  # 4 digits, e.g. "1480"
    name: str  # e.g. "Göteborg"
    county_code: str
    county_name: str
    region: Region


def region_seat(region: Region) -> str:
    """The town where the region's headquarters sit, e.g. Umeå for Nord."""
    return _REGION_SEATS[region]


def county(code: str) -> County:
    """The county with this 2-digit code; raises :class:`UnknownCounty`."""
    try:
        name, region = _COUNTIES[code]
    except KeyError:
        raise UnknownCounty(code) from None
    return County(code=code, name=name, region=region)


def all_counties() -> tuple[County, ...]:
    """All 21 counties, ordered by code."""
    return tuple(county(code) for code in sorted(_COUNTIES))


def counties_in(region: Region) -> tuple[County, ...]:
    """The counties a region covers, ordered by code."""
    return tuple(c for c in all_counties() if c.region is region)


def municipality(code: str) -> Municipality:
    """The municipality with this 4-digit kommunkod; raises :class:`UnknownMunicipality`."""
    try:
        return _municipalities_by_code()[code]
    except KeyError:
        raise UnknownMunicipality(code) from None


@cache
def all_municipalities() -> tuple[Municipality, ...]:
    """All 290 municipalities, ordered by code."""
    return tuple(_municipalities_by_code().values())


def region_for_municipality(code: str) -> Region:
    """The police region responsible for the municipality; raises :class:`UnknownMunicipality`."""
    return municipality(code).region


@cache
def _municipalities_by_code() -> dict[str, Municipality]:
    raw = resources.files("shared").joinpath("data/municipalities.json").read_text("utf-8")
    rows: list[dict[str, str]] = json.loads(raw)
    by_code: dict[str, Municipality] = {}
    for row in sorted(rows, key=lambda r: r["code"]):
        code = row["code"]
        home = county(code[:2])
        by_code[code] = Municipality(
            code=code, name=row["name"], county_code=home.code, county_name=home.name, region=home.region
        )
    return by_code
