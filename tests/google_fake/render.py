"""`spreadsheets.get` as Google answers it: properties, sheets, grid data for ranges, field masks.

Output quirks copied from the recordings: colours come back twice (`backgroundColor` and
`backgroundColorStyle.rgbColor`) with zero components omitted; a GridRange on sheet 0 omits `sheetId`;
false/zero flags (`hidden`, `frozenRowCount`, `warningOnly`) are omitted.
"""

from __future__ import annotations

import copy
from typing import Any

from . import cells, fieldmask
from .state import COLUMN_PIXELS, DEFAULT_FORMAT, ROW_PIXELS, Sheet, Spreadsheet

THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
        {
            "colorType": "ACCENT1",
            "color": {"rgbColor": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}},
        },
        {
            "colorType": "ACCENT2",
            "color": {"rgbColor": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}},
        },
        {
            "colorType": "ACCENT3",
            "color": {"rgbColor": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}},
        },
        {
            "colorType": "ACCENT4",
            "color": {"rgbColor": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}},
        },
        {"colorType": "ACCENT5", "color": {"rgbColor": {"red": 1, "green": 0.42745098, "blue": 0.003921569}}},
        {
            "colorType": "ACCENT6",
            "color": {"rgbColor": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}},
        },
        {"colorType": "LINK", "color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}}},
    ],
}
_RGB = {"red", "green", "blue", "alpha"}


def google_output(data: Any) -> Any:
    """Mirror colours into their *Style twins (and back) and drop zero colour components, recursively."""
    if isinstance(data, list):
        return [google_output(item) for item in data]
    if not isinstance(data, dict):
        return data
    out = {key: google_output(value) for key, value in data.items()}
    if out and set(out) <= _RGB:
        return {k: v for k, v in out.items() if v != 0}
    for key in list(out):
        if (
            key.endswith("Color")
            and key != "rgbColor"
            and isinstance(out[key], dict)
            and set(out[key]) <= _RGB
        ):
            out.setdefault(f"{key}Style", {"rgbColor": out[key]})
        if key.endswith("ColorStyle") and isinstance(out[key], dict) and "rgbColor" in out[key]:
            out.setdefault(key[: -len("Style")], out[key]["rgbColor"])
    return out


def grid_range(rng: dict[str, Any]) -> dict[str, Any]:
    """A stored GridRange as Google prints it (no `sheetId` when it is 0)."""
    return {k: v for k, v in rng.items() if not (k == "sheetId" and v == 0)}


def sheet_properties(sheet: Sheet) -> dict[str, Any]:
    """SheetProperties as Google prints them (false flags and zero frozen counts omitted)."""
    first = ("sheetId", "title", "index", "sheetType", "gridProperties")
    props = {key: copy.deepcopy(sheet.properties[key]) for key in first if key in sheet.properties}
    props.update({k: copy.deepcopy(v) for k, v in sheet.properties.items() if k not in first})
    for flag in ("hidden", "rightToLeft"):
        if not props.get(flag):
            props.pop(flag, None)
    grid = props.get("gridProperties", {})
    for key in (
        "frozenRowCount",
        "frozenColumnCount",
        "hideGridlines",
        "rowGroupControlAfter",
        "columnGroupControlAfter",
    ):
        if not grid.get(key):
            grid.pop(key, None)
    return props


def protected_range(stored: dict[str, Any]) -> dict[str, Any]:
    """A ProtectedRange as replies and reads show it: the caller (the owner) can always edit."""
    out = {k: copy.deepcopy(v) for k, v in stored.items() if v not in (None, False)}
    if "range" in out:
        out["range"] = grid_range(out["range"])
    out["requestingUserCanEdit"] = True
    if not out.get("warningOnly"):
        out["editors"] = {k: v for k, v in (stored.get("editors") or {}).items() if v}
    return out


_DEFAULT_OUT = google_output(DEFAULT_FORMAT)


def _cell(cell: dict[str, Any], locale: str) -> dict[str, Any]:
    """CellData as read: stored fields plus effectiveValue, formattedValue and effectiveFormat.

    Output shares unchanged sub-objects with the state: it is serialised at once, never mutated.
    """
    out = dict(cell)
    entered = cell.get("userEnteredValue")
    if entered:
        out["effectiveValue"] = cells.effective_value(entered)
        out["formattedValue"] = cells.formatted_value(cell, locale)
    entered_format = cell.get("userEnteredFormat")
    if entered_format:
        out["userEnteredFormat"] = google_output(entered_format)
        effective = dict(_DEFAULT_OUT)
        for key, value in out["userEnteredFormat"].items():
            base = effective.get(key)
            effective[key] = (
                {**base, **value} if isinstance(value, dict) and isinstance(base, dict) else value
            )
        out["effectiveFormat"] = effective
    elif entered:
        out["effectiveFormat"] = _DEFAULT_OUT
    return out


