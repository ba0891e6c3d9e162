"""KPI readings: each dated value of an indicator either counts or says why not.

Pure functions over the `kpi_readings` table's raw cells. A KPI table holds tens or hundreds of readings, not the
check-ins' hundred thousand: one pass per row, in the order people typed them, is plenty.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..model import Problem, Severity
from ..parsing import Number, cell_text, is_blank, parse_date, parse_number
from ..template import catalog

DATE_EXAMPLE = "2025-01-20"


def kpi_value(number: Number) -> float:
    """A number typed for a KPI, as the KPI holds it: a percentage in points, as the OKR tab holds a KR in %.

    `2,5 %` and a bare `2,5` are both 2.5 (a Sheets cell typed `2,5 %` holds 0.025, formatted as a percentage).
    """
    # Rounded: 0.035 × 100 is 3.5000000000000004 in floats, and a threshold of 3,5 % must compare equal.
    return round(number.value * 100, 10) if number.percent else number.value


@dataclass(frozen=True)
class Reading:
    """A reading that counts: the indicator's name as the KPI tab spells it, its date, value and sheet row."""

    indicator: str
    date: dt.date
    value: float
    row: int


@dataclass
class ReadingsResult:
    """The readings that count, in date order (then sheet row), and every row's problems."""

    readings: list[Reading] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class RowProblems:
    """Problems of one table's rows, in the workbook's language, with the column's label as the sheet shows it."""

    def __init__(self, tab: str, table: str, prefix: str, lang: str) -> None:
        self.tab, self.prefix, self.lang = tab, prefix, lang
        self.labels = {c.key: c.label for c in catalog.columns(table, lang)}
        self.items: list[Problem] = []

    def add(self, row: int, column: str, code: str, severity: Severity = "error", **params: Any) -> None:
        """A problem on the sheet row `row`, under `column` (a template column key)."""
        message = catalog.message(f"{self.prefix}.{code}", self.lang, **params)
        self.items.append(Problem(self.tab, int(row), self.labels[column], code, severity, message))

    def sorted(self) -> list[Problem]:
        """The problems by sheet row, each row's in the order they were found."""
        return sorted(self.items, key=lambda p: p.row)


def _cells(frame: pd.DataFrame, key: str) -> list[Any]:
    """A column's raw cells, blank when the tab lacks it."""
    return frame[key].tolist() if key in frame else [None] * len(frame)


def read_readings(
    frame: pd.DataFrame, names: dict[str, str], tab: str, kpi_tab: str, locale: str, lang: str, as_of: dt.date,
) -> ReadingsResult:
    """Check every reading row; `names` maps each indicator's case-folded name to its name.

    A reading dated after `as_of` is a warning and waits for its day; two readings of one indicator on one date
    are both flagged, and the lower one in the sheet (the later typed) counts.
    """
    problems = RowProblems(tab, "kpi_readings", "reading", lang)
    kept: list[Reading] = []
    columns = (_cells(frame, k) for k in ("row", "indicator", "date", "value"))
    for row, name_cell, date_cell, value_cell in zip(*columns, strict=True):
        name = cell_text(name_cell)
        known = names.get(name.casefold())
        if not name:
            problems.add(row, "indicator", "indicator_missing", tab=kpi_tab)
        elif known is None:
            problems.add(row, "indicator", "unknown_indicator", indicator=name, tab=kpi_tab)
        day = parse_date(date_cell, locale)
        if is_blank(date_cell):
            problems.add(row, "date", "date_missing", example=DATE_EXAMPLE)
        elif day is None:
            problems.add(row, "date", "date_unreadable", value=cell_text(date_cell), example=DATE_EXAMPLE)
        number = parse_number(value_cell, locale)
        if is_blank(value_cell):
            problems.add(row, "value", "value_missing")
        elif number is None:
            problems.add(row, "value", "value_not_number", value=cell_text(value_cell))
        if known is None or day is None or number is None:
            continue
        if day > as_of:
            problems.add(row, "date", "date_in_future", "warning", date=day.isoformat(), as_of=as_of.isoformat())
            continue
        kept.append(Reading(known, day, kpi_value(number), int(row)))
    _flag_duplicates(kept, problems)
    by_day: dict[tuple[str, dt.date], Reading] = {(r.indicator, r.date): r for r in sorted(kept, key=_order)}
    return ReadingsResult(sorted(by_day.values(), key=_order), problems.sorted())


def _order(reading: Reading) -> tuple[dt.date, int]:
    return reading.date, reading.row


def _flag_duplicates(readings: list[Reading], problems: RowProblems) -> None:
    """Both rows of a date read twice say so; the lower row in the sheet is the one that counts."""
    same_day: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for reading in readings:
        same_day[(reading.indicator, reading.date)].append(reading.row)
    for (indicator, day), rows in same_day.items():
        if len(rows) < 2:
            continue
        listed = ", ".join(str(r) for r in sorted(rows))
        for row in rows:
            problems.add(row, "date", "duplicate_reading", "warning", indicator=indicator, date=day.isoformat(),
                         rows=listed, kept=max(rows))
