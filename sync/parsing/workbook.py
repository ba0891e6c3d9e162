"""The read stage: from a snapshot's grids to its language, settings, the OKR table and the check-in table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter

import numpy as np
import pandas as pd

from ..errors import BadArgument, NotOurWorkbook
from ..layout.build import org_checkin_tab_name, org_word
from ..model import Grid, Problem, Snapshot, Tab
from ..template import catalog
from .cell import is_blank, parse_date
from .columns import blank_cells
from .dates import month_first
from .settings import Settings, checkin_tab_problems, detect_lang, read_settings


@dataclass
class Workbook:
    """What the engine works on: settings, tables of rows, and where each tab's columns are."""

    title: str
    settings: Settings
    okrs: pd.DataFrame
    checkins: pd.DataFrame
    okr_tab: str
    columns: dict[str, dict[str, int]]
    snapshot: Snapshot
    problems: list[Problem] = field(default_factory=list)
    #: The organisation's own check-in tab.
    org_tab: str = ""
    #: Check-in tabs this sync creates, by name, with the team they are for (the organisation's word for its own).
    new_tabs: dict[str, str] = field(default_factory=dict)
    #: Each people table's rows (annual goals, initiatives, KPIs…) as raw cells of its input columns, with `row`,
    #: by template key; empty for a table the workbook does not have yet.
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Each people table's tab name, by template key.
    table_tabs: dict[str, str] = field(default_factory=dict)
    #: The people tables this sync creates (a workbook made before them).
    new_tables: list[str] = field(default_factory=list)

    def checkin_tabs(self) -> list[str]:
        """Every check-in tab the workbook has or gets with this sync: the teams', then the organisation's."""
        return [*self.settings.team_tabs.values(), self.org_tab]

    def has_tab(self, name: str) -> bool:
        """Whether the tab exists, or will once this sync is written."""
        return name in self.snapshot.tabs or name in self.new_tabs


def day_as_written(text: str, snapshot: Snapshot, location: str) -> dt.date:
    """A date a person typed for the workbook (e.g. `--as-of`), read as its sheet reads dates: its locale decides."""
    lang = detect_lang(snapshot, location)
    settings = read_settings(_require_tab(snapshot, "settings", lang, location), lang, [])
    day = parse_date(text.strip(), settings.locale)
    if day is None:
        example = "02/14/2025" if month_first(settings.locale) else "14/02/2025"
        raise BadArgument("error.bad_as_of", lang, value=text, example=example)
    return day


def _require_tab(snapshot: Snapshot, key: str, lang: str, location: str) -> Tab:
    name = catalog.tab_name(key, lang)
    if name not in snapshot.tabs:
        raise NotOurWorkbook("error.not_ours", lang, path=location, tab=name)
    return snapshot.tabs[name]


def header_columns(tab: Tab, tab_key: str, lang: str) -> dict[str, int]:
    """Map each template column key to its 1-based column in the tab's header row, wherever people moved it."""
    header = {
        str(v).strip().casefold(): i for i, v in enumerate(tab.grid[0] if tab.grid else [], start=1) if not is_blank(v)
    }
    found: dict[str, int] = {}
    for col in catalog.columns(tab_key, lang):
        index = header.get(col.label.casefold())
        if index is None and col.optional:
            continue
        if index is None:
            raise NotOurWorkbook("error.missing_column", lang, column=col.label, tab=tab.name)
        found[col.key] = index
    return found


def _table(tab: Tab, cols: dict[str, int], keys: list[str], extra: dict[str, str]) -> pd.DataFrame:
    """The tab's data rows as a frame of raw cells, with the sheet row; fully blank rows dropped."""
    body = tab.grid[1:]
    shortest = min(map(len, body), default=0)
    cells = [_column(body, cols[k] - 1, shortest) for k in keys]
    # A row is blank when all its cells are: each column is only looked at on the rows still blank so far.
    blank = np.ones(len(body), dtype=bool)
    for column in cells:
        at = np.flatnonzero(blank)
        if not len(at):
            break
        blank[at] = blank_cells(column[at])
    keep = ~blank
    frame = pd.DataFrame({"row": np.arange(2, len(body) + 2, dtype=np.int64)[keep]})
    for key, column in zip(keys, cells, strict=True):
        frame[key] = pd.Series(column[keep], dtype=object)
    for k, v in extra.items():
        frame[k] = pd.Series(v, index=frame.index, dtype=object)
    return frame


