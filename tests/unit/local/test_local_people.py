"""Who a newcomer can log in as on the local cloud, from the seed data, without reading Python."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import SimpleNamespace

import pytest

from infra.catalog import MANIFESTS
from infra.local import people
from infra.local.__main__ import _banner
from infra.local.tokens import claims_for_request
from services.bookings import seed_data
from services.permits.seed import seeded_licences
from shared import synthetic_people

TODAY = date.today()
DIRECTORY = people.directory(TODAY)


def _digits(personnummer: str) -> str:
    return personnummer.replace("-", "")


def _route_roles() -> set[str]:
    return {role for manifest in MANIFESTS for route in manifest.routes for role in route.roles}


def test_every_seeded_document_is_listed_with_its_state_and_what_it_is_good_for() -> None:
    listed = {d["documentNumber"]: d for d in DIRECTORY["documents"]}
    assert set(listed) == {d.number for d in seed_data.DOCUMENTS}
    assert all(d["goodFor"] for d in listed.values())
    assert listed[seed_data.VALID_PASSPORT.number]["validityCheckAnswers"] == "Giltig"
    assert listed[seed_data.EXPIRED_PASSPORT.number]["state"] == "expired"
    assert listed[seed_data.EXPIRED_PASSPORT.number]["validityCheckAnswers"] == "Inget resultat"
    assert listed[seed_data.BLOCKED_ID_CARD.number]["validityCheckAnswers"] == "Spärrat"
    holder = listed[seed_data.CHILD_PASSPORT.number]["holder"]
    assert _digits(holder) == seed_data.CHILD_PASSPORT.holder_personnummer


def test_a_document_seeded_without_a_purpose_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    unexplained = dataclasses.replace(seed_data.VALID_PASSPORT, number="11112222")
    monkeypatch.setattr(seed_data, "DOCUMENTS", (*seed_data.DOCUMENTS, unexplained))
    with pytest.raises(LookupError, match="11112222"):
        people.directory(TODAY)


def test_guardians_and_their_children_under_18_are_listed() -> None:
    families = DIRECTORY["families"]
    assert len(families) == len(synthetic_people.FAMILIES)
    for listed, family in zip(families, synthetic_people.FAMILIES, strict=True):
        assert [_digits(g) for g in listed["guardians"]] == list(family.guardians)
        assert [_digits(c["personnummer"]) for c in listed["children"]] == list(family.children)
        assert all(c["age"] < 18 for c in listed["children"])


def test_company_representatives_and_document_holders_are_listed() -> None:
    companies = {_digits(c["organisationsnummer"]): c for c in DIRECTORY["companies"]}
    for company in synthetic_people.COMPANIES:
        assert [_digits(r) for r in companies[company.organisationsnummer]["representatives"]] == list(
            company.representatives
        )
    assert [_digits(h["personnummer"]) for h in DIRECTORY["documentHolders"]] == list(seed_data.HOLDERS)


def test_every_listed_person_gets_a_token() -> None:
    numbers = [
        *(g for f in DIRECTORY["families"] for g in f["guardians"]),
        *(c["personnummer"] for f in DIRECTORY["families"] for c in f["children"]),
        *(r for c in DIRECTORY["companies"] for r in c["representatives"]),
        *(h["personnummer"] for h in DIRECTORY["documentHolders"]),
    ]
    for number in numbers:
        assert claims_for_request({"personnummer": number}, today=TODAY)["principalType"] == "citizen"


def test_the_staff_examples_use_exactly_the_roles_the_services_know_and_are_accepted() -> None:
    staff = DIRECTORY["staff"]
    roles = {role for example in staff for role in example["token"]["roles"]}
    assert roles == _route_roles()
    assert "Investigator" not in roles
    for example in staff:
        assert claims_for_request(example["token"], today=TODAY)["principalType"] == "staff"
        assert example["goodFor"]


def test_the_reception_example_works_where_a_listed_reception_is() -> None:
    reception = next(e for e in DIRECTORY["staff"] if e["token"]["roles"] == ["reception"])
    regions = {r["region"] for r in DIRECTORY["receptions"]}
    assert reception["token"]["region"] in regions


def test_the_permits_test_people_are_listed_with_their_seeded_licences_and_what_each_is_for() -> None:
    listed = {p["name"]: p for p in DIRECTORY["permits"]}
    expected = {
        "WEAPON_HOLDERS[0]": synthetic_people.WEAPON_HOLDERS[0],
        "WEAPON_HOLDERS[1]": synthetic_people.WEAPON_HOLDERS[1],
        "SUITABILITY_FLAGGED": synthetic_people.SUITABILITY_FLAGGED,
        "SUITABILITY_UNAVAILABLE": synthetic_people.SUITABILITY_UNAVAILABLE,
        "YOUNG_ADULT": synthetic_people.YOUNG_ADULT,
    }
    assert {name: _digits(p["personnummer"]) for name, p in listed.items()} == expected
    assert all(p["goodFor"] for p in listed.values())
    seeded = seeded_licences(TODAY)
    for name, number in expected.items():
        assert [licence["licenceNumber"] for licence in listed[name]["licences"]] == [
            licence.licence_number for licence in seeded if licence.holder_personnummer == number
        ]
    assert len(listed["WEAPON_HOLDERS[0]"]["licences"]) == 4
    for person in listed.values():
        claims = claims_for_request({"personnummer": person["personnummer"]}, today=TODAY)
        assert claims["principalType"] == "citizen"


def test_the_permits_staff_and_a_municipality_are_listed_with_tokens_that_work() -> None:
    by_role = {tuple(e["token"]["roles"]): e for e in DIRECTORY["staff"]}
    assert by_role[("permits",)]["token"]["region"] == "Stockholm"
    assert "national queue" in by_role[("weapons",)]["goodFor"]
    (municipality,) = DIRECTORY["municipalities"]
    assert municipality["token"]["scopes"] == ["permits/referrals:0180"]
    claims = claims_for_request(municipality["token"], today=TODAY)
    assert (claims["principalType"], claims["scope"]) == ("agency", "permits/referrals:0180")


def test_the_banner_lists_a_few_people_and_a_token_per_known_role() -> None:
    cloud = SimpleNamespace(
        base_url="http://127.0.0.1:3000",
        startup_seconds=1.0,
        logs_dir="/tmp/logs",  # noqa: S108 - only printed
        concurrency=4,
        plan=SimpleNamespace(routes=[]),
        aws_endpoint="http://127.0.0.1:5000",
    )
    banner = _banner(cloud)  # type: ignore[arg-type]
    assert "http://127.0.0.1:3000/_local/people" in banner
    assert "Investigator" not in banner
    for role in _route_roles():
        assert f'"roles": ["{role}"]' in banner
    first_family = DIRECTORY["families"][0]
    assert (
        f"guardian {first_family['guardians'][0]} of {first_family['children'][0]['personnummer']}" in banner
    )
    for state in ("valid", "expired", "blocked"):
        assert f"\n    {state} " in banner
    assert '"scopes": ["permits/referrals:0180"]' in banner
    for person in DIRECTORY["permits"]:
        assert f"{person['name']} {person['personnummer']}" in banner
