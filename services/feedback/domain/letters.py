"""The manager's answer, written to the sender's digital mailbox once (its id derives from the answer, and is
recorded on the item once sent). Senders with no personnummer (anonymous, or a caller the contact centre
registered by name only) get no letter; the contact centre calls them back instead."""

from __future__ import annotations

from datetime import datetime

from services.feedback.domain.model import AnswerBy
from services.feedback.domain.ports import FeedbackRepository
from services.feedback.messages import TEXTS
from shared.concurrency import retry_on_conflict
from shared.letters import DigitalLetter, DigitalMailbox, letter_id


def send_answer(
    feedback_number: str, *, repository: FeedbackRepository, mailbox: DigitalMailbox, now: datetime
) -> bool:
    def attempt() -> bool:
        item = repository.get(feedback_number)
        if item is None or item.answer is None or item.personnummer is None:
            return False
        wish = item.draft.answer
        if wish is None or wish.by is not AnswerBy.DIGITAL_MAIL:
            return False
        letter = DigitalLetter(
            message_id=letter_id("feedback/answer", feedback_number, item.answer.answered_at),
            recipient_personnummer=item.personnummer,
            subject=TEXTS("letter.answer.subject", feedbackNumber=feedback_number).render(item.language),
            body=TEXTS("letter.answer.body", feedbackNumber=feedback_number, answer=item.answer.text).render(
                item.language
            ),
            case_number=feedback_number,
            written_at=now,
        )
        if letter.message_id in item.letters_sent:
            return False
        mailbox.send(letter)
        repository.save(
            item.changed(letters_sent=(*item.letters_sent, letter.message_id)), expected_version=item.version
        )
        return True

    return retry_on_conflict(attempt)
