"""The add-on's snapshot JSON as a Snapshot: cells typed as the Google backend types them, every flaw a 400."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from ..backends.gsheets_values import from_serial
from ..errors import BadArgument
from ..model import CellValue, Grid, Percent, Snapshot, Tab, trimmed

#: Bounds well above a real workbook's (Sheets itself holds 10 million cells, 50 000 characters a cell),
#: so that one request can never make the service build something unbounded.
MAX_TABS = 200
MAX_ROWS = 100_000
MAX_COLS = 2_000
MAX_CELLS = 2_000_000
MAX_TEXT = 50_000
MAX_TAB_NAME = 100
MAX_FORMAT = 200
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SPREADSHEET_ID = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
#: A number format's literal parts: quoted text, an escaped character, a bracketed colour or locale.
_LITERALS = re.compile(r'"[^"]*"?|\\.|\[[^\]]*\]?')


@dataclass(frozen=True)
class Spreadsheet:
    """What the add-on says about the spreadsheet besides its tabs."""

    id: str
    title: str
    locale: str | None
    time_zone: str | None


def format_kind(pattern: str) -> str | None:
    """"percent" when `%` is outside quotes, "date" when `d` or `y` is, else None (a plain number)."""
    bare = _LITERALS.sub("", pattern).lower()
    if "%" in bare:
        return "percent"
    if "d" in bare or "y" in bare:
        return "date"
    return None


class _Reader:
    """Walks the snapshot with a path for every message, and counts cells against the limits."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.cells = 0

    def fail(self, key: str, path: str, **params: Any) -> BadArgument:
        return BadArgument(f"wire.{key}", self.lang, path=path, **params)

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail("not_object", path)
        return value

    def items(self, value: Any, path: str, limit: int) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail("not_list", path)
        if len(value) > limit:
            raise self.fail("too_many", path, limit=limit)
        return value

    def text(self, value: Any, path: str, limit: int, required: bool = True) -> str | None:
        if value is None and not required:
            return None
        if value is None:
            raise self.fail("missing", path)
        if not isinstance(value, str):
            raise self.fail("not_text", path)
        if len(value) > limit:
            raise self.fail("too_long", path, limit=limit)
        return value

    def cell(self, value: Any, pattern: str, path: str) -> CellValue:
        """One cell as the engine sees it (the rules of `gsheets.cell_value`, on the add-on's encoding)."""
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise self.fail("too_long", path, limit=MAX_TEXT)
            return value or None  # the add-on also sends an empty cell as ""
        if isinstance(value, int | float):
            return self.number(value, pattern, path)
        if isinstance(value, dict) and set(value) == {"date"}:
            return self.day(value["date"], path + ".date")
        raise self.fail("bad_cell", path)

    def number(self, value: int | float, pattern: str, path: str) -> CellValue:
        try:
            number = float(value)
        except OverflowError:
            raise self.fail("bad_number", path) from None
        if not math.isfinite(number):
            raise self.fail("bad_number", path)
        kind = format_kind(pattern) if pattern else None
        if kind == "percent":
            return Percent(number)
        if kind == "date":
            try:
                return from_serial(number)
            except (OverflowError, ValueError):
                return number
        return int(number) if number.is_integer() and abs(number) < 2**53 else number

    def day(self, value: Any, path: str) -> dt.date:
        if isinstance(value, str) and _ISO_DAY.match(value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail("bad_date", path, value=str(value)[:40])

    def tab(self, raw: Any, path: str) -> Tab:
        found = self.obj(raw, path)
        name = self.text(found.get("name"), path + ".name", MAX_TAB_NAME)
        assert name is not None
        if not name.strip():
            raise self.fail("missing", path + ".name")
        if "values" not in found:
            raise self.fail("missing", path + ".values")
        rows = self.items(found["values"], path + ".values", MAX_ROWS)
        formats = self.items(found.get("formats") or [], path + ".formats", MAX_ROWS)
        grid: Grid = []
        for r, raw_row in enumerate(rows):
            row_path = f"{path}.values[{r}]"
            cells = self.items(raw_row, row_path, MAX_COLS)
            self.cells += len(cells)
            if self.cells > MAX_CELLS:
                raise self.fail("too_many_cells", "snapshot.tabs", limit=MAX_CELLS)
            patterns = self.patterns(formats[r] if r < len(formats) else [], f"{path}.formats[{r}]")
            grid.append([self.cell(v, patterns[c] if c < len(patterns) else "", f"{row_path}[{c}]")
                         for c, v in enumerate(cells)])
        return Tab(name, trimmed(grid))

    def patterns(self, raw: Any, path: str) -> list[str]:
        found = self.items(raw, path, MAX_COLS)
        return [self.text(p, f"{path}[{c}]", MAX_FORMAT, required=False) or "" for c, p in enumerate(found)]


def read_snapshot(raw: Any, lang: str) -> tuple[Snapshot, Spreadsheet]:
    """The snapshot JSON of PROTOCOL.md as a Snapshot and its spreadsheet; BadArgument naming any flaw."""
    reader = _Reader(lang)
    body = reader.obj(raw, "snapshot")
    sheet = reader.obj(body.get("spreadsheet"), "snapshot.spreadsheet")
    sid = reader.text(sheet.get("id"), "snapshot.spreadsheet.id", 200)
    if not _SPREADSHEET_ID.match(sid or ""):
        raise reader.fail("bad_id", "snapshot.spreadsheet.id")
    title = reader.text(sheet.get("title"), "snapshot.spreadsheet.title", 1000, required=False) or ""
    locale = reader.text(sheet.get("locale"), "snapshot.spreadsheet.locale", 40, required=False)
    zone = reader.text(sheet.get("time_zone"), "snapshot.spreadsheet.time_zone", 100, required=False)
    tabs: dict[str, Tab] = {}
    for i, raw_tab in enumerate(reader.items(body.get("tabs"), "snapshot.tabs", MAX_TABS)):
        tab = reader.tab(raw_tab, f"snapshot.tabs[{i}]")
        if tab.name in tabs:
            raise reader.fail("duplicate_tab", f"snapshot.tabs[{i}].name", name=tab.name)
        tabs[tab.name] = tab
    assert sid is not None
    return Snapshot(title, tabs, locale or None), Spreadsheet(sid, title, locale or None, zone or None)
