"""Telling citizens by letter to their digital mailbox (Mina meddelanden): here, a decision on their report.

Only a reporter who asked (``notifyOnDecision``) is told, once per decision, with the reason. The letter is
addressed by personnummer, as the mailbox infrastructure requires: it is the one place the number leaves the
report, and it is never logged. :class:`DigitalLetter` and the ``DigitalMailbox`` port know nothing of
decisions, so other notices (found property matched to a loss report) are sent the same way.

A letter is a side effect that must happen once, however late its event is delivered again (a re-drive, an
archive replay; no consumer remembers the events it handled). So each letter has an id derived from what it
is about, and once sent it is recorded with the report it is about (``decision.letterId`` and
``notifiedAt``); a letter already recorded is never sent again. Between sending and recording a crash can
happen, or a second copy of the event can be handled at the same moment: then the same letter is sent with
the same id, which the mailbox connector drops.
"""

from __future__ import annotations

from datetime import datetime

from services.reports.domain.decisions import Outcome
from services.reports.domain.model import Decision, Report
from services.reports.domain.ports import ReportRepository
from services.reports.messages import TEXTS
from shared.clock import Clock, stockholm_time
from shared.errors import Conflict, NotFound
from shared.i18n import shown
from shared.letters import DigitalLetter, DigitalMailbox, letter_id

# Recording that the reporter was told can race a staff member's change to the report; it is simply retried.
_RECORD_ATTEMPTS = 3


def decision_letter(report: Report, decision: Decision, *, now: datetime) -> DigitalLetter:
    """The letter in the language the reporter filed in."""
    language = report.language
    outcome = Outcome(decision.outcome)
    decided_by = (
        TEXTS("letter.by_rule", ruleId=decision.rule_id or "", ruleVersion=decision.rule_version or 0)
        if decision.decided_by == "rule"
        else TEXTS("letter.by_staff", region=report.region)
    )
    filed = stockholm_time(report.filed_at).strftime("%Y-%m-%d %H:%M")
    report_type = TEXTS(f"type.{report.type}")
    paragraphs = (
        TEXTS("letter.case", caseNumber=report.case_number).render(language)
        + "\n"
        + TEXTS("letter.report", reportType=report_type, filed=filed).render(language),
        TEXTS("letter.decision", headline=TEXTS(f"outcome.{outcome.value}")).render(language),
        TEXTS("letter.reason", reason=shown(decision.reason, language)).render(language),
        decided_by.render(language),
        TEXTS("letter.follow").render(language),
    )
    return DigitalLetter(
        message_id=letter_id("decision", report.case_number, decision.decided_at),
        recipient_personnummer=report.filer_personnummer,
        subject=TEXTS("letter.subject", caseNumber=report.case_number).render(language),
        body="\n\n".join(paragraphs),
        case_number=report.case_number,
        written_at=now,
    )


def tell_reporter_of_decision(
    case_number: str,
    decided_at: datetime,
    *,
    repository: ReportRepository,
    mailbox: DigitalMailbox,
    clock: Clock,
) -> bool:
    """Send the decision made at ``decided_at`` to the reporter, if they asked and were not told yet, and
    record when. True if a letter went out. A decision since replaced by a newer one is not sent: the newer
    one will be."""
    for attempt in range(_RECORD_ATTEMPTS):
        report = repository.get(case_number)
        if report is None:
            raise NotFound(TEXTS("not_found.report", caseNumber=case_number))
        decision = report.decision
        if (
            decision is None
            or decision.decided_at != decided_at
            or decision.notified_at is not None
            or not report.details.notify_on_decision
        ):
            return False
        now = clock.now()
        letter = decision_letter(report, decision, now=now)
        if attempt == 0:
            mailbox.send(letter)
        told = report.model_copy(
            update={
                "decision": decision.model_copy(update={"notified_at": now, "letter_id": letter.message_id}),
                "version": report.version + 1,
            }
        )
        try:
            repository.replace(told, expected_version=report.version, events=[])
        except Conflict:
            continue
        return True
    raise Conflict(f"Report {case_number} kept changing; recording the notification is retried later")
