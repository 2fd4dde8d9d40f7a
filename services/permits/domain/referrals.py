"""The municipality's opinion on a public-place application (remiss), and what happens when it is late.

A municipality, signed in as an agency client scoped to its own municipality code, lists its open referrals and
answers each once, before its deadline: supports, supports with conditions (the conditions as text), or
advises against (with a reason). Another municipality's referral is not found. The answer is recorded on the
referral and announced as ``MunicipalityAnswered``; the case moves to its region's queue when the permits
service consumes that event, so an answer given through another channel later takes the same path. A
reminder goes out before the deadline and the case is escalated to a case handler after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.permits.domain.model import (
    Application,
    ApplicationStatus,
    MunicipalityAnswer,
    MunicipalityVerdict,
)
from services.permits.domain.ports import ApplicationRepository, Page
from services.permits.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.contracts.permits import SOURCE, MunicipalityAnswered
from shared.events.envelope import Envelope, EventData, new_event

MUNICIPALITY_SCOPE_PREFIX = "permits/referrals:"


def municipality_scopes(scopes: frozenset[str]) -> frozenset[str]:
    """The municipality codes an agency client's scopes let it answer for (``permits/referrals:0180``)."""
    return frozenset(
        scope.removeprefix(MUNICIPALITY_SCOPE_PREFIX)
        for scope in scopes
        if scope.startswith(MUNICIPALITY_SCOPE_PREFIX)
    )


def open_referrals(
    municipality_code: str, *, repository: ApplicationRepository, limit: int, start: dict[str, Any] | None
) -> Page:
    return repository.referrals_of(municipality_code, limit=limit, start=start)


def referral_of(diarienummer: str, municipality_code: str, repository: ApplicationRepository) -> Application:
    """The referral to this municipality; one to another municipality is not found, as one that never was."""
    application = repository.get(diarienummer)
    if (
        application is None
        or application.referral is None
        or application.referral.municipality_code != municipality_code
    ):
        raise NotFound(TEXTS("not_found.referral", diarienummer=diarienummer))
    return application


def answer_referral(
    diarienummer: str,
    *,
    municipality_code: str,
    client_id: str,
    verdict: MunicipalityVerdict,
    conditions: str | None,
    reason: str | None,
    repository: ApplicationRepository,
    now: datetime,
    correlation_id: str,
) -> Application:
    if verdict is MunicipalityVerdict.SUPPORTS_WITH_CONDITIONS and not conditions:
        raise InvalidInput.of("conditions", TEXTS("invalid.conditions_needed"))
    if verdict is MunicipalityVerdict.ADVISES_AGAINST and not reason:
        raise InvalidInput.of("reason", TEXTS("invalid.reason_needed"))

    def attempt() -> Application:
        application = referral_of(diarienummer, municipality_code, repository)
        referral = application.referral
        assert referral is not None
        if referral.answer is not None:
            raise Conflict(TEXTS("conflict.answered", diarienummer=diarienummer))
        if now > referral.answer_due_at:
            raise Conflict(TEXTS("conflict.referral_deadline_passed", diarienummer=diarienummer))
        answer = MunicipalityAnswer(
            verdict=verdict,
            conditions=conditions,
            reason=reason,
            answered_at=now,
            answered_by=client_id,
        )
        answered = application.changed(referral=referral.model_copy(update={"answer": answer}))
        event: Envelope[EventData] = new_event(
            MunicipalityAnswered(
                diarienummer=diarienummer,
                municipality_code=municipality_code,
                verdict=verdict.value,
                answered_at=now,
            ),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=application.correlation_id or correlation_id,
        )
        repository.save(answered, expected_version=application.version, events=[event])
        return answered

    return retry_on_conflict(attempt)


def take_answer_into_case(
    diarienummer: str, *, repository: ApplicationRepository, now: datetime
) -> Application | None:
    """The consumer's side: a referred case with an answer moves to its region's queue. None when there is
    nothing to do (a redelivery, or a case a case handler already took after escalation)."""

    def attempt() -> Application | None:
        application = repository.get(diarienummer)
        if application is None or application.referral is None or application.referral.answer is None:
            return None
        if application.status is not ApplicationStatus.REFERRED:
            return None
        verdict = application.referral.answer.verdict
        moved = application.moved(
            ApplicationStatus.QUEUED, now, TEXTS(f"timeline.municipality.{verdict.value}").kept()
        )
        repository.save(moved, expected_version=application.version)
        return moved

    return retry_on_conflict(attempt)


def remind(
    application: Application, *, repository: ApplicationRepository, now: datetime
) -> Application | None:
    """Record the reminder to the municipality (the referral list shows it as reminded); once."""
    referral = application.referral
    if referral is None or not application.referral_pending or referral.reminded_at is not None:
        return None
    reminded = application.changed(referral=referral.model_copy(update={"reminded_at": now}))
    repository.save(reminded, expected_version=application.version)
    return reminded


def escalate(
    application: Application, *, repository: ApplicationRepository, now: datetime
) -> Application | None:
    """No answer by the deadline: the case goes to its region's case handlers, who may decide without it."""
    referral = application.referral
    if referral is None or not application.referral_pending or referral.escalated_at is not None:
        return None
    late = referral.model_copy(update={"escalated_at": now})
    if application.status is not ApplicationStatus.REFERRED:
        # A case handler has the case already: the lateness is recorded for them.
        noted = application.changed(referral=late)
        repository.save(noted, expected_version=application.version)
        return noted
    escalated = application.moved(
        ApplicationStatus.QUEUED,
        now,
        TEXTS("timeline.municipality_late").kept(),
        referral=late,
    )
    repository.save(escalated, expected_version=application.version)
    return escalated
