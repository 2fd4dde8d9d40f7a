"""The document validity check (kontroll av giltighet): is this passport or ID card valid for this person?

Open to anyone, as on polisen.se, so it must reveal nothing beyond its one-word answer: not whether the number
exists, not whose it is, not when it expires. The register is read the same way whether or not the document
exists, the presented identity is compared in constant time, and the API pads every answer to the same
minimum duration.
"""

from __future__ import annotations

import hmac
from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field, field_validator

from services.bookings.domain.ports import DocumentRegister, IssuedDocumentType
from shared.events.contracts.reports import DocumentBlocked
from shared.events.envelope import CamelModel
from shared.identity import InvalidIdentifier, parse_personnummer
from shared.models import Day

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
            raise ValueError(error.reason) from None


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


def block_reported_document(reported: DocumentBlocked, *, register: DocumentRegister) -> bool:
    """Block a document reported lost or stolen, only if the register lists the reporter as its holder: a
    citizen cannot block someone else's passport. False when nothing was blocked."""
    return register.block(
        reported.document_number,
        document_type=IssuedDocumentType(reported.document_type),
        holder_personnummer=reported.holder_personnummer,
        reason=reported.reason,
        case_number=reported.case_number,
        blocked_at=reported.blocked_at,
    )
