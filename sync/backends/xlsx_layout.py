"""Render a backend-neutral Layout into an openpyxl workbook: tabs, styles, protections, colour rules, charts.

Pure openpyxl, no file I/O: `xlsx.py` decides when and where the workbook is written.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles import Protection as CellProtection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..layout.build import Area, Layout, TabLayout
from ..layout.placement import insert_index
from .xlsx_cells import DATE_FORMAT, inherit_column_style, span, write_value
from .xlsx_chart import PERCENT_FORMAT, set_charts
from .xlsx_dropdowns import validation
from .xlsx_fit import fit_rows

#: "number" stays General: it shows 28, 2.5 and 1325 as typed, where "0.00" would pad and "0.##" leaves "28.".
NUMBER_FORMATS = {"percent": PERCENT_FORMAT, "date": DATE_FORMAT, "number": "General", "text": "@"}
HEADER_FONT = Font(bold=True)
#: An area meant for whole columns (Area.whole_columns) is styled as its columns: no cell objects, any row a
#: person adds later is covered too, and the file stays small (history alone spans 20 000 rows).
#: Smaller areas are styled cell by cell, never more rows than this.
MAX_STYLED_ROWS = 1000
MAX_COLUMN = 16384


def render(layout: Layout) -> Workbook:
    """A new workbook holding every tab of the layout, in order, with its styles, rules and charts."""
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.title = layout.title
    wb.properties.creator = "okrsync"
    for tab in layout.tabs:
        render_tab(wb, tab)
    wb.active = next((i for i, t in enumerate(layout.tabs) if not t.hidden), 0)
    set_charts(wb, layout.charts)
    return wb


def render_tab(wb: Workbook, tab: TabLayout) -> Worksheet:
    """One sheet: grid, header, freeze, widths, colour, formats, dropdowns, colour rules, protection."""
    ws = wb.create_sheet(tab.name)
    width = max([len(tab.widths), *(len(row) for row in tab.grid), *(_areas_right(tab))], default=0)
    locking = tab.protect_whole or bool(tab.protections)
    _column_styles(ws, tab, width, unlocked=locking and not tab.protect_whole)
    for r, row in enumerate(tab.grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None and value != "":
                write_value(inherit_column_style(ws.cell(r, c)), value)
    _small_areas(ws, tab)
    header = tab.grid[tab.header_row - 1] if tab.header_row and len(tab.grid) >= tab.header_row else []
    fills = dict(tab.header_fills)
    for c in range(1, len(header) + 1):
        cell = ws.cell(tab.header_row or 1, c)
        cell.font = HEADER_FONT
        # A long header wraps over two lines rather than widen a column of short numbers.
        cell.alignment = Alignment(horizontal=cell.alignment.horizontal, wrap_text=True)
        if c in fills:
            cell.fill = solid(fills[c])
    fit_rows(ws, range(1, len(tab.grid) + 1))
    if header:
        # Bold takes a tenth more room than the body's text.
        fit_rows(ws, [tab.header_row or 1], {c: w * 0.9 for c, w in enumerate(tab.widths[:len(header)], start=1)})
    ws.freeze_panes = f"A{tab.frozen_rows + 1}" if tab.frozen_rows else None
    if tab.tab_colour:
        ws.sheet_properties.tabColor = argb(tab.tab_colour)
    if tab.hidden:
        ws.sheet_state = "hidden"
    if tab.printed:
        print_setup(ws, tab.frozen_rows)
    for dropdown in tab.dropdowns:
        ws.add_data_validation(validation(wb, dropdown))
    for rule in tab.colour_rules:
        left = get_column_letter(rule.area.first_col)
        judged = f"${get_column_letter(rule.status_col)}" if rule.status_col else left
        text = rule.text.replace('"', '""')
        # A rule's own formula is Sheets' syntax, which Excel and LibreOffice share but for the leading "=".
        formula = rule.formula.removeprefix("=") if rule.formula else f'{judged}{rule.area.first_row}="{text}"'
        rule_format = FormulaRule(formula=[formula], fill=solid(rule.colour), stopIfTrue=bool(rule.formula))
        ws.conditional_formatting.add(span(rule.area), rule_format)
    if locking:
        _protect(ws, whole=tab.protect_whole)
    return ws


def insert_tab(wb: Workbook, tab: TabLayout) -> Worksheet:
    """A tab added to an existing workbook, placed after `tab.after` (or just before the Org tab)."""
    ws = render_tab(wb, tab)
    at = insert_index(wb.sheetnames[:-1], tab)
    if at is not None:
        wb.move_sheet(ws, offset=at - wb.sheetnames.index(ws.title))
    return ws


def print_setup(ws: Worksheet, repeated_rows: int) -> None:
    """Printed landscape, one page wide and as many pages long as it takes, the frozen rows on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if repeated_rows:
        ws.print_title_rows = f"1:{repeated_rows}"


