"""A1 notation: parse `'Check-ins Ventes'!A2:Q` into indexes; write ranges back as Google does."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$|^[Rr]\d*[Cc]\d*$|^(TRUE|FALSE)$", re.IGNORECASE)


@dataclass(frozen=True)
class A1Range:
    """A parsed A1 range: sheet title (None when absent) and 0-based half-open bounds (None = unbounded)."""

    sheet: str | None
    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None
    has_cells: bool = False


def col_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def col_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26."""
    value = 0
    for char in letters.upper():
        value = value * 26 + ord(char) - ord("A") + 1
    return value - 1


def split_sheet(text: str) -> tuple[str | None, str | None]:
    """Split `'It''s'!A1` into (title, cells); a bare string gives (None, text) and the caller decides."""
    if text.startswith("'"):
        i, title = 1, []
        while i < len(text):
            if text[i] == "'":
                if text[i + 1 : i + 2] == "'":
                    title.append("'")
                    i += 2
                    continue
                break
            title.append(text[i])
            i += 1
        rest = text[i + 1 :]
        if rest.startswith("!"):
            return "".join(title), rest[1:] or None
        if not rest:
            return "".join(title), None
        raise ValueError(text)
    if "!" in text:
        bare, _, cells = text.rpartition("!")
        return bare, cells or None
    return None, text


def parse_cells(cells: str) -> A1Range:
    """Parse the cell part (`A1`, `A2:Q`, `A:A`, `2:5`) into bounds; raise ValueError when it is not A1."""
    first, _, second = cells.partition(":")
    m1 = _CELL.match(first)
    m2 = _CELL.match(second) if second else m1
    if not m1 or not m2 or not (m1.group(1) or m1.group(2)) or not (m2.group(1) or m2.group(2)):
        raise ValueError(cells)
    c1, r1 = m1.group(1), m1.group(2)
    c2, r2 = m2.group(1), m2.group(2)
    if not second and not (c1 and r1):
        raise ValueError(cells)
    if (r1 and int(r1) == 0) or (r2 and int(r2) == 0):
        raise ValueError(cells)
    start_row = int(r1) - 1 if r1 else (0 if c1 else None)
    end_row = int(r2) if r2 else None
    start_col = col_index(c1) if c1 else (0 if r1 else None)
    end_col = col_index(c2) + 1 if c2 else None
    if start_row is None and end_row is not None:
        start_row = 0
    if start_col is None and end_col is not None:
        start_col = 0
    if start_row is not None and end_row is not None and end_row < start_row + 1:
        start_row, end_row = end_row - 1, start_row + 1
    if start_col is not None and end_col is not None and end_col < start_col + 1:
        start_col, end_col = end_col - 1, start_col + 1
    return A1Range(None, start_row, end_row, start_col, end_col, has_cells=True)


def parse(text: str, titles: list[str]) -> A1Range:
    """Parse a full A1 range against the spreadsheet's sheet titles (a bare title wins over a cell name)."""
    title, cells = split_sheet(text)
    if title is None:
        if text in titles:
            return A1Range(text)
        parsed = parse_cells(text)
        return A1Range(
            titles[0] if titles else None,
            parsed.start_row,
            parsed.end_row,
            parsed.start_col,
            parsed.end_col,
            True,
        )
    if cells is None:
        return A1Range(title)
    parsed = parse_cells(cells)
    return A1Range(title, parsed.start_row, parsed.end_row, parsed.start_col, parsed.end_col, True)


def quote_title(title: str) -> str:
    """Quote a sheet title the way Google writes it in responses (plain ASCII names stay bare)."""
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, start_row: int, end_row: int, start_col: int, end_col: int) -> str:
    """Bounded 0-based half-open indexes → `Sheet1!A1:D2` (a single cell is written `A1`)."""
    first = f"{col_letters(start_col)}{start_row + 1}"
    last = f"{col_letters(end_col - 1)}{end_row}"
    cells = first if first == last else f"{first}:{last}"
    return f"{quote_title(title)}!{cells}"
