"""URL routing for the fake: each Sheets v4 / Drive v3 endpoint, its discovery method id and its handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import batch, drive, metadata, render, values
from .errors import GoogleError
from .state import Spreadsheet

if TYPE_CHECKING:
    from .sheets import FakeGoogle

Params = dict[str, list[str]]
SHEETS_HOST, DRIVE_HOST = "sheets.googleapis.com", "www.googleapis.com"
# Reads that are POSTs (they count against the read quota).
POST_READS = {
    "sheets.spreadsheets.developerMetadata.search",
    "sheets.spreadsheets.values.batchGetByDataFilter",
}


@dataclass
class Ctx:
    """What a handler gets: the fake, the spreadsheet named in the path, path groups, query, JSON body."""

    fake: FakeGoogle
    found: Spreadsheet | None
    groups: dict[str, str]
    params: Params
    body: dict[str, Any]

    @property
    def book(self) -> Spreadsheet:
        """The spreadsheet of the path (routes with an id always have one)."""
        assert self.found is not None
        return self.found

    @property
    def range(self) -> str:
        """The decoded A1 range of a values/{range} path."""
        return self.groups["range"]


Handler = Callable[[Ctx], Any]


@dataclass(frozen=True)
class Route:
    """One endpoint: HTTP method, host, path regex (on the raw, still-quoted path), discovery id, handler."""

    method: str
    host: str
    pattern: re.Pattern[str]
    kind: str
    handler: Handler
    needs_book: bool = True

    @property
    def is_read(self) -> bool:
        """GETs and the POST-shaped searches are reads; everything else is a write."""
        return self.method == "GET" or self.kind in POST_READS


def _create_spreadsheet(c: Ctx) -> dict[str, Any]:
    props = c.body.get("properties") or {}
    sheets = [s.get("properties") or {} for s in c.body.get("sheets") or []]
    book_id = c.fake.new_spreadsheet(
        props.get("title") or "Untitled spreadsheet",
        locale=props.get("locale") or c.fake.default_locale,
        time_zone=props.get("timeZone") or c.fake.default_time_zone,
        sheets=sheets or None,
    )
    book = c.fake.book(book_id)
    requests: list[dict[str, Any]] = []
    for sheet_body, sheet in zip(c.body.get("sheets") or [], book.sheets, strict=False):
        unknown = set(sheet_body) - {"properties", "data", "conditionalFormats", "protectedRanges", "merges"}
        if unknown:
            raise batch.NotFaked(f"spreadsheets.create with sheet fields {sorted(unknown)}")
        for data in sheet_body.get("data") or []:
            start = {
                "sheetId": sheet.sheet_id,
                "rowIndex": data.get("startRow", 0),
                "columnIndex": data.get("startColumn", 0),
            }
            requests.append({"updateCells": {"start": start, "rows": data.get("rowData", []), "fields": "*"}})
        for rule in sheet_body.get("conditionalFormats") or []:
            requests.append({"addConditionalFormatRule": {"rule": rule}})
        for protected in sheet_body.get("protectedRanges") or []:
            requests.append({"addProtectedRange": {"protectedRange": protected}})
        for merge in sheet_body.get("merges") or []:
            requests.append({"mergeCells": {"range": merge, "mergeType": "MERGE_ALL"}})
    for meta in c.body.get("developerMetadata") or []:
        requests.append({"createDeveloperMetadata": {"developerMetadata": meta}})
    if requests:
        batch.batch_update(book, {"requests": requests})
    return render.spreadsheet_json(book, {})


def _drive_delete(c: Ctx) -> None:
    del c.fake.books[c.book.spreadsheet_id]


def _metadata_get(c: Ctx) -> dict[str, Any]:
    found = c.book.metadata.get(int(c.groups["meta"]))
    if found is None:
        raise GoogleError(404, f"No developer metadata with ID: {c.groups['meta']}")
    return found


def _routes() -> list[Route]:
    book = r"/v4/spreadsheets/(?P<id>[^/:]+)"
    file = r"/drive/v3/files/(?P<id>[^/]+)"
    s, d = SHEETS_HOST, DRIVE_HOST
    table: list[tuple[str, str, str, str, Handler]] = [
        ("POST", s, "/v4/spreadsheets", "spreadsheets.create", _create_spreadsheet),
        ("GET", s, book, "spreadsheets.get", lambda c: render.spreadsheet_json(c.book, c.params)),
        (
            "POST",
            s,
            f"{book}:batchUpdate",
            "spreadsheets.batchUpdate",
            lambda c: batch.batch_update(c.book, c.body),
        ),
        (
            "GET",
            s,
            f"{book}/values:batchGet",
            "spreadsheets.values.batchGet",
            lambda c: values.batch_get(c.book, c.params),
        ),
        (
            "POST",
            s,
            f"{book}/values:batchUpdate",
            "spreadsheets.values.batchUpdate",
            lambda c: values.batch_update(c.book, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values:batchUpdateByDataFilter",
            "spreadsheets.values.batchUpdateByDataFilter",
            lambda c: values.batch_update_by_data_filter(c.book, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values:batchGetByDataFilter",
            "spreadsheets.values.batchGetByDataFilter",
            lambda c: values.batch_get_by_data_filter(c.book, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values:batchClear",
            "spreadsheets.values.batchClear",
            lambda c: values.batch_clear(c.book, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values:batchClearByDataFilter",
            "spreadsheets.values.batchClearByDataFilter",
            lambda c: values.batch_clear_by_data_filter(c.book, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values/(?P<range>.+):append",
            "spreadsheets.values.append",
            lambda c: values.append(c.book, c.range, c.params, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/values/(?P<range>.+):clear",
            "spreadsheets.values.clear",
            lambda c: values.clear(c.book, c.range),
        ),
        (
            "GET",
            s,
            f"{book}/values/(?P<range>.+)",
            "spreadsheets.values.get",
            lambda c: values.get(c.book, c.range, c.params),
        ),
        (
            "PUT",
            s,
            f"{book}/values/(?P<range>.+)",
            "spreadsheets.values.update",
            lambda c: values.update(c.book, c.range, c.params, c.body),
        ),
        (
            "POST",
            s,
            f"{book}/developerMetadata:search",
            "spreadsheets.developerMetadata.search",
            lambda c: metadata.search(c.book, c.body),
        ),
        (
            "GET",
            s,
            rf"{book}/developerMetadata/(?P<meta>\d+)",
            "spreadsheets.developerMetadata.get",
            _metadata_get,
        ),
        ("POST", d, "/drive/v3/files", "files.create", lambda c: drive.create(c.fake, c.params, c.body)),
        ("GET", d, "/drive/v3/files", "files.list", lambda c: drive.list_files(c.fake, c.params)),
        ("GET", d, file, "files.get", lambda c: drive.get(c.book, c.params)),
        ("DELETE", d, file, "files.delete", _drive_delete),
        (
            "GET",
            d,
            f"{file}/comments",
            "comments.list",
            lambda c: {"kind": "drive#commentList", "comments": []},
        ),
        (
            "POST",
            d,
            f"{file}/copy",
            "files.copy",
            lambda c: drive.copy_file(c.fake, c.book, c.params, c.body),
        ),
        (
            "POST",
            d,
            f"{file}/permissions",
            "permissions.create",
            lambda c: drive.create_permission(c.fake, c.book, c.params, c.body),
        ),
        (
            "GET",
            d,
            f"{file}/permissions",
            "permissions.list",
            lambda c: drive.list_permissions(c.book, c.params),
        ),
        (
            "DELETE",
            d,
            f"{file}/permissions/(?P<perm>[^/]+)",
            "permissions.delete",
            lambda c: drive.delete_permission(c.book, c.groups["perm"]),
        ),
    ]
    routes = []
    for method, host, path, kind, handler in table:
        api = "sheets." if host == s else "drive."
        needs_book = "(?P<id>" in path
        routes.append(Route(method, host, re.compile(f"^{path}$"), api + kind, handler, needs_book))
    return routes


ROUTES = _routes()


def find(method: str, host: str, raw_path: str) -> tuple[Route, re.Match[str]] | None:
    """The route for a request, with its path match."""
    for route in ROUTES:
        if route.method == method and route.host == host and (match := route.pattern.match(raw_path)):
            return route, match
    return None
