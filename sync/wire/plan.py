"""A WritePlan as the add-on applies it: RAW cell values, the computed columns it may touch, padded service tabs."""

from __future__ import annotations

from typing import Any

from ..backends.gsheets_values import api_value, padded_size, padded_values
from ..model import Snapshot, WritePlan, has_formulas, sheets_grid
from ..parsing.workbook import Workbook
from ..template import catalog
from .layout import chart_json, room_json, tab_json, wire_value


def computed_columns(wb: Workbook) -> dict[str, list[int]]:
    """For each people tab read (OKRs, check-ins, people tables), the 1-based columns that are computed, wherever
    they moved."""
    lang = wb.settings.lang
    tables = {name: key for key, name in wb.table_tabs.items()}
    found: dict[str, list[int]] = {}
    for tab, columns in wb.columns.items():
        key = "okrs" if tab == wb.okr_tab else tables.get(tab, "checkins")
        cols = sorted(columns[c.key] for c in catalog.columns(key, lang) if c.computed and c.key in columns)
        if cols:
            found[tab] = cols
    return found


def plan_json(plan: WritePlan, snapshot: Snapshot, computed: dict[str, list[int]]) -> dict[str, Any]:
    """The plan of PROTOCOL.md: cells, computed columns, service tabs padded over what they held, charts, room."""
    tabs = []
    for name, grid in ((n, sheets_grid(g) if has_formulas(g) else g) for n, g in plan.tabs.items()):
        before = snapshot.tabs.get(name)
        rows, cols = padded_size(grid, before.grid if before else None)
        tabs.append({"name": name, "values": padded_values(grid, rows, cols, wire_value)})
    return {
        "cells": [{"tab": w.tab, "row": w.row, "col": w.col, "value": api_value(w.value)} for w in plan.cells],
        "computed": computed,
        "tabs": tabs,
        "charts": [chart_json(chart) for chart in plan.charts],
        # Check-in tabs to lay out before the rest is written, as the set-up lays them out.
        "new_tabs": [tab_json(tab) for tab in plan.new_tabs],
        # How the add-on grows the tabs it writes, by the Google backend's numbers.
        "room": room_json(),
    }
