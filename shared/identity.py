"""Swedish personal and organisation identity numbers: parsing, validation, display and test generators.

Personnummer and samordningsnummer (coordination numbers) follow Skatteverket's rules: a Luhn check digit over
YYMMDDNNN, the day raised by 60 for coordination numbers, and a '+' separator from the year the person turns
100; a birth date more than :data:`MAX_AGE_YEARS` years back is no living person's. Organisationsnummer follow
Bolagsverket's rules: a Luhn check digit and a third digit of at least 2. An IMEI (a phone's identity) has 15
digits, the last a Luhn check digit.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # The texts are loaded when an identifier is refused: the e-ID authorizer, in front of every citizen's
    # request, parses a personnummer on every call and should not load pydantic for the messages.
    from shared.i18n import Message, Param, Text

COORDINATION_DAY_OFFSET = 60
# No one alive was born longer ago than this: no person is known to have lived past 122.
MAX_AGE_YEARS = 130

_PERSONNUMMER_10 = re.compile(r"(\d{6})([-+]?)(\d{4})", re.ASCII)
_PERSONNUMMER_12 = re.compile(r"(\d{8})(-?)(\d{4})", re.ASCII)
_ORGANISATIONSNUMMER = re.compile(r"(?:16)?(\d{6})-?(\d{4})", re.ASCII)

# Generated people are born in this window unless a birth date is given.
_GENERATED_BIRTH_FROM = date(1930, 1, 1)
_GENERATED_BIRTH_TO = date(2005, 12, 31)


class InvalidIdentifier(ValueError):
    """An identifier that is malformed or fails validation; ``message`` says why (``reason`` in English)."""

    def __init__(self, message: Text) -> None:
        from shared.i18n import render

        self.reason = render(message, "en")
        super().__init__(self.reason)
        self.message = message


def _texts(key: str, **params: Param) -> Message:
    from shared.messages import TEXTS

    return TEXTS(key, **params)


def luhn_check_digit(digits: str) -> int:
    """The Luhn (mod 10) check digit for ``digits``, weights 2,1,2,1,... from the left."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


@dataclass(frozen=True)
class Personnummer:
    """A validated personnummer or samordningsnummer. Build it with :func:`parse_personnummer`."""

    digits: str  # storage form YYYYMMDDNNNC; the day is +60 for a coordination number
    birth_date: date
    is_coordination_number: bool

    def __post_init__(self) -> None:
        if len(self.digits) != 12 or not self.digits.isascii() or not self.digits.isdigit():
            raise InvalidIdentifier(_texts("id.stored_digits"))
        day = self.birth_date.day + (COORDINATION_DAY_OFFSET if self.is_coordination_number else 0)
        if self.digits[:8] != f"{self.birth_date.year:04d}{self.birth_date.month:02d}{day:02d}":
            raise InvalidIdentifier(_texts("id.birth_date_mismatch"))
        if luhn_check_digit(self.digits[2:11]) != int(self.digits[11]):
            raise InvalidIdentifier(_texts("id.check_digit"))

    @property
    def display(self) -> str:
        """YYMMDD-NNNC as shown today (``+`` from the year the person turns 100)."""
        return self.display_on(date.today())

    def display_on(self, today: date) -> str:
        """YYMMDD-NNNC as shown on ``today`` (``+`` from the year the person turns 100)."""
        separator = "+" if today.year - self.birth_date.year >= 100 else "-"
        return f"{self.digits[2:8]}{separator}{self.digits[8:]}"

    def __str__(self) -> str:
        return self.digits


def parse_personnummer(text: str, *, today: date) -> Personnummer:
    """Parse and validate a personnummer or samordningsnummer in any of its common written forms.

    Accepted: YYMMDD-NNNC, YYMMDD+NNNC, YYMMDDNNNC, YYYYMMDDNNNC and YYYYMMDD-NNNC; surrounding spaces are
    ignored.
    """
    cleaned = text.strip()
    century: int | None = None
    separator = ""
    if match := _PERSONNUMMER_12.fullmatch(cleaned):
        century, short = int(match[1][:2]), match[1][2:] + match[3]
    elif match := _PERSONNUMMER_10.fullmatch(cleaned):
        separator, short = match[2], match[1] + match[3]
    else:
        raise InvalidIdentifier(_texts("id.personnummer_form"))

    if luhn_check_digit(short[:9]) != int(short[9]):
        raise InvalidIdentifier(_texts("id.check_digit"))

    two_digit_year, month, day = int(short[:2]), int(short[2:4]), int(short[4:6])
    is_coordination = day > COORDINATION_DAY_OFFSET
    real_day = day - COORDINATION_DAY_OFFSET if is_coordination else day
    if century is not None:
        year = century * 100 + two_digit_year
    else:
        year = _resolve_year(two_digit_year, month, real_day, centenarian=separator == "+", today=today)

    try:
        birth_date = date(year, month, real_day)
    except ValueError:
        kind = "samordningsnummer" if is_coordination else "personnummer"
        written = f"{year:04d}-{month:02d}-{real_day:02d}"
        raise InvalidIdentifier(_texts("id.impossible_date", kind=kind, date=written)) from None
    if birth_date > today:
        raise InvalidIdentifier(_texts("id.born_in_future", date=birth_date.isoformat()))
    if birth_date.year < today.year - MAX_AGE_YEARS:
        raise InvalidIdentifier(_texts("id.too_old", year=f"{birth_date.year:04d}", years=MAX_AGE_YEARS))

    return Personnummer(
        digits=f"{year:04d}{short[2:]}", birth_date=birth_date, is_coordination_number=is_coordination
    )


