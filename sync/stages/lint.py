"""The OKR tab: each row read into a typed objective or key result, and the tab's quality lint."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from ..model import Problem, Severity
from ..parsing import Number, blanks, cell_text, cell_texts, is_blank, parse_numbers
from ..parsing.workbook import Workbook
from ..template import catalog

KR_TYPES = ("increase", "decrease", "at_least", "at_most", "milestone")
MAX_LEVELS = 3
_DIGIT = re.compile(r"\d")


@dataclass
class Row:
    """One row of the OKR tab, typed."""

    row: int
    id: str
    team: str
    type: str | None
    title: str
    owner: str
    start: float | None
    target: float | None
    unit: str
    parent: str
    weight: float
    objective: str = ""
    #: Whether this KR's numbers are percentage points (18 → 25 with unit %) or fractions (0.18 → 0.25).
    points: bool = False
    percent_unit: bool = False
    error: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_kr(self) -> bool:
        return self.type in KR_TYPES


@lru_cache(maxsize=256)
def _type_key(text: str) -> str | None:
    # Cached: the same few type words fill the column, row after row.
    wanted = text.strip().casefold()
    for lang in catalog.LANGS:
        for key, label in catalog.words("kr_types", lang).items():
            if label.casefold() == wanted or key.replace("_", " ") == wanted:
                return key
    return None


class _Lint:
    """Collects problems on OKR rows in the workbook's language."""

    def __init__(self, tab: str, lang: str, labels: dict[str, str]) -> None:
        self.tab, self.lang, self.labels = tab, lang, labels

    def add(self, row: Row, column: str, code: str, severity: Severity, **params: Any) -> None:
        message = catalog.message(f"okr.{code}", self.lang, **params)
        row.problems.append(Problem(self.tab, row.row, self.labels[column], code, severity, message))
        if severity == "error":
            row.error = True


def _boxed(cells: pd.Series) -> list[Any]:
    """The cells as DataFrame.to_dict gives them, the way this tab has always been read: a Percent or a NumPy
    number as a plain Python number, NA as None."""
    return [v if type(v) in _NATIVE else _box(v) for v in cells.tolist()]


_NATIVE = frozenset({str, float, int, bool, type(None)})


