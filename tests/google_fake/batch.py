"""`spreadsheets.batchUpdate`: the dispatcher and the sheet-level request kinds (tabs, properties,
conditional formats, protected ranges, charts, developer metadata). Grid kinds live in batch_grid."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import batch_grid, fieldmask, metadata, render, schema, state
from .errors import GoogleError, invalid_argument
from .state import Sheet, Spreadsheet

Handler = Callable[[Spreadsheet, dict[str, Any]], dict[str, Any]]


class NotFaked(NotImplementedError):
    """A valid Sheets request kind this fake does not implement: add it here rather than work around it."""


def _check_title(book: Spreadsheet, title: str, sheet_id: int | None = None) -> None:
    other = book.sheet_by_title(title)
    if other is not None and other.sheet_id != sheet_id:
        raise invalid_argument(f'A sheet with the name "{title}" already exists. Please enter another name.')


def add_sheet(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """addSheet → `{"addSheet": {"properties": {...}}}`."""
    props = copy.deepcopy(req.get("properties") or {})
    props.setdefault("title", f"Sheet{len(book.sheets) + 1}")
    _check_title(book, props["title"])
    if "sheetId" in props and any(s.sheet_id == props["sheetId"] for s in book.sheets):
        raise invalid_argument(
            f"Invalid requests[0].addSheet: Sheet with id {props['sheetId']} already exists."
        )
    props.setdefault("sheetId", book.new_id())
    props.setdefault("sheetType", "GRID")
    grid = props.setdefault("gridProperties", {})
    grid.setdefault("rowCount", 1000)
    grid.setdefault("columnCount", 26)
    index = min(int(props.pop("index", len(book.sheets))), len(book.sheets))
    sheet = Sheet(props)
    book.sheets.insert(index, sheet)
    book.reindex()
    return {"addSheet": {"properties": render.google_output(render.sheet_properties(sheet))}}


def delete_sheet(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """deleteSheet (its developer metadata goes with it)."""
    sheet = book.sheet_by_id(req.get("sheetId"))
    if len(book.sheets) == 1:
        raise invalid_argument("You can't remove all the sheets in a document.")
    book.sheets.remove(sheet)
    book.reindex()
    for meta_id, meta in list(book.metadata.items()):
        location = meta["location"]
        on_sheet = location.get("sheetId", location.get("dimensionRange", {}).get("sheetId"))
        if location["locationType"] != "SPREADSHEET" and on_sheet == sheet.sheet_id:
            del book.metadata[meta_id]
    return {}


def update_sheet_properties(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """updateSheetProperties: title, index, grid size (shrinking deletes lines), frozen rows, colours."""
    props = req.get("properties") or {}
    sheet = book.sheet_by_id(props.get("sheetId"))
    mask = req.get("fields")
    if not mask:
        raise invalid_argument("'fields' must be specified for updateSheetProperties.")
    new = copy.deepcopy(sheet.properties)
    fieldmask.apply(new, props, mask)
    new["sheetId"] = sheet.sheet_id
    _check_title(book, new.get("title", ""), sheet.sheet_id)
    grid = new.setdefault("gridProperties", {})
    for key, dimension in (("rowCount", "ROWS"), ("columnCount", "COLUMNS")):
        old_count = int(sheet.grid.get(key, 0))
        new_count = int(grid.get(key, old_count))
        if new_count < old_count:
            state.change_dimension(book, sheet, dimension, new_count, new_count - old_count)
    sheet.properties = new
    if "index" in props and "index" in [p[0] for p in fieldmask.leaf_paths(fieldmask.parse(mask)) if p]:
        book.sheets.remove(sheet)
        book.sheets.insert(min(int(props["index"]), len(book.sheets)), sheet)
    book.reindex()
    return {}


def update_spreadsheet_properties(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """updateSpreadsheetProperties: title, locale, timeZone…"""
    if not req.get("fields"):
        raise invalid_argument("'fields' must be specified for updateSpreadsheetProperties.")
    fieldmask.apply(book.properties, req.get("properties") or {}, req["fields"])
    return {}


def add_conditional_format_rule(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """addConditionalFormatRule (no reply): the rule joins the sheet of its first range at `index`."""
    rule = copy.deepcopy(req.get("rule") or {})
    if not rule.get("ranges"):
        raise invalid_argument("A conditional format rule needs at least one range.")
    if not rule.get("booleanRule") and not rule.get("gradientRule"):
        raise invalid_argument("A conditional format rule needs a booleanRule or a gradientRule.")
    sheet = book.sheet_by_id(rule["ranges"][0].get("sheetId"))
    for rng in rule["ranges"]:
        rng.setdefault("sheetId", sheet.sheet_id)
    sheet.conditional_formats.insert(int(req.get("index", len(sheet.conditional_formats))), rule)
    return {}


def delete_conditional_format_rule(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """deleteConditionalFormatRule → the deleted rule."""
    sheet = book.sheet_by_id(req.get("sheetId"))
    index = int(req.get("index", 0))
    if index >= len(sheet.conditional_formats):
        raise invalid_argument(f"No conditional format on sheet {sheet.sheet_id} at index {index}.")
    rule = sheet.conditional_formats.pop(index)
    return {"deleteConditionalFormatRule": {"rule": render.google_output(rule)}}


def add_protected_range(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """addProtectedRange → the range with its new protectedRangeId, as recorded."""
    protected = copy.deepcopy(req.get("protectedRange") or {})
    rng = protected.get("range") or {}
    sheet = book.sheet_by_id(rng.get("sheetId"))
    protected.setdefault("protectedRangeId", book.new_id())
    if "range" in protected:
        protected["range"].setdefault("sheetId", sheet.sheet_id)
    sheet.protected_ranges.append(protected)
    return {"addProtectedRange": {"protectedRange": render.protected_range(protected)}}


def delete_protected_range(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """deleteProtectedRange."""
    for sheet in book.sheets:
        for protected in sheet.protected_ranges:
            if protected["protectedRangeId"] == req.get("protectedRangeId"):
                sheet.protected_ranges.remove(protected)
                return {}
    raise invalid_argument(f"No protected range with id: {req.get('protectedRangeId')}")


def add_chart(book: Spreadsheet, req: dict[str, Any]) -> dict[str, Any]:
    """addChart → `{"addChart": {"chart": {...}}}`; an overlay chart lives on its anchor's sheet."""
    chart = copy.deepcopy(req.get("chart") or {})
    position = chart.get("position") or {}
    if position.get("newSheet"):
        sheet_reply = add_sheet(
            book, {"properties": {"sheetType": "OBJECT", "title": f"Chart{len(book.sheets)}"}}
        )
        sheet = book.sheet_by_id(sheet_reply["addSheet"]["properties"]["sheetId"])
        chart["position"] = {"sheetId": sheet.sheet_id}
    else:
        anchor = position.get("overlayPosition", {}).get("anchorCell", {})
        sheet = book.sheet_by_id(position.get("sheetId", anchor.get("sheetId")))
    chart.setdefault("chartId", book.new_id())
    sheet.charts.append(chart)
    return {"addChart": {"chart": render.google_output(chart)}}


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addChart": add_chart,
    "createDeveloperMetadata": metadata.create,
    "updateDeveloperMetadata": metadata.update,
    "deleteDeveloperMetadata": metadata.delete,
    **batch_grid.HANDLERS,
}


