"""The App Engine files: the entrypoint gunicorn runs, the nightly cron, a queue under the Sheets quota."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from gunicorn.util import import_app

ROOT = Path(__file__).resolve().parent.parent


def load(name: str) -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((ROOT / name).read_text(encoding="utf-8"))
    return found


def test_app_yaml_runs_the_factory_with_gunicorn_on_a_current_python() -> None:
    app = load("app.yaml")
    assert app["runtime"] in ("python312", "python313")
    assert app["entrypoint"].startswith("gunicorn -b :$PORT") and "'server:create_app()'" in app["entrypoint"]
    assert app["env_variables"]["OKRSYNC_MODE"] == "google" and app["env_variables"]["OKRSYNC_AUTH"] == "on"


def test_app_yaml_holds_no_secret() -> None:
    for name, value in load("app.yaml")["env_variables"].items():
        assert not re.search(r"SECRET|PASSWORD|PRIVATE|TOKEN|DATABASE_URL|KEY", name), name
        assert "://" not in value or "@" not in value, name  # no credentials in a URL


def test_gunicorn_can_load_the_entrypoint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OKRSYNC_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    entry = load("app.yaml")["entrypoint"]
    target = re.search(r"'([^']+)'", entry).group(1)  # type: ignore[union-attr]
    assert isinstance(import_app(target), Flask)


def test_cron_calls_the_nightly_handler_in_montreal_time() -> None:
    [job] = load("cron.yaml")["cron"]
    assert job["url"] == "/cron/nightly" and job["timezone"] == "America/Montreal"


def test_the_queue_keeps_under_the_sheets_quota() -> None:
    [queue] = load("queue.yaml")["queue"]
    count, unit = re.fullmatch(r"(\d+(?:\.\d+)?)/([smhd])", queue["rate"]).groups()  # type: ignore[union-attr]
    per_minute = float(count) * {"s": 60, "m": 1, "h": 1 / 60, "d": 1 / 1440}[unit]
    assert per_minute <= 60 and queue["max_concurrent_requests"] <= 10
    retry = queue["retry_parameters"]
    assert retry["min_backoff_seconds"] < retry["max_backoff_seconds"] and retry["task_retry_limit"] >= 1
    assert queue["name"] in load("app.yaml")["env_variables"]["OKRSYNC_TASKS_QUEUE"]
