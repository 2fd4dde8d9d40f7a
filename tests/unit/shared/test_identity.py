"""Personnummer, samordningsnummer and organisationsnummer.

Every number here is synthetic: built by hand with the Luhn rule (worked out in the comments) or by the
module's generator. None belongs to a known person.
"""

from __future__ import annotations

import random
from datetime import date

import pytest

from shared.identity import (
    MAX_AGE_YEARS,
    InvalidIdentifier,
    Organisationsnummer,
    Personnummer,
    generate_imei,
    generate_organisationsnummer,
    generate_personnummer,
    luhn_check_digit,
    parse_imei,
    parse_organisationsnummer,
    parse_personnummer,
)

TODAY = date(2026, 6, 1)


def with_check_digit(nine: str) -> str:
    """Append the Luhn digit, computed independently of the module under test."""
    total = 0
    for position, char in enumerate(nine):
        doubled = int(char) * 2 if position % 2 == 0 else int(char)
        total += sum(int(d) for d in str(doubled))
    return nine + str(-total % 10)


# 900101-123C: weights 2,1,2,1,... over 9 0 0 1 0 1 1 2 3 give 18,0,0,1,0,1,2,2,6; digit sums
# 9+0+0+1+0+1+2+2+6 = 21, so C = 10 - 1 = 9.
VALID = "900101-1239"
# Coordination number for 14 July 1985: day 14 + 60 = 74. 8 5 0 7 7 4 2 3 5 give 16,5,0,7,14,4,4,3,10;
# digit sums 7+5+0+7+5+4+4+3+1 = 36, so C = 4.
COORDINATION = "850774-2354"


class TestLuhn:
    def test_hand_computed_digits(self) -> None:
        assert luhn_check_digit("900101123") == 9
        assert luhn_check_digit("850774235") == 4
        assert luhn_check_digit("556123456") == 7

    def test_agrees_with_independent_implementation(self) -> None:
        rng = random.Random(7)
        for _ in range(500):
            nine = f"{rng.randrange(10**9):09d}"
            assert with_check_digit(nine) == nine + str(luhn_check_digit(nine))


