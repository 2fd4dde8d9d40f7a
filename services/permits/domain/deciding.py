"""Deciding an application: granting (by a rule or a case handler) or refusing (only ever a case handler).

A grant changes the register of licences in the same write as the case: a weapons licence per weapon (time-
limited for the weapon types the rules name), a purchase permit valid for its months, a renewed licence's new
end, or a duplicate document. A permit is never granted against the municipality's advice against it. A
refusal gives its reasons and how to appeal; the fee is kept either way.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Decision,
    DuplicateDetails,
    Licence,
    LicenceKind,
    Outcome,
    PurchasePermitDetails,
    RenewalDetails,
    WeaponLicenceDetails,
)
from services.permits.domain.ports import LicenceRegister
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared.clock import stockholm_time
from shared.errors import Conflict
from shared.events.contracts.permits import SOURCE, PermitDecided
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import Localized


@dataclass(frozen=True)
class Decided:
    application: Application
    events: list[Envelope[EventData]]
    licences: list[Licence]
    # The version each changed licence had when read (absent for new licences).
    expected_licence_versions: dict[str, int]


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def licence_number_of(number: int, year: int) -> str:
    return f"VL-{year}-{number:06d}"


def _granted_licences(
    application: Application,
    *,
    valid_until: date | None,
    licences: LicenceRegister,
    rules: PermitRules,
    today: date,
) -> tuple[list[Licence], dict[str, int]]:
    details = application.details
    if isinstance(details, WeaponLicenceDetails):
        granted = []
        for weapon in details.weapons:
            limited = weapon.type in rules.time_limited_weapon_types
            granted.append(
                Licence(
                    licence_number=licence_number_of(
                        licences.allocate_licence_number(today.year), today.year
                    ),
                    kind=LicenceKind.LICENCE,
                    holder_personnummer=application.applicant_personnummer,
                    holder_ref=application.applicant_ref,
                    weapon=weapon,
                    purpose=details.purpose,
                    issued_on=today,
                    valid_until=(valid_until or add_years(today, rules.deadlines.time_limited_licence_years))
                    if limited
                    else None,
                    diarienummer=application.diarienummer,
                )
            )
        return granted, {}
    if isinstance(details, PurchasePermitDetails):
        permit = Licence(
            licence_number=licence_number_of(licences.allocate_licence_number(today.year), today.year),
            kind=LicenceKind.PURCHASE_PERMIT,
            holder_personnummer=application.applicant_personnummer,
            holder_ref=application.applicant_ref,
            weapon=details.weapon,
            purpose=details.purpose,
            issued_on=today,
            valid_until=valid_until or add_months(today, rules.deadlines.purchase_permit_validity_months),
            diarienummer=application.diarienummer,
        )
        return [permit], {}
    if isinstance(details, RenewalDetails | DuplicateDetails):
        licence = licences.licence(details.licence_number)
        if licence is None:
            raise Conflict(TEXTS("conflict.licence_gone", number=details.licence_number))
        if isinstance(details, RenewalDetails):
            start = max(licence.valid_until or today, today)
            changed = licence.changed_to(
                valid_until=valid_until or add_years(start, rules.deadlines.time_limited_licence_years),
                reminded_at=None,
                holder_ref=application.applicant_ref,
            )
        else:
            changed = licence.changed_to(
                document_issued=licence.document_issued + 1, holder_ref=application.applicant_ref
            )
        return [changed], {licence.licence_number: licence.version}
    return [], {}


def _decided_event(application: Application, decision: Decision, correlation_id: str) -> Envelope[EventData]:
    return new_event(
        PermitDecided(
            diarienummer=application.diarienummer,
            kind=application.kind.value,
            region=application.region,
            outcome=decision.outcome.value,
            decided_by=decision.decided_by,
            rule_id=decision.rule_id,
            rule_version=decision.rule_version,
            decided_at=decision.decided_at,
            valid_until=decision.valid_until,
            owner_ref=application.applicant_ref,
        ),
        producer=SOURCE,
        occurred_at=decision.decided_at,
        correlation_id=application.correlation_id or correlation_id,
    )


def grant(
    application: Application,
    *,
    reasons: Localized,
    conditions: str | None,
    valid_until: date | None,
    by_rule: tuple[str, int] | None,
    staff_id: str | None,
    licences: LicenceRegister,
    rules: PermitRules,
    now: datetime,
    correlation_id: str,
) -> Decided:
    if application.status.is_decided:
        raise Conflict(TEXTS("conflict.decided", diarienummer=application.diarienummer))
    if application.municipality_advised_against:
        raise Conflict(TEXTS("conflict.municipality_advised_against", diarienummer=application.diarienummer))
    today = stockholm_time(now).date()
    granted, versions = _granted_licences(
        application, valid_until=valid_until, licences=licences, rules=rules, today=today
    )
    ends = [licence.valid_until for licence in granted if licence.valid_until is not None]
    decision = Decision(
        outcome=Outcome.GRANTED,
        decided_by="rule" if by_rule else "staff",
        decided_at=now,
        reasons=reasons,
        conditions=conditions,
        valid_until=valid_until or (min(ends) if ends else None),
        rule_id=by_rule[0] if by_rule else None,
        rule_version=by_rule[1] if by_rule else None,
        staff_id=staff_id,
        licence_numbers=tuple(licence.licence_number for licence in granted),
    )
    timeline_text = (
        TEXTS("timeline.granted_by_rule", ruleId=by_rule[0], ruleVersion=by_rule[1])
        if by_rule
        else TEXTS("timeline.granted")
    )
    decided = application.moved(ApplicationStatus.GRANTED, now, timeline_text.kept(), decision=decision)
    return Decided(decided, [_decided_event(decided, decision, correlation_id)], granted, versions)


def refuse(
    application: Application, *, reasons: str, staff_id: str, now: datetime, correlation_id: str
) -> Decided:
    if application.status.is_decided:
        raise Conflict(TEXTS("conflict.decided", diarienummer=application.diarienummer))
    decision = Decision(
        outcome=Outcome.REFUSED,
        decided_by="staff",
        decided_at=now,
        reasons=reasons,
        staff_id=staff_id,
    )
    decided = application.moved(
        ApplicationStatus.REFUSED, now, TEXTS("timeline.refused").kept(), decision=decision
    )
    return Decided(decided, [_decided_event(decided, decision, correlation_id)], [], {})
