"""Open routes: what to know before giving feedback, and anonymous feedback (which cannot be answered)."""

from __future__ import annotations

from datetime import date
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
    PublishedList,
    PublishedView,
    ReceiptView,
)
from services.feedback.domain import intake
from services.feedback.domain.learning import months_back, months_between
from services.feedback.domain.model import Category, FeedbackItem, Kind
from services.feedback.domain.publishing import PublicQuery, search
from services.feedback.manifest import BASE
from services.feedback.messages import TEXTS
from services.feedback.routes.common import correlation_id
from shared.clock import stockholm_time
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.problems import NotFoundProblem, ValidationProblem

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


MonthQuery = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
MAX_PUBLIC_MONTHS = 36


@router.get(
    f"{BASE}/published",
    summary="Search the public database of feedback (redacted, approved, consented)",
    description="Free text in Swedish (case and accents do not matter; the beginning of a word is enough), "
    "`kind`, `category`, `municipality` (its name), and months `from`–`to` (the last 12 by default, at most 36).",
)
def get_published(
    q: Annotated[str | None, Query(max_length=100)] = None,
    kind: Kind | None = None,
    category: Category | None = None,
    municipality: Annotated[str | None, Query(max_length=60)] = None,
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    to: MonthQuery = None,
    page: Annotated[int, Query(ge=1, le=100)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> PublishedList:
    today = stockholm_time(dependencies.clock().now()).date()
    last = date.fromisoformat(f"{to}-01") if to else today
    # The last twelve months, this one included.
    first = date.fromisoformat(f"{from_}-01") if from_ else months_back(last, 11)
    if last < first:
        raise ValidationProblem.for_field("to", TEXTS("invalid.filter", name="to", why="< from"))
    months = months_between(first, last)
    if len(months) > MAX_PUBLIC_MONTHS:
        raise ValidationProblem.for_field("from", TEXTS("invalid.months", months=MAX_PUBLIC_MONTHS))
    query = PublicQuery(
        text=q,
        kind=kind.value if kind else None,
        category=category.value if category else None,
        municipality=municipality,
    )
    rows, more = search(
        dependencies.feedback().published(months), query, limit=limit, skip=(page - 1) * limit
    )
    return PublishedList(
        items=[
            PublishedView(
                kind=Kind(row["kind"]),
                category=Category(row["category"]),
                municipality=row.get("municipality"),
                month=row["month"],
                text=row["text"],
            )
            for row in rows
        ],
        page=page,
        more=more,
    )


@router.post(
    f"{BASE}/anonymous-items",
    summary="Give feedback anonymously",
    description="Cannot be answered (`answer` is refused) and cannot name a case of your own. Nothing that could "
    "identify you is kept.",
    responses={**created("Received; the receipt says it cannot be answered", ReceiptView, location=False)},
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
