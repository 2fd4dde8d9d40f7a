"""Automated decisions: the rule set as data, triage of filed reports, and telling the reporter."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

import pytest

from services.reports.adapters.metrics import record_decision
from services.reports.domain import decisions, filing, notifications
from services.reports.domain.decisions import Decided, Outcome, Routed, RuleSet
from services.reports.domain.model import REPORT_TYPES, ReportStatus, parse_draft
from shared.clock import FixedClock
from shared.errors import Conflict
from shared.i18n import shown
from shared.identity import generate_personnummer
from tests.support.fakes import InMemoryReportRepository, RecordingMailbox, no_registers
from tests.support.reports import form, theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
RULES = decisions.current_rule_set()
WITNESS = [{"name": "Kim Andersson"}]


@pytest.fixture
def repository() -> InMemoryReportRepository:
    return InMemoryReportRepository()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def verdict(body: dict[str, Any], rules: RuleSet = RULES) -> decisions.Verdict:
    return rules.verdict(parse_draft(body))


def file(repository: InMemoryReportRepository, clock: FixedClock, body: dict[str, Any], seed: int = 1):
    personnummer = str(generate_personnummer(random.Random(seed)))
    citizen = filing.Citizen(owner_ref=f"sub-{seed}", personnummer=personnummer)
    return filing.file_report(
        parse_draft(body),
        citizen=citizen,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="corr-1",
    )


def triage(repository: InMemoryReportRepository, clock: FixedClock, case_number: str, rules: RuleSet = RULES):
    return decisions.triage(
        case_number, rules=rules, repository=repository, clock=clock, correlation_id="corr-1"
    )


# --- the shipped rule set ----------------------------------------------------------------------------------


def test_the_shipped_rule_set_is_versioned_and_ends_in_a_rule_for_everything_else() -> None:
    assert RULES.version >= 1
    assert RULES.rules[-1].when.is_empty
    assert isinstance(RULES.rules[-1].then, decisions.RouteAction)


def test_rules_may_name_exactly_the_report_types_the_service_accepts() -> None:
    assert set(get_args(decisions.ReportType)) == set(REPORT_TYPES)


@pytest.mark.parametrize(
    ("body", "rule_id", "outcome"),
    [
        (form("parkingDamage"), "parking-damage-no-leads", Outcome.INVESTIGATION_NOT_OPENED),
        (theft_report(), "bicycle-theft-no-leads", Outcome.INVESTIGATION_NOT_OPENED),
        (form("loss"), "loss-registered", Outcome.REGISTERED),
    ],
    ids=["parking-damage", "bicycle-theft", "loss"],
)
def test_clear_cases_are_decided_with_a_reason(body: dict[str, Any], rule_id: str, outcome: Outcome) -> None:
    result = verdict(body)

    assert isinstance(result, Decided)
    assert (result.rule_id, result.rule_version, result.outcome) == (rule_id, RULES.version, outcome)
    assert len(shown(result.reason, "sv")) > 40
    assert len(shown(result.reason, "en")) > 40
    assert shown(result.reason, "sv") != shown(result.reason, "en")


@pytest.mark.parametrize(
    ("body", "rule_id", "priority"),
    [
        (form("parkingDamage", witnesses=WITNESS), "leads", 2),
        (theft_report(cctv=True), "leads", 2),
        (theft_report(suspectDescription="En lång man i röd jacka"), "leads", 2),
        (theft_report(witnesses=WITNESS), "leads", 2),
        (theft_report(theftKind="home", witnesses=[]), "home-burglary", 1),
        (theft_report(theftKind="cellarOrAttic"), "theft-from-vehicle-or-storage", 2),
        (theft_report(theftKind="vehicle"), "theft-from-vehicle-or-storage", 2),
        (
            theft_report(items=[{"category": "bicycle", "brand": "Riese & Müller", "valueSek": 65000}]),
            "high-value",
            1,
        ),
        (
            theft_report(items=[{"category": "bicycle"}, {"category": "mobilePhone"}]),
            "assessment",
            3,
        ),
        (form("cardFraud"), "assessment", 3),
        (form("shopTheft", cctv=False), "assessment", 3),
        (form("vandalism"), "assessment", 3),
    ],
    ids=[
        "parking-damage-witnessed",
        "bicycle-on-camera",
        "bicycle-suspect",
        "bicycle-witness",
        "home-burglary",
        "cellar",
        "from-vehicle",
        "expensive-bicycle",
        "bicycle-and-phone",
        "card-fraud",
        "shop-theft",
        "graffiti",
    ],
)
def test_other_reports_are_routed_with_a_priority(body: dict[str, Any], rule_id: str, priority: int) -> None:
    assert verdict(body) == Routed(rule_id, RULES.version, priority)


# --- rules are data ----------------------------------------------------------------------------------------


def _rule_set(rules: list[dict[str, Any]], version: int = 7) -> str:
    return json.dumps({"version": version, "rules": rules})


CATCH_ALL = {"id": "rest", "description": "Everything else", "when": {}, "then": {"route": {"priority": 3}}}
# Every rule set that decides must first route the reports filed for someone on an unconfirmed relation.
ON_BEHALF_GUARD = {
    "id": "on-behalf",
    "description": "Filed for someone on a relation no register confirms",
    "when": {"onBehalfUnverified": True},
    "then": {"route": {"priority": 3}},
}


def test_a_rule_change_is_a_data_change(tmp_path: Path) -> None:
    stricter = tmp_path / "rules.json"
    stricter.write_text(
        _rule_set(
            [
                ON_BEHALF_GUARD,
                {
                    "id": "parking-damage-with-low-cost",
                    "description": "Only small parking damage is closed at once",
                    "when": {"reportTypes": ["parkingDamage"], "hasLeads": False, "valueSekAtMost": 0},
                    "then": {"outcome": "investigationNotOpened", "reason": "Nothing to follow up."},
                },
                {
                    "id": "bicycles-assessed",
                    "description": "Bicycles are assessed by staff this season",
                    "when": {"anyItemCategory": ["bicycle"]},
                    "then": {"route": {"priority": 4}},
                },
                CATCH_ALL,
            ]
        ),
        encoding="utf-8",
    )
    rules = decisions.parse_rule_set(stricter.read_text(encoding="utf-8"))

    assert isinstance(verdict(theft_report()), Decided)
    assert verdict(theft_report(), rules) == Routed("bicycles-assessed", 7, 4)
    assert verdict(form("parkingDamage"), rules) == Decided(
        "parking-damage-with-low-cost", 7, Outcome.INVESTIGATION_NOT_OPENED, "Nothing to follow up."
    )


def test_the_first_matching_rule_wins() -> None:
    rules = decisions.parse_rule_set(
        _rule_set(
            [
                {
                    "id": "first",
                    "description": "x",
                    "when": {"reportTypes": ["loss"]},
                    "then": {"route": {"priority": 1}},
                },
                {
                    "id": "second",
                    "description": "x",
                    "when": {"reportTypes": ["loss"]},
                    "then": {"route": {"priority": 5}},
                },
                CATCH_ALL,
            ]
        )
    )
    assert verdict(form("loss"), rules) == Routed("first", 7, 1)


@pytest.mark.parametrize(
    ("rules", "complaint"),
    [
        ([{**CATCH_ALL, "when": {"reportType": ["loss"]}}], "reportType"),
        (
            [{**CATCH_ALL, "id": "a", "when": {"reportTypes": ["loss"]}}],
            "last rule must have an empty `when`",
        ),
        ([CATCH_ALL, CATCH_ALL], "repeated: rest"),
        ([{**CATCH_ALL, "then": {"route": {"priority": 9}}}], "priority"),
        ([{**CATCH_ALL, "then": {"outcome": "registered", "reason": "x"}}], "only loss reports"),
        ([{**CATCH_ALL, "when": {"valueSekAtLeast": 10, "valueSekAtMost": 5}}], "valueSekAtLeast"),
        ([{**CATCH_ALL, "then": {"outcome": "acquitted", "reason": "x"}}], "outcome"),
        (
            [{**CATCH_ALL, "id": "closed", "then": {"outcome": "investigationNotOpened", "reason": "x"}}],
            "never decided by a rule",
        ),
        (
            [
                {
                    **CATCH_ALL,
                    "id": "a",
                    "when": {"reportTypes": ["loss"]},
                    "then": {"outcome": "registered", "reason": "x"},
                },
                ON_BEHALF_GUARD,
                CATCH_ALL,
            ],
            "never decided by a rule",
        ),
    ],
    ids=[
        "misspelt-condition",
        "no-catch-all",
        "duplicate-id",
        "priority-out-of-range",
        "registered-not-loss",
        "bounds-reversed",
        "unknown-outcome",
        "decides-without-the-on-behalf-guard",
        "decides-before-the-on-behalf-guard",
    ],
)
def test_a_broken_rule_set_is_refused_on_load_naming_the_problem(
    rules: list[dict[str, Any]], complaint: str
) -> None:
    with pytest.raises(decisions.InvalidRuleSet, match="decision rules are invalid") as refused:
        decisions.parse_rule_set(_rule_set(rules))
    assert complaint in str(refused.value)


# --- triage ------------------------------------------------------------------------------------------------


def test_a_clear_case_is_decided_at_triage_with_its_rule_version_and_reason(repository, clock) -> None:
    report = file(repository, clock, form("parkingDamage"))
    clock.advance(timedelta(seconds=2))

    triaged = triage(repository, clock, report.case_number)

    assert triaged is not None
    stored = repository.get(report.case_number)
    assert stored is not None
    assert stored.decision is not None
    assert stored.status is ReportStatus.CLOSED
    assert stored.decision.outcome == "investigationNotOpened"
    assert (stored.decision.decided_by, stored.decision.rule_id) == ("rule", "parking-damage-no-leads")
    assert stored.decision.rule_version == RULES.version
    assert stored.decision.decided_at == NOW + timedelta(seconds=2)
    assert stored.timeline[-1].status is ReportStatus.CLOSED
    assert stored.timeline[-1].reason == stored.decision.reason
    decided, changed = repository.events[-2:]
    assert decided.metadata.event_type == "ReportDecided"
    assert decided.data.model_dump(by_alias=True)["ruleId"] == "parking-damage-no-leads"
    assert decided.data.model_dump(by_alias=True)["notifyReporter"] is True
    assert changed.metadata.event_type == "ReportStatusChanged"


def test_a_loss_is_registered_and_stays_open(repository, clock) -> None:
    report = file(repository, clock, form("loss"))
    triage(repository, clock, report.case_number)

    stored = repository.get(report.case_number)
    assert stored is not None
    assert stored.decision is not None
    assert stored.status is ReportStatus.REGISTERED
    assert stored.status.is_open
    assert stored.decision.outcome == "registered"


def test_the_rest_waits_in_the_region_queue_with_its_priority(repository, clock) -> None:
    report = file(repository, clock, form("theft"))

    triage(repository, clock, report.case_number)

    stored = repository.get(report.case_number)
    assert stored is not None
    assert (stored.status, stored.priority, stored.decision) == (ReportStatus.AWAITING_ASSESSMENT, 1, None)
    assert "Väst" in shown(stored.timeline[-1].reason)
    assert [e.metadata.event_type for e in repository.events[-1:]] == ["ReportStatusChanged"]


def test_triage_twice_changes_nothing_the_second_time(repository, clock) -> None:
    report = file(repository, clock, theft_report())
    first = triage(repository, clock, report.case_number)
    events = len(repository.events)
    clock.advance(timedelta(minutes=1))

    again = triage(repository, clock, report.case_number)

    assert first is not None
    assert again is None
    assert len(repository.events) == events
    stored = repository.get(report.case_number)
    assert stored is not None
    assert stored.decision is not None
    assert stored.decision.decided_at == NOW


# --- telling the reporter ----------------------------------------------------------------------------------


def tell(repository, clock, mailbox, case_number: str, decided_at: datetime) -> bool:
    return notifications.tell_reporter_of_decision(
        case_number, decided_at, repository=repository, mailbox=mailbox, clock=clock
    )


def test_a_reporter_who_asked_gets_the_decision_and_its_reason_once(repository, clock) -> None:
    report = file(repository, clock, form("parkingDamage"))
    triage(repository, clock, report.case_number)
    decided = repository.get(report.case_number)
    assert decided is not None
    assert decided.decision is not None
    mailbox = RecordingMailbox()
    clock.advance(timedelta(seconds=5))

    sent = tell(repository, clock, mailbox, report.case_number, decided.decision.decided_at)
    again = tell(repository, clock, mailbox, report.case_number, decided.decision.decided_at)

    assert (sent, again) == (True, False)
    (letter,) = mailbox.letters
    assert letter.recipient_personnummer == report.filer_personnummer
    assert report.case_number in letter.subject
    # Filed without asking for English: the letter is in Swedish.
    assert shown(decided.decision.reason, "sv") in letter.body
    assert "Förundersökning inleds inte." in letter.body
    assert "automatiskt" in letter.body
    told = repository.get(report.case_number)
    assert told is not None
    assert told.decision is not None
    assert told.decision.notified_at == NOW + timedelta(seconds=5)


def test_a_reporter_who_did_not_ask_is_not_written_to(repository, clock) -> None:
    report = file(repository, clock, form("parkingDamage", notifyOnDecision=False))
    triage(repository, clock, report.case_number)
    decided = repository.get(report.case_number)
    assert decided is not None
    assert decided.decision is not None
    mailbox = RecordingMailbox()

    assert tell(repository, clock, mailbox, report.case_number, decided.decision.decided_at) is False
    assert mailbox.letters == []
    stored = repository.get(report.case_number)
    assert stored is not None
    assert stored.decision is not None
    assert stored.decision.notified_at is None


def test_a_letter_retried_after_a_failed_record_carries_the_same_message_id(repository, clock) -> None:
    report = file(repository, clock, form("parkingDamage"))
    triage(repository, clock, report.case_number)
    decided = repository.get(report.case_number)
    assert decided is not None
    assert decided.decision is not None
    mailbox = RecordingMailbox()

    class ConflictingRepository(InMemoryReportRepository):
        def replace(self, *args: Any, **kwargs: Any) -> None:
            raise Conflict("changed")

    flaky = ConflictingRepository()
    flaky.reports = repository.reports
    with pytest.raises(Conflict):
        tell(flaky, clock, mailbox, report.case_number, decided.decision.decided_at)
    tell(repository, clock, mailbox, report.case_number, decided.decision.decided_at)

    first, second = mailbox.letters
    assert first.message_id == second.message_id


# --- metrics -----------------------------------------------------------------------------------------------


def test_each_decision_counts_by_who_decided_and_times_filing_to_decision(
    repository, clock, capsys: pytest.CaptureFixture[str]
) -> None:
    report = file(repository, clock, form("parkingDamage"))
    clock.advance(timedelta(seconds=3))
    triaged = triage(repository, clock, report.case_number)
    assert triaged is not None
    assert triaged.report.decision is not None
    capsys.readouterr()

    record_decision(triaged.report.decision, filed_at=triaged.report.filed_at)

    points = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {p["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"] for p in points} == {
        "ReportsDecided",
        "SecondsFromFilingToDecision",
    }
    assert all(p["decidedBy"] == "rule" for p in points)
    assert [p["SecondsFromFilingToDecision"] for p in points if "SecondsFromFilingToDecision" in p] == [[3.0]]
