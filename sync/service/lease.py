"""A lease per workbook, held in the registry's database so that two syncs never overlap across instances."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy import insert, or_, update
from sqlalchemy.exc import IntegrityError

from ..errors import WorkbookLocked
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


def release(registry: Registry, workbook_id: str, holder: str) -> bool:
    """Give the lease back, only if we still hold it (an expired one may have been taken over)."""
    freed = (
        update(Lease)
        .where(Lease.workbook_id == workbook_id, Lease.holder == holder)
        .values(holder=None, expires_at=0.0)
    )
    with registry.engine.begin() as conn:
        return conn.execute(freed).rowcount == 1


@contextmanager
def held(registry: Registry, workbook_id: str, holder: str, clock: Callable[[], float],
         ttl: float = DEFAULT_TTL, lang: str = "en", title: str = "") -> Iterator[None]:
    """Hold the workbook's lease for the block, or raise WorkbookLocked (409) at once: never wait."""
    if not acquire(registry, workbook_id, holder, ttl, clock()):
        raise WorkbookLocked("service.sync_running", lang, title=title or workbook_id)
    try:
        yield
    finally:
        release(registry, workbook_id, holder)
