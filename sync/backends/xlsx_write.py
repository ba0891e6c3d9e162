"""A write plan applied to a loaded .xlsx workbook: its new tabs, computed cells, service tabs, rows and charts.

`XlsxBackend` loads the file and saves it; everything the plan changes in between happens here, in memory.
"""

from __future__ import annotations

from copy import copy

from openpyxl import Workbook
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils.cell import coordinate_to_tuple

from ..errors import NotOurWorkbook
from ..model import Grid, Snapshot, WritePlan
from .xlsx_cells import HEADING_FONT, inherit_column_style, write_value
from .xlsx_chart import set_charts
from .xlsx_fit import fit_rows
from .xlsx_layout import insert_tab


def restore_impossible_dates(wb: Workbook, snapshot: Snapshot, cells: list[str]) -> None:
    """Put back the numbers people typed in date columns that openpyxl's load replaced by #VALUE!."""
    for coordinate in cells:
        col, row = coordinate_to_tuple(coordinate)[::-1]
        for name, tab in snapshot.tabs.items():
            held = tab.cell(row, col)
            if name in wb.sheetnames and isinstance(held, float | int) and wb[name][coordinate].value == "#VALUE!":
                wb[name][coordinate].value = held


def write_plan(wb: Workbook, plan: WritePlan, snapshot: Snapshot, lang: str, location: str) -> None:
    """Write the plan's cells and service tabs, fit the rows written, re-draw its charts; the caller saves."""
    for tab in plan.new_tabs:
        if tab.name not in wb.sheetnames:
            insert_tab(wb, tab)
    for write in plan.cells:
        if write.tab not in wb.sheetnames:
            raise NotOurWorkbook("error.not_ours", lang, path=location, tab=write.tab)
        write_value(inherit_column_style(wb[write.tab].cell(write.row, write.col)), write.value)
    for name, grid in plan.tabs.items():
        _replace_tab(wb, name, grid)
    _fit_written_rows(wb, plan, snapshot)
    set_charts(wb, plan.charts)
    # Excel and LibreOffice then recompute people's formulas that read the cells just written.
    wb.calculation.fullCalcOnLoad = True


def _fit_written_rows(wb: Workbook, plan: WritePlan, snapshot: Snapshot) -> None:
    """Rows the plan wrote, fitted to their wrapped text (service tabs: every row they held or hold now); the
    frozen header rows keep the height the layout gave them."""
    rows: dict[str, set[int]] = {}
    for write in plan.cells:
        rows.setdefault(write.tab, set()).add(write.row)
    for name, grid in plan.tabs.items():
        held = snapshot.tabs[name].grid if name in snapshot.tabs else []
        rows[name] = set(range(1, max(len(grid), len(held)) + 1))
    for name, numbers in rows.items():
        ws = wb[name]
        body = coordinate_to_tuple(ws.freeze_panes)[0] if ws.freeze_panes else 1
        fit_rows(ws, sorted(r for r in numbers if r >= body))


def _replace_tab(wb: Workbook, name: str, grid: Grid) -> None:
    """A service tab rewritten whole: new values in, old ones past the new grid gone; rules, widths kept."""
    ws = wb[name] if name in wb.sheetnames else wb.create_sheet(name)
    # Cells are dropped, not blanked, so a stale heading leaves no bold font behind. openpyxl keeps its
    # cells in `_cells`; walking it avoids iter_rows, which would create every cell of the rectangle.
    for r, c in [key for key in ws._cells if key[0] > len(grid) or key[1] > len(grid[key[0] - 1])]:
        del ws._cells[(r, c)]
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                ws._cells.pop((r, c), None)
                continue
            cell = inherit_column_style(ws.cell(r, c))
            if cell.font.sz == HEADING_FONT.sz and cell.font.b:
                cell.font = copy(DEFAULT_FONT)  # was a heading last time
            # The plan says what is a percentage (Percent) or a date: a count under a percent column stays 3.
            cell.number_format = "General"
            write_value(cell, value)

