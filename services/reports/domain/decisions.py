"""Automated decisions: versioned rules, kept as data, decide the clear cases at once and prioritise the rest.

The rule set is ``rules/decision_rules.json``; changing what is decided automatically is a change to that file
(and its ``version``), not to code. The first rule whose ``when`` holds for a report applies. A rule either
decides (``then.outcome`` with the reason the reporter is told) or places the report in its region's queue
(``then.route.priority``). Every decision records the rule's id and the rule set's version.

A report filed on behalf of someone whose relation to the reporter no register confirmed is never decided by
a rule: a rule set is refused on load unless a rule routing exactly those reports (``when:
{onBehalfUnverified: true}``) comes before the first rule that decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, ValidationError, model_validator

from services.reports.domain.filing import change_status
from services.reports.domain.model import (
    CardFraudReport,
    DamageKind,
    Decision,
    ItemCategory,
    ParkingDamageReport,
    Report,
    ReportDraft,
    ReportStatus,
    ShopTheftReport,
    TheftKind,
    TheftReport,
    VandalismReport,
)
from services.reports.domain.ports import ReportRepository
from services.reports.messages import TEXTS
from shared.clock import Clock
from shared.errors import NotFound
from shared.events.contracts.reports import SOURCE, ReportDecided
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import LocalText, shown
from shared.models import CamelModel

RULES_PACKAGE = "services.reports.domain"
RULES_RESOURCE = "rules/decision_rules.json"

MOST_URGENT = 1
LEAST_URGENT = 5
Priority = Annotated[int, Field(ge=MOST_URGENT, le=LEAST_URGENT)]
ReportType = Literal["theft", "shopTheft", "cardFraud", "vandalism", "parkingDamage", "loss"]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Outcome(StrEnum):
    """What was decided about a report, and the status that follows from it."""

    INVESTIGATION_NOT_OPENED = "investigationNotOpened"  # förundersökning inleds inte
    INVESTIGATION_OPENED = "investigationOpened"  # förundersökning inleds
    INVESTIGATION_DISCONTINUED = "investigationDiscontinued"  # förundersökningen läggs ned
    # A loss is not investigated; the report stays open for found property to be matched to it.
    REGISTERED = "registered"

    @property
    def status(self) -> ReportStatus:
        return _STATUS_AFTER[self]


_STATUS_AFTER = {
    Outcome.INVESTIGATION_NOT_OPENED: ReportStatus.CLOSED,
    Outcome.INVESTIGATION_OPENED: ReportStatus.UNDER_INVESTIGATION,
    Outcome.INVESTIGATION_DISCONTINUED: ReportStatus.CLOSED,
    Outcome.REGISTERED: ReportStatus.REGISTERED,
}


# --- the rule set, as data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFacts:
    """What the rules may ask about a report: read from the form, never from a person's identity."""

    report_type: str
    theft_kind: TheftKind | None
    damage_kind: DamageKind | None
    item_categories: frozenset[ItemCategory]
    has_leads: bool
    # The loss in kronor as the reporter put it; values left out count as nothing.
    value_sek: int
    # Filed on behalf of someone, and no register confirmed the relation.
    on_behalf_unverified: bool = False

    @classmethod
    def of(cls, draft: ReportDraft, *, relation_verified: bool | None = None) -> CaseFacts:
        """``relation_verified``: what the register said of the relation to the person filed for (not asked,
        or not confirmed, is unverified)."""
        return cls(
            report_type=draft.type,
            theft_kind=draft.theft_kind if isinstance(draft, TheftReport) else None,
            damage_kind=draft.damage_kind if isinstance(draft, VandalismReport) else None,
            item_categories=frozenset(item.category for item in draft.items_reported),
            has_leads=draft.has_leads,
            value_sek=_value_sek(draft),
            on_behalf_unverified=draft.on_behalf_of is not None and relation_verified is not True,
        )


def _value_sek(draft: ReportDraft) -> int:
    if isinstance(draft, ShopTheftReport):
        return draft.total_value_sek
    if isinstance(draft, CardFraudReport):
        return sum(t.amount_sek for t in draft.transactions)
    if isinstance(draft, VandalismReport):
        return draft.estimated_cost_sek or 0
    if isinstance(draft, ParkingDamageReport):
        return 0
    return sum(item.value_sek or 0 for item in draft.items_reported)


