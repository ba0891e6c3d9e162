"""The History tab: one row per KR per week, recomputed for this quarter's weeks, older rows kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from . import catalog
from .model import Grid, Percent
from .parse import is_blank, parse_date
from .score import score_krs
from .workbook import Settings


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


def pct(value: Any) -> Percent | None:
    """A share as a percent-formatted cell, rounded so that a rerun writes the same value."""
    return None if value is None or pd.isna(value) else Percent(round(float(value), 4))


def num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else round(float(value), 6)


def pcts(values: pd.Series) -> list[Percent | None]:
    """`pct` over a column, rounded in one go."""
    return [None if v != v else Percent(v) for v in values.astype(float).round(4).tolist()]


def nums(values: pd.Series) -> list[float | None]:
    """`num` over a column, rounded in one go."""
    return [None if v != v else v for v in values.astype(float).round(6).tolist()]


def history_rows(krs: pd.DataFrame, checkins: pd.DataFrame, settings: Settings, as_of: dt.date) -> list[list[Any]]:
    """Each KR's state at the end of each week of the quarter so far, from the week of its first data on."""
    lang = settings.lang
    rows: list[list[Any]] = []
    valid = checkins[checkins["valid"]]
    for week in weeks(settings, as_of):
        on = min(week + dt.timedelta(days=6), as_of)
        upto = valid[valid["date"] <= pd.Timestamp(on)]
        if upto.empty:
            continue
        state = score_krs(krs, checkins.loc[upto.index], settings, on)
        state = state[state["progress"].notna()]
        words = state["status"].map(catalog.words("status", lang))
        columns = (
            state.index.tolist(),
            state["team"].tolist(),
            nums(state["current"]),
            pcts(state["progress"]),
            pcts(state["expected"]),
            pcts(state["confidence"]),
            words.tolist(),
        )
        rows += [[week, *values] for values in zip(*columns, strict=True)]
    return rows


def history_grid(existing: Grid, fresh: list[list[Any]], settings: Settings, as_of: dt.date) -> Grid:
    """The whole tab: header, kept rows of other weeks, this quarter's weeks recomputed; by week then KR."""
    header = [c.label for c in catalog.columns("history", settings.lang)]
    recomputed = set(weeks(settings, as_of))
    kept = []
    for line in existing[1:]:
        if not line or all(is_blank(v) for v in line):
            continue
        week = parse_date(line[0], settings.locale)
        if week is not None and monday(week) in recomputed:
            continue
        kept.append([*line, *[None] * (len(header) - len(line))][: len(header)])

    def key(line: list[Any]) -> tuple[str, str]:
        week = line[0] if type(line[0]) is dt.date else parse_date(line[0], settings.locale)
        return (week.isoformat() if week else "", str(line[1] or ""))

    return [header, *sorted([*kept, *fresh], key=key)]
