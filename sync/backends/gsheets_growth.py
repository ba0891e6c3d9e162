"""Room to type: a Google tab is laid out a little past what it holds, with its free rows anchored, and grows.

Why. The sync writes computed cells through row anchors (developer metadata that follows a row wherever
people move it). The values call that writes them, `values:batchUpdateByDataFilter`, can address a row by
its anchor but cannot lay one: anchors are made by `createDeveloperMetadata`, a request of
`spreadsheets.batchUpdate` (https://developers.google.com/sheets/api/guides/metadata), and a batchUpdate can
only address cells by position (`updateCells` takes a GridRange), which a row moved between the sync's read
and its write would make land on the wrong row. So a row that has no anchor yet costs a second call.

Hence the free rows below a tab's last used row are anchored when they are laid out: the rows people fill
in the week already have their anchor, and the week's sync is one read and one write. A tab is given one and
a half anchored free rows for each used row (never fewer than SPARE_MIN), and is grown back to that only
when it falls under a quarter of it, so growing — the one case besides rows people insert mid-tab that needs
the second call — happens a logarithmic number of times over a tab's life (a team of ten KRs checked in
weekly fills its check-in tab's first room in week 8). A free row costs the read its anchor and the number
formats of its formatted columns (three on a check-in tab, six on the OKR tab), well under what a used row
costs, so the read answer stays under twice what the rows in use cost once a tab holds a few weeks
(benchmarks/bench_quarter.py measures it week by week). Service tabs have no anchors (History seven formatted
columns, Org two): they are given as many free rows as used ones. A workbook laid out with check-ins already
typed has History's rows laid out for its first sync, so that this sync is one write too: its read carries
those empty rows once, a little over twice what the rows in use cost (benchmarks/RESULTS.md); a second call
to grow History there would cost more than those bytes, which gzip all but removes on the wire.

Growing tabs one at a time would still make the second call often; so when a sync makes that call anyway,
every tab that is getting short (under half its room) grows in it too.

New rows come from `insertDimension` just below the last used row, inheriting the formats and dropdowns of
the free row after them ("inheritFromBefore: … false to inherit from the dimensions after",
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets/request#insertdimensionrequest);
colour rules and protections are laid without an end row, so they cover grown rows with no request at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..layout.build import Layout, TabLayout
from ..layout.kr_lists import LIST_ROWS
from ..model import sheets_grid
from ..template import catalog
from .gsheets_anchors import anchor_id, create_request

#: Tabs whose rows get computed cells through row anchors: their free rows are anchored when laid out.
ANCHORED_TABS = ("okrs", "checkins:")
#: The fewest free rows a tab is given: ten weeks of a team of ten KRs.
SPARE_MIN = 100
#: The Org tab's rows besides a line per team and per OKR row: titles, headings, column headers, blank lines.
ORG_SECTION_ROWS = 30
#: Free rows per used row of an anchored tab and of a service tab; a tab grows when its free rows fall under
#: 1/GROW_UNDER of its room. The add-on grows its tabs by the same numbers (sync/wire/layout.py: room_json).
PER_ROW, SERVICE_PER_ROW, GROW_UNDER = 1.5, 1.0, 4


def room(used: int, per_row: float = PER_ROW) -> int:
    """The free rows a tab of `used` rows (header included) is laid out or grown with: `per_row` a used row,
    rounded down."""
    return max(SPARE_MIN, int(per_row * used))


def short_of_room(used: int, free: int, per_row: float = PER_ROW, eager: bool = False) -> bool:
    """Whether `free` rows below `used` are too few: under a quarter of what `room` gives (under half when a
    batch is made anyway)."""
    return free < room(used, per_row) // (2 if eager else GROW_UNDER) if used else False


def anchored_room(sheet_id: int, rows_now: int, used: int, free: list[int], taken: set[int],
                  eager: bool = False) -> tuple[list[dict[str, Any]], list[int], int]:
    """For a tab written through anchors, short of anchored free rows: rows inserted below its last used row if
    its grid is too small, and an anchor on every free row up to `room` that has none (a workbook laid out
    before rows were anchored gets them too). The requests, the new anchors' IDs and the rows it now has.

    `free` are the 1-based rows below `used` that carry an anchor, as read.
    """
    if not short_of_room(used, len(free), eager=eager):
        return [], [], rows_now
    target = used + room(used)
    added = max(0, target - rows_now)
    requests = [insert_rows(sheet_id, used, added, rows_now)] if added else []
    # Rows below `used` that were there before move down by `added`: the inserted rows come first.
    had = {row + added for row in free}
    more, ids = anchor_rows(sheet_id, [row for row in range(used + 1, target + 1) if row not in had], taken)
    return requests + more, ids, rows_now + added


def service_room(sheet_id: int, rows_now: int, held: int, need: int, eager: bool = False
                 ) -> tuple[list[dict[str, Any]], int]:
    """For a service tab the sync rewrites from A1 over `need` rows: rows inserted below the `held` rows it had,
    when `need` no longer fits (or, eagerly, is getting close); the requests and the rows it now has."""
    if need <= rows_now and not (eager and short_of_room(need, rows_now - need, per_row=SERVICE_PER_ROW, eager=True)):
        return [], rows_now
    grown = service_rows(need)
    return [insert_rows(sheet_id, held, grown - rows_now, rows_now)], grown


def service_rows(need: int) -> int:
    """The rows a service tab holding `need` rows is given: as many free rows again (at least SPARE_MIN)."""
    return need + room(need, SERVICE_PER_ROW)


def insert_rows(sheet_id: int, at: int, count: int, rows_now: int) -> dict[str, Any]:
    """insertDimension of `count` rows at 0-based `at`, looking like the free row after them, else the row before,
    never the header (a tab holding only its header gets plain rows, as the add-on's growSheet_ does)."""
    before = at >= rows_now  # nothing after: the last row is in use
    return {"insertDimension": {
        "range": {"sheetId": sheet_id, "dimension": "ROWS", "startIndex": at, "endIndex": at + count},
        "inheritFromBefore": before and at > 1,
    }}


def anchor_rows(sheet_id: int, rows: Iterable[int], taken: set[int]) -> tuple[list[dict[str, Any]], list[int]]:
    """createDeveloperMetadata of an anchor on each empty 1-based row, with IDs a repeat recognises; and the IDs."""
    requests, ids = [], []
    for row in rows:
        metadata_id = anchor_id(sheet_id, row, [], taken)
        requests.append(create_request(metadata_id, sheet_id, row))
        ids.append(metadata_id)
    return requests, ids


def laid_out_rows(tab: TabLayout, layout: Layout | None = None) -> int:
    """The rows a tab is created with on Google: what it holds and what its charts read, plus room to type.

    The template's areas (dropdowns, formats, colours down to row 3 000) are cut to these rows or left
    open-ended: empty formatted rows would make every read answer bigger for nothing. The service tabs are
    laid out for what their first sync writes, so that it needs no second call to grow them: History a row
    for each check-in row the workbook already holds (each is a week's state of a KR), the Org tab a few rows
    for each OKR row (an objective's line, a KR's line among those to help and those missing). Without its
    layout, a tab is laid out alone (a team's tab added later).
    """
    charts = [c.last_row for c in layout.charts if c.tab == tab.name] if layout else []
    tabs = layout.tabs if layout else [tab]
    # The Lists tab holds what dropdowns read, down to the row their ranges name.
    lists = LIST_ROWS if tab.key == "lists" else 0
    first_sync = 0
    if tab.key == "history":
        first_sync = 1 + sum(len(t.grid) - 1 for t in tabs if t.key.startswith(ANCHORED_TABS[1]))
    elif tab.key == "org":
        okr_rows = sum(len(t.grid) - 1 for t in tabs if t.key == ANCHORED_TABS[0])
        teams = sum(1 for t in tabs if t.key.startswith(ANCHORED_TABS[1]))
        first_sync = ORG_SECTION_ROWS + teams + 2 * okr_rows
    used = max([len(sheets_grid(tab.grid)), *charts, lists, first_sync])
    return used + room(used, PER_ROW if anchored(tab) else SERVICE_PER_ROW)


def anchored(tab: TabLayout) -> bool:
    """Whether this tab's rows are written through anchors (the OKR tab, check-in tabs, people tables)."""
    return tab.key == ANCHORED_TABS[0] or tab.key.startswith(ANCHORED_TABS[1]) or tab.key in catalog.table_keys()