class Conditions(CamelModel):
    """Every condition given must hold; an empty ``when`` holds for every report. Unknown names are refused,
    so a misspelt condition fails when the rule set is loaded instead of silently matching more."""

    report_types: list[ReportType] | None = None
    theft_kinds: list[TheftKind] | None = None
    damage_kinds: list[DamageKind] | None = None
    # At least one reported item is of one of these categories.
    any_item_category: list[ItemCategory] | None = None
    # There are items, and every one is of one of these categories.
    item_categories_only: list[ItemCategory] | None = None
    # A suspect description, a witness or camera footage.
    has_leads: bool | None = None
    value_sek_at_least: Annotated[int, Field(ge=0)] | None = None
    value_sek_at_most: Annotated[int, Field(ge=0)] | None = None
    # Filed on behalf of someone, and no register confirmed the relation.
    on_behalf_unverified: bool | None = None

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Conditions:
        low, high = self.value_sek_at_least, self.value_sek_at_most
        if low is not None and high is not None and low > high:
            raise ValueError("valueSekAtLeast must not exceed valueSekAtMost")
        return self

    @property
    def is_empty(self) -> bool:
        return all(value is None for value in self.model_dump().values())

    def hold_for(self, facts: CaseFacts) -> bool:
        checks = (
            self.report_types is None or facts.report_type in self.report_types,
            self.theft_kinds is None or facts.theft_kind in self.theft_kinds,
            self.damage_kinds is None or facts.damage_kind in self.damage_kinds,
            self.any_item_category is None or bool(facts.item_categories & set(self.any_item_category)),
            self.item_categories_only is None
            or (bool(facts.item_categories) and facts.item_categories <= set(self.item_categories_only)),
            self.has_leads is None or facts.has_leads is self.has_leads,
            self.value_sek_at_least is None or facts.value_sek >= self.value_sek_at_least,
            self.value_sek_at_most is None or facts.value_sek <= self.value_sek_at_most,
            self.on_behalf_unverified is None or facts.on_behalf_unverified is self.on_behalf_unverified,
        )
        return all(checks)


class ReasonInBothLanguages(CamelModel):
    """What the reporter is told, as the rule set writes it: in Swedish and in English."""

    sv: Reason
    en: Reason


class DecideAction(CamelModel):
    outcome: Outcome
    reason: ReasonInBothLanguages | Reason

    @property
    def reason_kept(self) -> LocalText | str:
        if isinstance(self.reason, str):
            return self.reason
        return LocalText(texts={"sv": self.reason.sv, "en": self.reason.en})


class RouteTarget(CamelModel):
    priority: Priority


class RouteAction(CamelModel):
    route: RouteTarget


class Rule(CamelModel):
    id: Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]
    description: Reason
    when: Conditions
    then: DecideAction | RouteAction

    @model_validator(mode="after")
    def _registered_only_for_losses(self) -> Rule:
        decides_registered = isinstance(self.then, DecideAction) and self.then.outcome is Outcome.REGISTERED
        if decides_registered and self.when.report_types != ["loss"]:
            raise ValueError(f"rule {self.id}: only loss reports can be decided 'registered'")
        return self


class RuleSet(CamelModel):
    version: Annotated[int, Field(ge=1)]
    description: str = ""
    rules: Annotated[list[Rule], Field(min_length=1)]

    @model_validator(mode="after")
    def _complete_and_unambiguous(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {', '.join(duplicates)}")
        if not self.rules[-1].when.is_empty:
            raise ValueError("the last rule must have an empty `when`, so that every report gets a verdict")
        unverified_only = Conditions(on_behalf_unverified=True)
        guard = next(
            (
                i
                for i, r in enumerate(self.rules)
                if r.when == unverified_only and isinstance(r.then, RouteAction)
            ),
            None,
        )
        first_decision = next((i for i, r in enumerate(self.rules) if isinstance(r.then, DecideAction)), None)
        if first_decision is not None and (guard is None or guard > first_decision):
            raise ValueError(
                "a report filed on behalf of someone whose relation no register confirmed is never decided by "
                "a rule: a rule with `when: {onBehalfUnverified: true}` that routes must come before the "
                "first rule that decides"
            )
        return self

    def verdict(self, draft: ReportDraft, *, relation_verified: bool | None = None) -> Verdict:
        facts = CaseFacts.of(draft, relation_verified=relation_verified)
        # The last rule holds for every report (checked on load), so there is always a first match.
        rule = next(r for r in self.rules if r.when.hold_for(facts))
        if isinstance(rule.then, DecideAction):
            return Decided(rule.id, self.version, rule.then.outcome, rule.then.reason_kept)
        return Routed(rule.id, self.version, rule.then.route.priority)


@dataclass(frozen=True)
class Decided:
    rule_id: str
    rule_version: int
    outcome: Outcome
    reason: LocalText | str


@dataclass(frozen=True)
class Routed:
    rule_id: str
    rule_version: int
    priority: int


Verdict = Decided | Routed


class InvalidRuleSet(ValueError):
    """A rule set that cannot be applied; the message names every problem."""


def parse_rule_set(text: str) -> RuleSet:
    try:
        return RuleSet.model_validate_json(text)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'rule set'}: {e['msg']}" for e in error.errors()
        )
        raise InvalidRuleSet(f"the decision rules are invalid: {problems}") from None


