"""The municipality's answer to a referral, and police staff working the cases: who sees what, completion
requests and their answers, and deciding."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from services.permits.domain import following, referrals
from services.permits.domain.applying import Applicant
from services.permits.domain.casework import NotPermitted
from services.permits.domain.model import Application, ApplicationStatus, MunicipalityVerdict
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import generate_personnummer
from tests.support.permits_fakes import PermitsWorld, public_place, weapon_licence

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
APPLICANT = Applicant(
    ref="sub-applicant",
    personnummer=str(generate_personnummer(random.Random(21), birth_date=date(1980, 1, 2))),
)


@pytest.fixture
def world() -> PermitsWorld:
    return PermitsWorld(NOW)


def referred(world: PermitsWorld) -> Application:
    case = world.paid_and_prepared(public_place(TODAY), APPLICANT)
    assert case.status is ApplicationStatus.REFERRED
    return case


def answer(
    world: PermitsWorld,
    case: Application,
    verdict: MunicipalityVerdict,
    *,
    municipality: str = "0180",
    conditions: str | None = None,
    reason: str | None = None,
) -> Application:
    return referrals.answer_referral(
        case.diarienummer,
        municipality_code=municipality,
        client_id="agency-stockholm",
        verdict=verdict,
        conditions=conditions,
        reason=reason,
        repository=world.permits,
        now=world.now,
        correlation_id="c-agency",
    )


def taken_into_case(world: PermitsWorld, case: Application) -> Application:
    referrals.take_answer_into_case(case.diarienummer, repository=world.permits, now=world.now)
    return world.case(case.diarienummer)


# --- the municipality's answer ----------------------------------------------------------------------------


def test_the_answer_moves_the_case_to_its_regions_queue(world: PermitsWorld) -> None:
    case = referred(world)

    answer(world, case, MunicipalityVerdict.SUPPORTS)
    queued = taken_into_case(world, case)

    assert queued.status is ApplicationStatus.QUEUED
    assert queued.referral is not None
    assert queued.referral.answer is not None
    assert queued.referral.answer.verdict is MunicipalityVerdict.SUPPORTS
    assert world.permits.event_types()[-1] == "MunicipalityAnswered"
    page = world.permits.queue("Stockholm", limit=10, start=None)
    assert [a.diarienummer for a in page.applications] == [case.diarienummer]
    assert world.permits.referrals_of("0180", limit=10, start=None).applications == []


def test_the_answer_taken_in_again_changes_nothing(world: PermitsWorld) -> None:
    case = referred(world)
    answer(world, case, MunicipalityVerdict.SUPPORTS)
    queued = taken_into_case(world, case)

    assert referrals.take_answer_into_case(case.diarienummer, repository=world.permits, now=world.now) is None
    assert world.case(case.diarienummer) == queued


@pytest.mark.parametrize(
    ("verdict", "field"),
    [
        (MunicipalityVerdict.SUPPORTS_WITH_CONDITIONS, "conditions"),
        (MunicipalityVerdict.ADVISES_AGAINST, "reason"),
    ],
)
def test_conditions_and_a_reason_are_needed_with_their_verdicts(
    world: PermitsWorld, verdict: MunicipalityVerdict, field: str
) -> None:
    case = referred(world)

    with pytest.raises(InvalidInput) as refused:
        answer(world, case, verdict)

    assert list(refused.value.reasons) == [field]
    assert world.case(case.diarienummer) == case


def test_a_second_answer_is_a_conflict(world: PermitsWorld) -> None:
    case = referred(world)
    answer(world, case, MunicipalityVerdict.SUPPORTS_WITH_CONDITIONS, conditions="Högst sex bord")
    answered = world.case(case.diarienummer)

    with pytest.raises(Conflict):
        answer(world, case, MunicipalityVerdict.ADVISES_AGAINST, reason="Trafikfara")

    assert world.case(case.diarienummer) == answered


def test_an_answer_after_the_deadline_is_a_conflict(world: PermitsWorld) -> None:
    case = referred(world)
    world.clock.advance(timedelta(days=21, seconds=1))

    with pytest.raises(Conflict):
        answer(world, case, MunicipalityVerdict.SUPPORTS)


def test_another_municipalitys_referral_is_not_found(world: PermitsWorld) -> None:
    case = referred(world)

    with pytest.raises(NotFound):
        answer(world, case, MunicipalityVerdict.SUPPORTS, municipality="1280")
    with pytest.raises(NotFound):
        referrals.referral_of(case.diarienummer, "1280", world.permits)
    assert world.permits.referrals_of("1280", limit=10, start=None).applications == []


def test_a_municipalitys_scopes_name_its_codes() -> None:
    scopes = frozenset({"permits/referrals:0180", "permits/referrals:1280", "reports/read"})

    assert referrals.municipality_scopes(scopes) == {"0180", "1280"}


# --- deciding ---------------------------------------------------------------------------------------------


def test_a_permit_is_never_granted_against_the_municipalitys_advice(world: PermitsWorld) -> None:
    case = referred(world)
    answer(world, case, MunicipalityVerdict.ADVISES_AGAINST, reason="Trafikfara vid övergångsställe")
    taken_into_case(world, case)
    desk = world.desk("Stockholm", "permits")
    desk.take(case.diarienummer)

    with pytest.raises(Conflict):
        desk.decide(case.diarienummer, grant=True, reasons="Beviljas", conditions=None, valid_until=None)
    refused = desk.decide(
        case.diarienummer, grant=False, reasons="Kommunen avstyrker", conditions=None, valid_until=None
    )

    assert refused.status is ApplicationStatus.REFUSED
    assert world.case(case.diarienummer).status is ApplicationStatus.REFUSED


def test_a_case_handler_grants_a_weapons_licence_with_its_licences(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(weapon_licence(weapons=2), APPLICANT)
    desk = world.desk("Nord", "weapons", staff_id="PM-4001")
    desk.take(case.diarienummer)

    granted = desk.decide(
        case.diarienummer, grant=True, reasons="Beviljas", conditions=None, valid_until=None
    )

    assert granted.status is ApplicationStatus.GRANTED
    assert granted.decision is not None
    assert (granted.decision.decided_by, granted.decision.staff_id) == ("staff", "PM-4001")
    held = world.permits.held_by(APPLICANT.personnummer)
    assert sorted(lic.licence_number for lic in held) == sorted(granted.decision.licence_numbers)
    assert len(held) == 2
    assert [r.action for r in world.permits.audit] == ["takeCase", "decide"]
    with pytest.raises(Conflict):
        desk.decide(case.diarienummer, grant=False, reasons="Nej", conditions=None, valid_until=None)


def test_only_the_case_handler_holding_a_case_decides_it(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(weapon_licence(), APPLICANT)
    world.desk("Nord", "weapons", staff_id="PM-4001").take(case.diarienummer)

    with pytest.raises(Conflict):
        world.desk("Syd", "weapons", staff_id="PM-4002").decide(
            case.diarienummer, grant=True, reasons="Beviljas", conditions=None, valid_until=None
        )


# --- who sees what ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "region", "roles", "sees"),
    [
        ("weapons", "Syd", ("weapons",), True),
        ("weapons", "National", ("weapons",), True),
        ("weapons", "Stockholm", ("permits",), False),
        ("publicPlace", "Stockholm", ("permits",), True),
        ("publicPlace", "National", ("permits",), True),
        ("publicPlace", "Syd", ("permits",), False),
        ("publicPlace", "Stockholm", ("weapons",), False),
    ],
)
def test_staff_see_the_cases_their_role_and_region_allow(
    world: PermitsWorld, kind: str, region: str, roles: tuple[str, ...], sees: bool
) -> None:
    details = weapon_licence() if kind == "weapons" else public_place(TODAY)
    case = world.paid_and_prepared(details, APPLICANT)
    desk = world.desk(region, *roles)

    if sees:
        assert desk.read(case.diarienummer).diarienummer == case.diarienummer
    else:
        with pytest.raises(NotFound):
            desk.read(case.diarienummer)
        with pytest.raises(NotFound):
            desk.take(case.diarienummer)

    record = world.audit.records[0]
    assert (record.action, record.allowed, record.diarienummer) == (
        "viewApplication",
        sees,
        case.diarienummer,
    )


def test_staff_with_neither_permit_role_are_refused_outright_and_audited(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(public_place(TODAY), APPLICANT)
    desk = world.desk("Stockholm")
    with pytest.raises(NotPermitted):
        desk.read(case.diarienummer)
    assert (world.audit.records[0].action, world.audit.records[0].allowed) == ("viewApplication", False)


def test_a_missing_case_is_refused_as_anothers_and_audited(world: PermitsWorld) -> None:
    with pytest.raises(NotFound):
        world.desk("Stockholm", "permits", "weapons").read("A999.999/2026")

    assert [(r.action, r.allowed) for r in world.audit.records] == [("viewApplication", False)]


def test_the_weapons_queue_is_in_the_order_paid_and_for_the_weapons_role(world: PermitsWorld) -> None:
    first = world.paid_and_prepared(weapon_licence(), APPLICANT)
    world.clock.advance(timedelta(minutes=5))
    second = world.paid_and_prepared(weapon_licence(), APPLICANT)

    page = world.desk("Bergslagen", "weapons").queue("weapons", limit=10, start=None)

    assert [a.diarienummer for a in page.applications] == [first.diarienummer, second.diarienummer]
    with pytest.raises(NotPermitted):
        world.desk("National", "permits").queue("weapons", limit=10, start=None)
    with pytest.raises(NotPermitted):
        world.desk("Syd", "permits").queue("Stockholm", limit=10, start=None)
    assert [(r.action, r.allowed) for r in world.audit.records] == [
        ("viewQueue", True),
        ("viewQueue", False),
        ("viewQueue", False),
    ]


# --- completion requests ----------------------------------------------------------------------------------


def asked_for_more(world: PermitsWorld, due_in_days: int = 14) -> Application:
    case = world.paid_and_prepared(weapon_licence(), APPLICANT)
    desk = world.desk("Nord", "weapons")
    desk.take(case.diarienummer)
    return desk.request_completion(
        case.diarienummer, asked="Intyg om jägarexamen", due_on=TODAY + timedelta(days=due_in_days)
    )


def answer_completion(world: PermitsWorld, case: Application) -> Application:
    return following.answer_completion(
        case.diarienummer,
        case.completions[0].request_id,
        applicant_ref=APPLICANT.ref,
        answer="Intyget bifogat",
        repository=world.permits,
        now=world.now,
        correlation_id="c-answer",
    )


def test_the_clock_stands_still_while_the_applicant_is_asked(world: PermitsWorld) -> None:
    case = asked_for_more(world)
    assert case.status is ApplicationStatus.AWAITING_COMPLETION
    assert world.permits.event_types()[-1] == "PermitCompletionRequested"
    world.clock.advance(timedelta(days=5))

    answered = answer_completion(world, case)

    assert answered.status is ApplicationStatus.IN_PROGRESS
    assert answered.paused_days == 5
    assert answered.completions[0].answer == "Intyget bifogat"
    assert world.permits.event_types()[-1] == "PermitCompletionAnswered"
    with pytest.raises(Conflict):
        answer_completion(world, answered)


def test_an_answer_after_the_deadline_is_refused(world: PermitsWorld) -> None:
    case = asked_for_more(world, due_in_days=14)
    world.clock.advance(timedelta(days=15))

    with pytest.raises(Conflict):
        answer_completion(world, case)
    assert world.case(case.diarienummer).status is ApplicationStatus.AWAITING_COMPLETION


def test_another_applicant_cannot_answer(world: PermitsWorld) -> None:
    case = asked_for_more(world)

    with pytest.raises(NotFound):
        following.answer_completion(
            case.diarienummer,
            case.completions[0].request_id,
            applicant_ref="sub-someone-else",
            answer="Här",
            repository=world.permits,
            now=world.now,
            correlation_id="c-answer",
        )


@pytest.mark.parametrize("due_in_days", [0, 61])
def test_a_completion_is_due_within_sixty_days(world: PermitsWorld, due_in_days: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        asked_for_more(world, due_in_days=due_in_days)

    assert list(refused.value.reasons) == ["dueOn"]
