"""The plan stage: the computed cells and service tabs a sync writes, only where they differ from the sheet."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import numpy as np
import pandas as pd

from ..layout.build import checkin_tab, org_chart, org_checkin_tab
from ..layout.kr_lists import ListsSource, kept_by_formulas, list_column, lists_grid
from ..layout.model import MAX_TEAMS, TabLayout
from ..layout.placement import place_new_tabs
from ..layout.tables import table_tab
from ..model import CellWrite, Grid, Problem, WritePlan
from ..parsing.cell import cell_text
from ..parsing.workbook import Workbook
from ..stages.history import history_grid, history_rows, num, pct, pcts, weeks
from ..stages.history_record import read_record
from ..stages.lint import Row
from ..stages.rollup import Rollup
from ..stages.tables import StageResult
from ..stages.target_notes import change_notes
from ..template import catalog
from .diff import diff_tab, objects, same_grid
from .orgtab import org_grid, stale
from .tables import notes as _notes
from .tables import table_writes


def okr_cells(
    wb: Workbook, rows: list[Row], krs: pd.DataFrame, rollup: Rollup, as_of: dt.date,
    changes: dict[str, list[str]] | None = None, staged: StageResult | None = None,
) -> dict[int, dict[str, Any]]:
    """The computed columns of each OKR-tab row, by sheet row; `changes` are the start and target change lines of
    KRs' Notes (`target_notes`); `staged` the people tables' cells and Notes lines for OKR rows, by ID."""
    changes = changes or {}
    staged = staged or StageResult()
    lang = wb.settings.lang
    words = catalog.words("status", lang)
    objectives = {o.id: o for o in rollup.objectives}
    silent = stale(krs, wb.settings, as_of).tolist() if len(krs) else []
    fields = ("row", "current", "progress", "expected", "confidence", "status")
    # datetime64 days as objects are dates, NaT None: `_date` of each, at once.
    last_checkins = pd.to_datetime(krs["last_checkin"]).to_numpy(dtype="datetime64[D]").astype(object).tolist()
    scored = dict(zip(krs.index.tolist(), zip(*(krs[f].tolist() for f in fields), last_checkins, silent, strict=True),
                      strict=True))
    warn = as_of >= wb.settings.start
    # An organisation KR with no team KR under it can only be tracked through the organisation's check-in tab.
    fed = {r.parent.casefold() for r in rows if r.is_kr and r.parent}
    out: dict[int, dict[str, Any]] = {}
    for row in rows:
        notes = list(row.problems)
        cells: dict[str, Any] = {}
        found = scored.get(row.id) if row.is_kr else None
        owner = found if found is not None and found[0] == row.row else None
        obj = objectives.get(row.id) if row.type == "objective" else None
        if obj is not None and obj.row == row.row:
            cells.update(progress=pct(obj.progress), expected=pct(rollup.expected), status=words[obj.status])
        elif owner is not None and not row.error:
            _, current, progress, expected, confidence, status, last, quiet = owner
            cells.update(current=num(current), progress=pct(progress), expected=pct(expected),
                         confidence=pct(confidence), status=words[status], last_checkin=last)
            if last is None and wb.settings.is_org(row.team) and row.id.casefold() not in fed:
                text = catalog.message("okr.org_kr_untracked", lang, tab=wb.org_tab)
                notes.append(Problem(wb.okr_tab, row.row, "", "org_kr_untracked", "warning", text))
            elif warn and quiet:
                text = (
                    catalog.message("okr.never_checked_in", lang)
                    if last is None
                    else catalog.message("okr.no_checkin", lang, days=(as_of - last).days)
                )
                notes.append(Problem(wb.okr_tab, row.row, "", "no_checkin", "warning", text))
        if owner is not None or obj is not None:
            cells.update(staged.okr_values.get(row.id, {}))
        lines = [*(changes.get(row.id, []) if owner is not None else []), *staged.okr_notes.get(row.id, [])]
        cells["notes"] = _notes(notes, lines)
        out[row.row] = cells
    return out


def _okr_writes(wb: Workbook, rows: list[Row], krs: pd.DataFrame, rollup: Rollup, as_of: dt.date,
                changes: dict[str, list[str]], staged: StageResult) -> list[CellWrite]:
    """The OKR tab's computed cells that differ from the sheet."""
    computed = [c.key for c in catalog.columns("okrs", wb.settings.lang) if c.computed]
    cells = okr_cells(wb, rows, krs, rollup, as_of, changes, staged)
    numbers = wb.okrs["row"].to_numpy()
    wanted = [cells[r] for r in numbers.tolist()]
    values = {key: objects([c.get(key) for c in wanted]) for key in computed}
    parts = [wb.okrs[k].to_numpy(dtype=object) for k in catalog.row_key("okrs")]
    return diff_tab(wb.okr_tab, wb.snapshot.tabs[wb.okr_tab].grid, wb.columns[wb.okr_tab], computed, numbers, values,
                    parts)


