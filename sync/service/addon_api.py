"""The add-on's endpoints: evaluate a snapshot and plan its writes, lay out a new workbook or a new team.

The service never touches the spreadsheet here: the add-on reads it, posts it, and applies what comes back.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..backends.google_api import GoogleGateway
from ..engine import evaluate
from ..errors import BadArgument, NotOurWorkbook, OkrsyncError
from ..layout.build import build_layout
from ..layout.teams import add_team
from ..model import Snapshot
from ..parsing.settings import detect_lang
from ..parsing.workbook import Workbook, read_workbook
from ..wire.layout import layout_json, tab_json
from ..wire.plan import computed_columns, plan_json
from ..wire.snapshot import Spreadsheet, read_snapshot
from ..writeback.dashboard import dashboard
from . import addon_records, addon_requests, payloads
from .auth import Caller, authenticate, request_lang
from .context import Service, service
from .views import run_json

bp = Blueprint("addon", __name__, url_prefix="/api/addon")


def _start() -> tuple[Service, Caller, str, dict[str, Any]]:
    """The caller (401/403 first), then the body under the add-on's own size limit."""
    svc, lang = service(), request_lang(request.headers)
    caller = authenticate(svc, request.headers)
    limit = int(svc.config.get("ADDON_MAX_BYTES") or addon_requests.DEFAULT_MAX_BYTES)
    body = payloads.body_of(payloads.json_body(request, limit, lang, too_large="wire.too_large"), lang)
    return svc, caller, lang, body


def _workbook(snapshot: Snapshot, sheet: Spreadsheet, lang: str) -> Workbook:
    """The okrsync workbook in the snapshot; 422 in the caller's language when it is not one."""
    try:
        return read_workbook(snapshot, GoogleGateway.url(sheet.id))
    except NotOurWorkbook as err:
        raise NotOurWorkbook(err.key, lang, **err.params) from None


@bp.post("/sync")
def addon_sync() -> ResponseReturnValue:
    """Evaluate the posted snapshot: the report, the dashboard, and (to write) the plan and the recorded run."""
    svc, caller, lang, body = _start()
    asked = addon_requests.sync_request(body, lang)
    snapshot, sheet = read_snapshot(asked.snapshot, lang)
    location = GoogleGateway.url(sheet.id)
    try:
        wb_lang = detect_lang(snapshot, location)
    except NotOurWorkbook as err:
        raise NotOurWorkbook(err.key, lang, **err.params) from None
    as_of = asked.as_of or svc.today(wb_lang)
    try:
        ev = evaluate(snapshot, location, as_of)
    except OkrsyncError as err:
        existing = addon_records.find_record(svc, sheet, caller, lang) if asked.write else None
        if existing is not None:
            addon_records.record_failure(svc, existing, asked.trigger, err)
        # The workbook's language is known by now: the error is said in it, as its cells are.
        raise type(err)(err.key, wb_lang, **err.params).in_workbook_lang(wb_lang) from None
    # The add-on reads and writes with SpreadsheetApp: this sync cost the service no API call.
    report = ev.report(as_of, (0, 0))
    plan = run = None
    if asked.write:
        plan = plan_json(ev.plan, snapshot, computed_columns(ev.workbook))
        wb = addon_records.record_for(svc, sheet, caller, snapshot.title or sheet.id, wb_lang, lang)
        run = run_json(addon_records.record_run(svc, wb, asked.trigger, report))
    return jsonify({"report": report, "dashboard": dashboard(ev, as_of), "plan": plan, "run": run})


@bp.post("/layout")
def addon_layout() -> ResponseReturnValue:
    """The layout of a new workbook, for the add-on to render in the spreadsheet it is open in."""
    _svc, _caller, lang, body = _start()
    return jsonify({"layout": layout_json(build_layout(payloads.workbook_spec(body, lang)))})


@bp.post("/team")
def addon_team() -> ResponseReturnValue:
    """A new team: its check-in tab to render, its Settings row and the Lists tab to write."""
    _svc, _caller, lang, body = _start()
    team = addon_requests.new_team(body, lang)
    if "snapshot" not in body:
        raise BadArgument("wire.missing", lang, path="snapshot")
    snapshot, sheet = read_snapshot(body["snapshot"], lang)
    wb = _workbook(snapshot, sheet, lang)
    added = add_team(wb, team, lang)
    # The add-on renders the tab itself, then writes the rest and redraws the org chart with the Lists tab.
    plan = replace(added.plan, new_tabs=[])
    return jsonify({"tabs": [tab_json(added.tab)], "plan": plan_json(plan, snapshot, computed_columns(wb))})
