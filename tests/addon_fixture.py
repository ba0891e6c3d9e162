"""The demo workbook and a synced .xlsx as JSON, for the add-on's end-to-end test (addon/tests/e2e.test.js).

`python -m tests.addon_fixture demo fr` prints the unsynced demo as the add-on's fake spreadsheet needs it:
each tab's size, cells (dates as {"date": ISO}, text, numbers) and number formats (column ranges and single
cells, as the layout gives them to the add-on). `python -m tests.addon_fixture xlsx <path>` prints every
tab of a workbook file as a grid: dates as ISO strings, numbers as numbers, empty cells as null.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

from sync.backends.memory import MemoryBackend
from sync.layout.demo import AS_OF, demo_layout
from sync.model import Formula, sheets_grid
from sync.wire.layout import tab_json


def _cell(value: Any) -> Any:
    """A layout or file cell as JSON: dates as {"date": ISO} (or ISO text with `plain_dates`), the rest as is."""
    if isinstance(value, dt.datetime):
        return {"date": value.date().isoformat()} if value.time() == dt.time() else {"date": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, bool) or value is None or isinstance(value, Formula):
        # A formula's value, which no fake computes: the Lists tab, which the spreadsheet keeps and no sync writes.
        return None if isinstance(value, Formula) else value
    if isinstance(value, int | float):
        return float(value) if not float(value).is_integer() else int(value)
    return str(value)


def demo_json(lang: str) -> dict[str, Any]:
    """The demo as laid out (before any sync), through the reference in-memory backend."""
    layout = demo_layout(lang)
    memory = MemoryBackend()
    memory.provision(layout)
    tabs = []
    for tab in layout.tabs:
        wire = tab_json(tab)
        grid = sheets_grid(memory.tabs[tab.name])  # as a spreadsheet holds it: no row only the file computes
        tabs.append({
            "name": tab.name,
            "rows": wire["rows"],
            "cols": wire["cols"],
            "values": [[_cell(v) for v in row] for row in grid],
            "formats": wire["formats"],
            "cell_formats": wire["cell_formats"],
        })
    return {"title": layout.title, "lang": lang, "as_of": AS_OF.isoformat(), "tabs": tabs}


def xlsx_json(path: str) -> dict[str, Any]:
    """Every tab of an .xlsx file, values only."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    out = {}
    for sheet in book.worksheets:
        grid = [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        for row in grid:
            while row and row[-1] is None:
                row.pop()
        while grid and not grid[-1]:
            grid.pop()
        out[sheet.title] = [[c["date"] if isinstance(c, dict) else c for c in row] for row in grid]
    return {"tabs": out}


def main(argv: list[str]) -> None:
    """`demo <lang>` or `xlsx <path>`: print the JSON."""
    what, arg = argv[0], argv[1]
    data = demo_json(arg) if what == "demo" else xlsx_json(arg)
    json.dump(data, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
