"""The JSON API: provision, register, list, show, sync now, runs, health."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError

from ..backends.google_api import parse_target
from ..errors import BadArgument, SyncedByAddon, WorkbookNotFound, said_in
from ..layout.build import build_layout
from . import addon_requests, payloads
from .auth import Caller, authenticate, may_see, request_lang, require_editor
from .context import Service, service
from .registry import ADDON, WorkbookRecord
from .runner import add_team_now, record_preview, sync_workbook
from .views import detail_json, run_json, summary_json
from .workbooks import inspect, local_path, open_backend, provision

bp = Blueprint("api", __name__)
#: Requests other than the add-on's snapshots are small (MAX_CONTENT_LENGTH, 1 MiB unless configured).
DEFAULT_MAX_BYTES = 1024 * 1024


def find_workbook(svc: Service, workbook_id: str, lang: str) -> WorkbookRecord:
    """The registered workbook, or a 404."""
    wb = svc.registry.workbook(workbook_id) if len(workbook_id) <= 32 else None
    if wb is None:
        raise WorkbookNotFound("service.workbook_not_found", lang, id=workbook_id[:40])
    return wb


def editable_workbook(workbook_id: str) -> tuple[Service, WorkbookRecord]:
    """The workbook of the URL, after checking the caller (401), that it exists (404) and may edit it (403)."""
    svc, lang = service(), request_lang(request.headers)
    caller = authenticate(svc, request.headers)
    wb = find_workbook(svc, workbook_id, lang)
    with said_in(wb.lang):
        require_editor(svc, caller, wb, wb.lang)
    return svc, wb


def _body(svc: Service, lang: str) -> dict[str, Any]:
    """The request's JSON object, read as every endpoint reads one, under the service's body limit."""
    limit = int(svc.config.get("MAX_CONTENT_LENGTH") or DEFAULT_MAX_BYTES)
    return payloads.body_of(payloads.json_body(request, limit, lang), lang)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Liveness and the database's answer; no auth, nothing about workbooks."""
    service().registry.ping()
    return jsonify({"status": "ok"})


@bp.post("/api/workbooks")
def provision_workbook() -> ResponseReturnValue:
    """Create a workbook from the template (Google, or a local file in local mode), register it, sync it."""
    svc, lang = service(), request_lang(request.headers)
    caller = authenticate(svc, request.headers)
    body = _body(svc, lang)
    spec = payloads.workbook_spec(body, lang)
    share = payloads.emails(body, "share", spec.lang)
    if not caller.local:
        share = [caller.email, *share]  # whoever asked becomes an editor, so they may sync it later
    layout = build_layout(spec)
    backend, target = provision(svc, layout, list(dict.fromkeys(share)))
    wb = svc.registry.add_workbook(backend, target, str(spec.title), spec.lang, caller.email, svc.now())
    record_preview(svc, wb, layout)
    return jsonify(detail_json(svc.registry, wb)), 201


@bp.post("/api/workbooks/register")
def register_workbook() -> ResponseReturnValue:
    """Register an existing workbook (a spreadsheet by ID or URL, or a file of DATA_DIR in local mode)."""
    svc, lang = service(), request_lang(request.headers)
    caller = authenticate(svc, request.headers)
    body = _body(svc, lang)
    kind, target = _target(svc, body, lang)
    wb, new = register(svc, caller, kind, target, lang)
    if not new:
        return jsonify(detail_json(svc.registry, wb)), 200
    sync_workbook(svc, wb, "register")
    return jsonify(detail_json(svc.registry, wb)), 201


def register(svc: Service, caller: Caller, kind: str, target: str, lang: str) -> tuple[WorkbookRecord, bool]:
    """The workbook at `target`, registered now unless it already was (then the caller must edit it); whether
    it is new. It is checked to be an okrsync workbook first, so a refused one leaves nothing registered."""
    existing = svc.registry.workbook_by_target(target)
    if existing is not None:
        require_editor(svc, caller, existing, lang)
        return existing, False
    candidate = WorkbookRecord(id="new", backend=kind, target=target, title=target, lang=lang,
                               registered_by=caller.email)
    require_editor(svc, caller, candidate, lang)
    title, wb_lang = inspect(open_backend(svc, kind, target, lang))
    try:
        return svc.registry.add_workbook(kind, target, title, wb_lang, caller.email, svc.now()), True
    except IntegrityError:  # registered by someone else meanwhile
        found = svc.registry.workbook_by_target(target)
        assert found is not None
        return found, False


def _target(svc: Service, body: dict[str, Any], lang: str) -> tuple[str, str]:
    spreadsheet = payloads.text(body, "spreadsheet_id", lang, required=False, max_len=500)
    path = payloads.text(body, "path", lang, required=False, max_len=255)
    if (spreadsheet is None) == (path is None):
        raise BadArgument("service.register_one_of", lang)
    if spreadsheet is not None:
        whole = spreadsheet if spreadsheet.startswith(("gsheet:", "http")) else f"gsheet:{spreadsheet}"
        kind, target = parse_target(whole, lang)
        if kind != "gsheet":
            raise BadArgument("service.bad_field", lang, field="spreadsheet_id")
        return kind, target
    if svc.mode != "local":
        raise BadArgument("service.local_only", lang, field="path")
    assert path is not None
    return "xlsx", str(local_path(svc, path, lang))


@bp.get("/api/workbooks")
def list_workbooks() -> ResponseReturnValue:
    """The workbooks the caller may see, with their last run and KR counts by status."""
    svc = service()
    caller: Caller = authenticate(svc, request.headers)
    found = [summary_json(svc.registry, wb) for wb in svc.registry.workbooks() if may_see(caller, wb)]
    return jsonify({"workbooks": found})


@bp.get("/api/workbooks/<workbook_id>")
def get_workbook(workbook_id: str) -> ResponseReturnValue:
    """One workbook, its latest run and latest report."""
    svc, wb = editable_workbook(workbook_id)
    return jsonify(detail_json(svc.registry, wb))


@bp.post("/api/workbooks/<workbook_id>/sync")
def sync_now(workbook_id: str) -> ResponseReturnValue:
    """Sync now and return the run and its report; 409 while another sync of it runs."""
    svc, wb = editable_workbook(workbook_id)
    if wb.backend == ADDON:
        raise SyncedByAddon("service.addon_sync_refused", wb.lang, title=wb.title).in_workbook_lang(wb.lang)
    outcome = sync_workbook(svc, wb, "api")
    return jsonify({"run": run_json(outcome.run), "report": outcome.report})


@bp.post("/api/workbooks/<workbook_id>/teams")
def add_team(workbook_id: str) -> ResponseReturnValue:
    """Add a team: its Settings row and its check-in tab; 409 while a sync of it runs."""
    svc, wb = editable_workbook(workbook_id)
    lang = request_lang(request.headers)
    if wb.backend == ADDON:
        raise SyncedByAddon("service.addon_sync_refused", lang, title=wb.title)
    team = addon_requests.new_team(_body(svc, lang), lang)
    added = add_team_now(svc, wb, team, lang)
    return jsonify({"team": team.name, "tab": added.tab.name}), 201


@bp.get("/api/workbooks/<workbook_id>/runs")
def list_runs(workbook_id: str) -> ResponseReturnValue:
    """A workbook's runs, newest first."""
    svc, wb = editable_workbook(workbook_id)
    count = payloads.limit(request.args.get("limit"), request_lang(request.headers))
    return jsonify({"runs": [run_json(r) for r in svc.registry.runs(wb.id, count)]})
