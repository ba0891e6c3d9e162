"""A workbook held in memory: the reference backend for tests, and for evaluating a layout without a file."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from ..layout.build import Layout
from ..model import CellValue, Grid, Snapshot, Tab, WritePlan, WriteResult


class MemoryBackend:
    """Tabs as lists of rows; `apply` writes exactly the plan, like the real backends."""

    def __init__(self, title: str = "workbook", tabs: dict[str, Grid] | None = None) -> None:
        self.location = f"memory:{title}"
        self.title = title
        self.tabs: dict[str, Grid] = tabs or {}
        self.writes = 0

    def provision(self, layout: Layout, overwrite: bool = False) -> str:
        self.title = layout.title
        self.tabs = {t.name: copy.deepcopy(t.grid) for t in layout.tabs}
        return self.location

    def read(self) -> Snapshot:
        return Snapshot(self.title, {name: Tab(name, copy.deepcopy(g)) for name, g in self.tabs.items()})

    def set(self, tab: str, row: int, col: int, value: CellValue) -> None:
        """Put a value at 1-based (row, col), growing the grid as a sheet would."""
        put(self.tabs[tab], row, col, value)

    def append_row(self, tab: str, values: list[CellValue]) -> int:
        """Type a row under the last one; return its sheet row."""
        grid = self.tabs[tab]
        row = len(grid) + 1
        for col, value in enumerate(values, start=1):
            self.set(tab, row, col, value)
        return row

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        for tab in plan.new_tabs:
            self.tabs.setdefault(tab.name, copy.deepcopy(tab.grid))
        for w in plan.cells:
            self.set(w.tab, w.row, w.col, w.value)
        for name, grid in plan.tabs.items():
            self.tabs[name] = copy.deepcopy(grid)
        self.writes += 1
        return WriteResult(cells=plan.cell_count(), write_calls=0)

    def api_calls(self) -> tuple[int, int]:
        return (0, 0)

    @contextmanager
    def lock(self) -> Iterator[None]:
        yield


def put(grid: Grid, row: int, col: int, value: CellValue) -> None:
    """Put a value at 1-based (row, col) of a grid, growing it as a sheet would."""
    while len(grid) < row:
        grid.append([])
    line = grid[row - 1]
    while len(line) < col:
        line.append(None)
    line[col - 1] = value
