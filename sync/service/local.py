"""Local mode for `okrsync serve`: SQLite, .xlsx workbooks, the demo registered, auth off only on loopback."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from ..backends.xlsx import XlsxBackend
from ..catalog import LANGS
from ..demo import AS_OF, demo_layout
from ..errors import BadArgument
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


def register_demo(app: Flask, langs: tuple[str, ...] = LANGS) -> list[str]:
    """Build, sync and register the demo workbook in each language, once; their paths."""
    paths = []
    with app.app_context():
        svc = service()
        folder = data_dir(svc)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# okrsync's local data: workbooks and registry\n*\n", encoding="utf-8")
        for lang in langs:
            path = folder / f"okrsync-demo-{lang}.xlsx"
            paths.append(str(path))
            if svc.registry.workbook_by_target(str(path)) is not None and path.exists():
                continue
            layout = demo_layout(lang)
            XlsxBackend(path, lang=lang).provision(layout, overwrite=True)
            wb = svc.registry.workbook_by_target(str(path)) or svc.registry.add_workbook(
                "xlsx", str(path), layout.title, lang, DEMO_REGISTRANT, svc.now(), as_of=AS_OF)
            sync_workbook(svc, wb, "serve")
    return paths


def prepare(host: str = "127.0.0.1", db: str | None = None, data: str = "okrsync-data", no_auth: bool = False,
            environ: Mapping[str, str] | None = None, lang: str = "en",
            overrides: Mapping[str, Any] | None = None) -> tuple[Flask, list[str]]:
    """The app `okrsync serve` runs, the demo registered in `lang` and synced; refuses an unsafe binding."""
    from server import create_app  # the service's one factory, at the repo root

    config = local_config(host, db, data, no_auth, os.environ if environ is None else environ, lang)
    app = create_app({**config, **(overrides or {})})
    return app, register_demo(app, (lang,))
