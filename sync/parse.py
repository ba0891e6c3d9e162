"""The parsing stage: what a cell means as a number, a date, a confidence or a milestone, per locale.

Pure functions, no I/O. Scalar forms read one cell; the vectorised forms read a whole column, taking a
fast path for cells already held as numbers or dates and parsing each distinct text only once.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from enum import IntEnum
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from .model import CellValue, Percent
from .parse_answers import (
    OUT_OF_RANGE,
    UNRECOGNISED,
    Confidence,
    confidence_of,
    milestone_of,
    text_confidence,
    text_milestone,
)
from .parse_dates import (
    FIRST_YEAR,
    LAST_YEAR,
    SERIAL_EPOCH,
    SERIAL_MAX,
    SERIAL_MIN,
    parse_text_date,
    serial_to_date,
)
from .parse_numbers import Number, locales_for, parse_text_number

__all__ = [
    "Number", "blanks", "cell_text", "cell_texts", "is_blank", "locales_for", "parse_confidence",
    "parse_confidences", "parse_date", "parse_dates", "parse_milestone", "parse_milestones", "parse_number",
    "parse_numbers",
]  # fmt: skip

T = TypeVar("T")
_MAX_TEXT = 200


class _Kind(IntEnum):
    BLANK = 0
    NUMBER = 1
    PERCENT = 2
    TEXT = 3
    DATE = 4
    BOOL = 5
    OTHER = 6


_KINDS: dict[type, _Kind] = {}


def _kind_of(cls: type) -> _Kind:
    if (kind := _KINDS.get(cls)) is None:
        kind = _KINDS[cls] = _classify(cls)
    return kind


def _classify(cls: type) -> _Kind:
    # NaT is a datetime and bool an int: both must be sorted out before their parents.
    if issubclass(cls, type(None) | type(pd.NaT) | type(pd.NA)):
        return _Kind.BLANK
    if issubclass(cls, bool | np.bool_):
        return _Kind.BOOL
    if issubclass(cls, Percent):
        return _Kind.PERCENT
    if issubclass(cls, int | float | np.integer | np.floating):
        return _Kind.NUMBER
    if issubclass(cls, str):
        return _Kind.TEXT
    if issubclass(cls, dt.date):
        return _Kind.DATE
    return _Kind.OTHER


def _as_float(cell: Any) -> float:
    try:
        return float(cell)
    except OverflowError:  # an int too large for a float
        return math.inf if cell > 0 else -math.inf


def is_blank(cell: CellValue) -> bool:
    """Whether the cell is empty: None, "", only spaces, or a missing value (NaN, NaT, NA)."""
    kind = _kind_of(type(cell))
    if kind is _Kind.TEXT:
        return not cell.strip()
    if kind in (_Kind.NUMBER, _Kind.PERCENT):
        return isinstance(cell, float | np.floating) and math.isnan(cell)
    return kind is _Kind.BLANK


def cell_text(cell: CellValue) -> str:
    """A cell as a person reads it, for messages and IDs: stripped text, 28 for 28.0, a date in ISO form."""
    if is_blank(cell):
        return ""
    if isinstance(cell, Percent):
        # As the sheet shows it (150 %), not Percent's repr: str() of a float subclass falls back to it.
        return f"{round(float(cell) * 100, 6):g} %"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()[:10]
    return str(cell).strip()


def cell_texts(cells: pd.Series) -> pd.Series:
    """cell_text over a column, each distinct text stripped once."""
    seen: dict[str, str] = {}
    texts = [seen.setdefault(v, v.strip()) if type(v) is str else cell_text(v) for v in cells.tolist()]
    return pd.Series(texts, index=cells.index, dtype=object)


_NEVER_BLANK = (int, bool, dt.date, dt.datetime, pd.Timestamp)


def blanks(cells: pd.Series) -> pd.Series:
    """is_blank over a column, without a function call per cell for the common types."""
    out = []
    for v in cells.tolist():
        kind = type(v)
        if kind is str:
            out.append(not v.strip())
        elif kind is float:
            out.append(v != v)
        elif kind in _NEVER_BLANK:
            out.append(False)
        else:
            out.append(v is None or is_blank(v))
    return pd.Series(out, index=cells.index, dtype=bool)


def _fit(text: str) -> str | None:
    """The text worth parsing: stripped, or None when it is too long to be a figure or an answer."""
    text = text.strip()
    # The bound also keeps long comments out of the parsers' caches.
    return text if len(text) <= _MAX_TEXT else None


def _text_number(text: str, locale: str) -> Number | None:
    found = parse_text_number(text, locale)
    if found is None:
        return None
    value = float(found.value)
    return Number(value, found.percent) if math.isfinite(value) else None


def parse_number(cell: CellValue, locale: str) -> Number | None:
    """The number in a cell (typed text or stored number), None when blank or not a number."""
    kind = _kind_of(type(cell))
    if kind in (_Kind.NUMBER, _Kind.PERCENT):
        value = _as_float(cell)
        return Number(value, kind is _Kind.PERCENT) if math.isfinite(value) else None
    if kind is _Kind.TEXT:
        return None if (text := _fit(cell)) is None else _text_number(text, locale)
    return None


def parse_date(cell: CellValue, locale: str) -> dt.date | None:
    """The date in a cell (date object, spreadsheet serial or typed text), None when blank or unreadable."""
    kind = _kind_of(type(cell))
    if kind is _Kind.DATE:
        day = cell.date() if isinstance(cell, dt.datetime) else cell
        return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
    if kind is _Kind.NUMBER:
        return serial_to_date(_as_float(cell))
    if kind is _Kind.TEXT:
        return None if (text := _fit(cell)) is None else parse_text_date(text, locale)
    return None


def parse_confidence(cell: CellValue, locale: str) -> Confidence:
    """(confidence 0..1, None), (None, "unrecognised" | "out_of_range"), or (None, None) when blank."""
    if is_blank(cell):
        return None, None
    kind = _kind_of(type(cell))
    if kind in (_Kind.NUMBER, _Kind.PERCENT):
        return confidence_of(_as_float(cell), kind is _Kind.PERCENT)
    if kind is _Kind.TEXT:
        return (None, UNRECOGNISED) if (text := _fit(cell)) is None else text_confidence(text, locale)
    return None, UNRECOGNISED


def parse_milestone(cell: CellValue, locale: str) -> float | None:
    """1 for done, 0 for not done, the share for a percentage; None when blank or unrecognised."""
    kind = _kind_of(type(cell))
    if kind is _Kind.BOOL:  # a checkbox
        return float(cell)
    if kind in (_Kind.NUMBER, _Kind.PERCENT):
        return milestone_of(_as_float(cell), kind is _Kind.PERCENT)
    if kind is _Kind.TEXT:
        return None if (text := _fit(cell)) is None else text_milestone(text, locale)
    return None


# --- vectorised forms: one pass over types, numbers in numpy, each distinct text parsed once ---


def _cells(cells: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    values = cells.to_numpy(dtype=object)
    if isinstance(cells.dtype, np.dtype) and cells.dtype.kind in "iuf":
        return values, np.full(len(values), _Kind.NUMBER, dtype=np.int8)
    codes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    return values, np.array([_kind_of(t) for t in types], dtype=np.int8)[codes]


def _floats(values: np.ndarray) -> np.ndarray:
    try:
        return values.astype(float)
    except (OverflowError, TypeError, ValueError):
        return np.array([_as_float(v) for v in values], dtype=float)


def _each_distinct(values: np.ndarray, fn: Callable[[Any], T]) -> tuple[list[T], np.ndarray]:
    """fn of each distinct value, and for each value the index of its result."""
    codes, uniques = pd.factorize(values)
    return [fn(u) for u in uniques], codes


def parse_numbers(cells: pd.Series, locale: str) -> pd.DataFrame:
    """parse_number over a column: "value" (NaN when not a number) and "percent"."""
    values, kinds = _cells(cells)
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


def parse_dates(cells: pd.Series, locale: str) -> pd.Series:
    """parse_date over a column, as datetime64[ns] at midnight, NaT when blank or unreadable."""
    values, kinds = _cells(cells)
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


def parse_confidences(cells: pd.Series, locale: str) -> pd.DataFrame:
    """parse_confidence over a column: "value" (NaN unless recognised) and "error" (None or a code)."""
    values, kinds = _cells(cells)
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


def parse_milestones(cells: pd.Series, locale: str) -> pd.Series:
    """parse_milestone over a column, NaN when blank or unrecognised."""
    values, kinds = _cells(cells)
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
