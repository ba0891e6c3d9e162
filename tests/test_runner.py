"""One sync of a registered workbook: under its lease, always recorded."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.errors import BackendError, LeaseLost, OkrsyncError, WorkbookLocked
from sync.model import Snapshot
from sync.service import lease
from sync.service.context import Service
from sync.service.registry import WorkbookRecord, aware
from sync.service.runner import record_preview, sync_workbook
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import FakeClock, MemoryWorkbooks, make_app, seed_spreadsheet, svc_of, tiny_layout
from tests.slow_google import Exchange, SlowGoogle


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
    assert outcome.report["workbook"]["quarter"] == "2025-T1"  # type: ignore[index]
    assert outcome.report["writes"]["api_calls"] == {"read": 0, "write": 0}  # type: ignore[index]
    run, report = svc.registry.latest_report(wb.id)  # type: ignore[misc]
    assert (run.id, report) == (outcome.run.id, outcome.report)


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
    assert run.error == f"Impossible d'écrire {wb.target} : disk on fire"
    assert aware(run.finished_at) == svc.now()  # type: ignore[arg-type]


# -- a sync and its lease, on the Google fake and a fake clock (issue 11, fix 3) ---------------------------

def _google_service(tmp_path: Path, fake: FakeGoogle, seconds: float) -> tuple[Service, SlowGoogle, WorkbookRecord]:
    clock = FakeClock()
    slow = SlowGoogle(clock, seconds)
    svc = svc_of(make_app(tmp_path, clock=clock, GATEWAY_FACTORY=slow, MODE="google"))
    sid = seed_spreadsheet(fake, tiny_layout())
    wb = svc.registry.add_workbook("gsheet", sid, "OKR Acme", "en", "m@acme.example", svc.now())
    return svc, slow, wb


def _cells(fake: FakeGoogle, sid: str) -> dict[str, list[list[object]]]:
    return {name: fake.values(sid, name) for name in fake.book(sid).titles()}


def test_retries_that_would_outlast_the_syncs_budget_fail_it_in_bounded_time(
        tmp_path: Path, google_fake: FakeGoogle) -> None:
    svc, slow, wb = _google_service(tmp_path, google_fake, seconds=0)
    before = _cells(google_fake, wb.target)
    # Google asks to wait 100 s, forever: six attempts would have slept 500 s, past a third of the lease.
    google_fake.fail_next("read", 503, times=None, headers={"Retry-After": "100"})

    with pytest.raises(BackendError) as caught:
        sync_workbook(svc, wb, "api")

    assert slow.clock.sleeps == [100.0]  # the next 100 s would pass the sync's 120 s budget
    assert len(slow.exchanges) == 2 and slow.writes() == []
    assert caught.value.key == "error.google_gave_up"
    (run,) = svc.registry.runs(wb.id)
    assert run.outcome == "failed" and run.error_code == "google_gave_up"
    assert run.error == str(caught.value) and run.error.startswith("Google did not answer properly after 2 attempts")
    assert _cells(google_fake, wb.target) == before
    assert lease.acquire(svc.registry, wb.id, "next", svc.lease_ttl, svc.clock())  # released


def test_the_budget_is_shared_by_the_read_and_the_write_of_one_sync(tmp_path: Path, google_fake: FakeGoogle) -> None:
    svc, slow, wb = _google_service(tmp_path, google_fake, seconds=0)
    before = _cells(google_fake, wb.target)
    google_fake.fail_next("read", 503, times=1, headers={"Retry-After": "100"})
    google_fake.fail_next("write", 429, times=None, headers={"Retry-After": "30"})

    with pytest.raises(BackendError):
        sync_workbook(svc, wb, "api")

    assert slow.clock.sleeps == [100.0]  # the write's first 30 s would make 130 s: given up at once
    assert [e.status for e in slow.exchanges] == [503, 200, 429]
    assert svc.registry.runs(wb.id)[0].outcome == "failed"
    assert _cells(google_fake, wb.target) == before


def test_a_lease_renewed_during_a_long_sync_keeps_a_second_sync_out(tmp_path: Path, google_fake: FakeGoogle) -> None:
    svc, slow, wb = _google_service(tmp_path, google_fake, seconds=600)  # every call takes 10 minutes
    start = svc.clock()
    second: list[BaseException] = []

    def second_sync_after_the_first_write(exchange: Exchange) -> None:
        if exchange.writes and not second:
            assert svc.clock() - start == 1200  # the lease first taken ended at 900
            with pytest.raises(WorkbookLocked) as refused:
                sync_workbook(svc, wb, "api")
            second.append(refused.value)

    slow.on_exchange = second_sync_after_the_first_write
    outcome = sync_workbook(svc, wb, "api")

    assert outcome.run.outcome == "ok"
    assert [type(e) for e in second] == [WorkbookLocked]
    assert len(slow.writes(gateway=1)) == 2 and slow.made == 1  # the second sync never reached Google
    assert sorted((r.outcome, r.error_code) for r in svc.registry.runs(wb.id)) == [
        ("ok", None), ("skipped", "sync_running")]


def test_a_sync_whose_lease_was_taken_over_before_its_write_writes_nothing(
        tmp_path: Path, google_fake: FakeGoogle) -> None:
    svc, slow, wb = _google_service(tmp_path, google_fake, seconds=1000)  # the read alone outlives the lease
    before = _cells(google_fake, wb.target)

    def taken_over_after_the_read(exchange: Exchange) -> None:
        if exchange.method == "GET":
            assert lease.acquire(svc.registry, wb.id, "another", svc.lease_ttl, svc.clock())

    slow.on_exchange = taken_over_after_the_read
    with pytest.raises(LeaseLost) as lost:
        sync_workbook(svc, wb, "api")

    assert [e.method for e in slow.exchanges] == ["GET"] and google_fake.write_calls() == []
    assert _cells(google_fake, wb.target) == before
    assert lost.value.status_code == 409
    assert str(lost.value) == ('This sync of "OKR Acme" stopped before writing: it ran past its time and another '
                               'sync of the workbook took over. This one wrote nothing.')
    (run,) = svc.registry.runs(wb.id)
    assert (run.outcome, run.error_code, run.error) == ("skipped", "lease_lost", str(lost.value))
    assert not lease.acquire(svc.registry, wb.id, "third", svc.lease_ttl, svc.clock())  # still the other's
