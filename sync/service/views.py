"""The JSON shapes of workbooks and runs, as `openapi.py` documents them."""

from __future__ import annotations

from typing import Any

from ..backends.google_api import GoogleGateway
from .registry import ADDON, Registry, SyncRun, WorkbookRecord, aware


def _time(value: Any) -> str | None:
    stamp = aware(value)
    return stamp.isoformat() if stamp else None


def _url(wb: WorkbookRecord) -> str | None:
    """The spreadsheet's address, for Google workbooks (an add-on's target is `<id>@<domain or e-mail>`)."""
    if wb.backend == "gsheet":
        return GoogleGateway.url(wb.target)
    if wb.backend == ADDON:
        return GoogleGateway.url(wb.target.partition("@")[0])  # spreadsheet IDs hold no "@"
    return None


def workbook_json(wb: WorkbookRecord) -> dict[str, Any]:
    """A registered workbook."""
    return {
        "id": wb.id,
        "backend": wb.backend,
        "target": wb.target,
        "url": _url(wb),
        "title": wb.title,
        "lang": wb.lang,
        "registered_by": wb.registered_by,
        "active": bool(wb.active),
        "created_at": _time(wb.created_at),
        "as_of": wb.as_of.isoformat() if wb.as_of else None,
    }


def run_json(run: SyncRun) -> dict[str, Any]:
    """A sync run, without its report."""
    return {
        "id": run.id,
        "workbook_id": run.workbook_id,
        "trigger": run.trigger,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "outcome": run.outcome,
        "api_calls": {"read": run.api_reads, "write": run.api_writes},
        "rows": run.rows,
        "invalid_rows": run.invalid_rows,
        "problems": run.problems,
        "error": {"code": run.error_code, "message": run.error or ""} if run.error_code else None,
    }


def detail_json(registry: Registry, wb: WorkbookRecord) -> dict[str, Any]:
    """A workbook with its latest run and its latest report (from the latest successful run)."""
    latest = registry.latest_run(wb.id)
    found = registry.latest_report(wb.id)
    return {
        "workbook": workbook_json(wb),
        "latest_run": run_json(latest) if latest else None,
        "report": found[1] if found else None,
    }


def summary_json(registry: Registry, wb: WorkbookRecord) -> dict[str, Any]:
    """A workbook for the list: its last run, organisation status and KR counts by status."""
    latest = registry.latest_run(wb.id)
    found = registry.latest_report(wb.id)
    counts = {"green": 0, "yellow": 0, "red": 0, "none": 0}
    org = None
    if found:
        report = found[1]
        for kr in report["key_results"]:
            counts[kr["status"]] = counts.get(kr["status"], 0) + 1
        org = report["org"]
    return {**workbook_json(wb), "last_run": run_json(latest) if latest else None, "org": org,
            "counts": counts if found else None}
