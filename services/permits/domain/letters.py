"""What the permits service writes to applicants: the decision as a PDF letter they fetch, and the letters to
their digital mailbox (decision, dismissal, completion request, delay notice, a licence about to run out).

Written in the language the applicant applied in. Each letter's id is derived from what it is about, so a
letter written twice (a retried job, a redelivered event) is the same letter, which the mailbox connector
drops.
"""

from __future__ import annotations

from datetime import date, datetime

from services.permits.domain.model import Application, Decision, Licence, Outcome
from services.permits.messages import TEXTS
from shared.clock import stockholm_time
from shared.i18n import Language, shown
from shared.letters import DigitalLetter, letter_id
from shared.pdf import Line, render


def _kind(application: Application, language: Language) -> str:
    return TEXTS(f"kind.{application.kind.value}").render(language)


def decision_pdf(application: Application) -> bytes:
    """The decision letter; the application must be decided."""
    decision = application.decision
    assert decision is not None
    language = application.language

    def text(key: str, **params: str | int) -> str:
        return TEXTS(key, **params).render(language)

    lines = [
        Line(text("pdf.title"), "title"),
        Line(text("pdf.case", diarienummer=application.diarienummer)),
        Line(text("pdf.kind", kind=_kind(application, language))),
        Line(text("pdf.decided", day=stockholm_time(decision.decided_at).date().isoformat())),
        Line(""),
        Line(text(f"pdf.outcome.{decision.outcome.value}"), "heading"),
        Line(shown(decision.reasons, language)),
    ]
    if decision.conditions:
        lines += [Line(text("pdf.conditions"), "heading"), Line(decision.conditions)]
    if decision.valid_until:
        lines.append(Line(text("pdf.valid_until", day=decision.valid_until.isoformat())))
    if decision.licence_numbers:
        lines.append(Line(text("pdf.licences", numbers=", ".join(decision.licence_numbers))))
    if decision.decided_by == "rule":
        lines.append(
            Line(
                text("pdf.by_rule", ruleId=decision.rule_id or "", ruleVersion=decision.rule_version or 0),
                "small",
            )
        )
    if decision.outcome is Outcome.REFUSED:
        lines += [Line(text("pdf.appeal_heading"), "heading"), Line(text("pdf.appeal"))]
    lines += [Line(""), Line(text("pdf.fee_kept", fee=application.fee.amount_sek), "small")]
    return render(lines, title=text("pdf.title"))


def receipt_pdf(application: Application) -> bytes:
    """The receipt of a submitted application: its diarienummer, what was applied for, the fee and how to pay."""
    language = application.language

    def text(key: str, **params: str | int) -> str:
        return TEXTS(key, **params).render(language)

    submitted = stockholm_time(application.submitted_at).strftime("%Y-%m-%d %H:%M")
    lines = [
        Line(text("receipt.title"), "title"),
        Line(text("pdf.case", diarienummer=application.diarienummer)),
        Line(text("pdf.kind", kind=_kind(application, language))),
        Line(text("receipt.submitted", at=submitted)),
        Line(""),
        Line(text("receipt.fee"), "heading"),
        *(Line(f"{shown(line.what, language)}: {line.amount_sek} kr") for line in application.fee.lines),
        Line(text("payment.how", amount=application.fee.amount_sek, reference=application.payment.reference)),
        Line(text("receipt.pay_by", day=stockholm_time(application.payment_due_at).date().isoformat())),
        Line(text("fee.kept_on_refusal", amount=application.fee.amount_sek), "small"),
    ]
    return render(lines, title=text("receipt.title"))


def _letter(
    application: Application, kind: str, moment: datetime, subject: str, body: str, now: datetime
) -> DigitalLetter:
    return DigitalLetter(
        message_id=letter_id(f"permits/{kind}", application.diarienummer, moment),
        recipient_personnummer=application.applicant_personnummer,
        subject=subject,
        body=body,
        case_number=application.diarienummer,
        written_at=now,
    )


def decision_letter(application: Application, decision: Decision, *, now: datetime) -> DigitalLetter:
    language = application.language
    number = application.diarienummer
    body = "\n\n".join(
        (
            TEXTS(
                f"letter.decision.{decision.outcome.value}",
                diarienummer=number,
                kind=_kind(application, language),
            ).render(language),
            shown(decision.reasons, language),
            TEXTS("letter.decision.fetch", diarienummer=number).render(language),
            *([TEXTS("pdf.appeal").render(language)] if decision.outcome is Outcome.REFUSED else []),
        )
    )
    return _letter(
        application,
        "decision",
        decision.decided_at,
        TEXTS("letter.decision.subject", diarienummer=number).render(language),
        body,
        now,
    )


def dismissal_letter(application: Application, *, dismissed_at: datetime, now: datetime) -> DigitalLetter:
    language = application.language
    number = application.diarienummer
    return _letter(
        application,
        "dismissed",
        dismissed_at,
        TEXTS("letter.dismissed.subject", diarienummer=number).render(language),
        TEXTS("letter.dismissed.body", diarienummer=number, kind=_kind(application, language)).render(
            language
        ),
        now,
    )


def completion_letter(application: Application, request_id: str, *, now: datetime) -> DigitalLetter | None:
    request = next((c for c in application.completions if c.request_id == request_id), None)
    if request is None:
        return None
    language = application.language
    number = application.diarienummer
    return _letter(
        application,
        f"completion/{request_id}",
        request.requested_at,
        TEXTS("letter.completion.subject", diarienummer=number).render(language),
        TEXTS(
            "letter.completion.body",
            diarienummer=number,
            asked=shown(request.asked, language),
            dueOn=request.due_on.isoformat(),
        ).render(language),
        now,
    )


def delay_letter(application: Application, expected_on: date, *, now: datetime) -> DigitalLetter:
    language = application.language
    number = application.diarienummer
    return _letter(
        application,
        "delay",
        application.payment.paid_at or application.submitted_at,
        TEXTS("letter.delay.subject", diarienummer=number).render(language),
        TEXTS("letter.delay.body", diarienummer=number, expectedOn=expected_on.isoformat()).render(language),
        now,
    )


def expiry_letter(licence: Licence, *, now: datetime) -> DigitalLetter:
    key = (
        "letter.expiry.purchasePermit" if licence.kind.value == "purchasePermit" else "letter.expiry.licence"
    )
    valid_until = licence.valid_until.isoformat() if licence.valid_until else ""
    return DigitalLetter(
        message_id=letter_id(
            "permits/expiry", licence.licence_number, datetime.fromisoformat(f"{valid_until}T00:00:00+00:00")
        ),
        recipient_personnummer=licence.holder_personnummer,
        subject=TEXTS("letter.expiry.subject", number=licence.licence_number).render("sv"),
        body=TEXTS(key, number=licence.licence_number, validUntil=valid_until).render("sv"),
        case_number=licence.licence_number,
        written_at=now,
    )
