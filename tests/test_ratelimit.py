"""The rate limiter: a sync's whole cost reserved up front, reads and writes each in its own windows, per user and
per project; unused units given back, extra calls charged; never more than a quota in any window."""

from __future__ import annotations

from itertools import pairwise

import pytest

from sync.service.ratelimit import BUDGET, RateLimiter, Reservation
from tests.service_support import FakeClock
from tests.sim_clock import SimClock


def limiter(clock: FakeClock, per_user: int = 60, per_project: int = 300) -> RateLimiter:
    return RateLimiter(per_user, clock, clock.sleep, per_project=per_project)


def sync(lim: RateLimiter, clock: FakeClock, reserve: tuple[int, int], made: tuple[int, int]) -> float:
    """A sync: its reservation, then its calls settled at once; the time it started."""
    reservation = lim.reserve(*reserve)
    start = clock.now
    reservation.settle(*made)
    return start


@pytest.mark.parametrize("per_minute", [1, 5, 60])
def test_no_window_ever_holds_more_than_the_quota(per_minute: int) -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_minute)
    times = [sync(lim, clock, (1, 1), (1, 1)) for _ in range(3 * per_minute + 2)]
    for t in times:
        assert sum(1 for u in times if t <= u < t + 60) <= per_minute


def test_a_burst_up_to_the_quota_does_not_wait_the_next_sync_waits_the_window() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock)
    assert [sync(lim, clock, (1, 2), (1, 2)) for _ in range(30)] == [0.0] * 30  # 60 writes
    assert clock.sleeps == []
    assert sync(lim, clock, (1, 2), (1, 2)) == 60.0
    assert clock.sleeps == [60.0]


def test_reads_and_writes_are_separate_quotas() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=2)
    sync(lim, clock, (2, 0), (2, 0))
    assert sync(lim, clock, (0, 2), (0, 2)) == 0.0  # the reads' window is full, not the writes'
    assert sync(lim, clock, (1, 0), (1, 0)) == 60.0


def test_what_a_sync_did_not_use_is_given_back_when_it_settles() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock)
    # Normal weeks (1 read + 1 write) each reserving the worst case (1 + 2): 59 in the first minute, not 30;
    # the 60th waits, as its second write might not fit.
    assert [sync(lim, clock, (1, 2), (1, 1)) for _ in range(59)] == [0.0] * 59
    assert sync(lim, clock, (1, 2), (1, 1)) == 60.0


def test_held_units_count_until_settled_then_only_the_calls_made() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=2)
    first = lim.reserve(0, 2)  # a sync in flight holds both writes of the window

    def settle_first_while_waiting(seconds: float) -> None:
        clock.sleep(seconds)
        first.settle(0, 1)  # it made one write: the other comes back

    lim.sleep = settle_first_while_waiting
    second = lim.reserve(0, 1)
    assert clock.sleeps == [lim.poll] and second.waited == lim.poll
    second.settle(0, 1)
    lim.sleep = clock.sleep
    assert sync(lim, clock, (0, 1), (0, 1)) == 60.5  # two writes stamped at 0.5: the next fits a window later


def test_calls_beyond_the_reservation_are_charged_after() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=4)
    sync(lim, clock, (1, 2), (1, 4))  # a large first sync split its write in three
    assert sync(lim, clock, (1, 1), (1, 1)) == 60.0


def test_a_cost_above_the_quota_takes_the_whole_window_instead_of_waiting_forever() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=3)
    reservation = lim.reserve(1, 10)
    assert (reservation.reads, reservation.writes) == (1, 3) and clock.sleeps == []
    reservation.settle(1, 10)
    assert sync(lim, clock, (0, 1), (0, 1)) == 60.0


def test_each_user_has_its_quota_and_all_share_the_projects() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=2, per_project=3)
    lim.reserve(0, 2, user="a").settle(0, 2)
    assert lim.reserve(0, 1, user="b").waited == 0.0  # b's own window is empty: the project has one left
    late = lim.reserve(0, 1, user="b")  # b is under its quota, the project is not
    assert late.waited == 60.0


def test_free_syncs_never_wait_and_settling_twice_counts_once() -> None:
    clock = FakeClock(0.0)
    lim = limiter(clock, per_user=1)
    reservation = lim.reserve(1, 1)
    reservation.settle(1, 1)
    reservation.settle(1, 1)
    assert lim.reserve(0, 0).waited == 0.0 and clock.sleeps == []
    assert sync(lim, clock, (1, 1), (1, 1)) == 60.0


def test_threads_on_a_simulated_clock_share_the_windows() -> None:
    clock = SimClock(0.0)
    lim = RateLimiter(3, clock, clock.sleep)
    starts: list[float] = []

    def worker() -> None:
        for _ in range(3):
            reservation: Reservation = lim.reserve(1, 2)
            starts.append(clock())
            clock.sleep(0.45)  # three calls of 150 ms
            reservation.settle(1, 2)

    clock.run([worker] * 3)
    # 9 syncs of 2 writes at 3 a minute: one sync in each window of 60 s, never two.
    assert len(starts) == 9
    assert all(b - a >= 60.0 for a, b in pairwise(starts))


def test_a_quota_below_one_is_refused() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0)


def test_the_budget_leaves_room_for_people_within_one_users_quota() -> None:
    assert BUDGET.syncs_per_window == 25 and BUDGET.queue_rate == 21
    assert (BUDGET.burst + BUDGET.queue_rate) * BUDGET.sync_writes + BUDGET.people_writes == BUDGET.per_user
