"""The permits automation bench's in-process part: the demo applications prepared with the shipped rules."""

from __future__ import annotations

import pytest

from bench.permits_automation import OUTCOMES, demo_shares, print_shares
from services.permits.demo import DEMO_SEED
from services.permits.domain.model import PermitKind


def test_the_demo_is_prepared_and_every_kind_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    shares = demo_shares()
    print_shares(shares, DEMO_SEED)

    assert set(shares.by_kind) == {kind.value for kind in PermitKind}
    for counts in shares.by_kind.values():
        assert counts["submitted"] == sum(counts[outcome] for outcome in OUTCOMES)
    printed = capsys.readouterr().out
    assert all(kind.value in printed for kind in PermitKind)
    assert "duplicate-clear" in printed