def solid(colour: str) -> PatternFill:
    """A solid fill of a `#RRGGBB` colour."""
    return PatternFill(fill_type="solid", start_color=argb(colour), end_color=argb(colour))


def argb(colour: str) -> str:
    """`#3D85C6` → `FF3D85C6`: opaque, as Excel and LibreOffice both read it."""
    return "FF" + colour.lstrip("#").upper()


def _areas_right(tab: TabLayout) -> list[int]:
    areas = [d.area for d in tab.dropdowns] + [f.area for f in tab.formats]
    areas += [p.area for p in tab.protections if p.area] + [r.area for r in tab.colour_rules]
    return [a.last_col for a in areas]


def _column_wide(area: Area) -> bool:
    return area.whole_columns


def _column_styles(ws: Worksheet, tab: TabLayout, width: int, unlocked: bool) -> None:
    """Widths, hidden columns, column-wide number formats and locks; every other cell typeable on an input tab."""
    formats = {c: NUMBER_FORMATS.get(f.kind, "General") for f in tab.formats if _column_wide(f.area)
               for c in range(f.area.first_col, f.area.last_col + 1)}
    locked = {c for p in tab.protections if p.area and _column_wide(p.area)
              for c in range(p.area.first_col, p.area.last_col + 1)}
    for c in range(1, width + 1):
        dim = ws.column_dimensions[get_column_letter(c)]
        if c <= len(tab.widths):
            dim.width = tab.widths[c - 1]
        # Hidden, the column neither overflows on screen nor widens the page that print fits to one page wide.
        dim.hidden = c in tab.hidden_cols
        if c in tab.right_cols or c in tab.wrap_cols:
            dim.alignment = Alignment(horizontal="right" if c in tab.right_cols else None,
                                      wrap_text=c in tab.wrap_cols or None)
        if formats.get(c, "General") != "General":
            dim.number_format = formats[c]
        if unlocked and c not in locked:
            dim.protection = CellProtection(locked=False)
    if unlocked and width < MAX_COLUMN:
        # One <col> element for all the columns right of the template's, so notes typed there are allowed.
        letter = get_column_letter(width + 1)
        rest = ColumnDimension(ws, index=letter, min=width + 1, max=MAX_COLUMN, width=9.140625)
        rest.protection = CellProtection(locked=False)
        ws.column_dimensions[letter] = rest


def _small_areas(ws: Worksheet, tab: TabLayout) -> None:
    """Formats and locks of areas too small to style as a column (Settings' dates), cell by cell."""
    for f in tab.formats:
        if not _column_wide(f.area) and f.kind in NUMBER_FORMATS:
            for cell in _cells(ws, f.area):
                cell.number_format = NUMBER_FORMATS[f.kind]
    if tab.protect_whole:
        return
    for p in tab.protections:
        if p.area and not _column_wide(p.area):
            for cell in _cells(ws, p.area):
                cell.protection = CellProtection(locked=True)


def _cells(ws: Worksheet, area: Area) -> list[Cell]:
    last = min(area.last_row, area.first_row + MAX_STYLED_ROWS - 1)
    columns = range(area.first_col, area.last_col + 1)
    return [ws.cell(r, c) for r in range(area.first_row, last + 1) for c in columns]


def _protect(ws: Worksheet, whole: bool) -> None:
    """Sheet protection without a password: Excel's nearest thing to Sheets' warning-only protection."""
    ws.protection.sheet = True
    # Formatting cells and resizing columns never hurts; on input tabs people also add columns of their own, and
    # add, remove, sort and filter their rows. (In openpyxl, False allows what the flag names.)
    ws.protection.formatCells = False
    ws.protection.formatColumns = False
    if not whole:
        ws.protection.insertColumns = False
        ws.protection.formatRows = False
        ws.protection.insertRows = False
        ws.protection.deleteRows = False
        ws.protection.sort = False
        ws.protection.autoFilter = False
