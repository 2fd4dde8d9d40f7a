"""What every service's composition root (``dependencies.py``) shares: built on first use, forgotten at once."""

from __future__ import annotations

from collections.abc import Mapping


def forget_built(namespace: Mapping[str, object]) -> None:
    """Clears every cached builder the module of ``namespace`` (its ``globals()``) defines, so the next use
    builds its clients and adapters anew: a test's fresh cloud, in one call."""
    for value in list(namespace.values()):
        clear = getattr(value, "cache_clear", None)
        if callable(clear) and getattr(value, "__module__", None) == namespace["__name__"]:
            clear()
