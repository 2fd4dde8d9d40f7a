"""The public HTTP contract of the permits API (camelCase on the wire, times in Europe/Stockholm).

A diarienummer holds a slash (``A579.501/2026``); in a path it is written with a hyphen for the slash
(``A579.501-2026``), so no proxy has to pass an encoded slash.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import AwareDatetime, Field, StringConstraints

from services.permits.domain.following import Forecast, waiting_for
from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    Check,
    Details,
    Licence,
    LicenceKind,
    LicenceStatus,
    MunicipalityVerdict,
    Organisation,
    Period,
    PermitKind,
    Place,
    PublicPlaceDetails,
    PublicPlacePurpose,
    Text,
)
from services.permits.messages import TEXTS
from shared.i18n import Localized, kept
from shared.models import CamelModel, Day

DIARIENUMMER_PATH_PATTERN = r"^[A-Z]\d{3}\.\d{3}-\d{4}$"

DiarienummerPath = Annotated[
    str,
    Path(
        pattern=DIARIENUMMER_PATH_PATTERN,
        description="The diarienummer with a hyphen for its slash: A579.501/2026 is A579.501-2026",
        examples=["A579.501-2026"],
    ),
]
RequestIdPath = Annotated[
    str, Path(pattern=r"^[0-9a-f-]{36}$", examples=["5f0c2b9e-8d1a-4c3e-9b7f-2a6d4e8c1f00"])
]
QueuePath = Annotated[str, Path(pattern=r"^[A-Za-zÅÄÖåäö]{2,20}$", examples=["weapons", "Stockholm"])]


def diarienummer_from_path(text: str) -> str:
    head, _, year = text.rpartition("-")
    return f"{head}/{year}"


def path_of(diarienummer: str) -> str:
    return diarienummer.replace("/", "-")


# --- requests ----------------------------------------------------------------------------------------------


class FeeQuoteRequest(CamelModel):
    details: Details


class SubmitApplicationRequest(CamelModel):
    details: Details
    # A company or association applying for a public place, through the person logged in.
    organisation: Organisation | None = None


class SketchUploadRequest(CamelModel):
    content_type: Annotated[str, StringConstraints(max_length=100)]
    size_bytes: Annotated[int, Field(ge=1, le=1_000_000_000)]


class CompletionAnswerRequest(CamelModel):
    answer: Text


class ReferralAnswerRequest(CamelModel):
    verdict: MunicipalityVerdict
    conditions: Text | None = None
    reason: Text | None = None


class CompletionRequestBody(CamelModel):
    asked: Text
    # By default the rules' completion period (14 days) from today.
    due_on: Day | None = None


class DecisionRequest(CamelModel):
    outcome: Literal["granted", "refused"]
    reasons: Text
    conditions: Text | None = None
    valid_until: Day | None = None


# --- answers -----------------------------------------------------------------------------------------------


class FeeLineView(CamelModel):
    what: Localized
    amount_sek: int


class FeeView(CamelModel):
    amount_sek: int
    lines: list[FeeLineView]
    kept_on_refusal: bool
    notice: Localized


class PaymentView(CamelModel):
    reference: str
    due_at: AwareDatetime
    paid_at: AwareDatetime | None = None
    how: Localized


class TimelineView(CamelModel):
    at: AwareDatetime
    status: ApplicationStatus
    text: Localized


class CompletionView(CamelModel):
    request_id: str
    asked: Localized
    due_on: date
    requested_at: AwareDatetime
    answered_at: AwareDatetime | None = None
    lapsed: bool


class MunicipalityAnswerView(CamelModel):
    verdict: MunicipalityVerdict
    conditions: str | None = None
    reason: str | None = None
    answered_at: AwareDatetime


class DecisionView(CamelModel):
    outcome: Literal["granted", "refused"]
    decided_at: AwareDatetime
    decided_by: Literal["rule", "staff"]
    rule_id: str | None = None
    rule_version: int | None = None
    reasons: Localized
    conditions: str | None = None
    valid_until: date | None = None
    licence_numbers: list[str]
    appeal: Localized | None = None
    letter: str  # the decision letter's path (PDF)


class ApplicationView(CamelModel):
    diarienummer: str
    kind: PermitKind
    status: ApplicationStatus
    waiting_for: Localized
    submitted_at: AwareDatetime
    region: str
    fee: FeeView
    payment: PaymentView
    expected_decision_on: date | None = None
    sketch_uploaded: bool | None = None
    municipality_answer: MunicipalityAnswerView | None = None
    completions: list[CompletionView]
    decision: DecisionView | None = None
    timeline: list[TimelineView]
    details: Details

    @classmethod
    def of(cls, application: Application, *, forecast: Forecast | None = None) -> ApplicationView:
        answer = application.referral.answer if application.referral else None
        decision = application.decision
        return cls(
            diarienummer=application.diarienummer,
            kind=application.kind,
            status=application.status,
            waiting_for=TEXTS(waiting_for(application)).kept(),
            submitted_at=application.submitted_at,
            region=application.region,
            fee=fee_view(application.fee.amount_sek, application.fee.lines),
            payment=PaymentView(
                reference=application.payment.reference,
                due_at=application.payment_due_at,
                paid_at=application.payment.paid_at,
                how=TEXTS(
                    "payment.how", reference=application.payment.reference, amount=application.fee.amount_sek
                ).kept(),
            ),
            expected_decision_on=forecast.expected_on if forecast else None,
            sketch_uploaded=(application.sketch is not None and application.sketch.uploaded_at is not None)
            if isinstance(application.details, PublicPlaceDetails)
            else None,
            municipality_answer=MunicipalityAnswerView(
                verdict=answer.verdict,
                conditions=answer.conditions,
                reason=answer.reason,
                answered_at=answer.answered_at,
            )
            if answer
            else None,
            completions=[
                CompletionView(
                    request_id=c.request_id,
                    asked=c.asked,
                    due_on=c.due_on,
                    requested_at=c.requested_at,
                    answered_at=c.answered_at,
                    lapsed=c.lapsed_at is not None,
                )
                for c in application.completions
            ],
            decision=DecisionView(
                outcome=decision.outcome.value,
                decided_at=decision.decided_at,
                decided_by=decision.decided_by,
                rule_id=decision.rule_id,
                rule_version=decision.rule_version,
                reasons=decision.reasons,
                conditions=decision.conditions,
                valid_until=decision.valid_until,
                licence_numbers=list(decision.licence_numbers),
                appeal=TEXTS("pdf.appeal").kept() if decision.outcome.value == "refused" else None,
                letter=f"/permits/v1/applications/{path_of(application.diarienummer)}/decision",
            )
            if decision
            else None,
            timeline=[TimelineView(at=t.at, status=t.status, text=t.text) for t in application.timeline],
            details=application.details,
        )


def fee_view(amount: int, lines: tuple[object, ...]) -> FeeView:
    return FeeView(
        amount_sek=amount,
        lines=[FeeLineView(what=kept(line.what), amount_sek=line.amount_sek) for line in lines],  # type: ignore[attr-defined]
        kept_on_refusal=True,
        notice=TEXTS("fee.kept_on_refusal", amount=amount).kept(),
    )


class ApplicationSummary(CamelModel):
    diarienummer: str
    kind: PermitKind
    status: ApplicationStatus
    submitted_at: AwareDatetime
    fee_sek: int

    @classmethod
    def of(cls, application: Application) -> ApplicationSummary:
        return cls(
            diarienummer=application.diarienummer,
            kind=application.kind,
            status=application.status,
            submitted_at=application.submitted_at,
            fee_sek=application.fee.amount_sek,
        )


class ApplicationList(CamelModel):
    items: list[ApplicationSummary]
    next_token: str | None = None


class UploadInstructions(CamelModel):
    """Send the file as ``multipart/form-data`` POST to ``url`` with ``fields`` first and the file last, then
    call ``complete``."""

    url: str
    fields: dict[str, str]
    expires_at: AwareDatetime
    complete: str


class LicenceView(CamelModel):
    licence_number: str
    kind: LicenceKind
    status: LicenceStatus
    weapon_type: str
    make: str
    model: str
    calibre: str
    serial_number: str | None = None
    purpose: str
    issued_on: date
    valid_until: date | None = None

    @classmethod
    def of(cls, licence: Licence) -> LicenceView:
        weapon = licence.weapon
        return cls(
            licence_number=licence.licence_number,
            kind=licence.kind,
            status=licence.status,
            weapon_type=weapon.type.value,
            make=weapon.make,
            model=weapon.model,
            calibre=weapon.calibre,
            serial_number=getattr(weapon, "serial_number", None),
            purpose=licence.purpose.value,
            issued_on=licence.issued_on,
            valid_until=licence.valid_until,
        )


class LicenceList(CamelModel):
    items: list[LicenceView]


class PaymentCallbackAnswer(CamelModel):
    status: Literal["recorded", "alreadyRecorded"]


class ReferralView(CamelModel):
    """What a municipality sees of a referral: the place, the use and the period; no applicant's personal data."""

    diarienummer: str
    municipality_code: str
    purpose: PublicPlacePurpose
    description: str
    place: Place
    period: Period
    area_square_metres: float
    sketch_uploaded: bool
    sent_at: AwareDatetime
    answer_due_at: AwareDatetime
    reminded_at: AwareDatetime | None = None
    answer: MunicipalityAnswerView | None = None

    @classmethod
    def of(cls, application: Application) -> ReferralView:
        referral = application.referral
        details = application.details
        assert referral is not None
        assert isinstance(details, PublicPlaceDetails)
        answer = referral.answer
        return cls(
            diarienummer=application.diarienummer,
            municipality_code=referral.municipality_code,
            purpose=details.purpose,
            description=details.description,
            place=details.place,
            period=details.period,
            area_square_metres=details.area_square_metres,
            sketch_uploaded=application.sketch is not None and application.sketch.uploaded_at is not None,
            sent_at=referral.sent_at,
            answer_due_at=referral.answer_due_at,
            reminded_at=referral.reminded_at,
            answer=MunicipalityAnswerView(
                verdict=answer.verdict,
                conditions=answer.conditions,
                reason=answer.reason,
                answered_at=answer.answered_at,
            )
            if answer
            else None,
        )


