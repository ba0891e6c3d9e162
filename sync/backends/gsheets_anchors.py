"""Row anchors: the developer metadata that ties a row to its computed cells, laid so that a repeat is harmless.

An anchor's ID is chosen here, not by Google: the Sheets API lets the caller set `DeveloperMetadata.metadataId`
on create ("The spreadsheet-scoped unique ID that identifies the metadata. IDs may be specified when metadata
is created, otherwise one will be randomly generated and assigned. Must be positive." —
https://developers.google.com/sheets/api/reference/rest/v4/spreadsheets.developerMetadata). A batch that Google
applied but whose answer was lost is then sent again with the same IDs, and Google refuses it as a whole
(batchUpdate is all or nothing) instead of laying a second set of anchors. The IDs derive from what the sync
read, so the same read always lays the same anchors, whether the call went through at once or after faults.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from ..model import CellValue, Snapshot

#: The developer metadata key that ties a row to its computed cells, wherever the row moves.
ANCHOR_KEY = "okrsync.row"
#: metadataId is an int32 that must be positive.
_ID_SPACE = 2**31 - 1

RowKey = tuple[str, int]  # tab title, 1-based sheet row


@dataclass
class Anchors:
    """The row anchors a read found, and every row metadata ID the spreadsheet already uses."""

    #: The anchor each row's cells are written through: the smallest of ours on that row.
    by_row: dict[RowKey, int] = field(default_factory=dict)
    #: Every anchor of ours, and the row it sits on (several may share a row).
    rows_of: dict[int, RowKey] = field(default_factory=dict)
    #: Row metadata IDs in use, ours or not: a new anchor never takes one.
    taken: set[int] = field(default_factory=set)

    def add_row(self, key: RowKey, metadata: Iterable[Mapping[str, Any]]) -> None:
        """Record the developer metadata of one row, as `rowMetadata[i].developerMetadata` gives it."""
        ours: list[int] = []
        for meta in metadata:
            if "metadataId" not in meta:
                continue
            self.taken.add(int(meta["metadataId"]))
            if meta.get("metadataKey") == ANCHOR_KEY:
                ours.append(int(meta["metadataId"]))
        for metadata_id in ours:
            self.rows_of[metadata_id] = key
        if ours:
            self.by_row[key] = min(ours)

    def duplicates(self) -> list[int]:
        """Anchors on a row that has a smaller one of ours: nothing is written through them."""
        return sorted(i for i, key in self.rows_of.items() if self.by_row.get(key) != i)


def anchor_id(sheet_id: int, row: int, content: list[CellValue], taken: set[int]) -> int:
    """A new anchor's ID, from the row and what the sync read there; never one in `taken` (it joins it).

    The same read gives the same ID, so a repeated request is recognised; an ID already in use (an older
    anchor of the same content that moved away, another tool's metadata) makes the next candidate.
    """
    seed = json.dumps([sheet_id, row, content], default=repr, ensure_ascii=False, sort_keys=True)
    for salt in count():
        digest = hashlib.sha256(f"{salt}\x00{seed}".encode()).digest()
        candidate = int.from_bytes(digest[:8], "big") % _ID_SPACE + 1
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def create_request(metadata_id: int, sheet_id: int, row: int) -> dict[str, Any]:
    """createDeveloperMetadata of one anchor, with its ID, on one row (1-based)."""
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataId": metadata_id,
        "metadataKey": ANCHOR_KEY,
        "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "ROWS",
                                        "startIndex": row - 1, "endIndex": row}},
        "visibility": "DOCUMENT",
    }}}


def delete_request(metadata_id: int) -> dict[str, Any]:
    """deleteDeveloperMetadata of one anchor, by its ID."""
    lookup = {"metadataId": metadata_id, "metadataKey": ANCHOR_KEY}
    return {"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": lookup}}}


def row_of(snapshot: Snapshot, key: RowKey) -> list[CellValue] | None:
    """What a row holds in a snapshot ([] past the end of its tab), or None when the tab is not there."""
    tab, number = key
    found = snapshot.tabs.get(tab)
    if found is None:
        return None
    return found.grid[number - 1] if number <= len(found.grid) else []


def still_in_place(laid: Mapping[RowKey, int], read: Snapshot, now: Snapshot,
                   rows_of: Mapping[int, RowKey] | None = None) -> dict[RowKey, int]:
    """The new anchors on the row they were laid on, that still held exactly what the sync had read there.

    `rows_of` says where each anchor now is, when `now` was read later than the call that laid them;
    without it they are where they were laid.
    """
    return {key: anchor for key, anchor in laid.items()
            if (rows_of is None or rows_of.get(anchor) == key)
            and (held := row_of(now, key)) is not None and held == row_of(read, key)}
