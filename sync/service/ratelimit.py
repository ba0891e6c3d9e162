"""The Sheets quota budget, and the limiter that keeps every sync of this process inside it.

Google counts read requests and write requests on separate quotas, each per minute per user and per minute
per project (https://developers.google.com/sheets/api/limits). A sync reserves its whole cost of each kind
before it starts, and settles after: unused units go back, calls beyond the reservation are charged.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: Who the service calls Google as: its one service account.
SERVICE_USER = "service"
READ, WRITE = "read", "write"


@dataclass(frozen=True)
class SheetsBudget:
    """Google's Sheets quotas and what a sync spends of them: the limiter's defaults and queue.yaml's rate."""

    #: Read requests a minute per user, and as many write requests: two separate quotas.
    per_user: int = 60
    #: The same, for every user of the project together.
    per_project: int = 300
    window: float = 60.0
    #: The worst normal sync: one read, and two writes (the values, and anchors for rows people added).
    sync_reads: int = 1
    sync_writes: int = 2
    #: Write requests a minute the queue leaves to the syncs people start (sync now, register): five syncs.
    people_writes: int = 10
    #: Tasks Cloud Tasks may dispatch at once (its token bucket), and so run at once.
    burst: int = 4

    @property
    def syncs_per_window(self) -> int:
        """Worst normal syncs that fit in one window beside people's own syncs."""
        return (self.per_user - self.people_writes) // max(self.sync_reads, self.sync_writes, 1)

    @property
    def queue_rate(self) -> int:
        """Tasks a minute: a token bucket lets `burst + rate` through in any minute, so both fit the window."""
        return self.syncs_per_window - self.burst


BUDGET = SheetsBudget()


class _Window:
    """One quota (a kind, for a user or the project): settled units by time, and units held by syncs in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.stamps: deque[float] = deque()
        self.pending = 0

    def used(self, now: float, window: float) -> int:
        while self.stamps and self.stamps[0] + window <= now:
            self.stamps.popleft()
        return len(self.stamps) + self.pending

    def wait(self, need: int, now: float, window: float) -> float | None:
        """Seconds until `need` more units fit, if settled units alone decide it; None if held ones do."""
        excess = self.used(now, window) + need - self.limit
        if excess <= 0:
            return 0.0
        if excess > len(self.stamps):
            return None
        return self.stamps[excess - 1] + window - now


class Reservation:
    """A sync's reserved units; `settle` once it is done (a second call does nothing)."""

    def __init__(self, limiter: RateLimiter | None, user: str, reads: int, writes: int, waited: float) -> None:
        self.limiter, self.user, self.reads, self.writes, self.waited = limiter, user, reads, writes, waited

    def settle(self, reads: int, writes: int) -> None:
        """The calls the sync made: counted from now on, the rest of the reservation released."""
        if self.limiter is not None:
            self.limiter._settle(self, reads, writes)
            self.limiter = None


class RateLimiter:
    """Per-user and per-project windows for reads and for writes, shared by every sync of this process.

    A sliding window of settled call times rather than a token bucket: a bucket lets a full burst through on
    top of its refill, which is exactly the minute Google counts a 429 in. A reserved unit counts from the
    moment it is reserved until a full window after its sync ends (any of its calls may fall anywhere in
    between), so the limiter never counts fewer calls in a minute than Google does.
    """

    def __init__(self, per_user: int = BUDGET.per_user, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, window: float = BUDGET.window,
                 per_project: int = BUDGET.per_project, poll: float = 0.5) -> None:
        if per_user < 1 or per_project < 1:
            raise ValueError("quotas must be at least 1")
        self.per_user, self.per_project, self.window = per_user, per_project, window
        self.clock, self.sleep, self.poll = clock, sleep, poll
        self._windows: dict[tuple[str, str], _Window] = {}
        self._lock = threading.Lock()

    def reserve(self, reads: int, writes: int, user: str = SERVICE_USER) -> Reservation:
        """Wait until `reads` and `writes` fit every window of `user` and of the project; reserve them."""
        if reads <= 0 and writes <= 0:
            return Reservation(None, user, 0, 0, 0.0)
        # A cost above a window's size could never fit: it takes the whole window, the rest is charged after.
        most = min(self.per_user, self.per_project)
        reads, writes = min(max(reads, 0), most), min(max(writes, 0), most)
        waited = 0.0
        while True:
            with self._lock:
                now = self.clock()
                needs = self._needs(user, reads, writes)
                waits = [w.wait(need, now, self.window) for w, need in needs]
                if all(wait == 0.0 for wait in waits):
                    for w, need in needs:
                        w.pending += need
                    return Reservation(self, user, reads, writes, waited)
                # Held units may be released any moment (a sync that used less): look again soon.
                known = [wait for wait in waits if wait is not None]
                pause = max(known) if len(known) == len(waits) else self.poll
                if any(w.pending for (w, _), wait in zip(needs, waits, strict=True) if wait != 0.0):
                    pause = min(pause, self.poll)
            # Sleep outside the lock: syncs in flight settle meanwhile.
            self.sleep(pause)
            waited += pause

    def _settle(self, reservation: Reservation, reads: int, writes: int) -> None:
        with self._lock:
            now = self.clock()
            held = {READ: reservation.reads, WRITE: reservation.writes}
            for (_, kind), w in self._scopes(reservation.user).items():
                w.pending -= held[kind]
                # Calls are stamped at the sync's end: never earlier than Google saw them.
                w.stamps.extend([now] * max(0, reads if kind == READ else writes))

    def _scopes(self, user: str) -> dict[tuple[str, str], _Window]:
        found = {}
        for scope, limit in ((f"user:{user}", self.per_user), ("project", self.per_project)):
            for kind in (READ, WRITE):
                found[(scope, kind)] = self._windows.setdefault((scope, kind), _Window(limit))
        return found

    def _needs(self, user: str, reads: int, writes: int) -> list[tuple[_Window, int]]:
        return [(w, reads if kind == READ else writes) for (_, kind), w in self._scopes(user).items()
                if (reads if kind == READ else writes) > 0]
