"""K-numbers and diarienummer."""

from __future__ import annotations

import pytest

from shared.casenumbers import Diarienummer, KNumber, parse_diarienummer, parse_k_number
from shared.identity import InvalidIdentifier


class TestKNumber:
    def test_parse_current_form(self) -> None:
        number = parse_k_number("K123456-26")

        assert number == KNumber(number=123456, year=26)
        assert number.unit is None
        assert number.format() == "K123456-26"
        assert str(number) == "K123456-26"

    def test_parse_legacy_form_keeps_the_unit(self) -> None:
        number = parse_k_number("2200-K1276-14")

        assert number == KNumber(number=1276, year=14, unit="2200")
        assert number.format() == "2200-K1276-14"

    @pytest.mark.parametrize("text", [" K123456-26 ", "k123456-26"])
    def test_lenient_input(self, text: str) -> None:
        assert parse_k_number(text).format() == "K123456-26"

    def test_year_keeps_its_leading_zero(self) -> None:
        assert KNumber(number=7, year=5).format() == "K7-05"
        assert parse_k_number("K7-05") == KNumber(number=7, year=5)

    def test_for_year_takes_a_four_digit_year(self) -> None:
        assert KNumber.for_year(42, 2026).format() == "K42-26"
        assert KNumber.for_year(1, 2100).format() == "K1-00"

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "K-26",
            "K123456",
            "123456-26",
            "K123456-2026",
            "K123456-6",
            "K0123-26",  # leading zero: not the canonical form
            "K0-26",
            "K123456/26",
            "K12A456-26",
            "22-K1276-14",  # unit must have 4 digits
            "2200K1276-14",
            "2200-1276-14",
            "X123456-26",
            "K1234567890-26",  # more than 9 digits
        ],
    )
    def test_rejects_malformed(self, text: str) -> None:
        with pytest.raises(InvalidIdentifier, match="K-number"):
            parse_k_number(text)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"number": 0, "year": 26}, "running number"),
            ({"number": -1, "year": 26}, "running number"),
            ({"number": 1, "year": 100}, "year"),
            ({"number": 1, "year": -1}, "year"),
            ({"number": 1, "year": 26, "unit": "22"}, "unit"),
            ({"number": 1, "year": 26, "unit": "22A0"}, "unit"),
        ],
    )
    def test_constructor_validates(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(InvalidIdentifier, match=message):
            KNumber(**kwargs)  # type: ignore[arg-type]

    def test_round_trip(self) -> None:
        for number in (KNumber(1, 0), KNumber(999_999_999, 99), KNumber(55, 14, unit="0001")):
            assert parse_k_number(number.format()) == number


class TestDiarienummer:
    def test_parse_and_format(self) -> None:
        number = parse_diarienummer("A579.501/2026")

        assert number == Diarienummer(number=579501, year=2026, series="A")
        assert number.format() == "A579.501/2026"
        assert str(number) == "A579.501/2026"

    def test_small_numbers_are_zero_padded(self) -> None:
        assert Diarienummer(number=2, year=2026).format() == "A000.002/2026"
        assert parse_diarienummer("A001.020/2025") == Diarienummer(number=1020, year=2025)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "A579501/2026",
            "A579.501/26",
            "A579.501-2026",
            "a579.501/2026",
            "579.501/2026",
            "AB579.501/2026",
            "A57.501/2026",
            "A579.5011/2026",
            "Å579.501/2026",
        ],
    )
    def test_rejects_malformed(self, text: str) -> None:
        with pytest.raises(InvalidIdentifier, match="diarienummer"):
            parse_diarienummer(text)

    def test_zero_is_not_a_case(self) -> None:
        with pytest.raises(InvalidIdentifier, match="number"):
            parse_diarienummer("A000.000/2026")

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"number": 1_000_000, "year": 2026}, "number"),
            ({"number": 1, "year": 26}, "year"),
            ({"number": 1, "year": 2026, "series": "a"}, "series"),
            ({"number": 1, "year": 2026, "series": "AB"}, "series"),
            ({"number": 1, "year": 2026, "series": "Ö"}, "series"),
        ],
    )
    def test_constructor_validates(self, kwargs: dict[str, object], message: str) -> None:
        with pytest.raises(InvalidIdentifier, match=message):
            Diarienummer(**kwargs)  # type: ignore[arg-type]
