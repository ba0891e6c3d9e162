"""Work on the saved .xlsx package (the zip) where openpyxl falls short: charts per sheet, cached results."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from xml.sax.saxutils import escape

from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, to_excel

from ..model import CellValue, Snapshot, Tab
from .xlsx_read import package_rels, sheet_parts

#: A formula cell as openpyxl writes it: the formula, then an empty value (it cannot compute one).
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+)(\d+)"([^>]*)>(<f[^>]*>[^<]*</f>|<f[^>]*/>)(?:<v\s*/>|<v></v>)</c>')
_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}


def chart_counts(archive: zipfile.ZipFile) -> dict[str, int]:
    """How many charts each sheet holds, by sheet name, without loading the workbook."""
    counts: dict[str, int] = {}
    for name, part in sheet_parts(archive)[1]:
        drawings = [path for kind, path in package_rels(archive, part).values() if kind.endswith("/drawing")]
        charts = [kind for drawing in drawings for kind, _ in package_rels(archive, drawing).values()]
        counts[name] = sum(1 for kind in charts if kind.endswith("/chart"))
    return counts


def keep_cached_values(data: bytes, snapshot: Snapshot) -> bytes:
    """The saved package with each formula's last result put back, as read into `snapshot`.

    openpyxl saves formulas without results, so the next read (cached values only) would see every
    formula a person typed (a week as `=A2+7`) as empty until someone opened and saved the file.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        _, sheets, root = sheet_parts(source)
        pr = next((e for e in root if e.tag.endswith("}workbookPr")), None)
        epoch = MAC_EPOCH if pr is not None and pr.get("date1904") in ("1", "true") else WINDOWS_EPOCH
        patched: dict[str, bytes] = {}
        for name, part in sheets:
            tab = snapshot.tabs.get(name)
            if tab is None:
                continue
            xml = source.read(part)
            if b"<f" not in xml:
                continue
            new = _FORMULA_CELL.sub(_filler(tab, epoch), xml)
            if new != xml:
                patched[part] = new
        if not patched:
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                target.writestr(info, patched.get(info.filename) or source.read(info))
        return out.getvalue()


def _filler(tab: Tab, epoch: dt.datetime) -> Callable[[re.Match[bytes]], bytes]:
    """The regex replacement that gives one formula cell its cached result from the snapshot's tab."""

    def fill(m: re.Match[bytes]) -> bytes:
        letters, row, attrs, formula = m.groups()
        if b" t=" in attrs:
            return m.group(0)
        col = 0
        for ch in letters:
            col = col * 26 + ch - 64
        typed = _encoded(tab.cell(int(row), col), epoch)
        if typed is None:
            return m.group(0)
        kind, text = typed
        kind_attr = f' t="{kind}"'.encode() if kind else b""
        head = b'<c r="' + letters + row + b'"' + attrs + kind_attr + b">"
        return head + formula + b"<v>" + text + b"</v></c>"

    return fill


def _encoded(value: CellValue, epoch: dt.datetime) -> tuple[str, bytes] | None:
    """(cell type, <v> text) for a cached result; None when there is nothing to keep."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "b", b"1" if value else b"0"
    if isinstance(value, int):
        return "", str(value).encode()
    if isinstance(value, float):
        return "", repr(float(value)).encode()
    if isinstance(value, dt.date | dt.time):
        return "", repr(float(to_excel(value, epoch))).encode()
    text = str(value)
    return ("e" if text in _ERRORS else "str"), escape(text).encode()
