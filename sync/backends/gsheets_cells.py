"""What a sync reads: the spreadsheet as the Sheets API carries it, read into the snapshot the engine sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model import CellValue, Grid, Percent, Snapshot, Tab, trimmed
from .gsheets_anchors import Anchors, RowKey
from .gsheets_values import from_serial

#: How Sheets shows each formula error, which is how people know it.
ERROR_TEXT = {
    "ERROR": "#ERROR!", "NULL_VALUE": "#NULL!", "DIVIDE_BY_ZERO": "#DIV/0!", "VALUE": "#VALUE!",
    "REF": "#REF!", "NAME": "#NAME?", "NUM": "#NUM!", "N_A": "#N/A", "LOADING": "Loading...",
}


#: The members of a CellData the sync reads: an object holding only these is a cell.
_CELL_KEYS = frozenset({"effectiveValue", "effectiveFormat"})


def cells_as_values(obj: dict[str, Any]) -> Any:
    """A `json.loads` object hook: each cell of the read becomes its value as soon as it is parsed, and each
    row (a RowData, `{"values": […]}`) the list of its values, so that the answer's hundred thousand small
    dicts never exist at once (what a read costs in memory)."""
    if obj and obj.keys() <= _CELL_KEYS:
        return _Cell(cell_value(obj))
    if obj.keys() == _ROW_KEYS:
        return [read_cell(c) for c in obj["values"]]
    return obj


#: What a RowData of the read holds.
_ROW_KEYS = frozenset({"values"})


class _Cell:
    """A cell read through `cells_as_values`: its value, told apart from the dicts around it."""

    __slots__ = ("value",)

    def __init__(self, value: CellValue) -> None:
        self.value = value


def read_cell(cell: Any) -> CellValue:
    """A cell of a read answer: a CellData, or one `cells_as_values` already turned into its value."""
    return cell.value if isinstance(cell, _Cell) else cell_value(cell)


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


#: What a sync reads, and nothing more: values with the number format that gives them their type, and the
#: row anchors. gridProperties tells whether a rewritten service tab still fits; the IDs of sheet and
#: spreadsheet metadata are ones a new anchor must not take.
READ_FIELDS = (
    "properties(title,locale),developerMetadata(metadataId),"
    "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(metadataId),"
    "data(rowData(values(effectiveValue,effectiveFormat(numberFormat(type)))),"
    "rowMetadata(developerMetadata(metadataId,metadataKey))))"
)
#: What the anchoring batchUpdate answers with: the rows where anchors were laid, as they now are.
LANDED_FIELDS = (
    "updatedSpreadsheet(sheets(properties(title),"
    "data(startRow,rowData(values(effectiveValue,effectiveFormat(numberFormat(type)))))))"
)


@dataclass
class SheetGrid:
    sheet_id: int
    rows: int
    cols: int


@dataclass
class ReadState:
    """What `apply` needs from the last read, beyond the snapshot: sheet IDs, sizes, row anchors."""

    sheets: dict[str, SheetGrid] = field(default_factory=dict)
    found: Anchors = field(default_factory=Anchors)

    @property
    def anchors(self) -> dict[RowKey, int]:
        """The anchor each row's cells are written through."""
        return self.found.by_row


def parse_spreadsheet(data: dict[str, Any]) -> tuple[Snapshot, ReadState]:
    """A `spreadsheets.get` response (READ_FIELDS) as a Snapshot, plus what a later write needs."""
    props = data.get("properties", {})
    tabs: dict[str, Tab] = {}
    state = ReadState()
    state.found.taken.update(int(m["metadataId"]) for m in data.get("developerMetadata", []))
    for sheet in data.get("sheets", []):
        state.found.taken.update(int(m["metadataId"]) for m in sheet.get("developerMetadata", []))
        sp = sheet.get("properties", {})
        title = str(sp.get("title", ""))
        size = sp.get("gridProperties", {})
        state.sheets[title] = SheetGrid(int(sp.get("sheetId", 0)), int(size.get("rowCount", 0)),
                                     int(size.get("columnCount", 0)))
        grid: Grid = []
        for part in sheet.get("data", []):
            first = int(part.get("startRow", 0))
            for i, row in enumerate(part.get("rowData", [])):
                while len(grid) <= first + i:
                    grid.append([])
                grid[first + i] = row if isinstance(row, list) else [read_cell(c) for c in row.get("values", [])]
            for i, meta in enumerate(part.get("rowMetadata", [])):
                state.found.add_row((title, first + i + 1), meta.get("developerMetadata", []))
        tabs[title] = Tab(title, trimmed(grid))
    snapshot = Snapshot(str(props.get("title", "")), tabs, props.get("locale"))
    return snapshot, state
