"""Open e-services: tips (anonymous or identified) and the stolen goods check."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from services.reports import dependencies
from services.reports.contracts import (
    IdentifiedTipRequest,
    SerialNumberPath,
    StolenGoodsAnswer,
    TipReceipt,
    TipRequest,
)
from services.reports.domain import stolen_goods, tips
from services.reports.domain.model import Tip
from services.reports.messages import TEXTS
from services.reports.telemetry import metrics
from shared.errors import NotFound
from shared.http.auth import require_citizen
from shared.http.created import created_once
from shared.http.idempotency import IdempotencyKey
from shared.http.problems import ValidationProblem
from shared.i18n import Message

BASE = "/reports/v1"
router = Router()  # type: ignore[no-untyped-call]

ANONYMOUS_THANKS = TEXTS("tip.thanks_anonymous")
IDENTIFIED_THANKS = TEXTS("tip.thanks_identified")


def _receipt(tip: Tip, message: Message) -> TipReceipt:
    return TipReceipt(tip_id=tip.tip_id, received_at=tip.received_at, message=message.render())


def _received(tip_id: str, *, sender_personnummer: str | None, message: Message) -> TipReceipt:
    """The receipt of a tip received before (a retried request), if it is the sender's."""
    tip = dependencies.tips().get_tip(tip_id)
    if tip is None or tip.sender_personnummer != sender_personnummer:
        raise NotFound(TEXTS("not_found.tip", tipId=tip_id))
    return _receipt(tip, message)


@router.post(f"{BASE}/tips", summary="Give a tip anonymously", responses={201: {"description": "Received"}})
def post_anonymous_tip(
    request: Annotated[TipRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[TipReceipt]:
    def create() -> TipReceipt:
        tip = tips.receive_tip(
            category=request.category,
            description=request.description,
            municipality_code=request.municipality_code,
            occurred_at=request.occurred_at,
            sender_personnummer=None,
            sender_phone=None,
            repository=dependencies.tips(),
            clock=dependencies.clock(),
        )
        metrics.add_metric(name="AnonymousTipsReceived", unit=MetricUnit.Count, value=1)
        return _receipt(tip, ANONYMOUS_THANKS)

    # Anonymous senders share one scope: a retry needs the same key and the very same tip, and learns
    # nothing but its receipt. The key's record holds only hashes, nothing about the sender.
    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=create,
        replay=lambda tip_id: _received(tip_id, sender_personnummer=None, message=ANONYMOUS_THANKS),
    )


@router.post(
    f"{BASE}/identified-tips",
    summary="Give a tip as a logged-in citizen, so the police can contact you",
    responses={201: {"description": "Received"}},
)
def post_identified_tip(
    request: Annotated[IdentifiedTipRequest, Body()], idempotency_key: IdempotencyKey = None
) -> Response[TipReceipt]:
    caller = require_citizen(router.current_event.raw_event)

    def create() -> TipReceipt:
        tip = tips.receive_tip(
            category=request.category,
            description=request.description,
            municipality_code=request.municipality_code,
            occurred_at=request.occurred_at,
            sender_personnummer=caller.personnummer,
            sender_phone=request.phone,
            repository=dependencies.tips(),
            clock=dependencies.clock(),
        )
        metrics.add_metric(name="IdentifiedTipsReceived", unit=MetricUnit.Count, value=1)
        return _receipt(tip, IDENTIFIED_THANKS)

    return created_once(
        router.current_event,
        request,
        idempotency_key=idempotency_key,
        create=create,
        replay=lambda tip_id: _received(
            tip_id, sender_personnummer=caller.personnummer, message=IDENTIFIED_THANKS
        ),
    )


@router.get(
    f"{BASE}/stolen-goods/<serialNumber>",
    summary="Is this serial number reported stolen?",
    description="Answers only yes or no: no case, owner or place is revealed.",
)
def get_stolen_goods(serialNumber: SerialNumberPath) -> StolenGoodsAnswer:  # noqa: N803 - the path parameter's public name
    normalized = stolen_goods.normalize_identifier(serialNumber)
    if not 3 <= len(normalized) <= 64 or not normalized.isalnum():
        raise ValidationProblem.for_field("serialNumber", TEXTS("invalid.serial_number"))
    answer = stolen_goods.is_reported_stolen(normalized, dependencies.stolen_goods())
    return StolenGoodsAnswer(serial_number=normalized, reported_stolen=answer)
