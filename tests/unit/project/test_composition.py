"""A service's composition root forgets what it built in one call, and nothing it merely imported."""

from __future__ import annotations

from functools import cache
from itertools import count

from services.bookings import dependencies as bookings
from services.reports import dependencies as reports
from shared.composition import forget_built

_built = count()


@cache
def client() -> int:
    return next(_built)


def test_reset_builds_every_cached_part_anew_on_next_use() -> None:
    first = client()

    forget_built(globals())

    assert client() != first
    assert client() == client()


def test_reset_leaves_what_the_module_only_imported() -> None:
    imported = {"__name__": "services.elsewhere.dependencies", "client": client}
    first = client()

    forget_built(imported)

    assert client() == first


def test_each_service_reset_builds_its_parts_anew() -> None:
    for module in (reports, bookings):
        clock = module.clock()

        module.reset()

        assert module.clock() is not clock, module.__name__
