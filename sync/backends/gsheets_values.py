"""Values as the Sheets API wants them: dates as serial numbers, cells with their formats, A1 ranges, whole tabs."""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Callable
from typing import Any

from ..layout.model import Area
from ..model import CellValue, Formula, Grid, Heading, Percent, col_letters

#: Day 0 of Sheets' date serial numbers.
EPOCH = dt.date(1899, 12, 30)
NUMBER_FORMATS: dict[str, dict[str, str]] = {
    "percent": {"type": "PERCENT", "pattern": "0%"},
    "date": {"type": "DATE", "pattern": "yyyy-mm-dd"},
    # No pattern: the spreadsheet locale's own number format (a "0.##" pattern shows 28 as "28.").
    "number": {"type": "NUMBER"},
    # Plain text: a row key such as "12" stays the text the sync wrote.
    "text": {"type": "TEXT", "pattern": "@"},
}


def to_serial(value: dt.date) -> float | int:
    """A date (or date and time) as Sheets' serial number: days since 1899-12-30."""
    if isinstance(value, dt.datetime):
        start = dt.datetime.combine(EPOCH, dt.time(), tzinfo=value.tzinfo)
        return (value - start).total_seconds() / 86400
    return (value - EPOCH).days


def from_serial(serial: float) -> dt.date:
    """Sheets' serial number as the calendar day it falls on."""
    return EPOCH + dt.timedelta(days=math.floor(serial))


def api_value(value: CellValue) -> bool | int | float | str:
    """A cell value for a RAW values write: dates as serials, Percent as its share, None as "" to clear."""
    if value is None or isinstance(value, bool):
        return "" if value is None else value
    if isinstance(value, dt.date):
        return to_serial(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else ""
    return str(value)


def cell_data(value: CellValue) -> dict[str, Any]:
    """A CellData for updateCells: the value, plus the format a Percent, a date or a Heading needs."""
    if value is None or value == "":
        return {}
    if isinstance(value, Formula):
        return {"userEnteredValue": {"formulaValue": "=" + value.sheets}} if value.sheets else {}
    raw = api_value(value)
    kind = "stringValue"
    if isinstance(raw, bool):
        kind = "boolValue"
    elif isinstance(raw, int | float):
        kind = "numberValue"
    cell: dict[str, Any] = {"userEnteredValue": {kind: raw}}
    fmt = value_format(value)
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def value_format(value: CellValue) -> dict[str, Any] | None:
    """The format a value needs to read back as itself: a Percent or a date's number format, a Heading's bold."""
    if isinstance(value, Percent):
        return {"numberFormat": NUMBER_FORMATS["percent"]}
    if isinstance(value, dt.date):
        return {"numberFormat": NUMBER_FORMATS["date"]}
    if isinstance(value, Heading):
        return {"textFormat": {"bold": True}}
    return None


def rgb(hex_colour: str) -> dict[str, float]:
    """`#B7E1CD` → Sheets' Color, channels from 0 to 1."""
    h = hex_colour.lstrip("#")
    channels = (("red", 0), ("green", 2), ("blue", 4))
    return {name: round(int(h[i : i + 2], 16) / 255, 4) for name, i in channels}


def quote_tab(name: str) -> str:
    """A tab name as A1 notation needs it: always quoted, inner quotes doubled."""
    return "'" + name.replace("'", "''") + "'"


def a1(area: Area) -> str:
    """A 1-based inclusive Area in A1 notation without its tab: `L2:L500`."""
    return f"{col_letters(area.first_col)}{area.first_row}:{col_letters(area.last_col)}{area.last_row}"


def padded_size(grid: Grid, before: Grid | None) -> tuple[int, int]:
    """The rectangle a service tab's rewrite covers: the new grid, and the old one so stale cells clear."""
    old = before or []
    rows = max(len(grid), len(old), 1)
    cols = max([len(r) for r in grid] + [len(r) for r in old] + [1])
    return rows, cols


def padded_values(grid: Grid, rows: int, cols: int,
                  encode: Callable[[CellValue], Any] | None = None) -> list[list[Any]]:
    """A whole service tab from A1 as RAW values (or as `encode` writes a cell), padded with "" to `rows` × `cols`."""
    encode = encode or api_value
    values = [[encode(v) for v in row] + [""] * (cols - len(row)) for row in grid]
    return values + [[""] * cols for _ in range(rows - len(grid))]


def cells_request(sheet_id: int, grid: Grid, rows: int, cols: int) -> dict[str, Any]:
    """A whole tab from A1 as one updateCells, formulas included; what it held beyond the grid, up to rows × cols,
    cleared."""
    lines = [[cell_data(v) for v in row] + [{}] * (cols - len(row)) for row in grid]
    lines += [[{}] * cols for _ in range(rows - len(grid))]
    return {"updateCells": {"rows": [{"values": line} for line in lines], "fields": "userEnteredValue",
                            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0}}}
