"""The add-on's side of the wire, in Python: a Snapshot encoded as the add-on posts it, a plan applied as it would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sync.backends.gsheets_values import api_value
from sync.model import Grid, Percent, Snapshot

SPREADSHEET_ID = "1AbCdEfGhIjKlMnOp_qrs-TUV"


def cell_json(value: Any) -> tuple[Any, str]:
    """One cell as getValues() and getNumberFormats() give it, after the add-on's encoding."""
    if isinstance(value, dt.datetime):
        return {"date": value.date().isoformat()}, ""
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}, ""
    if isinstance(value, Percent):
        return float(value), "0%"
    if isinstance(value, bool) or value is None:
        return value, ""
    if isinstance(value, int | float):
        return value, "0.###"
    return str(value), ""


def snapshot_json(snapshot: Snapshot, spreadsheet_id: str = SPREADSHEET_ID, locale: str = "fr_CA") -> dict[str, Any]:
    """The snapshot JSON of PROTOCOL.md for a Snapshot: dates as {"date"}, Percent with a "0%" format."""
    tabs = []
    for tab in snapshot.tabs.values():
        encoded = [[cell_json(v) for v in row] for row in tab.grid]
        tabs.append({"name": tab.name, "values": [[v for v, _f in row] for row in encoded],
                     "formats": [[f for _v, f in row] for row in encoded]})
    return {"spreadsheet": {"id": spreadsheet_id, "title": snapshot.title, "locale": locale,
                            "time_zone": "America/Montreal"}, "tabs": tabs}


def as_api(grid: Grid) -> list[list[Any]]:
    """A grid as RAW values, trailing blanks dropped, so two grids compare whatever their padding."""
    rows = [[api_value(v) for v in row] for row in grid]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def apply_plan_json(tabs: dict[str, Grid], plan: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """What the add-on's setValues leave in the sheet after applying a plan, as RAW values."""
    sheet = {name: [[api_value(v) for v in row] for row in grid] for name, grid in tabs.items()}
    for cell in plan["cells"]:
        grid = sheet[cell["tab"]]
        while len(grid) < cell["row"]:
            grid.append([])
        line = grid[cell["row"] - 1]
        while len(line) < cell["col"]:
            line.append("")
        line[cell["col"] - 1] = cell["value"]
    for tab in plan["tabs"]:
        sheet[tab["name"]] = [list(row) for row in tab["values"]]
    return {name: as_api(grid) for name, grid in sheet.items()}
