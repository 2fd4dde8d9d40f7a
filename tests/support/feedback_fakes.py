"""In-memory stand-ins for the feedback domain's ports, and the feedback citizens give, for unit tests only.

The repository keeps the rules the DynamoDB transaction keeps: a change is stored only over the version it
read (``Conflict`` otherwise), with its events and audit record, or not at all; every item leaves its theme
row, and an approved publication its public row."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from services.feedback.domain import intake
from services.feedback.domain.casework import FeedbackDesk
from services.feedback.domain.learning import ThemeRow
from services.feedback.domain.lessons import Lesson
from services.feedback.domain.model import FeedbackDraft, FeedbackItem
from services.feedback.domain.ports import Page
from shared.audit import AuditRecord
from shared.clock import FixedClock
from shared.errors import Conflict
from shared.events.envelope import Envelope, EventData
from shared.identity import generate_personnummer
from shared.staff import StaffMember
from shared.uploads import StoredObject, UploadTarget
from tests.support.fakes import InMemoryAuditLog, RecordingMailbox

# A Monday, 10:00 in Stockholm.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
ANSWER_DAYS = 14
MALMO = "1280"  # region Syd
UMEA = "2480"  # region Nord


class InMemoryFeedback:
    """Items, case owners and lessons (the repository, CaseOwnership and LessonStore), as the table keeps them."""

    def __init__(self, audit: InMemoryAuditLog | None = None) -> None:
        self.items: dict[str, FeedbackItem] = {}
        self.owners: dict[str, str] = {}
        self.saved_lessons: dict[str, Lesson] = {}
        self.events: list[Envelope[EventData]] = []
        self.audit = audit or InMemoryAuditLog()
        # (month, feedback number): the public database's row of an approved publication
        self.public_rows: dict[tuple[str, str], dict[str, Any]] = {}
        self._numbers: dict[int, itertools.count[int]] = {}

    # --- items ---------------------------------------------------------------------------------------------

    def allocate_number(self, year: int) -> int:
        return next(self._numbers.setdefault(year, itertools.count(1)))

    def add(self, item: FeedbackItem, events: Sequence[Envelope[EventData]]) -> None:
        if item.feedback_number in self.items:
            raise Conflict("taken")
        self.items[item.feedback_number] = item
        self.events.extend(events)

    def get(self, feedback_number: str) -> FeedbackItem | None:
        return self.items.get(feedback_number)

    def save(
        self,
        item: FeedbackItem,
        *,
        expected_version: int,
        events: Sequence[Envelope[EventData]] = (),
        audit: AuditRecord | None = None,
    ) -> None:
        stored = self.items.get(item.feedback_number)
        if stored is None or stored.version != expected_version:
            raise Conflict("changed meanwhile")
        self.items[item.feedback_number] = item
        self.events.extend(events)
        if audit is not None:
            self.audit.record(audit)
        if item.publication is not None:
            self.public_rows[(item.publication.month, item.feedback_number)] = {
                "kind": item.draft.kind.value,
                "category": item.draft.category.value,
                "municipality": item.publication.municipality,
                "month": item.publication.month,
                "text": item.publication.text,
            }

    def of_owner(self, owner_ref: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        owned = sorted(
            (i for i in self.items.values() if i.owner_ref == owner_ref),
            key=lambda i: (i.received_at, i.feedback_number),
            reverse=True,
        )
        return _page(owned, limit, start)

    def open_in_region(self, region: str, *, limit: int, start: dict[str, Any] | None) -> Page:
        found = sorted(
            (i for i in self.items.values() if i.region == region and i.status.is_open),
            key=lambda i: (i.answer_due_at, i.feedback_number),
        )
        return _page(found, limit, start)

    def due(self, *, by: datetime) -> Iterator[FeedbackItem]:
        due = [(i.next_due_at, i) for i in self.items.values() if i.next_due_at is not None]
        for _, item in sorted(((d, i) for d, i in due if d <= by), key=lambda pair: pair[0]):
            yield item

    def theme_rows(self, months: list[str], region: str | None) -> list[ThemeRow]:
        rows = (ThemeRow.of(i) for i in self.items.values())
        return [r for r in rows if r.month in months and (region is None or r.region == region)]

    def published(self, months: list[str]) -> Iterator[dict[str, Any]]:
        for month in sorted(months, reverse=True):
            yield from (row for (of, _), row in sorted(self.public_rows.items()) if of == month)

    # --- case owners ---------------------------------------------------------------------------------------

    def owner_of(self, case_number: str) -> str | None:
        return self.owners.get(case_number)

    def learn_owner(self, case_number: str, owner_ref: str) -> None:
        self.owners.setdefault(case_number, owner_ref)

    # --- lessons -------------------------------------------------------------------------------------------

    def add_lesson(self, lesson: Lesson, events: list[Envelope[EventData]]) -> None:
        self.saved_lessons[lesson.lesson_id] = lesson
        self.events.extend(events)

    def lessons(self, *, limit: int) -> list[Lesson]:
        return sorted(self.saved_lessons.values(), key=lambda lesson: lesson.published_at, reverse=True)[
            :limit
        ]

    def lesson(self, lesson_id: str) -> Lesson | None:
        return self.saved_lessons.get(lesson_id)

    # --- for the tests -------------------------------------------------------------------------------------

    def event_types(self) -> list[str]:
        return [e.metadata.event_type for e in self.events]


class InMemoryUploads:
    """The attachments bucket: what a sender uploaded, by key (the test puts it there, as the browser would)."""

    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}
        self.targets: list[str] = []
        self.deleted: list[str] = []

    def upload_target(
        self, key: str, *, content_type: str, max_bytes: int, expires_in: timedelta
    ) -> UploadTarget:
        self.targets.append(key)
        return UploadTarget(
            url=f"https://uploads.test/{key}",
            fields={"Content-Type": content_type},
            expires_at=NOW + expires_in,
        )

    def stored_object(self, key: str) -> StoredObject | None:
        return self.objects.get(key)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)
        self.deleted.append(key)


def _page(items: list[FeedbackItem], limit: int, start: dict[str, Any] | None) -> Page:
    offset = int(start["offset"]) if start else 0
    more = offset + limit < len(items)
    return Page(items[offset : offset + limit], {"offset": offset + limit} if more else None)


def draft(**changes: Any) -> FeedbackDraft:
    """A complaint about waiting time in Malmö that wants an answer by digital mail (camelCase changes)."""
    body: dict[str, Any] = {
        "kind": "serviceComplaint",
        "category": "waitingTime",
        "concerns": {"municipalityCode": MALMO, "unit": {"name": "Passexpeditionen Malmö"}},
        "text": "Jag väntade i två timmar trots bokad tid.",
        "answer": {"by": "digitalMail"},
    }
    body.update(changes)
    return FeedbackDraft.model_validate(body)


def citizen(seed: int) -> intake.Sender:
    """An identified sender with a synthetic personnummer."""
    return intake.Sender(
        owner_ref=f"sub-{seed}", personnummer=str(generate_personnummer(random.Random(seed)))
    )


ANONYMOUS = intake.Sender()


def caller(name: str | None = "Kim Andersson") -> intake.Sender:
    return intake.Sender(caller_name=name, registered_by="KC-114")


@dataclass
class FeedbackWorld:
    """One feedback service's worth of fakes on a clock that stands still until moved."""

    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    audit: InMemoryAuditLog = field(default_factory=InMemoryAuditLog)
    mailbox: RecordingMailbox = field(default_factory=RecordingMailbox)
    repository: InMemoryFeedback = field(init=False)

    def __post_init__(self) -> None:
        self.repository = InMemoryFeedback(self.audit)

    def give(
        self, feedback: FeedbackDraft | None = None, *, sender: intake.Sender | None = None
    ) -> FeedbackItem:
        return intake.receive(
            feedback or draft(),
            sender=sender or citizen(1),
            repository=self.repository,
            cases=self.repository,
            now=self.clock.now(),
            answer_days=ANSWER_DAYS,
            correlation_id="corr-1",
        )

    def desk(self, *roles: str, staff_id: str = "PM-5501", region: str = "Syd") -> FeedbackDesk:
        return FeedbackDesk(
            staff=StaffMember(staff_id=staff_id, region=region, roles=frozenset(roles)),
            items=self.repository,
            audit=self.audit,
            clock=self.clock,
            correlation_id="corr-staff",
        )

    def function(self, region: str = "Syd") -> FeedbackDesk:
        return self.desk("feedback", staff_id="PM-5501", region=region)

    def manager(self, staff_id: str = "PM-5502", region: str = "Syd") -> FeedbackDesk:
        return self.desk("manager", staff_id=staff_id, region=region)

    def assigned(self, feedback: FeedbackDraft | None = None, *, sender: intake.Sender | None = None) -> str:
        number = self.give(feedback, sender=sender).feedback_number
        self.function().assign(number, "PM-5502")
        return number

    def closed(self, feedback: FeedbackDraft | None = None, *, sender: intake.Sender | None = None) -> str:
        number = self.assigned(feedback, sender=sender)
        manager = self.manager()
        manager.answer(number, "Vi beklagar väntetiden.")
        manager.close(number)
        return number
