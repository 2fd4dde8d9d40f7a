"""The feedback search bench: its synthetic texts are the same for a seed and made of Swedish words, and it
runs end to end at a tiny size."""

from __future__ import annotations

import pytest
from moto import mock_aws

from bench.feedback_search import SEARCHES, measure, partition_queries, report, synthetic_feedback
from tests.support.moto_clients import use_fake_credentials


def test_the_synthetic_feedback_is_the_same_for_a_seed() -> None:
    first = list(synthetic_feedback(50))

    assert first == list(synthetic_feedback(50))
    assert first != list(synthetic_feedback(50, seed=1))
    assert len({item.number for item in first}) == 50
    assert any("ö" in item.text or "å" in item.text or "ä" in item.text for item in first)


def test_the_bench_runs_at_a_tiny_size(monkeypatch: pytest.MonkeyPatch) -> None:
    use_fake_credentials(monkeypatch)
    with mock_aws(), partition_queries():
        result = measure(60, runs=1, scan_runs=1)

    text = report(result, runs=1, scan_runs=1)
    assert result.index_rows > 60
    assert all(search.label in text for search in SEARCHES)
