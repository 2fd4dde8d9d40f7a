"""Police case numbers: crime report numbers (K-numbers) and administrative diarienummer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.identity import InvalidIdentifier

# Running number: no leading zero, so that every number has exactly one written form.
K_NUMBER_PATTERN = r"^(?:\d{4}-)?[Kk][1-9]\d{0,8}-\d{2}$"
_K_NUMBER = re.compile(r"(?:(\d{4})-)?K([1-9]\d{0,8})-(\d{2})", re.ASCII | re.IGNORECASE)
_DIARIENUMMER = re.compile(r"([A-Z])(\d{3})\.(\d{3})/(\d{4})", re.ASCII)

_K_MAX = 999_999_999
_DIARIE_MAX = 999_999


@dataclass(frozen=True)
class KNumber:
    """A crime report case number: ``K123456-26``, or with a legacy unit prefix ``2200-K1276-14``."""

    number: int  # running number within the year
    year: int  # two-digit year, 0-99
    unit: str | None = None  # 4-digit unit code of the older form

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _K_MAX:
            raise InvalidIdentifier(f"a K-number's running number must be between 1 and {_K_MAX}")
        if not 0 <= self.year <= 99:
            raise InvalidIdentifier("a K-number's year has two digits (0-99)")
        if self.unit is not None and not (
            len(self.unit) == 4 and self.unit.isascii() and self.unit.isdigit()
        ):
            raise InvalidIdentifier("a K-number's unit prefix has exactly 4 digits")

    @classmethod
    def for_year(cls, number: int, year: int) -> KNumber:
        """The K-number for running ``number`` in the four-digit ``year``."""
        return cls(number=number, year=year % 100)

    def format(self) -> str:
        """``K123456-26``, or ``2200-K1276-14`` when a unit is set."""
        prefix = f"{self.unit}-" if self.unit is not None else ""
        return f"{prefix}K{self.number}-{self.year:02d}"

    def __str__(self) -> str:
        return self.format()


def parse_k_number(text: str) -> KNumber:
    """Parse ``K123456-26`` or the legacy ``2200-K1276-14`` (unit kept); the K may be lower case."""
    match = _K_NUMBER.fullmatch(text.strip())
    if match is None:
        raise InvalidIdentifier(
            "a K-number is written K<running number>-<YY>, e.g. K123456-26, "
            "or with a 4-digit unit prefix, e.g. 2200-K1276-14"
        )
    unit, number, year = match.groups()
    return KNumber(number=int(number), year=int(year), unit=unit)


@dataclass(frozen=True)
class Diarienummer:
    """An administrative case number, e.g. ``A579.501/2026`` (series letter, 6-digit number, year)."""

    number: int  # 1-999999, written as two groups of three digits
    year: int  # four-digit year
    series: str = "A"

    def __post_init__(self) -> None:
        if not 1 <= self.number <= _DIARIE_MAX:
            raise InvalidIdentifier(f"a diarienummer's number must be between 1 and {_DIARIE_MAX}")
        if not 1000 <= self.year <= 9999:
            raise InvalidIdentifier("a diarienummer's year has four digits")
        if not (len(self.series) == 1 and self.series.isascii() and self.series.isupper()):
            raise InvalidIdentifier("a diarienummer's series is one upper-case letter A-Z")

    def format(self) -> str:
        """``A579.501/2026``."""
        return f"{self.series}{self.number // 1000:03d}.{self.number % 1000:03d}/{self.year}"

    def __str__(self) -> str:
        return self.format()


def parse_diarienummer(text: str) -> Diarienummer:
    """Parse ``A579.501/2026``."""
    match = _DIARIENUMMER.fullmatch(text.strip())
    if match is None:
        raise InvalidIdentifier(
            "a diarienummer is written <letter><3 digits>.<3 digits>/<year>, e.g. A579.501/2026"
        )
    series, high, low, year = match.groups()
    return Diarienummer(number=int(high) * 1000 + int(low), year=int(year), series=series)
