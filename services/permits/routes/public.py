"""Open routes: the fee of a draft before it is submitted, and the payment provider's signed confirmation."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from services.permits import dependencies
from services.permits.contracts import FeeQuoteRequest, FeeView, PaymentCallbackAnswer, fee_view
from services.permits.domain import paying
from services.permits.domain.fees import fee_for
from services.permits.manifest import BASE
from services.permits.messages import TEXTS
from services.permits.routes.common import correlation_id
from services.permits.telemetry import logger, metrics
from shared.http.problems import UnauthorizedProblem
from shared.payments import CallbackRefused, PaymentConfirmation, verify_callback

router = Router()  # type: ignore[no-untyped-call]


@router.post(
    f"{BASE}/fee-quotes",
    summary="The fee of an application, before it is submitted",
    description="The same `details` as a submission. The fee is due even if the permit is refused.",
)
def post_fee_quote(request: Annotated[FeeQuoteRequest, Body()]) -> FeeView:
    fee = fee_for(request.details, dependencies.rules())
    return fee_view(fee.amount_sek, fee.lines)


@router.post(
    f"{BASE}/payment-callbacks",
    summary="The payment provider confirms a paid fee (signed callback)",
    description="Signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`, "
    "HMAC-SHA256 over `id.timestamp.body`). A confirmation delivered again is answered as the first was.",
    responses={
        401: {"description": "The signature is missing, wrong or too old"},
        404: {"description": "No application has this payment reference"},
        400: {"description": "Bad input, or the amount is not the application's fee (`amountSek`)"},
        409: {
            "description": "The application is no longer waiting for its fee (the payment is kept for review)"
        },
    },
)
def post_payment_callback(request: Annotated[PaymentConfirmation, Body()]) -> PaymentCallbackAnswer:
    event = router.current_event
    try:
        verify_callback(
            dependencies.payment_callback_secrets(),
            dict(event.headers or {}),
            event.decoded_body.encode()
            if isinstance(event.decoded_body, str)
            else bytes(event.decoded_body or b""),
            now=dependencies.clock().now(),
        )
    except CallbackRefused as refused:
        metrics.add_metric(name="PaymentCallbacksRefused", unit=MetricUnit.Count, value=1)
        logger.warning("Payment callback refused", extra={"why": str(refused)})
        raise UnauthorizedProblem(TEXTS("callback_refused")) from None
    application, outcome = paying.record_payment(
        request,
        repository=dependencies.permits(),
        now=dependencies.clock().now(),
        correlation_id=correlation_id(),
    )
    if outcome is paying.PaymentOutcome.RECORDED:
        metrics.add_metric(name="PermitFeesPaid", unit=MetricUnit.Count, value=1)
    logger.info(
        "Payment recorded", extra={"diarienummer": application.diarienummer, "outcome": outcome.value}
    )
    return PaymentCallbackAnswer(status=outcome.value)
