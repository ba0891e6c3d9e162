"""The okrsync service: `create_app()` for gunicorn on App Engine, and for `okrsync serve` on a laptop."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, request

from sync.errors import BadArgument
from sync.service import addon_api, api, auth, context, cron, http_errors, logs, openapi, pages
from sync.service.ratelimit import BUDGET


def defaults() -> dict[str, Any]:
    """Settings before the environment (`OKRSYNC_*`) and the caller's overrides; safe for production."""
    return {
        "MODE": "local",  # "google": provision spreadsheets; "local": .xlsx files in DATA_DIR
        "AUTH": "on",  # "off" only for local use on loopback (okrsync serve --no-auth)
        "LOOPBACK_ONLY": False,  # set by okrsync serve once it checked it binds to loopback
        "DATA_DIR": "okrsync-data",
        "PAGE_LANG": None,  # the pages' language ("fr"/"en"; okrsync serve: the person's); None: the browser's
        "DATABASE_URL": os.environ.get("DATABASE_URL") or None,  # default: SQLite in DATA_DIR
        "AUDIENCES": [],  # OAuth client IDs ID tokens must be issued for (the add-on's)
        "ALLOWED_DOMAINS": [],  # Workspace domains whose people may call; empty: any domain
        "TASKS_QUEUE": "",  # projects/<p>/locations/<l>/queues/<q>; empty: nightly runs in-process
        "TASKS_BASE_URL": "",  # https://<service>: tasks are HTTP tasks with an OIDC token
        "TASKS_SERVICE_ACCOUNT": "",  # who the tasks' OIDC tokens name
        "TASKS_AUDIENCE": "",  # audience of cron/task OIDC tokens (default TASKS_BASE_URL)
        "CRON_SERVICE_ACCOUNT": "",  # Cloud Scheduler's service account, when it calls with OIDC
        "SHEETS_QUOTA_PER_MINUTE": BUDGET.per_user,  # Sheets API requests per minute per user
        "SHEETS_QUOTA_PER_PROJECT": BUDGET.per_project,  # ...and per project
        "NIGHTLY_WORKERS": 4,
        "LEASE_SECONDS": 900,
        "GOOGLE_CREDENTIALS": None,  # a key file; default: Application Default Credentials
        "LOG_LEVEL": "INFO",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "ADDON_MAX_BYTES": 8 * 1024 * 1024,  # the add-on's snapshots: whole workbooks, so a larger limit
    }


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The Flask app: defaults, then `OKRSYNC_*` environment, then `config`; the registry schema made now."""
    app = Flask(__name__)
    app.config.from_mapping(defaults())
    app.config.from_prefixed_env("OKRSYNC")
    if config:
        app.config.update(config)
    if not app.config["DATABASE_URL"]:
        data = Path(str(app.config["DATA_DIR"])).expanduser().absolute()
        data.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{data / 'okrsync.db'}"
    service = context.install(app)
    if not service.auth_enabled and (service.on_app_engine or not app.config.get("LOOPBACK_ONLY")):
        # Only `okrsync serve`, having checked its binding, vouches that no one else can reach us.
        raise BadArgument("service.no_auth_not_local", "en")
    logs.install(app.config.get("LOG_STREAM"), logging.getLevelName(str(app.config["LOG_LEVEL"]).upper()))
    app.json.sort_keys = False  # type: ignore[attr-defined]  # the report reads in the design's order
    http_errors.install(app)
    if not service.auth_enabled:
        app.before_request(lambda: auth.require_loopback_host(service, request.headers))
    for blueprint in (api.bp, addon_api.bp, cron.bp, pages.bp, openapi.bp):
        app.register_blueprint(blueprint)
    return app

