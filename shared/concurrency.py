"""Optimistic concurrency: a read-modify-write that lost a race reads again and retries."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.errors import Conflict

T = TypeVar("T")

# Background work (triage, matching, letters) touches a report within seconds of a citizen's own change;
# a few fresh reads settle it. A conflict that persists is a real one and reaches the caller.
ATTEMPTS = 3


def retry_on_conflict(attempt: Callable[[], T], attempts: int = ATTEMPTS) -> T:
    """Run ``attempt`` (which must read what it changes) until it does not raise Conflict, at most
    ``attempts`` times."""
    for _ in range(attempts - 1):
        try:
            return attempt()
        except Conflict:
            continue
    return attempt()
