"""Answers that take the same time whatever they say: the validity check must not let a stopwatch tell a
document that exists from one that does not."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def at_least(
    seconds: float,
    *,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[None]:
    """Makes the block last at least ``seconds``: set it above the slowest normal answer, so every answer
    takes that long. An error inside is not padded: it says nothing about the register."""
    started = clock()
    yield
    remaining = seconds - (clock() - started)
    if remaining > 0:
        sleep(remaining)
