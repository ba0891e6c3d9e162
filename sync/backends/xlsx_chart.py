"""The org tab's chart in an openpyxl workbook: stacked columns in each status's colour, the expected line across."""

from __future__ import annotations

from collections import Counter

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.chart.marker import Marker
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..model import ChartSpec

PERCENT_FORMAT = "0%"
#: The expected line's width, in EMU (12 700 to the point).
LINE_WIDTH = 2 * 12700
MARKER_SIZE = 12
#: The chart's size in centimetres: wide enough for a dozen teams' names under their columns.
WIDTH_CM, HEIGHT_CM = 15, 8


def set_charts(wb: Workbook, charts: list[ChartSpec]) -> None:
    """Exactly these charts on their tabs: charts openpyxl read back from the file are replaced."""
    for name in Counter(spec.tab for spec in charts):
        if name in wb.sheetnames:
            # openpyxl reloads charts it can parse, so adding without clearing would stack copies.
            wb[name]._charts = []
    for spec in charts:
        if spec.tab in wb.sheetnames:
            ws = wb[spec.tab]
            ws.add_chart(chart_of(ws, spec), f"{get_column_letter(spec.anchor_col)}{spec.anchor_row}")


def chart_of(ws: Worksheet, spec: ChartSpec) -> BarChart:
    """Column series stacked (a team has a value under its status's column only, so its one column takes that
    colour), line series drawn over them on the same axes; each series named by its header cell (the legend)."""
    bars = BarChart()
    bars.type, bars.grouping, bars.overlap = "col", "stacked", 100
    bars.title = spec.title
    bars.width, bars.height = WIDTH_CM, HEIGHT_CM
    line = LineChart()
    for series in spec.series:
        target = line if series.line else bars
        target.add_data(Reference(ws, min_col=series.col, min_row=spec.header_row, max_row=spec.last_row),
                        titles_from_data=True)
        drawn = target.series[-1]
        colour = series.colour.lstrip("#").upper()
        drawn.graphicalProperties.line.solidFill = colour
        if series.line:
            drawn.graphicalProperties.line.width = LINE_WIDTH
            # A dash at each team's column, so the expected share shows even with a single team.
            drawn.marker = Marker(symbol="dash", size=MARKER_SIZE)
            drawn.marker.graphicalProperties = GraphicalProperties(solidFill=colour)
            drawn.marker.graphicalProperties.line.solidFill = colour
            drawn.smooth = False
        else:
            drawn.graphicalProperties.solidFill = colour
    labels = Reference(ws, min_col=spec.label_col, min_row=spec.first_row, max_row=spec.last_row)
    bars.set_categories(labels)
    bars.y_axis.scaling.min = 0
    bars.y_axis.scaling.max = 1
    bars.y_axis.number_format = PERCENT_FORMAT
    bars.legend.position = "b"
    # openpyxl 3.1 marks axes deleted by default: Excel then draws a chart with no labels.
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    if line.series:
        line.set_categories(labels)
        bars += line  # one plot area: the line shares the columns' axes (same axis ids)
    return bars
