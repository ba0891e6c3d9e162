"""KPIs: health indicators with alert thresholds, and what their dated readings say.

Each indicator of the KPI tab gets its latest reading, the change since the one before, the trend over the last
three, and a status: red (an alert) when the latest reading is past the threshold on the wrong side, green when
it is not, none without a reading, a threshold or a direction to judge it by.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..model import Problem
from ..parsing import cell_text, is_blank, parse_number
from ..parsing.numbers import fold
from ..parsing.settings import Settings
from ..template import catalog
from .kpi_readings import Reading, RowProblems, kpi_value, read_readings

#: The readings the trend looks at, and the share of their size a fitted change must pass to be a trend.
TREND_READINGS = 3
TREND_DEAD_BAND = 0.02


@dataclass
class Indicator:
    """One row of the KPI tab that counts, its thresholds, and its readings in date order; `percent` when its
    figures are percentages (held in points, as `kpi_value` reads them)."""

    name: str
    row: int
    team: str
    unit: str
    direction: str | None
    benchmark: float | None
    threshold: float | None
    percent: bool
    readings: list[Reading] = field(default_factory=list)

    @property
    def latest(self) -> Reading | None:
        """The reading of the latest date (the lower row in the sheet when a date was read twice)."""
        return self.readings[-1] if self.readings else None

    @property
    def change(self) -> float | None:
        """Latest minus previous, in the KPI's unit; None before a second reading."""
        if len(self.readings) < 2:
            return None
        change = _tidy(self.readings[-1].value - self.readings[-2].value)
        return change if math.isfinite(change) else None

    @property
    def trend(self) -> str | None:
        """`up`, `down` or `flat`: where the last readings head (see `trend_of`); None before a second reading."""
        return trend_of(self.readings[-TREND_READINGS:])

    @property
    def status(self) -> str:
        """`red` when the latest reading is past the threshold on the wrong side, else `green`; `none` when it
        cannot be judged (no reading, threshold or direction). A reading equal to the threshold is not an alert."""
        latest = self.latest
        if latest is None or self.threshold is None or self.direction is None:
            return "none"
        value, threshold = round(latest.value, 9), round(self.threshold, 9)
        alert = value < threshold if self.direction == "higher" else value > threshold
        return "red" if alert else "green"


def _tidy(value: float) -> float:
    """A difference without the float noise of its operands (3 500 − 2 845 is 655, 0.03 − 0.025 is 0.005)."""
    return round(value, 9) + 0.0


def trend_of(readings: list[Reading]) -> str | None:
    """Where these readings head: the sign of their least-squares slope over their dates.

    The fitted change across the readings' span must pass `TREND_DEAD_BAND` (2 %) of the largest of their
    values to be `up` or `down`; smaller, it is `flat`. With two readings it is the sign of last − first. The
    arrow tells the value's direction, not whether that is good: the status and the row's colour say that.
    """
    if len(readings) < 2:
        return None
    days = np.array([(r.date - readings[0].date).days for r in readings], dtype=float)
    values = np.array([r.value for r in readings], dtype=float)
    # On the scale of the largest value, so that neither the band nor the fit overflows.
    scale = float(np.abs(values).max()) or 1.0
    values = values / scale
    # With two readings the fitted line goes through both: the change is last − first.
    fitted = np.polyfit(days, values, 1)[0] * (days[-1] - days[0])
    if not abs(fitted) > TREND_DEAD_BAND:
        return "flat"
    return "up" if fitted > 0 else "down"


@dataclass
class KpiTables:
    """Both tables as the stage read them: each KPI-tab row's indicator (None for a row that does not count),
    and every problem of either tab."""

    indicators: list[Indicator | None]
    kpi_problems: list[Problem]
    reading_problems: list[Problem]

    @property
    def counted(self) -> list[Indicator]:
        """The indicators that count, in KPI-tab order."""
        return [i for i in self.indicators if i is not None]


