"""Synthetic people and documents for the local cloud's registers: generated, valid-checksum personnummer,
never a real person's.

Everything is drawn from ``random.Random(SEED)``, so the same identities exist in every run and tests can
import them: a guardian logs in with ``FAMILIES[0].guardians[0]`` and books for ``FAMILIES[0].children[0]``;
``VALID_PASSPORT`` answers Giltig to the validity check. Expiry dates follow the calendar year, so the valid
documents stay valid and the expired one stays expired whenever the tests run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from services.bookings.domain.ports import IssuedDocument, IssuedDocumentType
from shared.identity import generate_personnummer

SEED = 20261122


@dataclass(frozen=True)
class Family:
    guardians: tuple[str, ...]  # 12-digit personnummer
    children: tuple[str, ...]

    @property
    def guardianship(self) -> list[tuple[str, str]]:
        return [(guardian, child) for guardian in self.guardians for child in self.children]


_rng = random.Random(SEED)  # noqa: S311 - reproducible synthetic people, not a secret


def _person(born: int) -> str:
    return str(generate_personnummer(_rng, birth_date=date(born, _rng.randint(1, 12), _rng.randint(1, 28))))


def _document_number() -> str:
    return f"{_rng.randint(10_000_000, 99_999_999)}"


_THIS_YEAR = date.today().year
VALID_UNTIL = date(_THIS_YEAR + 3, 6, 30)
EXPIRED_ON = date(_THIS_YEAR - 1, 3, 31)

# Three families: two guardians with two children, and two single guardians with one child each.
FAMILIES: tuple[Family, ...] = (
    Family(guardians=(_person(1984), _person(1986)), children=(_person(2016), _person(2019))),
    Family(guardians=(_person(1979),), children=(_person(2014),)),
    Family(guardians=(_person(1990),), children=(_person(2021),)),
)
# Adults with documents in the register and no children.
HOLDERS: tuple[str, ...] = tuple(_person(1950 + 5 * i) for i in range(6))


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

DOCUMENTS: tuple[IssuedDocument, ...] = (
    VALID_PASSPORT,
    VALID_ID_CARD,
    EXPIRED_PASSPORT,
    BLOCKED_ID_CARD,
    PASSPORT_TO_REPORT_LOST,
    PASSPORT_TO_BLOCK_ON_THE_BUS,
    PASSPORT_OF_SOMEONE_ELSE,
    CHILD_PASSPORT,
)
