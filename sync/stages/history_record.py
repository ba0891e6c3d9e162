"""What the History tab already records: its rows in the template's columns, this quarter's as KR × week arrays.

History is a record: a week already written keeps the start and target it was computed with, and changes only
when that week's check-ins do (`history`). So a sync first reads what each (KR, week) row holds. Rows are read by
their header labels: a History laid out before it had Start and Target columns has its rows read as recorded
with the KR's current start and target (they were computed with them), and written back with the new columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from ..model import Grid
from ..parsing import cell_texts, is_blank, parse_dates, parse_numbers
from ..parsing.settings import Settings
from ..template import catalog

#: The template's History columns, by key, and the ones a row records its KR's definition in.
KEYS = [c.key for c in catalog.columns("history", "en")]
RECORDED = ("start", "target")
#: Columns whose figures tell whether a week's check-ins changed, and the decimals they are written with.
FIGURES = {"value": 6, "confidence": 4, "start": 6, "target": 6}


@dataclass
class Record:
    """The History tab as read: rows of other weeks as they are, and each KR's row of each recomputed week."""

    #: KR IDs and the recomputed weeks' Mondays: the axes of the arrays below.
    ids: pd.Index
    weeks: list[dt.date]
    #: Rows of weeks this sync does not recompute (other quarters, after the as-of date, unreadable weeks).
    other: list[list[Any]]
    #: One row per (KR, recomputed week) that has one, its week cell the week's Monday.
    rows: list[list[Any]]
    #: KR × week: the index of its row in `rows`, -1 for none.
    at: np.ndarray
    #: KR × week: the figures its row holds (NaN when blank or no row), by key of FIGURES.
    figures: dict[str, np.ndarray]

    def on(self, ids: pd.Index) -> Record:
        """The same record with its KR axis in the order of `ids` (a KR it does not know has no row)."""
        if self.ids.equals(ids):
            return self
        pos = self.ids.get_indexer(ids)
        pick = lambda a, blank: np.where((pos >= 0)[:, None], a[pos], blank)  # noqa: E731
        return Record(ids, self.weeks, self.other, self.rows, pick(self.at, -1),
                      {k: pick(v, np.nan) for k, v in self.figures.items()})

    def latest(self) -> np.ndarray:
        """Each KR's latest recorded week (an index into the recomputed weeks), -1 for none."""
        has = self.at >= 0
        if not has.size:
            return np.full(len(self.ids), -1)
        last = has.shape[1] - 1 - np.argmax(has[:, ::-1], axis=1)
        return np.where(has.any(axis=1), last, -1)


def empty_record(ids: pd.Index, weeks: list[dt.date]) -> Record:
    """A History that holds nothing yet."""
    n, m = len(ids), len(weeks)
    return Record(ids, weeks, [], [], np.full((n, m), -1), {k: np.full((n, m), np.nan) for k in FIGURES})


def differs(now: np.ndarray, held: np.ndarray, decimals: int) -> np.ndarray:
    """Where a figure, rounded as it is written, is not what a row holds (blank against blank is the same)."""
    now = np.round(now, decimals)
    with np.errstate(invalid="ignore"):
        same = np.isclose(now, held, rtol=1e-9, atol=1e-9) | (np.isnan(now) & np.isnan(held))
    return ~same


def header(lang: str) -> list[str]:
    """The History tab's header row."""
    return [c.label for c in catalog.columns("history", lang)]


def _sources(held_header: list[Any], lang: str) -> list[int | None]:
    """For each template column, the held column it is read from: by label, else where the template puts it;
    Start and Target only by label (a History without them predates them)."""
    found: dict[str, int] = {}
    for i, v in enumerate(held_header):
        if not is_blank(v):
            found.setdefault(str(v).strip().casefold(), i)
    out: list[int | None] = []
    for i, label in enumerate(header(lang)):
        j = found.get(label.casefold())
        out.append(j if j is not None or KEYS[i] in RECORDED else i)
    return out


def _lines(body: Grid, sources: list[int | None]) -> list[list[Any]]:
    """The non-blank rows, each in the template's columns (a row already so is taken as it is)."""
    n = len(sources)
    identity = sources == list(range(n))
    out = []
    for line in body:
        # A row okrsync wrote starts with its week's date: only other rows may be blank.
        if not line or (type(line[0]) is not dt.date and all(is_blank(v) for v in line)):
            continue
        if not identity:
            line = [line[j] if j is not None and j < len(line) else None for j in sources]
        elif len(line) != n:
            line = [*line, *[None] * (n - len(line))][:n]
        out.append(line)
    return out


