"""How okrsync things look in Google Sheets: a Layout as one batchUpdate."""

from __future__ import annotations

from typing import Any

from ..layout.model import Area, ColourRule, Dropdown, Layout, TabLayout
from ..model import ChartSpec, col_letters, sheets_grid
from .gsheets_growth import anchor_rows, anchored, laid_out_rows
from .gsheets_values import NUMBER_FORMATS, a1, cell_data, quote_tab, rgb

#: Sheets' column widths are pixels; the template's are characters of the default 10 pt Arial.
PIXELS_PER_CHAR = 7
#: A fresh tab is at least as wide as Sheets' own default, so people have room to add a column. (Its rows
#: are what it holds plus room to type: see gsheets_growth.)
MIN_COLS = 26


def source_a1(dropdown: Dropdown) -> str | None:
    """The range a dropdown reads its values from, tab included: `'Lists'!B2:B200`; None for a fixed list."""
    if not (dropdown.source_tab and dropdown.source):
        return None
    return f"{quote_tab(dropdown.source_tab)}!{a1(dropdown.source)}"


def rule_condition(rule: ColourRule) -> tuple[str, str]:
    """A status colour rule's condition: ("CUSTOM_FORMULA", formula on the status column) or ("TEXT_EQ", text)."""
    if rule.formula:
        return "CUSTOM_FORMULA", rule.formula
    if rule.status_col:
        text = rule.text.replace('"', '""')
        # Relative to the area's first row: Sheets shifts the row for every row of the area.
        return "CUSTOM_FORMULA", f'=${col_letters(rule.status_col)}{rule.area.first_row}="{text}"'
    return "TEXT_EQ", rule.text


def grid_range(sheet_id: int, area: Area | None, rows: int | None = None) -> dict[str, int]:
    """A 1-based inclusive Area as a GridRange; None is the whole sheet.

    On a tab laid out with `rows` rows, an area meant for whole columns, or reaching those rows, has no end
    row: it covers the rows the tab grows by later, with no request of its own.
    """
    if area is None:
        return {"sheetId": sheet_id}
    out = {"sheetId": sheet_id, "startRowIndex": area.first_row - 1, "endRowIndex": area.last_row,
           "startColumnIndex": area.first_col - 1, "endColumnIndex": area.last_col}
    if rows is not None and (area.last_row >= rows or area.whole_columns):
        del out["endRowIndex"]
    return out


def choose_sheet_ids(count: int, taken: set[int]) -> list[int]:
    """Sheet IDs for new tabs, picked by us so that one batch can add a tab and refer to it."""
    ids: list[int] = []
    candidate = 1
    while len(ids) < count:
        if candidate not in taken:
            ids.append(candidate)
        candidate += 1
    return ids


def tab_cols(tab: TabLayout, charts: list[ChartSpec]) -> int:
    """Columns a tab needs: its grid, every area laid on it, its charts (its rows: growth's laid_out_rows)."""
    areas = [d.area for d in tab.dropdowns] + [r.area for r in tab.colour_rules]
    areas += [f.area for f in tab.formats] + [p.area for p in tab.protections if p.area is not None]
    cols = max([len(tab.widths), *(len(r) for r in tab.grid), *(a.last_col for a in areas),
                *(c.anchor_col + 6 for c in charts)], default=0)
    return max(cols, MIN_COLS)


