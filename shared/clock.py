"""Time, injectable so rules about "now" can be tested without waiting or patching; and Stockholm time,
in which every time a citizen reads is written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel

STOCKHOLM = ZoneInfo("Europe/Stockholm")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved: for tests and replays."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


def scheduled_time(event: Any) -> datetime | None:
    """The time a scheduled run was meant for, when the scheduler says (an EventBridge-shaped ``time``): a
    delayed or replayed run then handles exactly what was due when it should have run."""
    text = event.get("time") if isinstance(event, dict) else None
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def stockholm_time(moment: datetime) -> datetime:
    return moment.astimezone(STOCKHOLM)


def in_stockholm_time(value: Any) -> Any:
    """``value`` with every aware datetime in it (in models, lists and dicts, however deep) in Stockholm
    time: what a citizen reads is ``2026-12-02T10:15:00+01:00``, not the UTC a service keeps."""
    if isinstance(value, datetime):
        return stockholm_time(value) if value.tzinfo is not None else value
    if isinstance(value, BaseModel):
        changed = {}
        for name in type(value).model_fields:
            inner = getattr(value, name)
            local = in_stockholm_time(inner)
            if local is not inner:
                changed[name] = local
        return value.model_copy(update=changed) if changed else value
    if isinstance(value, dict):
        items = {k: in_stockholm_time(v) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in value) else value
    if isinstance(value, list | tuple):
        converted = [in_stockholm_time(v) for v in value]
        if all(a is b for a, b in zip(converted, value, strict=True)):
            return value
        return type(value)(converted) if isinstance(value, tuple) else converted
    return value