def grid_data(
    book: Spreadsheet,
    sheet: Sheet,
    box: tuple[int, int, int, int],
    cells_too: bool = True,
) -> dict[str, Any]:
    """GridData for a bounded box: rowData trimmed after the last non-empty row, row/column metadata."""
    r0, r1, c0, c1 = box
    by_row: dict[int, dict[int, dict[str, Any]]] = {}
    for (r, c), cell in sheet.cells.items():
        if cells_too and r0 <= r < r1 and c0 <= c < c1 and cell:
            by_row.setdefault(r, {})[c] = cell
    last = max(by_row, default=r0 - 1)
    rows: list[dict[str, Any]] = []
    for r in range(r0, last + 1):
        found = by_row.get(r)
        if not found:
            rows.append({})
            continue
        rows.append({"values": [_cell(found.get(c, {}), book.locale) for c in range(c0, max(found) + 1)]})
    data: dict[str, Any] = {}
    if r0:
        data["startRow"] = r0
    if c0:
        data["startColumn"] = c0
    if rows:
        data["rowData"] = rows
    located = _dimension_metadata(book, sheet)
    data["rowMetadata"] = [
        _dimension(sheet.row_props.get(r), ROW_PIXELS, located.get(("ROWS", r))) for r in range(r0, r1)
    ]
    data["columnMetadata"] = [
        _dimension(sheet.col_props.get(c), COLUMN_PIXELS, located.get(("COLUMNS", c))) for c in range(c0, c1)
    ]
    return data


def _dimension_metadata(book: Spreadsheet, sheet: Sheet) -> dict[tuple[str, int], list[dict[str, Any]]]:
    located: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for meta in book.metadata.values():
        dim = meta["location"].get("dimensionRange")
        if dim and dim["sheetId"] == sheet.sheet_id:
            located.setdefault((dim["dimension"], dim["startIndex"]), []).append(meta)
    return located


def _dimension(
    props: dict[str, Any] | None, pixels: int, metadata: list[dict[str, Any]] | None
) -> dict[str, Any]:
    out = {"pixelSize": pixels, **(props or {})}
    if metadata:
        out["developerMetadata"] = metadata
    return out


def sheet_json(
    book: Spreadsheet, sheet: Sheet, boxes: list[tuple[int, int, int, int]] | None, cells_too: bool = True
) -> dict[str, Any]:
    """One Sheet resource; `boxes` are the grid regions to include (None: no grid data)."""
    out: dict[str, Any] = {"properties": google_output(sheet_properties(sheet))}
    if boxes is not None:
        out["data"] = [grid_data(book, sheet, box, cells_too) for box in boxes]
    if sheet.merges:
        out["merges"] = [grid_range(m) for m in sheet.merges]
    if sheet.conditional_formats:
        rules = copy.deepcopy(sheet.conditional_formats)
        for rule in rules:
            rule["ranges"] = [grid_range(r) for r in rule.get("ranges", [])]
        out["conditionalFormats"] = google_output(rules)
    if sheet.protected_ranges:
        out["protectedRanges"] = [protected_range(p) for p in sheet.protected_ranges]
    sheet_meta = [
        copy.deepcopy(m)
        for m in book.metadata.values()
        if m["location"]["locationType"] == "SHEET" and m["location"]["sheetId"] == sheet.sheet_id
    ]
    if sheet_meta:
        out["developerMetadata"] = sheet_meta
    if sheet.charts:
        out["charts"] = google_output(sheet.charts)
    return out


def spreadsheet_json(book: Spreadsheet, params: dict[str, list[str]]) -> dict[str, Any]:
    """The Spreadsheet resource for spreadsheets.get (includeGridData, ranges, fields)."""
    fields = params.get("fields", [None])[0]
    include = fields is not None or params.get("includeGridData", ["false"])[0].lower() == "true"
    tree = fieldmask.parse(fields) if fields else None
    cells_too = fieldmask.wants(tree, ("sheets", "data", "rowData"))
    wanted: dict[int, list[tuple[int, int, int, int]]] = {}
    for text in params.get("ranges", []):
        sheet, r0, r1, c0, c1 = book.resolve(text)
        wanted.setdefault(sheet.sheet_id, []).append((r0, r1, c0, c1))
    sheets = []
    for sheet in book.sheets:
        if wanted and sheet.sheet_id not in wanted:
            continue
        boxes = wanted.get(sheet.sheet_id, [(0, sheet.row_count, 0, sheet.col_count)]) if include else None
        sheets.append(sheet_json(book, sheet, boxes, cells_too))
    out: dict[str, Any] = {
        "spreadsheetId": book.spreadsheet_id,
        "properties": {
            **google_output(book.properties),
            "defaultFormat": _DEFAULT_OUT,
            "spreadsheetTheme": THEME,
        },
        "sheets": sheets,
    }
    book_meta = [
        copy.deepcopy(m) for m in book.metadata.values() if m["location"]["locationType"] == "SPREADSHEET"
    ]
    if book_meta:
        out["developerMetadata"] = book_meta
    out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{book.spreadsheet_id}/edit"
    return dict(fieldmask.select(out, tree))
