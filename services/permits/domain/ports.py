"""What the permits use cases need from storage and from others, as Protocols over the model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from services.permits.domain.model import Application, Licence
from shared.audit import AuditRecord
from shared.events.envelope import Envelope, EventData
from shared.payments import PaymentConfirmation


@dataclass(frozen=True)
class Page:
    applications: list[Application]
    next_start: dict[str, Any] | None


class ApplicationRepository(Protocol):
    def allocate_number(self, year: int) -> int:
        """The next running number of the year, unique however many submit at once."""
        ...

    def add(self, application: Application, events: Sequence[Envelope[EventData]]) -> None:
        """Store a new application (and its payment reference) with its events, atomically."""
        ...

    def get(self, diarienummer: str) -> Application | None: ...

    def by_payment_reference(self, reference: str) -> Application | None: ...

    def hold_for_review(self, confirmation: PaymentConfirmation, *, diarienummer: str, why: str) -> None:
        """Keep a payment that was made but cannot be taken (a wrong amount, a dismissed application) for staff
        to refund or match; the same payment twice is kept once."""
        ...

    def save(
        self,
        application: Application,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
        licences: Sequence[Licence] = (),
        expected_licence_versions: dict[str, int] | None = None,
    ) -> None:
        """Replace the application if its version is still ``expected_version``, with its events, the audit
        record of the staff member who changed it and the licences the change grants or changes, atomically.
        ``ChangedMeanwhile`` when another change came first."""
        ...

    def of_applicant(self, applicant_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page: ...

    def queue(self, queue: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        """A queue's cases waiting for a case handler, in the order they were paid: ``weapons`` (national)
        or a region's public-place queue."""
        ...

    def position_in_queue(self, application: Application) -> int:
        """How many cases of its queue were paid before this one and still wait."""
        ...

    def referrals_of(self, municipality_code: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        """The municipality's referrals still waiting for its answer, oldest first."""
        ...

    def due(self, *, by: datetime) -> Iterator[Application]:
        """Cases whose ``next_due_at`` is by ``by``, earliest first (from an index that may lag a moment)."""
        ...

    def decided_weapons_cases(self, since: date) -> int:
        """How many weapons cases were decided from ``since`` on: the national queue's throughput."""
        ...


class LicenceRegister(Protocol):
    """The police's register of weapons licences and purchase permits, by licence number and by holder."""

    def allocate_licence_number(self, year: int) -> int: ...

    def licence(self, licence_number: str) -> Licence | None: ...

    def held_by(self, personnummer: str) -> list[Licence]: ...

    def expiring(self, by: date) -> Iterator[Licence]:
        """Valid time-limited licences and purchase permits whose reminder is due by ``by``."""
        ...

    def save_licence(
        self, licence: Licence, *, expected_version: int | None, events: Sequence[Envelope[EventData]] = ()
    ) -> None:
        """Put a new licence (``expected_version`` None) or replace one still at ``expected_version``."""
        ...


class Suitability(StrEnum):
    CLEAR = "clear"
    FLAGGED = "flagged"


class SuitabilityRegister(Protocol):
    """The police registers a suitability check asks. They answer only clear or flagged, never why."""

    def check(self, personnummer: str) -> Suitability: ...


class CompanyRegister(Protocol):
    """The register of companies' representatives (who may act for an organisationsnummer)."""

    def representatives_of(self, organisationsnummer: str) -> frozenset[str]: ...
