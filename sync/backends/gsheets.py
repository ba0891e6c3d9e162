"""The Google Sheets backend: provision in one batch, read every tab in one call, write a plan in one call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any, TypeVar

from ..errors import BackendError, BadArgument
from ..layout.build import Layout, TabLayout
from ..layout.placement import insert_index
from ..model import CellValue, Grid, Snapshot, Tab, WritePlan, WriteResult, has_formulas, sheets_grid
from ..template import catalog
from .google_api import MAX_REQUEST_BYTES, GoogleGateway, parse_target, row_blocks, split_by_size
from .gsheets_anchors import (
    ANCHOR_KEY,
    RowKey,
    anchor_id,
    create_request,
    delete_request,
    row_of,
    still_in_place,
)
from .gsheets_cells import (
    LANDED_FIELDS,
    READ_FIELDS,
    ReadState,
    SheetGrid,
    cell_value,
    cells_as_values,
    parse_spreadsheet,
)
from .gsheets_growth import anchor_rows, anchored_room, laid_out_rows, service_room, service_rows
from .gsheets_layout import MIN_COLS, choose_sheet_ids, layout_requests, sheet_properties, tab_requests
from .gsheets_values import api_value, cells_request, padded_size, padded_values, quote_tab

T = TypeVar("T")
SETTINGS_TABS = {catalog.tab_name("settings", lang) for lang in catalog.LANGS}
__all__ = ["ANCHOR_KEY", "READ_FIELDS", "GoogleBackend", "cell_value", "open_google", "parse_spreadsheet"]


class GoogleBackend:
    """A Google spreadsheet behind the Backend interface; every call goes through the gateway."""

    def __init__(self, spreadsheet_id: str | None, gateway: GoogleGateway, lang: str = "en") -> None:
        self.spreadsheet_id = spreadsheet_id
        self.gateway = gateway
        self.lang = lang
        self.location = gateway.url(spreadsheet_id) if spreadsheet_id else "gsheet:(new)"
        self._state: ReadState | None = None
        self._reads = 0
        self._writes = 0

    def provision(self, layout: Layout, overwrite: bool = False, share: Iterable[str] = (),
                  title: str | None = None) -> str:
        """Create a spreadsheet laid out as `layout` (one create, one batchUpdate), share it; its URL.

        A new spreadsheet is always created, so nothing is ever replaced: `overwrite` changes nothing here.
        """
        created = self._counted(self.gateway.create_spreadsheet, {"title": title or layout.title})
        spreadsheet_id = str(created["spreadsheetId"])
        default_sheet = int(created["sheets"][0]["properties"].get("sheetId", 0))
        if title:
            layout = replace(layout, title=title)
        requests, _ids = layout_requests(layout, default_sheet)
        for part in split_by_size(requests, MAX_REQUEST_BYTES):  # in order: later parts use earlier tabs
            self._counted(self.gateway.batch_update, spreadsheet_id, part)
        for address in share:
            self._counted(self.gateway.share, spreadsheet_id, address)
        self.spreadsheet_id = spreadsheet_id
        self.location = self.gateway.url(spreadsheet_id)
        self._state = None
        return self.location

    def read(self) -> Snapshot:
        """Every tab in one `spreadsheets.get`, with the row anchors remembered for `apply`."""
        data = self._counted(self.gateway.get_spreadsheet, self._id(), READ_FIELDS, True, cells_as_values)
        snapshot, self._state = parse_spreadsheet(data)
        return snapshot

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        """Write the plan in one values call through row anchors (split when over ~2 MB).

        A second call, a batchUpdate, comes first only when the layout must change: rows lack an anchor (people
        inserted them mid-tab, or typed past the anchored rows), a tab runs short of anchored free rows, a
        service tab outgrows its grid or was deleted, or duplicate anchors are to go (see gsheets_growth).
        """
        if plan.empty:
            return WriteResult()
        if self._state is None:
            raise RuntimeError("read() the spreadsheet before apply()")
        state = self._state
        reads, writes = self._reads, self._writes
        # A tab of formulas (the Lists tab, once) as Sheets holds it: no row for what only the file computes.
        computed = {name for name, grid in plan.tabs.items() if has_formulas(grid)}
        if computed:
            plan = replace(plan, tabs={n: sheets_grid(g) if n in computed else g for n, g in plan.tabs.items()})
        rows: dict[RowKey, dict[int, CellValue]] = defaultdict(dict)
        for w in plan.cells:
            rows[(w.tab, w.row)][w.col] = w.value
        # Duplicate anchors go with a batch made anyway; anchors on free rows stay for the rows people fill next.
        removed = state.found.duplicates()
        missing = [key for key in rows if key not in state.anchors]
        sizes = {name: padded_size(grid, _grid_of(snapshot.tabs.get(name))) for name, grid in plan.tabs.items()}
        prepare, new_anchors, ours = self._prepare(state, snapshot, missing, sizes, {tab for tab, _ in rows}, removed)
        prepare += [delete_request(metadata_id) for metadata_id in removed]
        prepare += self._new_tabs(state, plan.new_tabs, ours)
        # Formulas go in as cells: a values write would store them as text.
        prepare += [cells_request(state.sheets[name].sheet_id, plan.tabs[name], *sizes[name]) for name in computed]
        if prepare:
            # Anchors are laid by row index, so a row moved between this sync's read and this call would take
            # another row's anchor. The same call answers with those tabs as they now stand: an anchor whose
            # row no longer holds what was read carries nothing this time; the next sync, reading afresh,
            # gives that row its own cells. Every later write goes by anchor, wherever the rows move.
            for part in split_by_size(prepare, MAX_REQUEST_BYTES):
                ids = {i for r in part if (i := _created(r)) is not None}
                laid = {key: i for key, i in new_anchors.items() if i in ids}
                state.anchors.update(self._lay(part, laid, ids & ours, snapshot))
        data = [_row_range(state.anchors[key], values) for key, values in rows.items() if key in state.anchors]
        for name, grid in plan.tabs.items():
            if name not in computed:
                data += _tab_ranges(state.sheets[name].sheet_id, grid, *sizes[name])
        # Google advises requests of at most 2 MB; each part stands alone (a later sync rewrites what differs).
        for part in split_by_size(data, MAX_REQUEST_BYTES):
            self._counted(self.gateway.write_values, self._id(), part)
        return WriteResult(plan.cell_count(), self._reads - reads, self._writes - writes)

    def api_calls(self) -> tuple[int, int]:
        """(read, write) API calls this backend has made so far."""
        return self._reads, self._writes

    @contextmanager
    def lock(self) -> Iterator[None]:
        """No lock here: the service keeps two syncs of one workbook apart."""
        yield

    def _prepare(self, state: ReadState, snapshot: Snapshot, missing: list[RowKey],
                 sizes: dict[str, tuple[int, int]], written: set[str], removed: list[int],
                 ) -> tuple[list[dict[str, Any]], dict[RowKey, int], set[int]]:
        """Requests that must precede the write: anchors for rows that lack one, room on tabs short of it, a tab
        for a service tab someone deleted; the new anchors of rows with content, and the ID of every anchor laid.

        Room first goes only where it is needed; when a batch is made anyway, tabs getting short grow too.
        """
        requests: list[dict[str, Any]] = []
        new_anchors: dict[RowKey, int] = {}
        for tab, row in missing:
            if tab not in state.sheets:
                raise ValueError(f"the plan writes to {tab!r}, which the spreadsheet does not have")
            sheet_id = state.sheets[tab].sheet_id
            metadata_id = anchor_id(sheet_id, row, row_of(snapshot, (tab, row)) or [], state.found.taken)
            new_anchors[(tab, row)] = metadata_id
            requests.append(create_request(metadata_id, sheet_id, row))
        absent = [name for name in sizes if name not in state.sheets]
        taken = {s.sheet_id for s in state.sheets.values()}
        for name, sheet_id in zip(absent, choose_sheet_ids(len(absent), taken), strict=True):
            rows, cols = service_rows(sizes[name][0]), max(sizes[name][1], MIN_COLS)
            # A service tab someone deleted comes back rather than failing the sync.
            props = {"sheetId": sheet_id, "title": name,
                     "gridProperties": {"rowCount": rows, "columnCount": cols}}
            requests.append({"addSheet": {"properties": props}})
            state.sheets[name] = SheetGrid(sheet_id, rows, cols)
        # Settings is written to only when a team is added: its row gets an anchor, not room to type.
        anchored = sorted(t for t in written | {key[0] for key in state.anchors}
                          if t in state.sheets and t in snapshot.tabs and t not in SETTINGS_TABS)
        ours = set(new_anchors.values())
        grown: list[dict[str, Any]] = []
        done: set[str] = set()
        for eager in (False, True):
            if eager and not (requests or grown or removed):
                break
            for tab in (t for t in anchored if t not in done):
                sheet, used = state.sheets[tab], len(snapshot.tabs[tab].grid)
                free = [row for t, row in state.anchors if t == tab and row > used]
                more, ids, sheet.rows = anchored_room(sheet.sheet_id, sheet.rows, used, free, state.found.taken,
                                                      eager)
                grown += more
                ours |= set(ids)
                done |= {tab} if more else set()
            for name, (rows, _cols) in sizes.items():
                sheet = state.sheets[name]
                held = len(_grid_of(snapshot.tabs.get(name)) or [])
                more, sheet.rows = service_room(sheet.sheet_id, sheet.rows, held, rows, eager)
                grown += more
        for name, (_rows, cols) in sizes.items():
            sheet = state.sheets[name]
            if cols > sheet.cols:
                grown.append({"appendDimension": {"sheetId": sheet.sheet_id, "dimension": "COLUMNS",
                                                  "length": cols - sheet.cols}})
                sheet.cols = cols
        return requests + grown, new_anchors, ours

    def _new_tabs(self, state: ReadState, tabs: list[TabLayout], ours: set[int]) -> list[dict[str, Any]]:
        """The tabs the plan lays out, each with its looks and anchored rows, where `placement` puts them."""
        tabs = [t for t in tabs if t.name not in state.sheets]
        ids = choose_sheet_ids(len(tabs), {s.sheet_id for s in state.sheets.values()})
        order = list(state.sheets)
        requests: list[dict[str, Any]] = []
        for tab, sheet_id in zip(tabs, ids, strict=True):
            rows = laid_out_rows(tab)
            at = insert_index(order, tab)
            at = len(order) if at is None else at
            order.insert(at, tab.name)
            props = sheet_properties(tab, sheet_id, at, rows)
            requests.append({"addSheet": {"properties": props}})
            requests += tab_requests(tab, sheet_id, {}, rows)
            anchors, laid = anchor_rows(sheet_id, range(2, rows + 1), state.found.taken)
            requests += anchors
            ours |= set(laid)
            state.sheets[tab.name] = SheetGrid(sheet_id, rows, props["gridProperties"]["columnCount"])
        return requests

    def _lay(self, requests: list[dict[str, Any]], new_anchors: dict[RowKey, int], ours: set[int],
             snapshot: Snapshot) -> dict[RowKey, int]:
        """Send a batch that precedes the write; the new anchors that landed on the rows they were meant for.

        When an attempt was applied but its answer lost (a timeout, a 5xx), the retry carries the same IDs and
        Google rejects it whole: the batch is then already in place, which one read confirms and locates.
        """
        ranges = sorted({quote_tab(tab) for tab, _row in new_anchors})
        added = {r["addSheet"]["properties"]["sheetId"] for r in requests if "addSheet" in r}
        retries = self.gateway.http.retries
        try:
            reply = self._counted(self.gateway.batch_update, self._id(), requests, ranges,
                                  LANDED_FIELDS if ranges else None)
        except BackendError as refused:
            # Only a batch carrying IDs of ours (anchors, tabs) can be refused for being a repeat.
            if not (self.gateway.http.retries > retries and _rejected(refused) and (ours or added)):
                raise
            data = self._counted(self.gateway.get_spreadsheet, self._id(), READ_FIELDS)
            now, fresh = parse_spreadsheet(data)
            if not (ours <= set(fresh.found.rows_of) and added <= {s.sheet_id for s in fresh.sheets.values()}):
                raise  # not a repeat of an applied batch: Google's refusal stands
            return still_in_place(new_anchors, snapshot, now, fresh.found.rows_of)
        now, _state = parse_spreadsheet(reply.get("updatedSpreadsheet") or {})
        return still_in_place(new_anchors, snapshot, now)

    def _counted(self, call: Callable[..., T], *args: Any) -> T:
        """Make a gateway call, adding what it cost to this backend's own counts."""
        reads, writes = self.gateway.reads, self.gateway.writes
        try:
            return call(*args)
        finally:
            self._reads += self.gateway.reads - reads
            self._writes += self.gateway.writes - writes

    def _id(self) -> str:
        if not self.spreadsheet_id:
            raise RuntimeError("provision() the spreadsheet first")
        return self.spreadsheet_id


