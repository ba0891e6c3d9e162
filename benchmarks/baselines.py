"""The same sync job done the usual ways in Python: per tab with gspread-dataframe, or cell by cell.

Both baselines get the plan from `compute` (the engine's own `evaluate`), so they write exactly the values
okrsync writes; only the I/O differs. Every call goes out through gspread as its users write it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any

import gspread
import pandas as pd
import requests
from gspread.http_client import FileType, HTTPClient, ParamsType
from gspread.utils import rowcol_to_a1
from gspread_dataframe import get_as_dataframe, set_with_dataframe
from gspread_formatting import CellFormat, Color, format_cell_ranges

from sync.backends.gsheets_values import rgb
from sync.layout.model import ColourRule
from sync.model import CellValue, Grid, Snapshot, Tab, WritePlan, same_cell
from sync.template import catalog

#: What a baseline calls, once it has read the sheet its own way, to get the engine's plan and the
#: typed contents the plan was diffed against.
Compute = Callable[[], tuple[WritePlan, Snapshot]]
#: Status colours by tab: the template's colour rules, as okrsync lays them as conditional formats.
Rules = Mapping[str, list[ColourRule]]


class DryWritesClient(HTTPClient):
    """gspread's own HTTP client; with `dry` set, writes are built and counted but never sent.

    Reads still go out. Used to count the calls of jobs too long to run through the fake call by call.
    """

    def __init__(self, auth: Any, session: requests.Session | None = None) -> None:
        super().__init__(auth, session)
        self.dry = False
        self.held = 0

    def request(
        self,
        method: str,
        endpoint: str,
        params: ParamsType | None = None,
        data: bytes | None = None,
        json: Mapping[str, Any] | None = None,
        files: FileType = None,
        headers: MutableMapping[str, str] | None = None,
    ) -> requests.Response:
        """Send the call, or (dry, not a GET) prepare it as requests would, keep it, and answer `{}`."""
        if not self.dry or method.upper() == "GET":
            return super().request(method, endpoint, params, data, json, files, headers)
        self.held += 1
        outgoing = requests.Request(method.upper(), endpoint, params=params, data=data, json=json, files=files,
                                    headers=headers)
        self.session.prepare_request(outgoing)  # URL, headers and JSON body built: the client's CPU cost
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        return response


def with_dataframes(client: gspread.Client, spreadsheet_id: str, compute: Compute, rules: Rules) -> None:
    """Read each tab into a DataFrame, write each changed tab back whole, colour status cells per tab."""
    book = client.open_by_key(spreadsheet_id)  # spreadsheets.get: gspread loads the metadata
    sheets = {ws.title: ws for ws in book.worksheets()}  # spreadsheets.get again
    frames = {title: get_as_dataframe(ws, evaluate_formulas=True) for title, ws in sheets.items()}
    plan, before = compute()
    for tab, writes in _by_tab(plan.cells).items():
        frame = _with_cells(frames[tab], before.tabs[tab], writes)
        set_with_dataframe(sheets[tab], frame)  # a resize, then one values.update of the whole tab
    for tab, grid in plan.tabs.items():
        set_with_dataframe(sheets[tab], _service_frame(grid, before.tabs.get(tab)), include_column_header=False)
    # gspread-formatting's README way: format_cell_ranges(worksheet, [(range, CellFormat), ...]) sends one
    # batchUpdate per call, so one call per tab, whatever the number of ranges in it.
    for tab, ranges in status_ranges(plan, before, rules).items():
        fmt = [(a1, CellFormat(backgroundColor=Color.fromHex(colour))) for a1, colour in ranges]
        format_cell_ranges(sheets[tab], fmt)


def cell_by_cell(client: gspread.Client, spreadsheet_id: str, compute: Compute, rules: Rules) -> None:
    """Read each tab's values, then `update_cell` every computed cell and `format` every status cell."""
    book = client.open_by_key(spreadsheet_id)
    sheets = {ws.title: ws for ws in book.worksheets()}
    for ws in sheets.values():
        ws.get_all_values()
    plan, before = compute()
    for w in plan.cells:
        sheets[w.tab].update_cell(w.row, w.col, cell_input(w.value))
    for tab, grid in plan.tabs.items():
        ws = sheets[tab]
        changed = changed_cells(grid, before.tabs.get(tab))
        rows = max((r for r, _, _ in changed), default=0)
        cols = max((c for _, c, _ in changed), default=0)
        if rows > ws.row_count or cols > ws.col_count:
            ws.resize(rows=max(rows, ws.row_count), cols=max(cols, ws.col_count))
        for row, col, value in changed:
            ws.update_cell(row, col, cell_input(value))
    for tab, ranges in status_ranges(plan, before, rules).items():
        for a1, colour in ranges:
            sheets[tab].format(a1, {"backgroundColor": rgb(colour)})


