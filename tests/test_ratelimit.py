"""The nightly rate limiter: never more than the quota in any minute, on a fake clock."""

from __future__ import annotations

import threading

import pytest

from sync.service.ratelimit import RateLimiter
from tests.service_support import FakeClock


def starts(limiter: RateLimiter, clock: FakeClock, count: int, cost: int = 1) -> list[float]:
    times = []
    for _ in range(count):
        limiter.acquire(cost)
        times.append(clock.now)
    return times


@pytest.mark.parametrize("per_minute", [1, 5, 60])
def test_no_minute_ever_holds_more_than_the_quota(per_minute: int) -> None:
    clock = FakeClock(0.0)
    times = starts(RateLimiter(per_minute, clock, clock.sleep), clock, 3 * per_minute + 2)
    for t in times:
        assert sum(1 for u in times if t <= u < t + 60) <= per_minute


def test_a_burst_up_to_the_quota_does_not_wait() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(60, clock, clock.sleep)
    assert starts(limiter, clock, 60) == [0.0] * 60
    assert clock.sleeps == []
    limiter.acquire()
    assert clock.sleeps == [60.0]


def test_a_call_costing_several_units_waits_for_all_of_them() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(2, clock, clock.sleep)
    assert limiter.acquire(2) == 0.0
    assert limiter.acquire(3) == 120.0  # its last unit fits only two minutes later


def test_free_calls_never_wait() -> None:
    clock = FakeClock(0.0)
    limiter = RateLimiter(1, clock, clock.sleep)
    limiter.acquire()
    assert limiter.acquire(0) == 0.0 and clock.sleeps == []


def test_threads_reserve_distinct_slots() -> None:
    clock = FakeClock(0.0)
    waits: list[float] = []
    limiter = RateLimiter(3, clock, waits.append)  # sleeping is recorded, the clock stays put
    threads = [threading.Thread(target=limiter.acquire) for _ in range(9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == [60.0, 60.0, 60.0, 120.0, 120.0, 120.0]


def test_a_quota_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)
