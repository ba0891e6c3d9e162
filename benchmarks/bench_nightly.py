"""The nightly run of many workbooks at the Sheets quotas, on a simulated clock: duration, calls, 429s.

Run: python -m benchmarks.bench_nightly [--sizes 200 1000] [--workers 4]

Each scenario registers N small workbooks (one team, two KRs: laid out once by the real GoogleBackend on the
Sheets fake of tests/, then copied) in the service's registry, turns the fake's quotas on (60 read and 60
write requests a minute per user, 300 per project, as sliding windows: tests/google_fake/quota.py), and runs
the in-process nightly: `jobs.sync_one` on NIGHTLY_WORKERS workers, through the real runner, rate limiter,
engine, GoogleBackend and gateway (retries included). Two nights:

- first night: people inserted two check-in rows in every workbook, so every sync lays anchors for them
  before writing its values (1 read + 2 writes, as the fake's call log shows);
- normal week: one value changed in a row already anchored (1 read + 1 write).

Time is simulated (tests/sim_clock.py): a discrete-event clock shared by the fake's quota windows, the
limiter and the gateway's retry sleeps. Every API call takes 150 ms of it; the limiter's waits take what they
take; everything else takes none. Workers are threads that take turns: one runs until it sleeps (a call in
flight, a wait for quota), then the one whose wake time is earliest goes on. The run is deterministic.
Engine CPU is outside simulated time (bench_scoring measures it), so the engine's pure evaluation is shared
by workbooks whose snapshots are identical, as tests/fault_support.py does: the run then takes minutes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import pickle
import random
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import responses

from sync import engine
from sync.backends.google_api import GoogleGateway, RetryingHTTPClient
from sync.layout.build import Team, WorkbookSpec, build_layout, quarter_label
from sync.model import Snapshot
from sync.service import jobs, runner
from sync.service.context import Service
from sync.service.ratelimit import BUDGET
from sync.service.registry import WorkbookRecord
from tests.fault_support import copied, okr_rows
from tests.google_fake import FakeGoogle, Limits, Quota, dummy_credentials
from tests.google_harness import SA_EMAIL, compact, provision, tab, type_rows
from tests.service_support import START, make_app, svc_of
from tests.sim_clock import SimClock

SIZES = (200, 1000)
WORKERS = 4
SECONDS_PER_CALL = 0.150
AS_OF = dt.date(2025, 2, 14)
LANG, TEAM = "en", "Sales"
#: Tabs cut to this many rows, as a person may: the fake's work grows with the cells it holds.
ROWS = 50
SCENARIOS = ("first night", "normal week")


class SlowFake(FakeGoogle):
    """The fake, every call taking SECONDS_PER_CALL of simulated time; only what the counts need is kept."""

    def __init__(self, clock: SimClock) -> None:
        super().__init__(check_responses=False)
        self.clock = clock

    def _callback(self, request: Any) -> Any:
        self.clock.sleep(SECONDS_PER_CALL)  # the other workers go on meanwhile
        answer = super()._callback(request)
        last = self.exchanges[-1]
        last.body, last.text = None, ""  # thousands of read answers: the call and its status are enough
        if self.rsps is not None:  # responses keeps every request and response too
            self.rsps.calls.reset()
            for registered in self.rsps.registered():
                registered.calls.reset()
        return answer


def shared_evaluation() -> Callable[[Snapshot, str, dt.date], engine.Evaluation]:
    """The engine's pure `evaluate`, computed once per distinct snapshot and date."""
    seen: dict[bytes, engine.Evaluation] = {}
    real = engine.evaluate

    def evaluate(snapshot: Snapshot, location: str, as_of: dt.date) -> engine.Evaluation:
        key = pickle.dumps((snapshot, as_of))  # the location only ever names a workbook in an error
        if key not in seen:
            seen[key] = real(snapshot, location, as_of)
        return seen[key]

    return evaluate


