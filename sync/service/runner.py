"""One sync of one registered workbook: under its lease, recorded in the run log whatever happens."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..backends.google_retry import SYNC_RETRY_BUDGET, RetryBudget, SyncGuard
from ..backends.memory import MemoryBackend
from ..engine import run_sync
from ..errors import OkrsyncError, SyncedByAddon, WorkbookLocked, said_in
from ..layout.build import Layout, Team
from ..layout.teams import NewTeam, add_team_to
from . import lease, logs
from .context import Service
from .ratelimit import BUDGET, Reservation
from .registry import ADDON, SyncRun, WorkbookRecord, as_date
from .workbooks import open_registered

log = logs.get("runner")


@dataclass
class Outcome:
    """A finished run and, when it succeeded, its report."""

    run: SyncRun
    report: dict[str, Any] | None
    error: OkrsyncError | None = None


def sync_workbook(svc: Service, wb: WorkbookRecord, trigger: str, *, raise_errors: bool = True) -> Outcome:
    """Sync `wb` now. WorkbookLocked when another sync holds it; other failures are recorded, then raised.

    With `raise_errors=False` (the nightly run) a failure is only recorded and returned: one workbook's
    trouble must never stop the others. The sync first waits for its whole expected cost to fit the Sheets
    quotas (`expected_cost`), whoever started it: nightly, a task, or a person.
    """
    if wb.backend == ADDON:
        # Its spreadsheet is shared with no one the service could act as: only its add-on syncs it.
        raise SyncedByAddon("service.addon_sync_refused", wb.lang, title=wb.title).in_workbook_lang(wb.lang)
    # Reserved before the lease: a sync waiting for quota holds no workbook, and a skipped one gives it back.
    reservation = svc.limiter.reserve(*expected_cost(svc, wb))
    try:
        try:
            kept = lease.take(svc.registry, wb.id, lease.new_holder(trigger), svc.clock, svc.lease_ttl, wb.lang,
                              wb.title)
        except WorkbookLocked as locked:
            run = svc.registry.start_run(wb.id, trigger, svc.now())
            return _skipped(svc, wb, run.id, trigger, locked, raise_errors)
        try:
            return _run(svc, wb, trigger, kept, raise_errors, reservation)
        finally:
            kept.release()
    finally:
        reservation.settle(0, 0)  # a no-op once _run settled it with the calls made


def add_team_now(svc: Service, wb: WorkbookRecord, team: Team, lang: str) -> NewTeam:
    """Add a team to `wb` under its lease, as a sync would write: WorkbookLocked while a sync holds it."""
    reservation = svc.limiter.reserve(*expected_cost(svc, wb))
    backend = None
    try:
        kept = lease.take(svc.registry, wb.id, lease.new_holder("team"), svc.clock, svc.lease_ttl, wb.lang, wb.title)
        try:
            backend = open_registered(svc, wb, guard_for(svc, kept))
            return add_team_to(backend, team, lang, before_write=kept.confirm)
        finally:
            kept.release()
    finally:
        reservation.settle(*(backend.api_calls() if backend is not None else (0, 0)))


def expected_cost(svc: Service, wb: WorkbookRecord) -> tuple[int, int]:
    """(reads, writes) to reserve: nothing off Google; else the worst normal sync, or the last run if it took more.

    The last run is the best guess of this one: a workbook whose writes are split into several calls (very
    large first syncs) reserves them all; a normal week then gives back what it did not use.
    """
    if wb.backend != "gsheet":
        return 0, 0
    reads, writes = BUDGET.sync_reads, BUDGET.sync_writes
    last = svc.registry.latest_report(wb.id)
    if last is not None:
        reads, writes = max(reads, last[0].api_reads), max(writes, last[0].api_writes)
    return reads, writes


def guard_for(svc: Service, kept: lease.HeldLease) -> SyncGuard:
    """What one sync's Google calls answer to: its retry budget, and its lease renewed and confirmed.

    Retries wait at most a quarter of the lease in all (120 s of the default 900), and no wait ends past
    half of it; each call attempt renews the lease when due, and each write first confirms it is ours.
    """
    budget = RetryBudget(min(SYNC_RETRY_BUDGET, svc.lease_ttl / 4), svc.clock() + svc.lease_ttl / 2, svc.clock)
    # A 429 the limiter did not prevent (another process, calls beyond the reservation) waits out the window.
    return SyncGuard(budget, kept.before_call, quota_window=svc.limiter.window)


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
         reservation: Reservation) -> Outcome:
    run = svc.registry.start_run(wb.id, trigger, svc.now())
    context = {"workbook": wb.id, "run_id": run.id, "trigger": trigger}
    backend = None
    try:
        with said_in(wb.lang):  # the engine says what it found in the workbook's own language first
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
        reservation.settle(*(backend.api_calls() if backend is not None else (0, 0)))
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
        raise locked.in_workbook_lang(wb.lang)
    return Outcome(run, None, locked)