def layout_requests(layout: Layout, default_sheet_id: int) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Every request that turns a fresh spreadsheet into the layout, and the sheet ID of each tab."""
    ids = dict(zip((t.name for t in layout.tabs), choose_sheet_ids(len(layout.tabs), {default_sheet_id}),
                   strict=True))
    requests: list[dict[str, Any]] = [{"updateSpreadsheetProperties": {
        "properties": {"title": layout.title, "locale": layout.locale, "timeZone": layout.time_zone},
        "fields": "title,locale,timeZone",
    }}]
    for index, tab in enumerate(layout.tabs):
        rows = laid_out_rows(tab, layout)
        props = sheet_properties(tab, ids[tab.name], index, rows, [c for c in layout.charts if c.tab == tab.name])
        requests.append({"addSheet": {"properties": props}})
    # A spreadsheet always keeps one tab: the default one goes once ours exist.
    requests.append({"deleteSheet": {"sheetId": default_sheet_id}})
    taken: set[int] = set()
    for tab in layout.tabs:
        rows = laid_out_rows(tab, layout)
        requests += tab_requests(tab, ids[tab.name], ids, rows)
        if anchored(tab):
            requests += anchor_rows(ids[tab.name], range(2, rows + 1), taken)[0]
    requests += [chart_request(chart, ids[chart.tab]) for chart in layout.charts if chart.tab in ids]
    return requests, ids


def sheet_properties(tab: TabLayout, sheet_id: int, index: int, rows: int,
                     charts: list[ChartSpec] | None = None) -> dict[str, Any]:
    """A new tab's properties: title, place, size, frozen rows, hidden or not, colour."""
    cols = tab_cols(tab, charts or [])
    props: dict[str, Any] = {
        "sheetId": sheet_id,
        "title": tab.name,
        "index": index,
        "gridProperties": {"rowCount": rows, "columnCount": cols, "frozenRowCount": tab.frozen_rows},
        "hidden": tab.hidden,
    }
    if tab.tab_colour:
        props["tabColorStyle"] = {"rgbColor": rgb(tab.tab_colour)}
    return props


def tab_requests(tab: TabLayout, sheet_id: int, ids: dict[str, int], rows: int) -> list[dict[str, Any]]:
    """One tab's content and looks on its `rows` laid-out rows: values, header, widths, hidden columns, alignment,
    wrapping, formats, dropdowns, colours, protections."""
    out: list[dict[str, Any]] = []
    if tab.grid:
        out.append({"updateCells": {
            "rows": [{"values": [cell_data(v) for v in row]} for row in sheets_grid(tab.grid)],
            "fields": "userEnteredValue,userEnteredFormat.numberFormat,userEnteredFormat.textFormat.bold",
            "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
        }})
    if tab.header_row is not None:
        for col, colour in tab.header_fills:
            # A long header wraps over two lines rather than widen a column of short numbers.
            header = {"backgroundColorStyle": {"rgbColor": rgb(colour)}, "textFormat": {"bold": True},
                      "wrapStrategy": "WRAP"}
            out.append(_repeat(sheet_id, Area(tab.header_row, tab.header_row, col, col), header,
                               "userEnteredFormat.backgroundColorStyle,userEnteredFormat.textFormat.bold,"
                               "userEnteredFormat.wrapStrategy"))
    out += _widths(tab.widths, sheet_id)
    # Hidden, the row key's long text neither overflows on screen nor gets printed.
    out += [{"updateDimensionProperties": {
        "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": c - 1, "endIndex": c},
        "properties": {"hiddenByUser": True}, "fields": "hiddenByUser",
    }} for c in tab.hidden_cols]
    out += [_repeat(sheet_id, area, {"horizontalAlignment": "RIGHT"}, "userEnteredFormat.horizontalAlignment", rows)
            for area in right_areas(tab, rows)]
    out += [_repeat(sheet_id, Area(1, rows, c, c), {"wrapStrategy": "WRAP"}, "userEnteredFormat.wrapStrategy", rows)
            for c in tab.wrap_cols]
    # No print setup: the Sheets API has none (SheetProperties and GridProperties carry no page, orientation or
    # scale field: https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/sheets#SheetProperties);
    # people choose landscape and "fit to width" in File > Print. What the API can do is done: the header row is
    # frozen (the print dialog's "repeat frozen rows" puts it on every page) and the columns sized to fit.
    for fmt in tab.formats:
        out.append(_repeat(sheet_id, fmt.area, {"numberFormat": NUMBER_FORMATS[fmt.kind]},
                           "userEnteredFormat.numberFormat", rows))
    out += [_validation(d, sheet_id, ids, rows) for d in tab.dropdowns]
    out += [_colour_rule(rule, sheet_id, i, rows) for i, rule in enumerate(tab.colour_rules)]
    out += [{"addProtectedRange": {"protectedRange": {
        "range": grid_range(sheet_id, p.area, rows), "description": p.description, "warningOnly": True,
    }}} for p in tab.protections]
    return out


