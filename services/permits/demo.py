"""Demo applications: a realistic mix of the five kinds, the same every time, for the local cloud and the bench.

Generated from a fixed seed. The applicants are synthetic: personnummer with valid check digits drawn at
random, never a real person's on purpose, and e-ID subjects of their own (no dev token logs in as them). The
seeded people of ``shared.synthetic_people`` take part where they make a case realistic: the hunter with a
normal set asks for a fifth weapon and a duplicate of a rifle licence, the target shooter renews a pistol
licence with changed circumstances, the person the police registers flag applies, and the young adult asks for
a fully automatic weapon. Demo holders get licences of their own (:attr:`Demo.licences`) for their renewals
and duplicates.

:func:`prepared_demo` runs the demo through the shipped use cases in memory (submitted, paid, prepared, some
referrals answered), so the local cloud's seed stores the outcome and the bench counts it, without events.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.permits.domain import applying, paying, preparing, referrals
from services.permits.domain.applying import Applicant
from services.permits.domain.deciding import add_years, licence_number_of
from services.permits.domain.errors import ChangedMeanwhile
from services.permits.domain.model import (
    Application,
    ClubCertificate,
    Details,
    DuplicateDetails,
    Evidence,
    Licence,
    LicenceKind,
    MunicipalityVerdict,
    NewWeapon,
    Organisation,
    Period,
    Place,
    PublicPlaceDetails,
    PublicPlacePurpose,
    PurchasePermitDetails,
    RenewalDetails,
    ResponsiblePerson,
    Storage,
    Weapon,
    WeaponLicenceDetails,
    WeaponPurpose,
    WeaponType,
)
from services.permits.domain.ports import Page, Suitability
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared import synthetic_people
from shared.audit import AuditRecord
from shared.events.envelope import Envelope, EventData
from shared.identity import generate_personnummer
from shared.payments import PaymentConfirmation

DEMO_SEED = 20261202
_DEMO_SUBJECTS = uuid.UUID("5d0c8e7a-3b41-4f2e-9a66-7c1d2e8b4f90")
# The demo holders' licences are of a year no running number of the service reaches (nor the seed's 2019).
DEMO_LICENCE_YEAR = 2018
# Applications were submitted over the last two weeks, each paid within two days.
SUBMITTED_WITHIN_DAYS = 14

_PLACES = (
    ("0180", "Götgatan 14, Stockholm"),
    ("0180", "Drottninggatan 53, Stockholm"),
    ("0114", "Centralvägen 3, Upplands Väsby"),
    ("0980", "Adelsgatan 7, Visby"),
    ("1480", "Linnégatan 22, Göteborg"),
    ("1380", "Storgatan 40, Halmstad"),
    ("1280", "Södra Förstadsgatan 5, Malmö"),
    ("1281", "Klostergatan 9, Lund"),
    ("0880", "Larmgatan 2, Kalmar"),
    ("0380", "Svartbäcksgatan 30, Uppsala"),
    ("2180", "Nygatan 11, Gävle"),
    ("0580", "Ågatan 18, Linköping"),
    ("1880", "Drottninggatan 25, Örebro"),
    ("2480", "Kungsgatan 50, Umeå"),
)
_PURPOSES = {
    PublicPlacePurpose.OUTDOOR_SEATING: ("Uteservering med {n} bord framför caféet", (12, 60)),
    PublicPlacePurpose.BUILDING_SITE: ("Container och byggställning vid fasadrenovering", (15, 80)),
    PublicPlacePurpose.SIGN: ("Trottoarpratare vid butikens entré", (1, 2)),
    PublicPlacePurpose.STAGE_OR_EVENT: ("Scen och högtalare för en gatufest på lördagen", (50, 400)),
    PublicPlacePurpose.SALES_STAND: ("Försäljningsstånd med julgranar", (6, 20)),
    PublicPlacePurpose.MONEY_COLLECTION: ("Insamling med bössa till en hjälporganisation", (1, 4)),
}
_RIFLES = (("Sauer", "S404", "6.5x55"), ("Tikka", "T3x", ".308 Win"), ("Blaser", "R8", "9.3x62"))
_SHOTGUNS = (("Beretta", "A400", "12/76"), ("Browning", "B525", "12/70"))
_PISTOLS = (("Glock", "17", "9x19"), ("CZ", "Shadow 2", "9x19"), ("Walther", "GSP", ".22 LR"))
_CLUBS = ("Umeå Pistolklubb", "Göteborgs Skytteförening", "Malmö Sportskytteklubb", "Uppsala Skyttegille")
_LOSSES = (
    "Licensen försvann vid en flytt",
    "Plånboken med licensen stals på tåget",
    "Licensen blev kvar i en hyrbil",
    "Licensen förstördes i en vattenskada",
)


def _subject(personnummer: str) -> str:
    return str(uuid.uuid5(_DEMO_SUBJECTS, personnummer))


def _applicant(personnummer: str, rng: random.Random) -> Applicant:
    return Applicant(
        ref=_subject(personnummer), personnummer=personnummer, language="en" if rng.random() < 0.1 else "sv"
    )


@dataclass(frozen=True)
class DemoApplication:
    applicant: Applicant
    details: Details
    submitted_at: datetime
    paid_at: datetime
    organisation: Organisation | None = None
    # The municipality's answer to a public-place referral, when it has given one.
    answer: MunicipalityVerdict | None = None


@dataclass(frozen=True)
class Demo:
    applications: list[DemoApplication]
    # The demo holders' own licences, in the register before they apply.
    licences: list[Licence]


@dataclass
class _Draw:
    rng: random.Random
    now: datetime
    licences: list[Licence] = field(default_factory=list)
    applications: list[DemoApplication] = field(default_factory=list)
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def person(self, *, born: int | None = None) -> str:
        birth_date = date(born, self.rng.randint(1, 12), self.rng.randint(1, 28)) if born else None
        return str(generate_personnummer(self.rng, birth_date=birth_date))

    def submitted(self) -> tuple[datetime, datetime]:
        submitted = self.now - timedelta(
            days=self.rng.randint(0, SUBMITTED_WITHIN_DAYS - 1), hours=self.rng.randint(1, 12)
        )
        paid = submitted + timedelta(minutes=self.rng.randint(1, 60 * 48))
        return submitted, min(paid, self.now - timedelta(minutes=5))

    def add(
        self,
        personnummer: str,
        details: Details,
        *,
        at: tuple[datetime, datetime] | None = None,
        organisation: Organisation | None = None,
        answer: MunicipalityVerdict | None = None,
    ) -> None:
        submitted, paid = at or self.submitted()
        applicant = _applicant(personnummer, self.rng)
        self.applications.append(DemoApplication(applicant, details, submitted, paid, organisation, answer))

    def licence(
        self, holder: str, weapon: Weapon, purpose: WeaponPurpose, *, valid_until: date | None = None
    ) -> Licence:
        licence = Licence(
            licence_number=licence_number_of(next(self._numbers), DEMO_LICENCE_YEAR),
            kind=LicenceKind.LICENCE,
            holder_personnummer=holder,
            weapon=weapon,
            purpose=purpose,
            issued_on=add_years(valid_until, -5) if valid_until else date(DEMO_LICENCE_YEAR, 10, 1),
            valid_until=valid_until,
        )
        self.licences.append(licence)
        return licence

    def weapon(self, kind: WeaponType) -> Weapon:
        make, model, calibre = self.rng.choice(
            _PISTOLS if kind is WeaponType.PISTOL else _SHOTGUNS if kind is WeaponType.SHOTGUN else _RIFLES
        )
        serial = f"{make[:3].upper()}-{self.rng.randint(10000, 99999)}"
        return Weapon(type=kind, make=make, model=model, calibre=calibre, serial_number=serial)

    def storage(self) -> Storage:
        _, address = self.rng.choice(_PLACES)
        return Storage(address=address, description="Certifierat vapenskåp SS 3492")


def demo_applications(now: datetime, seeded: Sequence[Licence], seed: int = DEMO_SEED) -> Demo:
    """About two hundred applications of the five kinds, submitted within the two weeks before ``now``.
    ``seeded`` are the seeded people's licences (``services.permits.seed.seeded_licences``)."""
    draw = _Draw(random.Random(seed), now)  # noqa: S311 - demo data, not security
    _public_places(draw)
    _weapon_licences(draw)
    _purchase_permits(draw)
    _renewals(draw, seeded)
    _duplicates(draw, seeded)
    return Demo(draw.applications, draw.licences)


