"""The plan's diff, whole columns at a time: which computed cells differ from what the sheet holds.

Exactly the cell-by-cell rule (`same` below), but most cells are settled by one comparison of whole columns:
a value equal to the held one and of the same type is unchanged, a blank over a blank too, a value over a blank
cell changed. Only the rest (a value over another value) goes through `same_cell`, one cell at a time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from functools import partial
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd

from ..model import CellValue, CellWrite, Grid, Percent, same_cell
from ..parsing.rowkey import SEPARATOR, key_text

#: The cell types whose equality (same type, ==) already means `same_cell`: not datetimes, which only a
#: midnight makes a date, nor types the backends never give.
_PLAIN = frozenset({type(None), str, bool, int, float, Percent, dt.date})
_CHUNK = 4096
# Type objects as array scalars, to compare a column of types with.
_NONE, _STR = np.asarray(type(None), dtype=object), np.asarray(str, dtype=object)
_cell_write = partial(tuple.__new__, CellWrite)


def same(value: CellValue, held: CellValue) -> bool:
    """Whether writing `value` over `held` changes nothing: the same object, equal of the same type, or same_cell."""
    return value is held or (value == held and type(value) is type(held)) or same_cell(value, held)


def objects(values: Sequence[Any]) -> np.ndarray:
    """A one-dimensional array of Python objects, whatever they are (tuples stay elements)."""
    return np.fromiter(values, dtype=object, count=len(values))


def column(grid: Grid, col: int, rows: int) -> np.ndarray:
    """The cells of a 1-based column on sheet rows 2 to rows + 1, None past a row's end or the grid's."""
    i = col - 1
    out = np.full(rows, None, dtype=object)
    body = grid[1 : rows + 1]
    if body and max(map(len, body)) > i:
        out[: len(body)] = objects([line[i] if len(line) > i else None for line in body])
    return out


def _types(values: np.ndarray) -> np.ndarray:
    return np.fromiter(map(type, values), dtype=object, count=len(values))


def _blank(values: np.ndarray, types: np.ndarray) -> np.ndarray:
    # same_cell's blank: None or "" (a NaN is a value).
    return np.asarray(types == _NONE, dtype=bool) | np.asarray(values == "", dtype=bool)


def same_cells(wanted: np.ndarray, held: np.ndarray) -> np.ndarray:
    """`same` over two columns, element by element."""
    tw, th = _types(wanted), _types(held)
    try:
        equal = np.asarray(wanted == held, dtype=bool) & (tw == th)
        w_blank, h_blank = _blank(wanted, tw), _blank(held, th)
    except (TypeError, ValueError):  # a cell type whose == does not give a truth value
        return np.array([same(v, h) for v, h in zip(wanted.tolist(), held.tolist(), strict=True)], dtype=bool)
    out = equal.copy()
    over_blank = ~equal & w_blank
    out[over_blank] = h_blank[over_blank]
    rest = np.flatnonzero(~equal & ~w_blank & ~h_blank)
    if len(rest):
        out[rest] = [same(v, h) for v, h in zip(wanted[rest].tolist(), held[rest].tolist(), strict=True)]
    return out


def each_distinct(values: np.ndarray, fn: Callable[[Any], Any]) -> np.ndarray:
    """fn of each cell, computed once per distinct value of each type (1, 1.0 and True stay apart).

    fn must give the same for values of one type that compare equal (0.0 and -0.0).
    """
    out = np.empty(len(values), dtype=object)
    if not len(values):
        return out
    kinds, types = pd.factorize(_types(values))
    for k in range(len(types)):
        at = np.flatnonzero(kinds == k)
        sub = values[at]
        codes, _ = pd.factorize(sub, use_na_sentinel=False)
        # Each distinct value as it was (factorize shows None and NaT as NaN).
        firsts = np.unique(codes, return_index=True)[1]
        out[at] = objects([fn(u) for u in sub[firsts].tolist()])[codes]
    return out


def key_texts(values: np.ndarray) -> np.ndarray:
    """`key_text` of each cell: text as it is, anything else converted once per distinct value."""
    texts = np.asarray(_types(values) == _STR, dtype=bool)
    out = values.copy()
    if not texts.all():
        out[~texts] = each_distinct(values[~texts], key_text)
    return out


def row_keys(parts: list[np.ndarray]) -> np.ndarray:
    """`row_key` of each row, from the columns of its key cells."""
    keys = key_texts(parts[0])
    for part in parts[1:]:
        keys = keys + SEPARATOR + key_texts(part)
    return keys


def diff_tab(
    tab: str,
    grid: Grid,
    columns: dict[str, int],
    computed: list[str],
    rows: np.ndarray,
    values: dict[str, np.ndarray],
    key_parts: list[np.ndarray],
) -> list[CellWrite]:
    """Writes for the computed columns of a tab: the wanted values of `rows` (the last one of a repeated row
    wins), blanks on the other rows; a row written at all gets its key (from `key_parts`, per wanted row) too."""
    rows = np.asarray(rows, dtype=np.int64)
    keep = len(rows) - 1 - np.unique(rows[::-1], return_index=True)[1]
    rows = rows[keep]
    n = max(len(grid), int(rows.max()) if len(rows) else 1) - 1
    if n <= 0:
        return []
    at = rows - 2
    targets = [(key, columns[key]) for key in computed if key != "key" and key in columns]
    wanted, changed = [], []
    for key, col in targets:
        value = np.full(n, None, dtype=object)
        if key in values:
            value[at] = values[key][keep]
        wanted.append(value)
        changed.append(~same_cells(value, column(grid, col, n)))
    if "key" in columns:
        made = np.full(n, None, dtype=object)
        if len(rows):
            made[at] = row_keys([part[keep] for part in key_parts])
        any_changed = np.logical_or.reduce(changed) if changed else np.zeros(n, dtype=bool)
        wanted.append(made)
        changed.append(any_changed | ~same_cells(made, column(grid, columns["key"], n)))
        targets.append(("key", columns["key"]))
    if not changed:
        return []
    # Row by row, each row's cells in the template's order, the key last: as a cell-by-cell diff lists them.
    row, which = np.nonzero(np.column_stack(changed))
    cols = np.array([col for _, col in targets])[which]
    cells = np.column_stack(wanted)[row, which]
    # One int object per sheet row, shared by the row's writes.
    row_numbers = np.arange(2, n + 2).astype(object)[row]
    # tuple.__new__ straight from C: a first sync of a big workbook makes millions of these.
    return list(map(_cell_write, zip(repeat(tab), row_numbers.tolist(), cols.tolist(), cells.tolist())))


def same_grid(a: Grid, b: Grid) -> bool:
    """Whether two grids show the same cells, trailing blanks aside (same_cell on each pair of cells)."""
    ta, tb = _content_rows(a), _content_rows(b)
    if ta != tb:
        return False
    for start in range(0, ta, _CHUNK):
        end = min(start + _CHUNK, ta)
        x, y = a[start:end], b[start:end]
        if not (_plainly_same(x, y) or _same_rows(x, y)):
            return False
    return True


def _content_rows(grid: Grid) -> int:
    n = len(grid)
    while n and all(v is None or v == "" for v in grid[n - 1]):
        n -= 1
    return n


def _plainly_same(x: Grid, y: Grid) -> bool:
    """Rows of the same lengths, cells equal and of the same plain types, no NaN: same without a closer look."""
    if list(map(len, x)) != list(map(len, y)):
        return False
    flat_x, flat_y = list(chain.from_iterable(x)), list(chain.from_iterable(y))
    if flat_x != flat_y:
        return False
    types = list(map(type, flat_x))
    if types != list(map(type, flat_y)) or not _PLAIN.issuperset(types):
        return False
    # list == takes an object as equal to itself, same_cell does not when it is a NaN.
    return not any(v != v for v in flat_x if type(v) is float or type(v) is Percent)


def _same_rows(x: Grid, y: Grid) -> bool:
    def trimmed(row: list[CellValue]) -> list[CellValue]:
        row = list(row)
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
        return row

    return all(
        len(tx) == len(ty) and all(same_cell(u, v) for u, v in zip(tx, ty, strict=True))
        for tx, ty in ((trimmed(r), trimmed(s)) for r, s in zip(x, y, strict=True))
    )
