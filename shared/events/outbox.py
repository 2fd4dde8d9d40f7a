"""The transactional outbox: an event is written in the same DynamoDB transaction as the state change it
reports, so no event is lost and none is published for a change that did not commit. The table's stream
feeds :mod:`shared.events.publisher`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # Type hints only: the publisher imports this module and must not pay for pydantic at cold start.
    from shared.events.envelope import Envelope, EventData

OUTBOX_PREFIX = "OUTBOX#"
# The stream delivers within seconds; the item only lingers for replays and inspection.
OUTBOX_RETENTION = timedelta(days=7)


def outbox_item(event: Envelope[EventData], *, source: str) -> dict[str, Any]:
    """The outbox item (plain Python values) for one event, ready for a transactional Put."""
    occurred_at: datetime = event.metadata.occurred_at
    return {
        "pk": OUTBOX_PREFIX + event.metadata.event_id,
        "sk": "EVENT",
        "source": source,
        "detailType": event.metadata.event_type,
        "detail": event.detail_json(),
        "expiresAt": int((occurred_at + OUTBOX_RETENTION).timestamp()),
    }


def is_outbox_key(pk: str) -> bool:
    return pk.startswith(OUTBOX_PREFIX)