class ReferralList(CamelModel):
    items: list[ReferralView]
    next_token: str | None = None


class CheckView(CamelModel):
    name: str
    outcome: str
    note: Localized

    @classmethod
    def of(cls, check: Check) -> CheckView:
        return cls(name=check.name, outcome=check.outcome.value, note=check.note)


class StaffApplicationView(ApplicationView):
    applicant_personnummer: str
    organisation: Organisation | None = None
    assigned_to: str | None = None
    checks: list[CheckView]
    prepared_by_rule: str | None = None
    rule_version: int | None = None
    paused_days: int

    @classmethod
    def for_staff(cls, application: Application, *, forecast: Forecast | None = None) -> StaffApplicationView:
        base = ApplicationView.of(application, forecast=forecast)
        preparation = application.preparation
        return cls(
            **{name: getattr(base, name) for name in ApplicationView.model_fields},
            applicant_personnummer=application.applicant_personnummer,
            organisation=application.organisation,
            assigned_to=application.assigned_to,
            checks=[CheckView.of(c) for c in preparation.checks] if preparation else [],
            prepared_by_rule=preparation.rule_id if preparation else None,
            rule_version=preparation.rule_version if preparation else None,
            paused_days=application.paused_days,
        )


class QueueEntry(CamelModel):
    diarienummer: str
    kind: PermitKind
    paid_at: AwareDatetime | None
    flags: int
    region: str

    @classmethod
    def of(cls, application: Application) -> QueueEntry:
        preparation = application.preparation
        return cls(
            diarienummer=application.diarienummer,
            kind=application.kind,
            paid_at=application.payment.paid_at,
            flags=len(preparation.flags) if preparation else 0,
            region=application.region,
        )


class QueueList(CamelModel):
    queue: str
    items: list[QueueEntry]
    next_token: str | None = None
