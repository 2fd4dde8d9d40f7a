"""Citizens with e-ID: giving feedback (answerable), following their own items, and reopening one once."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.feedback import dependencies
from services.feedback.contracts import (
    FeedbackNumberPath,
    GiveFeedbackRequest,
    ItemList,
    ItemSummary,
    ItemView,
    ReceiptView,
    ReopenRequest,
)
from services.feedback.domain import following, intake
from services.feedback.manifest import ITEMS
from services.feedback.routes.common import correlation_id
from services.feedback.telemetry import metrics
from shared.http.auth import require_citizen
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.openapi import created
from shared.http.pagination import DEFAULT_LIMIT, MAX_LIMIT, decode_token, encode_token
from shared.i18n import current_language

router = Router()  # type: ignore[no-untyped-call]


def _sender() -> intake.Sender:
    caller = require_citizen(router.current_event.raw_event)
    return intake.Sender(
        owner_ref=caller.subject, personnummer=caller.personnummer, language=current_language()
    )


@router.post(
    ITEMS,
    summary="Give feedback as yourself (it can be answered)",
    description="A case number in `concerns.caseNumber` must be a report or permit case of your own (404 if "
    "not). A complaint about an employee that `describesCrime` is referred to the special investigations "
    "department, not handled as feedback. Accepts `Idempotency-Key`.",
    responses={**created("Received: the receipt with the feedback number", ReceiptView)},
)
def post_item(
    request: Annotated[GiveFeedbackRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[ReceiptView]:
    sender = _sender()
    repository = dependencies.feedback()

    def give() -> ReceiptView:
        item = intake.receive(
            request,
            sender=sender,
            repository=repository,
            cases=repository,
            now=dependencies.clock().now(),
            answer_days=dependencies.answer_days(),
            correlation_id=correlation_id(),
        )
        metrics.add_dimension(name="kind", value=item.draft.kind.value)
        metrics.add_metric(name="FeedbackReceived", unit=MetricUnit.Count, value=1)
        return ReceiptView.of(item)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=give,
        replay=lambda number: ReceiptView.of(
            intake.owned_item(number, owner_ref=sender.owner_ref or "", repository=repository)
        ),
        location=lambda receipt: f"{ITEMS}/{receipt.feedback_number}",
    )


@router.get(ITEMS, summary="My feedback, latest first")
def list_items(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    next_token: Annotated[str | None, Query(alias="nextToken", max_length=2048)] = None,
) -> ItemList:
    sender = _sender()
    page = intake.items_of(
        sender.owner_ref or "",
        repository=dependencies.feedback(),
        limit=limit,
        start=decode_token(next_token),
    )
    return ItemList(items=[ItemSummary.of(i) for i in page.items], next_token=encode_token(page.next_start))


@router.get(f"{ITEMS}/<feedbackNumber>", summary="Follow one of my feedback items")
def get_item(feedbackNumber: FeedbackNumberPath) -> ItemView:  # noqa: N803 - the path parameter's public name
    sender = _sender()
    return ItemView.of(
        intake.owned_item(
            feedbackNumber, owner_ref=sender.owner_ref or "", repository=dependencies.feedback()
        )
    )


@router.post(
    f"{ITEMS}/<feedbackNumber>/reopening",
    summary="Not satisfied: reopen a closed item, once",
    description="It goes back to the same unit with its history. A second reopening is 409.",
)
def post_reopening(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[ReopenRequest, Body()],
) -> ItemView:
    sender = _sender()
    reopened = following.reopen(
        feedbackNumber,
        owner_ref=sender.owner_ref or "",
        reason=request.reason,
        repository=dependencies.feedback(),
        now=dependencies.clock().now(),
        correlation_id=correlation_id(),
    )
    return ItemView.of(reopened)
