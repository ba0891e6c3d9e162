"""A simulated clock for several threads: a discrete-event scheduler in which sleeping is what moves time.

`SimClock.run(tasks)` runs each task on a thread of its own, one thread at a time. A thread keeps the turn until
it calls `sleep(s)`: it is then filed to wake at `now + s`, and the turn goes to the filed thread that wakes
first (ties: the first filed), `now` moving to its wake time. Code between two sleeps takes no simulated time.
So the simulated run is deterministic, the Google fake (not thread-safe) sees one request at a time, and
a thread waiting on a real lock could only wait for one that sleeps holding it, which no code here does
(the limiter and the gateway sleep outside their locks).

Outside `run` (setting up, on the test's own thread) `sleep` simply moves the clock on.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable


class SimClock:
    """Simulated seconds (a float, like time.time) shared by the threads of `run`; call it for the time."""

    def __init__(self, start: float = 0.0) -> None:
        self.now = start
        self.sleeps = 0
        self._cond = threading.Condition()
        self._filed: list[tuple[float, int, int]] = []  # (wake time, order filed, thread ident)
        self._order = itertools.count()
        self._turn: int | None = None
        self._running = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        """Wait `seconds` of simulated time: the other threads run meanwhile."""
        me = threading.get_ident()
        with self._cond:
            self.sleeps += 1
            if self._turn != me:  # not in a run: nobody else to wait for
                self.now += max(0.0, seconds)
                return
            self._file(me, self.now + max(0.0, seconds))
            self._pass_turn()
            while self._turn != me:
                self._cond.wait()

    def run(self, tasks: list[Callable[[], None]]) -> None:
        """Run every task on its own thread, all starting now; return when all are done (re-raising a failure)."""
        failures: list[BaseException] = []
        with self._cond:
            self._running = len(tasks)
        threads = [threading.Thread(target=self._task, args=(task, failures), daemon=True) for task in tasks]
        for thread in threads:
            thread.start()
        with self._cond:
            # Each thread files itself on start; the first filed takes the first turn.
            while len(self._filed) < len(tasks) and self._running:
                self._cond.wait()
            if self._filed:
                self._pass_turn()
            while self._running:
                self._cond.wait()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    def _task(self, task: Callable[[], None], failures: list[BaseException]) -> None:
        me = threading.get_ident()
        with self._cond:
            self._file(me, self.now)
            self._cond.notify_all()
            while self._turn != me:
                self._cond.wait()
        try:
            task()
        except BaseException as failure:  # handed to run(), which raises it in the test's thread
            failures.append(failure)
        finally:
            with self._cond:
                self._running -= 1
                self._turn = None
                if self._filed:
                    self._pass_turn()
                self._cond.notify_all()

    def _file(self, ident: int, wake: float) -> None:
        heapq.heappush(self._filed, (wake, next(self._order), ident))

    def _pass_turn(self) -> None:
        wake, _, ident = heapq.heappop(self._filed)
        self.now = max(self.now, wake)
        self._turn = ident
        self._cond.notify_all()
