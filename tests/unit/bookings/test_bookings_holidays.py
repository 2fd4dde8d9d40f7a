"""Sweden's public holidays and the eves receptions close on, computed for any year."""

from __future__ import annotations

from datetime import date

import pytest

from services.bookings.domain.holidays import closed_day_name, closed_days, easter_sunday, public_holidays


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2008, date(2008, 3, 23)),
        (2011, date(2011, 4, 24)),
        (2019, date(2019, 4, 21)),
        (2024, date(2024, 3, 31)),
        (2025, date(2025, 4, 20)),
        (2026, date(2026, 4, 5)),
        (2027, date(2027, 3, 28)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_day_follows_the_gregorian_computus(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_the_public_holidays_of_2026() -> None:
    assert public_holidays(2026) == {
        date(2026, 1, 1): "Nyårsdagen",
        date(2026, 1, 6): "Trettondedag jul",
        date(2026, 4, 3): "Långfredagen",
        date(2026, 4, 5): "Påskdagen",
        date(2026, 4, 6): "Annandag påsk",
        date(2026, 5, 1): "Första maj",
        date(2026, 5, 14): "Kristi himmelsfärdsdag",
        date(2026, 5, 24): "Pingstdagen",
        date(2026, 6, 6): "Sveriges nationaldag",
        date(2026, 6, 20): "Midsommardagen",
        date(2026, 10, 31): "Alla helgons dag",
        date(2026, 12, 25): "Juldagen",
        date(2026, 12, 26): "Annandag jul",
    }


@pytest.mark.parametrize(
    ("year", "midsummer_eve", "all_saints_day"),
    [
        (2024, date(2024, 6, 21), date(2024, 11, 2)),
        (2025, date(2025, 6, 20), date(2025, 11, 1)),
        (2027, date(2027, 6, 25), date(2027, 11, 6)),
        (2028, date(2028, 6, 23), date(2028, 11, 4)),
    ],
)
def test_midsummer_eve_is_a_friday_and_all_saints_day_a_saturday_in_their_weeks(
    year: int, midsummer_eve: date, all_saints_day: date
) -> None:
    closed = closed_days(year)
    assert closed[midsummer_eve] == "Midsommarafton"
    assert midsummer_eve.weekday() == 4
    assert closed[all_saints_day] == "Alla helgons dag"
    assert all_saints_day.weekday() == 5


def test_receptions_also_close_on_the_eves_that_are_not_public_holidays() -> None:
    assert closed_day_name(date(2026, 12, 24)) == "Julafton"
    assert closed_day_name(date(2026, 12, 31)) == "Nyårsafton"
    assert closed_day_name(date(2026, 4, 4)) == "Påskafton"
    assert closed_day_name(date(2026, 12, 23)) is None
    assert date(2026, 12, 24) not in public_holidays(2026)


def test_a_movable_feast_on_a_fixed_holiday_keeps_both_names() -> None:
    # In 2008 Ascension Day fell on 1 May.
    assert public_holidays(2008)[date(2008, 5, 1)] == "Första maj, Kristi himmelsfärdsdag"
    assert len(public_holidays(2008)) == 12