def _public_place(
    draw: _Draw, purpose: PublicPlacePurpose, *, starts_in: tuple[int, int], at: tuple[datetime, datetime]
) -> PublicPlaceDetails:
    rng = draw.rng
    code, address = rng.choice(_PLACES)
    text, (smallest, largest) = _PURPOSES[purpose]
    starts = at[0].date() + timedelta(days=rng.randint(*starts_in))
    length = 1 if purpose is PublicPlacePurpose.STAGE_OR_EVENT else rng.choice((7, 30, 90, 150))
    return PublicPlaceDetails(
        purpose=purpose,
        description=text.format(n=rng.randint(4, 12)),
        place=Place(municipality_code=code, address=address),
        period=Period(starts_on=starts, ends_on=starts + timedelta(days=length - 1)),
        area_square_metres=float(rng.randint(smallest, largest)),
        responsible_person=ResponsiblePerson(
            name=rng.choice(("Kim Andersson", "Alex Berg", "Sam Lind")), phone="070-123 45 67"
        ),
    )


def _public_places(draw: _Draw) -> None:
    """Sixty: in time and late, a few for a company by its representative, the older half answered."""
    rng = draw.rng
    mix = (
        (18, PublicPlacePurpose.OUTDOOR_SEATING),
        (9, PublicPlacePurpose.BUILDING_SITE),
        (5, PublicPlacePurpose.SIGN),
        (7, PublicPlacePurpose.STAGE_OR_EVENT),
        (5, PublicPlacePurpose.SALES_STAND),
        (10, PublicPlacePurpose.MONEY_COLLECTION),
    )
    verdicts = (
        MunicipalityVerdict.SUPPORTS,
        MunicipalityVerdict.SUPPORTS,
        MunicipalityVerdict.SUPPORTS_WITH_CONDITIONS,
        MunicipalityVerdict.ADVISES_AGAINST,
    )
    for count, purpose in mix:
        for index in range(count):
            at = draw.submitted()
            # One in four is made too late to be referred in time (less than three weeks before it starts);
            # of money collections, every other one.
            collection = purpose is PublicPlacePurpose.MONEY_COLLECTION
            late = index % 4 == 3 or (collection and index % 2 == 1)
            details = _public_place(draw, purpose, starts_in=(2, 18) if late else (25, 90), at=at)
            organisation = None
            applicant = draw.person()
            if purpose in (PublicPlacePurpose.OUTDOOR_SEATING, PublicPlacePurpose.SIGN) and index < 2:
                company = synthetic_people.COMPANIES[index % len(synthetic_people.COMPANIES)]
                organisation = Organisation(organisationsnummer=company.organisationsnummer)
                applicant = company.representatives[0]
            answered = (draw.now - at[1]) > timedelta(days=7) and rng.random() < 0.6
            draw.add(
                applicant,
                details,
                at=at,
                organisation=organisation,
                answer=rng.choice(verdicts) if answered else None,
            )


