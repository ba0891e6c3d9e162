"""Read every sheet of an .xlsx package straight from its XML: values as the engine wants them, fast.

openpyxl's read-only mode builds a cell object per cell and takes ~13 s on 100 000 check-in rows (there
is no lxml here), and even ElementTree's iterparse takes ~7 s. The sheets that Excel, LibreOffice and
openpyxl write have one regular shape (`<c r="B2" s="1" t="n"><v>…</v></c>`), which one bytes regex
scans in well under a second; any other shape falls back to ElementTree, so nothing is misread.
openpyxl still supplies the date-format rules and the serial-date conversion, so both paths agree.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from functools import cache
from html import unescape
from xml.etree import ElementTree as ET

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel

from ..model import CellValue, Grid, Percent

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" OOXML, which Excel can save
)
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
#: Quoted literals, escaped characters and [colour]/[locale] blocks of a number format do not scale it.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
#: One cell in the shape every common writer uses: reference first, optional formula, then value or text.
_CELL = re.compile(
    rb'<c r="([A-Z]+)(\d+)"(?: s="(\d+)")?(?: t="(\w+)")?([^>]*)>'
    rb'(?:<f[^>]*>[^<]*</f>|<f[^>]*/>)?(?:<v>([^<]*)</v>|<is><t[^>]*>([^<]*)</t></is>)?'
)


def read_sheets(archive: zipfile.ZipFile) -> list[tuple[str, Grid]]:
    """Every worksheet as (name, grid), in workbook order: cached formula values, trailing blanks trimmed."""
    book = _Book(archive)
    return [(name, book.grid(part)) for name, part in book.sheets]


def package_rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, part path) of one package part ("" for the package itself)."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    try:
        root = ET.fromstring(archive.read(rels))
    except KeyError:
        return {}
    out = {}
    for rel in root.iter(_PKG_REL):
        target = rel.get("Target", "")
        # Targets are relative to the part's folder, or absolute from the package root ("/xl/styles.xml").
        path = posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
        out[rel.get("Id", "")] = (rel.get("Type", ""), path)
    return out


def sheet_parts(archive: zipfile.ZipFile) -> tuple[str, list[tuple[str, str]], ET.Element]:
    """The workbook part, its worksheets as (name, part path) in order, and its parsed XML."""
    rels = package_rels(archive, "").values()
    main = next((path for kind, path in rels if kind.endswith("/officeDocument")), "")
    if not main:
        raise KeyError("no workbook part in the package")
    root = ET.fromstring(archive.read(main))
    ns = root.tag[1:].split("}", 1)[0]
    parts = package_rels(archive, main)
    sheets = []
    for sheet in root.iter(f"{{{ns}}}sheet"):
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        kind, path = parts.get(rid, ("", ""))
        if kind.endswith("/worksheet"):
            sheets.append((sheet.get("name", ""), path))
    return main, sheets, root


class _Book:
    """What decoding a sheet needs from the rest of the package: shared strings, formats, date epoch."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        main, self.sheets, root = sheet_parts(archive)
        self.ns = root.tag[1:].split("}", 1)[0]
        if self.ns not in _MAIN_NS:
            raise ValueError(f"not a SpreadsheetML workbook: {root.tag}")
        pr = root.find(self._t("workbookPr"))
        self.epoch = MAC_EPOCH if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
        parts = {kind.rsplit("/", 1)[-1]: path for kind, path in package_rels(archive, main).values()}
        self.strings = self._strings(parts.get("sharedStrings"))
        self.kinds = [_kind(fmt) for fmt in self._formats(parts.get("styles"))]
        self.dates: dict[bytes, CellValue] = {}

    def _t(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _text(self, item: ET.Element) -> str:
        """A string item's text: plain, or rich runs joined; phonetic guides (rPh) left out."""
        t, r = self._t("t"), self._t("r")
        return "".join(
            (child.text or "") if child.tag == t else "".join(x.text or "" for x in child.iter(t))
            for child in item
            if child.tag in (t, r)
        )

    def _strings(self, part: str | None) -> list[str]:
        if not part:
            return []
        return [self._text(si) for si in ET.fromstring(self.archive.read(part)).iter(self._t("si"))]

    def _formats(self, part: str | None) -> list[str]:
        """The number format of each cell style, by style index."""
        if not part:
            return []
        root = ET.fromstring(self.archive.read(part))
        custom = {int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(self._t("numFmt"))}
        xfs = root.find(self._t("cellXfs"))
        ids = [int(xf.get("numFmtId", "0")) for xf in (xfs if xfs is not None else ())]
        return [custom.get(i) or BUILTIN_FORMATS.get(i, "General") for i in ids]

    def grid(self, part: str) -> Grid:
        """One sheet's cells, row 1 first, trailing empty cells and rows dropped."""
        data = self.archive.read(part)
        found = self._fast_cells(data)
        if found is not None:
            return self._fast_grid(found)
        grid: Grid = []
        for row, col, value in self._slow_cells(data):
            _place(grid, row, col, value)
        return grid

    def _fast_grid(self, found: list[tuple[bytes, ...]]) -> Grid:
        """The grid from regex-found cells, in one tight loop with everything local: it runs per cell."""
        strings, number, typed = self.strings, self._number, self._typed
        kinds = {str(i).encode(): kind for i, kind in enumerate(self.kinds)}
        columns: dict[bytes, int] = {}
        grid: Grid = []
        line: list[CellValue] = []
        current = b""
        for letters, row, style, kind, rest, v, inline in found:
            if rest:
                style, kind = _attribute(rest, b"s", style), _attribute(rest, b"t", kind)
            value: CellValue
            if not kind or kind == b"n":
                if not v:
                    continue
                fmt = kinds.get(style, "") if style else ""
                value = (int(v) if v.isdigit() else number(v, "")) if not fmt else number(v, fmt)
            elif kind == b"inlineStr":
                if not inline:
                    continue
                value = inline.decode()
                if "&" in value:
                    value = unescape(value)
            elif not v:
                continue
            elif kind == b"s":
                value = strings[int(v)]
                if not value:
                    continue
            else:
                value = typed(kind.decode(), v.decode())
                if value is None:
                    continue
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = _column(letters.decode())
            if row != current:
                line, current = _line(grid, int(row)), row
            if col > len(line):
                if col > len(line) + 1:
                    line.extend([None] * (col - len(line) - 1))
                line.append(value)
            else:
                line[col - 1] = value
        return grid

    def _fast_cells(self, data: bytes) -> list[tuple[bytes, ...]] | None:
        """Every cell's raw parts by regex, or None when the sheet has a shape the regex does not cover."""
        start, end = data.find(b"<sheetData"), data.rfind(b"</sheetData>")
        if self.ns != _MAIN_NS[0] or start < 0 or end < 0:
            return None
        # Rich text runs, phonetic guides, values with attributes and cells not led by their reference
        # are left to ElementTree.
        if any(data.find(tag, start, end) >= 0 for tag in (b"<r>", b"<rPh", b"<v ")):
            return None
        found: list[tuple[bytes, ...]] = _CELL.findall(data, start, end)
        if len(found) != data.count(b"<c ", start, end) + data.count(b"<c>", start, end):
            return None
        return found

    def _number(self, v: bytes, kind: str) -> CellValue:
        if kind == "date":
            # The same week's date recurs thousands of times in a check-in log: convert each once.
            if v not in self.dates:
                try:
                    self.dates[v] = _day(from_excel(float(v), self.epoch))
                except (OverflowError, ValueError):
                    # A number typed into a date column that is no date at all: keep the number.
                    self.dates[v] = float(v)
            return self.dates[v]
        number: int | float = int(v) if v.isdigit() or (v[:1] == b"-" and v[1:].isdigit()) else float(v)
        return Percent(number) if kind == "percent" else number

    def _typed(self, kind: str, text: str) -> CellValue:
        """Booleans, ISO dates; a formula's text result and errors (#DIV/0!) read as text."""
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            return _day(dt.datetime.fromisoformat(text))
        text = unescape(text) if "&" in text else text
        return text or None

    def _slow_cells(self, data: bytes) -> Iterator[tuple[int, int, CellValue]]:
        """Every cell through ElementTree: any attribute order, no references, rich text, prefixes."""
        row_tag, c_tag, v_tag, is_tag = self._t("row"), self._t("c"), self._t("v"), self._t("is")
        root = ET.fromstring(data)
        row_number = 0
        for row in root.iter(row_tag):
            row_number = int(row.get("r") or row_number + 1)
            col = 0
            for c in row.iter(c_tag):
                ref = c.get("r")
                col = _column(ref.rstrip("0123456789")) if ref else col + 1
                kind = c.get("t", "n")
                if kind == "inlineStr":
                    found = c.find(is_tag)
                    value: CellValue = (self._text(found) or None) if found is not None else None
                else:
                    text = c.findtext(v_tag)
                    if not text:
                        value = None
                    elif kind == "n":
                        style = int(c.get("s", "0"))
                        fmt = self.kinds[style] if style < len(self.kinds) else ""
                        value = self._number(text.encode(), fmt)
                    elif kind == "s":
                        value = self.strings[int(text)] or None
                    else:
                        value = self._typed(kind, text)
                yield row_number, col, value


def _attribute(attrs: bytes, name: bytes, default: bytes) -> bytes:
    """An attribute's value in a raw attribute list (a cell whose attributes come in another order)."""
    m = re.search(rb"(?:^|\s)" + name + rb'="([^"]*)"', attrs)
    return m.group(1) if m else default


def _line(grid: Grid, row: int) -> list[CellValue]:
    """Row `row` of the grid (1-based), adding empty rows up to it."""
    if row > len(grid):
        grid.extend([] for _ in range(row - len(grid)))
    line: list[CellValue] = grid[row - 1]
    return line


def _place(grid: Grid, row: int, col: int, value: CellValue) -> None:
    """Put a value at (row, col), padding with empty cells; nothing for an empty value (keeps trims)."""
    if value is None:
        return
    line = _line(grid, row)
    line.extend([None] * (col - len(line)))
    line[col - 1] = value


@cache
def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@cache
def _kind(fmt: str) -> str:
    """How a number with this format reads: "date", "percent", or "" for a plain number."""
    if is_date_format(fmt):
        return "date"
    return "percent" if "%" in _FORMAT_LITERALS.sub("", fmt) else ""


def _day(value: dt.datetime | dt.time) -> CellValue:
    """A datetime at midnight is a date: that is what a person typing 2025-01-20 meant."""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date()
    return value
