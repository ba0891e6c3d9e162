"""The one gateway to Google: Sheets v4 and Drive v3 requests, call counts, readable errors; retries in google_retry."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlsplit

import google.auth.exceptions
import requests
from gspread.exceptions import APIError
from gspread.http_client import ParamsType

from ..errors import BackendError, BadArgument
from .google_auth import find_credentials
from .google_retry import NoNetwork as NoNetwork
from .google_retry import RetriesExhausted as RetriesExhausted
from .google_retry import RetryingHTTPClient as RetryingHTTPClient
from .google_retry import RetryPolicy as RetryPolicy
from .google_retry import error_tags
from .google_retry import is_retryable as is_retryable

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_WEB_URL = "https://docs.google.com/spreadsheets/d/{id}"

#: Google's advice for a request body: "a 2-MB maximum payload is recommended to optimize for speed"
#: (https://developers.google.com/sheets/api/limits). Bigger writes go in several calls under it.
MAX_REQUEST_BYTES = 2_000_000

#: Sent with every call: answers without indentation ("prettyPrint … Default: true. When false, can reduce the
#: response payload size", https://developers.google.com/discovery/v1/parameters), and gzip-compressed ("set an
#: Accept-Encoding header, and modify your user agent to contain the string gzip",
#: https://developers.google.com/docs/api/how-tos/performance; requests accepts gzip by default).
COMPACT = {"prettyPrint": "false"}
USER_AGENT = {"User-Agent": "okrsync (gzip)"}

#: A JSON escape of a character outside ASCII: an answer holding one is decoded the ordinary way.
_WIDE_ESCAPE = re.compile(rb"\\u(?!00[0-7])")

#: The reasons of a 403 that means "this account may not open this file".
ACCESS_REASONS = frozenset({"forbidden", "insufficientFilePermissions", "insufficientPermissions"})


class GoogleGateway:
    """Every call okrsync makes to Google, with one place for URLs, retries, counting and error messages."""

    def __init__(self, http: RetryingHTTPClient, lang: str = "en", service_account_email: str | None = None):
        self.http = http
        self.lang = lang
        self.service_account_email = service_account_email

    @classmethod
    def connect(
        cls,
        credentials_path: str | os.PathLike[str] | None = None,
        lang: str = "en",
        policy: RetryPolicy | None = None,
    ) -> GoogleGateway:
        """A gateway on the first credentials found (key file, Application Default Credentials, token)."""
        found = find_credentials(credentials_path, lang)
        return cls(RetryingHTTPClient(found.credentials, policy=policy), lang, found.service_account_email)

    @property
    def reads(self) -> int:
        """API calls made so far that only read."""
        return self.http.reads

    @property
    def writes(self) -> int:
        """API calls made so far that change something."""
        return self.http.writes

    @staticmethod
    def url(spreadsheet_id: str) -> str:
        """Where a person opens the spreadsheet."""
        return SPREADSHEET_WEB_URL.format(id=spreadsheet_id)

    def create_spreadsheet(self, properties: Mapping[str, Any]) -> dict[str, Any]:
        """`spreadsheets.create` with these properties: its ID and the ID of its default sheet."""
        body = {"properties": dict(properties)}
        params: ParamsType = {"fields": "spreadsheetId,sheets(properties(sheetId))"}
        return self._call("post", SHEETS_URL, None, params=params, json=body)

    def get_spreadsheet(
        self, spreadsheet_id: str, fields: str, include_grid_data: bool = True,
        object_hook: Callable[[dict[str, Any]], Any] | None = None,
    ) -> dict[str, Any]:
        """`spreadsheets.get` limited to `fields`; `object_hook` turns each JSON object as it is parsed (so a
        big answer never exists as a tree of dicts)."""
        params: ParamsType = {"includeGridData": "true" if include_grid_data else "false", "fields": fields}
        return self._call("get", f"{SHEETS_URL}/{_id(spreadsheet_id)}", spreadsheet_id, params=params,
                          object_hook=object_hook)

    def batch_update(self, spreadsheet_id: str, requests_: list[dict[str, Any]],
                     response_ranges: Sequence[str] = (), fields: str | None = None) -> dict[str, Any]:
        """`spreadsheets.batchUpdate`: many structural changes in one call, applied all or nothing.

        With `response_ranges`, the reply also holds those ranges' cells as they stand after the changes.
        """
        url = f"{SHEETS_URL}/{_id(spreadsheet_id)}:batchUpdate"
        body: dict[str, Any] = {"requests": requests_}
        if response_ranges:
            body |= {"includeSpreadsheetInResponse": True, "responseRanges": list(response_ranges),
                     "responseIncludeGridData": True}
        params: ParamsType | None = {"fields": fields} if fields else None
        return self._call("post", url, spreadsheet_id, params=params, json=body)

    def write_values(self, spreadsheet_id: str, data: list[dict[str, Any]]) -> dict[str, Any]:
        """`values:batchUpdateByDataFilter` with RAW input: values land where each data filter points."""
        url = f"{SHEETS_URL}/{_id(spreadsheet_id)}/values:batchUpdateByDataFilter"
        return self._call("post", url, spreadsheet_id, json={"valueInputOption": "RAW", "data": data})

    def share(self, spreadsheet_id: str, email_address: str, role: str = "writer") -> dict[str, Any]:
        """Drive `permissions.create` for one person, without a notification e-mail."""
        url = f"{DRIVE_FILES_URL}/{_id(spreadsheet_id)}/permissions"
        params: ParamsType = {"sendNotificationEmail": "false", "supportsAllDrives": "true", "fields": "id"}
        body = {"type": "user", "role": role, "emailAddress": email_address}
        return self._call("post", url, spreadsheet_id, params=params, json=body)

    def permissions(self, spreadsheet_id: str, fields: str = "nextPageToken,permissions") -> list[dict[str, Any]]:
        """Drive `permissions.list`, every page: who the spreadsheet is shared with, and how."""
        url = f"{DRIVE_FILES_URL}/{_id(spreadsheet_id)}/permissions"
        found: list[dict[str, Any]] = []
        token = ""
        while True:
            params: ParamsType = {"fields": fields, "supportsAllDrives": "true", "pageSize": 100}
            if token:
                params["pageToken"] = token
            page = self._call("get", url, spreadsheet_id, params=params)
            found += list(page.get("permissions") or [])
            token = str(page.get("nextPageToken") or "")
            if not token:
                return found

    def _call(self, method: str, url: str, spreadsheet_id: str | None,
              object_hook: Callable[[dict[str, Any]], Any] | None = None, **kwargs: Any) -> dict[str, Any]:
        kwargs["params"] = {**(kwargs.get("params") or {}), **COMPACT}
        try:
            response = self.http.request(method, url, headers=dict(USER_AGENT), **kwargs)
        except _FAILURES as err:
            raise self._error(err, method, url, spreadsheet_id) from err
        if not response.content:
            return {}
        if object_hook is None:
            result: dict[str, Any] = json.loads(response.content)
            return result
        return loads_narrow(response.content, object_hook)

    def _error(self, err: Exception, method: str, url: str, spreadsheet_id: str | None) -> BackendError:
        """The one mapping from what Google said to what a person can act on."""
        request = f"{method.upper()} {urlsplit(url).path}"  # never the query, never a header: no token
        if isinstance(err, NoNetwork):
            return BackendError("error.google_no_network", self.lang, host=err.host)
        if isinstance(err, RetriesExhausted):
            return BackendError("error.google_gave_up", self.lang, attempts=err.attempts, last=err.last,
                                request=request)
        if isinstance(err, APIError):
            status = err.response.status_code
            # Only a plain "no access" 403 is about sharing; a disabled API, missing scopes or a Drive
            # sharing policy keep Google's own words, which say what is wrong.
            plain_refusal = error_tags(err.error, "reason") <= ACCESS_REASONS
            if status == 403 and spreadsheet_id and plain_refusal:
                if self.service_account_email:
                    return BackendError("error.google_forbidden", self.lang, id=spreadsheet_id,
                                        email=self.service_account_email)
                return BackendError("error.google_forbidden_account", self.lang, id=spreadsheet_id)
            if status == 404 and spreadsheet_id:
                return BackendError("error.google_not_found", self.lang, id=spreadsheet_id)
            reason = str(err.error.get("message") or err.response.reason or "")
            return BackendError("error.google_api", self.lang, status=status, reason=reason, request=request)
        if isinstance(err, google.auth.exceptions.GoogleAuthError):
            return BackendError("error.google_auth", self.lang, reason=str(err))
        return BackendError("error.google_api", self.lang, status="-", reason=type(err).__name__,
                            request=request)


_FAILURES = (APIError, NoNetwork, RetriesExhausted, requests.RequestException,
             google.auth.exceptions.GoogleAuthError)


def _size(item: Any) -> int:
    """Bytes an item adds to a request body as `requests` writes JSON (ASCII-escaped, ", " between items)."""
    return len(json.dumps(item)) + 2


def split_by_size(items: list[Any], limit: int) -> Iterator[list[Any]]:
    """`items` in order, in as few runs as keep each run's JSON, with room for the body around it, under
    `limit` bytes (an item bigger than that goes alone)."""
    limit -= 4096  # the body's other members: valueInputOption, response fields
    run: list[Any] = []
    size = 0
    for item in items:
        cost = _size(item)
        if run and size + cost > limit:
            yield run
            run, size = [], 0
        run.append(item)
        size += cost
    if run:
        yield run


def row_blocks(rows: list[list[Any]], limit: int) -> Iterator[tuple[int, list[list[Any]]]]:
    """(first row index, rows) blocks of a grid, each under `limit` bytes of JSON."""
    first = 0
    for block in split_by_size(rows, limit):
        yield first, block
        first += len(block)


def _id(spreadsheet_id: str) -> str:
    return quote(spreadsheet_id, safe="")


_GSHEET_PREFIX = re.compile(r"^gsheet:([A-Za-z0-9_-]+)$")
_GSHEET_URL = re.compile(r"^https?://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)(?:[/?#].*)?$")


def parse_target(text: str, lang: str = "en") -> tuple[str, str]:
    """`("xlsx", path)` for a .xlsx path, `("gsheet", id)` for `gsheet:<id>` or a Google Sheets URL."""
    target = (text or "").strip()
    for pattern in (_GSHEET_PREFIX, _GSHEET_URL):
        m = pattern.match(target)
        if m:
            return "gsheet", m.group(1)
    if target.lower().endswith(".xlsx") and "://" not in target:
        return "xlsx", target
    raise BadArgument("error.unknown_target", lang, target=text)


def loads_narrow(content: bytes, object_hook: Callable[[dict[str, Any]], Any]) -> Any:
    """UTF-8 JSON parsed as `json.loads(content, object_hook=…)` would, without the answer ever held as one
    wide string.

    Python stores a string at the width of its widest character: a read answer holding one emoji (people's
    confidence 🟢) would become a text four times its size in bytes. Decoded as Latin-1 instead, each byte is
    one character and the text is as big as the answer; JSON's own characters are ASCII, which no byte of a
    UTF-8 sequence can be mistaken for, so the parse is the same, and each string holding bytes of a UTF-8
    sequence is decoded once parsed (strings in arrays of arrays are not: the Sheets resources read this way
    have none). An answer with a JSON escape of a non-ASCII character (never sent by
    Google, which writes UTF-8) is decoded the ordinary way, as that escape would be ambiguous here.
    """
    if _WIDE_ESCAPE.search(content):
        return json.loads(content, object_hook=object_hook)

    def hook(obj: dict[str, Any]) -> Any:
        for key, value in obj.items():
            if value.__class__ is str and not value.isascii():
                obj[key] = _utf8(value)
            elif value.__class__ is list:
                # One level: what `object_hook` made of the objects in it is left alone (decoded already).
                for i, item in enumerate(value):
                    if item.__class__ is str and not item.isascii():
                        value[i] = _utf8(item)
        return object_hook(obj)

    return json.loads(content.decode("latin-1"), object_hook=hook)


def _utf8(text: str) -> str:
    return text.encode("latin-1").decode("utf-8")
