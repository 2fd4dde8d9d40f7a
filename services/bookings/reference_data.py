"""The passport receptions, as data (``data/receptions.json``): name, address, municipality, opening hours,
counters and meeting rooms. Holidays are not listed: they are computed."""

from __future__ import annotations

import json
from importlib import resources

from services.bookings.domain.receptions import Reception


def receptions() -> list[Reception]:
    raw = resources.files("services.bookings").joinpath("data/receptions.json").read_text("utf-8")
    return [Reception.model_validate(row) for row in json.loads(raw)]
