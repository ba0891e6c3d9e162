"""FakeGoogle: a stateful Sheets v4 + Drive v3 served through `responses`, checking every request.

Each request is routed (routes.py), its query parameters and body are validated against Google's
discovery document (schema.py), and its effect is applied to in-memory spreadsheets, atomically as at
Google. Bad requests get Google's 400 body *and* are recorded in `errors`, which the `google_fake`
fixture asserts empty at teardown. Faults (429, 5xx, network errors, before or after the request is applied)
and edits by a person between a read and the next write can be injected; a faulted request is checked first.
"""

from __future__ import annotations

import json
import pickle
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import requests
import responses
from requests import PreparedRequest

from . import drive, routes, schema
from .batch import NotFaked
from .errors import GoogleError, sheets_error_body
from .people import PersonActions
from .quota import Quota
from .state import Spreadsheet
from .traffic import HTTP_METHODS, Call, Exchange, Fault, sample, strip_nulls

_HEADERS = {"Content-Type": "application/json; charset=UTF-8"}
_FILE_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
Answer = tuple[int, dict[str, str], str]


@dataclass
class _Incoming:
    call: Call
    url: str
    params: dict[str, list[str]]
    body: Any
    is_read: bool


class FakeGoogle(PersonActions):
    """The fake Google: spreadsheets in `books`, traffic in `calls`/`exchanges`, bad requests in `errors`."""

    def __init__(
        self,
        *,
        default_locale: str = "en_US",
        default_time_zone: str = "Etc/GMT",
        user_email: str = "okrsync@okrsync-test.iam.gserviceaccount.com",
        check_responses: bool = True,
    ) -> None:
        self.default_locale = default_locale
        self.default_time_zone = default_time_zone
        self.user_email = user_email
        self.check_responses = check_responses
        self.books: dict[str, Spreadsheet] = {}
        self.calls: list[Call] = []
        self.exchanges: list[Exchange] = []
        self.errors: list[str] = []
        self.rsps: responses.RequestsMock | None = None
        self._faults: list[Fault] = []
        self._fault_source: Callable[[Call], Fault | None] | None = None
        self._hooks: list[tuple[Callable[[str], None], bool, set[str]]] = []
        self._counter = 0
        #: Google's request quotas (quota.py); None: unlimited.
        self.quota: Quota | None = None

    def install(self, rsps: responses.RequestsMock) -> None:
        """Register catch-all callbacks for sheets.googleapis.com and www.googleapis.com/drive on `rsps`."""
        self.rsps = rsps
        for prefix in (f"https://{routes.SHEETS_HOST}/", f"https://{routes.DRIVE_HOST}/drive/"):
            for method in HTTP_METHODS:
                rsps.add_callback(method, re.compile(re.escape(prefix)), callback=self._callback)

    # -- fault injection and hooks --------------------------------------------------------------------
    def fail_next(
        self,
        pattern: str,
        status: int,
        times: int | None = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        *,
        after_apply: bool = False,
    ) -> None:
        """Answer the next `times` matching requests (None: all) with `status` and Google's error body.

        `pattern` is an HTTP method ("POST"), "read" or "write", or a regex searched in "METHOD url"
        (e.g. ":batchUpdate", "values:batchGet"). Faults are tried in the order they were added. With
        `after_apply`, the request is applied first (a 5xx that Google answers once the change is made).
        """
        self._faults.append(Fault(pattern, status, times, dict(headers or {}), body, after_apply=after_apply))

    def drop_next(
        self,
        pattern: str,
        exception: type[Exception] = requests.exceptions.ReadTimeout,
        times: int | None = 1,
        *,
        after_apply: bool = False,
    ) -> None:
        """Raise `exception` (a network error) for the next `times` matching requests, `pattern` as in
        `fail_next`. With `after_apply`, the fake first does what the request asks, then the answer is lost:
        the client cannot tell whether Google applied it.
        """
        self._faults.append(Fault(pattern, 0, times, exception=exception, after_apply=after_apply))

    def clear_faults(self) -> None:
        """Forget every fault not yet spent (a Google that works again)."""
        self._faults.clear()
        self._fault_source = None

    def inject_faults(self, source: Callable[[Call], Fault | None] | None) -> None:
        """Ask `source` about every request that no `fail_next`/`drop_next` fault answers (None: stop)."""
        self._fault_source = source

    def before_write(self, callback: Callable[[str], None], *, once: bool = True) -> None:
        """Call `callback(spreadsheet_id)` when a write arrives for a spreadsheet read since registration."""
        self._hooks.append((callback, once, set()))

    # -- counting ---------------------------------------------------------------------------------------
    def read_calls(self, include_failed: bool = False) -> list[Call]:
        """Reads answered (GETs, developerMetadata:search, values:batchGetByDataFilter)."""
        return [e.call for e in self.exchanges if e.is_read and (include_failed or 0 < e.status < 400)]

    def write_calls(self, include_failed: bool = False) -> list[Call]:
        """Writes answered (POST/PUT/DELETE that change state)."""
        return [e.call for e in self.exchanges if not e.is_read and (include_failed or 0 < e.status < 400)]

    def bodies(self, kind_suffix: str) -> list[Any]:
        """Request bodies of the calls whose kind ends with `kind_suffix` (e.g. "values.batchUpdate")."""
        return [e.body for e in self.exchanges if e.call.kind.endswith(kind_suffix)]

    def take_errors(self) -> list[str]:
        """Return and forget the recorded errors (for tests that expect a rejected request)."""
        errors, self.errors = self.errors, []
        return errors

    def assert_clean(self) -> None:
        """Fail if any request was invalid or hit something the fake does not implement."""
        assert not self.errors, "Google fake rejected requests:\n" + "\n".join(self.errors)

    # -- ids ----------------------------------------------------------------------------------------------
    def new_file_id(self) -> str:
        """A deterministic 44-character Drive-like file id."""
        self._counter += 1
        seed = f"{self._counter:06d}okrsync" * 6
        return "1" + "".join(_FILE_ID_CHARS[(ord(c) * 7 + i * 13) % 64] for i, c in enumerate(seed[:43]))

    def new_permission_id(self) -> str:
        """A Drive permission id."""
        self._counter += 1
        return f"{10**19 + self._counter}"

    def owner_permission(self) -> dict[str, Any]:
        """The owner permission of files the caller creates."""
        return {
            "kind": "drive#permission",
            "id": self.new_permission_id(),
            "type": "user",
            "role": "owner",
            "emailAddress": self.user_email,
            "displayName": self.user_email.split("@")[0],
            "deleted": False,
            "pendingOwner": False,
        }

    # -- request handling --------------------------------------------------------------------------------
    def _callback(self, request: PreparedRequest) -> Answer:
        url = urlsplit(str(request.url))
        method = str(request.method).upper()
        params = parse_qs(url.query, keep_blank_values=True)
        found = routes.find(method, url.netloc, url.path)
        kind = found[0].kind if found else "unknown"
        call = Call(method, unquote(url.path), kind)
        self.calls.append(call)
        raw = request.body.decode("utf-8") if isinstance(request.body, bytes) else request.body
        incoming = _Incoming(call, str(request.url), params, raw, found is None or found[0].is_read)
        if found is None:
            self.errors.append(f"{method} {url.path}: no such endpoint in the fake")
            return self._answer(
                incoming, GoogleError(404, f"The fake has no endpoint for {method} {url.path}")
            )
        route, match = found
        refused = self.quota.admit(route, url.netloc, request.headers) if self.quota is not None else None
        if refused is not None:
            return self._answer(incoming, refused)
        try:
            incoming.body = json.loads(str(raw)) if raw else None
        except json.JSONDecodeError:
            self.errors.append(f"{method} {call.path}: body is not JSON")
            return self._answer(incoming, GoogleError(400, "Invalid JSON payload received."))
        groups = {k: unquote(v) for k, v in match.groupdict().items()}
        book_id = groups.get("id")
        if book_id and not route.is_read:
            self._run_hooks(book_id)
        # The request is checked before any fault is injected: one that always fails is checked all the same.
        try:
            self._check(route, params, incoming.body)
        except schema.SchemaViolation as violation:
            self.errors.append(f"{method} {call.path}: {violation}")
            return self._answer(incoming, GoogleError(400, violation.google_message, field=violation.field))
        fault = next((f for f in self._faults if f.take(method, incoming.url, route.is_read)), None)
        if fault is None and self._fault_source is not None:
            fault = self._fault_source(call)
        if fault is not None and not fault.after_apply:
            return self._fail(incoming, fault)
        error, result = self._handle(route, groups, params, incoming)
        if fault is not None:
            return self._fail(incoming, fault)  # done (or refused) at Google, but the answer is lost
        if error is None and book_id and route.is_read:
            for _, _, seen in self._hooks:
                seen.add(book_id)
        return self._answer(incoming, error, result=result)

    def _check(self, route: routes.Route, params: dict[str, list[str]], body: Any) -> None:
        """Query parameters, body and field masks against the discovery document (SchemaViolation if not)."""
        api = route.kind.split(".")[0]
        schema.validate_params(route.kind, params)
        spec = schema.method(route.kind)
        if "request" in spec:
            schema.validate(spec["request"]["$ref"], body if body is not None else {}, api)
        if "fields" in params and "response" in spec:
            schema.check_mask(spec["response"]["$ref"], params["fields"][0], api)

    def _handle(
        self, route: routes.Route, groups: dict[str, str], params: dict[str, list[str]], incoming: _Incoming
    ) -> tuple[GoogleError | None, Any]:
        """Apply a checked request: (None, result), or (the error Google answers, None)."""
        method, path = incoming.call.method, incoming.call.path
        try:
            return None, self._apply(route, groups, params, incoming.body)
        except schema.SchemaViolation as violation:  # a field mask inside a batch request
            self.errors.append(f"{method} {path}: {violation}")
            return GoogleError(400, violation.google_message, field=violation.field), None
        except GoogleError as error:
            if error.code == 400:
                self.errors.append(f"{method} {path}: {error.message}")
            return error, None
        except NotFaked as missing:
            self.errors.append(f"{method} {path}: {missing}")
            raise
        except (KeyError, TypeError, ValueError, AssertionError) as bug:
            self.errors.append(f"{method} {path}: the fake failed on this request:\n{traceback.format_exc()}")
            return GoogleError(400, f"fake: {bug!r}"), None

    def _apply(
        self, route: routes.Route, groups: dict[str, str], params: dict[str, list[str]], body: Any
    ) -> Any:
        api = route.kind.split(".")[0]
        spec = schema.method(route.kind)
        book = self._find(route, groups["id"]) if route.needs_book else None
        snapshot = pickle.dumps(book.__dict__) if book is not None and not route.is_read else None
        try:
            result = route.handler(routes.Ctx(self, book, groups, params, strip_nulls(body or {})))
            if self.check_responses and result is not None and "response" in spec:
                try:
                    schema.validate(spec["response"]["$ref"], sample(result), api)
                except schema.SchemaViolation as own:
                    raise AssertionError(f"the fake's own response is malformed: {own}") from None
        except BaseException:
            if book is not None and snapshot is not None:
                book.__dict__.update(pickle.loads(snapshot))
            raise
        return result

    def _find(self, route: routes.Route, book_id: str) -> Spreadsheet:
        if route.host == routes.DRIVE_HOST:
            return drive.find(self, book_id)
        book = self.books.get(book_id)
        if book is None:
            raise GoogleError(404)
        if book.private:
            raise GoogleError(403)
        return book

    def _run_hooks(self, book_id: str) -> None:
        for hook in list(self._hooks):
            callback, once, seen = hook
            if book_id in seen:
                callback(book_id)
                seen.clear()
                if once:
                    self._hooks.remove(hook)

    def _fail(self, incoming: _Incoming, fault: Fault) -> Answer:
        """Answer with the fault's status, or raise its network error (recorded with status 0: no answer)."""
        if fault.exception is None:
            error = GoogleError(fault.status, body=fault.body or sheets_error_body(fault.status))
            return self._answer(incoming, error, fault.headers)
        self.exchanges.append(Exchange(incoming.call, incoming.params, incoming.body, 0, "", incoming.is_read))
        raise fault.exception(f"fake: {fault.describe()} on {incoming.call.method} {incoming.call.path}")

    def _answer(
        self,
        incoming: _Incoming,
        error: GoogleError | None,
        headers: dict[str, str] | None = None,
        result: Any = None,
    ) -> Answer:
        payload: Any
        if error is not None:
            status, payload = error.code, error.body()
        else:
            status, payload = (204, None) if result is None else (200, result)
        # As Google: UTF-8, indented unless the call asks `prettyPrint=false`.
        compact = incoming.params.get("prettyPrint") == ["false"]
        text = "" if payload is None else json.dumps(
            payload, ensure_ascii=False, indent=None if compact else 2, separators=(",", ":") if compact else None
        )
        self.exchanges.append(
            Exchange(incoming.call, incoming.params, incoming.body, status, text, incoming.is_read)
        )
        return status, {**_HEADERS, **(headers or {})}, text
