"""Local mode for `okrsync serve`: SQLite, .xlsx workbooks, the demo registered, auth off only on loopback."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..backends.xlsx import XlsxBackend
from ..errors import BadArgument
from ..layout.demo import AS_OF, demo_layout
from .context import is_off, service
from .runner import sync_workbook
from .workbooks import data_dir

DEMO_REGISTRANT = "demo"


def is_loopback(host: str) -> bool:
    """Whether binding to `host` keeps the service on this machine (a name other than localhost may not)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def local_config(host: str, db: str | None, data: str, no_auth: bool, environ: Mapping[str, str],
                 lang: str) -> dict[str, Any]:
    """The overrides of local mode; refuses auth off unless bound to loopback."""
    auth_off = no_auth or is_off(environ.get("OKRSYNC_AUTH", "on"))
    if auth_off and not is_loopback(host):
        raise BadArgument("service.no_auth_needs_loopback", lang, host=host)
    config: dict[str, Any] = {"MODE": "local", "DATA_DIR": data, "AUTH": "off" if auth_off else "on",
                              "LOOPBACK_ONLY": is_loopback(host)}
    if db:
        config["DATABASE_URL"] = f"sqlite:///{Path(db).expanduser().absolute()}"
    return config


def register_demo(app: Flask, lang: str) -> str:
    """Build, sync and register the demo workbook in `lang`, once; its path."""
    with app.app_context():
        svc = service()
        folder = data_dir(svc)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# okrsync's local data: workbooks and registry\n*\n", encoding="utf-8")
        path = folder / f"okrsync-demo-{lang}.xlsx"
        if svc.registry.workbook_by_target(str(path)) is not None and path.exists():
            return str(path)
        layout = demo_layout(lang)
        XlsxBackend(path, lang=lang).provision(layout, overwrite=True)
        wb = svc.registry.workbook_by_target(str(path)) or svc.registry.add_workbook(
            "xlsx", str(path), layout.title, lang, DEMO_REGISTRANT, svc.now(), as_of=AS_OF)
        sync_workbook(svc, wb, "serve")
    return str(path)


def prepare(host: str = "127.0.0.1", db: str | None = None, data: str = "okrsync-data", no_auth: bool = False,
            environ: Mapping[str, str] | None = None, lang: str = "en",
            overrides: Mapping[str, Any] | None = None) -> tuple[Flask, str]:
    """The app `okrsync serve` runs, speaking `lang` (the person's language): its pages, and the demo
    registered and synced in it; refuses an unsafe binding. The demo's path comes with it."""
    from server import create_app  # the service's one factory, at the repo root

    config = local_config(host, db, data, no_auth, os.environ if environ is None else environ, lang)
    app = create_app({**config, "PAGE_LANG": lang, **(overrides or {})})
    return app, register_demo(app, lang)
