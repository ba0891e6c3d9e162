"""Reading one cell: what kind of value it holds, and what it means as a number, date, confidence or milestone.

Pure functions, no I/O, per locale; `columns` holds the same over whole columns.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import IntEnum
from typing import Any

import numpy as np
import pandas as pd

from ..model import CellValue, Percent
from .answers import (
    UNRECOGNISED,
    Confidence,
    confidence_of,
    milestone_of,
    text_confidence,
    text_milestone,
)
from .dates import (
    FIRST_YEAR,
    LAST_YEAR,
    parse_text_date,
    serial_to_date,
)
from .numbers import Number, parse_text_number

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


