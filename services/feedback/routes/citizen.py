"""Citizens with e-ID: giving feedback (answerable), following their own items, and reopening one once."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.metrics import MetricUnit

from services.feedback import dependencies
from services.feedback.contracts import (
    AttachmentIdPath,
    AttachmentRequest,
    FeedbackNumberPath,
    GiveFeedbackRequest,
    ItemList,
    ItemSummary,
    ItemView,
    ReceiptView,
    ReopenRequest,
    UploadInstructions,
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


@router.post(
    f"{ITEMS}/<feedbackNumber>/attachments",
    summary="Attach a photo or document to my open feedback",
    description="JPEG, PNG or PDF, at most 10 MB, at most 5 per item. Send the file to `url`, then call `complete`.",
)
def post_attachment(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    request: Annotated[AttachmentRequest, Body()],
) -> UploadInstructions:
    from services.feedback.domain import attachments

    sender = _sender()
    attachment, target = attachments.request_upload(
        feedbackNumber,
        owner_ref=sender.owner_ref or "",
        content_type=request.content_type,
        size_bytes=request.size_bytes,
        repository=dependencies.feedback(),
        store=dependencies.attachments(),
        now=dependencies.clock().now(),
    )
    return UploadInstructions(
        attachment_id=attachment.attachment_id,
        url=target.url,
        fields=target.fields,
        expires_at=target.expires_at,
        complete=f"{ITEMS}/{feedbackNumber}/attachments/{attachment.attachment_id}/complete",
    )


@router.post(
    f"{ITEMS}/<feedbackNumber>/attachments/<attachmentId>/complete", summary="Say the file is uploaded"
)
def post_attachment_complete(
    feedbackNumber: FeedbackNumberPath,  # noqa: N803 - the path parameter's public name
    attachmentId: AttachmentIdPath,  # noqa: N803 - the path parameter's public name
) -> ItemView:
    from services.feedback.domain import attachments

    sender = _sender()
    item = attachments.complete_upload(
        feedbackNumber,
        attachmentId,
        owner_ref=sender.owner_ref or "",
        repository=dependencies.feedback(),
        store=dependencies.attachments(),
        now=dependencies.clock().now(),
    )
    return ItemView.of(item)