def _hunting_licence(draw: _Draw, weapons: int, *, exam: bool) -> WeaponLicenceDetails:
    passed = draw.now.date() - timedelta(days=draw.rng.randint(200, 6000))
    return WeaponLicenceDetails(
        weapons=[
            draw.weapon(draw.rng.choice((WeaponType.RIFLE, WeaponType.SHOTGUN))) for _ in range(weapons)
        ],
        purpose=WeaponPurpose.HUNTING,
        evidence=Evidence(hunting_exam_passed_on=passed if exam else None),
        storage=draw.storage(),
    )


def _club(draw: _Draw, *, months: int, active: bool = True) -> Evidence:
    since = draw.now.date() - timedelta(days=30 * months)
    return Evidence(
        club_certificate=ClubCertificate(club=draw.rng.choice(_CLUBS), member_since=since, active=active)
    )


def _weapon_licences(draw: _Draw) -> None:
    """Fifty: hunters with and without the exam, hunters beyond the normal set, target shooters with and
    without a long enough active membership, a collector, and the seeded flagged person and young adult."""
    rng = draw.rng
    for index in range(16):
        draw.add(draw.person(), _hunting_licence(draw, rng.choice((1, 1, 2)), exam=index % 5 != 4))
    # Demo hunters who hold a normal set of four already, and the seeded hunter, ask for one more.
    hunter = synthetic_people.WEAPON_HOLDERS[0]
    for holder in (*(draw.person() for _ in range(3)), hunter):
        if holder != hunter:
            for kind in (WeaponType.RIFLE, WeaponType.RIFLE, WeaponType.RIFLE, WeaponType.SHOTGUN):
                draw.licence(holder, draw.weapon(kind), WeaponPurpose.HUNTING)
        details = _hunting_licence(draw, 1, exam=True).model_copy(
            update={"reasons": "Ett kulvapen i grövre kaliber för jakt på vildsvin och björn."}
        )
        draw.add(holder, details)
    for index in range(20):
        months = rng.choice((2, 4)) if index % 4 == 3 else rng.randint(8, 120)
        draw.add(
            draw.person(),
            WeaponLicenceDetails(
                weapons=[draw.weapon(WeaponType.PISTOL)],
                purpose=WeaponPurpose.TARGET_SHOOTING,
                evidence=_club(draw, months=months, active=index % 7 != 6),
                storage=draw.storage(),
            ),
        )
    for _ in range(4):
        draw.add(
            draw.person(),
            WeaponLicenceDetails(
                weapons=[draw.weapon(WeaponType.RIFLE)],
                purpose=rng.choice((WeaponPurpose.COLLECTION, WeaponPurpose.MEMENTO)),
                storage=draw.storage(),
            ),
        )
    draw.add(synthetic_people.SUITABILITY_FLAGGED, _hunting_licence(draw, 1, exam=True))
    automatic = draw.weapon(WeaponType.RIFLE).model_copy(update={"fully_automatic": True})
    draw.add(
        synthetic_people.YOUNG_ADULT,
        WeaponLicenceDetails(
            weapons=[automatic],
            purpose=WeaponPurpose.TARGET_SHOOTING,
            evidence=_club(draw, months=14),
            storage=draw.storage(),
        ),
    )
    draw.add(synthetic_people.YOUNG_ADULT, _hunting_licence(draw, 1, exam=True))
    draw.add(
        draw.person(),
        _hunting_licence(draw, 1, exam=True).model_copy(update={"purpose": WeaponPurpose.OTHER}),
    )