def read_record(grid: Grid, krs: pd.DataFrame, settings: Settings, mondays: list[dt.date]) -> Record:
    """The History tab `grid` as a record, for the KRs of `krs` and the recomputed weeks `mondays`."""
    sources = _sources(grid[0] if grid else [], settings.lang)
    lines = _lines(grid[1:], sources)
    ids, n, m = krs.index, len(krs), len(mondays)
    if not lines:
        return empty_record(ids, mondays)
    firsts = _column(lines, 0)
    days = parse_dates(pd.Series(firsts, dtype=object), settings.locale)
    week = (days - pd.to_timedelta(days.dt.day_of_week, unit="D")).to_numpy(dtype="datetime64[D]")
    kr = _kr_positions(ids, _column(lines, 1))
    if any(sources[KEYS.index(k)] is None for k in RECORDED):
        _fill_definitions(lines, week, kr, krs, settings)
    md = np.array(mondays, dtype="datetime64[D]")
    w = np.searchsorted(md, week) if m else np.zeros(len(lines), dtype=np.int64)
    recomputed = (w < m) & ~np.isnat(week)
    recomputed[recomputed] = md[w[recomputed]] == week[recomputed]
    other = [lines[i] for i in np.flatnonzero(~recomputed).tolist()]
    # A recomputed week's row of a known KR is its record (the first, should a KR have two that week); rows of
    # KRs the OKR tab no longer has go, as their check-ins do.
    cell = np.where(recomputed & (kr >= 0), kr * m + w, -1)
    taken, first = np.unique(cell, return_index=True)
    first = first[taken >= 0]
    at = np.full(n * m, -1)
    at[cell[first]] = np.arange(len(first))
    rows = [lines[i] for i in first.tolist()]
    # Each record's week cell is its Monday's date, as okrsync writes it (a person's typing is put right).
    dated = np.fromiter(map(type, firsts), dtype=object, count=len(firsts)) == dt.date
    canonical = dated & (days.to_numpy(dtype="datetime64[D]") == week)
    for r in np.flatnonzero(~canonical[first]).tolist():
        rows[r] = [mondays[w[first[r]]], *rows[r][1:]]
    figures = {}
    for key in FIGURES:
        values = np.full(n * m, np.nan)
        cells = pd.Series(_column(rows, KEYS.index(key)), dtype=object)
        values[cell[first]] = parse_numbers(cells, settings.locale)["value"].to_numpy()
        figures[key] = values.reshape(n, m)
    return Record(ids, mondays, other, rows, at.reshape(n, m), figures)


def _column(lines: list[list[Any]], i: int) -> np.ndarray:
    """Column i of rows that all have it, as an array of objects."""
    return np.fromiter(map(itemgetter(i), lines), dtype=object, count=len(lines))


def _kr_positions(ids: pd.Index, cells: np.ndarray) -> np.ndarray:
    """The position in `ids` of each KR cell (-1: none), read as text only where it is not an ID as it stands."""
    kr = ids.get_indexer(pd.Index(cells, dtype=object))
    if (miss := np.flatnonzero(kr < 0)).size:
        kr[miss] = ids.get_indexer(pd.Index(cell_texts(pd.Series(cells[miss], dtype=object)), dtype=object))
    return kr


def _fill_definitions(lines: list[list[Any]], week: np.ndarray, kr: np.ndarray, krs: pd.DataFrame,
                      settings: Settings) -> None:
    """Rows of a History without Start and Target: those of this quarter's weeks, of a KR the OKR tab has, take
    its current start and target (the ones they were computed with); others stay blank, unknown."""
    first = np.datetime64(settings.start - dt.timedelta(days=settings.start.weekday()), "D")
    last = np.datetime64(settings.end, "D")
    ours = (kr >= 0) & ~np.isnat(week)
    ours[ours] = (week[ours] >= first) & (week[ours] <= last)
    columns = [(KEYS.index(k), krs[k].to_numpy(dtype=float)) for k in RECORDED]
    for i in np.flatnonzero(ours).tolist():
        for col, values in columns:
            value = values[kr[i]]
            lines[i][col] = None if value != value else round(float(value), FIGURES[KEYS[col]])