# The object an update request's `fields` mask is rooted at.
MASK_TARGETS = {
    "updateSheetProperties": "SheetProperties",
    "updateSpreadsheetProperties": "SpreadsheetProperties",
    "repeatCell": "CellData",
    "updateCells": "CellData",
    "appendCells": "CellData",
    "updateDimensionProperties": "DimensionProperties",
    "updateDeveloperMetadata": "DeveloperMetadata",
}


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the requests in order (the caller makes the call atomic) → BatchUpdateSpreadsheetResponse."""
    replies = []
    requests = body.get("requests") or []
    if not requests:
        raise invalid_argument("Must specify at least one request.", field="requests")
    for i, request in enumerate(requests):
        kinds = [k for k, v in request.items() if v is not None]
        if len(kinds) != 1:
            raise invalid_argument(f"Invalid requests[{i}]: No request set.", field=f"requests[{i}]")
        kind = kinds[0]
        target = MASK_TARGETS.get(kind)
        if target and request[kind].get("fields"):
            schema.check_mask(target, request[kind]["fields"], where=f"requests[{i}].{kind}.fields")
        handler = HANDLERS.get(kind)
        if handler is None:
            raise NotFaked(f"The fake does not implement batchUpdate request kind {kind!r} (requests[{i}]).")
        try:
            replies.append(handler(book, request[kind]))
        except GoogleError as error:
            if error.code == 400 and not error.message.startswith("Invalid requests"):
                error.message = f"Invalid requests[{i}].{kind}: {error.message}"
            raise
    response: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        params = {
            "ranges": body.get("responseRanges") or [],
            "includeGridData": [str(bool(body.get("responseIncludeGridData"))).lower()],
        }
        response["updatedSpreadsheet"] = render.spreadsheet_json(book, params)
    return response
