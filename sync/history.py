"""The History tab: one row per KR per week, recomputed for this quarter's weeks, older rows kept."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Callable
from itertools import groupby, repeat
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from . import catalog
from .kr_state import STATUS_NAMES, States, clip01, last_per_group, progress_of, roll_up_parents, status_of
from .model import Grid, Percent
from .parse import is_blank, parse_date, parse_dates
from .score import Bands, elapsed
from .validate import week_start
from .workbook import Settings

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


def history_rows(krs: pd.DataFrame, checkins: pd.DataFrame, settings: Settings, as_of: dt.date) -> list[list[Any]]:
    """Each KR's state at the end of each week of the quarter so far, from the week of its first data on.

    Rows come by week, then by KR ID, as the tab shows them.
    """
    mondays = weeks(settings, as_of)
    if not mondays or not len(krs):
        return []
    value, confidence = _latest(krs, checkins, mondays)
    return _rows(krs, mondays, value, confidence, settings, as_of)


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
          settings: Settings, as_of: dt.date) -> list[list[Any]]:
    """The History rows of KRs × weeks, from each one's latest value and confidence."""
    ends = [min(week + dt.timedelta(days=6), as_of) for week in mondays]
    expected = np.array([elapsed(settings.start, settings.end, on) for on in ends])
    over = np.array([on >= settings.end for on in ends])
    kind = krs["type"].to_numpy(dtype=object)
    raw = progress_of(kind, krs["start"].to_numpy(dtype=float), krs["target"].to_numpy(dtype=float), current)
    raw = np.where(krs["error"].astype(bool).to_numpy()[:, None], np.nan, raw)
    states = States(own=~np.isnan(current), current=current.copy(), progress_raw=raw, progress=clip01(raw))
    roll_up_parents(krs, states)
    status = status_of(states.progress, expected, confidence, Bands.of(settings), over)
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
        kr = by_id[~np.isnan(states.progress[by_id, w])]
        columns = [
            repeat(monday_of, len(kr)),
            names[kr].tolist(),
            teams[kr].tolist(),
            nums(states.current[kr, w]),
            pcts(states.progress[kr, w]),
            repeat(expected_cells[w], len(kr)),
            pcts(confidence[kr, w]),
            word_of[status[kr, w]].tolist(),
        ]
        rows += map(list, zip(*columns, strict=True))
    return rows


def history_grid(existing: Grid, fresh: list[list[Any]], settings: Settings, as_of: dt.date) -> Grid:
    """The whole tab: header, kept rows of other weeks, this quarter's weeks recomputed; by week then KR.

    `fresh` comes from `history_rows`, already by week then KR ID.
    """
    header = [c.label for c in catalog.columns("history", settings.lang)]
    recomputed = weeks(settings, as_of)
    body = existing[1:]
    firsts = pd.Series([line[0] if line else None for line in body], dtype=object)
    days = parse_dates(firsts, settings.locale)
    again = week_start(days).isin([pd.Timestamp(w) for w in recomputed]).to_numpy()
    kept = [
        [*line, *[None] * (len(header) - len(line))][: len(header)]
        for line, drop in zip(body, again.tolist(), strict=True)
        if not drop and line and not all(is_blank(v) for v in line)
    ]

    def key(line: list[Any]) -> tuple[str, str]:
        week = line[0] if type(line[0]) is dt.date else parse_date(line[0], settings.locale)
        return (week.isoformat() if week else "", str(line[1] or ""))

    # A kept row never falls in a recomputed week: each week of fresh rows goes in one piece between kept rows.
    kept.sort(key=key)
    kept_weeks = [k[0] for k in map(key, kept)]
    grid: Grid = [header]
    done = 0
    for week, rows in groupby(fresh, key=itemgetter(0)):
        at = bisect_left(kept_weeks, week.isoformat(), lo=done)
        grid += kept[done:at]
        grid += rows
        done = at
    grid += kept[done:]
    return grid