class TestParsePersonnummer:
    @pytest.mark.parametrize(
        "text", ["900101-1239", "9001011239", "199001011239", "19900101-1239", " 900101-1239 "]
    )
    def test_accepted_forms_give_the_same_number(self, text: str) -> None:
        number = parse_personnummer(text, today=TODAY)

        assert number.digits == "199001011239"
        assert str(number) == "199001011239"
        assert number.birth_date == date(1990, 1, 1)
        assert not number.is_coordination_number
        assert number.display_on(TODAY) == "900101-1239"

    def test_wrong_check_digit(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            parse_personnummer("900101-1238", today=TODAY)

    def test_wrong_check_digit_in_twelve_digit_form(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            parse_personnummer("199001011238", today=TODAY)

    @pytest.mark.parametrize(
        "text",
        [
            "",
            "900101123",  # 9 digits
            "90010112390",  # 11 digits
            "1990010112390",  # 13 digits
            "900101 1239",
            "900101/1239",
            "9001-01-1239",
            "19900101+1239",  # '+' only belongs to the 10-digit form
            "900101--1239",
            "90O101-1239",  # letter O
            "\u0669\u0660\u0660\u0661\u0660\u0661\u0661\u0662\u0663\u0669",  # Arabic-Indic digits
        ],
    )
    def test_malformed_text_is_rejected_with_the_accepted_forms(self, text: str) -> None:
        with pytest.raises(InvalidIdentifier, match="10 or 12 digits") as caught:
            parse_personnummer(text, today=TODAY)
        assert "YYMMDD-NNNC" in caught.value.reason

    def test_invalid_identifier_is_a_value_error_with_a_reason(self) -> None:
        with pytest.raises(ValueError, match="check digit") as caught:
            parse_personnummer("900101-1238", today=TODAY)
        assert isinstance(caught.value, InvalidIdentifier)
        assert caught.value.reason == str(caught.value)

    @pytest.mark.parametrize(
        "nine",
        [
            "900230123",  # 30 February
            "901301123",  # month 13
            "900001123",  # month 0
            "900100123",  # day 0
            "900132123",  # 32 January
            "010229123",  # 29 February 2001, not a leap year
        ],
    )
    def test_impossible_date(self, nine: str) -> None:
        with pytest.raises(InvalidIdentifier, match="impossible date"):
            parse_personnummer(with_check_digit(nine), today=TODAY)

    def test_leap_day_in_a_leap_year(self) -> None:
        assert parse_personnummer(with_check_digit("000229123"), today=TODAY).birth_date == date(2000, 2, 29)

    def test_future_birth_date_in_twelve_digit_form(self) -> None:
        text = "2026" + with_check_digit("260602123")[2:]  # tomorrow
        with pytest.raises(InvalidIdentifier, match="in the future"):
            parse_personnummer(text, today=TODAY)

    def test_born_today_is_accepted(self) -> None:
        assert parse_personnummer("20" + with_check_digit("260601123"), today=TODAY).birth_date == TODAY


class TestCenturyRule:
    @pytest.mark.parametrize(
        ("yymmdd", "expected"),
        [
            ("260601", date(2026, 6, 1)),  # today: not in the future
            ("260602", date(1926, 6, 2)),  # later this year would be the future
            ("250101", date(2025, 1, 1)),
            ("000101", date(2000, 1, 1)),
            ("991231", date(1999, 12, 31)),
            ("270101", date(1927, 1, 1)),
        ],
    )
    def test_hyphen_picks_the_most_recent_century_not_in_the_future(
        self, yymmdd: str, expected: date
    ) -> None:
        number = with_check_digit(yymmdd + "123")
        assert parse_personnummer(f"{number[:6]}-{number[6:]}", today=TODAY).birth_date == expected
        assert parse_personnummer(number, today=TODAY).birth_date == expected  # no separator reads as '-'

    @pytest.mark.parametrize(
        ("yymmdd", "expected"),
        [
            ("250101", date(1925, 1, 1)),
            ("260101", date(1926, 1, 1)),  # turned 100 earlier this year
            ("991231", date(1899, 12, 31)),
        ],
    )
    def test_plus_means_a_hundred_years_earlier(self, yymmdd: str, expected: date) -> None:
        number = with_check_digit(yymmdd + "123")
        assert parse_personnummer(f"{number[:6]}+{number[6:]}", today=TODAY).birth_date == expected

    @pytest.mark.parametrize("written", ["0001" + "0101", "1800" + "0101", "1895" + "0101"])
    def test_a_birth_year_no_living_person_has_is_refused_naming_the_century(self, written: str) -> None:
        number = written + with_check_digit(written[2:] + "123")[6:]
        with pytest.raises(InvalidIdentifier, match="century"):
            parse_personnummer(number, today=TODAY)

    def test_plus_reading_a_birth_year_no_living_person_has_is_refused(self) -> None:
        # 270101+ would be someone born in 1827.
        number = with_check_digit("270101123")
        with pytest.raises(InvalidIdentifier, match="century"):
            parse_personnummer(f"{number[:6]}+{number[6:]}", today=TODAY)

    def test_plus_for_someone_turning_100_later_this_year(self) -> None:
        # Born 31 December 1926: the separator is '+' for all of 2026, before the birthday too.
        number = with_check_digit("261231123")
        parsed = parse_personnummer(f"{number[:6]}+{number[6:]}", today=TODAY)
        assert parsed.birth_date == date(1926, 12, 31)

    def test_leap_day_resolves_to_the_century_where_it_exists(self) -> None:
        # 29 Feb 2000 exists; on 1 Jan 2100 it is the most recent past 000229 (2100 is in the future).
        number = with_check_digit("000229123")
        assert parse_personnummer(number, today=date(2100, 1, 1)).birth_date == date(2000, 2, 29)


class TestSamordningsnummer:
    def test_day_plus_sixty(self) -> None:
        number = parse_personnummer(COORDINATION, today=TODAY)

        assert number.is_coordination_number
        assert number.birth_date == date(1985, 7, 14)
        assert number.digits == "198507742354"
        assert number.display_on(TODAY) == "850774-2354"

    def test_twelve_digit_form(self) -> None:
        number = parse_personnummer("198507742354", today=TODAY)
        assert number.is_coordination_number
        assert number.birth_date == date(1985, 7, 14)

    def test_wrong_check_digit(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            parse_personnummer("850774-2355", today=TODAY)

    @pytest.mark.parametrize(
        "nine",
        [
            "850792123",  # 92 - 60 = 32 July
            "850291123",  # 91 - 60 = 31 February
            "850260123",  # day 60 is neither a calendar day nor a coordination day
        ],
    )
    def test_impossible_coordination_date(self, nine: str) -> None:
        with pytest.raises(InvalidIdentifier, match="impossible date"):
            parse_personnummer(with_check_digit(nine), today=TODAY)

    def test_plus_separator(self) -> None:
        number = with_check_digit("100171123")
        parsed = parse_personnummer(f"{number[:6]}+{number[6:]}", today=TODAY)
        assert parsed.is_coordination_number
        assert parsed.birth_date == date(1910, 1, 11)


class TestDisplay:
    def test_separator_turns_plus_in_the_year_of_the_hundredth_birthday(self) -> None:
        number = parse_personnummer("1926" + with_check_digit("261231123")[2:], today=TODAY)

        assert number.display_on(date(2025, 12, 31)) == f"261231-{number.digits[8:]}"
        assert number.display_on(date(2026, 1, 1)) == f"261231+{number.digits[8:]}"
        assert number.display_on(date(2026, 12, 31)) == f"261231+{number.digits[8:]}"

    def test_display_uses_the_current_year(self) -> None:
        young = parse_personnummer(VALID, today=TODAY)
        old = parse_personnummer("1900" + with_check_digit("000101123")[2:], today=TODAY)

        assert young.display == "900101-1239"
        assert old.display == f"000101+{old.digits[8:]}"

    def test_display_parses_back_to_the_same_number(self) -> None:
        rng = random.Random(2026)
        for _ in range(2000):
            number = generate_personnummer(rng, coordination=rng.random() < 0.3)
            born = number.birth_date.year
            today = date(
                rng.randint(max(2006, born + 1), born + MAX_AGE_YEARS), rng.randint(1, 12), rng.randint(1, 28)
            )
            assert parse_personnummer(number.display_on(today), today=today) == number


class TestPersonnummerConstructor:
    def test_rejects_digits_that_do_not_match_the_birth_date(self) -> None:
        with pytest.raises(InvalidIdentifier, match="birth date"):
            Personnummer(digits="199001011239", birth_date=date(1990, 1, 2), is_coordination_number=False)

    def test_rejects_a_bad_check_digit(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            Personnummer(digits="199001011238", birth_date=date(1990, 1, 1), is_coordination_number=False)

    def test_rejects_the_wrong_length(self) -> None:
        with pytest.raises(InvalidIdentifier, match="12 digits"):
            Personnummer(digits="9001011239", birth_date=date(1990, 1, 1), is_coordination_number=False)


class TestGeneratePersonnummer:
    def test_generated_numbers_parse_back(self) -> None:
        rng = random.Random(1)
        for _ in range(1000):
            number = generate_personnummer(rng)
            assert parse_personnummer(number.digits, today=TODAY) == number
            assert date(1930, 1, 1) <= number.birth_date <= date(2005, 12, 31)
            assert not number.is_coordination_number

    def test_given_birth_date_and_coordination(self) -> None:
        number = generate_personnummer(random.Random(2), birth_date=date(1972, 3, 9), coordination=True)

        assert number.birth_date == date(1972, 3, 9)
        assert number.is_coordination_number
        assert number.digits[:8] == "19720369"
        assert parse_personnummer(number.display_on(TODAY), today=TODAY) == number

    def test_same_seed_same_numbers(self) -> None:
        first = [generate_personnummer(random.Random(5)) for _ in range(3)]
        second = [generate_personnummer(random.Random(5)) for _ in range(3)]
        assert first == second

    def test_numbers_vary(self) -> None:
        rng = random.Random(3)
        assert len({generate_personnummer(rng).digits for _ in range(200)}) == 200


class TestOrganisationsnummer:
    # 556123456C: 5 5 6 1 2 3 4 5 6 give 10,5,12,1,4,3,8,5,12; digit sums 1+5+3+1+4+3+8+5+3 = 33, so C = 7.
    @pytest.mark.parametrize(
        "text", ["556123-4567", "5561234567", "165561234567", "16556123-4567", " 5561234567 "]
    )
    def test_accepted_forms(self, text: str) -> None:
        number = parse_organisationsnummer(text)

        assert number.digits == "5561234567"
        assert str(number) == "5561234567"
        assert number.display == "556123-4567"

    def test_wrong_check_digit(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            parse_organisationsnummer("556123-4568")

    def test_third_digit_below_two_is_a_personnummer(self) -> None:
        # 551234567C: 10,5,2,2,6,4,10,6,14; digit sums 1+5+2+2+6+4+1+6+5 = 32, so C = 8: valid Luhn.
        with pytest.raises(InvalidIdentifier, match="third digit"):
            parse_organisationsnummer("551234-5678")

    @pytest.mark.parametrize(
        "text", ["", "556123456", "55612345678", "556123 4567", "5561-234567", "175561234567", "ABC123-4567"]
    )
    def test_malformed(self, text: str) -> None:
        with pytest.raises(InvalidIdentifier, match="10 digits"):
            parse_organisationsnummer(text)

    def test_constructor_validates(self) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            Organisationsnummer(digits="5561234560")

    def test_generated_numbers_are_valid(self) -> None:
        rng = random.Random(11)
        numbers = [generate_organisationsnummer(rng) for _ in range(1000)]

        for number in numbers:
            assert parse_organisationsnummer(number.display) == number
            assert int(number.digits[2]) >= 2
        assert len({n.digits for n in numbers}) == 1000


class TestImei:
    def test_a_valid_imei_is_accepted_without_its_separators(self) -> None:
        assert parse_imei("49-015420-323751-8") == "490154203237518"

    @pytest.mark.parametrize("last", [d for d in "0123456789" if d != "8"])
    def test_any_other_check_digit_is_refused(self, last: str) -> None:
        with pytest.raises(InvalidIdentifier, match="check digit"):
            parse_imei("49015420323751" + last)

    @pytest.mark.parametrize("text", ["", "12345678901234", "1234567890123456", "49015420323751x"])
    def test_an_imei_has_fifteen_digits(self, text: str) -> None:
        with pytest.raises(InvalidIdentifier, match="15 digits"):
            parse_imei(text)

    def test_generated_imeis_are_valid(self) -> None:
        rng = random.Random(7)
        assert all(parse_imei(imei) == imei for imei in (generate_imei(rng) for _ in range(200)))
