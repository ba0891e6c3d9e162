"""The OpenAPI 3.1 document of the API, served at `/openapi.json`; its schemas are what the API returns."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from .openapi_addon import ADDON_SCHEMAS
from .openapi_types import INT, NUM, STATUS, STR
from .openapi_types import obj as _obj
from .openapi_types import ref as _ref

bp = Blueprint("openapi", __name__)

COUNTS = _obj({"green": INT, "yellow": INT, "red": INT, "none": INT})
DATE = {"type": ["string", "null"], "format": "date"}
#: What the people tables add to a report (not required: a report stored before a table existed has none).
TABLE_REPORTS: dict[str, Any] = {
    "annual_goals": {"type": "array", "items": _obj({
        "id": {"type": "string"}, "goal": {"type": "string"}, "unit": {"type": "string"},
        "commitment": {"type": "string", "enum": ["committed", "aspirational"]}, "baseline": NUM, "target": NUM,
        "current": NUM, "progress_year": NUM, "progress_quarter": NUM, "status": STATUS,
        "feasible": {"type": ["boolean", "null"]}, "realistic_target": NUM})},
    "initiatives": {"type": "array", "items": _obj({
        "initiative": {"type": "string"}, "kr": STR, "owner": STR, "budget": NUM, "deliverable": STR, "due": DATE,
        "state": {"type": ["string", "null"], "enum": ["todo", "in_progress", "done", "blocked", None]},
        "past_due": {"type": "boolean"}})},
    "kpis": {"type": "array", "items": _obj({
        "indicator": {"type": "string"}, "team": STR, "unit": STR,
        "direction": {"type": ["string", "null"], "enum": ["higher", "lower", None]}, "latest": NUM,
        "latest_date": DATE, "change": NUM, "trend": {"type": ["string", "null"], "enum": ["up", "down", "flat", None]},
        "threshold": NUM, "benchmark": NUM, "status": {"type": "string", "enum": ["green", "red", "none"]}})},
}
REPORT_BASE: dict[str, Any] = {
    "workbook": _obj({"title": {"type": "string"}, "lang": {"type": "string", "enum": ["fr", "en"]},
                      "quarter": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
                      "elapsed": NUM}),
    "checkins": _obj({"rows": INT, "valid": INT, "invalid": INT}),
    "problems": {"type": "array", "items": _obj({
        "tab": {"type": "string"}, "row": {"type": "integer"}, "column": {"type": "string"},
        "code": {"type": "string", "pattern": "^[a-z0-9_]+$"},
        "severity": {"type": "string", "enum": ["error", "warning"]}, "message": {"type": "string"}})},
    "key_results": {"type": "array", "items": _obj({
        "id": {"type": "string"}, "team": STR, "objective": STR, "type": STR, "start": NUM, "target": NUM,
        "unit": STR, "current": NUM, "progress": NUM, "expected": NUM, "confidence": NUM, "status": STATUS,
        "last_checkin": {"type": ["string", "null"], "format": "date"}})},
    "objectives": {"type": "array", "items": _obj({
        "id": {"type": "string"}, "team": STR, "parent": STR, "progress": NUM, "status": STATUS, "counts": COUNTS})},
    "teams": {"type": "array", "items": _obj({
        "team": {"type": "string"}, "progress": NUM, "status": STATUS,
        "counts": COUNTS})},
    "org": _obj({"progress": NUM, "status": STATUS, "counts": COUNTS}),
    "writes": _obj({"cells": INT, "api_calls": _obj({"read": INT, "write": INT})}),
}
REPORT = _obj({**REPORT_BASE, **TABLE_REPORTS}, list(REPORT_BASE))

WORKBOOK = {
    "id": {"type": "string"}, "backend": {"type": "string", "enum": ["gsheet", "xlsx", "addon"]},
    "target": {"type": "string"}, "url": {"type": ["string", "null"], "format": "uri"},
    "title": {"type": "string"}, "lang": {"type": "string", "enum": ["fr", "en"]},
    "registered_by": {"type": "string"}, "active": {"type": "boolean"},
    "created_at": {"type": "string", "format": "date-time"},
    "as_of": {"type": ["string", "null"], "format": "date"},
}

RUN = _obj({
    "id": {"type": "integer"}, "workbook_id": {"type": "string"},
    "trigger": {"type": "string", "enum": ["api", "nightly", "task", "provision", "register", "serve", "menu",
                                                  "page"]},
    "started_at": {"type": "string", "format": "date-time"},
    "finished_at": {"type": ["string", "null"], "format": "date-time"},
    "outcome": {"type": "string", "enum": ["running", "ok", "failed", "skipped"]},
    "api_calls": _obj({"read": INT, "write": INT}), "rows": INT, "invalid_rows": INT, "problems": INT,
    "error": {"oneOf": [{"type": "null"}, _obj({"code": {"type": "string"}, "message": {"type": "string"}})]},
})

#: A workbook's organisation in the list; a report stored before counts were reported has none.
ORG_SUMMARY = _obj({"progress": NUM, "status": STATUS, "counts": COUNTS}, ["progress", "status"])

SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": _obj({"code": {"type": "string"}, "message": {"type": "string"},
                                  "status": {"type": "integer"}})}),
    "Report": REPORT,
    "Run": RUN,
    "Workbook": _obj(WORKBOOK),
    "WorkbookSummary": _obj({**WORKBOOK, "last_run": {"oneOf": [{"type": "null"}, _ref("Run")]},
                             "org": {"oneOf": [{"type": "null"}, ORG_SUMMARY]},
                             "counts": {"oneOf": [{"type": "null"},
                                                  _obj({"green": INT, "yellow": INT, "red": INT, "none": INT})]}}),
    "WorkbookDetail": _obj({"workbook": _ref("Workbook"),
                            "latest_run": {"oneOf": [{"type": "null"}, _ref("Run")]},
                            "report": {"oneOf": [{"type": "null"}, _ref("Report")]}}),
    "WorkbookList": _obj({"workbooks": {"type": "array", "items": _ref("WorkbookSummary")}}),
    "RunList": _obj({"runs": {"type": "array", "items": _ref("Run")}}),
    "SyncResult": _obj({"run": _ref("Run"), "report": {"oneOf": [{"type": "null"}, _ref("Report")]}}),
    "TaskResult": _obj({"run": {"oneOf": [{"type": "null"}, _ref("Run")]}}),
    "NightlySummary": _obj({
        "mode": {"type": "string", "enum": ["tasks", "in_process"]}, "workbooks": INT, "synced": INT,
        "enqueued": INT, "failed": INT, "skipped": INT,
        "results": {"type": "array", "items": _obj({
            "workbook_id": {"type": "string"},
            "outcome": {"type": "string", "enum": ["ok", "failed", "skipped", "enqueued"]},
            "run_id": {"type": ["integer", "null"]},
            "error": {"oneOf": [{"type": "null"}, _obj({"code": STR, "message": STR})]}})}}),
    "Health": _obj({"status": {"type": "string", "enum": ["ok"]}}),
    "ProvisionRequest": {
        "type": "object", "required": ["organisation", "lang", "quarter", "teams"],
        "properties": {
            "organisation": {"type": "string", "minLength": 1, "maxLength": 200},
            "lang": {"type": "string", "enum": ["fr", "en"]},
            "quarter": {"type": "string", "maxLength": 20, "examples": ["2025-T1", "2025-Q1"]},
            "title": {"type": "string", "maxLength": 200},
            "teams": {"type": "array", "minItems": 1, "maxItems": 30, "items": {"oneOf": [
                {"type": "string", "minLength": 1, "maxLength": 80},
                {"type": "object", "required": ["name"], "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 80},
                    "manager": {"type": "string", "maxLength": 200},
                    "email": {"type": "string", "format": "email"}}}]}},
            "share": {"type": "array", "maxItems": 50, "items": {"type": "string", "format": "email"}},
        },
    },
    **ADDON_SCHEMAS,
    "RegisterRequest": {
        "type": "object", "description": "Exactly one of spreadsheet_id (an ID or a Google Sheets URL) and "
                                         "path (a .xlsx file of the data folder, local mode only).",
        "properties": {"spreadsheet_id": {"type": "string", "maxLength": 500},
                       "path": {"type": "string", "maxLength": 255}},
    },
}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*codes: int) -> dict[str, Any]:
    words = {400: "Bad request", 401: "No or bad ID token", 403: "Verified caller without access",
             404: "No such workbook",
             409: "Another sync of this workbook is running, or only its add-on may sync it",
             413: "Request body over the limit (MAX_CONTENT_LENGTH; ADDON_MAX_BYTES for the add-on's endpoints)",
             422: "Not an okrsync workbook", 502: "Google or the file refused", 503: "Tokens cannot be checked"}
    found = {str(c): _json("Error", words[c]) for c in codes}
    found["default"] = _json("Error", "Any other error, same shape")
    return found


_ID = [{"name": "workbook_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 40}}]
_USER: list[dict[str, list[str]]] = [{"googleIdToken": []}]
_SCHEDULER: list[dict[str, list[str]]] = [{"googleIdToken": []}, {"appEngineCron": []}]


def _op(summary: str, ok: tuple[str, str, str], errors: tuple[int, ...], security: Any = None,
        body: str | None = None, params: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {ok[0]: _json(ok[1], ok[2]), **_errors(*errors)}}
    if security is not None:
        op["security"] = security
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(body)}}}
    if params:
        op["parameters"] = params
    return op


def _with(op: dict[str, Any], status: str, response: dict[str, Any]) -> dict[str, Any]:
    op["responses"][status] = response
    return op


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    user_errors = (400, 401, 403, 404, 409, 422, 502, 503)
    body_errors = (400, 401, 403, 404, 409, 413, 422, 502, 503)
    addon_errors = (400, 401, 403, 413, 422, 503)
    limit = {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "okrsync", "version": "1",
                 "description": "OKRs inside Google Sheets: provision, register and sync workbooks."},
        "paths": {
            "/healthz": {"get": _op("Liveness and database check", ("200", "Health", "Alive"), (), [])},
            "/api/workbooks": {
                "get": _op("Workbooks the caller may see", ("200", "WorkbookList", "The list"), (401, 403, 503),
                           _USER),
                "post": _op("Provision a workbook from the template, register and sync it",
                            ("201", "WorkbookDetail", "Created"), body_errors, _USER, body="ProvisionRequest"),
            },
            "/api/workbooks/register": {"post": _with(
                _op("Register an existing workbook", ("201", "WorkbookDetail", "Registered"), body_errors,
                    _USER, body="RegisterRequest"),
                "200", _json("WorkbookDetail", "Already registered: the existing one"))},
            "/api/workbooks/{workbook_id}": {
                "get": _op("A workbook with its latest run and report", ("200", "WorkbookDetail", "Found"),
                           user_errors, _USER, params=_ID),
            },
            "/api/workbooks/{workbook_id}/sync": {
                "post": _op("Sync now", ("200", "SyncResult", "Synced"), user_errors, _USER, params=_ID),
            },
            "/api/workbooks/{workbook_id}/teams": {
                "post": _op("Add a team: its Settings row and its check-in tab (not for a workbook its add-on syncs)",
                            ("201", "TeamAdded", "Added"), body_errors, _USER, body="TeamRequest", params=_ID),
            },
            "/api/workbooks/{workbook_id}/runs": {
                "get": _op("Runs, newest first", ("200", "RunList", "The runs"), user_errors, _USER,
                           params=[*_ID, limit]),
            },
            "/api/addon/sync": {"post": _op(
                "Evaluate the add-on's snapshot: report, dashboard, and with write the plan and the recorded run",
                ("200", "AddonSyncResult", "Evaluated"), addon_errors, _USER, body="AddonSyncRequest")},
            "/api/addon/layout": {"post": _op(
                "The layout of a new workbook, for the add-on to render", ("200", "AddonLayoutResult", "Laid out"),
                (400, 401, 403, 413, 503), _USER, body="ProvisionRequest")},
            "/api/addon/team": {"post": _op(
                "A new team: its check-in tab, its Settings row and the Lists tab",
                ("200", "AddonTeamResult", "Laid out"), addon_errors, _USER, body="AddonTeamRequest")},
            "/cron/nightly": {
                "get": _op("Nightly run (App Engine cron or Cloud Scheduler OIDC only)",
                           ("200", "NightlySummary", "Summary, also when some workbooks failed"),
                           (401, 403, 503), _SCHEDULER),
            },
            "/tasks/sync/{workbook_id}": {
                "post": _op("One workbook's nightly sync (Cloud Tasks only)", ("200", "TaskResult", "Done"),
                            (401, 403, 404, 409, 503), _SCHEDULER, params=_ID),
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "googleIdToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                  "description": "A Google ID token for the add-on's OAuth client ID."},
                "appEngineCron": {"type": "apiKey", "in": "header", "name": "X-Appengine-Cron",
                                  "description": "Set by App Engine itself; ignored anywhere else."},
            },
        },
    }


@bp.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    """The OpenAPI document."""
    return jsonify(document())
