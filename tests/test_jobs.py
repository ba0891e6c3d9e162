"""The nightly run in-process: every active workbook synced under the quotas, one failure stopping nothing; the cost
each sync reserves; the nightly at the quotas on a simulated clock."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from benchmarks.bench_nightly import nights
from sync.service.jobs import nightly
from sync.service.runner import expected_cost, sync_workbook
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import FakeClock, MemoryWorkbooks, make_app, seed_spreadsheet, svc_of, tiny_layout

ON_APP_ENGINE = {"GAE_ENV": "standard", "GAE_APPLICATION": "s~okrsync-test"}
CRON = {"X-Appengine-Cron": "true"}


def register_google(app: Flask, fake: FakeGoogle, count: int) -> list[str]:
    svc = svc_of(app)
    ids = []
    for n in range(count):
        sid = seed_spreadsheet(fake, tiny_layout(team=f"Team{n}"))
        ids.append(svc.registry.add_workbook("gsheet", sid, f"OKR {n}", "en", "marie@acme.example", svc.now()).id)
    return ids


def test_nightly_over_five_workbooks_where_one_fails(google_fake: FakeGoogle, tmp_path: Path) -> None:
    app = make_app(tmp_path, MODE="google", ENVIRON=ON_APP_ENGINE)
    ids = register_google(app, google_fake, 5)
    [broken] = [w for w in svc_of(app).registry.workbooks() if w.id == ids[2]]
    google_fake.make_private(broken.target)  # the service account lost access to this one

    answer = app.test_client().get("/cron/nightly", headers=CRON)

    assert answer.status_code == 200
    summary = answer.json
    assert (summary["mode"], summary["workbooks"], summary["synced"], summary["failed"]) == ("in_process", 5, 4, 1)
    failed = [r for r in summary["results"] if r["outcome"] == "failed"]
    assert [r["workbook_id"] for r in failed] == [ids[2]]
    registry = svc_of(app).registry
    reason = (f"Access denied to spreadsheet {broken.target}: share it with "
              "okrsync@okrsync-test.iam.gserviceaccount.com as an editor.")
    assert failed[0]["error"] == {"code": "google_forbidden", "message": reason}
    assert failed[0]["run_id"] == registry.runs(ids[2])[0].id
    for wid in ids:  # every run recorded, the failed one with its reason
        runs = registry.runs(wid)
        assert len(runs) == 1 and runs[0].trigger == "nightly"
        assert runs[0].outcome == ("failed" if wid == ids[2] else "ok")
    assert (registry.runs(ids[2])[0].error_code, registry.runs(ids[2])[0].error) == ("google_forbidden", reason)


def test_inactive_workbooks_are_left_out(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    app = make_app(tmp_path, BACKENDS=books)
    svc = svc_of(app)
    kept = svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "A", "en", "m@acme.example", svc.now())
    dropped = svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "B", "en", "m@acme.example", svc.now())
    svc.registry.set_active(dropped.id, False)

    summary = nightly(svc)

    assert [r["workbook_id"] for r in summary["results"]] == [kept.id]
    assert svc.registry.runs(dropped.id) == []


def test_nightly_waits_its_turn_under_the_sheets_quota(google_fake: FakeGoogle, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(tmp_path, MODE="google", clock=clock, SHEETS_QUOTA_PER_MINUTE=2, NIGHTLY_WORKERS=1)
    register_google(app, google_fake, 3)

    summary = nightly(svc_of(app))

    assert summary["synced"] == 3
    # Each sync reserves 1 read + 2 writes (capped at the window's 2): one sync a minute, so 2 minutes waited.
    assert clock.sleeps == [60.0, 60.0]
    assert google_fake.read_calls() and not google_fake.take_errors()


def test_a_sync_reserves_the_worst_normal_cost_or_what_its_last_run_made(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    svc = svc_of(make_app(tmp_path, BACKENDS=books))
    local = svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "L", "en", "m@acme.example", svc.now())
    google = svc.registry.add_workbook("gsheet", "1abc", "G", "en", "m@acme.example", svc.now())
    assert expected_cost(svc, local) == (0, 0)  # no Google quota spent
    assert expected_cost(svc, google) == (1, 2)  # never synced: the values, and anchors for new rows
    big_first_sync = {"writes": {"api_calls": {"read": 1, "write": 4}}, "checkins": {"rows": 9000, "invalid": 0},
                      "problems": []}
    run = svc.registry.start_run(google.id, "nightly", svc.now())
    svc.registry.finish_run(run.id, svc.now(), "ok", report=big_first_sync)
    assert expected_cost(svc, google) == (1, 4)  # its write was split in four: all reserved next time
    svc.registry.finish_run(svc.registry.start_run(google.id, "nightly", svc.now()).id, svc.now(), "failed",
                            error_code="google_gave_up", error="...")
    assert expected_cost(svc, google) == (1, 4)  # a failed run says nothing of the cost


def test_sync_now_draws_on_the_limiter_the_nightly_filled(google_fake: FakeGoogle, tmp_path: Path) -> None:
    clock = FakeClock()
    app = make_app(tmp_path, MODE="google", clock=clock, SHEETS_QUOTA_PER_MINUTE=2, NIGHTLY_WORKERS=1)
    [wid] = register_google(app, google_fake, 1)
    svc = svc_of(app)
    assert nightly(svc)["synced"] == 1 and clock.sleeps == []  # 1 read + 2 writes: the writes' window is full
    wb = svc.registry.workbook(wid)
    assert wb is not None

    run = sync_workbook(svc, wb, "api").run

    assert run.outcome == "ok" and run.api_reads == 1
    assert clock.sleeps == [60.0]  # it waited for the nightly's writes to leave the window


# -- The nightly at the quotas, on the simulated clock (benchmarks/bench_nightly.py at a small size) ----------


def test_a_nightly_of_120_workbooks_adding_rows_sees_no_429_and_takes_the_quotas_time() -> None:
    with nights(120) as night:
        night.people_add_rows()
        result = night.run("first night")
    assert result["shapes"] == {"1+2": 120}  # every sync laid anchors, as the fake's call log shows
    assert (result["synced"], result["failed"], result["http_429"]) == (120, 0, 0)
    assert result["writes"] == 240
    # A sliding window lets 60 writes through at once, then 60 a minute: the other 180 need 3 more minutes.
    assert result["floor_minutes"] == 3
    assert result["floor_minutes"] <= result["minutes"] < result["floor_minutes"] + 1  # no minute of quota lost


def test_reserving_less_than_a_sync_makes_is_what_brings_429s() -> None:
    with nights(60, reserve=lambda svc, wb: (1, 1)) as night:  # one write short of what these syncs make
        night.people_add_rows()
        result = night.run("first night")
    assert result["http_429"] > 0  # the fake's quotas catch it
    assert result["failed"] == 0  # and each 429 waited out Google's window, then went through


def test_a_workbook_whose_sync_crashes_is_recorded_and_the_others_go_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    books = MemoryWorkbooks()
    app = make_app(tmp_path, BACKENDS=books)
    svc = svc_of(app)
    ids = [svc.registry.add_workbook("xlsx", books.add(tiny_layout()), f"W{n}", "en", "m@acme.example",
                                     svc.now()).id for n in range(3)]
    crashing = books.books[svc.registry.workbook(ids[0]).target]  # type: ignore[union-attr]
    monkeypatch.setattr(crashing, "read", lambda: 1 / 0)

    summary = nightly(svc)

    assert (summary["synced"], summary["failed"]) == (2, 1)
    run = svc.registry.runs(ids[0])[0]
    assert (run.outcome, run.error_code, run.error) == ("failed", "internal", "ZeroDivisionError")
