"""Reading whole columns of cells: one pass over types, numbers in numpy, each distinct text parsed once.

The vectorised forms of `cell`, for the check-in tabs where rows are many; cells already typed by the
backends (numbers, dates) take a fast path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from .answers import OUT_OF_RANGE, UNRECOGNISED
from .cell import (
    _as_float,
    _Kind,
    _kind_of,
    cell_text,
    parse_confidence,
    parse_date,
    parse_milestone,
    parse_number,
)
from .dates import SERIAL_EPOCH, SERIAL_MAX, SERIAL_MIN

T = TypeVar("T")


def cell_texts(cells: pd.Series) -> pd.Series:
    """cell_text over a column, each distinct text stripped once."""
    seen: dict[str, str] = {}
    texts = [seen.setdefault(v, v.strip()) if type(v) is str else cell_text(v) for v in cells.tolist()]
    return pd.Series(texts, index=cells.index, dtype=object)


def cell_kinds(values: np.ndarray) -> np.ndarray:
    """The kind of each cell; a column of one plain type (text, whole numbers, dates) is seen as such at once."""
    n = len(values)
    inferred = infer_dtype(values, skipna=False) if n else "empty"
    if inferred in ("string", "integer", "empty"):
        return np.full(n, _Kind.TEXT if inferred == "string" else _Kind.NUMBER, dtype=np.int8)
    if inferred == "date" and not pd.isna(values).any():  # dates and datetimes, no NaT
        return np.full(n, _Kind.DATE, dtype=np.int8)
    codes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=n))
    return np.array([_kind_of(t) for t in types], dtype=np.int8)[codes]


def blank_cells(values: np.ndarray, kind: np.ndarray | None = None) -> np.ndarray:
    """is_blank over an array of cells (whose `cell_kinds` may be known already)."""
    kind = cell_kinds(values) if kind is None else kind
    out = kind == _Kind.BLANK
    if (text := kind == _Kind.TEXT).any():
        results, codes = _each_distinct(values[text], lambda t: not t.strip())
        out[text] = np.array(results, dtype=bool)[codes]
    if (held := np.isin(kind, (_Kind.NUMBER, _Kind.PERCENT))).any():
        out[held] = np.isnan(_floats(values[held]))
    return out


def blanks(cells: pd.Series, kinds: np.ndarray | None = None) -> pd.Series:
    """is_blank over a column (whose `column_kinds` may be known already)."""
    values, kinds = _cells(cells, kinds)
    return pd.Series(blank_cells(values, kinds), index=cells.index, dtype=bool)


def column_kinds(cells: pd.Series) -> np.ndarray:
    """The kind of each cell of a column, to share between the readings of one column."""
    return _cells(cells)[1]


def _cells(cells: pd.Series, kinds: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    values = cells.to_numpy(dtype=object)
    if kinds is not None:
        return values, kinds
    if isinstance(cells.dtype, np.dtype) and cells.dtype.kind in "iuf":
        return values, np.full(len(values), _Kind.NUMBER, dtype=np.int8)
    return values, cell_kinds(values)


def _floats(values: np.ndarray) -> np.ndarray:
    try:
        return values.astype(float)
    except (OverflowError, TypeError, ValueError):
        return np.array([_as_float(v) for v in values], dtype=float)


def _each_distinct(values: np.ndarray, fn: Callable[[Any], T]) -> tuple[list[T], np.ndarray]:
    """fn of each distinct value, and for each value the index of its result."""
    codes, uniques = pd.factorize(values)
    return [fn(u) for u in uniques], codes


def parse_numbers(cells: pd.Series, locale: str, kinds: np.ndarray | None = None) -> pd.DataFrame:
    """parse_number over a column: "value" (NaN when not a number) and "percent"."""
    values, kinds = _cells(cells, kinds)
    value = np.full(len(values), np.nan)
    percent = np.zeros(len(values), dtype=bool)
    if (held := np.isin(kinds, (_Kind.NUMBER, _Kind.PERCENT))).any():
        floats = _floats(values[held])
        floats[~np.isfinite(floats)] = np.nan
        value[held] = floats
        percent[held] = (kinds[held] == _Kind.PERCENT) & ~np.isnan(floats)
    if (text := kinds == _Kind.TEXT).any():
        results, codes = _each_distinct(values[text], lambda t: parse_number(t, locale))
        value[text] = np.array([r.value if r else np.nan for r in results])[codes]
        percent[text] = np.array([r is not None and r.percent for r in results], dtype=bool)[codes]
    return pd.DataFrame({"value": value, "percent": percent}, index=cells.index)


_UNIX_EPOCH_SERIAL = (dt.date(1970, 1, 1) - SERIAL_EPOCH).days


def parse_dates(cells: pd.Series, locale: str, kinds: np.ndarray | None = None) -> pd.Series:
    """parse_date over a column, as datetime64[ns] at midnight, NaT when blank or unreadable."""
    values, kinds = _cells(cells, kinds)
    days = np.full(len(values), np.datetime64("NaT"), dtype="datetime64[D]")
    if (held := kinds == _Kind.NUMBER).any():
        serials = _floats(values[held])
        ok = np.isfinite(serials) & (serials >= SERIAL_MIN) & (serials < SERIAL_MAX)
        found = np.full(len(serials), np.datetime64("NaT"), dtype="datetime64[D]")
        found[ok] = (np.floor(serials[ok]).astype(np.int64) - _UNIX_EPOCH_SERIAL).astype("datetime64[D]")
        days[held] = found
    if (other := np.isin(kinds, (_Kind.TEXT, _Kind.DATE))).any():
        results, codes = _each_distinct(values[other], lambda c: parse_date(c, locale))
        as_days = [np.datetime64(r, "D") if r else np.datetime64("NaT") for r in results]
        days[other] = np.array(as_days, dtype="datetime64[D]")[codes]
    return pd.Series(days.astype("datetime64[ns]"), index=cells.index, name=cells.name)


def parse_confidences(cells: pd.Series, locale: str, kinds: np.ndarray | None = None) -> pd.DataFrame:
    """parse_confidence over a column: "value" (NaN unless recognised) and "error" (None or a code)."""
    values, kinds = _cells(cells, kinds)
    value = np.full(len(values), np.nan)
    error = np.full(len(values), UNRECOGNISED, dtype=object)
    error[kinds == _Kind.BLANK] = None
    if (held := np.isin(kinds, (_Kind.NUMBER, _Kind.PERCENT))).any():
        v = _floats(values[held])
        share = (kinds[held] == _Kind.PERCENT) | ((v >= 0) & (v <= 1))
        scaled = np.where(share, v, v / 100)
        ok = np.where(share, (v >= 0) & (v <= 1), (v > 1) & (v <= 100))
        value[held] = np.where(ok, scaled, np.nan)
        errors = np.full(len(v), OUT_OF_RANGE, dtype=object)
        errors[ok | np.isnan(v)] = None
        errors[np.isinf(v)] = UNRECOGNISED
        error[held] = errors
    if (text := kinds == _Kind.TEXT).any():
        results, codes = _each_distinct(values[text], lambda t: parse_confidence(t, locale))
        value[text] = np.array([np.nan if v is None else v for v, _ in results])[codes]
        error[text] = np.array([e for _, e in results], dtype=object)[codes]
    return pd.DataFrame(
        {"value": value, "error": pd.Series(error, index=cells.index, dtype=object)}, index=cells.index
    )


def parse_milestones(cells: pd.Series, locale: str, kinds: np.ndarray | None = None) -> pd.Series:
    """parse_milestone over a column, NaN when blank or unrecognised."""
    values, kinds = _cells(cells, kinds)
    out = np.full(len(values), np.nan)
    if (checked := kinds == _Kind.BOOL).any():
        out[checked] = values[checked].astype(float)
    if (held := np.isin(kinds, (_Kind.NUMBER, _Kind.PERCENT))).any():
        v = _floats(values[held])
        share = (v >= 0) & (v <= 1)
        hundred = (kinds[held] != _Kind.PERCENT) & (v > 1) & (v <= 100)
        out[held] = np.where(share, v, np.where(hundred, v / 100, np.nan))
    if (text := kinds == _Kind.TEXT).any():
        results, codes = _each_distinct(values[text], lambda t: parse_milestone(t, locale))
        out[text] = np.array([np.nan if r is None else r for r in results])[codes]
    return pd.Series(out, index=cells.index, name=cells.name)
