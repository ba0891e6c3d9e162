"""Annual goals row by row: each typed row read into a goal, its milestones and its feasibility checked.

A goal runs from a baseline to an annual target in four quarterly milestones, each an increment (+150 K$), not
necessarily equal. Its unit cost and budget, when both are given, tell whether the target is within reach:
150 clients × 2 845 $ = 426 750 $ against a 200 000 $ budget makes 70 clients the realistic target.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from babel.numbers import format_decimal

from ..model import Problem, Severity
from ..parsing import Number, cell_text, is_blank, locales_for, parse_number
from ..parsing.numbers import fold
from ..parsing.settings import Settings
from ..template import catalog
from .lint import on_points, to_scale

TABLE = "goals"
QUARTERS = ("q1", "q2", "q3", "q4")
#: Columns whose figure the goal cannot do without: unreadable, they make the row an error.
_REQUIRED_FIGURES = ("baseline", "target")
_OTHER_FIGURES = (*QUARTERS, "unit_cost", "budget", "actual")
#: The figure in an amount as typed: digits with their group and decimal marks.
_DIGITS = re.compile(r"\d(?:[\d\s.,'’]*\d)?")


@dataclass
class Goal:
    """One row of the annual goals tab, typed; figures on the goal's own scale (points for a goal in %)."""

    row: int
    id: str
    title: str
    unit: str
    department: str
    commitment: str
    baseline: float | None
    target: float | None
    milestones: list[float | None]
    unit_cost: float | None = None
    budget: float | None = None
    #: The value achieved, as a manager typed it: it wins over what the KRs say.
    actual: float | None = None
    #: The realistic target when the budget falls short of the target; None when feasible or not checked.
    realistic: float | None = None
    error: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def span(self) -> float | None:
        """How far the target is from the baseline (negative for a goal that lowers a figure)."""
        return None if self.baseline is None or self.target is None else self.target - self.baseline

    @property
    def feasible(self) -> bool | None:
        """Whether the budget covers the target; None without a unit cost and a budget to tell."""
        if self.unit_cost is None or self.budget is None or self.span is None:
            return None
        return self.realistic is None


def figure(value: float, locale: str) -> str:
    """A figure as the workbook's locale writes it: `426 750` in French, `426,750` in English."""
    return format_decimal(round(value, 6) + 0.0, locale=locale, decimal_quantization=False)


class _Problems:
    """Problems of goal rows, in the workbook's language, with the column labels people see."""

    def __init__(self, tab: str, lang: str) -> None:
        self.tab, self.lang = tab, lang
        self.labels = {c.key: c.label for c in catalog.columns(TABLE, lang)}

    def add(self, goal: Goal, key: str, code: str, severity: Severity, **params: Any) -> None:
        """A problem of the goal's row, on the column of that key (its label, as the sheet shows it)."""
        message = catalog.message(f"goals.{code}", self.lang, **params)
        goal.problems.append(Problem(self.tab, goal.row, self.labels[key], code, severity, message))
        if severity == "error":
            goal.error = True


def _commitment(text: str) -> str | None:
    """The commitment a cell names, in either language; blank is committed; None when unrecognised."""
    if not text:
        return "committed"
    wanted = fold(text)
    for key in ("committed", "aspirational"):
        if wanted == key or any(fold(catalog.word("commitment", key, lang)) == wanted for lang in catalog.LANGS):
            return key
    return None


def read_goals(frame: pd.DataFrame, tab: str, settings: Settings) -> list[Goal]:
    """Every row of the goals table typed and checked: IDs, figures, commitment, department, milestones, budget."""
    lang = settings.lang
    locale = (locales_for(settings.locale) or ("en_US",))[0]
    problems = _Problems(tab, lang)
    teams = {t.name.casefold() for t in settings.teams}
    first: dict[str, int] = {}
    goals = []
    for record in frame.to_dict("records"):
        cells = {key: record.get(key) for key in frame.columns}
        text = {k: cell_text(cells.get(k)) for k in ("id", "goal", "unit", "department", "commitment")}
        numbers = {k: parse_number(cells.get(k), settings.locale) for k in (*_REQUIRED_FIGURES, *_OTHER_FIGURES)}
        goal = Goal(int(record["row"]), text["id"], text["goal"], text["unit"], text["department"], "committed",
                    None, None, [None] * len(QUARTERS))
        goals.append(goal)
        _read_figures(goal, cells, numbers, problems)
        if not goal.id:
            problems.add(goal, "id", "goal_id_missing", "error")
        elif goal.id.casefold() in first:
            problems.add(goal, "id", "goal_duplicate_id", "error", id=goal.id, other=first[goal.id.casefold()])
        else:
            first[goal.id.casefold()] = goal.row
        commitment = _commitment(text["commitment"])
        if commitment is None:
            words = {k: catalog.word("commitment", k, lang) for k in ("committed", "aspirational")}
            problems.add(goal, "commitment", "goal_commitment_unknown", "warning", value=text["commitment"], **words)
        goal.commitment = commitment or "committed"
        department = goal.department
        if department and department.casefold() not in teams and not settings.is_org(department):
            problems.add(goal, "department", "goal_unknown_department", "warning", value=department,
                         org=catalog.org_word(lang))
        if goal.span is not None:
            _check_milestones(goal, problems, locale)
            _check_budget(goal, cells, problems, locale)
    return goals


