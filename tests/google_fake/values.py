"""`spreadsheets.values.*`: get, batchGet, update, batchUpdate, the ByDataFilter variants, clear, append."""

from __future__ import annotations

from typing import Any

from . import a1, cells, metadata
from .errors import invalid_argument
from .state import Sheet, Spreadsheet

Params = dict[str, list[str]]


def param(params: Params, name: str, default: str | None = None) -> str | None:
    """The single value of a query parameter."""
    return params.get(name, [default])[0]


def _input_option(option: Any) -> bool:
    """valueInputOption → whether to parse as typed; 400 when missing, as Google."""
    if option not in ("RAW", "USER_ENTERED"):
        raise invalid_argument("'valueInputOption' is required but not specified", field="value_input_option")
    return option == "USER_ENTERED"


def _rows(values: list[list[Any]] | None, major: str | None) -> list[list[Any]]:
    rows = [list(r) for r in values or []]
    if major != "COLUMNS":
        return rows
    width = max((len(r) for r in rows), default=0)
    return [[col[i] if i < len(col) else None for col in rows] for i in range(width)]


def write(
    book: Spreadsheet,
    sheet: Sheet,
    box: tuple[int, int, int, int] | None,
    r0: int,
    c0: int,
    rows: list[list[Any]],
    parse: bool,
) -> dict[str, Any]:
    """Write rows at (r0, c0) as values.update does; `box` bounds an explicit range → UpdateValuesResponse."""
    height, width = len(rows), max((len(r) for r in rows), default=0)
    if box is not None and (r0 + height > box[1] or c0 + width > box[3]):
        requested = sheet.a1(*box)
        where = (
            f"row [{r0 + height}]" if r0 + height > box[1] else f"column [{a1.col_letters(c0 + width - 1)}]"
        )
        raise invalid_argument(f"Requested writing within range [{requested}], but tried writing to {where}")
    if r0 + height > sheet.row_count or c0 + width > sheet.col_count:
        end = a1.format_range(sheet.title, r0, max(r0 + height, r0 + 1), c0, max(c0 + width, c0 + 1))
        raise sheet.beyond_grid(end.rpartition("!")[2])
    updated = 0
    for i, row in enumerate(rows):
        for j, raw in enumerate(row):
            if raw is None:
                continue  # null values are skipped, as at Google
            set_cell(book, sheet, r0 + i, c0 + j, raw, parse)
            updated += 1
    response: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if height and width:
        response |= {
            "updatedRange": sheet.a1(r0, r0 + height, c0, c0 + width),
            "updatedRows": height,
            "updatedColumns": width,
            "updatedCells": updated,
        }
    return response


def set_cell(book: Spreadsheet, sheet: Sheet, row: int, col: int, raw: Any, parse: bool) -> None:
    """Store one value as typed (parse=True) or raw; "" clears the value and keeps the formats."""
    value, number_format = cells.user_entered(raw, book.locale, parse=parse)
    cell = sheet.cells.setdefault((row, col), {})
    if value is None:
        cell.pop("userEnteredValue", None)
    else:
        cell["userEnteredValue"] = value
    if number_format is not None:
        cell.setdefault("userEnteredFormat", {})["numberFormat"] = number_format
    if not cell:
        del sheet.cells[(row, col)]


def read(
    book: Spreadsheet,
    sheet: Sheet,
    box: tuple[int, int, int, int],
    params: Params | dict[str, Any],
) -> dict[str, Any]:
    """A ValueRange for a bounded box: trailing empty rows and cells trimmed, `values` omitted when empty."""

    def opt(name: str, default: str) -> str:
        value = params.get(name, default)
        return str(value[0] if isinstance(value, list) else value)

    value_option = opt("valueRenderOption", "FORMATTED_VALUE")
    date_option = opt("dateTimeRenderOption", "SERIAL_NUMBER")
    major = opt("majorDimension", "ROWS")
    r0, r1, c0, c1 = box
    grid = [
        [cells.render(sheet.cells.get((r, c)), value_option, date_option, book.locale) for c in range(c0, c1)]
        for r in range(r0, r1)
    ]
    if major == "COLUMNS":
        grid = [list(col) for col in zip(*grid, strict=False)] if grid else []
    trimmed = []
    for line in grid:
        while line and line[-1] == "":
            line.pop()
        trimmed.append(line)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    result: dict[str, Any] = {"range": sheet.a1(*box), "majorDimension": major}
    if trimmed:
        result["values"] = trimmed
    return result


def get(book: Spreadsheet, text: str, params: Params) -> dict[str, Any]:
    """values.get."""
    sheet, r0, r1, c0, c1 = book.resolve(text)
    return read(book, sheet, (r0, r1, c0, c1), params)


def batch_get(book: Spreadsheet, params: Params) -> dict[str, Any]:
    """values.batchGet."""
    ranges = [get(book, text, params) for text in params.get("ranges", [])]
    return (
        {"spreadsheetId": book.spreadsheet_id, "valueRanges": ranges}
        if ranges
        else {"spreadsheetId": book.spreadsheet_id}
    )


def _update_one(book: Spreadsheet, text: str, body: dict[str, Any], parse: bool) -> dict[str, Any]:
    sheet, r0, _, c0, _ = book.resolve(text)
    parsed = a1.parse(text, book.titles())
    cell_part = a1.split_sheet(text)[1]
    single = (
        cell_part is None or ":" not in cell_part
    )  # a start cell (or a whole sheet) extends with the data
    open_end = 10**9
    box = (
        r0,
        open_end if single or parsed.end_row is None else parsed.end_row,
        c0,
        open_end if single or parsed.end_col is None else parsed.end_col,
    )
    return write(book, sheet, box, r0, c0, _rows(body.get("values"), body.get("majorDimension")), parse)


