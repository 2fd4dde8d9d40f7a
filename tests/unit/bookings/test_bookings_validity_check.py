"""The validity check's answers, its constant work, and the padding of its answers."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.bookings import pacing
from services.bookings.domain.ports import IssuedDocument, IssuedDocumentType
from services.bookings.domain.validity import (
    BlockOutcome,
    ValidityQuestion,
    ValidityResult,
    block_reported_document,
    check_validity,
)
from shared.events.contracts.reports import DocumentBlockRequested
from shared.identity import generate_personnummer
from tests.support.bookings_fakes import InMemoryDocuments

TODAY = date(2026, 11, 23)
HOLDER = str(generate_personnummer(random.Random(1), birth_date=date(1985, 3, 12)))
SOMEONE_ELSE = str(generate_personnummer(random.Random(2), birth_date=date(1985, 3, 12)))
WRITTEN_AS_ON_A_FORM = f"{HOLDER[2:8]}-{HOLDER[8:]}"
PASSPORT = IssuedDocument("12345678", IssuedDocumentType.PASSPORT, HOLDER, date(2029, 6, 30), blocked=False)
EXPIRED = IssuedDocument("22345678", IssuedDocumentType.PASSPORT, HOLDER, date(2026, 11, 22), blocked=False)
BLOCKED = IssuedDocument(
    "32345678", IssuedDocumentType.NATIONAL_ID_CARD, HOLDER, date(2029, 6, 30), blocked=True
)


def ask(
    register: InMemoryDocuments,
    number: str,
    personnummer: str = WRITTEN_AS_ON_A_FORM,
    expiry: str = "2029-06-30",
) -> ValidityResult:
    question = ValidityQuestion.model_validate(
        {"documentNumber": number, "personnummer": personnummer, "expiryDate": expiry}
    )
    return check_validity(question, register=register, today=TODAY)


@pytest.fixture
def register() -> InMemoryDocuments:
    return InMemoryDocuments([PASSPORT, EXPIRED, BLOCKED])


def test_the_three_answers(register: InMemoryDocuments) -> None:
    assert ask(register, "12345678") is ValidityResult.VALID
    assert ask(register, "32345678") is ValidityResult.BLOCKED
    assert ask(register, "22345678", expiry="2026-11-22") is ValidityResult.NO_RESULT
    assert ask(register, "99999999") is ValidityResult.NO_RESULT
    assert ask(register, "12345678", expiry="2029-06-29") is ValidityResult.NO_RESULT
    assert ask(register, "12345678", personnummer=SOMEONE_ELSE) is ValidityResult.NO_RESULT
    assert {r.value for r in ValidityResult} == {"Giltig", "Spärrat", "Inget resultat"}


def test_a_blocked_document_is_only_told_as_blocked_to_who_knows_its_holder_and_expiry(
    register: InMemoryDocuments,
) -> None:
    assert ask(register, "32345678", expiry="2030-01-01") is ValidityResult.NO_RESULT


def test_the_register_is_read_once_whether_or_not_the_document_exists(register: InMemoryDocuments) -> None:
    ask(register, "12345678")
    ask(register, "99999999")
    assert register.reads == ["12345678", "99999999"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("documentNumber", "1234567"),
        ("documentNumber", "123456789"),
        ("documentNumber", "1234 5678"),
        ("personnummer", WRITTEN_AS_ON_A_FORM[:-1] + str((int(WRITTEN_AS_ON_A_FORM[-1]) + 1) % 10)),
    ],
)
def test_malformed_questions_are_refused_before_the_register_is_asked(field: str, value: str) -> None:
    body = {
        "documentNumber": "12345678",
        "personnummer": WRITTEN_AS_ON_A_FORM,
        "expiryDate": "2029-06-30",
        field: value,
    }
    with pytest.raises(ValidationError) as error:
        ValidityQuestion.model_validate(body)
    assert error.value.errors()[0]["loc"] == (field,)


NOW = datetime(2026, 11, 23, tzinfo=UTC)


def requested(
    holder: str, document_type: str = "passport", number: str = "12345678"
) -> DocumentBlockRequested:
    return DocumentBlockRequested(
        document_type=document_type,
        document_number=number,
        holder_personnummer=holder,
        requested_by="holder",
        reason="stolen",
        case_number="K1-26",
        requested_at=NOW,
    )


def block(register: InMemoryDocuments, request: DocumentBlockRequested) -> BlockOutcome:
    return block_reported_document(request, register=register, now=NOW, correlation_id="c-1")


def test_only_the_holder_named_blocks_a_document_and_every_request_is_answered(
    register: InMemoryDocuments,
) -> None:
    assert block(register, requested(SOMEONE_ELSE)) is BlockOutcome.REFUSED
    assert block(register, requested(HOLDER, "nationalIdCard")) is BlockOutcome.REFUSED
    assert block(register, requested(HOLDER, number="99999999")) is BlockOutcome.REFUSED
    assert ask(register, "12345678") is ValidityResult.VALID

    assert block(register, requested(HOLDER)) is BlockOutcome.BLOCKED
    assert ask(register, "12345678") is ValidityResult.BLOCKED

    answers = [(e.metadata.event_type, e.metadata.producer, e.data.model_dump()) for e in register.events]
    assert [(kind, producer) for kind, producer, _ in answers] == [
        ("DocumentBlockRefused", "polisen.bookings"),
        ("DocumentBlockRefused", "polisen.bookings"),
        ("DocumentBlockRefused", "polisen.bookings"),
        ("DocumentBlocked", "polisen.bookings"),
    ]
    assert {data["case_number"] for _, _, data in answers} == {"K1-26"}
    # The answers name the document and the case, never a personnummer.
    assert all(HOLDER not in str(data) and SOMEONE_ELSE not in str(data) for _, _, data in answers)


def test_a_document_blocked_before_is_answered_as_blocked_without_a_second_block(
    register: InMemoryDocuments,
) -> None:
    assert (
        block(register, requested(HOLDER, "nationalIdCard", number="32345678"))
        is BlockOutcome.ALREADY_BLOCKED
    )
    answer = register.events[-1]
    assert answer.metadata.event_type == "DocumentBlocked"
    assert answer.data.model_dump()["already_blocked"] is True


def test_a_document_is_blocked_once_and_its_first_block_is_kept(register: InMemoryDocuments) -> None:
    first = NOW
    assert (
        block_reported_document(requested(HOLDER), register=register, now=first, correlation_id="c-1")
        is BlockOutcome.BLOCKED
    )
    again = requested(HOLDER).model_copy(update={"case_number": "K9-26"})
    later = first + timedelta(days=7)
    assert block_reported_document(again, register=register, now=later, correlation_id="c-2") is (
        BlockOutcome.ALREADY_BLOCKED
    )
    blocked = register.documents["12345678"]
    assert (blocked.blocked_by_case, blocked.blocked_at) == ("K1-26", first)


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_quick_answer_is_padded_to_the_minimum_and_a_slow_one_is_not() -> None:
    time = FakeTime()
    with pacing.at_least(0.2, clock=time.clock, sleep=time.sleep):
        time.now += 0.05
    with pacing.at_least(0.2, clock=time.clock, sleep=time.sleep):
        time.now += 0.3

    assert time.slept == [pytest.approx(0.15)]


def test_an_error_is_not_padded() -> None:
    time = FakeTime()
    with pytest.raises(RuntimeError), pacing.at_least(0.2, clock=time.clock, sleep=time.sleep):
        raise RuntimeError("the register is down")
    assert time.slept == []


def test_a_request_delivered_again_is_not_answered_again(register: InMemoryDocuments) -> None:
    for request in (requested(HOLDER), requested(SOMEONE_ELSE, number="22345678")):
        first = block(register, request)
        assert block(register, request) is BlockOutcome.ANSWERED_BEFORE, first
    assert [e.metadata.event_type for e in register.events] == ["DocumentBlocked", "DocumentBlockRefused"]
