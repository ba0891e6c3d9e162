"""The orchestrator: read → parse → validate → score → roll up → plan → write, over any backend."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .backends.base import Backend
from .errors import said_in
from .model import Problem, Snapshot, WritePlan
from .parsing.settings import lang_of
from .parsing.workbook import Workbook, day_as_written, read_workbook
from .stages.lint import Row, kr_frame, read_rows
from .stages.registry import run_stages
from .stages.rollup import Rollup, roll_up
from .stages.score import score_checkins, score_krs
from .stages.tables import StageInput, StageResult
from .stages.validate import validate_checkins
from .writeback.plan import plan_writes
from .writeback.report import build_report


@dataclass
class Evaluation:
    """Everything a sync computes from one snapshot, before writing."""

    workbook: Workbook
    rows: list[Row]
    krs: pd.DataFrame
    checkins: pd.DataFrame
    rollup: Rollup
    problems: list[Problem]
    plan: WritePlan
    #: The people tables' results (annual goals, initiatives, KPIs…).
    staged: StageResult = field(default_factory=StageResult)

    def report(self, as_of: dt.date, api_calls: tuple[int, int]) -> dict[str, Any]:
        """The report of this evaluation: what the plan writes, at what API cost; the tables' keys before the cost."""
        report = build_report(self.workbook, self.krs, self.checkins, self.rollup, self.problems, as_of,
                              self.plan.cell_count(), api_calls)
        writes = report.pop("writes")
        return {**report, **self.staged.report, "writes": writes}


class _CyclicGcPause:
    """Pauses Python's cyclic garbage collector while any evaluation runs (thread-safe, re-entrant).

    A big workbook makes millions of small objects (cells, rows, writes) that form no cycles; each full
    collection walks them all again, which doubled the time of a million-row sync. Reference counting still
    frees everything as usual; the collector resumes, as it was, when the last evaluation ends. Evaluations
    of several workers can overlap for a long time in a nightly run: an evaluation that ends after the pause
    has lasted `longest` seconds collects once, so cycles never pile up for longer than that.
    """

    def __init__(self, longest: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False
        self._since = 0.0
        self.longest, self.clock = longest, clock

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                self._since = self.clock()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0:
                if self._was_enabled:
                    gc.enable()
            elif self._was_enabled and self.clock() - self._since >= self.longest:
                gc.collect()
                self._since = self.clock()


gc_paused = _CyclicGcPause()


def evaluate(snapshot: Snapshot, location: str, as_of: dt.date) -> Evaluation:
    """The pure part of a sync: no I/O, the same snapshot and date always give the same result."""
    with gc_paused:
        return _evaluate(snapshot, location, as_of)


def _evaluate(snapshot: Snapshot, location: str, as_of: dt.date) -> Evaluation:
    wb = read_workbook(snapshot, location)
    rows = read_rows(wb)
    krs = kr_frame(rows)
    checkins, checkin_problems = validate_checkins(wb.checkins, rows, krs, wb.settings, as_of, wb.has_tab)
    checkins = score_checkins(checkins, krs, wb.settings, as_of)
    krs = score_krs(krs, checkins, wb.settings, as_of)
    rollup = roll_up(rows, krs, wb.settings, as_of)
    staged = run_stages(StageInput(wb, rows, krs, checkins, rollup, as_of))
    problems = [*wb.problems, *(p for r in rows for p in r.problems), *checkin_problems, *staged.problems()]
    plan = plan_writes(wb, rows, krs, checkins, rollup, checkin_problems, as_of, staged)
    return Evaluation(wb, rows, krs, checkins, rollup, problems, plan, staged)


def run_sync(backend: Backend, as_of: dt.date | str | None = None, dry_run: bool = False,
             before_write: Callable[[], None] | None = None) -> dict[str, Any]:
    """One sync of one workbook: one read, at most one write (none when nothing changed); the report.

    `as_of` is a date, or a date as a person types it (`--as-of 14/02/2025`), read in the workbook's locale.
    `before_write` runs just before the write and may raise to stop it (the service checks its lease there).
    """
    return sync_evaluated(backend, as_of, dry_run, before_write)[0]


def sync_evaluated(backend: Backend, as_of: dt.date | str | None = None, dry_run: bool = False,
                   before_write: Callable[[], None] | None = None) -> tuple[dict[str, Any], Evaluation]:
    """`run_sync`, with the evaluation behind its report (what the CLI's summary says next steps from)."""
    reads, writes = backend.api_calls()
    with backend.lock():
        snapshot = backend.read()
        # From here every failure is said in the workbook's language, whatever the backend was opened with.
        with said_in(lang_of(snapshot.tabs)):
            day = day_as_written(as_of, snapshot, backend.location) if isinstance(as_of, str) else as_of
            day = day or dt.date.today()
            ev = evaluate(snapshot, backend.location, day)
            if not dry_run and not ev.plan.empty:
                if before_write is not None:
                    before_write()
                backend.apply(ev.plan, snapshot)
    # This sync's own calls, even when one backend object serves several syncs.
    after = backend.api_calls()
    return ev.report(day, (after[0] - reads, after[1] - writes)), ev
