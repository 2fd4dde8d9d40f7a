"""Staff's case work: the region queue, taking, moving and deciding cases, notes, and the audit trail."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reports.contracts import ReportView
from services.reports.domain import decisions, filing
from services.reports.domain.audit import AuditAction, NotPermitted
from services.reports.domain.decisions import Outcome
from services.reports.domain.model import Report, ReportStatus, parse_draft
from services.reports.domain.staff import (
    CASE_HANDLER,
    NATIONAL,
    CaseDesk,
    StaffMember,
)
from shared.clock import FixedClock
from shared.errors import Conflict, InvalidInput, NotFound
from shared.identity import generate_personnummer
from tests.support.fakes import InMemoryAuditLog, InMemoryCaseWork, no_registers
from tests.support.reports import form, theft_report

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
STOCKHOLM_HANDLER = StaffMember("PM-1", "Stockholm", frozenset({CASE_HANDLER}))
COLLEAGUE = StaffMember("PM-2", "Stockholm", frozenset({CASE_HANDLER}))
READER = StaffMember("PM-3", "Stockholm", frozenset())
VAST_HANDLER = StaffMember("PM-9", "Väst", frozenset({CASE_HANDLER}))
NATIONAL_HANDLER = StaffMember("PM-N", NATIONAL, frozenset({CASE_HANDLER}))


@pytest.fixture
def audit() -> InMemoryAuditLog:
    return InMemoryAuditLog()


@pytest.fixture
def cases(audit: InMemoryAuditLog) -> InMemoryCaseWork:
    return InMemoryCaseWork(audit)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


def desk(staff: StaffMember, cases: InMemoryCaseWork, clock: FixedClock) -> CaseDesk:
    return CaseDesk(staff=staff, cases=cases, audit=cases.audit, clock=clock, correlation_id="corr-staff")


def queued(
    cases: InMemoryCaseWork, clock: FixedClock, body: dict[str, Any] | None = None, seed: int = 1
) -> Report:
    """A report filed in Stockholm and routed to the queue by the rules."""
    citizen = filing.Citizen(
        owner_ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(seed)))
    )
    draft = parse_draft(body or theft_report(witnesses=[{"name": "Kim"}]))
    report = filing.file_report(
        draft,
        citizen=citizen,
        repository=cases,
        registers=no_registers(),
        clock=clock,
        correlation_id="corr-1",
    )
    triaged = decisions.triage(
        report.case_number,
        rules=decisions.current_rule_set(),
        repository=cases,
        clock=clock,
        correlation_id="c",
    )
    assert triaged is not None
    return triaged.report


def test_the_queue_shows_the_most_urgent_first_then_the_oldest(cases, clock) -> None:
    ordinary = queued(
        cases, clock, form("cardFraud", location={"municipalityCode": "0180", "address": "Internet"})
    )
    clock.advance(timedelta(minutes=1))
    with_leads = queued(cases, clock)
    clock.advance(timedelta(minutes=1))
    burglary = queued(cases, clock, theft_report(theftKind="home"))
    clock.advance(timedelta(minutes=1))
    later_leads = queued(cases, clock)
    queued(cases, clock, form("theft"))  # Väst's

    page = desk(STOCKHOLM_HANDLER, cases, clock).queue(None, limit=10, start=None)

    assert [r.case_number for r in page.reports] == [
        burglary.case_number,
        with_leads.case_number,
        later_leads.case_number,
        ordinary.case_number,
    ]


def test_a_staff_member_cannot_read_another_regions_queue_and_the_attempt_is_audited(
    cases, clock, audit
) -> None:
    with pytest.raises(NotPermitted):
        desk(VAST_HANDLER, cases, clock).queue("Stockholm", limit=10, start=None)

    (record,) = audit.records
    assert (record.action, record.allowed, record.region, record.staff_id) == (
        AuditAction.VIEW_QUEUE,
        False,
        "Stockholm",
        "PM-9",
    )


def test_national_staff_name_the_region_whose_queue_they_read(cases, clock) -> None:
    report = queued(cases, clock)
    national = desk(NATIONAL_HANDLER, cases, clock)

    with pytest.raises(InvalidInput) as missing:
        national.queue(None, limit=10, start=None)
    with pytest.raises(InvalidInput) as unknown:
        national.queue("Atlantis", limit=10, start=None)

    assert set(missing.value.reasons) == set(unknown.value.reasons) == {"region"}
    assert [r.case_number for r in national.queue("Stockholm", limit=10, start=None).reports] == [
        report.case_number
    ]


def test_another_regions_case_is_not_found_for_reading_or_changing_and_both_are_audited(
    cases, clock, audit
) -> None:
    report = queued(cases, clock)
    stranger = desk(VAST_HANDLER, cases, clock)

    with pytest.raises(NotFound) as read:
        stranger.read(report.case_number)
    with pytest.raises(NotFound):
        stranger.take(report.case_number)
    with pytest.raises(NotFound) as missing:
        stranger.read("K999-26")

    assert str(read.value).replace(report.case_number, "K") == str(missing.value).replace("K999-26", "K")
    assert [(r.action, r.allowed) for r in audit.records] == [
        (AuditAction.VIEW_REPORT, False),
        (AuditAction.TAKE_CASE, False),
        (AuditAction.VIEW_REPORT, False),
    ]
    assert cases.get(report.case_number) == report


def test_changing_a_case_needs_the_case_handler_role(cases, clock, audit) -> None:
    report = queued(cases, clock)
    reader = desk(READER, cases, clock)

    assert reader.read(report.case_number).report == report
    for change in (
        lambda: reader.take(report.case_number),
        lambda: reader.add_note(report.case_number, "Ring vittnet."),
        lambda: reader.decide(report.case_number, Outcome.INVESTIGATION_NOT_OPENED, reason="x"),
    ):
        with pytest.raises(NotPermitted):
            change()
    assert [r.allowed for r in audit.records] == [True, False, False, False]


def test_a_case_handler_takes_notes_and_decides_and_each_step_is_audited(cases, clock, audit) -> None:
    report = queued(cases, clock)
    mine = desk(STOCKHOLM_HANDLER, cases, clock)
    clock.advance(timedelta(hours=3))

    taken = mine.take(report.case_number)
    note = mine.add_note(report.case_number, "Vittnet nås efter kl 17.")
    decided = mine.decide(
        report.case_number, Outcome.INVESTIGATION_OPENED, reason="The witness saw the thief."
    )
    case = mine.read(report.case_number)

    assert (taken.status, taken.assignee) == (ReportStatus.UNDER_ASSESSMENT, "PM-1")
    assert decided.status is ReportStatus.UNDER_INVESTIGATION
    assert decided.decision is not None
    assert (decided.decision.decided_by, decided.decision.staff_id) == ("staff", "PM-1")
    assert decided.decision.rule_id is None
    assert decided.timeline[-1].reason == "The witness saw the thief."
    assert case.notes == [note]
    assert [(r.action, r.case_number, r.allowed) for r in audit.records] == [
        (AuditAction.TAKE_CASE, report.case_number, True),
        (AuditAction.ADD_NOTE, report.case_number, True),
        (AuditAction.DECIDE, report.case_number, True),
        (AuditAction.VIEW_REPORT, report.case_number, True),
    ]
    assert all(r.at == NOW + timedelta(hours=3) and r.staff_id == "PM-1" for r in audit.records)
    assert "Vittnet" not in str([r.model_dump() for r in audit.records])
    events = [e.metadata.event_type for e in cases.events[-3:]]
    assert events == ["ReportStatusChanged", "ReportDecided", "ReportStatusChanged"]


def test_notes_never_reach_the_reporters_view(cases, clock) -> None:
    report = queued(cases, clock)
    desk(STOCKHOLM_HANDLER, cases, clock).add_note(report.case_number, "Misstänkt känd sedan tidigare.")

    stored = cases.get(report.case_number)
    assert stored is not None
    assert "Misstänkt" not in ReportView.of(stored).model_dump_json()


def test_a_case_held_by_someone_else_cannot_be_taken_moved_or_decided(cases, clock) -> None:
    report = queued(cases, clock)
    desk(STOCKHOLM_HANDLER, cases, clock).take(report.case_number)
    colleague = desk(COLLEAGUE, cases, clock)

    for attempt in (
        lambda: colleague.take(report.case_number),
        lambda: colleague.change_status(report.case_number, ReportStatus.AWAITING_ASSESSMENT, reason="x"),
        lambda: colleague.decide(report.case_number, Outcome.INVESTIGATION_NOT_OPENED, reason="x"),
    ):
        with pytest.raises(Conflict, match="held by another"):
            attempt()
    colleague.add_note(report.case_number, "Liknande fall på samma adress i går.")


def test_taking_ones_own_case_again_changes_nothing(cases, clock) -> None:
    report = queued(cases, clock)
    mine = desk(STOCKHOLM_HANDLER, cases, clock)
    taken = mine.take(report.case_number)

    assert mine.take(report.case_number) == taken


def test_a_case_must_be_taken_before_it_is_decided(cases, clock) -> None:
    report = queued(cases, clock)

    with pytest.raises(Conflict, match="take the case"):
        desk(STOCKHOLM_HANDLER, cases, clock).decide(
            report.case_number, Outcome.INVESTIGATION_OPENED, reason="x"
        )


def test_a_case_handed_back_returns_to_the_queue_for_someone_else(cases, clock) -> None:
    report = queued(cases, clock)
    mine = desk(STOCKHOLM_HANDLER, cases, clock)
    mine.take(report.case_number)

    back = mine.change_status(
        report.case_number, ReportStatus.AWAITING_ASSESSMENT, reason="Needs a specialist."
    )
    taken = desk(COLLEAGUE, cases, clock).take(report.case_number)

    assert (back.status, back.assignee, back.priority) == (
        ReportStatus.AWAITING_ASSESSMENT,
        None,
        report.priority,
    )
    assert taken.assignee == "PM-2"


@pytest.mark.parametrize(
    ("status", "target"),
    [
        (ReportStatus.AWAITING_ASSESSMENT, ReportStatus.CLOSED),
        (ReportStatus.AWAITING_ASSESSMENT, ReportStatus.UNDER_INVESTIGATION),
        (ReportStatus.UNDER_ASSESSMENT, ReportStatus.CLOSED),
        (ReportStatus.UNDER_ASSESSMENT, ReportStatus.RECEIVED),
    ],
)
def test_only_allowed_status_changes_are_made(
    cases, clock, status: ReportStatus, target: ReportStatus
) -> None:
    report = queued(cases, clock)
    mine = desk(STOCKHOLM_HANDLER, cases, clock)
    if status is ReportStatus.UNDER_ASSESSMENT:
        mine.take(report.case_number)

    with pytest.raises(Conflict, match="cannot move"):
        mine.change_status(report.case_number, target, reason="x")


def test_a_case_closed_by_a_rule_can_be_reopened_and_decided_again(cases, clock) -> None:
    closed = queued(
        cases, clock, form("parkingDamage", location={"municipalityCode": "0180", "address": "X 1"})
    )
    assert closed.status is ReportStatus.CLOSED
    mine = desk(STOCKHOLM_HANDLER, cases, clock)

    reopened = mine.change_status(
        closed.case_number,
        ReportStatus.UNDER_ASSESSMENT,
        reason="A witness called in with the other car's number.",
    )
    decided = mine.decide(closed.case_number, Outcome.INVESTIGATION_OPENED, reason="The other car is known.")

    assert (reopened.status, reopened.assignee) == (ReportStatus.UNDER_ASSESSMENT, "PM-1")
    assert decided.decision is not None
    assert decided.decision.decided_by == "staff"
    assert [e.status for e in decided.timeline] == [
        ReportStatus.RECEIVED,
        ReportStatus.CLOSED,
        ReportStatus.UNDER_ASSESSMENT,
        ReportStatus.UNDER_INVESTIGATION,
    ]


def test_an_outcome_that_does_not_fit_the_status_is_refused(cases, clock) -> None:
    report = queued(cases, clock)
    mine = desk(STOCKHOLM_HANDLER, cases, clock)
    mine.take(report.case_number)

    with pytest.raises(Conflict, match="investigationNotOpened, investigationOpened"):
        mine.decide(report.case_number, Outcome.INVESTIGATION_DISCONTINUED, reason="x")
    with pytest.raises(Conflict):
        mine.decide(report.case_number, Outcome.REGISTERED, reason="x")


def test_national_staff_work_any_regions_case(cases, clock) -> None:
    report = queued(cases, clock)
    national = desk(NATIONAL_HANDLER, cases, clock)

    national.take(report.case_number)
    decided = national.decide(
        report.case_number, Outcome.INVESTIGATION_NOT_OPENED, reason="No leads after all."
    )

    assert decided.status is ReportStatus.CLOSED
    assert decided.assignee is None
