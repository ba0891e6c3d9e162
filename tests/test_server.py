"""The app factory: defaults, then OKRSYNC_* environment, then overrides; one JSON error handler."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

import server
from server import create_app
from tests.service_support import FakeClock, make_app, svc_of


def test_nothing_is_built_at_import() -> None:
    assert not hasattr(server, "app")


def test_environment_overrides_defaults_and_the_callers_config_overrides_both(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKRSYNC_NIGHTLY_WORKERS", "7")
    monkeypatch.setenv("OKRSYNC_SHEETS_QUOTA_PER_MINUTE", "30")
    monkeypatch.setenv("OKRSYNC_AUDIENCES", '["a.apps.googleusercontent.com", "b.apps.googleusercontent.com"]')
    monkeypatch.setenv("OKRSYNC_ALLOWED_DOMAINS", "acme.example, beta.example")
    app = create_app({"NIGHTLY_WORKERS": 3, "DATA_DIR": str(tmp_path), "LOG_STREAM": io.StringIO()})
    svc = svc_of(app)
    assert app.config["NIGHTLY_WORKERS"] == 3
    assert svc.limiter.per_user == 30
    assert svc.setting_list("AUDIENCES") == ["a.apps.googleusercontent.com", "b.apps.googleusercontent.com"]
    assert svc.setting_list("ALLOWED_DOMAINS") == ["acme.example", "beta.example"]
    assert app.config["MODE"] == "local" and svc.auth_enabled


def test_the_registry_is_sqlite_in_the_data_folder_unless_database_url_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "LOG_STREAM": io.StringIO()})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'okrsync.db'}"
    assert (tmp_path / "data" / "okrsync.db").exists()  # schema created on start
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    create_app({"DATA_DIR": str(tmp_path / "data"), "LOG_STREAM": io.StringIO()})
    assert (tmp_path / "elsewhere.db").exists()


def test_a_crash_is_a_json_500_without_internals_and_logged(tmp_path: Path) -> None:
    log = io.StringIO()
    app = make_app(tmp_path, LOG_STREAM=log)

    def boom() -> str:
        raise RuntimeError("secret internals, Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl")

    app.add_url_rule("/boom", view_func=boom)
    answer = app.test_client().get("/boom", headers={"Accept-Language": "fr"})

    assert answer.status_code == 500
    assert answer.json["error"]["code"] == "internal" and "internals" not in answer.json["error"]["message"]
    assert "Erreur interne" in answer.json["error"]["message"]
    assert "RuntimeError" in log.getvalue() and "eyJ" not in log.getvalue()


def test_today_is_the_workbooks_day_in_montreal(tmp_path: Path) -> None:
    clock = FakeClock(dt.datetime(2025, 2, 15, 3, 0, tzinfo=dt.UTC).timestamp())  # 22:00 on the 14th there
    svc = svc_of(make_app(tmp_path, clock=clock))
    assert svc.today("fr") == dt.date(2025, 2, 14)
    assert svc.now() == dt.datetime(2025, 2, 15, 3, 0, tzinfo=dt.UTC)
