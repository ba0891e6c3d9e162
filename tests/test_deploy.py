"""The App Engine files: the entrypoint gunicorn runs, the nightly cron, a queue derived from the Sheets budget."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from gunicorn.util import import_app

from sync.service.ratelimit import BUDGET, RateLimiter

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


def per_minute(rate: str) -> float:
    """A queue.yaml rate ("21/m", "0.5/s") in tasks a minute."""
    count, unit = re.fullmatch(r"(\d+(?:\.\d+)?)/([smhd])", rate).groups()  # type: ignore[union-attr]
    return float(count) * {"s": 60, "m": 1, "h": 1 / 60, "d": 1 / 1440}[unit]


def test_the_queue_is_derived_from_the_sheets_budget() -> None:
    [queue] = load("queue.yaml")["queue"]
    assert per_minute(queue["rate"]) == BUDGET.queue_rate == 21
    assert queue["bucket_size"] == queue["max_concurrent_requests"] == BUDGET.burst == 4


def test_the_queue_keeps_under_the_sheets_quota_with_room_for_people() -> None:
    [queue] = load("queue.yaml")["queue"]
    # A token bucket lets bucket_size + rate tasks through in any minute (and retries count as dispatches).
    tasks = queue["bucket_size"] + per_minute(queue["rate"])
    assert tasks * BUDGET.sync_writes + BUDGET.people_writes <= BUDGET.per_user
    assert tasks * BUDGET.sync_reads <= BUDGET.per_user and tasks * BUDGET.sync_writes <= BUDGET.per_project
    retry = queue["retry_parameters"]
    assert retry["min_backoff_seconds"] < retry["max_backoff_seconds"] and retry["task_retry_limit"] >= 1
    assert queue["name"] in load("app.yaml")["env_variables"]["OKRSYNC_TASKS_QUEUE"]


def test_the_in_process_limiter_defaults_to_the_same_budget() -> None:
    limiter = RateLimiter()
    assert (limiter.per_user, limiter.per_project, limiter.window) == (60, 300, 60.0)
    assert load("app.yaml")["env_variables"]["OKRSYNC_SHEETS_QUOTA_PER_MINUTE"] == str(BUDGET.per_user)
