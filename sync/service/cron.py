"""The handlers App Engine cron and Cloud Tasks call: the nightly run, and one workbook's sync."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue

from ..errors import WorkbookLocked
from .api import find_workbook
from .auth import request_lang, require_scheduler
from .context import service
from .jobs import nightly
from .registry import ADDON
from .runner import sync_workbook
from .views import run_json

bp = Blueprint("cron", __name__)


@bp.get("/cron/nightly")
def cron_nightly() -> ResponseReturnValue:
    """Sync every active workbook (or enqueue a task for each); 200 with the summary even when some fail."""
    svc = service()
    require_scheduler(svc, request.headers, "cron")
    return jsonify(nightly(svc))


@bp.post("/tasks/sync/<workbook_id>")
def task_sync(workbook_id: str) -> ResponseReturnValue:
    """One workbook's nightly sync, as a Cloud Task.

    A failure is recorded and answered 200: Cloud Tasks retrying would fail the same way, and tomorrow's
    run tries again. Only a held lease answers 409, so that the queue retries once the other sync is done.
    """
    svc = service()
    require_scheduler(svc, request.headers, "task")
    wb = find_workbook(svc, workbook_id, request_lang(request.headers))
    if not wb.active or wb.backend == ADDON:  # an add-on's workbook is the add-on's to sync
        return jsonify({"run": None})
    outcome = sync_workbook(svc, wb, "task", raise_errors=False)
    if isinstance(outcome.error, WorkbookLocked):
        raise outcome.error
    return jsonify({"run": run_json(outcome.run)})
