"""What the applicant follows: their case, the completion they answer, and when a weapons case is expected
to be decided.

A weapons case's expected decision date comes from the national queue: the cases paid before it that still
wait, divided by how many weapons cases were decided a day over the last weeks. When that date is more than
the handling target after payment, the case is substantially delayed and the applicant is told why
(förvaltningslagen 11 §).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.permits.domain.model import Application, ApplicationStatus
from services.permits.domain.ports import ApplicationRepository
from services.permits.domain.rules import PermitRules
from services.permits.messages import TEXTS
from shared.clock import stockholm_time
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, NotFound
from shared.events.contracts.permits import SOURCE, PermitCompletionAnswered
from shared.events.envelope import Envelope, EventData, new_event

THROUGHPUT_WINDOW_DAYS = 28
# With no decisions in the window yet, a day's work is assumed to be one case.
MINIMUM_CASES_PER_DAY = 1.0
WAITING = (ApplicationStatus.PAID, ApplicationStatus.QUEUED, ApplicationStatus.IN_PROGRESS)


@dataclass(frozen=True)
class Forecast:
    expected_on: date
    position: int
    cases_per_day: float
    delayed: bool


def forecast(
    application: Application, *, repository: ApplicationRepository, rules: PermitRules, now: datetime
) -> Forecast | None:
    """The expected decision date of a waiting weapons case; None for any other case."""
    if (
        not application.kind.is_weapons
        or application.status not in WAITING
        or application.payment.paid_at is None
    ):
        return None
    today = stockholm_time(now).date()
    decided = repository.decided_weapons_cases(today - timedelta(days=THROUGHPUT_WINDOW_DAYS))
    per_day = max(decided / THROUGHPUT_WINDOW_DAYS, MINIMUM_CASES_PER_DAY)
    position = repository.position_in_queue(application)
    expected = today + timedelta(days=math.ceil((position + 1) / per_day))
    paid_on = stockholm_time(application.payment.paid_at).date()
    target = paid_on + timedelta(days=rules.deadlines.weapons_handling_target_days + application.paused_days)
    return Forecast(
        expected_on=expected, position=position, cases_per_day=round(per_day, 2), delayed=expected > target
    )


def answer_completion(
    diarienummer: str,
    request_id: str,
    *,
    applicant_ref: str,
    answer: str,
    repository: ApplicationRepository,
    now: datetime,
    correlation_id: str,
) -> Application:
    def attempt() -> Application:
        application = repository.get(diarienummer)
        if application is None or application.applicant_ref != applicant_ref:
            raise NotFound(TEXTS("not_found.application", diarienummer=diarienummer))
        request = next((c for c in application.completions if c.request_id == request_id), None)
        if request is None:
            raise NotFound(TEXTS("not_found.completion", requestId=request_id))
        if request.answered_at is not None:
            raise Conflict(TEXTS("conflict.completion_answered"))
        if application.status is not ApplicationStatus.AWAITING_COMPLETION:
            raise Conflict(TEXTS("conflict.not_awaiting_completion", diarienummer=diarienummer))
        if request.lapsed_at is not None or stockholm_time(now).date() > request.due_on:
            raise Conflict(TEXTS("conflict.completion_late", dueOn=request.due_on.isoformat()))
        waited = max((stockholm_time(now).date() - stockholm_time(request.requested_at).date()).days, 0)
        answered = request.model_copy(update={"answer": answer, "answered_at": now})
        back_to = ApplicationStatus.IN_PROGRESS if application.assigned_to else ApplicationStatus.QUEUED
        moved = application.moved(
            back_to,
            now,
            TEXTS("timeline.completion_answered").kept(),
            completions=tuple(answered if c.request_id == request_id else c for c in application.completions),
            paused_days=application.paused_days + waited,
        )
        event: Envelope[EventData] = new_event(
            PermitCompletionAnswered(
                diarienummer=diarienummer, request_id=request_id, answered_at=now, owner_ref=applicant_ref
            ),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=application.correlation_id or correlation_id,
        )
        repository.save(moved, expected_version=application.version, events=[event])
        return moved

    return retry_on_conflict(attempt)


def waiting_for(application: Application) -> str:
    """What the case waits for, as a key of the service's texts (``waiting.<what>``)."""
    status = application.status
    if status is ApplicationStatus.AWAITING_PAYMENT:
        return "waiting.payment"
    if status is ApplicationStatus.REFERRED:
        return "waiting.municipality"
    if status is ApplicationStatus.AWAITING_COMPLETION:
        return "waiting.you"
    if status in WAITING:
        return "waiting.case_handler"
    return "waiting.nothing"