def _column(body: Grid, i: int, shortest: int) -> np.ndarray:
    """The cells of 0-based column i of these rows, None past a row's end (no row ends before `shortest`)."""
    values = list(map(itemgetter(i), body)) if i < shortest else [line[i] if len(line) > i else None for line in body]
    return np.fromiter(values, dtype=object, count=len(values))


def _frame(rows: list[list[object]], keys: list[str], extra: dict[str, str]) -> pd.DataFrame:
    """Rows of raw cells as a frame; empty or not, it has the same columns and types (`row` an integer)."""
    frame = pd.DataFrame(rows, columns=["row", *keys], dtype=object)
    frame["row"] = frame["row"].astype("int64")
    for k, v in extra.items():
        frame[k] = pd.Series(v, index=frame.index, dtype=object)
    return frame


def read_workbook(snapshot: Snapshot, location: str) -> Workbook:
    """Everything the engine needs from a snapshot; raises only when it is not an okrsync workbook."""
    lang = detect_lang(snapshot, location)
    problems: list[Problem] = []
    settings = read_settings(_require_tab(snapshot, "settings", lang, location), lang, problems)
    okr_tab = _require_tab(snapshot, "okrs", lang, location)
    for key in ("org", "history", "lists"):
        _require_tab(snapshot, key, lang, location)
    columns = {okr_tab.name: header_columns(okr_tab, "okrs", lang)}
    inputs = [c.key for c in catalog.columns("okrs", lang) if not c.computed]
    okrs = _table(okr_tab, columns[okr_tab.name], inputs, {})

    checkin_inputs = [c.key for c in catalog.columns("checkins", lang) if not c.computed]
    frames = []
    missing: dict[str, str] = {}
    new_tabs: dict[str, str] = {}
    org_tab = org_checkin_tab_name(lang)
    for team, name in [*((t.name, settings.team_tabs[t.name]) for t in settings.teams), (org_word(lang), org_tab)]:
        tab = snapshot.tabs.get(name)
        if tab is None:
            # A team typed into Settings without a tab, and the organisation's tab of a workbook made before it
            # existed, get theirs now; a tab the teams table names but someone deleted is only reported.
            if team in settings.tab_named:
                missing[team] = name
            elif name.casefold() not in {t.casefold() for t in snapshot.tabs}:
                new_tabs[name] = team
            continue
        columns[name] = header_columns(tab, "checkins", lang)
        frames.append(_table(tab, columns[name], checkin_inputs, {"tab": name, "team": team}))
    if missing or not settings.teams:
        problems.extend(checkin_tab_problems(snapshot.tabs[catalog.tab_name("settings", lang)], settings, missing))
    # No tab left still gives a table of check-ins, empty, with the same columns and types as a full one.
    checkins = pd.concat(frames, ignore_index=True) if frames else _frame([], checkin_inputs, {"tab": "", "team": ""})
    wb = Workbook(snapshot.title, settings, okrs, checkins, okr_tab.name, columns, snapshot, problems, org_tab,
                  new_tabs)
    _read_tables(wb, lang)
    return wb


def _read_tables(wb: Workbook, lang: str) -> None:
    """Each people table's rows; a table whose tab the workbook lacks is empty, and made by this sync."""
    names = {t.casefold() for t in wb.snapshot.tabs}
    for key in catalog.table_keys():
        name = wb.table_tabs[key] = catalog.tab_name(key, lang)
        inputs = [c.key for c in catalog.columns(key, lang) if not c.computed]
        tab = wb.snapshot.tabs.get(name)
        if tab is None:
            wb.tables[key] = _frame([], inputs, {})
            if name.casefold() not in names:
                wb.new_tables.append(key)
            continue
        wb.columns[name] = header_columns(tab, key, lang)
        wb.tables[key] = _table(tab, wb.columns[name], [k for k in inputs if k in wb.columns[name]], {})
