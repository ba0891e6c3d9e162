"""The validate stage: every check-in row either counts or says why not, vectorised over whole columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..layout.build import org_checkin_tab_name, org_word
from ..model import Problem, Severity
from ..parsing import blanks, cell_text, cell_texts, parse_confidences, parse_dates, parse_milestones, parse_numbers
from ..parsing.columns import column_kinds
from ..parsing.settings import Settings
from ..template import catalog
from .lint import Row


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
    checkins: pd.DataFrame, rows: list[Row], krs: pd.DataFrame, settings: Settings, as_of: dt.date,
    has_tab: Callable[[str], bool] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse and check every check-in row; add `kr_id`, `date`, `week`, `value`, `confidence`, `valid`.

    `has_tab` tells which tabs exist (all, when not given): a message only ever sends people to one that does.
    """
    lang, locale = settings.lang, settings.locale
    df = checkins.copy()
    problems = _Problems(df, lang)
    kr_text = cell_texts(df["kr"])
    kr_lookup = {i.casefold(): i for i in krs.index.tolist()}
    objectives = {r.id.casefold() for r in rows if r.type == "objective" and r.id}
    # KR texts repeat: each distinct one is folded and looked up once.
    codes, texts = pd.factorize(kr_text)
    folded = pd.Series(texts, dtype=object).str.casefold()
    ids = folded.map(kr_lookup)
    df["kr_id"] = ids.iloc[codes].set_axis(df.index)
    at = np.append(krs.index.get_indexer(pd.Index(ids)), -1)[codes]
    known = pd.Series(at >= 0, index=df.index)
    per_kr = _PerKr(krs, at, df.index, settings)
    kr_team = per_kr.take("team")
    owner_tabs = {t: _owner_tab(str(t), settings) for t in pd.unique(krs["team"])}
    owner_tab = kr_team.map(owner_tabs)
    tab_exists = kr_team.map({t: has_tab is None or has_tab(name) for t, name in owner_tabs.items()}).eq(True)

    blank_kr = kr_text == ""
    problems.add(blank_kr, "kr", "kr_missing")
    objective_text = pd.Series(np.append(folded.isin(objectives).to_numpy(dtype=bool), False)[codes], index=df.index)
    not_a_kr = ~known & ~blank_kr & objective_text
    problems.add(not_a_kr, "kr", "not_a_kr", kr=kr_text)
    problems.add(~known & ~blank_kr & ~not_a_kr, "kr", "unknown_kr", kr=kr_text)
    team_codes, teams = pd.factorize(df["team"])
    tab_team = np.append([str(t).casefold() for t in teams], "")[team_codes]
    other_team = known & (per_kr.take("team_folded").to_numpy(dtype=object) != tab_team)
    problems.add(other_team & tab_exists, "kr", "kr_other_team", kr=df["kr_id"], owner_team=kr_team, tab=owner_tab)
    problems.add(other_team & ~tab_exists, "kr", "kr_other_team_no_tab", kr=df["kr_id"], owner_team=kr_team)
    kr_error = known & ~other_team & per_kr.flag("error")
    problems.add(kr_error, "kr", "kr_not_scorable", kr=df["kr_id"])

    value_kinds, week_kinds = column_kinds(df["value"]), column_kinds(df["week"])
    value_blank = blanks(df["value"], value_kinds)
    milestone = per_kr.flag("milestone")
    numbers = parse_numbers(df["value"], locale, value_kinds)
    points = per_kr.flag("points")
    percent_unit = per_kr.flag("percent_unit")
    value = numbers["value"].astype(float)
    value = value.where(~(numbers["percent"] & points), value * 100)
    # A fraction-scale % KR (0.18 → 0.25) still reads a bare "21.5" as 21.5 %.
    value = value.where(~(percent_unit & ~points & ~numbers["percent"] & (value.abs() > 1)), value / 100)
    if milestone.any():
        value = value.where(~milestone, parse_milestones(df["value"], locale, value_kinds))
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

    dates = parse_dates(df["week"], locale, week_kinds)
    date_blank = blanks(df["week"], week_kinds)
    example = "2025-01-20"
    problems.add(date_blank, "week", "date_missing", example=example)
    problems.add(~date_blank & dates.isna(), "week", "date_unreadable", value=checkins["week"], example=example)
    start, end, today = (pd.Timestamp(d) for d in (settings.start, settings.end, as_of))
    outside = dates.notna() & ((dates < start) | (dates > end))
    # Dates shown in messages only: the rows with a problem pay for the formatting.
    iso = dates[outside | (dates > today)].dt.strftime("%Y-%m-%d")
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

    # The same KR twice in a week: all but the lowest row count as duplicates of it.
    valid = df["valid"].to_numpy()
    days = df["week"].to_numpy(dtype="datetime64[D]").view(np.int64)
    week_of = np.where(valid, at.astype(np.int64) * (1 << 32) + days, -1)
    last = pd.Series(df["row"].to_numpy()).groupby(week_of).transform("max").to_numpy()
    dup = pd.Series(valid & (df["row"].to_numpy() != last), index=df.index)
    other = pd.Series(last, index=df.index)[dup].map(_int_text)
    problems.add(dup, "kr", "duplicate_checkin", "warning", kr=df["kr_id"], other=other)
    ordered = sorted(problems.items, key=lambda item: (item[1].tab, item[1].row))
    return df, [p for _, p in ordered]


def _owner_tab(team: str, settings: Settings) -> str:
    """The check-in tab of a KR's team: the organisation's own for an organisation KR."""
    if settings.is_org(team):
        return org_checkin_tab_name(settings.lang)
    return settings.team_tabs.get(team, catalog.checkin_tab_name(team, settings.lang))


class _PerKr:
    """Each check-in row's KR attributes, looked up by the KR's position (-1: not a known KR)."""

    def __init__(self, krs: pd.DataFrame, at: np.ndarray, index: pd.Index, settings: Settings) -> None:
        self.krs, self.at, self.index, self.settings = krs, at, index, settings
        self.known = at >= 0

    def _of(self, values: list[object]) -> np.ndarray:
        return np.array([*values, None], dtype=object)[self.at]

    def take(self, column: str) -> pd.Series:
        """A KR column per row (NaN for unknown KRs); `team_folded` is the team case-folded, the organisation's
        KRs all under the word its check-in tab is read with."""
        if column == "team_folded":
            org = org_word(self.settings.lang).casefold()
            is_org = self.settings.is_org
            values: list[object] = [org if is_org(str(t)) else str(t).casefold() for t in self.krs["team"]]
        else:
            values = self.krs[column].tolist()
        out = pd.Series(self._of(values), index=self.index, dtype=object)
        return out.where(pd.Series(self.known, index=self.index), np.nan)

    def flag(self, name: str) -> pd.Series:
        """Whether each row's KR is in error, a milestone, on points, or in a unit with %."""
        krs = self.krs
        flags = {
            "error": lambda: krs["error"].eq(True),
            "milestone": lambda: krs["type"].eq("milestone"),
            "points": lambda: krs["points"].eq(True),
            "percent_unit": lambda: krs["unit"].fillna("").astype(str).str.contains("%", regex=False),
        }[name]().to_numpy(dtype=bool)
        return pd.Series(np.append(flags, False)[self.at], index=self.index)


def _int_text(value: float) -> str:
    return "" if pd.isna(value) else str(int(value))
