"""Reports whose triage never ran are found, marked overdue once, and counted while they stay so."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from services.reports.domain import decisions, filing, stalled
from services.reports.domain.model import ReportStatus, parse_draft
from shared.clock import FixedClock
from shared.errors import Conflict
from shared.identity import generate_personnummer
from tests.support.fakes import InMemoryReportRepository, no_registers
from tests.support.reports import form, theft_report

FILED = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
OVERDUE_AFTER = timedelta(minutes=10)


def file(repository: InMemoryReportRepository, clock: FixedClock, body: dict[str, Any], seed: int = 1) -> str:
    citizen = filing.Citizen(
        owner_ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(seed)))
    )
    report = filing.file_report(
        parse_draft(body),
        citizen=citizen,
        repository=repository,
        registers=no_registers(),
        clock=clock,
        correlation_id="c-1",
    )
    return report.case_number


def look(repository: InMemoryReportRepository, clock: FixedClock) -> stalled.StalledRun:
    return stalled.find_stalled_reports(
        backlog=repository, repository=repository, clock=clock, overdue_after=OVERDUE_AFTER
    )


def test_a_report_still_received_past_the_limit_is_marked_overdue_once_and_counted_until_triaged() -> None:
    repository, clock = InMemoryReportRepository(), FixedClock(FILED)
    lost = file(repository, clock, theft_report())
    triaged = file(repository, clock, form("parkingDamage"), seed=2)
    decisions.triage(
        triaged, rules=decisions.current_rule_set(), repository=repository, clock=clock, correlation_id="c"
    )

    clock.advance(OVERDUE_AFTER - timedelta(seconds=1))
    assert look(repository, clock) == stalled.StalledRun()

    clock.advance(timedelta(seconds=2))
    first = look(repository, clock)
    assert (first.stalled, first.marked) == ([lost], [lost])
    report = repository.get(lost)
    assert report is not None
    assert report.status is ReportStatus.RECEIVED
    assert report.triage_overdue
    assert report.triage_overdue_since == clock.now()

    clock.advance(timedelta(minutes=5))
    assert look(repository, clock) == stalled.StalledRun(stalled=[lost], marked=[])

    decisions.triage(
        lost, rules=decisions.current_rule_set(), repository=repository, clock=clock, correlation_id="c"
    )
    assert look(repository, clock) == stalled.StalledRun()


def test_marking_publishes_nothing_and_a_report_that_changed_meanwhile_is_left_for_the_next_run() -> None:
    repository, clock = InMemoryReportRepository(), FixedClock(FILED)
    case = file(repository, clock, theft_report())
    published = len(repository.events)

    class Racing(InMemoryReportRepository):
        def replace(self, *args: Any, **kwargs: Any) -> None:
            raise Conflict("triage got there first")

    racing = Racing()
    racing.reports = repository.reports
    clock.advance(timedelta(hours=1))
    raced = stalled.find_stalled_reports(
        backlog=repository, repository=racing, clock=clock, overdue_after=OVERDUE_AFTER
    )
    assert (raced.stalled, raced.marked) == ([case], [])

    assert look(repository, clock).marked == [case]
    assert len(repository.events) == published


def test_a_long_backlog_is_all_counted_and_marked_a_bounded_number_at_a_time(monkeypatch: Any) -> None:
    monkeypatch.setattr(stalled, "MAX_MARKED_PER_RUN", 2)
    repository, clock = InMemoryReportRepository(), FixedClock(FILED)
    cases = [file(repository, clock, theft_report(), seed=seed) for seed in range(1, 6)]
    clock.advance(timedelta(hours=1))

    first = look(repository, clock)
    assert (first.stalled, first.marked) == (cases, cases[:2])
    assert look(repository, clock).marked == cases[2:4]
