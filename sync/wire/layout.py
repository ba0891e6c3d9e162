"""A Layout as the add-on renders it with SpreadsheetApp: the Google backend's looks, in A1 ranges and pixels."""

from __future__ import annotations

from typing import Any

from ..backends.gsheets_growth import GROW_UNDER, PER_ROW, SERVICE_PER_ROW, SPARE_MIN
from ..backends.gsheets_layout import (
    PIXELS_PER_CHAR,
    grid_range,
    laid_out_rows,
    right_areas,
    rule_condition,
    source_a1,
    tab_cols,
)
from ..backends.gsheets_values import NUMBER_FORMATS, a1, api_value, value_format
from ..layout.model import Area, ColourRule, Layout, TabLayout
from ..model import CellValue, ChartSpec, Formula, Grid, col_letters, sheets_grid


def _cell_looks(grid: Grid) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """The number format of each Percent or date cell, and the bold Heading cells, 1-based."""
    formats: list[dict[str, Any]] = []
    bold: list[list[int]] = []
    for r, row in enumerate(grid, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            fmt = value_format(value) or {}
            if "numberFormat" in fmt:
                formats.append({"row": r, "col": c, "pattern": fmt["numberFormat"]["pattern"]})
            if fmt.get("textFormat", {}).get("bold"):
                bold.append([r, c])
    return formats, bold


def wire_value(value: CellValue) -> Any:
    """A cell of the layout's and the plan's tabs: the RAW encoding, or a formula as {"formula": "=…"} in Sheets'
    syntax, which the add-on's setValues enters as a person would type it."""
    if isinstance(value, Formula):
        return {"formula": "=" + value.sheets} if value.sheets else ""
    return api_value(value)


def area_a1(area: Area, rows: int) -> str:
    """An area of a tab laid out with `rows` rows in A1: `L2:L50`, or `L2:L` when it is meant for whole columns
    or reaches those rows, as grid_range leaves out its end row (Sheets and Apps Script's getRange read `L2:L`
    down to the last row)."""
    if "endRowIndex" in grid_range(0, area, rows):
        return a1(area)
    return f"{col_letters(area.first_col)}{area.first_row}:{col_letters(area.last_col)}"


def _colour_rule(rule: ColourRule, rows: int) -> dict[str, Any]:
    kind, value = rule_condition(rule)
    formula = value if kind == "CUSTOM_FORMULA" else None
    return {"range": area_a1(rule.area, rows), "formula": formula, "text": None if formula else value,
            "colour": rule.colour}


def tab_json(tab: TabLayout, layout: Layout | None = None) -> dict[str, Any]:
    """One tab of the layout JSON of PROTOCOL.md: the rows the Google backend creates it with, and its areas."""
    charts = [c for c in layout.charts if c.tab == tab.name] if layout else []
    rows, cols = laid_out_rows(tab, layout), tab_cols(tab, charts)
    cell_formats, bold = _cell_looks(tab.grid)
    fills = tab.header_fills if tab.header_row is not None else []
    return {
        "key": tab.key, "name": tab.name, "after": tab.after, "rows": rows, "cols": cols, "hidden": tab.hidden,
        "tab_colour": tab.tab_colour, "frozen_rows": tab.frozen_rows,
        "widths": [w * PIXELS_PER_CHAR for w in tab.widths],
        "values": [[wire_value(v) for v in row] for row in sheets_grid(tab.grid)],
        "cell_formats": cell_formats,
        "bold": bold,
        "header_fills": [{"row": tab.header_row, "col": col, "colour": colour} for col, colour in fills],
        # Whole columns, header included, as the Google backend's repeatCell ranges; header fills wrap too.
        "right": [area_a1(area, rows) for area in right_areas(tab, rows)],
        "wrap": [area_a1(Area(1, rows, c, c), rows) for c in tab.wrap_cols],
        "hidden_cols": list(tab.hidden_cols),
        # `number` formats have no pattern: the spreadsheet locale's own is left in place.
        "formats": [{"range": area_a1(f.area, rows), "pattern": NUMBER_FORMATS[f.kind]["pattern"]}
                    for f in tab.formats if "pattern" in NUMBER_FORMATS[f.kind]],
        "dropdowns": [{"range": area_a1(d.area, rows), "values": None if source_a1(d) else list(d.values),
                       "source": source_a1(d), "strict": d.strict, "help": d.help} for d in tab.dropdowns],
        "colour_rules": [_colour_rule(rule, rows) for rule in tab.colour_rules],
        "protections": [{"range": area_a1(p.area, rows) if p.area else None, "description": p.description}
                        for p in tab.protections],
    }


def chart_json(chart: ChartSpec) -> dict[str, Any]:
    """A chart of the layout JSON: labels and series as A1 ranges of its tab from the header row (one header),
    each series with its colour, stacked columns unless drawn as a line; anchored at a cell."""
    def column(col: int) -> str:
        return a1(Area(chart.header_row, chart.last_row, col, col))

    series = [{"range": column(s.col), "colour": s.colour, "line": s.line} for s in chart.series]
    return {"tab": chart.tab, "title": chart.title, "labels": column(chart.label_col), "series": series,
            "row": chart.anchor_row, "col": chart.anchor_col}


def room_json() -> dict[str, float]:
    """How tabs grow (sync/backends/gsheets_growth.py), for the add-on to grow its tabs by the same numbers: a
    tab of `used` rows gets max(min, per_row × used, rounded down) free rows (service tabs: service_per_row),
    and grows back to that when its free rows fall under that room // grow_under."""
    return {"min": SPARE_MIN, "per_row": PER_ROW, "service_per_row": SERVICE_PER_ROW, "grow_under": GROW_UNDER}


def layout_json(layout: Layout) -> dict[str, Any]:
    """The whole layout JSON of PROTOCOL.md."""
    return {
        "title": layout.title, "lang": layout.lang, "locale": layout.locale, "time_zone": layout.time_zone,
        "room": room_json(),
        "tabs": [tab_json(tab, layout) for tab in layout.tabs],
        "charts": [chart_json(chart) for chart in layout.charts],
    }