def _purchase_permits(draw: _Draw) -> None:
    """Thirty: target shooters buying a new pistol and hunters a new rifle, a few without their evidence."""
    rng = draw.rng
    for index in range(30):
        shooter = index % 3 != 0
        make, model, calibre = rng.choice(_PISTOLS if shooter else _RIFLES)
        weapon = NewWeapon(
            type=WeaponType.PISTOL if shooter else WeaponType.RIFLE, make=make, model=model, calibre=calibre
        )
        evidence = (
            _club(draw, months=rng.randint(3, 90))
            if shooter
            else Evidence(hunting_exam_passed_on=None if index % 9 == 0 else date(2012, 5, 20))
        )
        draw.add(
            draw.person(),
            PurchasePermitDetails(
                weapon=weapon,
                purpose=WeaponPurpose.TARGET_SHOOTING if shooter else WeaponPurpose.HUNTING,
                evidence=evidence,
                storage=draw.storage(),
            ),
        )


def _renewals(draw: _Draw, seeded: Sequence[Licence]) -> None:
    """Thirty: demo holders renew a pistol licence that ends within months, mostly unchanged (decided by the
    rule), some with changes; the seeded shooter renews with changes, so the seeded licence stays as it is."""
    rng = draw.rng
    for index in range(29):
        holder = draw.person()
        ends = draw.now.date() + timedelta(days=rng.randint(20, 150))
        licence = draw.licence(
            holder, draw.weapon(WeaponType.PISTOL), WeaponPurpose.TARGET_SHOOTING, valid_until=ends
        )
        changed = index % 6 == 5
        draw.add(
            holder,
            RenewalDetails(
                licence_number=licence.licence_number,
                circumstances_unchanged=not changed,
                storage=draw.storage(),
                changes="Vapnet förvaras nu på en ny adress." if changed else None,
            ),
        )
    pistol = next(
        licence for licence in seeded if licence.valid_until and licence.kind is LicenceKind.LICENCE
    )
    draw.add(
        pistol.holder_personnummer,
        RenewalDetails(
            licence_number=pistol.licence_number,
            circumstances_unchanged=False,
            storage=draw.storage(),
            changes="Jag har flyttat och har ett nytt vapenskåp.",
        ),
    )


