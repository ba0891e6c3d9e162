"""Row heights for wrapped text in an openpyxl workbook.

Excel fits a row to its wrapped text as it draws it; LibreOffice keeps an imported row at the default height, so a
wrapped title would spill over the rows under it, on screen and in print. So the heights are written: each row
holding wrapped text as tall as its longest cell needs, the others left to the default.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable

from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

#: Points per line of the default 11 pt font, as Excel's own default row height.
LINE_HEIGHT = 15.0
#: Characters of ordinary text per unit of column width (the width of a "0"), on the safe side: LibreOffice may
#: draw with a wider font than Calibri.
CHARS_PER_WIDTH = 1.0
DEFAULT_WIDTH = 8.43


def wrapped_widths(ws: Worksheet) -> dict[int, float]:
    """The columns whose style wraps text, and their widths."""
    out: dict[int, float] = {}
    for dim in ws.column_dimensions.values():
        if dim.has_style and dim.alignment.wrap_text:
            low = dim.min or column_index_from_string(dim.index)  # min/max are only set once saved or loaded
            for col in range(low, (dim.max or low) + 1):
                out[col] = dim.width or DEFAULT_WIDTH
    return out


def line_count(text: str, width: float) -> int:
    """The lines a text takes wrapped at word boundaries in a column of that width."""
    per_line = max(math.floor(width * CHARS_PER_WIDTH) - 1, 1)
    return sum(len(textwrap.wrap(part, per_line, break_on_hyphens=False)) or 1 for part in text.split("\n"))


def fit_rows(ws: Worksheet, rows: Iterable[int], columns: dict[int, float] | None = None) -> None:
    """Each row as tall as the wrapped text of `columns` (default: the columns that wrap) needs; a row needing one
    line goes back to the default height, so a shortened note shrinks its row again."""
    widths = wrapped_widths(ws) if columns is None else columns
    if not widths:
        return
    for row in rows:
        lines = 1
        for col, width in widths.items():
            cell = ws._cells.get((row, col))  # never creates a cell
            if cell is not None and isinstance(cell.value, str) and cell.value:
                lines = max(lines, line_count(cell.value, width))
        if lines > 1:
            ws.row_dimensions[row].height = lines * LINE_HEIGHT
        elif row in ws.row_dimensions and ws.row_dimensions[row].height is not None:
            ws.row_dimensions[row].height = None
