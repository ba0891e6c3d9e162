"""Plain data shared by every stage: cell values, snapshots, problems, write plans."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import chain
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from .layout.model import TabLayout

#: What a cell holds once a backend has read it: text, a number, a date, a boolean, or nothing.
CellValue = Any
Grid = list[list[CellValue]]

Severity = Literal["error", "warning"]
STATUSES = ("green", "yellow", "red", "none")


class Percent(float):
    """A number the sheet holds formatted as a percentage: 0.215 shown as `21,5 %`.

    Backends return it when they read a percent-formatted cell, and write a percent format for it.
    """

    # No per-instance dict: a sync makes one for each computed percentage, up to millions.
    __slots__ = ()

    def __repr__(self) -> str:
        return f"Percent({float(self)!r})"


class Heading(str):
    """Text a backend renders as a section heading (bold) on a service tab."""

    __slots__ = ()


@dataclass(frozen=True)
class Formula:
    """A cell the spreadsheet computes itself, written in each application's syntax, without the leading "=":
    `sheets` for Google Sheets, `xlsx` for the file Excel and LibreOffice open; None where that application
    needs no formula in this cell (a Sheets formula can fill the cells below it)."""

    sheets: str | None
    xlsx: str | None


def has_formulas(grid: Grid) -> bool:
    """Whether a tab's grid holds formulas: a values write would store them as text."""
    return Formula in set(map(type, chain.from_iterable(grid)))  # at C speed: History has 100 000s of cells


def sheets_grid(grid: Grid) -> Grid:
    """A grid as Google Sheets holds it: a formula only the file needs is an empty cell, and the empty cells and
    rows past the last one holding something are left out (the Lists tab: a FILTER fills the rows below it)."""
    return trimmed([[None if isinstance(v, Formula) and not v.sheets else v for v in row] for row in grid])


def col_letters(col: int) -> str:
    """A 1-based column as A1 notation writes it: 1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


@dataclass
class Tab:
    """One tab as read: its name and its cells, row 1 first, ragged rows allowed."""

    name: str
    grid: Grid

    def cell(self, row: int, col: int) -> CellValue:
        """The value at 1-based (row, col), None when outside the grid."""
        if row < 1 or col < 1 or row > len(self.grid):
            return None
        line = self.grid[row - 1]
        return line[col - 1] if col <= len(line) else None


@dataclass
class Snapshot:
    """Everything a sync reads from a workbook, in one go."""

    title: str
    tabs: dict[str, Tab]
    #: Sheets' spreadsheet locale (e.g. "fr_CA"), when the backend knows it.
    locale: str | None = None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a row: where, a stable code, how bad, and a message in the workbook's language."""

    tab: str
    row: int
    column: str
    code: str
    severity: Severity
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "tab": self.tab,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
        }


class CellWrite(NamedTuple):
    """A computed cell to write: tab, 1-based row and column, value."""

    # A named tuple rather than a frozen dataclass: as immutable, and a first sync of a big workbook makes
    # millions of them, five times faster.

    tab: str
    row: int
    col: int
    value: CellValue


@dataclass(frozen=True)
class ChartSeries:
    """One column of values a chart draws, in its colour: stacked columns, or a line across them."""

    col: int
    colour: str
    line: bool = False


@dataclass
class ChartSpec:
    """A column chart on a service tab: labels and series are 1-based columns over the same rows.

    `header_row` names each series (the legend) and the label column; the values are the rows under it, from
    `first_row` (the header's next row) to `last_row`. Column series stack; a line series is drawn across them.
    """

    tab: str
    title: str
    label_col: int
    header_row: int
    last_row: int
    anchor_row: int
    anchor_col: int
    series: tuple[ChartSeries, ...]

    @property
    def first_row(self) -> int:
        """The first row of values, under the header."""
        return self.header_row + 1


@dataclass
class WritePlan:
    """What a sync writes: computed cells of input tabs, service tabs replaced whole, and check-in tabs to lay out
    first (a team's typed into Settings without one, the organisation's in a workbook made before it had one)."""

    cells: list[CellWrite] = field(default_factory=list)
    tabs: dict[str, Grid] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)
    new_tabs: list[TabLayout] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.cells and not self.tabs and not self.new_tabs

    def cell_count(self) -> int:
        """How many cells the plan writes (service tabs counted cell by cell)."""
        return len(self.cells) + sum(len(row) for grid in self.tabs.values() for row in grid)


@dataclass
class WriteResult:
    """What a backend did with a plan."""

    cells: int = 0
    read_calls: int = 0
    write_calls: int = 0


def trimmed(grid: Grid) -> Grid:
    """The grid without trailing empty cells and rows, as every backend reads it (in place, and returned)."""
    for row in grid:
        while row and row[-1] is None:
            row.pop()
    while grid and not grid[-1]:
        grid.pop()
    return grid


def _as_date(value: CellValue) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else None
    if isinstance(value, dt.date):
        return value
    return None


def same_cell(a: CellValue, b: CellValue) -> bool:
    """Whether two cell values show the same thing, so that rewriting one over the other is a no-op."""
    if a is None or a == "":
        return b is None or b == ""
    if b is None or b == "":
        return False
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (isinstance(a, bool) and isinstance(b, bool) and a == b)
    da, db = _as_date(a), _as_date(b)
    if da is not None or db is not None:
        return da == db and da is not None
    if isinstance(a, int | float) and isinstance(b, int | float):
        if isinstance(a, Percent) != isinstance(b, Percent):
            return False
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return False
