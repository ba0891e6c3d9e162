"""The Google Sheets backend: provision in one batch, read every tab in one call, write a plan in one call."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from ..errors import BackendError, BadArgument
from ..google_api import GoogleGateway, parse_target
from ..layout import Layout
from ..model import CellValue, Grid, Snapshot, Tab, WritePlan, WriteResult, trimmed
from .gsheets_anchors import (
    ANCHOR_KEY,
    Anchors,
    RowKey,
    anchor_id,
    create_request,
    delete_request,
    needless,
    row_of,
    still_in_place,
)
from .gsheets_cells import cell_value
from .gsheets_layout import (
    MIN_COLS,
    MIN_ROWS,
    api_value,
    choose_sheet_ids,
    layout_requests,
    padded_size,
    padded_values,
    quote_tab,
)

#: What a sync reads, and nothing more: values with the number format that gives them their type, and the
#: row anchors. gridProperties tells whether a rewritten service tab still fits; the IDs of sheet and
#: spreadsheet metadata are ones a new anchor must not take.
READ_FIELDS = (
    "properties(title,locale),developerMetadata(metadataId),"
    "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)),developerMetadata(metadataId),"
    "data(rowData(values(effectiveValue,effectiveFormat(numberFormat(type)))),"
    "rowMetadata(developerMetadata(metadataId,metadataKey))))"
)
#: What the anchoring batchUpdate answers with: the rows where anchors were laid, as they now are.
LANDED_FIELDS = (
    "updatedSpreadsheet(sheets(properties(title),"
    "data(startRow,rowData(values(effectiveValue,effectiveFormat(numberFormat(type)))))))"
)
T = TypeVar("T")


@dataclass
class _Sheet:
    sheet_id: int
    rows: int
    cols: int


@dataclass
class _ReadState:
    """What `apply` needs from the last read, beyond the snapshot: sheet IDs, sizes, row anchors."""

    sheets: dict[str, _Sheet] = field(default_factory=dict)
    found: Anchors = field(default_factory=Anchors)

    @property
    def anchors(self) -> dict[RowKey, int]:
        """The anchor each row's cells are written through."""
        return self.found.by_row


def parse_spreadsheet(data: dict[str, Any]) -> tuple[Snapshot, _ReadState]:
    """A `spreadsheets.get` response (READ_FIELDS) as a Snapshot, plus what a later write needs."""
    props = data.get("properties", {})
    tabs: dict[str, Tab] = {}
    state = _ReadState()
    state.found.taken.update(int(m["metadataId"]) for m in data.get("developerMetadata", []))
    for sheet in data.get("sheets", []):
        state.found.taken.update(int(m["metadataId"]) for m in sheet.get("developerMetadata", []))
        sp = sheet.get("properties", {})
        title = str(sp.get("title", ""))
        size = sp.get("gridProperties", {})
        state.sheets[title] = _Sheet(int(sp.get("sheetId", 0)), int(size.get("rowCount", 0)),
                                     int(size.get("columnCount", 0)))
        grid: Grid = []
        for part in sheet.get("data", []):
            first = int(part.get("startRow", 0))
            for i, row in enumerate(part.get("rowData", [])):
                while len(grid) <= first + i:
                    grid.append([])
                grid[first + i] = [cell_value(c) for c in row.get("values", [])]
            for i, meta in enumerate(part.get("rowMetadata", [])):
                state.found.add_row((title, first + i + 1), meta.get("developerMetadata", []))
        tabs[title] = Tab(title, trimmed(grid))
    snapshot = Snapshot(str(props.get("title", "")), tabs, props.get("locale"))
    return snapshot, state