def open_google(target: str, lang: str = "en", credentials: str | None = None) -> GoogleBackend:
    """The backend for `gsheet:<id>` or a Google Sheets URL, on the first Google credentials found."""
    kind, spreadsheet_id = parse_target(target, lang)
    if kind != "gsheet":
        raise BadArgument("error.unknown_target", lang, target=target)
    return GoogleBackend(spreadsheet_id, GoogleGateway.connect(credentials, lang), lang)


def _rejected(error: BackendError) -> bool:
    """Whether Google refused the request itself (400, 409), as it refuses anchors whose IDs are taken."""
    cause = error.__cause__
    response = getattr(cause, "response", None)
    return getattr(response, "status_code", None) in (400, 409)


def _grid_of(tab: Tab | None) -> Grid | None:
    return tab.grid if tab else None


def _row_range(metadata_id: int, values: dict[int, CellValue]) -> dict[str, Any]:
    """One row's computed cells, addressed by its anchor; nulls leave people's cells as they are."""
    line: list[Any] = [None] * max(values)
    for col, value in values.items():
        line[col - 1] = api_value(value)
    lookup = {"metadataId": metadata_id, "metadataKey": ANCHOR_KEY, "locationType": "ROW"}
    return {"dataFilter": {"developerMetadataLookup": lookup}, "majorDimension": "ROWS", "values": [line]}


def _tab_ranges(sheet_id: int, grid: Grid, rows: int, cols: int) -> list[dict[str, Any]]:
    """A whole service tab from A1, padded with "" to cover what it held before, in blocks of rows that fit
    a request."""
    values = padded_values(grid, rows, cols)
    out = []
    for first, block in row_blocks(values, MAX_REQUEST_BYTES // 2):
        grid_range = {"sheetId": sheet_id, "startRowIndex": first, "endRowIndex": first + len(block),
                      "startColumnIndex": 0, "endColumnIndex": cols}
        out.append({"dataFilter": {"gridRange": grid_range}, "majorDimension": "ROWS", "values": block})
    return out


def _created(request: dict[str, Any]) -> int | None:
    """The ID of the anchor a request creates, if it creates one."""
    created = request.get("createDeveloperMetadata")
    return int(created["developerMetadata"]["metadataId"]) if created else None