def _box(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    return None if value is pd.NA else value


def _numbers(cells: pd.Series, locale: str) -> list[Number | None]:
    """parse_number over a column."""
    parsed = parse_numbers(cells, locale)
    return [None if v != v else Number(v, p) for v, p in zip(parsed["value"].tolist(), parsed["percent"].tolist(),
                                                              strict=True)]


def to_scale(number: Number | None, points: bool) -> float | None:
    """A typed number on its KR's scale: percent-typed values become points on a points KR."""
    if number is None:
        return None
    if number.percent and points:
        return number.value * 100
    return number.value


def on_points(unit: str, numbers: list[Number | None]) -> bool:
    """Whether figures in a unit with % are percentage points rather than fractions.

    18 and 25 with unit % are points; 0.18 and 0.25 typed bare are fractions; "18 %" typed is points.
    """
    flagged = [n for n in numbers if n is not None]
    plain_small = all(abs(n.value) <= 1 for n in flagged if not n.percent)
    return "%" in unit and (any(n.percent for n in flagged) or not plain_small)


def read_rows(wb: Workbook) -> list[Row]:
    """Every OKR-tab row typed, with its problems; KRs linked to the objective above them."""
    lang, locale = wb.settings.lang, wb.settings.locale
    labels = {c.key: c.label for c in catalog.columns("okrs", lang)}
    lint = _Lint(wb.okr_tab, lang, labels)
    known_teams = {t.name.casefold() for t in wb.settings.teams}
    rows: list[Row] = []
    objective = ""
    # Whole columns read at once: texts stripped and numbers parsed once per distinct cell.
    okrs = pd.DataFrame({k: _boxed(wb.okrs[k]) for k in wb.okrs.columns if k != "row"}, dtype=object)
    text = {k: cell_texts(okrs[k]).tolist() for k in ("id", "team", "type", "title", "owner", "unit", "parent")}
    number = {k: _numbers(okrs[k], locale) for k in ("start", "target", "weight")}
    raw = {k: okrs[k].tolist() for k in ("start", "target", "weight")}
    weight_blank = blanks(okrs["weight"]).tolist()
    team_known: dict[str, bool] = {}
    for i, sheet_row in enumerate(wb.okrs["row"].tolist()):
        rec = {"start": raw["start"][i], "target": raw["target"][i], "weight": raw["weight"][i]}
        type_text = text["type"][i]
        start_n, target_n, weight_n = number["start"][i], number["target"][i], number["weight"][i]
        row = Row(
            row=sheet_row,
            id=text["id"][i],
            team=text["team"][i],
            type=_type_key(type_text),
            title=text["title"][i],
            owner=text["owner"][i],
            start=None,
            target=None,
            unit=text["unit"][i],
            parent=text["parent"][i],
            weight=1.0 if weight_n is None else weight_n.value,
        )
        rows.append(row)
        if not row.id:
            lint.add(row, "id", "missing_id", "error")
        if row.type is None:
            lint.add(row, "type", "unknown_type", "error", value=type_text)
        if row.team and row.team not in team_known:
            team_known[row.team] = row.team.casefold() in known_teams or wb.settings.is_org(row.team)
        if row.team and not team_known[row.team]:
            lint.add(row, "team", "unknown_team", "warning", team=row.team)
        if not weight_blank[i] and (weight_n is None or weight_n.value < 0):
            lint.add(row, "weight", "weight_not_number", "warning", value=cell_text(rec["weight"]))
            row.weight = 1.0
        if row.type == "objective":
            objective = row.id
            continue
        if row.type is None:
            continue
        row.objective = objective
        _check_kr(row, rec, start_n, target_n, lint)
    _check_structure(rows, lint)
    return rows


def _check_kr(row: Row, rec: dict[str, Any], start_n: Number | None, target_n: Number | None, lint: _Lint) -> None:
    """Numbers, owner and direction of one KR."""
    row.percent_unit = "%" in row.unit
    row.points = on_points(row.unit, [start_n, target_n])
    row.start = to_scale(start_n, row.points)
    row.target = to_scale(target_n, row.points)
    if not row.objective:
        lint.add(row, "type", "kr_without_objective", "warning")
    if not row.owner:
        lint.add(row, "owner", "kr_without_owner", "warning")
    if row.type != "milestone" and not _DIGIT.search(row.title):
        lint.add(row, "title", "kr_without_number", "warning")
    if row.type == "milestone":
        return
    if not is_blank(rec["start"]) and start_n is None:
        lint.add(row, "start", "start_not_number", "error", value=cell_text(rec["start"]))
    if is_blank(rec["target"]):
        lint.add(row, "target", "target_missing", "error")
    elif target_n is None:
        lint.add(row, "target", "target_not_number", "error", value=cell_text(rec["target"]))
    if row.type == "decrease" and is_blank(rec["start"]):
        lint.add(row, "start", "start_missing", "error")
    if row.type in ("increase", "decrease") and row.target is not None:
        start = row.start if row.start is not None else 0.0
        if start == row.target:
            lint.add(row, "target", "start_equals_target", "error", value=cell_text(rec["target"]))
        elif (row.type == "increase") != (row.target > start):
            kind = catalog.word("kr_types", row.type, lint.lang)
            lint.add(row, "target", "wrong_direction", "warning", kind=kind)


def _check_structure(rows: list[Row], lint: _Lint) -> None:
    """Duplicate IDs, parents, cycles, depth, and the 2–5 KRs / 5 objectives rules."""
    first: dict[str, Row] = {}
    for row in rows:
        if not row.id:
            continue
        if row.id in first:
            lint.add(row, "id", "duplicate_id", "error", id=row.id, other=first[row.id].row)
        else:
            first[row.id] = row
    by_id = first
    for row in rows:
        if row.id and row.parent:
            parent = by_id.get(row.parent)
            if parent is None:
                lint.add(row, "parent", "unknown_parent", "warning", parent=row.parent)
            elif (parent.type == "objective") != (row.type == "objective"):
                lint.add(row, "parent", "parent_kind", "warning", parent=row.parent)
    for row in rows:
        chain = [row.id]
        node = row
        while node.parent and node.parent in by_id:
            node = by_id[node.parent]
            if node.id in chain:
                lint.add(row, "parent", "parent_cycle", "error", cycle=" → ".join([*chain, node.id]))
                break
            chain.append(node.id)
        else:
            if len(chain) > MAX_LEVELS:
                lint.add(row, "parent", "too_many_levels", "warning", chain=" → ".join(reversed(chain)))
    kr_counts = Counter(r.objective for r in rows if r.is_kr and r.objective)
    children = Counter(r.parent for r in rows if r.type == "objective" and r.parent)
    objectives_per_team: Counter[str] = Counter()
    for row in rows:
        if row.type != "objective":
            continue
        count = kr_counts.get(row.id, 0)
        if count > 5:
            lint.add(row, "title", "too_many_krs", "warning", count=count)
        elif count < 2 and not (count == 0 and children.get(row.id)):
            lint.add(row, "title", "too_few_krs", "warning", count=count)
        objectives_per_team[row.team.casefold()] += 1
        if objectives_per_team[row.team.casefold()] == 6:
            total = sum(1 for r in rows if r.type == "objective" and r.team.casefold() == row.team.casefold())
            lint.add(row, "team", "too_many_objectives", "warning", team=row.team, count=total)


def kr_frame(rows: list[Row]) -> pd.DataFrame:
    """The key results as a frame indexed by ID, for the vectorised stages (first of a duplicate ID wins)."""
    seen: set[str] = set()
    records = []
    for r in rows:
        if not r.is_kr or not r.id or r.id in seen:
            continue
        seen.add(r.id)
        records.append(
            {
                "id": r.id,
                "row": r.row,
                "team": r.team,
                "type": r.type,
                "objective": r.objective,
                "start": r.start,
                "target": r.target,
                "unit": r.unit,
                "parent": r.parent,
                "weight": r.weight,
                "owner": r.owner,
                "title": r.title,
                "points": r.points,
                "error": r.error,
            }
        )
    columns = [
        "id",
        "row",
        "team",
        "type",
        "objective",
        "start",
        "target",
        "unit",
        "parent",
        "weight",
        "owner",
        "title",
        "points",
        "error",
    ]
    frame = pd.DataFrame(records, columns=columns)
    frame["start"] = pd.to_numeric(frame["start"], errors="coerce").astype(float)
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce").astype(float)
    frame["weight"] = frame["weight"].astype(float)
    return frame.set_index("id", drop=False)
