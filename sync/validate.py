"""The validate stage: every check-in row either counts or says why not, vectorised over whole columns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from . import catalog
from .lint import Row
from .model import Problem, Severity
from .parse import blanks, cell_text, cell_texts, parse_confidences, parse_dates, parse_milestones, parse_numbers
from .workbook import Settings


def week_start(dates: pd.Series) -> pd.Series:
    """The Monday of each date's week: check-ins count by the week they fall in."""
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


class _Problems:
    """Problems of check-in rows, in the workbook's language."""

    def __init__(self, frame: pd.DataFrame, lang: str) -> None:
        self.frame, self.lang = frame, lang
        self.labels = {c.key: c.label for c in catalog.columns("checkins", lang)}
        self.items: list[tuple[int, Problem]] = []

    def add(self, mask: pd.Series, column: str, code: str, severity: Severity = "error", **params: Any) -> None:
        """A problem on every row of `mask`; params that are Series are read per row."""
        idx = mask[mask].index
        if not len(idx):
            return
        tabs = self.frame["tab"].loc[idx].tolist()
        rows = self.frame["row"].loc[idx].tolist()
        # Cells are shown as people see them: only the rows with a problem pay for the conversion.
        values = {
            k: ([cell_text(x) for x in v.loc[idx].tolist()] if isinstance(v, pd.Series) else [v] * len(idx))
            for k, v in params.items()
        }
        text = catalog.messages()[f"checkin.{code}"][self.lang]
        label = self.labels[column]
        for j, index in enumerate(idx):
            message = text.format(**{k: v[j] for k, v in values.items()})
            self.items.append((index, Problem(str(tabs[j]), int(rows[j]), label, code, severity, message)))


def validate_checkins(
    checkins: pd.DataFrame, rows: list[Row], krs: pd.DataFrame, settings: Settings, as_of: dt.date
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse and check every check-in row; add `kr_id`, `date`, `week`, `value`, `confidence`, `valid`."""
    lang, locale = settings.lang, settings.locale
    df = checkins.copy()
    problems = _Problems(df, lang)
    kr_text = cell_texts(df["kr"])
    kr_lookup = {i.casefold(): i for i in krs.index}
    objectives = {r.id.casefold() for r in rows if r.type == "objective" and r.id}
    df["kr_id"] = kr_text.str.casefold().map(kr_lookup)
    known = df["kr_id"].notna()
    kr_team = df["kr_id"].map(krs["team"]) if len(krs) else pd.Series("", index=df.index)
    owner_tab = kr_team.map(lambda t: settings.team_tabs.get(t, catalog.checkin_tab_name(str(t), lang)))

    blank_kr = kr_text == ""
    problems.add(blank_kr, "kr", "kr_missing")
    not_a_kr = ~known & ~blank_kr & kr_text.str.casefold().isin(objectives)
    problems.add(not_a_kr, "kr", "not_a_kr", kr=kr_text)
    problems.add(~known & ~blank_kr & ~not_a_kr, "kr", "unknown_kr", kr=kr_text)
    other_team = known & (kr_team.str.casefold() != df["team"].str.casefold())
    problems.add(other_team, "kr", "kr_other_team", kr=df["kr_id"], owner_team=kr_team, tab=owner_tab)
    kr_error = known & ~other_team & df["kr_id"].map(krs["error"]).eq(True)
    problems.add(kr_error, "kr", "kr_not_scorable", kr=df["kr_id"])

    value_blank = blanks(df["value"])
    milestone = df["kr_id"].map(krs["type"]).eq("milestone")
    numbers = parse_numbers(df["value"], locale)
    points = df["kr_id"].map(krs["points"]).eq(True)
    percent_unit = df["kr_id"].map(krs["unit"]).fillna("").astype(str).str.contains("%", regex=False)
    value = numbers["value"].astype(float)
    value = value.where(~(numbers["percent"] & points), value * 100)
    # A fraction-scale % KR (0.18 → 0.25) still reads a bare "21.5" as 21.5 %.
    value = value.where(~(percent_unit & ~points & ~numbers["percent"] & (value.abs() > 1)), value / 100)
    if milestone.any():
        value = value.where(~milestone, parse_milestones(df["value"], locale))
    df["value"] = value
    problems.add(value_blank, "value", "value_missing")
    unreadable = ~value_blank & value.isna()
    problems.add(unreadable & milestone, "value", "milestone_value", value=checkins["value"])
    problems.add(unreadable & ~milestone, "value", "value_not_number", value=checkins["value"])

    conf = parse_confidences(df["confidence"], locale)
    df["confidence"] = conf["value"].astype(float)
    conf_text = checkins["confidence"]
    problems.add(conf["error"].eq("unrecognised"), "confidence", "confidence_unrecognised", value=conf_text)
    problems.add(conf["error"].eq("out_of_range"), "confidence", "confidence_out_of_range", value=conf_text)

    dates = parse_dates(df["week"], locale)
    date_blank = blanks(df["week"])
    example = "2025-01-20"
    problems.add(date_blank, "week", "date_missing", example=example)
    problems.add(~date_blank & dates.isna(), "week", "date_unreadable", value=checkins["week"], example=example)
    start, end, today = (pd.Timestamp(d) for d in (settings.start, settings.end, as_of))
    outside = dates.notna() & ((dates < start) | (dates > end))
    iso = dates.dt.strftime("%Y-%m-%d")
    problems.add(
        outside,
        "week",
        "date_outside_quarter",
        date=iso,
        quarter=settings.quarter,
        start=settings.start.isoformat(),
        end=settings.end.isoformat(),
    )
    problems.add(
        dates.notna() & ~outside & (dates > today), "week", "date_in_future", date=iso, as_of=as_of.isoformat()
    )
    df["date"] = dates
    df["week"] = week_start(dates)

    invalid = df.index.isin([index for index, problem in problems.items if problem.severity == "error"])
    df["valid"] = ~invalid

    valid = df[df["valid"]].sort_values(["kr_id", "week", "row"])
    last = valid.groupby(["kr_id", "week"])["row"].transform("max")
    dup = pd.Series(False, index=df.index)
    dup.loc[valid.index] = (valid["row"] != last).to_numpy()
    other = pd.Series(np.nan, index=df.index)
    other.loc[valid.index] = last.to_numpy(dtype=float)
    problems.add(dup, "kr", "duplicate_checkin", "warning", kr=df["kr_id"], other=other.map(_int_text))
    ordered = sorted(problems.items, key=lambda item: (item[1].tab, item[1].row))
    return df, [p for _, p in ordered]


def _int_text(value: float) -> str:
    return "" if pd.isna(value) else str(int(value))
