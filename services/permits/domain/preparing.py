"""Preparing a paid application: the checks its case needs, run the moment the fee is paid, and then either an
automatic decision by a rule or the queue, with every flag listed for the case handler.

The checks: the applicant's age (higher for fully automatic weapons), the evidence the purpose needs, weapons
already held for hunting beyond the normal set, the suitability check against police registers (clear or
flagged, never why), the licence a renewal or duplicate names, and a public-place application made too late
to be referred in time. Only a duplicate or a renewal with no flag is decided by a rule; a refusal never is.
A public-place application is referred to its municipality at once.

Preparing is idempotent by the application's status: a fee-paid event delivered again finds the case no
longer ``paid`` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.permits.domain import deciding
from services.permits.domain.applying import Applicant, age_on, held_licence
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Check,
    CheckOutcome,
    DuplicateDetails,
    Evidence,
    LicenceStatus,
    Preparation,
    PublicPlaceDetails,
    PurchasePermitDetails,
    Referral,
    RenewalDetails,
    WeaponLicenceDetails,
    WeaponPurpose,
    is_fully_automatic,
    weapon_count,
)
from services.permits.domain.ports import (
    ApplicationRepository,
    LicenceRegister,
    Suitability,
    SuitabilityRegister,
)
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared.clock import stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import InvalidInput
from shared.events.contracts.permits import SOURCE, PermitReferralSent
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import Message

MANUAL_RULE = "prepare-for-case-handler"


@dataclass(frozen=True)
class Registers:
    licences: LicenceRegister
    suitability: SuitabilityRegister


def _check(name: str, passed: bool, passed_note: Message, flagged_note: Message) -> Check:
    return Check(
        name=name,
        outcome=CheckOutcome.PASSED if passed else CheckOutcome.FLAGGED,
        note=(passed_note if passed else flagged_note).kept(),
    )


def _months_before(day: date, months: int) -> date:
    return deciding.add_months(day, -months)


def _evidence_checks(
    purpose: WeaponPurpose, evidence: Evidence, reasons: str | None, rules: PermitRules, today: date
) -> Iterator[Check]:
    if purpose is WeaponPurpose.HUNTING:
        yield _check(
            "evidence",
            evidence.hunting_exam_passed_on is not None and evidence.hunting_exam_passed_on <= today,
            TEXTS("check.hunting_exam"),
            TEXTS("check.no_hunting_exam"),
        )
    elif purpose is WeaponPurpose.TARGET_SHOOTING:
        months = rules.limits.club_membership_months
        certificate = evidence.club_certificate
        yield _check(
            "evidence",
            certificate is not None
            and certificate.active
            and certificate.member_since <= _months_before(today, months),
            TEXTS("check.club_certificate", months=months),
            TEXTS("check.no_club_certificate", months=months),
        )
    else:
        yield _check(
            "evidence",
            purpose is not WeaponPurpose.OTHER or reasons is not None,
            TEXTS("check.purpose_stated"),
            TEXTS("check.no_reasons"),
        )


def checks_for(
    application: Application, *, registers: Registers, rules: PermitRules, now: datetime
) -> list[Check]:
    details = application.details
    today = stockholm_time(now).date()
    personnummer = application.applicant_personnummer
    checks: list[Check] = []
    if isinstance(details, PublicPlaceDetails):
        late = details.period.starts_on < today + timedelta(days=rules.deadlines.late_application_days)
        checks.append(
            _check(
                "lateApplication",
                not late,
                TEXTS("check.in_time"),
                TEXTS("check.late", days=rules.deadlines.late_application_days),
            )
        )
        return checks
    minimum = (
        rules.limits.minimum_age_fully_automatic if is_fully_automatic(details) else rules.limits.minimum_age
    )
    checks.append(
        _check(
            "age",
            age_on(personnummer, today) >= minimum,
            TEXTS("check.age", age=minimum),
            TEXTS("check.too_young", age=minimum),
        )
    )
    if isinstance(details, WeaponLicenceDetails | PurchasePermitDetails):
        checks.extend(_evidence_checks(details.purpose, details.evidence, details.reasons, rules, today))
        if details.purpose is WeaponPurpose.HUNTING:
            held = [
                licence
                for licence in registers.licences.held_by(personnummer)
                if licence.status is LicenceStatus.VALID and licence.purpose is WeaponPurpose.HUNTING
            ]
            total = len(held) + weapon_count(details)
            normal = rules.limits.hunting_normal_set
            checks.append(
                _check(
                    "huntingSet",
                    total <= normal,
                    TEXTS("check.within_set", total=total, normal=normal),
                    TEXTS("check.beyond_set", total=total, normal=normal),
                )
            )
    if isinstance(details, RenewalDetails | DuplicateDetails):
        applicant = Applicant(ref=application.applicant_ref, personnummer=personnummer)
        try:
            licence = held_licence(details.licence_number, applicant, registers.licences)
            valid = licence.status is LicenceStatus.VALID and (
                licence.valid_until is None or licence.valid_until >= today
            )
        except InvalidInput:
            valid = False
        checks.append(
            _check("licence", valid, TEXTS("check.licence_valid"), TEXTS("check.licence_not_valid"))
        )
    if isinstance(details, RenewalDetails):
        checks.append(
            _check(
                "circumstances",
                details.circumstances_unchanged and details.changes is None,
                TEXTS("check.unchanged"),
                TEXTS("check.changed"),
            )
        )
    suitability = registers.suitability.check(personnummer)
    checks.append(
        _check(
            "suitability",
            suitability is Suitability.CLEAR,
            TEXTS("check.suitability_clear"),
            TEXTS("check.suitability_flagged"),
        )
    )
    return checks


def _referral(application: Application, rules: PermitRules, now: datetime) -> Referral:
    code = application.municipality_code or ""
    due = now + timedelta(days=rules.deadlines.referral_answer_days)
    return Referral(
        municipality_code=code,
        sent_at=now,
        answer_due_at=due,
        reminder_due_at=due - timedelta(days=rules.deadlines.referral_reminder_days_before),
    )


def prepare(
    diarienummer: str,
    *,
    repository: ApplicationRepository,
    registers: Registers,
    rules: PermitRules,
    now: datetime,
    correlation_id: str,
) -> Application | None:
    """Prepare a paid application; None when it was prepared before (a redelivered event)."""

    def attempt() -> Application | None:
        application = repository.get(diarienummer)
        if application is None or application.status is not ApplicationStatus.PAID:
            return None
        checks = checks_for(application, registers=registers, rules=rules, now=now)
        rule = rules.automatic_rule(application.kind)
        flagged = any(c.outcome is CheckOutcome.FLAGGED for c in checks)
        preparation = Preparation(
            checks=tuple(checks),
            rule_id=rule.id if rule and not flagged else MANUAL_RULE,
            rule_version=rules.version,
            prepared_at=now,
        )
        prepared = application.changed(preparation=preparation)
        events: list[Envelope[EventData]] = []
        if rule is not None and not flagged:
            decided = deciding.grant(
                prepared,
                reasons=TEXTS("decision.granted_by_rule").kept(),
                conditions=None,
                valid_until=None,
                by_rule=(rule.id, rules.version),
                staff_id=None,
                licences=registers.licences,
                rules=rules,
                now=now,
                correlation_id=correlation_id,
            )
            granted = decided.application.changed(version=application.version + 1)
            repository.save(
                granted,
                expected_version=application.version,
                events=decided.events,
                licences=decided.licences,
                expected_licence_versions=decided.expected_licence_versions,
            )
            return granted
        if isinstance(application.details, PublicPlaceDetails):
            referral = _referral(application, rules, now)
            moved = prepared.moved(
                ApplicationStatus.REFERRED,
                now,
                TEXTS("timeline.referred", municipality=referral.municipality_code).kept(),
                referral=referral,
            )
            events.append(
                new_event(
                    PermitReferralSent(
                        diarienummer=diarienummer,
                        municipality_code=referral.municipality_code,
                        sent_at=now,
                        answer_due_at=referral.answer_due_at,
                    ),
                    producer=SOURCE,
                    occurred_at=now,
                    correlation_id=application.correlation_id or correlation_id,
                )
            )
        else:
            moved = prepared.moved(
                ApplicationStatus.QUEUED,
                now,
                (
                    TEXTS("timeline.queued_flags", count=len(preparation.flags))
                    if flagged
                    else TEXTS("timeline.queued")
                ).kept(),
            )
        stored = moved.changed(version=application.version + 1)
        repository.save(stored, expected_version=application.version, events=events)
        return stored

    return retry_on_conflict(attempt)
