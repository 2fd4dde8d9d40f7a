"""How the repository reads a cancelled DynamoDB transaction: which rule refused, and when to try again.

DynamoDB cancels a transaction that meets another one on the same item (``TransactionConflict``): on a busy
slot that is normal, and the booking is retried until the slot's condition decides."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from services.bookings.adapters.dynamodb import CONFLICT_ATTEMPTS, DynamoDbAppointmentRepository
from services.bookings.domain.appointments import Appointment, AppointmentStatus, Contact, DocumentService
from services.bookings.domain.errors import AlreadyBooked, BookingNumberTaken, ChangedMeanwhile, SlotFull
from services.bookings.domain.ports import BookerLedger
from services.bookings.domain.receptions import AppointmentKind

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
APPOINTMENT = Appointment(
    booking_number="BKNG2345",
    kind=AppointmentKind.DOCUMENTS,
    services=[DocumentService.ID_CARD, DocumentService.PASSPORT],
    reception_id="visby",
    region="Stockholm",
    starts_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC),
    ends_at=datetime(2026, 11, 24, 8, 15, tzinfo=UTC),
    booker_ref="sub-1",
    applicant_personnummer="198410172434",
    for_child=False,
    contact=Contact(email="kim@example.se"),
    status=AppointmentStatus.BOOKED,
    booked_at=NOW,
)
# The order add() writes in: appointment, slot, ledger, one guard per document, then the outbox.
APPOINTMENT_AT, SLOT_AT, LEDGER_AT, ID_CARD_GUARD_AT, PASSPORT_GUARD_AT = range(5)


def cancelled(codes: dict[int, str], size: int = 5) -> ClientError:
    reasons = [{"Code": codes.get(i, "None")} for i in range(size)]
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": reasons,
        },
        "TransactWriteItems",
    )


class StubDynamoDb:
    def __init__(self, *outcomes: Exception | None) -> None:
        self.outcomes = list(outcomes)
        self.transactions: list[list[dict[str, Any]]] = []

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> dict[str, Any]:  # noqa: N803
        self.transactions.append(TransactItems)
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome:
            raise outcome
        return {}


def add(client: StubDynamoDb, pauses: list[int] | None = None) -> None:
    repository = DynamoDbAppointmentRepository(
        "table",
        client,  # type: ignore[arg-type]
        backoff=(pauses if pauses is not None else []).append,
    )
    repository.add(APPOINTMENT, capacity=2, ledger=BookerLedger(), now=NOW, events=[])


@pytest.mark.parametrize(
    ("failed_at", "refusal", "detail"),
    [
        (APPOINTMENT_AT, BookingNumberTaken, "taken"),
        (SLOT_AT, SlotFull, "fully booked"),
        (LEDGER_AT, ChangedMeanwhile, "Your bookings changed"),
        (ID_CARD_GUARD_AT, AlreadyBooked, "active booking for idCard"),
        (PASSPORT_GUARD_AT, AlreadyBooked, "active booking for passport"),
    ],
)
def test_a_failed_condition_is_the_refusal_of_its_rule(
    failed_at: int, refusal: type[Exception], detail: str
) -> None:
    client = StubDynamoDb(cancelled({failed_at: "ConditionalCheckFailed"}))

    with pytest.raises(refusal, match=detail):
        add(client)
    assert len(client.transactions) == 1


def test_one_transaction_holds_the_appointment_the_place_the_ledger_and_the_guards() -> None:
    client = StubDynamoDb()
    add(client)

    (items,) = client.transactions
    assert [next(iter(i)) for i in items] == ["Put", "Update", "Put", "Put", "Put"]
    slot = items[SLOT_AT]["Update"]
    assert slot["ConditionExpression"] == "attribute_not_exists(booked) OR booked < :capacity"
    assert slot["ExpressionAttributeValues"][":capacity"] == {"N": "2"}


def test_a_conflict_with_another_transaction_is_retried_until_a_condition_decides() -> None:
    pauses: list[int] = []
    client = StubDynamoDb(
        cancelled({SLOT_AT: "TransactionConflict"}),
        cancelled({SLOT_AT: "TransactionConflict"}),
        cancelled({SLOT_AT: "ConditionalCheckFailed"}),
    )

    with pytest.raises(SlotFull):
        add(client, pauses)
    assert pauses == [1, 2]


def test_a_slot_busy_beyond_the_retries_is_a_conflict_to_try_again_not_an_error() -> None:
    pauses: list[int] = []
    client = StubDynamoDb(*(cancelled({SLOT_AT: "TransactionConflict"}) for _ in range(CONFLICT_ATTEMPTS)))

    with pytest.raises(ChangedMeanwhile, match="Try again"):
        add(client, pauses)
    assert len(client.transactions) == CONFLICT_ATTEMPTS


def test_other_failures_are_not_mistaken_for_refusals() -> None:
    throttled = ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException"}}, "TransactWriteItems"
    )
    with pytest.raises(ClientError):
        add(StubDynamoDb(throttled))
