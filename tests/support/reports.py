"""Report bodies as a citizen would send them."""

from __future__ import annotations

import copy
from typing import Any

# The body the platform issue requires to be accepted as it stands.
THEFT_REPORT: dict[str, Any] = {
    "type": "theft",
    "occurredFrom": "2026-11-20T18:00:00+01:00",
    "occurredTo": "2026-11-21T07:30:00+01:00",
    "location": {"municipalityCode": "0180", "address": "Drottninggatan 1, Stockholm"},
    "description": "Min cykel stals från cykelstället utanför porten.",
    "items": [{"category": "bicycle", "brand": "Crescent", "serialNumber": "WSB123456", "valueSek": 4500}],
    "notifyOnDecision": True,
}


def theft_report(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(THEFT_REPORT)
    body.update(changes)
    return body
