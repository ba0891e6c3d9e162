"""The fake's state: spreadsheets, sheets, sparse cells, and how rows and columns move as Google moves them.

Cells are stored sparsely as CellData-shaped dicts keyed by 0-based (row, column). Inserting or deleting
rows re-keys the cells and shifts everything anchored to rows: row properties, developer metadata located
on rows, protected ranges, conditional-format ranges and merges. Sorting moves cells and row properties;
developer metadata stays with the row index (see permute_rows).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import a1
from .errors import GoogleError, invalid_argument

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}
ROW_PIXELS, COLUMN_PIXELS = 21, 100
_AXIS = {"ROWS": ("startRowIndex", "endRowIndex"), "COLUMNS": ("startColumnIndex", "endColumnIndex")}


@dataclass
class Sheet:
    """One tab: SheetProperties plus everything that lives on its grid."""

    properties: dict[str, Any]
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    row_props: dict[int, dict[str, Any]] = field(default_factory=dict)
    col_props: dict[int, dict[str, Any]] = field(default_factory=dict)
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    protected_ranges: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)
    merges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sheet_id(self) -> int:
        """The sheetId."""
        return int(self.properties["sheetId"])

    @property
    def title(self) -> str:
        """The tab's title."""
        return str(self.properties["title"])

    @property
    def grid(self) -> dict[str, Any]:
        """gridProperties (created on demand)."""
        return self.properties.setdefault("gridProperties", {"rowCount": 1000, "columnCount": 26})

    @property
    def row_count(self) -> int:
        """Number of rows in the grid."""
        return int(self.grid.get("rowCount", 0))

    @property
    def col_count(self) -> int:
        """Number of columns in the grid."""
        return int(self.grid.get("columnCount", 0))

    def bounds(self, rng: dict[str, Any]) -> tuple[int, int, int, int]:
        """A GridRange's (row0, row1, col0, col1), unbounded sides closed at the grid's edges."""
        return (
            int(rng.get("startRowIndex") or 0),
            int(rng.get("endRowIndex", self.row_count)),
            int(rng.get("startColumnIndex") or 0),
            int(rng.get("endColumnIndex", self.col_count)),
        )

    def beyond_grid(self, cells: str) -> GoogleError:
        """Google's 400 for a range past the grid."""
        return invalid_argument(
            f"Range ('{self.title}'!{cells}) exceeds grid limits. "
            f"Max rows: {self.row_count}, max columns: {self.col_count}"
        )

    def a1(self, r0: int, r1: int, c0: int, c1: int) -> str:
        """Bounded indexes → `'Title'!A1:B2`."""
        return a1.format_range(self.title, r0, r1, c0, c1)


@dataclass
class Spreadsheet:
    """A spreadsheet (and its Drive file): properties, tabs, developer metadata, sharing."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)
    metadata: dict[int, dict[str, Any]] = field(default_factory=dict)
    permissions: list[dict[str, Any]] = field(default_factory=list)
    private: bool = False
    created_time: str = "2025-01-06T09:00:00.000Z"
    modified_time: str = "2025-01-06T09:00:00.000Z"
    ids: random.Random = field(default_factory=lambda: random.Random(0))

    @property
    def locale(self) -> str:
        """The spreadsheet locale, e.g. fr_CA."""
        return str(self.properties.get("locale", "en_US"))

    def titles(self) -> list[str]:
        """Sheet titles in tab order."""
        return [s.title for s in self.sheets]

    def sheet_by_id(self, sheet_id: int | None) -> Sheet:
        """The sheet with this id (a missing id means the first sheet, as GridRange does); 400 if none."""
        for sheet in self.sheets:
            if sheet.sheet_id == int(sheet_id or 0):
                return sheet
        raise invalid_argument(f"Invalid requests: No grid with id: {sheet_id}")

    def sheet_by_title(self, title: str) -> Sheet | None:
        """The sheet with this title, or None."""
        return next((s for s in self.sheets if s.title == title), None)

    def new_id(self) -> int:
        """A fresh random positive int32 id, like Google's sheetIds and metadataIds."""
        return self.ids.randint(1, 2**31 - 1)

    def reindex(self) -> None:
        """Renumber SheetProperties.index after tabs were added, moved or deleted."""
        for i, sheet in enumerate(self.sheets):
            sheet.properties["index"] = i

    def resolve(self, text: str) -> tuple[Sheet, int, int, int, int]:
        """A1 text → (sheet, row0, row1, col0, col1); open sides end at the grid's edge.

        400 when it does not parse, names no sheet, or its explicit bounds pass the grid (as Google,
        for reads and writes alike).
        """
        try:
            parsed = a1.parse(text, self.titles())
        except ValueError:
            raise invalid_argument(f"Unable to parse range: {text}") from None
        sheet = self.sheet_by_title(parsed.sheet) if parsed.sheet is not None else None
        if sheet is None:
            raise invalid_argument(f"Unable to parse range: {text}")
        r0, c0 = parsed.start_row or 0, parsed.start_col or 0
        r1 = parsed.end_row if parsed.end_row is not None else max(sheet.row_count, r0)
        c1 = parsed.end_col if parsed.end_col is not None else max(sheet.col_count, c0)
        if r1 > sheet.row_count or c1 > sheet.col_count:
            raise sheet.beyond_grid(a1.split_sheet(text)[1] or text)
        return sheet, r0, r1, c0, c1


