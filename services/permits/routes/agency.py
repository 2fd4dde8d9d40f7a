"""Municipalities, as agency clients: the referrals sent to them, and their answers.

A client's scopes name the municipalities it answers for (``permits/referrals:<municipality code>``); a
referral to any other municipality is not found. A client answering for several municipalities names which
with ``municipalityCode``.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.permits import dependencies
from services.permits.contracts import DiarienummerPath, ReferralAnswerRequest, ReferralList, ReferralView
from services.permits.domain import referrals
from services.permits.manifest import BASE
from services.permits.messages import TEXTS
from services.permits.routes.common import correlation_id, diarienummer
from services.permits.telemetry import metrics
from shared.http.auth import Caller, require_agency
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import ForbiddenProblem, ValidationProblem

router = Router()  # type: ignore[no-untyped-call]
MunicipalityQuery = Annotated[str | None, Query(alias="municipalityCode", pattern=r"^\d{4}$")]


def _municipality(caller: Caller, asked: str | None) -> str:
    codes = referrals.municipality_scopes(caller.scopes)
    if not codes:
        raise ForbiddenProblem(TEXTS("forbidden.no_municipality_scope"))
    if asked is None:
        if len(codes) > 1:
            raise ValidationProblem.for_field("municipalityCode", TEXTS("invalid.which_municipality"))
        return next(iter(codes))
    if asked not in codes:
        raise ForbiddenProblem(TEXTS("forbidden.not_your_municipality", code=asked))
    return asked


def _caller_and_municipality(asked: str | None) -> tuple[Caller, str]:
    caller = require_agency(router.current_event.raw_event)
    return caller, _municipality(caller, asked)


@router.get(f"{BASE}/referrals", summary="The municipality's referrals waiting for its answer, oldest first")
def list_referrals(
    municipality_code: MunicipalityQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ReferralList:
    _, code = _caller_and_municipality(municipality_code)
    page = referrals.open_referrals(
        code, repository=dependencies.permits(), limit=limit, start=decode_token(next_token)
    )
    return ReferralList(
        items=[ReferralView.of(a) for a in page.applications], next_token=encode_token(page.next_start)
    )


@router.get(f"{BASE}/referrals/<diarienummer>", summary="One referral to the municipality")
def get_referral(diarienummer: DiarienummerPath, municipality_code: MunicipalityQuery = None) -> ReferralView:
    _, code = _caller_and_municipality(municipality_code)
    return ReferralView.of(referrals.referral_of(_number(diarienummer), code, dependencies.permits()))


def _number(text: str) -> str:
    return diarienummer(text)


@router.put(
    f"{BASE}/referrals/<diarienummer>/answer",
    summary="Answer a referral: supports, supports with conditions, or advises against",
    description="Once, before the deadline: a second answer or one after the deadline is 409. Conditions are "
    "needed with `supportsWithConditions`, a reason with `advisesAgainst`.",
    responses={409: {"description": "Answered already, or the deadline has passed"}},
)
def put_referral_answer(
    diarienummer: DiarienummerPath,
    request: Annotated[ReferralAnswerRequest, Body()],
    municipality_code: MunicipalityQuery = None,
) -> ReferralView:
    caller, code = _caller_and_municipality(municipality_code)
    answered = referrals.answer_referral(
        _number(diarienummer),
        municipality_code=code,
        client_id=caller.subject,
        verdict=request.verdict,
        conditions=request.conditions,
        reason=request.reason,
        repository=dependencies.permits(),
        now=dependencies.clock().now(),
        correlation_id=correlation_id(),
    )
    metrics.add_dimension(name="verdict", value=request.verdict.value)
    metrics.add_metric(name="ReferralsAnswered", unit=MetricUnit.Count, value=1)
    return ReferralView.of(answered)
