"""The checks run when the fee is paid, and what follows: a rule's decision, a referral, or the queue."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from services.permits.domain.applying import Applicant
from services.permits.domain.deciding import add_months, add_years
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    CheckOutcome,
    Details,
    Licence,
    LicenceKind,
    Outcome,
    Weapon,
    WeaponPurpose,
)
from services.permits.domain.preparing import MANUAL_RULE
from shared.identity import generate_personnummer
from tests.support.permits_fakes import (
    PermitsWorld,
    duplicate,
    public_place,
    purchase_permit,
    renewal,
    rifle,
    weapon_licence,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


def born(on: date, seed: int = 1) -> Applicant:
    personnummer = str(generate_personnummer(random.Random(seed), birth_date=on))
    return Applicant(ref=f"sub-{personnummer}", personnummer=personnummer)


ADULT = born(date(1980, 4, 2))


def outcomes(application: Application) -> dict[str, CheckOutcome]:
    assert application.preparation is not None
    return {check.name: check.outcome for check in application.preparation.checks}


def licence_of(applicant: Applicant, number: str, **changes: object) -> Licence:
    fields: dict[str, object] = {
        "licence_number": number,
        "kind": LicenceKind.LICENCE,
        "holder_personnummer": applicant.personnummer,
        "weapon": Weapon.model_validate(rifle(f"R-{number[-4:]}")),
        "purpose": WeaponPurpose.HUNTING,
        "issued_on": date(2019, 9, 1),
        **changes,
    }
    return Licence.model_validate(fields)


def pistol_of(applicant: Applicant, number: str = "VL-2021-000001") -> Licence:
    return licence_of(
        applicant,
        number,
        weapon=Weapon.model_validate(rifle("GLK-55120", type="pistol")),
        purpose=WeaponPurpose.TARGET_SHOOTING,
        issued_on=add_years(TODAY + timedelta(days=40), -5),
        valid_until=TODAY + timedelta(days=40),
    )


@pytest.fixture
def world() -> PermitsWorld:
    return PermitsWorld(NOW)


# --- the checks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth_date", "fully_automatic", "outcome"),
    [
        (add_years(TODAY, -18), False, CheckOutcome.PASSED),
        (add_years(TODAY, -18) + timedelta(days=1), False, CheckOutcome.FLAGGED),
        (add_years(TODAY, -19), True, CheckOutcome.FLAGGED),
        (add_years(TODAY, -20), True, CheckOutcome.PASSED),
    ],
    ids=["18-today", "a-day-short-of-18", "19-fully-automatic", "20-fully-automatic"],
)
def test_the_applicant_is_old_enough_for_the_weapon(
    world: PermitsWorld, birth_date: date, fully_automatic: bool, outcome: CheckOutcome
) -> None:
    details = weapon_licence(purpose="collection")
    details = details.model_copy(
        update={"weapons": [details.weapons[0].model_copy(update={"fully_automatic": fully_automatic})]}
    )

    case = world.paid_and_prepared(details, born(birth_date))

    assert outcomes(case)["age"] is outcome


@pytest.mark.parametrize(
    ("evidence", "outcome"),
    [
        ({"huntingExamPassedOn": "2015-05-20"}, CheckOutcome.PASSED),
        ({}, CheckOutcome.FLAGGED),
    ],
    ids=["exam", "no-exam"],
)
def test_hunting_needs_the_hunting_exam(
    world: PermitsWorld, evidence: dict[str, str], outcome: CheckOutcome
) -> None:
    case = world.paid_and_prepared(weapon_licence(evidence=evidence), ADULT)

    assert outcomes(case)["evidence"] is outcome


@pytest.mark.parametrize(
    ("member_since", "active", "outcome"),
    [
        (add_months(TODAY, -6), True, CheckOutcome.PASSED),
        (add_months(TODAY, -6) + timedelta(days=1), True, CheckOutcome.FLAGGED),
        (add_months(TODAY, -24), False, CheckOutcome.FLAGGED),
        (None, True, CheckOutcome.FLAGGED),
    ],
    ids=["six-months", "a-day-short", "not-active", "no-certificate"],
)
def test_target_shooting_needs_six_months_active_membership(
    world: PermitsWorld, member_since: date | None, active: bool, outcome: CheckOutcome
) -> None:
    evidence = (
        {
            "clubCertificate": {
                "club": "Umeå Pistolklubb",
                "memberSince": member_since.isoformat(),
                "active": active,
            }
        }
        if member_since
        else {}
    )

    case = world.paid_and_prepared(purchase_permit(evidence=evidence), ADULT)

    assert outcomes(case)["evidence"] is outcome


@pytest.mark.parametrize(("held", "outcome"), [(2, CheckOutcome.PASSED), (3, CheckOutcome.FLAGGED)])
def test_a_hunting_set_over_four_is_flagged(world: PermitsWorld, held: int, outcome: CheckOutcome) -> None:
    for n in range(held):
        licence = licence_of(ADULT, f"VL-2019-00000{n + 1}")
        world.permits.licences[licence.licence_number] = licence

    case = world.paid_and_prepared(weapon_licence(weapons=2), ADULT)

    assert outcomes(case)["huntingSet"] is outcome


def test_a_flagged_suitability_is_listed_for_the_case_handler(world: PermitsWorld) -> None:
    world.suitability.flagged.add(ADULT.personnummer)

    case = world.paid_and_prepared(weapon_licence(), ADULT)

    assert outcomes(case)["suitability"] is CheckOutcome.FLAGGED
    assert case.status is ApplicationStatus.QUEUED
    assert case.preparation is not None
    assert [c.name for c in case.preparation.flags] == ["suitability"]


@pytest.mark.parametrize(
    ("starts_in_days", "outcome"), [(20, CheckOutcome.FLAGGED), (21, CheckOutcome.PASSED)]
)
def test_a_late_public_place_application_is_flagged(
    world: PermitsWorld, starts_in_days: int, outcome: CheckOutcome
) -> None:
    case = world.paid_and_prepared(public_place(TODAY, starts_in_days=starts_in_days), ADULT)

    assert outcomes(case) == {"lateApplication": outcome}


@pytest.mark.parametrize(
    "changes",
    [{"circumstancesUnchanged": False, "changes": "Ny adress"}, {"changes": "Nytt vapenskåp"}],
    ids=["changed", "unchanged-but-a-change-told"],
)
def test_a_renewal_with_changed_circumstances_is_flagged_for_a_case_handler(
    world: PermitsWorld, changes: dict[str, object]
) -> None:
    licence = pistol_of(ADULT)
    world.permits.licences[licence.licence_number] = licence

    case = world.paid_and_prepared(renewal(licence.licence_number, **changes), ADULT)

    assert outcomes(case)["circumstances"] is CheckOutcome.FLAGGED
    assert case.status is ApplicationStatus.QUEUED
    assert case.decision is None
    assert world.permits.licence(licence.licence_number) == licence


# --- what follows the checks ------------------------------------------------------------------------------


def test_a_clear_renewal_is_granted_by_the_rule_for_five_more_years(world: PermitsWorld) -> None:
    licence = pistol_of(ADULT)
    world.permits.licences[licence.licence_number] = licence

    case = world.paid_and_prepared(renewal(licence.licence_number), ADULT)

    assert case.status is ApplicationStatus.GRANTED
    assert case.decision is not None
    assert (case.decision.outcome, case.decision.decided_by) == (Outcome.GRANTED, "rule")
    assert (case.decision.rule_id, case.decision.rule_version) == ("renewal-clear", world.rules.version)
    assert case.preparation is not None
    assert case.preparation.rule_id == "renewal-clear"
    renewed = world.permits.licence(licence.licence_number)
    assert renewed is not None
    assert renewed.valid_until == add_years(TODAY + timedelta(days=40), 5)
    assert case.decision.valid_until == renewed.valid_until
    assert world.permits.event_types()[-1] == "PermitDecided"


def test_a_clear_duplicate_is_issued_by_the_rule(world: PermitsWorld) -> None:
    licence = licence_of(ADULT, "VL-2019-000001")
    world.permits.licences[licence.licence_number] = licence

    case = world.paid_and_prepared(duplicate(licence.licence_number, TODAY), ADULT)

    assert case.decision is not None
    assert (case.decision.rule_id, case.decision.rule_version) == ("duplicate-clear", world.rules.version)
    issued = world.permits.licence(licence.licence_number)
    assert issued is not None
    assert issued.document_issued == 2
    assert case.decision.licence_numbers == (licence.licence_number,)


@pytest.mark.parametrize(
    "details",
    [weapon_licence(), purchase_permit(), public_place(TODAY)],
    ids=["licence", "purchase-permit", "public-place"],
)
def test_no_rule_decides_a_new_permit(world: PermitsWorld, details: Details) -> None:
    case = world.paid_and_prepared(details, ADULT)

    assert case.decision is None
    assert case.preparation is not None
    assert case.preparation.rule_id == MANUAL_RULE
    assert case.preparation.rule_version == world.rules.version


def test_a_rule_never_refuses(world: PermitsWorld) -> None:
    world.suitability.flagged.add(ADULT.personnummer)
    licence = pistol_of(ADULT)
    world.permits.licences[licence.licence_number] = licence
    other = licence_of(ADULT, "VL-2019-000002")
    world.permits.licences[other.licence_number] = other

    cases = [
        world.paid_and_prepared(renewal(licence.licence_number), ADULT),
        world.paid_and_prepared(duplicate(other.licence_number, TODAY), ADULT),
        world.paid_and_prepared(weapon_licence(evidence={}), born(TODAY - timedelta(days=3650), seed=2)),
    ]

    assert [c.status for c in cases] == [ApplicationStatus.QUEUED] * 3
    assert all(c.decision is None for c in cases)
    assert world.permits.licence(licence.licence_number) == licence


def test_a_public_place_application_is_referred_to_its_municipality_at_once(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(public_place(TODAY, starts_in_days=10), ADULT)

    assert case.status is ApplicationStatus.REFERRED
    assert case.referral is not None
    assert case.referral.municipality_code == "0180"
    assert case.referral.answer_due_at == NOW + timedelta(days=21)
    assert case.referral.reminder_due_at == NOW + timedelta(days=16)
    assert world.permits.event_types()[-1] == "PermitReferralSent"
    page = world.permits.referrals_of("0180", limit=10, start=None)
    assert [a.diarienummer for a in page.applications] == [case.diarienummer]


def test_a_fee_paid_event_delivered_again_changes_nothing(world: PermitsWorld) -> None:
    application = world.pay(world.submit(weapon_licence(), ADULT))
    world.prepare(application.diarienummer)
    prepared = world.case(application.diarienummer)
    events = len(world.permits.events)

    assert world.prepare(application.diarienummer) is None

    assert world.case(application.diarienummer) == prepared
    assert len(world.permits.events) == events