def remap(index: int, at: int, n: int) -> int:
    """Where an index (or an exclusive end) lands after inserting n (n > 0) or deleting -n lines at `at`."""
    if n >= 0:
        return index + n if index >= at else index
    end = at - n
    if index <= at:
        return index
    return at if index <= end else index + n


def _remap_end(index: int, at: int, n: int) -> int:
    if n >= 0:
        return index + n if index > at else index
    return remap(index, at, n)


def shift_range(rng: dict[str, Any], dimension: str, at: int, n: int) -> bool:
    """Shift a GridRange in place for an insertion/deletion; False when a deletion emptied it."""
    start_key, end_key = _AXIS[dimension]
    if start_key in rng:
        rng[start_key] = remap(int(rng[start_key]), at, n)
    if end_key in rng:
        rng[end_key] = _remap_end(int(rng[end_key]), at, n)
    return not (start_key in rng and end_key in rng and rng[start_key] >= rng[end_key])


def _rekey(mapping: dict[Any, Any], move: Callable[[Any], Any | None]) -> dict[Any, Any]:
    moved = {}
    for key, value in mapping.items():
        new = move(key)
        if new is not None:
            moved[new] = value
    return moved


def change_dimension(book: Spreadsheet, sheet: Sheet, dimension: str, at: int, n: int) -> None:
    """Insert n (> 0) or delete -n rows/columns at index `at`, moving everything anchored to them."""
    rows = dimension == "ROWS"
    gone = range(at, at - n) if n < 0 else range(0)

    def move_line(i: int) -> int | None:
        return None if i in gone else remap(i, at, n)

    def move_cell(key: tuple[int, int]) -> tuple[int, int] | None:
        line = move_line(key[0] if rows else key[1])
        if line is None:
            return None
        return (line, key[1]) if rows else (key[0], line)

    sheet.cells = _rekey(sheet.cells, move_cell)
    if rows:
        sheet.row_props = _rekey(sheet.row_props, move_line)
    else:
        sheet.col_props = _rekey(sheet.col_props, move_line)
    count_key = "rowCount" if rows else "columnCount"
    sheet.grid[count_key] = int(sheet.grid.get(count_key, 0)) + n
    for rule in sheet.conditional_formats:
        rule["ranges"] = [r for r in rule.get("ranges", []) if shift_range(r, dimension, at, n)]
    sheet.conditional_formats = [r for r in sheet.conditional_formats if r.get("ranges")]
    sheet.protected_ranges = [
        p for p in sheet.protected_ranges if "range" not in p or shift_range(p["range"], dimension, at, n)
    ]
    sheet.merges = [m for m in sheet.merges if shift_range(m, dimension, at, n)]
    for metadata_id, meta in list(book.metadata.items()):
        dim = meta["location"].get("dimensionRange")
        if dim and dim.get("sheetId", 0) == sheet.sheet_id and dim.get("dimension") == dimension:
            start, end = remap(dim["startIndex"], at, n), _remap_end(dim["endIndex"], at, n)
            if start >= end:
                del book.metadata[metadata_id]
            else:
                dim["startIndex"], dim["endIndex"] = start, end


def inherit_formats(sheet: Sheet, at: int, n: int, source: int) -> None:
    """Give n new rows at `at` the formats and data validation of row `source`, as inserted rows get."""
    for (row, col), cell in list(sheet.cells.items()):
        if row != source:
            continue
        kept = {k: copy.deepcopy(v) for k, v in cell.items() if k in ("userEnteredFormat", "dataValidation")}
        if kept:
            for new_row in range(at, at + n):
                sheet.cells[(new_row, col)] = copy.deepcopy(kept)


def permute_rows(book: Spreadsheet, sheet: Sheet, r0: int, order: list[int], c0: int, c1: int) -> None:
    """Rows r0.. get the content of rows `order` (sort): cells move, row properties follow a full-width move.

    Developer metadata on rows stays with the row index: nothing in Google's documentation says it follows a
    sortRange (it does follow inserts and deletes), so the fake takes the pessimistic reading.
    """
    new_of_old = {old: r0 + i for i, old in enumerate(order)}
    inside = {k: v for k, v in sheet.cells.items() if k[0] in new_of_old and c0 <= k[1] < c1}
    rest = {k: v for k, v in sheet.cells.items() if k not in inside}
    sheet.cells = rest | {(new_of_old[row], col): cell for (row, col), cell in inside.items()}
    if c0 > 0 or c1 < sheet.col_count:
        return
    sheet.row_props = {new_of_old.get(r, r): p for r, p in sheet.row_props.items()}