@cache
def current_rule_set() -> RuleSet:
    """The rule set shipped with the service, read on first use (not at import: cold starts stay cheap)."""
    return parse_rule_set(resources.files(RULES_PACKAGE).joinpath(RULES_RESOURCE).read_text(encoding="utf-8"))


# --- applying a decision ---------------------------------------------------------------------------------


def apply_decision(
    report: Report, decision: Decision, *, correlation_id: str
) -> tuple[Report, list[Envelope[EventData]]]:
    """The report with ``decision`` made, its status following from the outcome, and the events that say so.
    The reason goes on the timeline the reporter reads."""
    outcome = Outcome(decision.outcome)
    moved, status_changed = change_status(
        report, outcome.status, reason=decision.reason, now=decision.decided_at, correlation_id=correlation_id
    )
    # Whoever works a closed case no longer holds it; an investigation keeps its investigator.
    assignee = moved.assignee if outcome.status is ReportStatus.UNDER_INVESTIGATION else None
    decided = moved.model_copy(update={"decision": decision, "assignee": assignee})
    event = ReportDecided(
        case_number=report.case_number,
        region=report.region,
        outcome=outcome.value,
        # Agencies read the authority's language.
        reason=shown(decision.reason, "sv"),
        decided_by=decision.decided_by,
        rule_id=decision.rule_id,
        rule_version=decision.rule_version,
        decided_at=decision.decided_at,
        notify_reporter=report.details.notify_on_decision,
        owner_ref=report.owner_ref,
    )
    decided_event: Envelope[EventData] = new_event(
        event, producer=SOURCE, occurred_at=decision.decided_at, correlation_id=correlation_id
    )
    return decided, [decided_event, status_changed]


def queue_for_assessment(
    report: Report, *, priority: int, now: datetime, correlation_id: str
) -> tuple[Report, list[Envelope[EventData]]]:
    queued, event = change_status(
        report.model_copy(update={"priority": priority}),
        ReportStatus.AWAITING_ASSESSMENT,
        reason=TEXTS("timeline.in_queue", region=report.region),
        now=now,
        correlation_id=correlation_id,
    )
    return queued, [event]


@dataclass(frozen=True)
class Triaged:
    report: Report
    verdict: Verdict


def triage(
    case_number: str, *, rules: RuleSet, repository: ReportRepository, clock: Clock, correlation_id: str
) -> Triaged | None:
    """Apply the rules to a newly filed report: decide it at once, or queue it with a priority. Only a report
    still ``received`` is triaged, so a redelivered event changes nothing (None)."""
    report = repository.get(case_number)
    if report is None:
        raise NotFound(TEXTS("not_found.report", caseNumber=case_number))
    if report.status is not ReportStatus.RECEIVED:
        return None
    verdict = rules.verdict(report.details, relation_verified=report.on_behalf_of_verified)
    now = clock.now()
    if isinstance(verdict, Decided):
        decision = Decision(
            outcome=verdict.outcome.value,
            reason=verdict.reason,
            decided_by="rule",
            rule_id=verdict.rule_id,
            rule_version=verdict.rule_version,
            decided_at=now,
        )
        changed, events = apply_decision(report, decision, correlation_id=correlation_id)
    else:
        changed, events = queue_for_assessment(
            report, priority=verdict.priority, now=now, correlation_id=correlation_id
        )
    repository.replace(changed, expected_version=report.version, events=events)
    return Triaged(changed, verdict)
