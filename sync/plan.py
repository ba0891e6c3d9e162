"""The plan stage: the computed cells and service tabs a sync writes, only where they differ from the sheet."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pandas as pd

from . import catalog
from .history import history_grid, history_rows, num, pct, pcts
from .layout import lists_grid, org_chart
from .lint import Row
from .model import CellValue, CellWrite, Grid, Problem, Snapshot, WritePlan, same_cell
from .orgtab import org_grid, stale
from .rollup import Rollup
from .rowkey import row_key
from .workbook import Workbook


def _date(value: Any) -> dt.date | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date()


def _notes(problems: list[Problem]) -> str | None:
    return "\n".join(p.message for p in problems) or None


def okr_cells(
    wb: Workbook, rows: list[Row], krs: pd.DataFrame, rollup: Rollup, as_of: dt.date
) -> dict[int, dict[str, Any]]:
    """The computed columns of each OKR-tab row, by sheet row."""
    lang = wb.settings.lang
    word = lambda s: catalog.word("status", s, lang)  # noqa: E731
    objectives = {o.id: o for o in rollup.objectives}
    silent = stale(krs, as_of) if len(krs) else pd.Series(dtype=bool)
    scored = krs.to_dict("index")
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        notes = list(row.problems)
        cells: dict[str, Any] = {}
        found = scored.get(row.id) if row.is_kr else None
        owner = found if found is not None and found["row"] == row.row else None
        obj = objectives.get(row.id) if row.type == "objective" else None
        if obj is not None and obj.row == row.row:
            cells.update(progress=pct(obj.progress), expected=pct(rollup.expected), status=word(obj.status))
        elif owner is not None and not row.error:
            cells.update(
                current=num(owner["current"]),
                progress=pct(owner["progress"]),
                expected=pct(owner["expected"]),
                confidence=pct(owner["confidence"]),
                status=word(owner["status"]),
                last_checkin=_date(owner["last_checkin"]),
            )
            if as_of >= wb.settings.start and bool(silent.get(row.id, False)):
                last = _date(owner["last_checkin"])
                text = (
                    catalog.message("okr.never_checked_in", lang)
                    if last is None
                    else catalog.message("okr.no_checkin", lang, days=(as_of - last).days)
                )
                note = Problem(wb.okr_tab, row.row, "", "no_checkin", "warning", text)
                notes.append(note)
        cells["notes"] = _notes(notes)
        out[row.row] = cells
    return out


def checkin_cells(checkins: pd.DataFrame, problems: list[Problem], lang: str) -> dict[tuple[str, int], dict[str, Any]]:
    """The computed columns of each check-in row, by (tab, sheet row)."""
    by_row: dict[tuple[str, int], list[Problem]] = defaultdict(list)
    for problem in problems:
        by_row[(problem.tab, problem.row)].append(problem)
    words = {k: v for k, v in catalog.words("status", lang).items() if k != "none"}
    progress = pcts(checkins["progress"])
    status = checkins["status"].map(words).tolist()
    out: dict[tuple[str, int], dict[str, Any]] = {}
    for key, p, s in zip(
        zip(checkins["tab"].tolist(), checkins["row"].tolist(), strict=True), progress, status, strict=True
    ):
        problems_here = by_row.get(key)
        out[key] = {
            "progress": p,
            "status": s if isinstance(s, str) else None,
            "validation": _notes(problems_here) if problems_here else None,
        }
    return out


def _diff_columns(
    snapshot: Snapshot,
    tab: str,
    columns: dict[str, int],
    computed: list[str],
    wanted: dict[int, dict[str, Any]],
    key_of: list[str],
) -> list[CellWrite]:
    """Writes for the computed columns of a tab: the wanted values, and blanks on rows that no longer need them.

    A row written at all gets its key too (see rowkey), so a write that lands on another row shows.
    """
    grid = snapshot.tabs[tab].grid
    last = max(len(grid), max(wanted, default=1))
    targets = [(key, columns[key]) for key in computed if key != "key" and key in columns]
    key_col = columns.get("key")
    part_cols = [columns[k] for k in key_of]
    writes = []
    for r in range(2, last + 1):
        values = wanted.get(r, {})
        line = grid[r - 1] if r <= len(grid) else []
        row = []
        for key, col in targets:
            value: CellValue = values.get(key)
            held = _held(line, col)
            # Most cells are unchanged: an exact match of value and type settles it without same_cell.
            if not _same(value, held):
                row.append(CellWrite(tab, r, col, value))
        if key_col is not None:
            made = row_key(_held(line, c) for c in part_cols) if r in wanted else None
            if row or not _same(made, _held(line, key_col)):
                row.append(CellWrite(tab, r, key_col, made))
        writes += row
    return writes


def _held(line: list[CellValue], col: int) -> CellValue:
    return line[col - 1] if col <= len(line) else None


def _same(value: CellValue, held: CellValue) -> bool:
    return value is held or (value == held and type(value) is type(held)) or same_cell(value, held)


def _same_grid(a: Grid, b: Grid) -> bool:
    def trimmed(g: Grid) -> list[list[CellValue]]:
        rows = [list(r) for r in g]
        for r in rows:
            while r and (r[-1] is None or r[-1] == ""):
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    ta, tb = trimmed(a), trimmed(b)
    return len(ta) == len(tb) and all(
        len(x) == len(y) and all(same_cell(u, v) for u, v in zip(x, y, strict=True))
        for x, y in zip(ta, tb, strict=True)
    )


def lists_of(lang: str, teams: list[str], krs: pd.DataFrame) -> Grid:
    """The Lists tab for these teams: each team's KR IDs (from the OKR tab) under its own column."""
    team_krs: dict[str, list[str]] = defaultdict(list)
    for kr_id, team in zip(krs.index, krs["team"], strict=True):
        team_krs[str(team).casefold()].append(kr_id)
    return lists_grid(lang, teams, {t: team_krs.get(t.casefold(), []) for t in teams})


