"""What falls due (the scheduled job), the expected decision date from the queue, and letters written once."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest

from services.permits.domain import following, letters, notifications, referrals
from services.permits.domain.applying import Applicant
from services.permits.domain.deadlines import Deadlines, Handled
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Licence,
    LicenceKind,
    LicenceStatus,
    MunicipalityVerdict,
    NewWeapon,
    Weapon,
    WeaponPurpose,
    WeaponType,
)
from shared.events.contracts.permits import LicenceExpiring, PermitApplicationDismissed
from shared.identity import generate_personnummer
from tests.support.permits_fakes import PermitsWorld, public_place, rifle, weapon_licence

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)
APPLICANT = Applicant(
    ref="sub-applicant",
    personnummer=str(generate_personnummer(random.Random(31), birth_date=date(1975, 6, 7))),
)


@pytest.fixture
def world() -> PermitsWorld:
    return PermitsWorld(NOW)


def run(world: PermitsWorld, at: datetime) -> Handled:
    """The job's run, then what the letters consumer does with the events it stored."""
    world.clock = type(world.clock)(at)
    before = len(world.permits.events)
    handled = Deadlines(
        applications=world.permits,
        licences=world.permits,
        mailbox=world.mailbox,
        rules=world.rules,
        now=at,
        correlation_id="c-job",
    ).run(at)
    for event in world.permits.events[before:]:
        data = event.data
        if isinstance(data, PermitApplicationDismissed):
            notifications.send_dismissal(
                data.diarienummer, repository=world.permits, mailbox=world.mailbox, now=at
            )
        elif isinstance(data, LicenceExpiring):
            notifications.send_expiry_reminder(
                data.licence_number, licences=world.permits, mailbox=world.mailbox, now=at
            )
    return handled


def licence(number: str, kind: LicenceKind, valid_until: date) -> Licence:
    weapon: Weapon | NewWeapon = (
        Weapon.model_validate(rifle("GLK-1", type="pistol"))
        if kind is LicenceKind.LICENCE
        else NewWeapon(type=WeaponType.RIFLE, make="Tikka", model="T3x", calibre=".308 Win")
    )
    return Licence(
        licence_number=number,
        kind=kind,
        holder_personnummer=APPLICANT.personnummer,
        holder_ref=APPLICANT.ref,
        weapon=weapon,
        purpose=WeaponPurpose.TARGET_SHOOTING,
        issued_on=TODAY - timedelta(days=150),
        valid_until=valid_until,
    )


# --- unpaid -----------------------------------------------------------------------------------------------


def test_an_unpaid_application_is_dismissed_after_thirty_days_with_a_letter(world: PermitsWorld) -> None:
    application = world.submit(weapon_licence(), APPLICANT)

    assert run(world, NOW + timedelta(days=29)).dismissed == 0
    handled = run(world, NOW + timedelta(days=30))

    assert handled.dismissed == 1
    dismissed = world.case(application.diarienummer)
    assert dismissed.status is ApplicationStatus.DISMISSED
    assert [letter.case_number for letter in world.mailbox.letters] == [application.diarienummer]
    assert world.mailbox.letters[0].recipient_personnummer == APPLICANT.personnummer
    assert dismissed.letters_sent == (world.mailbox.letters[0].message_id,)
    assert world.permits.event_types()[-1] == "PermitApplicationDismissed"

    assert run(world, NOW + timedelta(days=31)).dismissed == 0
    assert len(world.mailbox.letters) == 1


def test_a_paid_application_is_not_dismissed(world: PermitsWorld) -> None:
    application = world.pay(world.submit(weapon_licence(), APPLICANT))

    assert run(world, NOW + timedelta(days=31)).dismissed == 0
    assert world.case(application.diarienummer).status is ApplicationStatus.PAID


# --- referrals --------------------------------------------------------------------------------------------


