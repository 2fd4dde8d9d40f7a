"""Police staff: the contact centre registers callers' feedback; the regional functions route, assign,
refer and approve publication; the responsible managers answer, give feedback to the employee and close."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from services.feedback import dependencies
from services.feedback.contracts import (
    AnswerRequest,
    AssignRequest,
    FeedbackNumberPath,
    ItemList,
    ItemSummary,
    LearningView,
    LessonRequest,
    LessonView,
    PublicationRequest,
    ReceiptView,
    ReferralRequest,
    RegisterCallRequest,
    SearchHitView,
    SearchResults,
    StaffItemView,
    ThemeView,
    TransferRequest,
)
from services.feedback.domain import intake
from services.feedback.domain.casework import FeedbackDesk
from services.feedback.domain.learning import Theme, as_csv, chart_svg, months_back
from services.feedback.domain.model import Category, Channel, FeedbackItem, Kind, Status
from services.feedback.manifest import CONTACT_CENTRE_ROLE, STAFF
from services.feedback.messages import TEXTS
from services.feedback.routes.common import correlation_id
from shared.clock import STOCKHOLM, stockholm_time
from shared.http.auth import require_staff
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.http.problems import ForbiddenProblem, NotFoundProblem, ValidationProblem
from shared.i18n import current_language
from shared.staff import NATIONAL, StaffMember

router = Router()  # type: ignore[no-untyped-call]
RegionQuery = Annotated[str | None, Query(max_length=20, pattern=r"^[A-Za-zÅÄÖåäö]{2,20}$")]


def _desk() -> FeedbackDesk:
    caller = require_staff(router.current_event.raw_event)
    return FeedbackDesk(
        staff=StaffMember(
            staff_id=caller.staff_id or caller.subject, region=caller.region or "", roles=caller.roles
        ),
        items=dependencies.feedback(),
        audit=dependencies.audit_log(),
        clock=dependencies.clock(),
        correlation_id=correlation_id(),
        search_index=dependencies.search_index(),
    )


def _view(item: FeedbackItem) -> StaffItemView:
    proposal = None
    if item.draft.publish_consent and item.draft.kind is not Kind.EMPLOYEE_COMPLAINT:
        from services.feedback.domain.redaction import redact

        proposal = redact(item.draft.text, known_names=[n for n in (item.caller_name,) if n]).text
    return StaffItemView.for_staff(item, proposal=proposal)


@router.post(
    f"{STAFF}/items",
    summary="Register a caller's feedback (contact centre)",
    description="The channel is recorded with who registered it. Accepts `Idempotency-Key`.",
    responses={**created("Registered", ReceiptView, location=False)},
)
def post_call(
    request: Annotated[RegisterCallRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[ReceiptView]:
    caller = require_staff(router.current_event.raw_event)
    if CONTACT_CENTRE_ROLE not in caller.roles:
        raise ForbiddenProblem(TEXTS("forbidden.role", role=CONTACT_CENTRE_ROLE))
    repository = dependencies.feedback()
    sender = intake.Sender(
        caller_name=request.caller.name if request.caller else None,
        registered_by=caller.staff_id or caller.subject,
    )
    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=lambda: ReceiptView.of(
            intake.receive(
                request.feedback,
                sender=sender,
                repository=repository,
                cases=repository,
                now=dependencies.clock().now(),
                answer_days=dependencies.answer_days(),
                correlation_id=correlation_id(),
            )
        ),
        # The contact centre reads no items: its retry is answered with the receipt, as the first call was.
        replay=lambda number: ReceiptView.of(_registered(number)),
    )


def _registered(number: str) -> FeedbackItem:
    item = dependencies.feedback().get(number)
    if item is None:
        raise NotFoundProblem(TEXTS("not_found.item", feedbackNumber=number))
    return item


@router.get(f"{STAFF}/items", summary="A regional function's open items, the answer due soonest first")
def list_open(
    region: RegionQuery = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ItemList:
    page = _desk().open_items(region, limit=limit, start=decode_token(next_token))
    return ItemList(items=[ItemSummary.of(i) for i in page.items], next_token=encode_token(page.next_start))


Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]


def _month(text: str | None, default: date) -> date:
    return date.fromisoformat(f"{text}-01") if text else default


def _learning(from_: str | None, to: str | None, region: str | None) -> tuple[str, date, date, list[Theme]]:
    today = stockholm_time(dependencies.clock().now()).date()
    last = _month(to, today)
    first = _month(from_, months_back(last, 11))
    shown, found = _desk().learning(first, last, region)
    return shown, first, last, found


@router.get(
    f"{STAFF}/learning",
    summary="Themes per month, region, kind and category: received, answered, in time, trend",
    description="`from` and `to` are months (YYYY-MM), at most 36 apart; the last 12 months by default. "
    "National staff may name a `region` or see all.",
)
def get_learning(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    to: Month = None,
    region: RegionQuery = None,
) -> LearningView:
    shown, first, last, found = _learning(from_, to, region)
    base = f"{STAFF}/learning"
    query = f"?from={first:%Y-%m}&to={last:%Y-%m}" + (f"&region={shown}" if shown != NATIONAL else "")
    return LearningView(
        region=shown,
        from_=f"{first:%Y-%m}",
        to=f"{last:%Y-%m}",
        themes=[ThemeView(**{**t.__dict__, "share_in_time": t.share_in_time}) for t in found],
        csv=f"{base}.csv{query}",
        chart=f"{base}/chart.svg{query}",
    )


@router.get(
    f"{STAFF}/learning.csv",
    summary="The themes as CSV, for a spreadsheet",
    responses={200: {"description": "The themes", "content": {"text/csv": {}}}},
)
def get_learning_csv(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    to: Month = None,
    region: RegionQuery = None,
) -> Response[str]:
    shown, first, last, found = _learning(from_, to, region)
    name = f"synpunkter-{shown}-{first:%Y-%m}-{last:%Y-%m}.csv"
    return Response(
        200,
        "text/csv; charset=utf-8",
        as_csv(found),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    f"{STAFF}/learning/chart.svg",
    summary="The themes as a chart: items per month, by category",
    responses={200: {"description": "The chart", "content": {"image/svg+xml": {}}}},
)
def get_learning_chart(
    from_: Annotated[str | None, Query(alias="from", pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] = None,
    to: Month = None,
    region: RegionQuery = None,
) -> Response[str]:
    shown, _, _, found = _learning(from_, to, region)
    language = current_language()
    where = TEXTS("chart.all").render(language) if shown == NATIONAL else shown
    labels = {c: TEXTS(f"category.{c.value}").render(language) for c in Category}
    svg = chart_svg(found, title=TEXTS("chart.title", region=where).render(language), labels=labels)
    return Response(200, "image/svg+xml", svg)


@router.post(
    f"{STAFF}/lessons",
    summary="Publish a lesson: a change the police made after a set of feedback items",
    description="Each sender who asked for an answer is told by letter. Items of another region are refused.",
    responses={**created("Published", LessonView, location=False)},
)
def post_lesson(request: Annotated[LessonRequest, Body()]) -> Response[LessonView]:
    from services.feedback.domain.lessons import publish

    desk = _desk()
    if "feedback" not in desk.staff.roles:
        raise ForbiddenProblem(TEXTS("forbidden.role", role="feedback"))
    lesson = publish(
        title=request.title,
        change=request.change,
        feedback_numbers=request.feedback_numbers,
        staff=desk.staff,
        items=desk.items,
        store=dependencies.feedback(),
        now=dependencies.clock().now(),
        correlation_id=correlation_id(),
    )
    view = LessonView(
        lesson_id=lesson.lesson_id,
        region=lesson.region,
        title=lesson.title,
        change=lesson.change,
        items=len(lesson.feedback_numbers),
        published_at=lesson.published_at,
    )
    return Response(201, "application/json", view)


@router.get(
    f"{STAFF}/search",
    summary="Search all feedback of your region (national staff: all) by its words and filters",
    description="`q` in Swedish: case and accents do not matter, å, ä and ö are letters of their own, and the "
    "last word may be the beginning of one. Newest first; filters narrow it.",
)
def get_search(
    q: Annotated[str, Query(min_length=2, max_length=100)],
    kind: Kind | None = None,
    category: Category | None = None,
    status: Status | None = None,
    channel: Channel | None = None,
    region: RegionQuery = None,
    unit: Annotated[str | None, Query(max_length=120)] = None,
    municipality_code: Annotated[str | None, Query(alias="municipalityCode", pattern=r"^\d{4}$")] = None,
    received_from: Annotated[date | None, Query(alias="from")] = None,
    received_to: Annotated[date | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=4096)] = None,
) -> SearchResults:
    from services.feedback.adapters.search_index import SearchFilters
    from services.feedback.domain.search_terms import query_terms

    words = query_terms(q)
    if not words:
        raise ValidationProblem.for_field("q", TEXTS("invalid.query"))
    if received_from and received_to and received_to < received_from:
        raise ValidationProblem.for_field("to", TEXTS("invalid.filter", name="to", why="< from"))
    filters = SearchFilters(
        kind=kind.value if kind else None,
        category=category.value if category else None,
        region=region,
        unit=unit,
        municipality=municipality_code,
        status=status.value if status else None,
        channel=channel.value if channel else None,
        received_from=datetime.combine(received_from, time(0), STOCKHOLM) if received_from else None,
        received_to=datetime.combine(received_to + timedelta(days=1), time(0), STOCKHOLM)
        if received_to
        else None,
    )
    page = _desk().search(words, filters, limit=limit, start=decode_token(next_token))
    return SearchResults(
        items=[
            SearchHitView(
                feedback_number=hit.number,
                received_at=hit.received_at,
                region=hit.region,
                kind=Kind(hit.kind),
                category=Category(hit.category),
                status=Status(hit.status),
                channel=Channel(hit.channel),
                unit=hit.unit,
                municipality_code=hit.municipality,
            )
            for hit in page.hits
        ],
        next_token=encode_token(page.next_start),
    )


@router.get(f"{STAFF}/items/<feedbackNumber>", summary="Read an item, with its history")
def get_item(feedbackNumber: FeedbackNumberPath) -> StaffItemView:  # noqa: N803 - the path parameter's public name
    return _view(_desk().read(feedbackNumber))


@router.post(f"{STAFF}/items/<feedbackNumber>/assignment", summary="Assign the responsible manager")
def post_assignment(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AssignRequest, Body()],
) -> StaffItemView:
    return _view(_desk().assign(feedbackNumber, request.manager))


@router.post(
    f"{STAFF}/items/<feedbackNumber>/transfer",
    summary="Pass an item to another region's function or the national one, with a reason",
)
def post_transfer(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[TransferRequest, Body()],
) -> StaffItemView:
    return _view(_desk().transfer(feedbackNumber, request.to, request.reason))


@router.post(
    f"{STAFF}/items/<feedbackNumber>/referral",
    summary="Refer a complaint that may describe a crime by an employee to special investigations",
)
def post_referral(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[ReferralRequest, Body()],
) -> StaffItemView:
    return _view(_desk().refer_to_special_investigations(feedbackNumber, request.reason))


@router.post(f"{STAFF}/items/<feedbackNumber>/answer", summary="Answer the sender (the responsible manager)")
def post_answer(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AnswerRequest, Body()],
) -> StaffItemView:
    return _view(_desk().answer(feedbackNumber, request.text))


@router.post(
    f"{STAFF}/items/<feedbackNumber>/employee-feedback",
    summary="Record that the manager gave feedback to the employee a complaint is about",
)
def post_employee_feedback(feedbackNumber: FeedbackNumberPath) -> StaffItemView:  # noqa: N803
    return _view(_desk().employee_feedback_given(feedbackNumber))


@router.post(f"{STAFF}/items/<feedbackNumber>/closing", summary="Close an answered item")
def post_closing(feedbackNumber: FeedbackNumberPath) -> StaffItemView:  # noqa: N803
    return _view(_desk().close(feedbackNumber))


@router.put(
    f"{STAFF}/items/<feedbackNumber>/publication",
    summary="Approve the redacted text a consenting sender's item is published with",
    description="The text is redacted once more before it is stored; complaints about employees are never "
    "published (409).",
)
def put_publication(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[PublicationRequest, Body()],
) -> StaffItemView:
    return _view(_desk().approve_publication(feedbackNumber, request.text))