def _duplicates(draw: _Draw, seeded: Sequence[Licence]) -> None:
    """Thirty: demo holders lost a licence document (clear: decided by the rule), the flagged person lost
    one, and the seeded hunter lost a rifle's."""
    rng = draw.rng
    for _ in range(28):
        holder = draw.person()
        licence = draw.licence(
            holder, draw.weapon(rng.choice((WeaponType.RIFLE, WeaponType.SHOTGUN))), WeaponPurpose.HUNTING
        )
        draw.add(holder, _duplicate(draw, licence))
    flagged = draw.licence(
        synthetic_people.SUITABILITY_FLAGGED, draw.weapon(WeaponType.RIFLE), WeaponPurpose.HUNTING
    )
    draw.add(flagged.holder_personnummer, _duplicate(draw, flagged))
    rifle = next(
        licence
        for licence in seeded
        if licence.holder_personnummer == synthetic_people.WEAPON_HOLDERS[0]
        and licence.weapon.type == "rifle"
    )
    draw.add(rifle.holder_personnummer, _duplicate(draw, rifle))


def _duplicate(draw: _Draw, licence: Licence) -> DuplicateDetails:
    at = draw.now.date() - timedelta(days=draw.rng.randint(SUBMITTED_WITHIN_DAYS, 60))
    return DuplicateDetails(
        licence_number=licence.licence_number, how_lost=draw.rng.choice(_LOSSES), lost_on=at
    )


# --- the demo prepared in memory -------------------------------------------------------------------------


@dataclass(frozen=True)
class LicenceChange:
    """A decision that changed licences: the case as it was before, and the licences as the decision left them."""

    before: Application
    licences: tuple[Licence, ...]
    expected_versions: dict[str, int]