def _with_data(book: Spreadsheet, response: dict[str, Any], wanted: bool, options: dict[str, Any]) -> None:
    if wanted and "updatedRange" in response:
        sheet, r0, r1, c0, c1 = book.resolve(response["updatedRange"])
        render = {
            "valueRenderOption": options.get("responseValueRenderOption") or "FORMATTED_VALUE",
            "dateTimeRenderOption": options.get("responseDateTimeRenderOption") or "SERIAL_NUMBER",
        }
        response["updatedData"] = read(book, sheet, (r0, r1, c0, c1), render)


def update(book: Spreadsheet, text: str, params: Params, body: dict[str, Any]) -> dict[str, Any]:
    """values.update (PUT)."""
    if body.get("range") and body["range"] != text:
        raise invalid_argument(
            f"Requested range [{text}] does not match the ValueRange range [{body['range']}]"
        )
    response = _update_one(book, text, body, _input_option(param(params, "valueInputOption")))
    options = {k: v[0] for k, v in params.items()}
    _with_data(book, response, (param(params, "includeValuesInResponse") or "").lower() == "true", options)
    return response


def _totals(book: Spreadsheet, responses: list[dict[str, Any]], sheets: set[int]) -> dict[str, Any]:
    total: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    for key in ("Rows", "Columns", "Cells"):
        total[f"totalUpdated{key}"] = sum(r.get(f"updated{key}", 0) for r in responses)
    total["totalUpdatedSheets"] = len(sheets)
    total["responses"] = responses
    return {k: v for k, v in total.items() if v not in (0, [])}


def batch_update(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchUpdate."""
    parse = _input_option(body.get("valueInputOption"))
    responses, sheets = [], set()
    for data in body.get("data", []):
        response = _update_one(book, data.get("range", ""), data, parse)
        _with_data(book, response, bool(body.get("includeValuesInResponse")), body)
        responses.append(response)
        if "updatedRange" in response:
            sheets.add(book.resolve(response["updatedRange"])[0].sheet_id)
    return _totals(book, responses, sheets)


def batch_update_by_data_filter(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchUpdateByDataFilter: values go to every range the filter matches, from its top-left cell."""
    parse = _input_option(body.get("valueInputOption"))
    responses, sheets = [], set()
    for data in body.get("data", []):
        data_filter = data.get("dataFilter") or {}
        rows = _rows(data.get("values"), data.get("majorDimension"))
        regions = metadata.filter_regions(book, data_filter)
        for sheet, r0, r1, c0, c1 in regions:
            response = write(book, sheet, (r0, r1, c0, c1), r0, c0, rows, parse)
            response.pop("spreadsheetId")
            _with_data(book, response, bool(body.get("includeValuesInResponse")), body)
            responses.append({**response, "dataFilter": data_filter})
            sheets.add(sheet.sheet_id)
        if not regions:
            responses.append({"dataFilter": data_filter})
    return _totals(book, responses, sheets)


def batch_get_by_data_filter(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchGetByDataFilter."""
    found = []
    for data_filter in body.get("dataFilters", []):
        for sheet, r0, r1, c0, c1 in metadata.filter_regions(book, data_filter):
            value_range = read(book, sheet, (r0, r1, c0, c1), body)
            found.append({"valueRange": value_range, "dataFilters": [data_filter]})
    return {"spreadsheetId": book.spreadsheet_id, **({"valueRanges": found} if found else {})}


def _clear(book: Spreadsheet, sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> str:
    for key in [k for k in sheet.cells if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
        sheet.cells[key].pop("userEnteredValue", None)
        if not sheet.cells[key]:
            del sheet.cells[key]
    return sheet.a1(r0, r1, c0, c1)


def clear(book: Spreadsheet, text: str) -> dict[str, Any]:
    """values.clear: values go, formats stay."""
    return {"spreadsheetId": book.spreadsheet_id, "clearedRange": _clear(book, *book.resolve(text))}


def batch_clear(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchClear."""
    cleared = [_clear(book, *book.resolve(text)) for text in body.get("ranges", [])]
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}


def batch_clear_by_data_filter(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """values.batchClearByDataFilter."""
    cleared = [
        _clear(book, *region)
        for f in body.get("dataFilters", [])
        for region in metadata.filter_regions(book, f)
    ]
    return {"spreadsheetId": book.spreadsheet_id, "clearedRanges": cleared}


def append(book: Spreadsheet, text: str, params: Params, body: dict[str, Any]) -> dict[str, Any]:
    """values.append: after the last row with data in the range's columns; the grid grows as needed."""
    parse = _input_option(param(params, "valueInputOption"))
    sheet, r0, _, c0, c1 = book.resolve(text)
    if ":" not in (a1.split_sheet(text)[1] or ""):
        c1 = sheet.col_count  # from a start cell, the table extends to the right
    filled = [
        key
        for key, cell in sheet.cells.items()
        if c0 <= key[1] < c1 and key[0] >= r0 and "userEnteredValue" in cell
    ]
    start = max((r for r, _ in filled), default=r0 - 1) + 1
    rows = _rows(body.get("values"), body.get("majorDimension"))
    sheet.grid["rowCount"] = max(sheet.row_count, start + len(rows))
    response: dict[str, Any] = {"spreadsheetId": book.spreadsheet_id}
    if filled:  # the table Google detected, omitted when there is none
        cols = [c for _, c in filled]
        response["tableRange"] = sheet.a1(min(r for r, _ in filled), start, min(cols), max(cols) + 1)
    response["updates"] = write(book, sheet, None, start, c0, rows, parse)
    return response
