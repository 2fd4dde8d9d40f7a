"""Submitting an application and paying its fee, with in-memory ports and a fixed clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from services.permits.domain import applying, paying
from services.permits.domain.applying import Applicant
from services.permits.domain.fees import fee_for
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Details,
    Licence,
    LicenceKind,
    LicenceStatus,
    Organisation,
    Weapon,
    WeaponPurpose,
)
from services.permits.domain.rules import permit_rules
from shared.clock import stockholm_time
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.identity import generate_organisationsnummer, generate_personnummer
from shared.payments import PaymentConfirmation
from tests.support.fakes import InMemoryCompanyRegister
from tests.support.permits_fakes import (
    InMemoryPermits,
    duplicate,
    public_place,
    purchase_permit,
    renewal,
    rifle,
    weapon_licence,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TODAY = stockholm_time(NOW).date()
RULES = permit_rules()
HOLDER, OTHER, REPRESENTATIVE = (str(generate_personnummer(random.Random(seed))) for seed in (11, 12, 13))
COMPANY = str(generate_organisationsnummer(random.Random(14)))


def person(personnummer: str) -> Applicant:
    return Applicant(ref=f"sub-{personnummer[-4:]}", personnummer=personnummer)


def pistol_licence(number: str, holder: str = HOLDER, **changes: object) -> Licence:
    fields: dict[str, object] = {
        "licence_number": number,
        "kind": LicenceKind.LICENCE,
        "holder_personnummer": holder,
        "weapon": Weapon.model_validate(rifle("GLK-1", type="pistol")),
        "purpose": WeaponPurpose.TARGET_SHOOTING,
        "issued_on": TODAY - timedelta(days=5 * 365 - 40),
        "valid_until": TODAY + timedelta(days=40),
        **changes,
    }
    return Licence.model_validate(fields)


class World:
    def __init__(self) -> None:
        self.permits = InMemoryPermits()
        self.companies = InMemoryCompanyRegister({COMPANY: {REPRESENTATIVE}})
        self.permits.licences["VL-2021-000001"] = pistol_licence("VL-2021-000001")
        self.permits.licences["VL-2021-000002"] = pistol_licence("VL-2021-000002", holder=OTHER)

    def submit(
        self, details: Details, applicant: Applicant | None = None, organisation: Organisation | None = None
    ) -> Application:
        return applying.submit(
            details,
            organisation=organisation,
            applicant=applicant or person(HOLDER),
            repository=self.permits,
            licences=self.permits,
            companies=self.companies,
            rules=RULES,
            now=NOW,
            correlation_id="c-1",
        )

    def pay(self, application: Application, **changes: object) -> paying.PaymentOutcome:
        body: dict[str, object] = {
            "reference": application.payment.reference,
            "amountSek": application.fee.amount_sek,
            "currency": "SEK",
            "transactionId": "tx-1",
            "paidAt": (NOW + timedelta(hours=1)).isoformat(),
            **changes,
        }
        _, outcome = paying.record_payment(
            PaymentConfirmation.model_validate(body), repository=self.permits, now=NOW, correlation_id="c-2"
        )
        return outcome


@pytest.fixture
def world() -> World:
    return World()


# --- fees -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("details", "fee"),
    [
        (public_place(TODAY), 870),
        (public_place(TODAY, purpose="moneyCollection"), 320),
        (weapon_licence(), 700),
        (weapon_licence(weapons=3), 700 + 2 * 250),
        (renewal("VL-2021-000001"), 250),
        (duplicate("VL-2021-000001", TODAY), 180),
        (purchase_permit(), 700),
    ],
    ids=[
        "public-place",
        "money-collection",
        "one-weapon",
        "three-weapons",
        "renewal",
        "duplicate",
        "purchase",
    ],
)
def test_each_kind_has_its_fee(details: Details, fee: int) -> None:
    quoted = fee_for(details, RULES)

    assert quoted.amount_sek == fee
    assert sum(line.amount_sek for line in quoted.lines) == fee
    assert quoted.kept_on_refusal


def test_further_weapons_are_a_line_of_their_own() -> None:
    lines = fee_for(weapon_licence(weapons=3), RULES).lines

    assert [line.amount_sek for line in lines] == [700, 500]


# --- submitting -------------------------------------------------------------------------------------------


def test_a_submitted_application_awaits_its_fee_with_a_payment_reference(world: World) -> None:
    application = world.submit(public_place(TODAY))

    assert application.status is ApplicationStatus.AWAITING_PAYMENT
    assert application.fee.amount_sek == 870
    assert application.payment.reference.isdigit()
    assert application.payment_due_at == NOW + timedelta(days=30)
    assert application.region == "Stockholm"
    assert world.permits.by_payment_reference(application.payment.reference) == application
    assert world.permits.event_types() == ["PermitApplicationSubmitted"]


def test_the_first_application_of_the_year_in_stockholm_is_its_first_number(world: World) -> None:
    world.permits.allocate_number(2026)
    # 00:30 on New Year's Day in Stockholm, still the old year in UTC.
    new_year = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)

    first = applying.submit(
        weapon_licence(),
        organisation=None,
        applicant=person(HOLDER),
        repository=world.permits,
        licences=world.permits,
        companies=world.companies,
        rules=RULES,
        now=new_year,
        correlation_id="c-1",
    )

    assert first.diarienummer == "A000.001/2027"


def test_weapons_cases_go_to_the_national_queue(world: World) -> None:
    application = world.submit(weapon_licence())

    assert application.region == "National"
    assert applying.queue_of(application) == applying.WEAPONS_QUEUE


def test_a_period_in_the_past_is_refused_naming_its_start(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.submit(public_place(TODAY, starts_in_days=-1))

    assert list(refused.value.reasons) == ["details.period.startsOn"]
    assert world.permits.applications == {}


@pytest.mark.parametrize("number", ["VL-2021-000002", "VL-2021-009999"], ids=["another's", "none"])
@pytest.mark.parametrize("kind", ["renewal", "duplicate"])
def test_a_licence_the_applicant_does_not_hold_is_refused_alike(world: World, number: str, kind: str) -> None:
    details = renewal(number) if kind == "renewal" else duplicate(number, TODAY)

    with pytest.raises(InvalidInput) as refused:
        world.submit(details)

    assert list(refused.value.reasons) == ["details.licenceNumber"]
    # Another's licence is refused in the very words of one that does not exist.
    other = "VL-2021-009999" if number == "VL-2021-000002" else "VL-2021-000002"
    with pytest.raises(InvalidInput) as refused_other:
        world.submit(renewal(other) if kind == "renewal" else duplicate(other, TODAY))
    assert str(refused.value).replace(number, "#") == str(refused_other.value).replace(other, "#")


def test_an_expired_licence_is_not_renewed(world: World) -> None:
    world.permits.licences["VL-2021-000003"] = pistol_licence("VL-2021-000003", status=LicenceStatus.EXPIRED)

    with pytest.raises(InvalidInput) as refused:
        world.submit(renewal("VL-2021-000003"))

    assert list(refused.value.reasons) == ["details.licenceNumber"]


def test_a_company_is_applied_for_only_by_its_representative(world: World) -> None:
    company = Organisation(organisationsnummer=COMPANY)

    with pytest.raises(Forbidden):
        world.submit(public_place(TODAY), applicant=person(OTHER), organisation=company)
    application = world.submit(public_place(TODAY), applicant=person(REPRESENTATIVE), organisation=company)

    assert application.organisation == company


def test_a_company_applies_only_for_a_public_place(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.submit(
            weapon_licence(),
            applicant=person(REPRESENTATIVE),
            organisation=Organisation(organisationsnummer=COMPANY),
        )

    assert list(refused.value.reasons) == ["organisation"]


def test_another_applicants_case_is_not_found(world: World) -> None:
    application = world.submit(weapon_licence())

    with pytest.raises(NotFound):
        applying.owned_application(
            application.diarienummer, applicant_ref="sub-else", repository=world.permits
        )
    assert (
        applying.owned_application(
            application.diarienummer, applicant_ref=person(HOLDER).ref, repository=world.permits
        )
        == application
    )


# --- paying -----------------------------------------------------------------------------------------------


def test_the_fee_paid_starts_the_handling(world: World) -> None:
    application = world.submit(weapon_licence())

    assert world.pay(application) is paying.PaymentOutcome.RECORDED

    paid = world.permits.get(application.diarienummer)
    assert paid is not None
    assert paid.status is ApplicationStatus.PAID
    assert paid.payment.transaction_id == "tx-1"
    assert world.permits.event_types() == ["PermitApplicationSubmitted", "PermitFeePaid"]


def test_an_amount_other_than_the_fee_is_refused_naming_it(world: World) -> None:
    application = world.submit(weapon_licence())

    with pytest.raises(InvalidInput) as refused:
        world.pay(application, amountSek=699)

    assert list(refused.value.reasons) == ["amountSek"]
    stored = world.permits.get(application.diarienummer)
    assert stored is not None
    assert stored.status is ApplicationStatus.AWAITING_PAYMENT
    # The money was paid: it is kept for staff to refund or match, not lost with the refusal.
    assert list(world.permits.held_for_review.values()) == [(application.diarienummer, "amount")]


def test_the_same_confirmation_twice_is_recorded_once(world: World) -> None:
    application = world.submit(weapon_licence())
    world.pay(application)
    after_first = world.permits.get(application.diarienummer)

    assert world.pay(application) is paying.PaymentOutcome.ALREADY_RECORDED

    assert world.permits.get(application.diarienummer) == after_first
    assert world.permits.event_types().count("PermitFeePaid") == 1


def test_a_second_different_payment_is_a_conflict(world: World) -> None:
    application = world.submit(weapon_licence())
    world.pay(application)

    with pytest.raises(Conflict):
        world.pay(application, transactionId="tx-2")
    assert world.permits.event_types().count("PermitFeePaid") == 1


def test_an_unknown_reference_is_not_found(world: World) -> None:
    application = world.submit(weapon_licence())
    other = applying.reference_for("A999.999/2026")
    assert other != application.payment.reference

    with pytest.raises(NotFound):
        world.pay(application, reference=other)


def test_a_payment_for_a_dismissed_application_is_a_conflict(world: World) -> None:
    application = world.submit(weapon_licence())
    world.permits.applications[application.diarienummer] = application.changed(
        status=ApplicationStatus.DISMISSED
    )

    with pytest.raises(Conflict):
        world.pay(application)