def _resolve_year(two_digit_year: int, month: int, day: int, *, centenarian: bool, today: date) -> int:
    """The four-digit birth year for a 10-digit number.

    '-' (or no separator): the most recent century whose date is not in the future. '+': the year the person
    turned 100 or later, which is 100 years before the '-' reading except for someone who turns 100 later this
    year: Skatteverket switches the separator at the start of that year, so the '-' reading (this year, still
    in the future) minus 100 would make them 200.
    """
    if centenarian:
        latest = today.year - 100
        return latest - (latest - two_digit_year) % 100
    year = today.year - (today.year - two_digit_year) % 100
    # Tuples, not dates: the day may not exist in this candidate year (29 February) yet exist a century
    # earlier.
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year


def luhn_is_valid(number: str) -> bool:
    """Whether the last digit of ``number`` is the Luhn check digit of the digits before it (weights 1, 2,
    1, ... from the right, the check digit first)."""
    if not number or not number.isascii() or not number.isdigit():
        return False
    total = 0
    for index, char in enumerate(reversed(number)):
        product = int(char) * (2 if index % 2 == 1 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def parse_imei(text: str) -> str:
    """A 15-digit IMEI with a valid check digit; spaces, dashes and slashes between digits are ignored."""
    digits = "".join(ch for ch in text if ch not in " -/")
    if len(digits) != 15 or not digits.isascii() or not digits.isdigit():
        raise InvalidIdentifier(_texts("id.imei_digits"))
    if not luhn_is_valid(digits):
        raise InvalidIdentifier(_texts("id.imei_check_digit"))
    return digits


def generate_imei(rng: random.Random) -> str:
    """A synthetic IMEI with a valid check digit, for tests and seed data."""
    body = f"{rng.randint(0, 10**14 - 1):014d}"
    return next(body + str(d) for d in range(10) if luhn_is_valid(body + str(d)))


@dataclass(frozen=True)
class Organisationsnummer:
    """A validated organisationsnummer (10 digits). Build it with :func:`parse_organisationsnummer`."""

    digits: str

    def __post_init__(self) -> None:
        if len(self.digits) != 10 or not self.digits.isascii() or not self.digits.isdigit():
            raise InvalidIdentifier(_texts("id.org_digits"))
        if int(self.digits[2]) < 2:
            # Below 2 the digits read as a month: a personnummer (a sole trader's), not an organisation.
            raise InvalidIdentifier(_texts("id.org_third_digit"))
        if luhn_check_digit(self.digits[:9]) != int(self.digits[9]):
            raise InvalidIdentifier(_texts("id.check_digit"))

    @property
    def display(self) -> str:
        """NNNNNN-NNNN."""
        return f"{self.digits[:6]}-{self.digits[6:]}"

    def __str__(self) -> str:
        return self.digits


def parse_organisationsnummer(text: str) -> Organisationsnummer:
    """Parse NNNNNNNNNN, NNNNNN-NNNN or the 12-digit form prefixed "16"; surrounding spaces are ignored."""
    match = _ORGANISATIONSNUMMER.fullmatch(text.strip())
    if match is None:
        raise InvalidIdentifier(_texts("id.org_form"))
    return Organisationsnummer(digits="".join(match.groups()))


def generate_personnummer(
    rng: random.Random, *, birth_date: date | None = None, coordination: bool = False
) -> Personnummer:
    """A synthetic personnummer (or samordningsnummer) with a valid check digit, for tests and seed data."""
    if birth_date is None:
        span = (_GENERATED_BIRTH_TO - _GENERATED_BIRTH_FROM).days
        birth_date = _GENERATED_BIRTH_FROM + timedelta(days=rng.randint(0, span))
    day = birth_date.day + (COORDINATION_DAY_OFFSET if coordination else 0)
    short = f"{birth_date:%y%m}{day:02d}{rng.randint(0, 999):03d}"
    digits = f"{birth_date.year:04d}{short[2:]}{luhn_check_digit(short)}"
    return Personnummer(digits=digits, birth_date=birth_date, is_coordination_number=coordination)


def generate_organisationsnummer(rng: random.Random) -> Organisationsnummer:
    """A synthetic organisationsnummer with a valid check digit, for tests and seed data."""
    # First digit is the legal-form group: 2 public body, 5 limited company, 7 economic association,
    # 8 non-profit association, 9 partnership.
    body = f"{rng.choice('25789')}{rng.randint(0, 9)}{rng.randint(2, 9)}{rng.randint(0, 999_999):06d}"
    return Organisationsnummer(digits=f"{body}{luhn_check_digit(body)}")
