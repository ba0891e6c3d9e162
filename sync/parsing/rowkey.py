"""A row's key: the text of its KR and week (or its ID) as the sync read them, and the formula that recomputes it.

The Sheets API has no conditional write, and a sort moves cell contents but not the row developer metadata a
write is addressed by: a write can land on a row that is no longer the one the sync read. So the sync writes,
with a row's computed cells, the row's key; a conditional format greys the computed cells of a row whose key no
longer matches the row's own cells, and the next sync, reading afresh, rewrites them. Both sides must give the
same text: `&` in Sheets, Excel and LibreOffice turns a date into its serial number and leaves text as it is,
which is what `key_text` does in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Iterable

from ..model import CellValue, col_letters

SEPARATOR = "|"
#: Day 0 of the serial numbers of Sheets, Excel (after 1900-03-01) and LibreOffice.
EPOCH = dt.date(1899, 12, 30)


def key_text(value: CellValue) -> str:
    """One cell as `&` turns it into text: a date as its serial number, a whole number without decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        start = dt.datetime.combine(EPOCH, dt.time(), tzinfo=value.tzinfo)
        return _number((value - start).total_seconds() / 86400)
    if isinstance(value, dt.date):
        return str((value - EPOCH).days)
    if isinstance(value, numbers.Real):
        return _number(float(value))
    return str(value)


def _number(number: float) -> str:
    if not math.isfinite(number):
        return ""
    return str(int(number)) if number.is_integer() else f"{number:.15g}"


def row_key(values: Iterable[CellValue]) -> str:
    """The key of a row from its key cells, in the template's order: `MKT-KR1|45677`, `ORG-O1`."""
    return SEPARATOR.join(key_text(v) for v in values)


def _ref(col: int, row: int) -> str:
    return f"${col_letters(col)}{row}"


def key_formula(key_col: int, part_cols: list[int], computed_cols: list[int], row: int) -> str:
    """The conditional-format formula, relative to `row`, true when the row's key cell is filled (or any computed
    cell is) and differs from the key its own cells make now.

    Operators only, no function: a function's argument separator depends on the spreadsheet's locale.
    """
    key = _ref(key_col, row)
    made = f'&"{SEPARATOR}"&'.join(_ref(c, row) for c in part_cols)
    if len(part_cols) == 1:
        made += '&""'
    filled = "&".join(_ref(c, row) for c in [key_col, *(c for c in computed_cols if c != key_col)])
    return f'=({key}<>({made}))*(({filled})<>"")=1'
