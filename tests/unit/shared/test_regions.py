"""Municipalities, counties and police regions."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from shared.regions import (
    County,
    Municipality,
    Region,
    UnknownCounty,
    UnknownMunicipality,
    all_counties,
    all_municipalities,
    counties_in,
    county,
    municipality,
    region_for_municipality,
    region_seat,
)

REPO_ROOT = Path(__file__).resolve().parents[3]

# Statistics Sweden's municipality counts per county (since 2003: 290 in all).
COUNTS_PER_COUNTY = {
    "01": 26,
    "03": 8,
    "04": 9,
    "05": 13,
    "06": 13,
    "07": 8,
    "08": 12,
    "09": 1,
    "10": 5,
    "12": 33,
    "13": 6,
    "14": 49,
    "17": 16,
    "18": 12,
    "19": 10,
    "20": 15,
    "21": 10,
    "22": 7,
    "23": 8,
    "24": 15,
    "25": 14,
}

# The organisation table of the domain brief: region -> seat, county codes.
ORGANISATION = {
    Region.NORD: ("Umeå", {"25", "24", "23", "22"}),
    Region.MITT: ("Uppsala", {"03", "21", "19"}),
    Region.STOCKHOLM: ("Stockholm", {"01", "09"}),
    Region.OST: ("Linköping", {"05", "06", "04"}),
    Region.VAST: ("Göteborg", {"14", "13"}),
    Region.SYD: ("Malmö", {"12", "10", "08", "07"}),
    Region.BERGSLAGEN: ("Örebro", {"18", "17", "20"}),
}


class TestMunicipalityList:
    def test_exactly_290_with_unique_codes(self) -> None:
        municipalities = all_municipalities()

        assert len(municipalities) == 290
        assert len({m.code for m in municipalities}) == 290

    def test_counts_per_county(self) -> None:
        assert Counter(m.county_code for m in all_municipalities()) == COUNTS_PER_COUNTY

    def test_codes_are_four_digits_and_start_with_the_county_code(self) -> None:
        for m in all_municipalities():
            assert len(m.code) == 4
            assert m.code.isascii()
            assert m.code.isdigit()
            assert m.county_code == m.code[:2]

    def test_ordered_by_code(self) -> None:
        codes = [m.code for m in all_municipalities()]
        assert codes == sorted(codes)

    def test_names_are_unique_trimmed_and_composed(self) -> None:
        names = [m.name for m in all_municipalities()]

        assert len(set(names)) == 290
        for name in names:
            assert name == name.strip()
            assert name
            assert unicodedata.normalize("NFC", name) == name  # 'ö' as one code point, not 'o' + diaeresis

    def test_data_file_is_a_plain_list_of_code_and_name(self) -> None:
        rows = json.loads((REPO_ROOT / "shared" / "data" / "municipalities.json").read_text(encoding="utf-8"))

        assert isinstance(rows, list)
        assert len(rows) == 290
        assert all(set(row) == {"code", "name"} for row in rows)

    @pytest.mark.parametrize(
        ("code", "name", "county_name", "region"),
        [
            ("0180", "Stockholm", "Stockholms län", Region.STOCKHOLM),
            ("1480", "Göteborg", "Västra Götalands län", Region.VAST),
            ("1280", "Malmö", "Skåne län", Region.SYD),
            ("0380", "Uppsala", "Uppsala län", Region.MITT),
            ("2480", "Umeå", "Västerbottens län", Region.NORD),
            ("0580", "Linköping", "Östergötlands län", Region.OST),
            ("1880", "Örebro", "Örebro län", Region.BERGSLAGEN),
            ("0980", "Gotland", "Gotlands län", Region.STOCKHOLM),
            ("2584", "Kiruna", "Norrbottens län", Region.NORD),
            ("0114", "Upplands Väsby", "Stockholms län", Region.STOCKHOLM),
            ("0139", "Upplands-Bro", "Stockholms län", Region.STOCKHOLM),
            ("1256", "Östra Göinge", "Skåne län", Region.SYD),
            ("1438", "Dals-Ed", "Västra Götalands län", Region.VAST),
            ("2023", "Malung-Sälen", "Dalarnas län", Region.BERGSLAGEN),
            ("2518", "Övertorneå", "Norrbottens län", Region.NORD),
            ("0319", "Älvkarleby", "Uppsala län", Region.MITT),
            ("1980", "Västerås", "Västmanlands län", Region.MITT),
            ("0680", "Jönköping", "Jönköpings län", Region.OST),
            ("0780", "Växjö", "Kronobergs län", Region.SYD),
        ],
    )
    def test_known_municipalities(self, code: str, name: str, county_name: str, region: Region) -> None:
        assert municipality(code) == Municipality(
            code=code, name=name, county_code=code[:2], county_name=county_name, region=region
        )
        assert region_for_municipality(code) is region

    def test_region_examples_from_the_domain_brief(self) -> None:
        assert region_for_municipality("0180") is Region.STOCKHOLM
        assert region_for_municipality("1480") is Region.VAST
        assert region_for_municipality("2584") is Region.NORD

    @pytest.mark.parametrize(
        "code", ["0000", "0181x", "180", "", "0199", "1100", "1501", "9999", " 0180", "01-80"]
    )
    def test_unknown_code(self, code: str) -> None:
        with pytest.raises(UnknownMunicipality) as caught:
            municipality(code)
        assert isinstance(caught.value, LookupError)
        assert caught.value.code == code
        with pytest.raises(UnknownMunicipality):
            region_for_municipality(code)

    def test_import_does_not_read_the_data(self) -> None:
        probe = (
            "import shared.regions as r; "
            "before = r._municipalities_by_code.cache_info().currsize; "
            "r.municipality('0180'); "
            "print(before, r._municipalities_by_code.cache_info().currsize)"
        )
        result = subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
            [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        )
        assert result.stdout.split() == ["0", "1"]


class TestCountiesAndRegions:
    def test_region_values(self) -> None:
        assert [r.value for r in Region] == ["Nord", "Mitt", "Stockholm", "Öst", "Väst", "Syd", "Bergslagen"]
        assert Region("Öst") is Region.OST
        assert Region("Väst") is Region.VAST
        assert str(Region.OST) == "Öst"
        assert f"{Region.VAST}" == "Väst"

    def test_seats(self) -> None:
        assert {r: region_seat(r) for r in Region} == {r: seat for r, (seat, _) in ORGANISATION.items()}

    def test_21_counties_each_in_one_region_as_in_the_domain_table(self) -> None:
        counties = all_counties()

        assert len(counties) == 21
        assert {c.code for c in counties} == set(COUNTS_PER_COUNTY)
        for region, (_, codes) in ORGANISATION.items():
            assert {c.code for c in counties_in(region)} == codes

    def test_every_municipality_has_its_countys_region(self) -> None:
        for m in all_municipalities():
            home = county(m.county_code)
            assert (m.county_name, m.region) == (home.name, home.region)

    def test_county_lookup(self) -> None:
        assert county("09") == County(code="09", name="Gotlands län", region=Region.STOCKHOLM)
        with pytest.raises(UnknownCounty):
            county("02")  # merged into Västra Götaland in 1998