def _read_figures(goal: Goal, cells: dict[str, Any], numbers: dict[str, Number | None], problems: _Problems) -> None:
    """Baseline (blank: 0), target, milestones, unit cost, budget and achieved value, each on the goal's scale."""
    points = on_points(goal.unit, [numbers[k] for k in ("baseline", "target", *QUARTERS, "actual")])
    values: dict[str, float | None] = {}
    for key, number in numbers.items():
        blank = is_blank(cells.get(key))
        if not blank and number is None:
            label = problems.labels[key]
            severity: Severity = "error" if key in _REQUIRED_FIGURES else "warning"
            problems.add(goal, key, "goal_not_number", severity, column=label, value=cell_text(cells.get(key)))
        # A unit cost and a budget are money, whatever the goal's unit.
        values[key] = number.value if key in ("unit_cost", "budget") and number else to_scale(number, points)
    goal.baseline = 0.0 if is_blank(cells.get("baseline")) else values["baseline"]
    goal.target = values["target"]
    goal.milestones = [values[q] for q in QUARTERS]
    goal.unit_cost, goal.budget, goal.actual = values["unit_cost"], values["budget"], values["actual"]
    if is_blank(cells.get("target")):
        problems.add(goal, "target", "goal_target_missing", "error")
    elif goal.span == 0:
        problems.add(goal, "target", "goal_target_equals_baseline", "error", value=cell_text(cells.get("target")))
    if goal.error:
        goal.baseline = goal.target = None


def _check_milestones(goal: Goal, problems: _Problems, locale: str) -> None:
    """Four milestones given must add up to the target's distance from the baseline (half a unit's tolerance)."""
    span = goal.span
    if span is None or any(m is None for m in goal.milestones):
        return
    total = math.fsum(m for m in goal.milestones if m is not None)
    if abs(total - span) > min(0.5, abs(span) * 0.005):
        assert goal.baseline is not None and goal.target is not None
        problems.add(goal, "q1", "milestones_sum", "warning", total=figure(total, locale),
                     span=figure(span, locale), baseline=figure(goal.baseline, locale),
                     target=figure(goal.target, locale))


def _check_budget(goal: Goal, cells: dict[str, Any], problems: _Problems, locale: str) -> None:
    """The target's cost at the unit cost against the budget; short of it, the target the budget reaches."""
    span, cost, budget = goal.span, goal.unit_cost, goal.budget
    if span is None or cost is None or budget is None or cost <= 0 or budget < 0:
        return
    needed = abs(span) * cost
    if needed <= budget * (1 + 1e-9):
        return
    assert goal.baseline is not None and goal.target is not None
    goal.realistic = goal.baseline + math.copysign(math.floor(budget / cost + 1e-9), span)

    def amount(key: str, value: float) -> str:
        # Money as typed (`2 845 $`), the currency with it; a number the sheet holds, in the locale's digits.
        cell = cells.get(key)
        return cell.strip() if isinstance(cell, str) else figure(value, locale)

    needed_text = _as_written(amount("budget", budget), budget, needed, locale)

    def level(value: float) -> str:
        return f"{figure(value, locale)} {goal.unit}".strip()

    problems.add(goal, "budget", "goal_unfeasible", "warning", realistic=level(goal.realistic),
                 budget=amount("budget", budget), unit_cost=amount("unit_cost", cost), target=level(goal.target),
                 span=figure(abs(span), locale), needed=needed_text)


def _as_written(text: str, value: float, other: float, locale: str) -> str:
    """Another amount written the way `text` writes `value` (`200 000 $` → `426 750 $`, `$200,000` → `$426,750`);
    the bare figure when `text` does not write it plainly (a multiplier, `200 K$`)."""
    match = _DIGITS.search(text)
    if match is not None:
        swap = lambda v: text[: match.start()] + figure(v, locale) + text[match.end():]  # noqa: E731
        again = parse_number(swap(value), locale)
        if again is not None and again.value == value:
            return swap(other)
    return figure(other, locale)


def year_progress(goal: Goal, current: float | None) -> float | None:
    """(current − baseline) / (target − baseline), 0–1; None without a current value or a valid goal."""
    span = goal.span
    if current is None or span is None or span == 0 or goal.baseline is None:
        return None
    return min(max((current - goal.baseline) / span, 0.0), 1.0)


def quarter_progress(goal: Goal, current: float | None, quarter: int) -> float | None:
    """Progress through this quarter's milestone, 0–1: from the level the milestones before it reach (baseline +
    Q1 + … ) to that level plus this quarter's increment; None while a milestone up to this quarter is blank."""
    steps = goal.milestones[:quarter]
    if current is None or goal.baseline is None or not steps or any(s is None for s in steps):
        return None
    increment = steps[-1]
    if not increment:
        return None
    before = goal.baseline + math.fsum(s for s in steps[:-1] if s is not None)
    return min(max((current - before) / increment, 0.0), 1.0)