def directions() -> dict[str, str]:
    """The words a Direction cell may hold, folded, in either language: the dropdown's, or their first half
    (`plus bas`, `higher`)."""
    found: dict[str, str] = {}
    for key, words in catalog.template()["words"]["kpi_direction"].items():
        for word in words.values():
            found[fold(word)] = key
            found[fold(word.split("=")[0].replace(" is better", ""))] = key
    return found


def read_indicators(frame: pd.DataFrame, settings: Settings, tab: str) -> tuple[list[Indicator | None], list[Problem]]:
    """Check every row of the KPI tab; the first of two rows with one name counts, the second says so."""
    lang, locale = settings.lang, settings.locale
    problems = RowProblems(tab, "kpis", "kpi", lang)
    words = catalog.words("kpi_direction", lang)
    known_direction = directions()
    teams = {t.name.casefold() for t in settings.teams}
    first_row: dict[str, int] = {}
    out: list[Indicator | None] = []
    for cells in _rows(frame):
        row = int(cells["row"])
        name = cell_text(cells["indicator"])
        if not name:
            problems.add(row, "indicator", "indicator_missing")
        elif name.casefold() in first_row:
            problems.add(row, "indicator", "duplicate_indicator", indicator=name, other=first_row[name.casefold()])
        team = cell_text(cells["team"])
        if team and team.casefold() not in teams and not settings.is_org(team):
            problems.add(row, "team", "unknown_team", "warning", team=team, org=catalog.org_word(lang))
        direction_text = cell_text(cells["direction"])
        direction = known_direction.get(fold(direction_text))
        if not direction_text:
            problems.add(row, "direction", "direction_missing", "warning", higher=words["higher"], lower=words["lower"])
        elif direction is None:
            problems.add(row, "direction", "direction_unrecognised", value=direction_text, higher=words["higher"],
                         lower=words["lower"])
        threshold = parse_number(cells["threshold"], locale)
        if is_blank(cells["threshold"]):
            problems.add(row, "threshold", "threshold_missing", "warning")
        elif threshold is None:
            problems.add(row, "threshold", "threshold_not_number", value=cell_text(cells["threshold"]))
        benchmark = parse_number(cells["benchmark"], locale)
        if benchmark is None and not is_blank(cells["benchmark"]):
            problems.add(row, "benchmark", "benchmark_not_number", "warning", value=cell_text(cells["benchmark"]))
        if not name or name.casefold() in first_row:
            out.append(None)
            continue
        first_row[name.casefold()] = row
        unit = cell_text(cells["unit"])
        percent = "%" in unit or (threshold is not None and threshold.percent)
        out.append(
            Indicator(
                name=name,
                row=row,
                team=team or catalog.org_word(lang),
                unit=unit,
                direction=direction,
                benchmark=None if benchmark is None else kpi_value(benchmark),
                threshold=None if threshold is None else kpi_value(threshold),
                percent=percent,
            )
        )
    return out, problems.sorted()


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row's cells by column key; a column the tab lacks reads blank."""
    keys = ("row", "indicator", "team", "unit", "direction", "benchmark", "threshold")
    columns = [frame[k].tolist() if k in frame else [None] * len(frame) for k in keys]
    return [dict(zip(keys, cells, strict=True)) for cells in zip(*columns, strict=True)]


def read_kpis(
    kpis: pd.DataFrame, readings: pd.DataFrame, settings: Settings, as_of: dt.date, tabs: dict[str, str]
) -> KpiTables:
    """Both tables read and checked; each indicator holds its readings that count. `tabs` names the two tabs."""
    indicators, kpi_problems = read_indicators(kpis, settings, tabs["kpis"])
    counted = [i for i in indicators if i is not None]
    names = {i.name.casefold(): i.name for i in counted}
    result = read_readings(readings, names, tabs["kpi_readings"], tabs["kpis"], settings.locale, settings.lang, as_of)
    by_name = {i.name: i for i in counted}
    for reading in result.readings:
        by_name[reading.indicator].readings.append(reading)
    return KpiTables(indicators, kpi_problems, result.problems)
