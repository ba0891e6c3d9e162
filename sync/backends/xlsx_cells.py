"""An openpyxl cell as a person sees it: its value's format, the style it takes from its column; an area's span."""

from __future__ import annotations

import datetime as dt
from copy import copy

from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

from ..layout.build import Area
from ..model import CellValue, Formula, Heading, Percent
from .xlsx_chart import PERCENT_FORMAT

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
HEADING_FONT = Font(bold=True, size=14)


def write_value(cell: Cell, value: CellValue) -> None:
    """Put a value in a cell the way a person would see it: percent and date formats, headings bold."""
    if value is None or value == "" or (isinstance(value, float) and value != value):  # NaN: nothing
        cell.value = None
        return
    if isinstance(value, Percent):
        cell.value = float(value)
        cell.number_format = PERCENT_FORMAT
        return
    if isinstance(value, Formula):
        cell.value = "=" + value.xlsx if value.xlsx else None
        return
    if isinstance(value, str):
        cell.value = str(value)
        # openpyxl turns any text starting with "=" into a formula: a KR title must stay a title.
        cell.data_type = "s"
        if isinstance(value, Heading):
            cell.font = HEADING_FONT
        return
    cell.value = value
    if isinstance(value, dt.datetime):
        cell.number_format = DATE_FORMAT if value.time() == dt.time() else DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def inherit_column_style(cell: Cell) -> Cell:
    """Give a cell nobody styled yet its column's style, as Excel does when a person types into it.

    openpyxl creates cells with the default style (locked, General), which would lock an input cell
    of a protected tab and drop the column's percent or date format.
    """
    if not cell.has_style:
        dim = column_style(cell.parent, cell.column)
        if dim is not None and dim.has_style:
            cell._style = copy(dim._style)
    return cell


def column_style(ws: Worksheet, col: int) -> ColumnDimension | None:
    """The <col> definition covering a column: Excel groups neighbours into one min..max range."""
    for dim in ws.column_dimensions.values():
        low = dim.min or column_index_from_string(dim.index)  # min/max are only set once saved or loaded
        if low <= col <= (dim.max or low):
            return dim
    return None


def span(area: Area) -> str:
    """`A2:H3000` for an area."""
    first, last = get_column_letter(area.first_col), get_column_letter(area.last_col)
    return f"{first}{area.first_row}:{last}{area.last_row}"
