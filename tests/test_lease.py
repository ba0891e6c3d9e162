"""Per-workbook leases in the registry's database: one holder at a time, expired ones taken over."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.errors import WorkbookLocked
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
