"""The annual goals stage: each goal's current value, its progress over the year and through this quarter's
milestone, its status, and where the OKR tab's objectives name a goal that does not exist.

A goal's current value is the one a manager typed; else the baseline plus what the KRs serving it gained
(current − start), over the KRs in the goal's unit of the objectives that name it. Its status is the pace of its
progress through the quarter's milestone against the elapsed share of the quarter, as objectives are judged; at
the quarter's end, the grade for an aspirational goal, and for a committed one the pace against all of it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..layout.build import parse_quarter
from ..model import Grid, Heading, Problem
from ..parsing import cell_text
from ..parsing.settings import Settings
from ..template import catalog
from .goal_rows import TABLE, Goal, quarter_progress, read_goals, year_progress
from .history import num, pct
from .lint import Row
from .score import Bands, elapsed, status
from .tables import StageInput, StageResult, TableResult

#: KR types whose gain (current − start) adds to a goal's figure.
_GAINING = ("increase", "decrease")


@dataclass
class GoalsOutcome:
    """What the stage computed: per goal row (in the table's order), the OKR tab's notes, the Org section."""

    goals: list[Goal]
    values: dict[str, list[Any]]
    problems: list[Problem]
    okr_notes: dict[str, list[str]] = field(default_factory=dict)
    org_section: Grid = field(default_factory=list)
    report: list[dict[str, Any]] = field(default_factory=list)


def evaluate(ctx: StageInput) -> StageResult:
    """The goals table's computed cells and Validation, the OKR rows' notes, the Org section, `annual_goals`."""
    wb = ctx.wb
    if TABLE not in wb.tables:
        return StageResult(report={"annual_goals": []})
    out = assess(wb.tables[TABLE], wb.table_tabs[TABLE], wb.okrs, ctx.rows, ctx.krs, wb.settings, ctx.as_of)
    return StageResult(tables={TABLE: TableResult(out.values, out.problems)}, okr_notes=out.okr_notes,
                       org_section=out.org_section, report={"annual_goals": out.report})


def _unit_key(unit: str) -> str:
    """A unit as compared between a goal and a KR: case and spaces do not count."""
    return "".join(str(unit).split()).casefold()


def goal_links(okrs: pd.DataFrame, rows: list[Row], goals: list[Goal], lang: str,
               goals_tab: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Which goal each objective names ({objective ID: goal ID}), and notes for the OKR rows naming none that exists."""
    if "annual_goal" not in okrs.columns:
        return {}, {}
    named = dict(zip(okrs["row"].tolist(), map(cell_text, okrs["annual_goal"].tolist()), strict=True))
    # A goal whose row has an error still exists: its objectives wait for the row to be fixed, not for another ID.
    known = {g.id.casefold(): g.id for g in reversed(goals) if g.id}
    links: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    for row in rows:
        text = named.get(row.row, "")
        if not text or not row.id:
            continue
        if row.type != "objective":
            notes.setdefault(row.id, []).append(catalog.message("okr.annual_goal_on_kr", lang, goal=text))
        elif text.casefold() in known:
            links.setdefault(row.id, known[text.casefold()])
        else:
            notes.setdefault(row.id, []).append(catalog.message("okr.unknown_annual_goal", lang, goal=text,
                                                                tab=goals_tab))
    return links, notes


def served(goals: list[Goal], links: dict[str, str], krs: pd.DataFrame) -> dict[str, float | None]:
    """What the KRs serving each goal gained, summed ({goal ID: gain}, None while none has a value yet); a goal no
    KR serves is absent. A KR fed by another serving the same goal counts through it, never twice."""
    units = {g.id: _unit_key(g.unit) for g in goals if g.id}
    goal_of = krs["objective"].map(links)
    unit_ok = [goal is not None and goal == goal and units.get(goal) == _unit_key(unit)
               for goal, unit in zip(goal_of.tolist(), krs["unit"].tolist(), strict=True)]
    serving = krs[np.array(unit_ok, dtype=bool) & krs["type"].isin(_GAINING).to_numpy()
                  & ~krs["error"].astype(bool).to_numpy()]
    serving_goal = {str(k): str(v) for k, v in goal_of[serving.index].items()}
    parents: dict[str, Any] = {str(k): v for k, v in krs["parent"].items()}
    gains: dict[str, float | None] = {}
    for kr_id, kr in serving.iterrows():
        goal = serving_goal[str(kr_id)]
        gains.setdefault(goal, None)
        if _fed_into(str(kr_id), goal, parents, serving_goal) or pd.isna(kr["current"]):
            continue
        start = 0.0 if pd.isna(kr["start"]) else float(kr["start"])
        gains[goal] = (gains[goal] or 0.0) + float(kr["current"]) - start
    return gains


def _fed_into(kr_id: str, goal: str, parents: dict[str, Any], serving_goal: dict[str, str]) -> bool:
    """Whether a KR feeds, through its parents, another KR that serves the same goal."""
    seen = {kr_id}
    node = parents.get(kr_id)
    while node and node in parents and node not in seen:
        if serving_goal.get(node) == goal:
            return True
        seen.add(node)
        node = parents.get(node)
    return False


def assess(frame: pd.DataFrame, tab: str, okrs: pd.DataFrame, rows: list[Row], krs: pd.DataFrame,
           settings: Settings, as_of: dt.date) -> GoalsOutcome:
    """Every goal of the table read, checked, valued and judged on the as-of date."""
    lang = settings.lang
    goals = read_goals(frame, tab, settings)
    links, notes = goal_links(okrs, rows, goals, lang, tab)
    gains = served(goals, links, krs)
    labels = {c.key: c.label for c in catalog.columns(TABLE, lang)}
    okr_labels = {c.key: c.label for c in catalog.columns("okrs", lang)}
    quarter = parse_quarter(settings.quarter, lang)[1]
    expected = elapsed(settings.start, settings.end, as_of)
    current: list[float | None] = []
    for goal in goals:
        value = None
        if goal.error:
            pass
        elif goal.actual is not None:
            value = goal.actual
        elif goal.id in gains:
            gain = gains[goal.id]
            value = None if gain is None or goal.baseline is None else goal.baseline + gain
        else:
            unit = goal.unit or catalog.message("goals.no_unit", lang)
            goal.problems.append(Problem(tab, goal.row, labels["actual"], "goal_no_kr", "warning", catalog.message(
                "goals.goal_no_kr", lang, column=labels["actual"], goal_column=okr_labels["annual_goal"], unit=unit)))
        current.append(value)
    year = [year_progress(g, c) for g, c in zip(goals, current, strict=True)]
    milestone = [quarter_progress(g, c, quarter) for g, c in zip(goals, current, strict=True)]
    statuses = _statuses(goals, year, milestone, expected, quarter, settings, as_of)
    word = lambda s: catalog.word("status", s, lang)  # noqa: E731
    values: dict[str, list[Any]] = {
        "current": [num(c) for c in current],
        "progress_year": [pct(p) for p in year],
        "progress_quarter": [pct(p) for p in milestone],
        "status": [None if g.error else word(s) for g, s in zip(goals, statuses, strict=True)],
    }
    problems = [p for g in goals for p in g.problems]
    listed = [i for i, g in enumerate(goals) if g.id and not g.error]
    report = [_report_item(goals[i], current[i], year[i], milestone[i], statuses[i]) for i in listed]
    section: Grid = []
    if listed:
        m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
        section = [
            [Heading(m("org.goals"))],
            [m("org.col.goal"), m("org.col.progress_year"), m("org.col.progress_quarter", quarter=settings.quarter),
             m("org.col.status")],
            *([f"{goals[i].id} — {goals[i].title}", pct(year[i]), pct(milestone[i]), word(statuses[i])]
              for i in listed),
        ]
    return GoalsOutcome(goals, values, problems, notes, section, report)


def _statuses(goals: list[Goal], year: list[float | None], milestone: list[float | None], expected: float,
              quarter: int, settings: Settings, as_of: dt.date) -> list[str]:
    """Each goal's pace through this quarter's milestone against the quarter's elapsed share; a goal without this
    quarter's milestone, by its progress over the year against the year's elapsed share.

    Once the period is over, an aspirational goal gets the grade (0.7 is a success); a committed one is still judged
    by its pace, against all of it: it was expected at 1.0.
    """
    bands = Bands.of(settings)
    over = as_of >= settings.end
    by_quarter = pd.Series(milestone, dtype=float)
    by_year = pd.Series([y if q is None else None for y, q in zip(year, milestone, strict=True)], dtype=float)
    none = pd.Series(np.nan, index=by_quarter.index)
    year_expected = (quarter - 1 + expected) / 4
    judged = {
        (True, True): status(by_quarter, expected, none, bands, over),
        (True, False): status(by_quarter, expected, none, bands, False),
        (False, True): status(by_year, year_expected, none, bands, over and quarter == 4),
        (False, False): status(by_year, year_expected, none, bands, False),
    }
    return [judged[(m is not None, g.commitment == "aspirational")].iloc[i]
            for i, (g, m) in enumerate(zip(goals, milestone, strict=True))]


def _report_item(goal: Goal, current: float | None, year: float | None, milestone: float | None,
                 verdict: str) -> dict[str, Any]:
    """A goal as the sync report lists it."""
    return {
        "id": goal.id,
        "goal": goal.title,
        "unit": goal.unit,
        "commitment": goal.commitment,
        "baseline": num(goal.baseline),
        "target": num(goal.target),
        "current": num(current),
        "progress_year": None if year is None else round(year, 4),
        "progress_quarter": None if milestone is None else round(milestone, 4),
        "status": verdict,
        "feasible": goal.feasible,
        "realistic_target": num(goal.realistic),
    }