def _checkin_writes(wb: Workbook, checkins: pd.DataFrame, problems: list[Problem]) -> list[CellWrite]:
    """The check-in tabs' computed cells that differ from the sheet, tab by tab."""
    lang = wb.settings.lang
    computed = [c.key for c in catalog.columns("checkins", lang) if c.computed]
    notes: dict[str, dict[int, list[Problem]]] = defaultdict(lambda: defaultdict(list))
    for problem in problems:
        notes[problem.tab][problem.row].append(problem)
    words = {k: v for k, v in catalog.words("status", lang).items() if k != "none"}
    status = checkins["status"].map(words).to_numpy(dtype=object)
    status[pd.isna(status)] = None
    values = {"progress": objects(pcts(checkins["progress"])), "status": status}
    rows = checkins["row"].to_numpy()
    parts = [wb.checkins[k].to_numpy(dtype=object) for k in catalog.row_key("checkins")]
    codes, names = pd.factorize(checkins["tab"])
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    groups = {str(name): order[bounds[i] : bounds[i + 1]] for i, name in enumerate(names)}
    writes: list[CellWrite] = []
    for tab in wb.checkin_tabs():
        if tab not in wb.columns:
            continue
        at = groups.get(tab, order[:0])
        validation = np.full(len(at), None, dtype=object)
        if tab in notes:
            noted = np.flatnonzero(np.isin(rows[at], list(notes[tab])))
            validation[noted] = [_notes(notes[tab][r]) for r in rows[at][noted].tolist()]
        wanted = {"validation": validation, **{k: v[at] for k, v in values.items()}}
        writes += diff_tab(tab, wb.snapshot.tabs[tab].grid, wb.columns[tab], computed, rows[at], wanted,
                           [part[at] for part in parts])
    return writes


def lists_update(wb: Workbook) -> Grid | None:
    """The Lists tab's formulas for a workbook whose Lists tab predates them or was deleted; None once they are in
    (the spreadsheet keeps the lists from then on)."""
    s = wb.settings
    if kept_by_formulas(wb.snapshot.tabs.get(catalog.tab_name("lists", s.lang))):
        return None
    return lists_grid(ListsSource(s.lang, wb.snapshot.locale or s.locale, s.organisation_row or None, s.teams_row + 1))


def list_slot(wb: Workbook, team: str, row: int) -> int:
    """Which team column of the Lists tab a team's check-in tab reads: the one whose header the spreadsheet shows
    as this team, else the one for the team's row `row` in Settings' teams table."""
    lists = wb.snapshot.tabs.get(catalog.tab_name("lists", wb.settings.lang))
    for slot in range(1, MAX_TEAMS + 1):
        if lists is not None and cell_text(lists.cell(1, list_column(slot))).casefold() == team.casefold():
            return slot
    return min(max(row - wb.settings.teams_row, 1), MAX_TEAMS)


def new_checkin_tabs(wb: Workbook) -> list[TabLayout]:
    """The check-in tabs this sync lays out, each reading its own Lists column."""
    lang, rows = wb.settings.lang, wb.settings.team_rows
    return [checkin_tab(team, list_slot(wb, team, rows[team]), lang) if team in rows else org_checkin_tab(lang)
            for team in wb.new_tabs.values()]


def plan_writes(
    wb: Workbook,
    rows: list[Row],
    krs: pd.DataFrame,
    checkins: pd.DataFrame,
    rollup: Rollup,
    problems: list[Problem],
    as_of: dt.date,
    staged: StageResult | None = None,
) -> WritePlan:
    """Everything computed, as writes against what the snapshot already holds; `staged`, the people tables'."""
    staged = staged or StageResult()
    s, snap, lang = wb.settings, wb.snapshot, wb.settings.lang
    plan = WritePlan()
    history_tab = catalog.tab_name("history", lang)
    # What History already records: the weeks it keeps, and the start and target a change is noted against.
    record = read_record(snap.tabs[history_tab].grid, krs, s, weeks(s, as_of))
    plan.cells += _okr_writes(wb, rows, krs, rollup, as_of, change_notes(wb, krs, record, as_of), staged)
    plan.cells += _checkin_writes(wb, checkins, problems)
    plan.cells += table_writes(wb, staged)

    service: dict[str, Grid] = {}
    org = org_grid(wb.title, s, as_of, rollup, krs)
    service[catalog.tab_name("org", lang)] = [*org, [], *staged.org_section] if staged.org_section else org
    service[history_tab] = history_grid(record, history_rows(krs, checkins, s, as_of, record), s)
    for name, grid in service.items():
        if not same_grid(grid, snap.tabs[name].grid):
            plan.tabs[name] = grid
    lists = lists_update(wb)
    if lists is not None:
        plan.tabs[catalog.tab_name("lists", lang)] = lists
    plan.charts.append(org_chart(lang, len(s.teams)))
    plan.new_tabs = [*new_checkin_tabs(wb), *(table_tab(key, lang) for key in wb.new_tables)]
    place_new_tabs(plan.new_tabs, snap.tabs, s.team_tabs.values())
    return plan
