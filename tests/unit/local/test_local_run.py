"""``make run`` reads how many workers each service gets from LOCAL_CONCURRENCY, and the local time scale
from LOCAL_TIME_SCALE."""

from __future__ import annotations

import pytest

from infra.local.__main__ import _concurrency, _time_scale
from infra.local.cloud import DEFAULT_CONCURRENCY


@pytest.mark.parametrize(
    ("setting", "workers"), [(None, DEFAULT_CONCURRENCY), ("", DEFAULT_CONCURRENCY), ("1", 1), (" 8 ", 8)]
)
def test_the_setting_gives_the_workers_per_service(setting: str | None, workers: int) -> None:
    assert _concurrency(setting) == workers


@pytest.mark.parametrize("setting", ["0", "-2", "four", "2.5"])
def test_an_unusable_setting_is_refused(setting: str) -> None:
    assert _concurrency(setting) is None


@pytest.mark.parametrize(("setting", "scale"), [(None, 1.0), ("", 1.0), ("1", 1.0), ("0.1", 0.1)])
def test_the_time_scale_defaults_to_aws_timing(setting: str | None, scale: float) -> None:
    assert _time_scale(setting) == scale


@pytest.mark.parametrize("setting", ["0", "-1", "2", "fast"])
def test_an_unusable_time_scale_is_refused(setting: str) -> None:
    assert _time_scale(setting) is None
