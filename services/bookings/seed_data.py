"""Synthetic people and documents for the local cloud's registers: generated, valid-checksum personnummer,
never a real person's.

The families (guardians and children) are the platform's, from :mod:`shared.synthetic_people`, so the reports
service's population register knows the same guardians. The document holders and documents are this
service's, drawn from ``random.Random(SEED)``, so the same identities exist in every run and tests can import
them: a guardian logs in with ``FAMILIES[0].guardians[0]`` and books for ``FAMILIES[0].children[0]``;
``VALID_PASSPORT`` answers Giltig to the validity check. Expiry dates follow the calendar year, so the valid
documents stay valid and the expired one stays expired whenever the tests run.
"""

from __future__ import annotations

import random
from datetime import date

from services.bookings.domain.ports import IssuedDocument, IssuedDocumentType
from shared.identity import generate_personnummer
from shared.synthetic_people import FAMILIES as FAMILIES
from shared.synthetic_people import Family as Family

SEED = 20261122


_rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic people, not a secret


def _person(born: int) -> str:
    return str(generate_personnummer(_rng, birth_date=date(born, _rng.randint(1, 12), _rng.randint(1, 28))))


def _document_number() -> str:
    return f"{_rng.randint(10_000_000, 99_999_999)}"


_THIS_YEAR = date.today().year
VALID_UNTIL = date(_THIS_YEAR + 3, 6, 30)
EXPIRED_ON = date(_THIS_YEAR - 1, 3, 31)

# Adults with documents in the register and no children.
HOLDERS: tuple[str, ...] = tuple(_person(1950 + 5 * i) for i in range(7))


def _document(
    kind: IssuedDocumentType, holder: str, expiry: date, *, blocked: bool = False
) -> IssuedDocument:
    return IssuedDocument(
        number=_document_number(), type=kind, holder_personnummer=holder, expiry_date=expiry, blocked=blocked
    )


VALID_PASSPORT = _document(IssuedDocumentType.PASSPORT, HOLDERS[0], VALID_UNTIL)
VALID_ID_CARD = _document(IssuedDocumentType.NATIONAL_ID_CARD, HOLDERS[0], VALID_UNTIL)
EXPIRED_PASSPORT = _document(IssuedDocumentType.PASSPORT, HOLDERS[1], EXPIRED_ON)
BLOCKED_ID_CARD = _document(IssuedDocumentType.NATIONAL_ID_CARD, HOLDERS[1], VALID_UNTIL, blocked=True)
# Each is blocked by one test only, so the others can rely on the rest staying valid.
PASSPORT_TO_REPORT_LOST = _document(IssuedDocumentType.PASSPORT, HOLDERS[2], VALID_UNTIL)
PASSPORT_TO_BLOCK_ON_THE_BUS = _document(IssuedDocumentType.PASSPORT, HOLDERS[3], VALID_UNTIL)
PASSPORT_OF_SOMEONE_ELSE = _document(IssuedDocumentType.PASSPORT, HOLDERS[4], VALID_UNTIL)
CHILD_PASSPORT = _document(IssuedDocumentType.PASSPORT, FAMILIES[0].children[0], VALID_UNTIL)
# A child's passport its guardian reports stolen (blocked by one end-to-end test).
CHILD_PASSPORT_TO_REPORT_STOLEN = _document(IssuedDocumentType.PASSPORT, FAMILIES[1].children[0], VALID_UNTIL)
# A stranger's passport someone names in a report filed "on behalf of" its holder: it must stay valid.
PASSPORT_OF_A_STRANGER = _document(IssuedDocumentType.PASSPORT, HOLDERS[6], VALID_UNTIL)

DOCUMENTS: tuple[IssuedDocument, ...] = (
    VALID_PASSPORT,
    VALID_ID_CARD,
    EXPIRED_PASSPORT,
    BLOCKED_ID_CARD,
    PASSPORT_TO_REPORT_LOST,
    PASSPORT_TO_BLOCK_ON_THE_BUS,
    PASSPORT_OF_SOMEONE_ELSE,
    CHILD_PASSPORT,
    CHILD_PASSPORT_TO_REPORT_STOLEN,
    PASSPORT_OF_A_STRANGER,
)
