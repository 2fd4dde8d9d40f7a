"""In-memory stand-ins for the permits domain's ports, and the forms citizens send, for unit tests only.

The repository keeps the rules the DynamoDB transaction keeps: a change is stored only over the version it
read (``ChangedMeanwhile`` otherwise), with its licences, events and audit record, or not at all."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from services.permits.domain import applying, paying, preparing
from services.permits.domain.applying import Applicant, queue_of
from services.permits.domain.casework import CaseDesk
from services.permits.domain.errors import ChangedMeanwhile
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Details,
    DuplicateDetails,
    Licence,
    LicenceKind,
    LicenceStatus,
    Organisation,
    PublicPlaceDetails,
    PurchasePermitDetails,
    RenewalDetails,
    WeaponLicenceDetails,
)
from services.permits.domain.ports import Page, Suitability
from services.permits.domain.rules import permit_rules
from shared.audit import AuditRecord
from shared.clock import FixedClock, stockholm_time
from shared.events.envelope import Envelope, EventData
from shared.payments import PaymentConfirmation
from shared.staff import StaffMember
from tests.support.fakes import InMemoryAuditLog, InMemoryCompanyRegister, RecordingMailbox

STORAGE = {"address": "Storgatan 1, Umeå", "description": "Certifierat vapenskåp SS 3492"}


class InMemoryPermits:
    """Applications and the register of licences (both ports), as the permits table keeps them."""

    def __init__(self) -> None:
        self.applications: dict[str, Application] = {}
        self.references: dict[str, str] = {}
        self.licences: dict[str, Licence] = {}
        self.events: list[Envelope[EventData]] = []
        self.held_for_review: dict[str, tuple[str, str]] = {}
        self.audit: list[AuditRecord] = []
        self.decided_weapons: list[date] = []
        self._numbers: dict[int, itertools.count[int]] = {}
        self._licence_numbers = itertools.count(1)

    # --- applications --------------------------------------------------------------------------------------

    def allocate_number(self, year: int) -> int:
        return next(self._numbers.setdefault(year, itertools.count(1)))

    def add(self, application: Application, events: Sequence[Envelope[EventData]]) -> None:
        if application.diarienummer in self.applications:
            raise ChangedMeanwhile("taken")
        self.applications[application.diarienummer] = application
        self.references[application.payment.reference] = application.diarienummer
        self.events.extend(events)

    def get(self, diarienummer: str) -> Application | None:
        return self.applications.get(diarienummer)

    def by_payment_reference(self, reference: str) -> Application | None:
        number = self.references.get(reference)
        return self.applications.get(number) if number else None

    def hold_for_review(self, confirmation: PaymentConfirmation, *, diarienummer: str, why: str) -> None:
        self.held_for_review[confirmation.transaction_id] = (diarienummer, why)

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
        stored = self.applications.get(application.diarienummer)
        if stored is None or stored.version != expected_version:
            raise ChangedMeanwhile("changed meanwhile")
        versions = expected_licence_versions or {}
        for licence in licences:
            self._check_licence(licence, versions.get(licence.licence_number))
        self.applications[application.diarienummer] = application
        for licence in licences:
            self.licences[licence.licence_number] = licence
        if application.kind.is_weapons and application.status.is_decided and application.decision:
            self.decided_weapons.append(application.decision.decided_at.date())
        self.events.extend(events)
        if audit is not None:
            self.audit.append(audit)

    def _waiting(self, queue: str) -> list[Application]:
        return sorted(
            (
                a
                for a in self.applications.values()
                if a.status is ApplicationStatus.QUEUED and a.payment.paid_at and queue_of(a) == queue
            ),
            key=lambda a: (a.payment.paid_at, a.diarienummer),
        )

    @staticmethod
    def _page(found: list[Application], limit: int, start: dict[str, Any] | None) -> Page:
        offset = int(start["offset"]) if start else 0
        more = offset + limit < len(found)
        return Page(found[offset : offset + limit], {"offset": offset + limit} if more else None)

    def of_applicant(self, applicant_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        mine = [a for a in self.applications.values() if a.applicant_ref == applicant_ref]
        return self._page(sorted(mine, key=lambda a: a.submitted_at, reverse=True), limit, start)

    def queue(self, queue: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        return self._page(self._waiting(queue), limit, start)

    def position_in_queue(self, application: Application) -> int:
        waiting = [a.diarienummer for a in self._waiting(queue_of(application))]
        number = application.diarienummer
        return waiting.index(number) if number in waiting else len(waiting)

    def referrals_of(self, municipality_code: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        open_ = [
            a
            for a in self.applications.values()
            if a.status is ApplicationStatus.REFERRED
            and a.referral is not None
            and a.referral.answer is None
            and a.referral.municipality_code == municipality_code
        ]
        return self._page(sorted(open_, key=lambda a: a.referral.sent_at if a.referral else 0), limit, start)

    def due(self, *, by: datetime) -> Iterator[Application]:
        due = [a for a in self.applications.values() if a.next_due_at is not None and a.next_due_at <= by]
        yield from sorted(due, key=lambda a: a.next_due_at or by)

    def decided_weapons_cases(self, since: date) -> int:
        return sum(1 for day in self.decided_weapons if day >= since)

    # --- the register of licences --------------------------------------------------------------------------

    def allocate_licence_number(self, year: int) -> int:
        return next(self._licence_numbers)

    def licence(self, licence_number: str) -> Licence | None:
        return self.licences.get(licence_number)

    def held_by(self, personnummer: str) -> list[Licence]:
        return [lic for lic in self.licences.values() if lic.holder_personnummer == personnummer]

    def expiring(self, by: date) -> Iterator[Licence]:
        for licence in sorted(self.licences.values(), key=lambda lic: lic.valid_until or by):
            watched = licence.status is LicenceStatus.VALID and (
                licence.reminded_at is None or licence.kind is LicenceKind.PURCHASE_PERMIT
            )
            if watched and licence.valid_until is not None and licence.valid_until <= by:
                yield licence

    def _check_licence(self, licence: Licence, expected_version: int | None) -> None:
        stored = self.licences.get(licence.licence_number)
        if (expected_version is None and stored is not None) or (
            expected_version is not None and (stored is None or stored.version != expected_version)
        ):
            raise ChangedMeanwhile("licence changed meanwhile")

    def save_licence(
        self, licence: Licence, *, expected_version: int | None, events: Sequence[Envelope[EventData]] = ()
    ) -> None:
        self._check_licence(licence, expected_version)
        self.licences[licence.licence_number] = licence
        self.events.extend(events)

    def event_types(self) -> list[str]:
        return [e.metadata.event_type for e in self.events]


class InMemorySuitability:
    def __init__(self, flagged: frozenset[str] = frozenset()) -> None:
        self.flagged = set(flagged)

    def check(self, personnummer: str) -> Suitability:
        return Suitability.FLAGGED if personnummer in self.flagged else Suitability.CLEAR


# --- forms ------------------------------------------------------------------------------------------------


def public_place(today: date, *, starts_in_days: int = 40, **changes: Any) -> PublicPlaceDetails:
    starts = today + timedelta(days=starts_in_days)
    form: dict[str, Any] = {
        "kind": "publicPlace",
        "purpose": "outdoorSeating",
        "description": "Uteservering med sex bord framför caféet",
        "place": {"municipalityCode": "0180", "address": "Götgatan 14, Stockholm"},
        "period": {"startsOn": starts.isoformat(), "endsOn": (starts + timedelta(days=90)).isoformat()},
        "areaSquareMetres": 24,
        "responsiblePerson": {"name": "Kim Andersson", "phone": "070-123 45 67"},
        **changes,
    }
    return PublicPlaceDetails.model_validate(form)


def rifle(serial: str = "S404-9001", **changes: Any) -> dict[str, Any]:
    return {
        "type": "rifle",
        "make": "Sauer",
        "model": "S404",
        "calibre": "6.5x55",
        "serialNumber": serial,
        **changes,
    }


def weapon_licence(*, weapons: int = 1, purpose: str = "hunting", **changes: Any) -> WeaponLicenceDetails:
    form: dict[str, Any] = {
        "kind": "weaponLicence",
        "weapons": [rifle(f"S404-{9000 + n}") for n in range(weapons)],
        "purpose": purpose,
        "evidence": {"huntingExamPassedOn": "2015-05-20"} if purpose == "hunting" else {},
        "storage": STORAGE,
        **changes,
    }
    return WeaponLicenceDetails.model_validate(form)


def purchase_permit(**changes: Any) -> PurchasePermitDetails:
    form: dict[str, Any] = {
        "kind": "purchasePermit",
        "weapon": {"type": "pistol", "make": "CZ", "model": "Shadow 2", "calibre": "9x19"},
        "purpose": "targetShooting",
        "evidence": {
            "clubCertificate": {"club": "Umeå Pistolklubb", "memberSince": "2020-03-01", "active": True}
        },
        "storage": STORAGE,
        **changes,
    }
    return PurchasePermitDetails.model_validate(form)


def renewal(licence_number: str, **changes: Any) -> RenewalDetails:
    form: dict[str, Any] = {
        "kind": "renewal",
        "licenceNumber": licence_number,
        "circumstancesUnchanged": True,
        "storage": STORAGE,
        **changes,
    }
    return RenewalDetails.model_validate(form)


def duplicate(licence_number: str, today: date, **changes: Any) -> DuplicateDetails:
    form: dict[str, Any] = {
        "kind": "duplicateLicence",
        "licenceNumber": licence_number,
        "howLost": "Licensen försvann vid en flytt",
        "lostOn": (today - timedelta(days=3)).isoformat(),
        **changes,
    }
    return DuplicateDetails.model_validate(form)


# --- a world of in-memory ports ---------------------------------------------------------------------------


class PermitsWorld:
    """The ports in memory, a fixed clock, and the steps a case takes to reach the state a test needs."""

    def __init__(self, now: datetime) -> None:
        self.clock = FixedClock(now)
        self.permits = InMemoryPermits()
        self.suitability = InMemorySuitability()
        self.companies = InMemoryCompanyRegister()
        self.mailbox = RecordingMailbox()
        self.audit = InMemoryAuditLog()
        self.rules = permit_rules()

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return stockholm_time(self.now).date()

    def submit(
        self, details: Details, applicant: Applicant, organisation: Organisation | None = None
    ) -> Application:
        return applying.submit(
            details,
            organisation=organisation,
            applicant=applicant,
            repository=self.permits,
            licences=self.permits,
            companies=self.companies,
            rules=self.rules,
            now=self.now,
            correlation_id="c-submit",
        )

    def pay(self, application: Application, transaction_id: str = "tx-1") -> Application:
        confirmation = PaymentConfirmation.model_validate(
            {
                "reference": application.payment.reference,
                "amountSek": application.fee.amount_sek,
                "currency": "SEK",
                "transactionId": transaction_id,
                "paidAt": self.now.isoformat(),
            }
        )
        paid, _ = paying.record_payment(
            confirmation, repository=self.permits, now=self.now, correlation_id="c-pay"
        )
        return paid

    def prepare(self, diarienummer: str) -> Application | None:
        return preparing.prepare(
            diarienummer,
            repository=self.permits,
            registers=preparing.Registers(licences=self.permits, suitability=self.suitability),
            rules=self.rules,
            now=self.now,
            correlation_id="c-prepare",
        )

    def paid_and_prepared(self, details: Details, applicant: Applicant) -> Application:
        application = self.pay(self.submit(details, applicant))
        self.prepare(application.diarienummer)
        return self.case(application.diarienummer)

    def case(self, diarienummer: str) -> Application:
        application = self.permits.get(diarienummer)
        assert application is not None
        return application

    def desk(self, region: str, *roles: str, staff_id: str = "PM-3001") -> CaseDesk:
        return CaseDesk(
            staff=StaffMember(staff_id=staff_id, region=region, roles=frozenset(roles)),
            applications=self.permits,
            licences=self.permits,
            audit=self.audit,
            rules=self.rules,
            clock=self.clock,
            correlation_id="c-staff",
        )
