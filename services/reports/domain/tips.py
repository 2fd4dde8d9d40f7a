"""Tips: information from the public, anonymous or identified.

An anonymous tip keeps nothing that identifies its sender: no subject, number, phone or address in the record
(the public route receives no claims at all), and its time only to the minute, so that it cannot be joined
to a log line of some request by its exact instant. The gateways log no client address either (locally
``infra.local.gateway``; in AWS the stage's access log format).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import AwareDatetime

from services.reports.domain.model import Tip, TipCategory
from services.reports.domain.ports import TipRepository
from services.reports.messages import TEXTS
from shared.clock import Clock
from shared.errors import InvalidInput
from shared.regions import UnknownMunicipality, region_for_municipality

NATIONAL_QUEUE = "National"


def receive_tip(
    *,
    category: TipCategory,
    description: str,
    municipality_code: str | None,
    occurred_at: AwareDatetime | None,
    sender_personnummer: str | None,
    sender_phone: str | None,
    repository: TipRepository,
    clock: Clock,
) -> Tip:
    """Store a tip. Without ``sender_personnummer`` it is anonymous, and then ``sender_phone`` must be None."""
    if sender_personnummer is None and sender_phone is not None:
        raise ValueError("an anonymous tip keeps no phone number")
    now = clock.now()
    if occurred_at is not None and occurred_at > now:
        raise InvalidInput.of("occurredAt", TEXTS("invalid.in_the_future"))
    region = NATIONAL_QUEUE
    if municipality_code is not None:
        try:
            region = region_for_municipality(municipality_code).value
        except UnknownMunicipality:
            raise InvalidInput.of(
                "municipalityCode", TEXTS("invalid.municipality", code=municipality_code)
            ) from None
    tip = Tip(
        tip_id=str(uuid.uuid4()),
        category=category,
        description=description,
        municipality_code=municipality_code,
        region=region,
        occurred_at=occurred_at,
        received_at=now if sender_personnummer else _to_the_minute(now),
        sender_personnummer=sender_personnummer,
        sender_phone=sender_phone,
    )
    repository.add_tip(tip)
    return tip


def _to_the_minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)
