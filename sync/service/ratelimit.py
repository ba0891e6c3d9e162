"""A rate limiter that keeps the in-process nightly run under the Sheets quota (requests per minute per user)."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most `per_minute` units in any 60-second window, shared by every thread of the nightly pool.

    A sliding window of reserved start times rather than a token bucket: a bucket lets a full burst through
    on top of its refill, which is exactly the minute Google counts a 429 in.
    """

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, window: float = 60.0) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self.sleep = sleep
        self._slots: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self, cost: int = 1) -> float:
        """Wait until `cost` more units fit in the window; return the seconds waited."""
        if cost <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            last = now
            for _ in range(cost):
                slot = now
                if len(self._slots) >= self.per_minute:
                    slot = max(now, self._slots[-self.per_minute] + self.window)
                self._slots.append(slot)
                last = slot
            while len(self._slots) > self.per_minute:
                self._slots.popleft()
        # Sleep outside the lock: the slot is reserved, others can reserve theirs meanwhile.
        wait = max(0.0, last - now)
        if wait:
            self.sleep(wait)
        return wait
