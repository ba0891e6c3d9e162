"""Cells as the Sheets API carries them, read into the values the engine sees."""

from __future__ import annotations

from typing import Any

from ..model import CellValue, Percent
from .gsheets_layout import from_serial

#: How Sheets shows each formula error, which is how people know it.
ERROR_TEXT = {
    "ERROR": "#ERROR!", "NULL_VALUE": "#NULL!", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!",
    "REF": "#REF!", "NAME": "#NAME?", "NUM": "#NUM!", "N_A": "#N/A", "LOADING": "Loading...",
}


def cell_value(cell: dict[str, Any]) -> CellValue:
    """A CellData as the engine sees it: numbers, dates, Percent, text, booleans, error text, or None."""
    value = cell.get("effectiveValue")
    if not value:
        return None
    if "numberValue" in value:
        number = float(value["numberValue"])
        kind = cell.get("effectiveFormat", {}).get("numberFormat", {}).get("type")
        if kind in ("DATE", "DATE_TIME"):
            try:
                return from_serial(number)
            except OverflowError:
                return number
        if kind == "PERCENT":
            return Percent(number)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "errorValue" in value:
        return ERROR_TEXT.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    return None
