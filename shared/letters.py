"""Letters to a citizen's digital mailbox (Mina meddelanden), and the port every service sends them through.

A letter is addressed by personnummer, as the mailbox infrastructure requires: personal data, never logged.
Each letter has an id derived from what it is about (:func:`letter_id`), so the mailbox connector drops a copy
sent twice after a retry; the service records the letter with the state it changes, so it is not sent again.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from pydantic import AwareDatetime

from shared.models import CamelModel

SENDER = "Polisen"
_LETTER_NAMESPACE = uuid.UUID("3d0c6a51-5b0e-4f0f-9a43-6f3b1f6c2d71")


class DigitalLetter(CamelModel):
    """A letter for a citizen's digital mailbox. Personal data: the recipient is a personnummer."""

    message_id: str
    recipient_personnummer: str
    sender: str = SENDER
    subject: str
    body: str
    # The case the letter is about, as the citizen knows it.
    case_number: str
    written_at: AwareDatetime


def letter_id(kind: str, case_number: str, moment: datetime) -> str:
    """The same id for the same notice, however often it is written."""
    return str(uuid.uuid5(_LETTER_NAMESPACE, f"{kind}/{case_number}/{moment.isoformat()}"))


class DigitalMailbox(Protocol):
    """A citizen's digital mailbox (Mina meddelanden), reached by personnummer."""

    def send(self, letter: DigitalLetter) -> None:
        """Hand the letter over for delivery; a letter sent twice carries the same ``messageId``."""
        ...
