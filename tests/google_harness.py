"""Helpers for tests that run okrsync against the Google fake: a backend with a recording sleeper, a layout
with its areas cut short, provisioning, a person's typing, and what a person typed."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from sync.backends.google_api import GoogleGateway, RetryingHTTPClient, RetryPolicy
from sync.backends.gsheets import GoogleBackend
from sync.backends.gsheets_anchors import ANCHOR_KEY
from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.layout.build import Area, Layout
from sync.layout.demo import AS_OF
from sync.template import catalog
from tests.google_fake import FakeGoogle, dummy_credentials

SA_EMAIL = "okrsync@okrsync-test.iam.gserviceaccount.com"


class Harness:
    """A backend on the fake whose sleeper records the waits instead of sleeping."""

    def __init__(self, fake: FakeGoogle, spreadsheet_id: str | None = None, lang: str = "fr",
                 policy: RetryPolicy | None = None) -> None:
        self.fake = fake
        self.sleeps: list[float] = []
        http = RetryingHTTPClient(dummy_credentials(), policy=policy, sleep=self.sleeps.append, random=lambda: 1.0)
        self.gateway = GoogleGateway(http, lang, SA_EMAIL)
        self.backend = GoogleBackend(spreadsheet_id, self.gateway, lang)


def compact(layout: Layout, rows: int = 200, **per_tab: int) -> Layout:
    """The layout with every area cut at `rows` (or `per_tab[key]` for that tab, e.g. history=40).

    The template's areas run from the first body row down to row 500 to 20 000: whole columns
    (Area.whole_columns), laid open-ended on Google over the rows a tab has and every row it grows by. A cap of
    WHOLE_COLUMNS_FROM (100) or more keeps them whole columns, and the spreadsheet laid out is the same. A lower
    cap ends them at that row, as on a tab a person cut short, and the fake, which applies formats cell by cell,
    has fewer cells to format. Such areas must still cover every row a sync writes there: past them, a
    percentage reads back as a plain number and the next sync rewrites it.
    """
    for tab in layout.tabs:
        last = per_tab.get(tab.key.split(":")[0], rows)

        def cap(area: Area, last: int = last) -> Area:
            return replace(area, last_row=min(area.last_row, last))

        tab.dropdowns = [replace(d, area=cap(d.area)) for d in tab.dropdowns]
        tab.colour_rules = [replace(r, area=cap(r.area)) for r in tab.colour_rules]
        tab.formats = [replace(f, area=cap(f.area)) for f in tab.formats]
        tab.protections = [replace(p, area=p.area and cap(p.area)) for p in tab.protections]
    return layout


def provision(fake: FakeGoogle, layout: Layout) -> str:
    """Provision `layout` on the fake; the new spreadsheet's ID. The fake's traffic log starts empty."""
    url = Harness(fake, lang=layout.lang).backend.provision(layout)
    fake.exchanges.clear()
    return url.rsplit("/", 1)[-1]


def sync_backend(fake: FakeGoogle, spreadsheet_id: str, lang: str) -> GoogleBackend:
    """A fresh backend on the spreadsheet, as the CLI or a nightly run opens it."""
    return Harness(fake, spreadsheet_id, lang).backend


def tab(tab_key: str, lang: str, team: str | None = None) -> str:
    """A tab's name in the workbook's language."""
    return catalog.checkin_tab_name(team, lang) if team else catalog.tab_name(tab_key, lang)


def type_rows(fake: FakeGoogle, spreadsheet_id: str, title: str, rows: list[list[Any]], first_row: int = 2) -> None:
    """A person types `rows` from column A of `first_row` on; None leaves a cell blank.

    Past the tab's last row they first add rows below it, as Sheets does when a paste overflows: the new rows
    look like the last one, and have no anchor yet.
    """
    last = first_row + len(rows) - 1
    have = fake.sheet(spreadsheet_id, title).row_count
    if last > have:
        fake.insert_rows(spreadsheet_id, title, have + 1, last - have)
    quoted = "'" + title.replace("'", "''") + "'"
    fake.set_values(spreadsheet_id, f"{quoted}!A{first_row}", rows, user_entered=True)


def in_use_bytes(answer: dict[str, Any]) -> int:
    """Bytes of a `spreadsheets.get` answer had every tab ended at its last row holding a value: what the rows
    in use cost a read (the bar a read answer is held to: twice that)."""
    return len(in_use_text(answer).encode())


def in_use_text(answer: dict[str, Any]) -> str:
    """A `spreadsheets.get` answer with every tab ended at its last row holding a value, as JSON text written as
    Google writes an answer asked `prettyPrint=false` (and as the fake does): compact, UTF-8."""
    cut = copy.deepcopy(answer)
    for sheet in cut.get("sheets", []):
        for part in sheet.get("data", []):
            rows = part.get("rowData", [])
            used = [i for i, row in enumerate(rows) if any("effectiveValue" in c for c in row.get("values", []))]
            end = used[-1] + 1 if used else 0
            part["rowData"], part["rowMetadata"] = rows[:end], part.get("rowMetadata", [])[:end]
    return json.dumps(cut, ensure_ascii=False, separators=(",", ":"))


def anchored_rows(fake: FakeGoogle, spreadsheet_id: str, title: str) -> list[int]:
    """The 1-based rows of a tab that carry a row anchor, one entry per anchor."""
    sheet_id = fake.sheet(spreadsheet_id, title).sheet_id
    return sorted(m["location"]["dimensionRange"]["startIndex"] + 1
                  for m in fake.developer_metadata(spreadsheet_id, ANCHOR_KEY)
                  if m["location"]["dimensionRange"]["sheetId"] == sheet_id)


def column(tab_key: str, key: str) -> int:
    """0-based index of a template column."""
    return next(i for i, c in enumerate(catalog.columns(tab_key, "en")) if c.key == key)


def input_columns(tab_key: str) -> set[int]:
    """0-based indexes of the columns people type into."""
    return {i for i, c in enumerate(catalog.columns(tab_key, "en")) if not c.computed}


def people_cells(fake: FakeGoogle, spreadsheet_id: str, lang: str) -> dict[tuple[str, int, int], Any]:
    """Every cell a person typed (value and format): Settings, Read me, and the input columns of OKR and
    check-in tabs. Comparing it before and after a sync proves the sync changed none of them. (Empty rows a
    tab grows by, looking like its other free rows, hold nothing of theirs.)"""
    owned = {tab("settings", lang): None, tab("readme", lang): None, tab("okrs", lang): input_columns("okrs")}
    prefix = catalog.checkin_tab_name("", lang)
    for title in fake.book(spreadsheet_id).titles():
        if title.startswith(prefix):
            owned[title] = input_columns("checkins")
    cells: dict[tuple[str, int, int], Any] = {}
    for title, cols in owned.items():
        for (r, c), cell in fake.sheet(spreadsheet_id, title).cells.items():
            if (cols is None or c in cols) and "userEnteredValue" in cell:
                cells[(title, r, c)] = copy.deepcopy(cell)
    return cells


def sync_on(kind: str, layout: Layout, tmp_path: Path, fake: FakeGoogle | None) -> tuple[dict[str, Any], Any]:
    """A sync of the layout on a backend ("memory", "xlsx" or "google") at the demo's date; the report, and the
    backend to read its tabs back from."""
    if kind == "memory":
        backend: Any = MemoryBackend("t")
        backend.provision(layout)
    elif kind == "xlsx":
        backend = XlsxBackend(tmp_path / "okr.xlsx", lang=layout.lang)
        backend.provision(layout)
    else:
        assert fake is not None
        sid = provision(fake, compact(layout, 60, history=200))
        backend = sync_backend(fake, sid, layout.lang)
    return run_sync(backend, AS_OF), backend
