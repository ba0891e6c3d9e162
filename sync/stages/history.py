"""The History tab: one row per KR per week, a record: this quarter's weeks recomputed where check-ins changed."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..model import Grid, Percent
from ..parsing import parse_date
from ..parsing.settings import Settings
from ..template import catalog
from .history_record import KEYS, Record, differs, empty_record, header
from .kr_state import (
    STATUS_NAMES,
    States,
    clip01,
    last_per_group,
    parents,
    progress_of,
    roll_up_parents,
    spread_to_parents,
    status_of,
)
from .score import Bands, elapsed

T = TypeVar("T")


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weeks(settings: Settings, as_of: dt.date) -> list[dt.date]:
    """The Mondays of the quarter's weeks up to the as-of date."""
    last = min(as_of, settings.end)
    if last < settings.start:
        return []
    out, week = [], monday(settings.start)
    while week <= last:
        out.append(week)
        week += dt.timedelta(days=7)
    return out


def pct(value: float | None) -> Percent | None:
    """A share as a percent-formatted cell, rounded so that a rerun writes the same value (None: NaN or None)."""
    return None if value is None or value != value else Percent(round(float(value), 4))


def num(value: float | None) -> float | None:
    """A figure as a cell, rounded so that a rerun writes the same value (None: NaN or None)."""
    return None if value is None or value != value else round(float(value), 6)


def pcts(values: pd.Series | np.ndarray) -> list[Percent | None]:
    """`pct` over a column, rounded in one go; equal figures share one cell object."""
    return _shared(np.round(np.asarray(values, dtype=float), 4), Percent)


def nums(values: pd.Series | np.ndarray) -> list[float | None]:
    """`num` over a column, rounded in one go."""
    return _shared(np.round(np.asarray(values, dtype=float), 6), float)


def _shared(values: np.ndarray, make: Callable[[float], T]) -> list[T | None]:
    # Figures repeat a lot (a share rounded to 4 decimals has 10 001 values): one object per distinct bit
    # pattern (so -0.0 stays -0.0), None for NaN.
    codes, uniques = pd.factorize(values.view(np.int64))
    made = np.empty(len(uniques) + 1, dtype=object)
    made[:-1] = [None if v != v else make(v) for v in uniques.view(np.float64).tolist()]
    return made[codes].tolist()


def history_rows(krs: pd.DataFrame, checkins: pd.DataFrame, settings: Settings, as_of: dt.date,
                 record: Record | None = None) -> list[list[Any]]:
    """Each KR's state at the end of each week of the quarter so far, from the week of its first data on.

    A week `record` already holds for a KR keeps its row as it is, unless that week's check-ins changed (its value
    or confidence is no longer what the row says, or, for a parent rolled up from its KRs, one of theirs changed):
    then the row is computed again with the start and target it recorded. A week not written yet is computed
    with the KR's current start and target. Rows come by week, then by KR ID, as the tab shows them.
    """
    mondays = weeks(settings, as_of)
    if not mondays or not len(krs):
        return []
    record = (record or empty_record(krs.index, mondays)).on(krs.index)
    value, confidence = _latest(krs, checkins, mondays)
    return _rows(krs, mondays, value, confidence, settings, as_of, record)


def _latest(krs: pd.DataFrame, checkins: pd.DataFrame, mondays: list[dt.date]) -> tuple[np.ndarray, np.ndarray]:
    """The value and confidence of each KR's latest valid check-in as of each week (KR × week, NaN: none yet)."""
    # A valid check-in is dated within the quarter and not after the as-of date: it counts from its own week on.
    kr = krs.index.get_indexer(pd.Index(checkins["kr_id"]))
    days = np.array(mondays, dtype="datetime64[D]")
    on = checkins["week"].to_numpy(dtype="datetime64[D]")
    week = np.searchsorted(days, on)
    known = checkins["valid"].to_numpy(dtype=bool) & (kr >= 0) & (week < len(days))
    known[known] = days[week[known]] == on[known]
    n, m = len(krs), len(mondays)
    cell = np.where(known, kr * m + week, -1)
    # The last check-in of each (KR, week), in (KR, week) order: a later week's has a higher rank, so the
    # running maximum along the weeks is the latest check-in so far.
    last = last_per_group(cell, checkins["row"].to_numpy())
    rank = np.full(n * m, -1)
    rank[cell[last]] = np.arange(len(last))
    source = np.append(last, -1)[np.maximum.accumulate(rank.reshape(n, m), axis=1)]
    value = np.append(checkins["value"].to_numpy(dtype=float), np.nan)[source]
    return value, np.append(checkins["confidence"].to_numpy(dtype=float), np.nan)[source]


