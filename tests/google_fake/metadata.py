"""Developer metadata: create/update/delete, DeveloperMetadataLookup matching, DataFilter → ranges, search."""

from __future__ import annotations

import copy
from typing import Any

from . import fieldmask
from .errors import invalid_argument
from .state import Sheet, Spreadsheet

Region = tuple[Sheet, int, int, int, int]  # sheet, row0, row1, col0, col1


def normalize_location(book: Spreadsheet, location: dict[str, Any], single: bool = True) -> dict[str, Any]:
    """A DeveloperMetadataLocation → the stored shape with `locationType` filled in.

    Metadata sits on a single row or column (`single`); a lookup's location may span several.
    """
    if location.get("spreadsheet"):
        return {"locationType": "SPREADSHEET", "spreadsheet": True}
    if "dimensionRange" in location:
        dim = dict(location["dimensionRange"])
        sheet = book.sheet_by_id(dim.get("sheetId"))
        if not single:
            count = sheet.row_count if dim.get("dimension") == "ROWS" else sheet.col_count
            dim.setdefault("startIndex", 0)
            dim.setdefault("endIndex", count)
        elif "startIndex" not in dim or "endIndex" not in dim or dim["endIndex"] - dim["startIndex"] != 1:
            raise invalid_argument(
                f"Developer metadata may only be associated with a single row or column (got {dim})."
            )
        if dim.get("dimension") not in ("ROWS", "COLUMNS"):
            raise invalid_argument("DimensionRange.dimension must be ROWS or COLUMNS.")
        dim["sheetId"] = sheet.sheet_id
        return {"locationType": "ROW" if dim["dimension"] == "ROWS" else "COLUMN", "dimensionRange": dim}
    if "sheetId" in location:
        return {"locationType": "SHEET", "sheetId": book.sheet_by_id(location["sheetId"]).sheet_id}
    raise invalid_argument("Developer metadata location must be specified.")


