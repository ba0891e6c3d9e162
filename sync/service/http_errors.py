"""One error handler: every failure becomes `{"error": {"code", "message", "status"}}` in fr or en."""

from __future__ import annotations

from flask import Flask, Response, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from ..errors import OkrsyncError
from ..template import catalog
from . import logs
from .auth import request_lang
from .pages import helpers, page_lang

log = logs.get("http")
#: HTTP errors the catalogue words itself; any other status gets the generic sentence.
_WORDED = frozenset({400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503})


def _answer(status: int, code: str, message: str) -> Response:
    if request.blueprint == "pages":
        lang = page_lang()
        page = render_template("error.html", lang=lang, status=status, message=message, **helpers(lang))
        response = make_response(page, status)
    else:
        response = jsonify({"error": {"code": code, "message": message, "status": status}})
        response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="okrsync"'
    return response


def install(app: Flask) -> None:
    """Register the handlers on the app."""

    @app.errorhandler(OkrsyncError)
    def okrsync_error(exc: OkrsyncError) -> ResponseReturnValue:
        """An engine or service refusal, with its own status and message."""
        if exc.status_code >= 500:
            log.warning("request failed: %s", exc, extra={"path": request.path, "status": exc.status_code})
        # Once the workbook is known, its language; before, a page speaks its reader's and JSON callers get
        # the language the error was raised in.
        pages = request.blueprint == "pages"
        lang = exc.workbook_lang or (page_lang() if pages else exc.lang)
        message = exc.message_in(lang)
        return _answer(exc.status_code, exc.code, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        """Flask's own errors (404, 405, 413…), worded by the catalogue."""
        status = exc.code or 500
        lang = page_lang() if request.blueprint == "pages" else request_lang(request.headers, "en")
        key = f"service.http_{status}" if status in _WORDED else "service.http_error"
        response = _answer(status, f"http_{status}", catalog.message(key, lang, status=status))
        allow = exc.get_response().headers.get("Allow")
        if allow:  # a 405 says which methods would do
            response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def crash(exc: Exception) -> ResponseReturnValue:
        """A bug: logged with its trace (redacted), answered without internals."""
        log.exception("unhandled error", extra={"path": request.path, "method": request.method})
        lang = request_lang(request.headers)
        return _answer(500, "internal", catalog.message("service.http_500", lang, status=500))
