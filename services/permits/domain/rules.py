"""The permit rules, kept as data: fees, deadlines, limits and which clear cases are decided automatically.

The rule set is ``rules/permit_rules.json``; changing a fee, a deadline or what is decided automatically is
a change to that file (and its ``version``), not to code. Every automatic decision records the rule's id and
the rule set's version. A rule only ever grants: a refusal is always a case handler's.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Annotated

from pydantic import Field

from services.permits.domain.model import PermitKind, WeaponType
from shared.models import CamelModel

RULES_PACKAGE = "services.permits.domain"
RULES_RESOURCE = "rules/permit_rules.json"

Sek = Annotated[int, Field(ge=0, le=100_000)]
Days = Annotated[int, Field(ge=1, le=3650)]


class Fees(CamelModel):
    public_place: Sek
    money_collection: Sek
    first_weapon: Sek
    further_weapon: Sek
    purchase_permit: Sek
    renewal: Sek
    duplicate_licence: Sek


class Deadlines(CamelModel):
    payment_days: Days
    referral_answer_days: Days
    referral_reminder_days_before: Days
    completion_days: Days
    late_application_days: Days
    licence_expiry_reminder_weeks: Days
    purchase_permit_validity_months: Days
    time_limited_licence_years: Days
    weapons_handling_target_days: Days


class Limits(CamelModel):
    minimum_age: Annotated[int, Field(ge=15, le=25)]
    minimum_age_fully_automatic: Annotated[int, Field(ge=15, le=25)]
    hunting_normal_set: Annotated[int, Field(ge=1, le=20)]
    club_membership_months: Annotated[int, Field(ge=0, le=60)]


class AutomaticRule(CamelModel):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z-]{2,40}$")]
    kind: PermitKind
    description: str


class PermitRules(CamelModel):
    version: Annotated[int, Field(ge=1)]
    fees: Fees
    deadlines: Deadlines
    limits: Limits
    time_limited_weapon_types: frozenset[WeaponType]
    automatic: tuple[AutomaticRule, ...]

    def automatic_rule(self, kind: PermitKind) -> AutomaticRule | None:
        return next((r for r in self.automatic if r.kind is kind), None)


@cache
def permit_rules() -> PermitRules:
    text = resources.files(RULES_PACKAGE).joinpath(RULES_RESOURCE).read_text(encoding="utf-8")
    return PermitRules.model_validate_json(text)