def _rows(krs: pd.DataFrame, mondays: list[dt.date], current: np.ndarray, confidence: np.ndarray,
          settings: Settings, as_of: dt.date, record: Record) -> list[list[Any]]:
    """The History rows of KRs × weeks, from each one's latest value and confidence and what `record` holds."""
    ends = [min(week + dt.timedelta(days=6), as_of) for week in mondays]
    expected = np.array([elapsed(settings.start, settings.end, on) for on in ends])
    over = np.array([on >= settings.end for on in ends])
    kind = krs["type"].to_numpy(dtype=object)
    error = krs["error"].astype(bool).to_numpy()[:, None]
    held = record.at >= 0
    figures = record.figures
    # Each week with the start and target its row recorded (a row whose target is unreadable recorded nothing),
    # or the KR's current ones.
    recorded = held & ~np.isnan(figures["target"])
    start = np.where(recorded, figures["start"], krs["start"].to_numpy(dtype=float)[:, None])
    target = np.where(recorded, figures["target"], krs["target"].to_numpy(dtype=float)[:, None])
    raw = np.where(error, np.nan, progress_of(kind, start, target, current))
    own = ~np.isnan(current)
    states = States(own=own, current=current.copy(), progress_raw=raw, progress=clip01(raw), start=start,
                    target=target)
    family = parents(krs)
    roll_up_parents(krs, states, family)
    status = status_of(states.progress, expected, confidence, Bands.of(settings), over)
    computable = ~np.isnan(states.progress)
    # A week's check-ins changed for a KR when it has a figure and no row yet, or its value or confidence is no
    # longer what its row says; for a parent rolled up from its KRs, when one of theirs changed.
    changed = np.where(held, differs(states.current, figures["value"], 6)
                       | differs(confidence, figures["confidence"], 4), computable)
    spread_to_parents(family, own, changed)
    fresh = computable & changed & ~error
    # A row goes only with its check-ins; a KR in error (being edited) keeps its rows as they are.
    gone = changed & ~error & ~computable & np.isnan(states.current)
    kept = held & ~fresh & ~gone
    # By week, then by KR ID as text: the order the tab is sorted in.
    ids = [str(kr_id) for kr_id in krs.index.tolist()]
    by_id = np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)
    names, teams = krs.index.to_numpy(dtype=object), krs["team"].to_numpy(dtype=object)
    words = catalog.words("status", settings.lang)
    word_of = np.array([words[name] for name in STATUS_NAMES], dtype=object)
    expected_cells = pcts(expected)
    rows: list[list[Any]] = []
    # A week at a time, so that only one week's columns are held besides the rows.
    for w, monday_of in enumerate(mondays):
        order = by_id[fresh[by_id, w] | kept[by_id, w]]
        new = fresh[order, w]
        kr = order[new]
        cells = {
            "week": repeat(monday_of, len(kr)),
            "kr": names[kr].tolist(),
            "team": teams[kr].tolist(),
            "value": nums(states.current[kr, w]),
            "progress": pcts(states.progress[kr, w]),
            "expected": repeat(expected_cells[w], len(kr)),
            "confidence": pcts(confidence[kr, w]),
            "status": word_of[status[kr, w]].tolist(),
            "start": nums(start[kr, w]),
            "target": nums(target[kr, w]),
        }
        made = list(map(list, zip(*(cells[key] for key in KEYS), strict=True)))
        if len(kr) == len(order):
            rows += made
            continue
        week_rows = np.empty(len(order), dtype=object)
        week_rows[new] = _objects(made)
        week_rows[~new] = _objects([record.rows[i] for i in record.at[order[~new], w].tolist()])
        rows += week_rows.tolist()
    return rows


def _objects(values: list[Any]) -> np.ndarray:
    """A one-dimensional array of these objects (lists stay elements)."""
    return np.fromiter(values, dtype=object, count=len(values))


def history_grid(record: Record, fresh: list[list[Any]], settings: Settings) -> Grid:
    """The whole tab: header, kept rows of other weeks, this quarter's weeks recomputed; by week then KR.

    `fresh` comes from `history_rows`, already by week then KR ID.
    """
    kept = list(record.other)

    def key(line: list[Any]) -> tuple[str, str]:
        week = line[0] if type(line[0]) is dt.date else parse_date(line[0], settings.locale)
        return (week.isoformat() if week else "", str(line[1] or ""))

    # A kept row never falls in a recomputed week: each week of fresh rows goes in one piece between kept rows.
    kept.sort(key=key)
    kept_weeks = [k[0] for k in map(key, kept)]
    grid: Grid = [header(settings.lang)]
    done = 0
    for week, rows in groupby(fresh, key=itemgetter(0)):
        at = bisect_left(kept_weeks, week.isoformat(), lo=done)
        grid += kept[done:at]
        grid += rows
        done = at
    grid += kept[done:]
    return grid