def plan_writes(
    wb: Workbook,
    rows: list[Row],
    krs: pd.DataFrame,
    checkins: pd.DataFrame,
    rollup: Rollup,
    problems: list[Problem],
    as_of: dt.date,
) -> WritePlan:
    """Everything computed, as writes against what the snapshot already holds."""
    s, snap, lang = wb.settings, wb.snapshot, wb.settings.lang
    plan = WritePlan()
    okr_computed = [c.key for c in catalog.columns("okrs", lang) if c.computed]
    plan.cells += _diff_columns(
        snap, wb.okr_tab, wb.columns[wb.okr_tab], okr_computed, okr_cells(wb, rows, krs, rollup, as_of),
        catalog.row_key("okrs"),
    )
    checkin_computed = [c.key for c in catalog.columns("checkins", lang) if c.computed]
    per_tab: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for (tab, row), cells in checkin_cells(checkins, problems, lang).items():
        per_tab[tab][row] = cells
    for tab in s.team_tabs.values():
        if tab in wb.columns:
            plan.cells += _diff_columns(
                snap, tab, wb.columns[tab], checkin_computed, per_tab.get(tab, {}), catalog.row_key("checkins")
            )

    service: dict[str, Grid] = {}
    service[catalog.tab_name("org", lang)] = org_grid(wb.title, s.quarter, as_of, lang, rollup, krs, s.organisation)
    history_tab = catalog.tab_name("history", lang)
    fresh = history_rows(krs[~krs["error"].astype(bool)], checkins, s, as_of)
    service[history_tab] = history_grid(snap.tabs[history_tab].grid, fresh, s, as_of)
    service[catalog.tab_name("lists", lang)] = lists_of(lang, [t.name for t in s.teams], krs)
    for name, grid in service.items():
        if not _same_grid(grid, snap.tabs[name].grid):
            plan.tabs[name] = grid
    plan.charts.append(org_chart(lang, len(s.teams)))
    return plan
