"""Lessons: what the police changed after a set of feedback items. A lesson is public (it has no personal data:
its text is the change, and it names items only by number); every sender whose feedback fed it and who asked
for an answer is told, once, by letter.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Protocol

from pydantic import AwareDatetime, Field, StringConstraints

from services.feedback.domain.model import FeedbackItem, is_feedback_number
from services.feedback.domain.ports import FeedbackRepository
from services.feedback.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.errors import InvalidInput, NotFound
from shared.events.contracts.feedback import SOURCE, LessonPublished
from shared.events.envelope import Envelope, EventData, new_event
from shared.letters import DigitalLetter, DigitalMailbox, letter_id
from shared.models import CamelModel
from shared.staff import StaffMember

MAX_ITEMS_PER_LESSON = 200


class Lesson(CamelModel):
    lesson_id: str
    region: str
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    change: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    feedback_numbers: tuple[str, ...] = Field(min_length=1, max_length=MAX_ITEMS_PER_LESSON)
    published_at: AwareDatetime
    published_by: str


class LessonStore(Protocol):
    def add_lesson(self, lesson: Lesson, events: list[Envelope[EventData]]) -> None: ...

    def lessons(self, *, limit: int) -> list[Lesson]: ...

    def lesson(self, lesson_id: str) -> Lesson | None: ...


def publish(
    *,
    title: str,
    change: str,
    feedback_numbers: list[str],
    staff: StaffMember,
    items: FeedbackRepository,
    store: LessonStore,
    now: datetime,
    correlation_id: str,
) -> Lesson:
    numbers = tuple(dict.fromkeys(feedback_numbers))
    for index, number in enumerate(numbers):
        item = items.get(number) if is_feedback_number(number) else None
        if not is_feedback_number(number):
            raise InvalidInput.of(f"feedbackNumbers[{index}]", TEXTS("not_found.item", feedbackNumber=number))
        if item is None or not staff.may_see(item.region):
            # Another region's item is as unknown as a missing one.
            raise NotFound(TEXTS("not_found.item", feedbackNumber=number))
    lesson = Lesson(
        lesson_id=str(uuid.uuid4()),
        region=staff.region,
        title=title,
        change=change,
        feedback_numbers=numbers,
        published_at=now,
        published_by=staff.staff_id,
    )
    event: Envelope[EventData] = new_event(
        LessonPublished(
            lesson_id=lesson.lesson_id, region=lesson.region, feedback_numbers=numbers, published_at=now
        ),
        producer=SOURCE,
        occurred_at=now,
        correlation_id=correlation_id,
    )
    store.add_lesson(lesson, [event])
    return lesson


def _lesson_letter(item: FeedbackItem, lesson: Lesson, now: datetime) -> DigitalLetter | None:
    if item.personnummer is None or not item.wants_answer:
        return None
    return DigitalLetter(
        message_id=letter_id(
            "feedback/lesson", f"{lesson.lesson_id}/{item.feedback_number}", lesson.published_at
        ),
        recipient_personnummer=item.personnummer,
        subject=TEXTS("letter.lesson.subject").render(item.language),
        body=TEXTS("letter.lesson.body", feedbackNumber=item.feedback_number, lesson=lesson.change).render(
            item.language
        ),
        case_number=item.feedback_number,
        written_at=now,
    )


def tell_senders(
    lesson_id: str, *, items: FeedbackRepository, store: LessonStore, mailbox: DigitalMailbox, now: datetime
) -> int:
    """Record the lesson on each of its items and tell each sender who asked for answers, once."""
    lesson = store.lesson(lesson_id)
    if lesson is None:
        raise NotFound(TEXTS("not_found.lesson", lessonId=lesson_id))
    told = 0
    for number in lesson.feedback_numbers:

        def attempt(number: str = number) -> bool:
            item = items.get(number)
            if item is None or lesson_id in item.lesson_ids:
                return False
            letter = _lesson_letter(item, lesson, now)
            if letter is not None:
                mailbox.send(letter)
            items.save(
                item.changed(
                    lesson_ids=(*item.lesson_ids, lesson_id),
                    letters_sent=(*item.letters_sent, letter.message_id) if letter else item.letters_sent,
                ),
                expected_version=item.version,
            )
            return letter is not None

        told += retry_on_conflict(attempt)
    return told
