"""A KR's start or target changed: the line its Notes cell on the OKR tab shows, dated, and kept.

History records the start and target each week was computed with (`history_record`), so the sync knows the
previous ones: the KR's latest recorded week's, or, when a change was already noted on or after that week, what
that note changed them to. A change is noted once, dated with the as-of date of the sync that first saw it; the
lines already in the Notes cell are kept as they are, sync after sync (the cell is computed: it is read back).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from babel.numbers import format_decimal

from ..model import CellValue, Grid
from ..parsing import cell_text, is_blank, locales_for
from ..parsing.rowkey import row_key
from ..parsing.workbook import Workbook
from ..template import catalog
from .history_record import Record, differs

FIELDS = ("start", "target")


@dataclass(frozen=True)
class Noted:
    """A change line found in a Notes cell."""

    field: str
    line: str
    new: str
    date: dt.date


@cache
def _pattern(field: str, lang: str) -> re.Pattern[str]:
    """The message of a change of `field` in `lang`, as a pattern that finds its parts in a line."""
    text = catalog.messages()[f"okr.{field}_changed"][lang]
    parts = re.split(r"\{(\w+)\}", text)
    body = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{body}$")


def _noted(line: str, lang: str) -> Noted | None:
    """The change a Notes line says, if it is one."""
    for field in FIELDS:
        found = _pattern(field, lang).match(line.strip())
        if found is None:
            continue
        try:
            return Noted(field, line, found["new"], dt.date.fromisoformat(found["date"]))
        except ValueError:
            return None
    return None


def _effective(values: np.ndarray, kind: np.ndarray, field: str) -> np.ndarray:
    """Starts and targets as they count: a blank start of an Increase is 0."""
    if field != "start":
        return values
    return np.where(np.isnan(values) & (kind == "increase"), 0.0, values)


def _text(value: float, locale: str, lang: str) -> str:
    """A start or target as a note shows it, in the workbook's locale."""
    if math.isnan(value):
        return catalog.message("okr.blank_value", lang)
    return format_decimal(round(value, 6) + 0.0, locale=locale, decimal_quantization=False)


def _cells(grid: Grid, col: int | None, rows: list[int]) -> list[CellValue]:
    """The cells of a 1-based column on these sheet rows (None where there is none)."""
    if col is None:
        return [None] * len(rows)
    lines = (grid[r - 1] if r <= len(grid) else [] for r in rows)
    return [line[col - 1] if len(line) >= col else None for line in lines]


def _notes_by_key(grid: Grid, columns: dict[str, int]) -> dict[str, CellValue]:
    """Every Notes cell of the OKR tab by the key of the row it was computed for (the first, for a repeated key)."""
    notes_col, key_col = columns["notes"] - 1, columns["key"] - 1
    out: dict[str, CellValue] = {}
    for line in grid[1:]:
        key = cell_text(line[key_col]) if len(line) > key_col else ""
        if key and len(line) > notes_col and not is_blank(line[notes_col]):
            out.setdefault(key, line[notes_col])
    return out


def change_notes(wb: Workbook, krs: pd.DataFrame, record: Record, as_of: dt.date) -> dict[str, list[str]]:
    """For each KR that has any, the change lines its Notes cell shows: those already there, as they are, then one
    per change of its start or target seen now (against its latest recorded week, or a later note)."""
    lang = wb.settings.lang
    locale = (locales_for(wb.settings.locale) or ("en_US",))[0]
    grid, columns = wb.snapshot.tabs[wb.okr_tab].grid, wb.columns[wb.okr_tab]
    rows = [int(r) for r in krs["row"].tolist()]
    record = record.on(krs.index)
    latest = record.latest()
    kind = krs["type"].to_numpy(dtype=object)
    scorable = ~krs["error"].astype(bool).to_numpy() & (latest >= 0)
    now, was, moved = {}, {}, np.zeros(len(krs), dtype=bool)
    for field in FIELDS:
        now[field] = _effective(krs[field].to_numpy(dtype=float), kind, field)
        figures = record.figures[field]
        recorded = figures[np.arange(len(krs)), np.maximum(latest, 0)] if figures.size else np.full(len(krs), np.nan)
        was[field] = _effective(recorded, kind, field)
        moved |= scorable & differs(now[field], was[field], 6)
    notes = _cells(grid, columns.get("notes"), rows)
    keys = [cell_text(v) for v in _cells(grid, columns.get("key"), rows)]
    ids = [str(kr_id) for kr_id in krs.index.tolist()]
    # A sort during a sync can leave a KR's Notes on another row, whose key names the KR: found there.
    strays = [i for i, key in enumerate(keys) if key and key != row_key([ids[i]])]
    if strays:
        by_key = _notes_by_key(grid, columns)
        for i in strays:
            notes[i] = by_key.get(row_key([ids[i]]))
    out: dict[str, list[str]] = {}
    # Only KRs whose start or target moved, or whose Notes cell holds something, need a closer look.
    for i in np.flatnonzero(moved | np.array([not is_blank(v) for v in notes], dtype=bool)).tolist():
        kr_id = ids[i]
        lines = [n for line in cell_text(notes[i]).split("\n") if (n := _noted(line, lang)) is not None]
        shown = [n.line for n in lines]
        if scorable[i]:
            week = record.weeks[latest[i]]
            for field in FIELDS:
                last = next((n for n in reversed(lines) if n.field == field), None)
                before = last.new if last is not None and last.date >= week else _text(was[field][i], locale, lang)
                after = _text(now[field][i], locale, lang)
                if after != before:
                    shown.append(catalog.message(f"okr.{field}_changed", lang, old=before, new=after,
                                                 date=as_of.isoformat()))
        if shown:
            out[kr_id] = shown
    return out
