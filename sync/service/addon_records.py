"""The add-on's workbooks in the registry: one record per spreadsheet and caller's domain, and their runs."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from ..errors import NotAllowed, OkrsyncError
from ..wire.snapshot import Spreadsheet
from .auth import Caller, may_see
from .context import Service
from .registry import ADDON, SyncRun, WorkbookRecord


def addon_target(spreadsheet_id: str, caller: Caller) -> str:
    """`<spreadsheet id>@<domain or e-mail>`: each domain keeps its own record of a shared spreadsheet."""
    return f"{spreadsheet_id}@{caller.domain or caller.email}"


def find_record(svc: Service, sheet: Spreadsheet, caller: Caller, lang: str) -> WorkbookRecord | None:
    """The caller's domain's record of this spreadsheet, if it exists; 403 if it is someone else's."""
    wb = svc.registry.workbook_by_target(addon_target(sheet.id, caller))
    if wb is not None and not may_see(caller, wb):
        raise NotAllowed("service.not_editor", lang, email=caller.email, title=wb.title)
    return wb


def record_for(svc: Service, sheet: Spreadsheet, caller: Caller, title: str, wb_lang: str,
               lang: str) -> WorkbookRecord:
    """The record, made on the first sync; its title and language follow the spreadsheet's."""
    wb = find_record(svc, sheet, caller, lang)
    if wb is None:
        target = addon_target(sheet.id, caller)
        try:
            return svc.registry.add_workbook(ADDON, target, title, wb_lang, caller.email, svc.now())
        except IntegrityError:  # the same domain's first sync, from another person, at the same moment
            found = svc.registry.workbook_by_target(target)
            assert found is not None
            return found
    if (wb.title, wb.lang) != (title[:300], wb_lang):
        svc.registry.describe(wb.id, title, wb_lang)
        wb.title, wb.lang = title[:300], wb_lang
    return wb


def record_run(svc: Service, wb: WorkbookRecord, trigger: str, report: dict[str, Any]) -> SyncRun:
    """A run the add-on does: the service evaluated it, the add-on writes the plan."""
    run = svc.registry.start_run(wb.id, trigger, svc.now())
    return svc.registry.finish_run(run.id, svc.now(), "ok", report=report)


def record_failure(svc: Service, wb: WorkbookRecord, trigger: str, error: OkrsyncError) -> SyncRun:
    """A run that could not be evaluated, so that the pages show the nightly trigger failing."""
    run = svc.registry.start_run(wb.id, trigger, svc.now())
    return svc.registry.finish_run(run.id, svc.now(), "failed", error_code=error.code,
                                   error=error.message_in(wb.lang))
