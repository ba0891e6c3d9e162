"""One sync of one registered workbook: under its lease, recorded in the run log whatever happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..backends.memory import MemoryBackend
from ..engine import run_sync
from ..errors import OkrsyncError, SyncedByAddon, WorkbookLocked
from ..google_retry import SYNC_RETRY_BUDGET, RetryBudget, SyncGuard
from ..layout import Layout
from . import lease, logs
from .context import Service
from .registry import ADDON, SyncRun, WorkbookRecord, as_date
from .workbooks import open_registered

log = logs.get("runner")


@dataclass
class Outcome:
    """A finished run and, when it succeeded, its report."""

    run: SyncRun
    report: dict[str, Any] | None
    error: OkrsyncError | None = None


def sync_workbook(svc: Service, wb: WorkbookRecord, trigger: str, *, raise_errors: bool = True,
                  expected_cost: int = 0) -> Outcome:
    """Sync `wb` now. WorkbookLocked when another sync holds it; other failures are recorded, then raised.

    With `raise_errors=False` (the nightly run) a failure is only recorded and returned: one workbook's
    trouble must never stop the others. `expected_cost` is what the caller already charged to the rate
    limiter; any API call beyond it is charged afterwards, so that the next syncs wait for it.
    """
    if wb.backend == ADDON:
        # Its spreadsheet is shared with no one the service could act as: only its add-on syncs it.
        raise SyncedByAddon("service.addon_sync_refused", wb.lang, title=wb.title)
    try:
        kept = lease.take(svc.registry, wb.id, lease.new_holder(trigger), svc.clock, svc.lease_ttl, wb.lang,
                          wb.title)
    except WorkbookLocked as locked:
        run = svc.registry.start_run(wb.id, trigger, svc.now())
        return _skipped(svc, wb, run.id, trigger, locked, raise_errors)
    try:
        return _run(svc, wb, trigger, kept, raise_errors, expected_cost)
    finally:
        kept.release()


def guard_for(svc: Service, kept: lease.HeldLease) -> SyncGuard:
    """What one sync's Google calls answer to: its retry budget, and its lease renewed and confirmed.

    Retries wait at most a quarter of the lease in all (120 s of the default 900), and no wait ends past
    half of it; each call attempt renews the lease when due, and each write first confirms it is ours.
    """
    budget = RetryBudget(min(SYNC_RETRY_BUDGET, svc.lease_ttl / 4), svc.clock() + svc.lease_ttl / 2, svc.clock)
    return SyncGuard(budget, kept.before_call)


def record_preview(svc: Service, wb: WorkbookRecord, layout: Layout) -> Outcome:
    """The first run of a new workbook, evaluated from the layout just written: a report at no API cost.

    Nothing is read back or written; the first real sync (nightly, or from the add-on) fills the computed
    cells. A read right after provisioning would cost quota and tell nothing the layout does not.
    """
    run = svc.registry.start_run(wb.id, "provision", svc.now())
    preview = MemoryBackend(layout.title)
    preview.provision(layout)
    report = run_sync(preview, as_of=as_date(wb.as_of) or svc.today(wb.lang), dry_run=True)
    return Outcome(svc.registry.finish_run(run.id, svc.now(), "ok", report=report), report)


def _run(svc: Service, wb: WorkbookRecord, trigger: str, kept: lease.HeldLease, raise_errors: bool,
         expected_cost: int) -> Outcome:
    run = svc.registry.start_run(wb.id, trigger, svc.now())
    context = {"workbook": wb.id, "run_id": run.id, "trigger": trigger}
    backend = None
    try:
        backend = open_registered(svc, wb, guard_for(svc, kept))
        report = run_sync(backend, as_of=as_date(wb.as_of) or svc.today(wb.lang), before_write=kept.confirm)
    except WorkbookLocked as locked:
        # The lease lost to another sync before the write, or the file held by a sync from elsewhere (the
        # CLI): that other sync does the work, this one wrote nothing.
        return _skipped(svc, wb, run.id, trigger, locked, raise_errors)
    except OkrsyncError as exc:
        finished = svc.registry.finish_run(run.id, svc.now(), "failed", error_code=exc.code,
                                           error=exc.message_in(wb.lang))
        log.warning("sync failed: %s", exc, extra={**context, "outcome": "failed", "error_code": exc.code})
        if raise_errors:
            raise
        return Outcome(finished, None, exc)
    except Exception as exc:
        # A bug, not a person's mistake: the run says so without leaking internals; the log has the trace.
        finished = svc.registry.finish_run(run.id, svc.now(), "failed", error_code="internal",
                                           error=type(exc).__name__)
        log.exception("sync crashed", extra={**context, "outcome": "failed", "error_code": "internal"})
        if raise_errors:
            raise
        return Outcome(finished, None, None)
    finally:
        if backend is not None:
            _charge_extra(svc, backend.api_calls(), expected_cost)
    finished = svc.registry.finish_run(run.id, svc.now(), "ok", report=report)
    log.info("sync done", extra={**context, "outcome": "ok", "count": report["checkins"]["rows"]})
    return Outcome(finished, report)


def _skipped(svc: Service, wb: WorkbookRecord, run_id: int, trigger: str, locked: WorkbookLocked,
             raise_errors: bool) -> Outcome:
    """Record the run as skipped because another sync holds the workbook; raise, or return the outcome."""
    run = svc.registry.finish_run(run_id, svc.now(), "skipped", error_code=locked.code,
                                  error=locked.message_in(wb.lang))
    log.info("sync skipped: another sync holds the workbook", extra={
        "workbook": wb.id, "run_id": run.id, "trigger": trigger, "outcome": "skipped", "error_code": locked.code})
    if raise_errors:
        raise locked
    return Outcome(run, None, locked)


def _charge_extra(svc: Service, calls: tuple[int, int], expected_cost: int) -> None:
    """Reads and writes have separate per-minute quotas: the larger count is what this sync cost."""
    extra = max(calls) - expected_cost
    if expected_cost and extra > 0:
        svc.limiter.acquire(extra)
