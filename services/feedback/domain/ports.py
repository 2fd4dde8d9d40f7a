"""What the feedback use cases need from storage and from others, as Protocols over the model."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.feedback.domain.learning import ThemeRow
from services.feedback.domain.model import FeedbackItem
from shared.audit import AuditRecord
from shared.events.envelope import Envelope, EventData


@dataclass(frozen=True)
class Page:
    items: list[FeedbackItem]
    next_start: dict[str, Any] | None


class FeedbackRepository(Protocol):
    def allocate_number(self, year: int) -> int: ...

    def add(self, item: FeedbackItem, events: Sequence[Envelope[EventData]]) -> None:
        """Store a new item with its events, atomically."""
        ...

    def get(self, feedback_number: str) -> FeedbackItem | None: ...

    def save(
        self,
        item: FeedbackItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
    ) -> None:
        """Replace the item if its version is still ``expected_version``, with its events and the audit
        record of the staff member who changed it, atomically; ``Conflict`` when another change came first."""
        ...

    def of_owner(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page: ...

    def open_in_region(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        """A regional function's open items, oldest deadline first."""
        ...

    def due(self, *, by: datetime) -> Iterator[FeedbackItem]: ...

    def theme_rows(self, months: list[str], region: str | None) -> list[ThemeRow]:
        """What the items received in ``months`` add to the figures, of one region or (None) of all."""
        ...


class CaseOwnership(Protocol):
    """Whose report or permit case a case number is, as the services that own them announced it."""

    def owner_of(self, case_number: str) -> str | None: ...
