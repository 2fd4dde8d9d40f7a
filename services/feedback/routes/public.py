"""Open routes: what to know before giving feedback, and anonymous feedback (which cannot be answered)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from services.feedback import dependencies
from services.feedback.contracts import (
    GiveFeedbackRequest,
    GuidanceView,
    KindView,
    LessonList,
    LessonView,
    ReceiptView,
)
from services.feedback.domain import intake
from services.feedback.domain.model import Category, FeedbackItem, Kind
from services.feedback.manifest import BASE
from services.feedback.messages import TEXTS
from services.feedback.routes.common import correlation_id
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.problems import NotFoundProblem

router = Router()  # type: ignore[no-untyped-call]


@router.get(
    f"{BASE}/guidance", summary="What to know before giving feedback: anonymity, answers, crimes, publishing"
)
def get_guidance() -> GuidanceView:
    days = dependencies.answer_days()
    return GuidanceView(
        anonymous=TEXTS("guidance.anonymous").kept(),
        answer=TEXTS("guidance.answer", days=days).kept(),
        crime=TEXTS("guidance.crime").kept(),
        publish=TEXTS("guidance.publish").kept(),
        answer_days=days,
        kinds=[KindView(kind=kind, label=TEXTS(f"kind.{kind.value}").kept()) for kind in Kind],
        categories=list(Category),
    )


@router.get(f"{BASE}/lessons", summary="What the police changed after citizens' feedback, latest first")
def get_lessons(limit: Annotated[int, Query(ge=1, le=50)] = 20) -> LessonList:
    found = dependencies.feedback().lessons(limit=limit)
    return LessonList(
        items=[
            LessonView(
                lesson_id=lesson.lesson_id,
                region=lesson.region,
                title=lesson.title,
                change=lesson.change,
                items=len(lesson.feedback_numbers),
                published_at=lesson.published_at,
            )
            for lesson in found
        ]
    )


@router.post(
    f"{BASE}/anonymous-items",
    summary="Give feedback anonymously",
    description="Cannot be answered (`answer` is refused) and cannot name a case of your own. Nothing that could "
    "identify you is kept.",
    responses={**created("Received; the receipt says it cannot be answered", ReceiptView)},
)
def post_anonymous(
    request: Annotated[GiveFeedbackRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[ReceiptView]:
    repository = dependencies.feedback()
    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=lambda: ReceiptView.of(
            intake.receive(
                request,
                sender=intake.Sender(),
                repository=repository,
                cases=repository,
                now=dependencies.clock().now(),
                answer_days=dependencies.answer_days(),
                correlation_id=correlation_id(),
            )
        ),
        # An anonymous sender cannot read an item back; a retry is answered with the same receipt.
        replay=lambda number: ReceiptView.of(_existing(number)),
    )


def _existing(number: str) -> FeedbackItem:
    item = dependencies.feedback().get(number)
    if item is None:
        raise NotFoundProblem(TEXTS("not_found.item", feedbackNumber=number))
    return item