def create(book: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
    """createDeveloperMetadata → its reply."""
    meta = copy.deepcopy(request.get("developerMetadata") or {})
    if not meta.get("metadataKey"):
        raise invalid_argument("Developer metadata key must be specified.")
    if meta.get("visibility") not in ("DOCUMENT", "PROJECT"):
        raise invalid_argument("Developer metadata visibility must be specified.")
    # The caller may choose the ID ("IDs may be specified when metadata is created, otherwise one will be
    # randomly generated and assigned. Must be positive." — the DeveloperMetadata reference); 0 is proto3's
    # "unset". The reference does not word the refusal of a taken ID: it is answered as Sheets answers its
    # other "already exists" requests (a tab name, a sheet ID), a 400 INVALID_ARGUMENT, the batch undone.
    meta_id = meta.get("metadataId") or 0
    if meta_id < 0 or meta_id > 2**31 - 1:
        raise invalid_argument(f"Developer metadata ID {meta_id} is invalid: it must be a positive int32.")
    if meta_id in book.metadata:
        raise invalid_argument(f"Developer metadata with ID {meta_id} already exists.")
    while not meta_id or meta_id in book.metadata:
        meta_id = book.new_id()
    meta["metadataId"] = meta_id
    meta["location"] = normalize_location(book, meta.get("location") or {})
    book.metadata[meta_id] = meta
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def _overlap(a0: int, a1: int, b0: int, b1: int) -> bool:
    return a0 < b1 and b0 < a1


def location_region(book: Spreadsheet, location: dict[str, Any]) -> Region | None:
    """The cells a metadata location covers (None for spreadsheet-level)."""
    if "dimensionRange" in location:
        dim = location["dimensionRange"]
        sheet = book.sheet_by_id(dim.get("sheetId"))
        if dim["dimension"] == "ROWS":
            return sheet, dim["startIndex"], dim["endIndex"], 0, sheet.col_count
        return sheet, 0, sheet.row_count, dim["startIndex"], dim["endIndex"]
    if "sheetId" in location and location.get("locationType") != "SPREADSHEET":
        sheet = book.sheet_by_id(location["sheetId"])
        return sheet, 0, sheet.row_count, 0, sheet.col_count
    return None


def _intersects(book: Spreadsheet, a: dict[str, Any], b: dict[str, Any]) -> bool:
    ra, rb = location_region(book, a), location_region(book, b)
    if ra is None or rb is None:
        return ra is None and rb is None
    return ra[0] is rb[0] and _overlap(ra[1], ra[2], rb[1], rb[2]) and _overlap(ra[3], ra[4], rb[3], rb[4])


def matches(book: Spreadsheet, meta: dict[str, Any], lookup: dict[str, Any]) -> bool:
    """Whether one metadata entry is selected by a DeveloperMetadataLookup (all given fields must match)."""
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and meta.get(key) != lookup[key]:
            return False
    if "locationType" in lookup and meta["location"]["locationType"] != lookup["locationType"]:
        return False
    if "metadataLocation" in lookup:
        wanted = normalize_location(book, lookup["metadataLocation"], single=False)
        if lookup.get("locationMatchingStrategy", "INTERSECTING_LOCATION") == "EXACT_LOCATION":
            return bool(meta["location"] == wanted)
        return _intersects(book, meta["location"], wanted)
    return True


def filter_regions(book: Spreadsheet, data_filter: dict[str, Any]) -> list[Region]:
    """The regions a DataFilter selects: an A1 range, a GridRange, or the locations of matched metadata."""
    if "a1Range" in data_filter:
        return [book.resolve(data_filter["a1Range"])]
    if "gridRange" in data_filter:
        rng = data_filter["gridRange"]
        sheet = book.sheet_by_id(rng.get("sheetId"))
        return [(sheet, *sheet.bounds(rng))]
    if "developerMetadataLookup" in data_filter:
        lookup = data_filter["developerMetadataLookup"]
        found = [
            location_region(book, m["location"]) for m in book.metadata.values() if matches(book, m, lookup)
        ]
        return [region for region in found if region is not None]
    raise invalid_argument("Invalid dataFilter: no filter set.")


def select(book: Spreadsheet, data_filter: dict[str, Any]) -> list[dict[str, Any]]:
    """Metadata selected by a DataFilter: lookups match fields; ranges match intersecting locations."""
    if "developerMetadataLookup" in data_filter:
        lookup = data_filter["developerMetadataLookup"]
        return [m for m in book.metadata.values() if matches(book, m, lookup)]
    selected = []
    for sheet, r0, r1, c0, c1 in filter_regions(book, data_filter):
        for meta in book.metadata.values():
            region = location_region(book, meta["location"])
            if (
                region
                and region[0] is sheet
                and _overlap(region[1], region[2], r0, r1)
                and _overlap(region[3], region[4], c0, c1)
            ):
                selected.append(meta)
    return selected


def search(book: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """developerMetadata:search → SearchDeveloperMetadataResponse (`{}` when nothing matched, as Google)."""
    matched: dict[int, dict[str, Any]] = {}
    for data_filter in body.get("dataFilters", []):
        for meta in select(book, data_filter):
            entry = matched.setdefault(
                meta["metadataId"], {"developerMetadata": copy.deepcopy(meta), "dataFilters": []}
            )
            entry["dataFilters"].append(copy.deepcopy(data_filter))
    return {"matchedDeveloperMetadata": list(matched.values())} if matched else {}


def update(book: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
    """updateDeveloperMetadata → its reply."""
    new = request.get("developerMetadata") or {}
    mask = request.get("fields")
    if not mask:
        raise invalid_argument("'fields' must be specified for updateDeveloperMetadata.")
    selected = {m["metadataId"]: m for f in request.get("dataFilters", []) for m in select(book, f)}
    for meta in selected.values():
        source = dict(new)
        if "location" in source:
            source["location"] = normalize_location(book, source["location"])
        kept = {"metadataId": meta["metadataId"], "location": meta["location"]}
        fieldmask.apply(meta, source, mask)
        meta["metadataId"] = kept["metadataId"]
        meta.setdefault("location", kept["location"])
    return {"updateDeveloperMetadata": {"developerMetadata": [copy.deepcopy(m) for m in selected.values()]}}


def delete(book: Spreadsheet, request: dict[str, Any]) -> dict[str, Any]:
    """deleteDeveloperMetadata → its reply."""
    deleted = select(book, request.get("dataFilter") or {})
    for meta in deleted:
        book.metadata.pop(meta["metadataId"], None)
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [copy.deepcopy(m) for m in deleted]}}