def right_areas(tab: TabLayout, rows: int) -> list[Area]:
    """Where a tab's right-aligned columns are set so in Sheets: the header cell, as Sheets already puts numbers
    against the right edge (a whole column would give every free row a formatted cell, which each read pays
    for); a tab without a header row (the org tab, whose sections each have one) gets its columns whole."""
    if tab.header_row is None:
        return [Area(1, rows, c, c) for c in tab.right_cols]
    return [Area(tab.header_row, tab.header_row, c, c) for c in tab.right_cols]


def _repeat(sheet_id: int, area: Area, fmt: dict[str, Any], fields: str, rows: int | None = None) -> dict[str, Any]:
    return {"repeatCell": {"range": grid_range(sheet_id, area, rows), "cell": {"userEnteredFormat": fmt},
                           "fields": fields}}


def _widths(widths: list[int], sheet_id: int) -> list[dict[str, Any]]:
    """Column widths, one request per run of equal widths."""
    out: list[dict[str, Any]] = []
    start = 0
    for i in range(1, len(widths) + 1):
        if i == len(widths) or widths[i] != widths[start]:
            out.append({"updateDimensionProperties": {
                "range": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": start, "endIndex": i},
                "properties": {"pixelSize": widths[start] * PIXELS_PER_CHAR},
                "fields": "pixelSize",
            }})
            start = i
    return out


def _validation(dropdown: Dropdown, sheet_id: int, ids: dict[str, int], rows: int) -> dict[str, Any]:
    source = source_a1(dropdown)
    if source:
        condition = {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "=" + source}]}
    else:
        condition = {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in dropdown.values]}
    rule: dict[str, Any] = {"condition": condition, "strict": dropdown.strict, "showCustomUi": True}
    if dropdown.help:
        rule["inputMessage"] = dropdown.help
    return {"setDataValidation": {"range": grid_range(sheet_id, dropdown.area, rows), "rule": rule}}


def _colour_rule(rule: ColourRule, sheet_id: int, index: int, rows: int) -> dict[str, Any]:
    """A status colour as conditional formatting, so it follows the status even when rows move."""
    kind, value = rule_condition(rule)
    condition = {"type": kind, "values": [{"userEnteredValue": value}]}
    fmt = {"backgroundColorStyle": {"rgbColor": rgb(rule.colour)}}
    return {"addConditionalFormatRule": {"index": index, "rule": {
        "ranges": [grid_range(sheet_id, rule.area, rows)],
        "booleanRule": {"condition": condition, "format": fmt},
    }}}


def chart_request(chart: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """The chart spec as a combo chart anchored on its tab: column series stacked (a team has a value under its
    status's column only, so its column takes that colour), line series over them, each named by its header
    cell in the legend; it follows the cells it reads, so a sync changes it with no request of its own."""
    def column(col: int) -> dict[str, Any]:
        area = Area(chart.header_row, chart.last_row, col, col)
        return {"sourceRange": {"sources": [grid_range(sheet_id, area)]}}

    series = [{"series": column(s.col), "targetAxis": "LEFT_AXIS", "type": "LINE" if s.line else "COLUMN",
               "colorStyle": {"rgbColor": rgb(s.colour)}} for s in chart.series]
    axis = {"position": "LEFT_AXIS",
            "viewWindowOptions": {"viewWindowMode": "EXPLICIT", "viewWindowMin": 0, "viewWindowMax": 1}}
    return {"addChart": {"chart": {
        "spec": {
            "title": chart.title,
            "basicChart": {
                "chartType": "COMBO",
                "stackedType": "STACKED",
                "legendPosition": "BOTTOM_LEGEND",
                "headerCount": 1,
                "axis": [axis],
                "domains": [{"domain": column(chart.label_col)}],
                "series": series,
            },
        },
        "position": {"overlayPosition": {"anchorCell": {
            "sheetId": sheet_id, "rowIndex": chart.anchor_row - 1, "columnIndex": chart.anchor_col - 1,
        }}},
    }}}
