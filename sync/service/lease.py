"""A lease per workbook, held in the registry's database so that two syncs never overlap across instances.

A sync renews its lease as it goes (`HeldLease.before_call`, run before each Google call attempt) and
confirms it just before writing: a sync that outlived its lease, and lost it to another sync of the
workbook, stops before its write instead of writing over the other's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError

from ..errors import LeaseLost, WorkbookLocked
from .registry import Lease, Registry

#: Longer than any sync takes; a lease outlives its holder only when that instance died mid-sync.
DEFAULT_TTL = 900.0


def new_holder(kind: str) -> str:
    """A holder name unique to one sync attempt, readable in the database."""
    return f"{kind[:16]}:{uuid.uuid4().hex}"


def acquire(registry: Registry, workbook_id: str, holder: str, ttl: float, now: float) -> bool:
    """Take the lease if it is free, expired or already ours; True when we hold it now.

    Two statements, each atomic on both SQLite and PostgreSQL: make sure the row exists (a failed INSERT
    means another instance made it first), then a conditional UPDATE that only one contender can win.
    """
    try:
        with registry.engine.begin() as conn:
            conn.execute(insert(Lease).values(workbook_id=workbook_id, holder=None, expires_at=0.0))
    except IntegrityError:
        pass
    taken = (
        update(Lease)
        .where(Lease.workbook_id == workbook_id,
               or_(Lease.holder.is_(None), Lease.expires_at <= now, Lease.holder == holder))
        .values(holder=holder, expires_at=now + ttl)
    )
    with registry.engine.begin() as conn:
        return conn.execute(taken).rowcount == 1


def renew(registry: Registry, workbook_id: str, holder: str, ttl: float, now: float) -> bool:
    """Extend our lease to `now + ttl`, only if we still hold it: False when another holder took it over.

    One conditional UPDATE, atomic as `acquire`'s: a lease that expired unclaimed is still ours.
    """
    kept = (
        update(Lease)
        .where(Lease.workbook_id == workbook_id, Lease.holder == holder)
        .values(expires_at=now + ttl)
    )
    with registry.engine.begin() as conn:
        return conn.execute(kept).rowcount == 1


def release(registry: Registry, workbook_id: str, holder: str) -> bool:
    """Give the lease back, only if we still hold it (an expired one may have been taken over)."""
    freed = (
        update(Lease)
        .where(Lease.workbook_id == workbook_id, Lease.holder == holder)
        .values(holder=None, expires_at=0.0)
    )
    with registry.engine.begin() as conn:
        return conn.execute(freed).rowcount == 1


class HeldLease:
    """A lease this sync holds: renewed while the sync runs, confirmed before each write, then released.

    No background thread: the sync calls `before_call` before every attempt of every Google call, and a
    call attempt is bounded (request timeout, retry budget), so renewing once a third of the TTL has passed
    keeps the lease alive with two thirds of it to spare, at one UPDATE per renewal.
    """

    def __init__(self, registry: Registry, workbook_id: str, holder: str, clock: Callable[[], float],
                 ttl: float, lang: str = "en", title: str = "") -> None:
        self.registry, self.workbook_id, self.holder = registry, workbook_id, holder
        self.clock, self.ttl, self.lang, self.title = clock, ttl, lang, title or workbook_id
        self.renewed_at = clock()

    def keep(self) -> None:
        """Renew the lease once a third of its TTL has passed; LeaseLost if another sync took it over."""
        if self.clock() - self.renewed_at >= self.ttl / 3:
            self.confirm()

    def confirm(self) -> None:
        """Renew the lease now, or raise LeaseLost (409): the caller is about to write and must not."""
        now = self.clock()
        if not renew(self.registry, self.workbook_id, self.holder, self.ttl, now):
            raise LeaseLost("service.lease_lost", self.lang, title=self.title)
        self.renewed_at = now

    def before_call(self, writes: bool) -> None:
        """Before a call attempt: a write needs the lease confirmed, a read only kept alive."""
        if writes:
            self.confirm()
        else:
            self.keep()

    def release(self) -> bool:
        """Give the lease back (a no-op when another holder has it now)."""
        return release(self.registry, self.workbook_id, self.holder)


def take(registry: Registry, workbook_id: str, holder: str, clock: Callable[[], float],
         ttl: float = DEFAULT_TTL, lang: str = "en", title: str = "") -> HeldLease:
    """The workbook's lease, or WorkbookLocked (409) at once: never wait."""
    if not acquire(registry, workbook_id, holder, ttl, clock()):
        raise WorkbookLocked("service.sync_running", lang, title=title or workbook_id)
    return HeldLease(registry, workbook_id, holder, clock, ttl, lang, title)


@contextmanager
def held(registry: Registry, workbook_id: str, holder: str, clock: Callable[[], float],
         ttl: float = DEFAULT_TTL, lang: str = "en", title: str = "") -> Iterator[HeldLease]:
    """Hold the workbook's lease for the block, or raise WorkbookLocked (409) at once: never wait."""
    kept = take(registry, workbook_id, holder, clock, ttl, lang, title)
    try:
        yield kept
    finally:
        kept.release()
