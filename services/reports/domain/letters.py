"""A letter for a citizen's digital mailbox (Mina meddelanden). It knows nothing of what it is about, so
every notice (a decision, found property) is sent the same way; its id is derived from what it is about, so a
letter sent twice after a retry carries the same id and the mailbox connector drops the copy."""

from __future__ import annotations

import uuid
from datetime import datetime

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
    case_number: str
    written_at: AwareDatetime


def letter_id(kind: str, case_number: str, moment: datetime) -> str:
    return str(uuid.uuid5(_LETTER_NAMESPACE, f"{kind}/{case_number}/{moment.isoformat()}"))
