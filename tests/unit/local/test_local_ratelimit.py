"""The gateway's per-client token buckets."""

from __future__ import annotations

import pytest

from infra.local.ratelimit import TokenBucketLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_client_may_spend_its_burst_at_once_then_waits_for_the_rate() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_second=2, burst=3, clock=clock)
    assert [limiter.acquire("ip") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.acquire("ip") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.acquire("ip") == 0.0
    assert limiter.acquire("ip") > 0


def test_the_bucket_refills_no_higher_than_the_burst() -> None:
    clock = Clock()
    limiter = TokenBucketLimiter(rate_per_second=10, burst=2, clock=clock)
    limiter.acquire("ip")
    clock.now += 60
    assert [limiter.acquire("ip") == 0.0 for _ in range(3)] == [True, True, False]


def test_clients_are_limited_separately() -> None:
    limiter = TokenBucketLimiter(rate_per_second=1, burst=1, clock=Clock())
    assert limiter.acquire("a") == 0.0
    assert limiter.acquire("a") > 0
    assert limiter.acquire("b") == 0.0


def test_a_limit_needs_a_rate_and_a_burst() -> None:
    with pytest.raises(ValueError, match="rate"):
        TokenBucketLimiter(rate_per_second=0, burst=1)
