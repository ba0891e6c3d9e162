"""The nightly run: every active workbook synced, through Cloud Tasks or in-process under the Sheets quotas."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from . import cloudtasks, logs
from .context import Service
from .registry import ADDON, WorkbookRecord
from .runner import sync_workbook

log = logs.get("jobs")


def nightly(svc: Service, in_process: bool = False) -> dict[str, Any]:
    """Sync (or enqueue) every active workbook; the summary the cron handler and `okrsync nightly` show."""
    # The add-on's workbooks are synced by the add-on's own nightly trigger: the service has no access to them.
    workbooks = [wb for wb in svc.registry.workbooks(active_only=True) if wb.backend != ADDON]
    use_tasks = bool(svc.config.get("TASKS_QUEUE")) and not in_process
    # Task names carry the night's date in Montréal, where the cron fires.
    results = cloudtasks.enqueue(svc, workbooks, svc.today("fr")) if use_tasks else sync_in_process(svc, workbooks)
    summary = summarise("tasks" if use_tasks else "in_process", results)
    log.info("nightly %s: %s workbooks, %s failed", summary["mode"], summary["workbooks"], summary["failed"],
             extra={"trigger": "nightly", "count": summary["workbooks"]})
    return summary


def sync_in_process(svc: Service, workbooks: list[WorkbookRecord]) -> list[dict[str, Any]]:
    """Sync the workbooks on a bounded pool; each sync waits for its cost to fit the Sheets quotas."""
    workers = max(1, int(svc.config.get("NIGHTLY_WORKERS") or 1))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nightly") as pool:
        return list(pool.map(lambda wb: sync_one(svc, wb), workbooks))


def sync_one(svc: Service, wb: WorkbookRecord) -> dict[str, Any]:
    """One workbook's nightly sync, as the summary lists it; never raises."""
    try:
        # The runner reserves the sync's whole cost (reads and writes, anchors included) against the limiter
        # that sync-now and the task handler draw on too.
        outcome = sync_workbook(svc, wb, "nightly", raise_errors=False)
    except Exception:  # the run log itself may be what failed; the other workbooks still go on
        log.exception("nightly: could not sync or record", extra={"workbook": wb.id, "trigger": "nightly"})
        return {"workbook_id": wb.id, "outcome": "failed", "run_id": None,
                "error": {"code": "internal", "message": "internal error"}}
    run = outcome.run
    error = {"code": run.error_code, "message": run.error} if run.error_code else None
    return {"workbook_id": wb.id, "outcome": run.outcome, "run_id": run.id, "error": error}


def summarise(mode: str, results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts by outcome, and each workbook's result."""
    count = lambda outcome: sum(1 for r in results if r["outcome"] == outcome)  # noqa: E731
    return {"mode": mode, "workbooks": len(results), "synced": count("ok"), "enqueued": count("enqueued"),
            "failed": count("failed"), "skipped": count("skipped"), "results": results}
