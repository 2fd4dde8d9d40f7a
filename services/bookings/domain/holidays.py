"""Days a passport reception is closed although it is a weekday: Sweden's public holidays, computed.

The public holidays (allmänna helgdagar) are set by the Act on public holidays (1989:253): fixed dates, days
that follow Easter, and Midsummer and All Saints' Day, which fall on the Saturday of a given week. The eves
(Midsummer Eve, Christmas Eve, New Year's Eve, Easter Eve) are not public holidays by law, but agencies close
on them as if they were.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

SATURDAY = 5  # date.weekday()


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian computus of Meeus, Jones and Butcher)."""
    golden = year % 19
    century, year_of_century = divmod(year, 100)
    leap_centuries, century_rest = divmod(century, 4)
    correction = (century + 8) // 25
    moon_correction = (century - correction + 1) // 3
    epact = (19 * golden + century - leap_centuries - moon_correction + 15) % 30
    leap_years, year_rest = divmod(year_of_century, 4)
    weekday_offset = (32 + 2 * century_rest + 2 * leap_years - epact - year_rest) % 7
    late_correction = (golden + 11 * epact + 22 * weekday_offset) // 451
    month, day = divmod(epact + weekday_offset - 7 * late_correction + 114, 31)
    return date(year, month, day + 1)


def _saturday_on_or_after(day: date) -> date:
    return day + timedelta(days=(SATURDAY - day.weekday()) % 7)


def public_holidays(year: int) -> dict[date, str]:
    """Sweden's public holidays of ``year``, by date, with their Swedish names."""
    easter = easter_sunday(year)
    # The Saturday from 20 to 26 June, and the Saturday from 31 October to 6 November.
    midsummer_day = _saturday_on_or_after(date(year, 6, 20))
    all_saints_day = _saturday_on_or_after(date(year, 10, 31))
    holidays = [
        (date(year, 1, 1), "Nyårsdagen"),
        (date(year, 1, 6), "Trettondedag jul"),
        (easter - timedelta(days=2), "Långfredagen"),
        (easter, "Påskdagen"),
        (easter + timedelta(days=1), "Annandag påsk"),
        (date(year, 5, 1), "Första maj"),
        (easter + timedelta(days=39), "Kristi himmelsfärdsdag"),
        (easter + timedelta(days=49), "Pingstdagen"),
        (date(year, 6, 6), "Sveriges nationaldag"),
        (midsummer_day, "Midsommardagen"),
        (all_saints_day, "Alla helgons dag"),
        (date(year, 12, 25), "Juldagen"),
        (date(year, 12, 26), "Annandag jul"),
    ]
    return _by_date(holidays)


def _by_date(days: list[tuple[date, str]]) -> dict[date, str]:
    # Movable feasts can land on a fixed one (Ascension Day on 1 May in 2008): both names are kept.
    names: dict[date, list[str]] = {}
    for day, name in days:
        names.setdefault(day, []).append(name)
    return {day: ", ".join(names[day]) for day in sorted(names)}


@cache
def closed_days(year: int) -> dict[date, str]:
    """The public holidays of ``year`` plus the eves that agencies keep closed, by date."""
    easter = easter_sunday(year)
    midsummer_eve = _saturday_on_or_after(date(year, 6, 20)) - timedelta(days=1)
    eves = [
        (easter - timedelta(days=1), "Påskafton"),
        (midsummer_eve, "Midsommarafton"),
        (date(year, 12, 24), "Julafton"),
        (date(year, 12, 31), "Nyårsafton"),
    ]
    return _by_date([*eves, *public_holidays(year).items()])


def closed_day_name(day: date) -> str | None:
    """The holiday or eve that closes receptions on ``day``, or None on an ordinary day."""
    return closed_days(day.year).get(day)
