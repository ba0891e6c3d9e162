"""The registry on SQLite: workbooks, runs, the latest report; the same checks run on PostgreSQL elsewhere."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from sync.service.registry import Registry, WorkbookRecord, aware, database_url

T0 = dt.datetime(2025, 2, 14, 7, 0, tzinfo=dt.UTC)
REPORT = {"checkins": {"rows": 12, "valid": 10, "invalid": 2}, "problems": [{"code": "x"}, {"code": "y"}],
          "writes": {"cells": 3, "api_calls": {"read": 1, "write": 1}}, "org": {"progress": 0.5, "status": "green"}}


def fields(record: WorkbookRecord | None) -> tuple[object, ...]:
    """What a workbook record holds, comparable as one value (None when there is no record)."""
    if record is None:
        return ()
    return (record.id, record.backend, record.target, record.title, record.lang, record.registered_by, record.active,
            aware(record.created_at), record.as_of)


def check_workbooks_and_runs(registry: Registry) -> None:
    """What every database must do alike (shared with the PostgreSQL test)."""
    wb = registry.add_workbook("gsheet", "sheet-1", "OKR Acme", "fr", "marie@acme.example", T0,
                               as_of=dt.date(2025, 2, 14))
    other = registry.add_workbook("xlsx", "/data/b.xlsx", "OKR Beta", "en", "bob@beta.example",
                                  T0 + dt.timedelta(seconds=1))
    assert len(wb.id) == 12 and wb.id != other.id
    with pytest.raises(IntegrityError):
        registry.add_workbook("gsheet", "sheet-1", "again", "fr", "x@acme.example", T0)
    assert fields(registry.workbook(wb.id)) == \
        (wb.id, "gsheet", "sheet-1", "OKR Acme", "fr", "marie@acme.example", True, T0, dt.date(2025, 2, 14))
    assert registry.workbook_by_target("/data/b.xlsx").id == other.id  # type: ignore[union-attr]
    assert [w.id for w in registry.workbooks()] == [wb.id, other.id]
    registry.set_active(other.id, False)
    assert [w.id for w in registry.workbooks(active_only=True)] == [wb.id]

    first = registry.start_run(wb.id, "nightly", T0)
    registry.finish_run(first.id, T0 + dt.timedelta(seconds=2), "ok", report=REPORT)
    second = registry.start_run(wb.id, "api", T0 + dt.timedelta(minutes=5))
    failed = registry.finish_run(second.id, T0 + dt.timedelta(minutes=5, seconds=1), "failed",
                                 error_code="google_forbidden", error="Accès refusé")
    assert (failed.outcome, failed.error_code, failed.report) == ("failed", "google_forbidden", None)
    runs = registry.runs(wb.id)
    assert [r.id for r in runs] == [second.id, first.id]
    assert (runs[1].rows, runs[1].invalid_rows, runs[1].problems, runs[1].api_reads, runs[1].api_writes) == \
        (12, 2, 2, 1, 1)
    assert registry.latest_run(wb.id).id == second.id  # type: ignore[union-attr]
    run, report = registry.latest_report(wb.id)  # type: ignore[misc]
    assert (run.id, run.outcome, report) == (first.id, "ok", REPORT)  # the failed run after it has none
    assert registry.latest_report(other.id) is None and registry.runs(other.id) == []
    assert registry.ping()


def test_workbooks_and_runs_on_sqlite(tmp_path: Path) -> None:
    check_workbooks_and_runs(Registry(f"sqlite:///{tmp_path / 'r.db'}"))


def test_the_schema_is_created_on_start_and_kept_on_restart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    wb = Registry(url).add_workbook("gsheet", "s", "OKR", "en", "m@acme.example", T0)
    again = Registry(url)
    assert fields(again.workbook(wb.id)) == (wb.id, "gsheet", "s", "OKR", "en", "m@acme.example", True, T0, None)


@pytest.mark.parametrize(("given", "used"), [
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgresql://u@/db?host=/cloudsql/x", "postgresql+psycopg://u@/db?host=/cloudsql/x"),
    ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_postgres_urls_use_psycopg_3(given: str, used: str) -> None:
    assert database_url(given) == used
