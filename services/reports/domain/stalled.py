"""Reports whose triage never ran: found, shown to staff and counted, so that stalled work is never silent.

A filed report is ``received`` until triage decides it or queues it, within seconds of filing. One still
``received`` minutes later means its ``ReportFiled`` never reached triage, or triage kept failing on it: the
event is on its way back (the outbox sweeper republishes what never reached the bus; a dead letter waits to
be re-driven), but until it is, no one would know the report exists. So a scheduled job looks for them:

- each such report is marked overdue (``triageOverdueSince``) and so joins the head of its region's staff
  queue, as ``received``; a case handler may take it from there, and a triage that runs later leaves a taken
  report alone (it triages only what is still received);
- the job counts every such report in the metric ``ReportsStalled``, which alarms while it is above zero,
  and drops back to zero once triage catches up.

Nothing is decided here and no event is published: an overdue report is still the rules' to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.reports.domain.model import ReportStatus
from services.reports.domain.ports import ReportRepository, TriageBacklog
from shared.clock import Clock
from shared.errors import Conflict

# A run marks at most this many, so a large backlog (a long outage) stays well inside the job's timeout; the
# next run, minutes later, marks the rest. All of them are counted either way.
MAX_MARKED_PER_RUN = 200


@dataclass(frozen=True)
class StalledRun:
    stalled: list[str] = field(default_factory=list)  # case numbers still received past the limit
    marked: list[str] = field(default_factory=list)  # of those, marked overdue by this run


def find_stalled_reports(
    *, backlog: TriageBacklog, repository: ReportRepository, clock: Clock, overdue_after: timedelta
) -> StalledRun:
    """Every report still received ``overdue_after`` after its filing: counted, and marked overdue once."""
    now = clock.now()
    run = StalledRun()
    for report in backlog.received_before(now - overdue_after):
        if report.status is not ReportStatus.RECEIVED:
            continue  # the index lags: it was triaged a moment ago
        run.stalled.append(report.case_number)
        if report.triage_overdue_since is not None or len(run.marked) >= MAX_MARKED_PER_RUN:
            continue
        overdue = report.model_copy(update={"triage_overdue_since": now, "version": report.version + 1})
        try:
            repository.replace(overdue, expected_version=report.version, events=[])
        except Conflict:
            continue  # it changed meanwhile (triage ran, most likely); the next run looks again
        run.marked.append(report.case_number)
    return run
