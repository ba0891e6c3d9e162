"""What the service's handlers share, built once per app: settings, registry, clients created on first use."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import google.auth.transport.requests
from flask import Flask, current_app

from ..backends.google_api import GoogleGateway, RetryingHTTPClient
from ..backends.google_auth import FoundCredentials, find_credentials
from ..backends.google_retry import SyncGuard
from ..template import catalog
from .lease import DEFAULT_TTL
from .ratelimit import BUDGET, RateLimiter
from .registry import Registry

EXTENSION = "okrsync"


def as_list(value: Any) -> list[str]:
    """A setting given as a list, or as a comma-separated string in the environment."""
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()]


def is_off(value: Any) -> bool:
    """Whether a switch read from config or environment says off."""
    return str(value).strip().lower() in ("off", "false", "0", "no", "none")


class Service:
    """The service's shared state; Google and Cloud Tasks clients are made lazily, once."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.environ: Mapping[str, str] = config.get("ENVIRON") or os.environ
        self.clock: Callable[[], float] = config.get("CLOCK") or time.time
        self.sleep: Callable[[float], None] = config.get("SLEEP") or time.sleep
        self.registry = Registry(str(config["DATABASE_URL"]))
        # Every sync of this process (nightly, tasks, sync now) draws on these windows, per user and per project.
        self.limiter = RateLimiter(int(config.get("SHEETS_QUOTA_PER_MINUTE") or BUDGET.per_user), self.clock,
                                   self.sleep, per_project=int(config.get("SHEETS_QUOTA_PER_PROJECT")
                                                               or BUDGET.per_project))
        self._lock = threading.Lock()
        self._credentials: FoundCredentials | None = None
        self._tasks_client: Any = config.get("TASKS_CLIENT")
        self._token_request: Any = config.get("TOKEN_REQUEST")
        #: What this process's pages put in their forms, so that a post is known to come from one of them.
        self.form_token = secrets.token_urlsafe(32)

    # -- settings ------------------------------------------------------------------------------------------
    @property
    def auth_enabled(self) -> bool:
        """False only in local mode, where `okrsync serve` checked it is bound to loopback."""
        return not is_off(self.config["AUTH"])

    @property
    def mode(self) -> str:
        """"google" (spreadsheets) or "local" (.xlsx files in DATA_DIR)."""
        return str(self.config["MODE"])

    @property
    def on_app_engine(self) -> bool:
        """Whether this process runs on App Engine, the only place its X-Appengine-* headers mean anything."""
        return bool(self.environ.get("GAE_APPLICATION")) or self.environ.get("GAE_ENV") == "standard"

    @property
    def lease_ttl(self) -> float:
        """How long a sync's lease lasts before another instance may take it over."""
        return float(self.config.get("LEASE_SECONDS") or DEFAULT_TTL)

    def setting_list(self, key: str) -> list[str]:
        """A list setting (audiences, domains)."""
        return as_list(self.config.get(key))

    # -- time ------------------------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        """The current time, in UTC."""
        return dt.datetime.fromtimestamp(self.clock(), dt.UTC)

    def today(self, lang: str) -> dt.date:
        """Today where the workbook's people are: the template's time zone for its language."""
        zone = ZoneInfo(str(catalog.template()["time_zone"].get(lang, "America/Montreal")))
        return self.now().astimezone(zone).date()

    # -- clients -------------------------------------------------------------------------------------------
    def gateway(self, lang: str, guard: SyncGuard | None = None) -> GoogleGateway:
        """A Google gateway for one sync (under `guard`) or one check; credentials are looked up once per app."""
        factory = self.config.get("GATEWAY_FACTORY")
        if factory is not None:
            gateway: GoogleGateway = factory(lang)
            gateway.http.guard = guard
            return gateway
        with self._lock:
            if self._credentials is None:
                self._credentials = find_credentials(self.config.get("GOOGLE_CREDENTIALS"), lang)
            found = self._credentials
        return GoogleGateway(RetryingHTTPClient(found.credentials, guard=guard), lang, found.service_account_email)

    def token_request(self) -> Any:
        """The google-auth transport that fetches Google's signing certificates (cached between calls)."""
        with self._lock:
            if self._token_request is None:
                from .auth import CachingRequest

                self._token_request = CachingRequest(google.auth.transport.requests.Request(), self.clock)
            return self._token_request

    def tasks_client(self) -> Any:
        """The Cloud Tasks client, over REST (no gRPC channel to keep alive on App Engine)."""
        with self._lock:
            if self._tasks_client is None:
                from google.cloud import tasks_v2

                self._tasks_client = tasks_v2.CloudTasksClient(transport="rest")
            return self._tasks_client


def install(app: Flask) -> Service:
    """Build the app's Service (the registry's schema is created here, at start)."""
    service = Service(app.config)
    app.extensions[EXTENSION] = service
    return service


def service() -> Service:
    """The current app's Service."""
    found: Service = current_app.extensions[EXTENSION]
    return found
