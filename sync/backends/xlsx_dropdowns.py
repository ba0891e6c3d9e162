"""Dropdowns as Excel data validation: a quoted list, else a workbook name for cells of a tab."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from ..layout.build import Area, Dropdown
from .xlsx_cells import span, write_value

#: Excel refuses a list literal (the text between the quotes) longer than this.
MAX_LIST_LITERAL = 255
#: Where dropdown values too long for a literal go: a hidden tab of ours, never the engine's.
VALUES_TAB = "okrsync-values"
LIST_NAME = "okrsync_list_{}"


def sheet_range(tab: str, area: Area) -> str:
    """An absolute reference to an area of a tab, the tab name always quoted: `'L''été'!$A$2:$A$200`."""
    first = f"${get_column_letter(area.first_col)}${area.first_row}"
    last = f"${get_column_letter(area.last_col)}${area.last_row}"
    return "'" + tab.replace("'", "''") + "'!" + first + ":" + last


def list_literal(values: tuple[str, ...]) -> str | None:
    """The quoted list formula for fixed values, or None when Excel could not take it as a literal."""
    if any("," in v for v in values):
        return None
    text = ",".join(v.replace('"', '""') for v in values)
    if len(text.encode("utf-16-le")) // 2 > MAX_LIST_LITERAL:  # Excel counts UTF-16 units: 🟢 is two
        return None
    return f'"{text}"'


def validation(wb: Workbook, dropdown: Dropdown) -> DataValidation:
    """A dropdown as Excel data validation on its area, its list quoted or named."""
    if dropdown.source_tab and dropdown.source:
        formula = _list_name(wb, sheet_range(dropdown.source_tab, dropdown.source))
    else:
        formula = list_literal(dropdown.values) or _list_name(wb, _values_range(wb, dropdown.values))
    # A list that is not strict only offers its values: anything else ("80 %" for a confidence) goes in without a
    # word, as Sheets' non-strict list takes it (the sync's validation says what is wrong). Excel and LibreOffice
    # both stay silent when no error message is to be shown.
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=dropdown.strict,
        errorStyle="stop" if dropdown.strict else "information",
        showInputMessage=bool(dropdown.help),
        prompt=dropdown.help,
    )
    dv.add(span(dropdown.area))
    return dv


def _list_name(wb: Workbook, reference: str) -> str:
    """A workbook name for a list's cells, reused for the same cells.

    Excel saves a dropdown that points straight at another tab in an extension block that openpyxl
    drops on load, so the next sync would lose it; through a defined name it stays a plain dropdown.
    """
    for name, defined in wb.defined_names.items():
        if defined.attr_text == reference:
            return str(name)
    name = LIST_NAME.format(len(wb.defined_names) + 1)
    wb.defined_names[name] = DefinedName(name, attr_text=reference)
    return name


def _values_range(wb: Workbook, values: tuple[str, ...]) -> str:
    """Fixed values too long for a literal, written as a column of the hidden values tab."""
    if VALUES_TAB in wb.sheetnames:
        ws = wb[VALUES_TAB]
    else:
        ws = wb.create_sheet(VALUES_TAB)
        ws.sheet_state = "hidden"
        ws.protection.sheet = True
    col = ws.max_column + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for r, value in enumerate(values, start=1):
        write_value(ws.cell(r, col), value)
    return sheet_range(VALUES_TAB, Area(1, max(len(values), 1), col, col))