def test_an_unanswered_referral_is_reminded_then_escalated(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(public_place(TODAY), APPLICANT)

    assert run(world, NOW + timedelta(days=15)).reminded == 0
    assert run(world, NOW + timedelta(days=16)).reminded == 1
    reminded = world.case(case.diarienummer)
    assert reminded.referral is not None
    assert reminded.referral.reminded_at is not None
    assert run(world, NOW + timedelta(days=17)).reminded == 0

    handled = run(world, NOW + timedelta(days=21))

    assert handled.escalated == 1
    escalated = world.case(case.diarienummer)
    assert escalated.status is ApplicationStatus.QUEUED
    assert escalated.referral is not None
    assert escalated.referral.escalated_at is not None
    assert [a.diarienummer for a in world.permits.queue("Stockholm", limit=10, start=None).applications] == [
        case.diarienummer
    ]
    assert run(world, NOW + timedelta(days=22)).escalated == 0


def test_an_answered_referral_is_neither_reminded_nor_escalated(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(public_place(TODAY), APPLICANT)
    referrals.answer_referral(
        case.diarienummer,
        municipality_code="0180",
        client_id="agency",
        verdict=MunicipalityVerdict.SUPPORTS,
        conditions=None,
        reason=None,
        repository=world.permits,
        now=NOW + timedelta(days=1),
        correlation_id="c-agency",
    )

    handled = run(world, NOW + timedelta(days=22))

    assert (handled.reminded, handled.escalated) == (0, 0)


# --- completion requests ----------------------------------------------------------------------------------


def test_an_unanswered_completion_request_lapses_back_to_the_case_handler(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(weapon_licence(), APPLICANT)
    desk = world.desk("Nord", "weapons")
    desk.take(case.diarienummer)
    desk.request_completion(case.diarienummer, asked="Intyg", due_on=TODAY + timedelta(days=14))

    # The applicant has the whole last day, in Stockholm time.
    assert run(world, datetime(2026, 12, 7, 22, 59, tzinfo=UTC)).lapsed == 0
    assert run(world, datetime(2026, 12, 7, 23, 0, tzinfo=UTC)).lapsed == 1

    lapsed = world.case(case.diarienummer)
    assert lapsed.status is ApplicationStatus.IN_PROGRESS
    assert lapsed.completions[0].lapsed_at is not None
    assert lapsed.open_completion is None


# --- licences ---------------------------------------------------------------------------------------------


def test_a_licence_near_its_end_is_reminded_once(world: PermitsWorld) -> None:
    pistol = licence("VL-2021-000001", LicenceKind.LICENCE, TODAY + timedelta(weeks=8))
    later = licence("VL-2021-000002", LicenceKind.LICENCE, TODAY + timedelta(weeks=8, days=1))
    world.permits.licences.update({pistol.licence_number: pistol, later.licence_number: later})

    assert run(world, NOW).licences_reminded == 1
    assert run(world, NOW + timedelta(hours=1)).licences_reminded == 0

    assert [letter.case_number for letter in world.mailbox.letters] == [pistol.licence_number]
    reminded = world.permits.licence(pistol.licence_number)
    assert reminded is not None
    assert reminded.reminded_at is not None
    assert world.permits.event_types() == ["LicenceExpiring"]


def test_a_purchase_permit_past_its_end_expires(world: PermitsWorld) -> None:
    permit = licence("VL-2021-000003", LicenceKind.PURCHASE_PERMIT, TODAY - timedelta(days=1))
    world.permits.licences[permit.licence_number] = permit

    handled = run(world, NOW)

    assert handled.purchase_permits_expired == 1
    expired = world.permits.licence(permit.licence_number)
    assert expired is not None
    assert expired.status is LicenceStatus.EXPIRED
    assert run(world, NOW + timedelta(hours=1)).purchase_permits_expired == 0


def test_a_purchase_permit_is_reminded_then_expires(world: PermitsWorld) -> None:
    permit = licence("VL-2021-000004", LicenceKind.PURCHASE_PERMIT, TODAY + timedelta(days=30))
    world.permits.licences[permit.licence_number] = permit

    assert run(world, NOW).licences_reminded == 1
    assert run(world, NOW + timedelta(days=31)).purchase_permits_expired == 1
    assert len(world.mailbox.letters) == 1


# --- the expected decision date ---------------------------------------------------------------------------


def queued(world: PermitsWorld, count: int) -> list[Application]:
    cases = []
    for _ in range(count):
        cases.append(world.paid_and_prepared(weapon_licence(), APPLICANT))
        world.clock.advance(timedelta(minutes=1))
    return cases


def test_the_expected_decision_date_comes_from_the_queue(world: PermitsWorld) -> None:
    cases = queued(world, 3)

    outlooks = [
        following.forecast(c, repository=world.permits, rules=world.rules, now=world.now) for c in cases
    ]

    assert [o.position if o else None for o in outlooks] == [0, 1, 2]
    assert [o.expected_on if o else None for o in outlooks] == [TODAY + timedelta(days=n) for n in (1, 2, 3)]
    assert not any(o.delayed for o in outlooks if o)


def test_more_decisions_a_day_bring_the_date_nearer(world: PermitsWorld) -> None:
    cases = queued(world, 3)
    world.permits.decided_weapons.extend([TODAY - timedelta(days=1)] * 56)  # two a day over four weeks

    outlook = following.forecast(cases[2], repository=world.permits, rules=world.rules, now=world.now)

    assert outlook is not None
    assert (outlook.cases_per_day, outlook.expected_on) == (2.0, TODAY + timedelta(days=2))


def test_a_public_place_case_has_no_forecast(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(public_place(TODAY), APPLICANT)

    assert following.forecast(case, repository=world.permits, rules=world.rules, now=world.now) is None


def test_a_substantially_delayed_case_is_told_once(world: PermitsWorld) -> None:
    # At one case a day, the 31st in the queue is expected a day after the 30 days' target.
    cases = queued(world, 31)

    first = run(world, world.now)
    second = run(world, world.now + timedelta(minutes=5))

    assert first.delay_notices == 1
    assert second.delay_notices == 0
    assert [letter.case_number for letter in world.mailbox.letters] == [cases[30].diarienummer]
    assert world.case(cases[30].diarienummer).delay_notified_at is not None


def test_every_delayed_case_is_told_however_long_the_queue(world: PermitsWorld) -> None:
    # At one case a day, all from the 31st on are expected after the 30 days' target: the queue's last are the
    # most delayed of all.
    cases = queued(world, 130)

    handled = run(world, world.now)

    assert handled.delay_notices == 100
    assert {letter.case_number for letter in world.mailbox.letters} == {c.diarienummer for c in cases[30:]}


# --- letters ----------------------------------------------------------------------------------------------


def test_a_letters_id_is_the_same_however_often_it_is_written(world: PermitsWorld) -> None:
    application = world.submit(weapon_licence(), APPLICANT)
    due = application.payment_due_at

    first = letters.dismissal_letter(application, dismissed_at=due, now=NOW)
    again = letters.dismissal_letter(application, dismissed_at=due, now=NOW + timedelta(hours=3))

    assert first.message_id == again.message_id
    pistol = licence("VL-2021-000001", LicenceKind.LICENCE, TODAY + timedelta(weeks=4))
    assert (
        letters.expiry_letter(pistol, now=NOW).message_id
        == letters.expiry_letter(pistol, now=NOW + timedelta(days=1)).message_id
    )


def test_a_decision_letter_is_sent_once(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(weapon_licence(), APPLICANT)
    desk = world.desk("Nord", "weapons")
    desk.take(case.diarienummer)
    desk.decide(case.diarienummer, grant=True, reasons="Beviljas", conditions=None, valid_until=None)

    sent = [
        notifications.send_decision(
            case.diarienummer, repository=world.permits, mailbox=world.mailbox, now=NOW + timedelta(minutes=n)
        )
        for n in range(2)
    ]

    assert sent == [True, False]
    assert len(world.mailbox.letters) == 1
    assert world.case(case.diarienummer).letters_sent == (world.mailbox.letters[0].message_id,)
    assert letters.decision_pdf(world.case(case.diarienummer)).startswith(b"%PDF")


def test_no_decision_no_letter(world: PermitsWorld) -> None:
    case = world.paid_and_prepared(weapon_licence(), APPLICANT)

    assert not notifications.send_decision(
        case.diarienummer, repository=world.permits, mailbox=world.mailbox, now=NOW
    )
    assert world.mailbox.letters == []


@pytest.mark.parametrize(
    ("language", "subject"),
    [("sv", "Ansökan {} är avskriven"), ("en", "Application {} is dismissed")],
)
def test_a_letter_is_written_in_the_language_applied_in(
    world: PermitsWorld, language: str, subject: str
) -> None:
    applicant = Applicant(ref=APPLICANT.ref, personnummer=APPLICANT.personnummer, language=language)  # type: ignore[arg-type]
    application = world.submit(weapon_licence(), applicant)

    run(world, NOW + timedelta(days=30))

    (letter,) = world.mailbox.letters
    assert letter.subject == subject.format(application.diarienummer)