class GoogleBackend:
    """A Google spreadsheet behind the Backend interface; every call goes through the gateway."""

    def __init__(self, spreadsheet_id: str | None, gateway: GoogleGateway, lang: str = "en") -> None:
        self.spreadsheet_id = spreadsheet_id
        self.gateway = gateway
        self.lang = lang
        self.location = gateway.url(spreadsheet_id) if spreadsheet_id else "gsheet:(new)"
        self._state: _ReadState | None = None
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
        self._counted(self.gateway.batch_update, spreadsheet_id, requests)
        for address in share:
            self._counted(self.gateway.share, spreadsheet_id, address)
        self.spreadsheet_id = spreadsheet_id
        self.location = self.gateway.url(spreadsheet_id)
        self._state = None
        return self.location

    def read(self) -> Snapshot:
        """Every tab in one `spreadsheets.get`, with the row anchors remembered for `apply`."""
        data = self._counted(self.gateway.get_spreadsheet, self._id(), READ_FIELDS)
        snapshot, self._state = parse_spreadsheet(data)
        return snapshot

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        """Write the plan in one values call through row anchors (one more when rows first get anchors)."""
        if plan.empty:
            return WriteResult()
        if self._state is None:
            raise RuntimeError("read() the spreadsheet before apply()")
        state = self._state
        reads, writes = self._reads, self._writes
        rows: dict[RowKey, dict[int, CellValue]] = defaultdict(dict)
        for w in plan.cells:
            rows[(w.tab, w.row)][w.col] = w.value
        # Anchors nothing is written through go with this batch: no call of their own when there are none.
        removed = needless(state.found, snapshot, set(rows))
        for metadata_id in removed:
            key = state.found.rows_of[metadata_id]
            if state.anchors.get(key) == metadata_id:
                del state.anchors[key]
        missing = [key for key in rows if key not in state.anchors]
        sizes = {name: padded_size(grid, _grid_of(snapshot.tabs.get(name))) for name, grid in plan.tabs.items()}
        prepare, new_anchors = self._prepare(state, snapshot, missing, sizes)
        prepare += [delete_request(metadata_id) for metadata_id in removed]
        if prepare:
            # Anchors are laid by row index, so a row moved between this sync's read and this call would take
            # another row's anchor. The same call answers with those tabs as they now stand: an anchor whose
            # row no longer holds what was read carries nothing this time; the next sync, reading afresh,
            # gives that row its own cells. Every later write goes by anchor, wherever the rows move.
            state.anchors.update(self._lay(prepare, new_anchors, snapshot))
        data = [_row_range(state.anchors[key], values) for key, values in rows.items() if key in state.anchors]
        for name, grid in plan.tabs.items():
            data.append(_tab_range(state.sheets[name].sheet_id, grid, *sizes[name]))
        if data:
            self._counted(self.gateway.write_values, self._id(), data)
        return WriteResult(plan.cell_count(), self._reads - reads, self._writes - writes)

    def api_calls(self) -> tuple[int, int]:
        """(read, write) API calls this backend has made so far."""
        return self._reads, self._writes

    @contextmanager
    def lock(self) -> Iterator[None]:
        """No lock here: the service keeps two syncs of one workbook apart."""
        yield

    def _prepare(self, state: _ReadState, snapshot: Snapshot, missing: list[RowKey],
                 sizes: dict[str, tuple[int, int]]) -> tuple[list[dict[str, Any]], dict[RowKey, int]]:
        """Requests that must precede the write: anchors for new rows, room (or a tab) for service tabs."""
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
            rows, cols = max(sizes[name][0], MIN_ROWS), max(sizes[name][1], MIN_COLS)
            # A service tab someone deleted comes back rather than failing the sync.
            props = {"sheetId": sheet_id, "title": name,
                     "gridProperties": {"rowCount": rows, "columnCount": cols}}
            requests.append({"addSheet": {"properties": props}})
            state.sheets[name] = _Sheet(sheet_id, rows, cols)
        for name, (rows, cols) in sizes.items():
            sheet = state.sheets[name]
            for dimension, need, have in (("ROWS", rows, sheet.rows), ("COLUMNS", cols, sheet.cols)):
                if need > have:
                    requests.append({"appendDimension": {"sheetId": sheet.sheet_id, "dimension": dimension,
                                                         "length": need - have}})
            sheet.rows, sheet.cols = max(sheet.rows, rows), max(sheet.cols, cols)
        return requests, new_anchors

    def _lay(self, requests: list[dict[str, Any]], new_anchors: dict[RowKey, int],
             snapshot: Snapshot) -> dict[RowKey, int]:
        """Send the batch that precedes the write; the new anchors that landed on the rows they were meant for.

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
            if not (self.gateway.http.retries > retries and _rejected(refused) and (new_anchors or added)):
                raise
            data = self._counted(self.gateway.get_spreadsheet, self._id(), READ_FIELDS)
            now, fresh = parse_spreadsheet(data)
            if not (set(new_anchors.values()) <= set(fresh.found.rows_of)
                    and added <= {s.sheet_id for s in fresh.sheets.values()}):
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


def _tab_range(sheet_id: int, grid: Grid, rows: int, cols: int) -> dict[str, Any]:
    """A whole service tab from A1, padded with "" to cover what it held before."""
    values = padded_values(grid, rows, cols)
    grid_range = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": rows,
                  "startColumnIndex": 0, "endColumnIndex": cols}
    return {"dataFilter": {"gridRange": grid_range}, "majorDimension": "ROWS", "values": values}