class StagedPermits:
    """Applications and the register of licences in memory, events left out: the use cases run on it as on
    the table, and what they leave is stored once afterwards. Numbers come from ``numbers`` (the table's
    counters in the seed), so a citizen's next application gets the next one."""

    def __init__(self, licences: Sequence[Licence], numbers: Callable[[str, int], int]) -> None:
        self.applications: dict[str, Application] = {}
        self.licences = {licence.licence_number: licence for licence in licences}
        self.changes: dict[str, LicenceChange] = {}
        self._references: dict[str, str] = {}
        self._numbers = numbers

    def allocate_number(self, year: int) -> int:
        return self._numbers("application", year)

    def allocate_licence_number(self, year: int) -> int:
        return self._numbers("licence", year)

    def add(self, application: Application, events: Sequence[Envelope[EventData]]) -> None:
        self.applications[application.diarienummer] = application
        self._references[application.payment.reference] = application.diarienummer

    def get(self, diarienummer: str) -> Application | None:
        return self.applications.get(diarienummer)

    def by_payment_reference(self, reference: str) -> Application | None:
        number = self._references.get(reference)
        return self.applications.get(number) if number else None

    def hold_for_review(self, confirmation: PaymentConfirmation, *, diarienummer: str, why: str) -> None:
        # The demo pays every fee exactly: nothing is ever held.
        raise AssertionError(f"a demo payment for {diarienummer} was refused ({why})")

    def save(
        self,
        application: Application,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
        licences: Sequence[Licence] = (),
        expected_licence_versions: dict[str, int] | None = None,
    ) -> None:
        current = self.applications[application.diarienummer]
        if current.version != expected_version:
            raise ChangedMeanwhile(TEXTS("changed"))
        if licences:
            self.changes[application.diarienummer] = LicenceChange(
                current, tuple(licences), dict(expected_licence_versions or {})
            )
            self.licences.update({licence.licence_number: licence for licence in licences})
        self.applications[application.diarienummer] = application

    def of_applicant(self, applicant_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        raise NotImplementedError

    def queue(self, queue: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        raise NotImplementedError

    def position_in_queue(self, application: Application) -> int:
        return 0

    def referrals_of(self, municipality_code: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        raise NotImplementedError

    def due(self, *, by: datetime) -> Iterator[Application]:
        return iter(())

    def decided_weapons_cases(self, since: date) -> int:
        return 0

    # --- the register of licences -----------------------------------------------------------------------

    def licence(self, licence_number: str) -> Licence | None:
        return self.licences.get(licence_number)

    def held_by(self, personnummer: str) -> list[Licence]:
        return [licence for licence in self.licences.values() if licence.holder_personnummer == personnummer]

    def expiring(self, by: date) -> Iterator[Licence]:
        return iter(())

    def save_licence(
        self, licence: Licence, *, expected_version: int | None, events: Sequence[Envelope[EventData]] = ()
    ) -> None:
        self.licences[licence.licence_number] = licence


class DemoSuitability:
    """The suitability register as the local cloud seeds it: clear, but for the person it flags."""

    def check(self, personnummer: str) -> Suitability:
        return (
            Suitability.FLAGGED if personnummer == synthetic_people.SUITABILITY_FLAGGED else Suitability.CLEAR
        )


class DemoCompanies:
    def representatives_of(self, organisationsnummer: str) -> frozenset[str]:
        return frozenset(
            person
            for company in synthetic_people.COMPANIES
            if company.organisationsnummer == organisationsnummer
            for person in company.representatives
        )


def prepared_demo(
    demo: Demo, staged: StagedPermits, rules: PermitRules, correlation_id: str
) -> list[Application]:
    """Every demo application submitted, paid and prepared through the use cases, on ``staged`` (which holds
    the register's licences, the demo's among them); referrals the municipality answered are taken into
    their case. The applications as they are left, in the order submitted."""
    registers = preparing.Registers(licences=staged, suitability=DemoSuitability())
    companies = DemoCompanies()
    numbers = []
    for demo_application in sorted(demo.applications, key=lambda a: a.submitted_at):
        application = applying.submit(
            demo_application.details,
            organisation=demo_application.organisation,
            applicant=demo_application.applicant,
            repository=staged,
            licences=staged,
            companies=companies,
            rules=rules,
            now=demo_application.submitted_at,
            correlation_id=correlation_id,
        )
        paid_at = demo_application.paid_at
        confirmation = PaymentConfirmation(
            reference=application.payment.reference,
            amount_sek=application.fee.amount_sek,
            currency="SEK",
            transaction_id=f"demo-{application.payment.reference}",
            paid_at=paid_at,
        )
        paying.record_payment(confirmation, repository=staged, now=paid_at, correlation_id=correlation_id)
        # The fee-paid event is prepared within moments of the payment.
        prepared_at = paid_at + timedelta(seconds=2)
        preparing.prepare(
            application.diarienummer,
            repository=staged,
            registers=registers,
            rules=rules,
            now=prepared_at,
            correlation_id=correlation_id,
        )
        if demo_application.answer is not None:
            _answer(staged, application, demo_application.answer, prepared_at, correlation_id)
        numbers.append(application.diarienummer)
    return [staged.applications[number] for number in numbers]


def _answer(
    staged: StagedPermits,
    application: Application,
    verdict: MunicipalityVerdict,
    referred_at: datetime,
    correlation_id: str,
) -> None:
    code = application.municipality_code or ""
    answered_at = referred_at + timedelta(days=5)
    referrals.answer_referral(
        application.diarienummer,
        municipality_code=code,
        client_id=f"municipality-{code}",
        verdict=verdict,
        conditions="Uteserveringen får inte hindra framkomligheten på gångbanan."
        if verdict is MunicipalityVerdict.SUPPORTS_WITH_CONDITIONS
        else None,
        reason="Platsen behövs för en ledningsomläggning under perioden."
        if verdict is MunicipalityVerdict.ADVISES_AGAINST
        else None,
        repository=staged,
        now=answered_at,
        correlation_id=correlation_id,
    )
    referrals.take_answer_into_case(
        application.diarienummer, repository=staged, now=answered_at + timedelta(seconds=3)
    )
