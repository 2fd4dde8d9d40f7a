"""The document validity check (kontroll av giltighet): is this passport or ID card valid for this person?
And the rules for blocking one reported lost or stolen.

Open to anyone, as on polisen.se, so it must reveal nothing beyond its one-word answer: not whether the number
exists, not whose it is, not when it expires. The register is read the same way whether or not the document
exists, the presented identity is compared in constant time, and the API pads every answer to the same
minimum duration.

A block is asked for by the reports service (``DocumentBlockRequested``) only when the reporter is the holder
or a guardian of a holder under 18 (the reports service checks the relation in the population register). This
register blocks the document only if it lists the request's holder as the holder of a document of that type,
and answers every request with ``DocumentBlocked`` or ``DocumentBlockRefused``, written with the block, so
the report says "blocked" only for a block that was made.
"""

from __future__ import annotations

import hmac
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from services.bookings.domain.ports import DocumentRegister, IssuedDocument
from shared.concurrency import retry_on_conflict
from shared.errors import Conflict
from shared.events.contracts.bookings import SOURCE, DocumentBlocked, DocumentBlockRefused
from shared.events.contracts.reports import DocumentBlockRequested
from shared.events.envelope import Envelope, EventData, new_event
from shared.i18n import InvalidValue
from shared.identity import InvalidIdentifier, parse_personnummer
from shared.models import CamelModel, Day

# Swedish passports and national ID cards carry 8-digit numbers.
DOCUMENT_NUMBER_PATTERN = r"^\d{8}$"
# What an absent document is compared against: as long as a real record, matching no real input.
_NO_RECORD = b"-" * len(b"YYYYMMDDNNNN|YYYY-MM-DD")


class ValidityResult(StrEnum):
    VALID = "Giltig"
    BLOCKED = "Spärrat"
    NO_RESULT = "Inget resultat"


class ValidityQuestion(CamelModel):
    document_number: Annotated[str, Field(pattern=DOCUMENT_NUMBER_PATTERN, examples=["12345678"])]
    personnummer: Annotated[str, Field(examples=["19850312-2398"])]
    expiry_date: Day

    @field_validator("personnummer")
    @classmethod
    def _valid(cls, text: str) -> str:
        try:
            return str(parse_personnummer(text, today=date.today()))
        except InvalidIdentifier as error:
            raise InvalidValue(error.message) from None


def _record(personnummer: str, expiry_date: date) -> bytes:
    return f"{personnummer}|{expiry_date.isoformat()}".encode()


def check_validity(question: ValidityQuestion, *, register: DocumentRegister, today: date) -> ValidityResult:
    """Giltig, Spärrat or Inget resultat, and nothing else. An expired document is not valid, and not
    blocked either: Inget resultat."""
    document = register.find(question.document_number)
    presented = _record(question.personnummer, question.expiry_date)
    on_record = _record(document.holder_personnummer, document.expiry_date) if document else _NO_RECORD
    matches = hmac.compare_digest(presented, on_record)
    if document is None or not matches:
        return ValidityResult.NO_RESULT
    if document.blocked:
        return ValidityResult.BLOCKED
    if document.expiry_date < today:
        return ValidityResult.NO_RESULT
    return ValidityResult.VALID


class BlockOutcome(StrEnum):
    BLOCKED = "blocked"
    ALREADY_BLOCKED = "alreadyBlocked"
    REFUSED = "refused"
    # The report's request was answered before (a redelivery, a re-drive, an archive replay): nothing changed
    # and nothing was published.
    ANSWERED_BEFORE = "answeredBefore"


def may_block(document: IssuedDocument | None, requested: DocumentBlockRequested) -> bool:
    """A document is blocked only for the holder the register lists, and only as the type it is: a report
    can block no one else's passport."""
    return (
        document is not None
        and document.type.value == requested.document_type
        and hmac.compare_digest(document.holder_personnummer, requested.holder_personnummer)
    )


def block_reported_document(
    requested: DocumentBlockRequested, *, register: DocumentRegister, now: datetime, correlation_id: str
) -> BlockOutcome:
    """Block the document if the register lists the request's holder as its holder, and answer the report
    either way: ``DocumentBlocked`` is written with the block (one transaction), ``DocumentBlockRefused``
    alone when nothing changed.

    Each report's request is answered once, however often it is delivered: the block it made names its case,
    and an answer that changes nothing is stored with the record that it was given (ADR 87)."""

    def event(data: EventData) -> Envelope[EventData]:
        return new_event(data, producer=SOURCE, occurred_at=now, correlation_id=correlation_id)

    def blocked(*, already: bool) -> Envelope[EventData]:
        return event(
            DocumentBlocked(
                document_type=requested.document_type,
                document_number=requested.document_number,
                case_number=requested.case_number,
                blocked_at=now,
                already_blocked=already,
            )
        )

    def answered(answer: Envelope[EventData], outcome: BlockOutcome) -> BlockOutcome:
        first = register.answer(
            requested.document_number,
            document_type=requested.document_type,
            case_number=requested.case_number,
            events=[answer],
        )
        return outcome if first else BlockOutcome.ANSWERED_BEFORE

    def attempt() -> BlockOutcome:
        document = register.find(requested.document_number)
        if not may_block(document, requested):
            refused = DocumentBlockRefused(
                document_type=requested.document_type,
                document_number=requested.document_number,
                case_number=requested.case_number,
                refused_at=now,
                reason="noSuchDocumentOfTheHolder",
            )
            return answered(event(refused), BlockOutcome.REFUSED)
        assert document is not None
        if document.blocked and document.blocked_by_case == requested.case_number:
            return BlockOutcome.ANSWERED_BEFORE  # this report's block: answered in the block's transaction
        if document.blocked:
            return answered(blocked(already=True), BlockOutcome.ALREADY_BLOCKED)
        if not register.block(
            requested.document_number,
            document_type=document.type,
            holder_personnummer=requested.holder_personnummer,
            reason=requested.reason,
            case_number=requested.case_number,
            blocked_at=now,
            events=[blocked(already=False)],
        ):
            raise Conflict(f"Document of case {requested.case_number} changed meanwhile")
        return BlockOutcome.BLOCKED

    # Another report may block the same document at the same moment: read it again.
    return retry_on_conflict(attempt)