class Night:
    """N registered workbooks on a fake with quotas on, the service on the simulated clock."""

    def __init__(self, rsps: responses.RequestsMock, folder: Path, workers: int) -> None:
        self.clock = SimClock(START)
        self.fake = SlowFake(self.clock)
        self.fake.install(rsps)
        rng = random.Random(20250214)

        def gateway(lang: str) -> GoogleGateway:
            http = RetryingHTTPClient(dummy_credentials(), sleep=self.clock.sleep, random=rng.random,
                                      clock=self.clock)
            return GoogleGateway(http, lang, SA_EMAIL)

        app = make_app(folder, MODE="google", clock=self.clock, GATEWAY_FACTORY=gateway, NIGHTLY_WORKERS=workers)
        self.svc: Service = svc_of(app)
        self.workers = workers
        self.workbooks: list[WorkbookRecord] = []

    def add(self, count: int) -> None:
        """`count` copies of one small workbook, registered for the nightly run (no call counted)."""
        spec = WorkbookSpec("Acme", LANG, quarter_label(2025, 1, LANG), [Team(TEAM)])
        base = provision(self.fake, compact(build_layout(spec), 12, history=40, org=40))
        for sheet in self.fake.book(base).sheets:
            if sheet.row_count > ROWS:
                self.fake.delete_rows(base, sheet.title, ROWS + 1, sheet.row_count - ROWS)
        type_rows(self.fake, base, tab("okrs", LANG), okr_rows(LANG, [TEAM]))
        for n in range(count):
            book = copied(self.fake.book(base))
            book.spreadsheet_id = self.fake.new_file_id()
            self.fake.books[book.spreadsheet_id] = book
            self.workbooks.append(self.svc.registry.add_workbook(
                "gsheet", book.spreadsheet_id, f"OKR {n}", LANG, "m@acme.example", self.svc.now(), as_of=AS_OF))
        del self.fake.books[base]

    def people_add_rows(self) -> None:
        """In every workbook, two check-in rows inserted at the top of the tab and typed: rows with no anchor."""
        checkins = tab("checkins", LANG, TEAM)
        for wb in self.workbooks:
            self.fake.insert_rows(wb.target, checkins, 2, 2)
            type_rows(self.fake, wb.target, checkins, [["2025-01-20", "T1-KR1", 10, "🟢"],
                                                       ["2025-02-03", "T1-KR2", 30, "🟡"]])

    def people_change_a_value(self, week: int) -> None:
        """In every workbook, the value of the first check-in row changed."""
        for wb in self.workbooks:
            type_rows(self.fake, wb.target, tab("checkins", LANG, TEAM), [[None, None, 10 + week]])

    def run(self, scenario: str) -> dict[str, Any]:
        """One nightly run of every workbook; its figures."""
        self.fake.exchanges.clear()
        self.fake.quota = Quota(self.clock)  # a new night: yesterday's windows are long gone
        queue = deque(self.workbooks)
        results: list[dict[str, Any]] = []

        def worker() -> None:
            while queue:
                results.append(jobs.sync_one(self.svc, queue.popleft()))

        start, real = self.clock(), time.perf_counter()
        self.clock.run([worker] * self.workers)
        return self.figures(scenario, self.clock() - start, results, time.perf_counter() - real)

    def figures(self, scenario: str, seconds: float, results: list[dict[str, Any]], real: float) -> dict[str, Any]:
        """What the run cost, from the fake's call log: calls by kind, shapes of the syncs, 429s."""
        answered = [e for e in self.fake.exchanges if 0 < e.status < 400]
        reads = sum(1 for e in answered if e.is_read)
        writes = len(answered) - reads
        per_book: dict[str, list[int]] = {}
        for e in answered:
            book = e.call.path.split("/")[3].split(":")[0]
            per_book.setdefault(book, [0, 0])[0 if e.is_read else 1] += 1
        shapes = Counter(f"{r}+{w}" for r, w in per_book.values())
        limits = self.fake.quota.limits if self.fake.quota is not None else Limits()
        # One service account makes every call: its window and the project's both see them all, the smaller binds.
        limit = min(limits.per_user, limits.per_project)
        floor = max(quota_floor(reads, limit, limits.window), quota_floor(writes, limit, limits.window)) / 60
        minutes = seconds / 60
        return {"workbooks": len(self.workbooks), "scenario": scenario, "workers": self.workers,
                "minutes": round(minutes, 2), "floor_minutes": round(floor, 2),
                "calls_per_minute": round((reads + writes) / minutes, 1) if minutes else 0.0,
                "reads": reads, "writes": writes, "shapes": dict(shapes),
                "http_429": sum(1 for e in self.fake.exchanges if e.status == 429),
                "synced": sum(1 for r in results if r["outcome"] == "ok"),
                "failed": sum(1 for r in results if r["outcome"] == "failed"), "real_seconds": round(real, 1)}


def quota_floor(calls: int, limit: int, window: float = 60.0) -> float:
    """The least time, in seconds, a sliding window of `limit` calls lets `calls` calls of one kind take.

    The first `limit` go at once; each further one waits for the one `limit` before it to leave the window.
    """
    return window * max(0, math.ceil(calls / limit) - 1)


@contextmanager
def nights(workbooks: int, workers: int = WORKERS,
           reserve: Callable[[Service, WorkbookRecord], tuple[int, int]] | None = None) -> Iterator[Night]:
    """A Night of `workbooks` on a fresh fake and registry; `reserve` replaces what the runner reserves."""
    with (tempfile.TemporaryDirectory(dir=_fast_dir()) as folder,
          responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
          mock.patch.object(engine, "evaluate", shared_evaluation()),
          mock.patch.object(runner, "expected_cost", reserve or runner.expected_cost)):
        night = Night(rsps, Path(folder), workers)
        night.add(workbooks)
        yield night
        night.fake.assert_clean()


def nightly_results(sizes: tuple[int, ...] = SIZES, workers: int = WORKERS) -> list[dict[str, Any]]:
    """Both nights for each size: the rows of the report's table."""
    rows = []
    for size in sizes:
        with nights(size, workers) as night:
            night.people_add_rows()
            rows.append(night.run(SCENARIOS[0]))
            night.clock.sleep(7 * 86400)
            night.people_change_a_value(1)
            rows.append(night.run(SCENARIOS[1]))
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The results as a markdown table."""
    head = ("| workbooks | night | simulated duration | quota floor | calls/min | reads + writes | syncs by "
            "reads+writes | 429s | failed syncs |\n|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for r in rows:
        shapes = ", ".join(f"{n} × {shape}" for shape, n in sorted(r["shapes"].items()))
        lines.append(f"| {r['workbooks']} | {r['scenario']} | {r['minutes']:.1f} min | {r['floor_minutes']:.1f} min "
                     f"| {r['calls_per_minute']:.0f} | {r['reads']} + {r['writes']} | {shapes} | {r['http_429']} "
                     f"| {r['failed']} |")
    return "\n".join(lines)


def _fast_dir() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def main(argv: list[str] | None = None) -> None:
    """Print the table (and how long the simulation itself took)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args(argv)
    rows = nightly_results(tuple(args.sizes), args.workers)
    print(markdown(rows))
    print(f"\n{args.workers} workers, {SECONDS_PER_CALL * 1000:.0f} ms simulated a call; quotas {BUDGET.per_user} "
          f"reads and {BUDGET.per_user} writes a minute per user, {BUDGET.per_project} per project; simulation "
          f"took {sum(r['real_seconds'] for r in rows):.0f} s of real time", file=sys.stderr)


if __name__ == "__main__":
    main()
