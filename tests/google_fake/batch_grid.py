"""batchUpdate request kinds that act on the grid: cells, formats, validation, rows and columns, sorting."""

from __future__ import annotations

import copy
import functools
from typing import Any

from . import cells, fieldmask, state
from .errors import invalid_argument
from .state import Sheet, Spreadsheet


def _apply_cell(sheet: Sheet, row: int, col: int, source: dict[str, Any], mask: str) -> None:
    cell = sheet.cells.setdefault((row, col), {})
    fieldmask.apply(cell, source, mask)
    if not cell:
        del sheet.cells[(row, col)]


def _check_box(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> None:
    if r1 > sheet.row_count or c1 > sheet.col_count or r0 < 0 or c0 < 0:
        raise sheet.beyond_grid(sheet.a1(r0, max(r1, r0 + 1), c0, max(c1, c0 + 1)).rpartition("!")[2])


def update_cells(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """updateCells: rows of CellData from `start` or over `range` (uncovered cells of a range are cleared)."""
    mask = req.get("fields")
    if not mask:
        raise invalid_argument("At least one field must be specified in 'fields'.")
    rows = req.get("rows", [])
    if "range" in req:
        sheet = book.sheet_by_id(req["range"].get("sheetId"))
        r0, r1, c0, c1 = sheet.bounds(req["range"])
    else:
        start = req.get("start", {})
        sheet = book.sheet_by_id(start.get("sheetId"))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        r1 = r0 + len(rows)
        c1 = c0 + max((len(r.get("values", [])) for r in rows), default=0)
    _check_box(sheet, r0, r1, c0, c1)
    for i in range(r1 - r0):
        values = rows[i].get("values", []) if i < len(rows) else []
        for j in range(c1 - c0):
            _apply_cell(sheet, r0 + i, c0 + j, values[j] if j < len(values) else {}, mask)
    return {}


def repeat_cell(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """repeatCell: one CellData over a range, limited to `fields`."""
    sheet = book.sheet_by_id(req["range"].get("sheetId"))
    r0, r1, c0, c1 = sheet.bounds(req["range"])
    _check_box(sheet, r0, r1, c0, c1)
    for row in range(r0, r1):
        for col in range(c0, c1):
            _apply_cell(sheet, row, col, req.get("cell", {}), req.get("fields", "*"))
    return {}


def set_data_validation(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """setDataValidation: the rule on every cell of the range (no rule clears it)."""
    sheet = book.sheet_by_id(req["range"].get("sheetId"))
    r0, r1, c0, c1 = sheet.bounds(req["range"])
    _check_box(sheet, r0, r1, c0, c1)
    source = {"dataValidation": req["rule"]} if req.get("rule") else {}
    for row in range(r0, r1):
        for col in range(c0, c1):
            _apply_cell(sheet, row, col, source, "dataValidation")
    return {}


def _dimension(book: Spreadsheet, rng: dict[str, Any]) -> tuple[Sheet, str, int, int]:
    sheet = book.sheet_by_id(rng.get("sheetId"))
    dimension = rng.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise invalid_argument("DimensionRange.dimension must be ROWS or COLUMNS.")
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    start, end = int(rng.get("startIndex", 0)), int(rng.get("endIndex", count))
    if start < 0 or end < start:
        raise invalid_argument(f"Invalid dimension range {rng}.")
    return sheet, dimension, start, end


def update_dimension_properties(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """updateDimensionProperties: pixelSize / hiddenByUser… on rows or columns."""
    sheet, dimension, start, end = _dimension(book, req["range"])
    props = sheet.row_props if dimension == "ROWS" else sheet.col_props
    for index in range(start, end):
        target = props.setdefault(index, {})
        fieldmask.apply(target, req.get("properties", {}), req.get("fields", "*"))
    return {}


def insert_dimension(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """insertDimension: everything at or after startIndex moves down/right; new lines inherit formats."""
    sheet, dimension, start, end = _dimension(book, req["range"])
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if start > count:
        raise invalid_argument(f"Cannot insert at index {start}: the sheet has {count}.")
    before = bool(req.get("inheritFromBefore"))
    if before and start == 0:
        raise invalid_argument("Cannot inherit from before when inserting at index 0.")
    state.change_dimension(book, sheet, dimension, start, end - start)
    if dimension == "ROWS":
        source = start - 1 if before else end
        if 0 <= source < sheet.row_count:
            state.inherit_formats(sheet, start, end - start, source)
    return {}


def delete_dimension(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """deleteDimension: the lines go, everything after moves up/left, metadata on them is deleted."""
    sheet, dimension, start, end = _dimension(book, req["range"])
    count = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if end > count:
        raise invalid_argument(f"Invalid requests: index {end} is past the end of the sheet ({count}).")
    if start == 0 and end == count:
        what = "rows" if dimension == "ROWS" else "columns"
        raise invalid_argument(f"You can't delete all the {what} on the sheet.")
    state.change_dimension(book, sheet, dimension, start, start - end)
    return {}


def append_dimension(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """appendDimension: grow the grid."""
    sheet = book.sheet_by_id(req.get("sheetId"))
    key = "rowCount" if req.get("dimension") == "ROWS" else "columnCount"
    sheet.grid[key] = int(sheet.grid.get(key, 0)) + int(req.get("length", 0))
    return {}


def append_cells(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """appendCells: rows after the last row holding a value, growing the grid if needed."""
    sheet = book.sheet_by_id(req.get("sheetId"))
    rows = req.get("rows", [])
    used = [r for (r, _), cell in sheet.cells.items() if "userEnteredValue" in cell]
    start = max(used) + 1 if used else 0
    width = max((len(r.get("values", [])) for r in rows), default=0)
    sheet.grid["rowCount"] = max(sheet.row_count, start + len(rows))
    sheet.grid["columnCount"] = max(sheet.col_count, width)
    for i, row in enumerate(rows):
        for j, value in enumerate(row.get("values", [])):
            _apply_cell(sheet, start + i, j, value, req.get("fields", "*"))
    return {}


def _sort_key(cell: dict[str, Any] | None) -> tuple[int, Any]:
    value = cells.effective_value((cell or {}).get("userEnteredValue")) or {}
    if "numberValue" in value:
        return 0, float(value["numberValue"])
    if "stringValue" in value:
        return 1, str(value["stringValue"]).casefold()
    if "boolValue" in value:
        return 2, bool(value["boolValue"])
    return 3, 0


def sort_range(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """sortRange: rows reordered by the sort specs; blanks last in both orders; stable."""
    sheet = book.sheet_by_id(req["range"].get("sheetId"))
    r0, r1, c0, c1 = sheet.bounds(req["range"])
    specs = req.get("sortSpecs") or [{"dimensionIndex": c0, "sortOrder": "ASCENDING"}]

    def compare(a: int, b: int) -> int:
        for spec in specs:
            col = int(spec.get("dimensionIndex", 0))
            ka, kb = _sort_key(sheet.cells.get((a, col))), _sort_key(sheet.cells.get((b, col)))
            if ka == kb:
                continue
            if ka[0] == 3 or kb[0] == 3:
                return -1 if kb[0] == 3 else 1
            sign = -1 if spec.get("sortOrder") == "DESCENDING" else 1
            return sign * (-1 if ka < kb else 1)
        return 0

    order = sorted(range(r0, r1), key=functools.cmp_to_key(compare))
    state.permute_rows(book, sheet, r0, order, c0, c1)
    return {}


def merge_cells(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """mergeCells: MERGE_ALL, MERGE_ROWS or MERGE_COLUMNS; merges may not overlap."""
    rng = dict(req["range"])
    sheet = book.sheet_by_id(rng.get("sheetId"))
    r0, r1, c0, c1 = sheet.bounds(rng)
    kind = req.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    elif kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    else:
        pieces = [(r0, r1, c0, c1)]
    for m in sheet.merges:
        m0, m1, n0, n1 = sheet.bounds(m)
        if m0 < r1 and r0 < m1 and n0 < c1 and c0 < n1:
            raise invalid_argument("You can't merge cells that intersect with an existing merge.")
    for a, b, c, d in pieces:
        sheet.merges.append(
            {
                "sheetId": sheet.sheet_id,
                "startRowIndex": a,
                "endRowIndex": b,
                "startColumnIndex": c,
                "endColumnIndex": d,
            }
        )
    return {}


def unmerge_cells(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """unmergeCells: drop the merges inside the range."""
    sheet = book.sheet_by_id(req["range"].get("sheetId"))
    r0, r1, c0, c1 = sheet.bounds(req["range"])
    sheet.merges = [
        m
        for m in sheet.merges
        if not (
            r0 <= m["startRowIndex"]
            and m["endRowIndex"] <= r1
            and c0 <= m["startColumnIndex"]
            and m["endColumnIndex"] <= c1
        )
    ]
    return {}


def auto_resize_dimensions(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """autoResizeDimensions: accepted (nothing to measure in a fake); the range is still checked."""
    _dimension(book, copy.deepcopy(req.get("dimensions") or {}))
    return {}


HANDLERS = {
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "setDataValidation": set_data_validation,
    "updateDimensionProperties": update_dimension_properties,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "appendDimension": append_dimension,
    "appendCells": append_cells,
    "sortRange": sort_range,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
    "autoResizeDimensions": auto_resize_dimensions,
}
