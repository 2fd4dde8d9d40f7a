"""The fee paid: the payment provider's signed confirmation starts the application's handling.

The signature is checked at the edge (the callback route, :mod:`shared.payments`); here the confirmation is
matched to its application by the payment reference, and its amount to the fee. A confirmation delivered
again (providers retry until they are answered) changes nothing and is answered as the first was. A payment
for an application already dismissed, or of the wrong amount, is refused to the provider and kept for staff to
refund or match, so no money paid is left without a record.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from services.permits.domain.model import Application, ApplicationStatus, Payment
from services.permits.domain.ports import ApplicationRepository
from services.permits.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict, InvalidInput, NotFound
from shared.events.contracts.permits import SOURCE, PermitFeePaid
from shared.events.envelope import Envelope, EventData, new_event
from shared.payments import PaymentConfirmation


class PaymentOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY_RECORDED = "alreadyRecorded"


def record_payment(
    confirmation: PaymentConfirmation,
    *,
    repository: ApplicationRepository,
    now: datetime,
    correlation_id: str,
) -> tuple[Application, PaymentOutcome]:
    def attempt() -> tuple[Application, PaymentOutcome]:
        application = repository.by_payment_reference(confirmation.reference)
        if application is None:
            raise NotFound(TEXTS("not_found.payment_reference", reference=confirmation.reference))
        if application.payment.paid_at is not None:
            if application.payment.transaction_id == confirmation.transaction_id:
                return application, PaymentOutcome.ALREADY_RECORDED
            raise Conflict(TEXTS("conflict.paid_already", diarienummer=application.diarienummer))
        if confirmation.amount_sek != application.fee.amount_sek:
            repository.hold_for_review(confirmation, diarienummer=application.diarienummer, why="amount")
            raise InvalidInput.of(
                "amountSek",
                TEXTS("invalid.amount", paid=confirmation.amount_sek, fee=application.fee.amount_sek),
            )
        if application.status is not ApplicationStatus.AWAITING_PAYMENT:
            repository.hold_for_review(
                confirmation, diarienummer=application.diarienummer, why=application.status.value
            )
            raise Conflict(TEXTS("conflict.not_awaiting_payment", diarienummer=application.diarienummer))
        paid = application.moved(
            ApplicationStatus.PAID,
            now,
            TEXTS("timeline.paid", amount=confirmation.amount_sek).kept(),
            payment=Payment(
                reference=application.payment.reference,
                paid_at=confirmation.paid_at,
                transaction_id=confirmation.transaction_id,
            ),
        )
        event: Envelope[EventData] = new_event(
            PermitFeePaid(
                diarienummer=application.diarienummer,
                kind=application.kind.value,
                amount_sek=confirmation.amount_sek,
                paid_at=confirmation.paid_at,
                owner_ref=application.applicant_ref,
            ),
            producer=SOURCE,
            occurred_at=now,
            correlation_id=application.correlation_id or correlation_id,
        )
        repository.save(paid, expected_version=application.version, events=[event])
        return paid, PaymentOutcome.RECORDED

    return retry_on_conflict(attempt)