def cell_input(value: CellValue) -> bool | int | float | str:
    """A value as update_cell sends it (USER_ENTERED): dates as ISO text, Percent as its share, None as ""."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return value if not isinstance(value, float) else float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def changed_cells(grid: Grid, old: Tab | None) -> list[tuple[int, int, CellValue]]:
    """Cells of a rewritten service tab that differ from what it held (stale ones cleared), 1-based."""
    held = old.grid if old else []
    rows = max(len(grid), len(held))
    out = []
    for r in range(1, rows + 1):
        new_line = grid[r - 1] if r <= len(grid) else []
        old_line = held[r - 1] if r <= len(held) else []
        for c in range(1, max(len(new_line), len(old_line)) + 1):
            new = new_line[c - 1] if c <= len(new_line) else None
            if not same_cell(new, old_line[c - 1] if c <= len(old_line) else None):
                out.append((r, c, new))
    return out


def status_ranges(plan: WritePlan, before: Snapshot, rules: Rules) -> dict[str, list[tuple[str, str]]]:
    """The A1 ranges to colour, with their colour: what okrsync's conditional formats would colour, for the
    status cells this plan changes (a whole row on check-in tabs, the cell itself elsewhere)."""
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    written = [(w.tab, w.row, w.col, w.value) for w in plan.cells]
    for tab, grid in plan.tabs.items():
        written += [(tab, r, c, v) for r, c, v in changed_cells(grid, before.tabs.get(tab))]
    for tab, row, col, value in written:
        for rule in rules.get(tab, ()):
            area = rule.area
            if value != rule.text or not area.first_row <= row <= area.last_row:
                continue
            if rule.status_col == col:
                out[tab].append((_a1(row, area.first_col, area.last_col), rule.colour))
            elif rule.status_col == 0 and area.first_col <= col <= area.last_col:
                out[tab].append((_a1(row, col, col), rule.colour))
    return dict(out)


def _a1(row: int, first_col: int, last_col: int) -> str:
    start = rowcol_to_a1(row, first_col)
    return start if first_col == last_col else f"{start}:{rowcol_to_a1(row, last_col)}"


def _by_tab(cells: Iterable[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for w in cells:
        out[w.tab].append(w)
    return dict(out)


def _with_cells(frame: pd.DataFrame, tab: Tab, writes: list[Any]) -> pd.DataFrame:
    """The tab's frame with the computed cells set: sheet row r is frame row r - 2 (row 1 is the header)."""
    frame = frame.astype(object)
    header = [str(v) for v in (tab.grid[0] if tab.grid else [])]
    for w in writes:
        while w.row - 2 >= len(frame):
            frame.loc[len(frame)] = [None] * frame.shape[1]
        # get_as_dataframe drops empty rows and unnamed columns: positions hold only when a tab has neither,
        # as the synthetic workbooks do. Check rather than write a cell into the wrong column.
        if w.col > frame.shape[1] or str(frame.columns[w.col - 1]) != header[w.col - 1]:
            raise ValueError(f"{tab.name}: column {w.col} is not where the frame has it")
        frame.iat[w.row - 2, w.col - 1] = w.value
    return frame


def _service_frame(grid: Grid, old: Tab | None) -> pd.DataFrame:
    """A service tab's new grid as a frame, padded with "" over the old one so stale cells are cleared."""
    held = old.grid if old else []
    rows = max(len(grid), len(held), 1)
    cols = max([len(r) for r in grid] + [len(r) for r in held] + [1])
    padded = [[*line, *[""] * (cols - len(line))] for line in grid] + [[""] * cols] * (rows - len(grid))
    return pd.DataFrame(padded, dtype=object)


def compare(okrsync: Snapshot, other: Snapshot) -> str:
    """How a baseline's copy ended up against okrsync's: "identical", or which cells differ, with examples."""
    differences = _differences(okrsync, other)
    if not differences:
        return "identical"
    computed = [d for d in differences if _is_computed(d[0], d[1])]
    typed = [d for d in differences if not _is_computed(d[0], d[1])]
    parts = [f"{len(computed):,} computed cells differ" if computed else "computed cells identical"]
    if typed:
        examples = sorted({f"{a!r} → {b!r}" for _, _, a, b in typed})[:2]
        parts.append(f"{len(typed):,} typed cells rewritten (e.g. {', '.join(examples)})")
    return ", ".join(parts)


def _differences(a: Snapshot, b: Snapshot) -> list[tuple[str, int, CellValue, CellValue]]:
    """(tab, column, value in a, value in b) for every cell that differs between two snapshots."""
    out = []
    for name, left in a.tabs.items():
        right = b.tabs[name]
        for r in range(1, max(len(left.grid), len(right.grid)) + 1):
            width = max(len(t.grid[r - 1]) if r <= len(t.grid) else 0 for t in (left, right))
            for c in range(1, width + 1):
                if not same_cell(left.cell(r, c), right.cell(r, c)):
                    out.append((name, c, left.cell(r, c), right.cell(r, c)))
    return out


def _is_computed(tab: str, col: int) -> bool:
    """Whether okrsync owns this cell: a computed column of the OKR or a check-in tab, or a service tab."""
    lang = "fr"
    if tab == catalog.tab_name("okrs", lang):
        kind = "okrs"
    elif tab.startswith(catalog.checkin_tab_name("", lang)):
        kind = "checkins"
    else:
        return tab in {catalog.tab_name(k, lang) for k in ("org", "history", "lists")}
    columns = catalog.columns(kind, lang)
    return col <= len(columns) and columns[col - 1].computed
