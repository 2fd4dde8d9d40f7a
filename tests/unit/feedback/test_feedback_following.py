"""After the feedback: a sender who is not satisfied reopens a closed item once; the deadlines remind the manager
three days before the answer is due, escalate it after, and tell a sender who asked (and can be written to)
that the answer will be late."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.feedback.domain.following import Handled, handle_deadlines, reopen
from services.feedback.domain.intake import Sender
from services.feedback.domain.model import REMINDER_BEFORE, FeedbackDraft, FeedbackItem, Status
from shared.errors import Conflict, NotFound
from tests.support.feedback_fakes import ANONYMOUS, ANSWER_DAYS, NOW, FeedbackWorld, caller, citizen, draft

DUE = NOW + timedelta(days=ANSWER_DAYS)


def _reopen(world: FeedbackWorld, number: str, owner_ref: str = "sub-1") -> FeedbackItem:
    return reopen(
        number,
        owner_ref=owner_ref,
        reason="Svaret förklarar inget.",
        repository=world.repository,
        now=world.clock.now(),
        correlation_id="corr-2",
    )


def _run(world: FeedbackWorld, as_of: datetime) -> Handled:
    return handle_deadlines(
        as_of=as_of, now=max(as_of, world.clock.now()), repository=world.repository, send=world.mailbox.send
    )


# --- reopening --------------------------------------------------------------------------------------------


def test_a_closed_item_is_reopened_to_the_same_manager_with_its_history() -> None:
    world = FeedbackWorld()
    number = world.closed()
    world.clock.advance(timedelta(days=2))

    reopened = _reopen(world, number)

    assert reopened.status is Status.ASSIGNED
    assert reopened.manager == "PM-5502"
    assert reopened.region == "Syd"
    assert reopened.answer is None
    assert reopened.answer_due_at == world.clock.now() + timedelta(days=ANSWER_DAYS)
    assert [h.status for h in reopened.history][-2:] == [Status.CLOSED, Status.ASSIGNED]
    assert world.repository.events[-1].metadata.event_type == "FeedbackReopened"
    # The manager can answer it again.
    assert world.manager().answer(number, "Vi har ändrat rutinen.").status is Status.ANSWERED


def test_an_item_is_reopened_once() -> None:
    world = FeedbackWorld()
    number = world.closed()
    _reopen(world, number)
    manager = world.manager()
    manager.answer(number, "Vi har ändrat rutinen.")
    manager.close(number)

    with pytest.raises(Conflict):
        _reopen(world, number)


def test_only_a_closed_item_is_reopened() -> None:
    world = FeedbackWorld()
    number = world.assigned()

    with pytest.raises(Conflict):
        _reopen(world, number)


def test_another_sender_s_item_is_not_found() -> None:
    world = FeedbackWorld()
    number = world.closed()

    with pytest.raises(NotFound):
        _reopen(world, number, owner_ref="sub-2")


# --- deadlines --------------------------------------------------------------------------------------------


def test_the_manager_is_reminded_three_days_before_the_answer_is_due() -> None:
    world = FeedbackWorld()
    number = world.assigned()
    reminder = DUE - timedelta(days=3)

    assert _run(world, reminder - timedelta(minutes=1)).reminded == 0
    handled = _run(world, reminder)

    assert (handled.reminded, handled.escalated) == (1, 0)
    item = world.repository.items[number]
    assert item.reminded_at == reminder
    assert item.escalated_at is None
    assert _run(world, reminder + timedelta(hours=1)).reminded == 0  # once
    assert world.mailbox.letters == []


def test_an_overdue_item_is_escalated_and_the_sender_told_it_will_be_late() -> None:
    world = FeedbackWorld()
    number = world.assigned(sender=citizen(3))
    _run(world, DUE - REMINDER_BEFORE)

    handled = _run(world, DUE)

    assert (handled.reminded, handled.escalated, handled.delay_notices) == (0, 1, 1)
    item = world.repository.items[number]
    assert item.escalated_at == DUE
    assert item.delay_notified_at == DUE
    (letter,) = world.mailbox.letters
    assert letter.recipient_personnummer == citizen(3).personnummer
    assert letter.case_number == number
    assert "försenat" in letter.subject
    assert item.letters_sent == (letter.message_id,)
    assert item.next_due_at is None
    assert _run(world, DUE + timedelta(days=1)).escalated == 0  # once
    assert len(world.mailbox.letters) == 1


def test_an_item_never_reminded_is_escalated_at_once_when_overdue() -> None:
    world = FeedbackWorld()
    number = world.give().feedback_number

    handled = _run(world, DUE + timedelta(hours=1))

    assert (handled.reminded, handled.escalated) == (0, 1)
    assert world.repository.items[number].reminded_at is not None


def test_the_delay_letter_is_written_in_the_sender_s_language() -> None:
    world = FeedbackWorld()
    sender = citizen(4)
    english = Sender(owner_ref=sender.owner_ref, personnummer=sender.personnummer, language="en")
    world.give(sender=english)

    _run(world, DUE)

    (letter,) = world.mailbox.letters
    assert "late" in letter.subject


@pytest.mark.parametrize(
    ("feedback", "sender"),
    [
        (draft(answer=None), citizen(5)),  # did not ask for an answer
        (draft(answer=None), ANONYMOUS),  # cannot be answered
        (draft(answer={"by": "phone", "phone": "070-123 45 67"}), caller()),  # no personnummer
    ],
    ids=["no-answer-wanted", "anonymous", "caller-without-personnummer"],
)
def test_no_delay_letter_to_a_sender_who_did_not_ask_or_cannot_be_written_to(
    feedback: FeedbackDraft, sender: Sender
) -> None:
    world = FeedbackWorld()
    number = world.give(feedback, sender=sender).feedback_number

    handled = _run(world, DUE)

    assert (handled.escalated, handled.delay_notices) == (1, 0)
    assert world.mailbox.letters == []
    assert world.repository.items[number].delay_notified_at is None


def test_an_answered_closed_or_referred_item_has_no_deadline() -> None:
    world = FeedbackWorld()
    answered = world.assigned()
    world.manager().answer(answered, "Svar")
    world.closed()
    world.give(draft(kind="employeeComplaint", category="intervention", describesCrime=True))

    handled = _run(world, DUE + timedelta(days=30))

    assert (handled.reminded, handled.escalated) == (0, 0)
    assert world.mailbox.letters == []


def test_a_reopened_item_gets_a_new_deadline_and_is_reminded_again() -> None:
    world = FeedbackWorld()
    number = world.assigned()
    _run(world, DUE)  # escalated, then answered late and closed
    manager = world.manager()
    manager.answer(number, "Förlåt dröjsmålet.")
    manager.close(number)
    world.clock.advance(timedelta(days=20))
    reopened = _reopen(world, number)
    world.mailbox.letters.clear()

    handled = _run(world, reopened.answer_due_at - REMINDER_BEFORE)

    assert handled.reminded == 1
    assert _run(world, reopened.answer_due_at).escalated == 1
    (letter,) = world.mailbox.letters
    assert letter.case_number == number
