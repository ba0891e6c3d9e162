"""One sync of a registered workbook: under its lease, always recorded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.errors import OkrsyncError, WorkbookLocked
from sync.model import Snapshot
from sync.service.runner import record_preview, sync_workbook
from tests.service_support import MemoryWorkbooks, make_app, svc_of, tiny_layout


def test_two_concurrent_syncs_of_one_workbook_run_exactly_once(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    app = make_app(tmp_path, BACKENDS=books)
    svc = svc_of(app)
    wb = svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "OKR", "en", "m@acme.example", svc.now())
    backend = books.books[wb.target]
    inside, loser_done = threading.Event(), threading.Event()
    original_read = backend.read

    def slow_read() -> Snapshot:
        inside.set()
        assert loser_done.wait(10), "the second sync never came back"
        return original_read()

    backend.read = slow_read  # type: ignore[method-assign]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            sync_workbook(svc, wb, "api")
            outcomes.append("ran")
        except WorkbookLocked:
            outcomes.append("locked")
            loser_done.set()

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)

    assert sorted(outcomes) == ["locked", "ran"]
    assert inside.is_set()
    assert sorted(r.outcome for r in svc.registry.runs(wb.id)) == ["ok", "skipped"]


def test_the_preview_reports_a_new_workbook_without_reading_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    svc = svc_of(app)
    layout = tiny_layout("fr", team="Ventes")
    wb = svc.registry.add_workbook("gsheet", "sheet-id", layout.title, "fr", "m@acme.example", svc.now())

    outcome = record_preview(svc, wb, layout)

    assert outcome.run.trigger == "provision" and outcome.run.outcome == "ok"
    assert outcome.report is not None and outcome.report["workbook"]["quarter"] == "2025-T1"
    assert outcome.report["writes"]["api_calls"] == {"read": 0, "write": 0}
    assert svc.registry.latest_report(wb.id) is not None


def test_a_failure_is_recorded_in_the_workbooks_language_then_raised(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    app = make_app(tmp_path, BACKENDS=books)
    svc = svc_of(app)
    wb = svc.registry.add_workbook("xlsx", books.add(tiny_layout("fr")), "OKR", "fr", "m@acme.example", svc.now())
    books.failing.add(wb.target)

    with pytest.raises(OkrsyncError):
        sync_workbook(svc, wb, "api")

    run = svc.registry.runs(wb.id)[0]
    assert run.outcome == "failed" and run.error_code == "write_failed"
    assert run.error is not None and run.error.startswith("Impossible d'écrire")
    assert run.finished_at is not None
