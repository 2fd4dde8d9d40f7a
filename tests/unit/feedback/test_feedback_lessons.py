"""Lessons: what the police changed after a set of feedback items, of the publisher's own region's items only;
every sender who asked for an answer and can be written to is told once. And the manager's answer, written to
the sender's digital mailbox once."""

from __future__ import annotations

import pytest

from services.feedback.domain.intake import Sender
from services.feedback.domain.lessons import Lesson, publish, tell_senders
from services.feedback.domain.letters import send_answer
from services.feedback.domain.model import FeedbackDraft
from shared.errors import InvalidInput, NotFound
from shared.staff import NATIONAL, StaffMember
from tests.support.feedback_fakes import ANONYMOUS, UMEA, FeedbackWorld, caller, citizen, draft


def _publish(world: FeedbackWorld, numbers: list[str], *, region: str = "Syd") -> Lesson:
    return publish(
        title="Fler tider på passexpeditionen",
        change="Vi har öppnat fler tider på eftermiddagarna.",
        feedback_numbers=numbers,
        staff=StaffMember(staff_id="PM-5501", region=region, roles=frozenset({"feedback"})),
        items=world.repository,
        store=world.repository,
        now=world.clock.now(),
        correlation_id="corr-lesson",
    )


def _tell(world: FeedbackWorld, lesson: Lesson) -> int:
    return tell_senders(
        lesson.lesson_id,
        items=world.repository,
        store=world.repository,
        mailbox=world.mailbox,
        now=world.clock.now(),
    )


def test_a_lesson_names_its_items_and_is_announced() -> None:
    world = FeedbackWorld()
    first = world.give().feedback_number
    second = world.give().feedback_number

    lesson = _publish(world, [first, second, first])

    assert lesson.feedback_numbers == (first, second)  # each once
    assert lesson.region == "Syd"
    assert world.repository.lessons(limit=10) == [lesson]
    announced = world.repository.events[-1]
    assert announced.metadata.event_type == "LessonPublished"
    assert announced.data.feedback_numbers == (first, second)  # type: ignore[attr-defined]


@pytest.mark.parametrize("theirs", ["another-region", "missing"])
def test_items_of_another_region_are_as_unknown_as_missing_ones(theirs: str) -> None:
    world = FeedbackWorld()
    ours = world.give().feedback_number
    other = world.give(draft(concerns={"municipalityCode": UMEA})).feedback_number

    with pytest.raises(NotFound):
        _publish(world, [ours, other if theirs == "another-region" else "F999-26"])

    assert world.repository.saved_lessons == {}


def test_a_malformed_feedback_number_is_refused_naming_it() -> None:
    world = FeedbackWorld()
    ours = world.give().feedback_number

    with pytest.raises(InvalidInput) as refused:
        _publish(world, [ours, "not-a-number"])

    assert list(refused.value.reasons) == ["feedbackNumbers[1]"]


def test_the_national_function_may_name_any_region_s_items() -> None:
    world = FeedbackWorld()
    south = world.give().feedback_number
    north = world.give(draft(concerns={"municipalityCode": UMEA})).feedback_number

    assert _publish(world, [south, north], region=NATIONAL).region == NATIONAL


def test_senders_who_asked_for_an_answer_are_told_once() -> None:
    world = FeedbackWorld()
    asked = world.give(sender=citizen(11)).feedback_number
    did_not_ask = world.give(draft(answer=None), sender=citizen(12)).feedback_number
    anonymous = world.give(draft(answer=None), sender=ANONYMOUS).feedback_number
    by_phone = world.give(
        draft(answer={"by": "phone", "phone": "070-123 45 67"}), sender=caller()
    ).feedback_number
    lesson = _publish(world, [asked, did_not_ask, anonymous, by_phone])

    assert _tell(world, lesson) == 1
    assert _tell(world, lesson) == 0  # a second delivery tells no one again

    (letter,) = world.mailbox.letters
    assert letter.recipient_personnummer == citizen(11).personnummer
    assert letter.case_number == asked
    assert "eftermiddagarna" in letter.body
    for number in (asked, did_not_ask, anonymous, by_phone):
        assert world.repository.items[number].lesson_ids == (lesson.lesson_id,)
    assert world.repository.items[asked].letters_sent == (letter.message_id,)


def test_an_unknown_lesson_is_not_found() -> None:
    world = FeedbackWorld()
    with pytest.raises(NotFound):
        tell_senders(
            "no-such-lesson",
            items=world.repository,
            store=world.repository,
            mailbox=world.mailbox,
            now=world.clock.now(),
        )


# --- the answer letter -----------------------------------------------------------------------------------


def test_the_answer_is_written_to_the_digital_mailbox_once() -> None:
    world = FeedbackWorld()
    number = world.assigned(sender=citizen(13))
    world.manager().answer(number, "Vi beklagar väntetiden.")

    def send() -> bool:
        return send_answer(number, repository=world.repository, mailbox=world.mailbox, now=world.clock.now())

    assert send() is True
    assert send() is False

    (letter,) = world.mailbox.letters
    assert letter.recipient_personnummer == citizen(13).personnummer
    assert "Vi beklagar väntetiden." in letter.body
    assert world.repository.items[number].letters_sent == (letter.message_id,)


@pytest.mark.parametrize(
    ("feedback", "sender"),
    [
        (draft(answer={"by": "email", "email": "kim@example.se"}), citizen(14)),
        (draft(answer={"by": "phone", "phone": "070-123 45 67"}), caller()),
    ],
    ids=["by-email", "caller-without-personnummer"],
)
def test_no_letter_for_an_answer_wanted_another_way(feedback: FeedbackDraft, sender: Sender) -> None:
    world = FeedbackWorld()
    number = world.assigned(feedback, sender=sender)
    world.manager().answer(number, "Svar")

    assert (
        send_answer(number, repository=world.repository, mailbox=world.mailbox, now=world.clock.now())
        is False
    )
    assert world.mailbox.letters == []


def test_no_letter_before_an_answer() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    assert (
        send_answer(number, repository=world.repository, mailbox=world.mailbox, now=world.clock.now())
        is False
    )
