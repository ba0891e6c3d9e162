"""Per-workbook leases in the registry's database: one holder at a time, expired ones taken over."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.errors import LeaseLost, WorkbookLocked
from sync.service import lease
from sync.service.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(f"sqlite:///{tmp_path / 'leases.db'}")


def test_one_holder_at_a_time(registry: Registry) -> None:
    assert lease.acquire(registry, "wb1", "a", 60, now=1000)
    assert not lease.acquire(registry, "wb1", "b", 60, now=1001)
    assert lease.acquire(registry, "wb2", "b", 60, now=1001)  # another workbook is another lease


def test_the_holder_may_renew_and_release(registry: Registry) -> None:
    assert lease.acquire(registry, "wb1", "a", 60, now=1000)
    assert lease.acquire(registry, "wb1", "a", 60, now=1030)
    assert lease.release(registry, "wb1", "a")
    assert lease.acquire(registry, "wb1", "b", 60, now=1031)


def test_an_expired_lease_is_taken_over_and_its_old_holder_cannot_release_it(registry: Registry) -> None:
    assert lease.acquire(registry, "wb1", "crashed", 60, now=1000)
    assert lease.acquire(registry, "wb1", "b", 60, now=1060)
    assert not lease.release(registry, "wb1", "crashed")
    assert not lease.acquire(registry, "wb1", "c", 60, now=1061)


def test_held_raises_409_at_once_and_releases_on_error(registry: Registry) -> None:
    clock = lambda: 1000.0  # noqa: E731
    with lease.held(registry, "wb1", "a", clock), pytest.raises(WorkbookLocked) as refused, \
            lease.held(registry, "wb1", "b", clock):
        pass
    assert refused.value.status_code == 409 and "wb1" in str(refused.value)
    with pytest.raises(RuntimeError), lease.held(registry, "wb1", "c", clock):
        raise RuntimeError("sync failed")
    assert lease.acquire(registry, "wb1", "d", 60, now=1000)  # released despite the failure


def test_many_threads_racing_for_a_free_lease_give_exactly_one_winner(registry: Registry) -> None:
    barrier = threading.Barrier(8)
    won: list[str] = []

    def contend(name: str) -> None:
        barrier.wait()
        if lease.acquire(registry, "wb1", name, 60, now=1000):
            won.append(name)

    threads = [threading.Thread(target=contend, args=(f"t{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1


def test_holders_are_unique_per_attempt() -> None:
    assert lease.new_holder("api") != lease.new_holder("api")
    assert lease.new_holder("nightly").startswith("nightly:")


def test_only_the_holder_renews_and_an_expired_unclaimed_lease_is_still_its_own(registry: Registry) -> None:
    assert lease.acquire(registry, "wb1", "a", 60, now=1000)
    assert not lease.renew(registry, "wb1", "b", 60, now=1010)
    assert lease.renew(registry, "wb1", "a", 60, now=1100)  # expired at 1060, but no one took it
    assert not lease.acquire(registry, "wb1", "b", 60, now=1159)  # renewed until 1160


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_held_lease_is_renewed_once_a_third_of_its_ttl_has_passed(registry: Registry) -> None:
    clock = Clock(1000)
    kept = lease.take(registry, "wb1", "a", clock, ttl=90)
    clock.now = 1029
    kept.before_call(False)  # not due: the lease still ends at 1090
    assert lease.acquire(registry, "wb1", "b", 90, now=1090)
    assert lease.release(registry, "wb1", "b")

    kept = lease.take(registry, "wb1", "a", clock, ttl=90)  # at 1029, until 1119
    clock.now = 1059
    kept.before_call(False)  # 30 s = a third: renewed until 1149
    assert not lease.acquire(registry, "wb1", "b", 90, now=1148)
    assert kept.renewed_at == 1059


def test_a_write_confirms_the_lease_and_a_lost_one_raises_lease_lost(registry: Registry) -> None:
    clock = Clock(1000)
    kept = lease.take(registry, "wb1", "a", clock, ttl=60, lang="fr", title="OKR Acme")
    clock.now = 1001
    kept.before_call(True)  # confirmed even though renewal was not due
    assert kept.renewed_at == 1001
    clock.now = 1100
    assert lease.acquire(registry, "wb1", "thief", 60, now=1100)  # expired at 1061, taken over
    with pytest.raises(LeaseLost) as lost:
        kept.before_call(True)
    assert isinstance(lost.value, WorkbookLocked) and lost.value.status_code == 409
    assert lost.value.code == "lease_lost"
    assert str(lost.value).startswith("La synchronisation de « OKR Acme » s'est arrêtée avant d'écrire")
    with pytest.raises(LeaseLost):
        kept.keep()  # a read after the loss is refused too, once a renewal is due
    assert not kept.release()  # the thief's lease stays the thief's
    assert not lease.acquire(registry, "wb1", "c", 60, now=1101)
