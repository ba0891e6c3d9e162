"""Registered workbooks as backends: open one, provision a new one, check an existing one is ours.

A `BACKENDS` setting (an object with `open` and `provision` like `Backends` below) replaces where workbooks
live, e.g. in memory for tests; by default they are Google spreadsheets or local .xlsx files.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from pathlib import Path
from typing import Protocol

from ..backends.base import Backend
from ..backends.google_retry import SyncGuard
from ..backends.gsheets import GoogleBackend
from ..backends.xlsx import XlsxBackend
from ..errors import BadArgument
from ..layout.build import Layout
from ..parsing.settings import detect_lang
from ..parsing.workbook import read_workbook
from .context import Service
from .registry import WorkbookRecord

#: The longest path a registered workbook's target holds, and the most of a refused one a message repeats.
MAX_PATH = 1000
MAX_SHOWN = 200


class Backends(Protocol):
    """Where workbooks live: how to open one, how to make one."""

    def open(self, kind: str, target: str, lang: str) -> Backend:
        """The backend of an existing workbook."""
        ...

    def provision(self, layout: Layout, share: list[str]) -> tuple[str, str]:
        """Create a workbook laid out as `layout`; (kind, target)."""
        ...


def open_backend(svc: Service, backend: str, target: str, lang: str, guard: SyncGuard | None = None) -> Backend:
    """The backend of a workbook: a Google spreadsheet by ID (its calls under `guard`), or a local .xlsx file."""
    custom: Backends | None = svc.config.get("BACKENDS")
    if custom is not None:
        return custom.open(backend, target, lang)
    if backend == "gsheet":
        return GoogleBackend(target, svc.gateway(lang, guard), lang)
    return XlsxBackend(target, lang=lang)


def open_registered(svc: Service, wb: WorkbookRecord, guard: SyncGuard | None = None) -> Backend:
    """The backend of a registered workbook, for one sync under `guard`."""
    return open_backend(svc, wb.backend, wb.target, wb.lang, guard)


def data_dir(svc: Service) -> Path:
    """Where local mode keeps its workbooks (created on first use)."""
    path = Path(str(svc.config["DATA_DIR"])).expanduser().absolute()
    path.mkdir(parents=True, exist_ok=True)
    return path


def local_path(svc: Service, name: str, lang: str) -> Path:
    """A workbook file inside DATA_DIR: a name from a request never reaches outside it."""
    root = data_dir(svc).resolve()
    path = (root / name).resolve()
    if not name.lower().endswith(".xlsx") or root not in path.parents:
        raise BadArgument("service.bad_path", lang, path=name)
    return path


def named_file(raw: str, lang: str) -> Path:
    """An .xlsx file a person names on this machine (local service only): it exists, is a file okrsync may
    read, in a folder it may write its saves to. Refused with what to do instead, before anything is made."""
    text = raw.strip()
    if not text:
        raise BadArgument("page.register_empty", lang)
    shown = text[:MAX_SHOWN]
    if len(text) > MAX_PATH or any(unicodedata.category(ch) == "Cc" for ch in text):
        raise BadArgument("page.register_missing", lang, path=shown)
    try:
        path = Path(text).expanduser().resolve()
        if path.is_dir():
            raise BadArgument("page.register_folder", lang, path=shown)
        exists = path.is_file() and len(str(path)) <= MAX_PATH
    except (OSError, RuntimeError):  # a name too long for the system, a symlink loop, an unknown ~user
        exists = False
    if not exists:
        raise BadArgument("page.register_missing", lang, path=shown)
    if path.suffix.lower() != ".xlsx":
        raise BadArgument("page.register_not_xlsx", lang, path=shown)
    if not os.access(path, os.R_OK):
        raise BadArgument("page.register_unreadable", lang, path=shown)
    if not os.access(path.parent, os.W_OK):  # a sync saves beside the file, then renames over it
        raise BadArgument("page.register_read_only", lang, path=shown)
    return path


def provision(svc: Service, layout: Layout, share: list[str]) -> tuple[str, str]:
    """Create the workbook where this service keeps them; (backend, target)."""
    custom: Backends | None = svc.config.get("BACKENDS")
    if custom is not None:
        return custom.provision(layout, share)
    if svc.mode == "google":
        google = GoogleBackend(None, svc.gateway(layout.lang), layout.lang)
        google.provision(layout, share=share)
        assert google.spreadsheet_id is not None
        return "gsheet", google.spreadsheet_id
    path = data_dir(svc) / f"okr-{secrets.token_hex(6)}.xlsx"
    XlsxBackend(path, lang=layout.lang).provision(layout)
    return "xlsx", str(path)


def inspect(backend: Backend, title: str | None = None) -> tuple[str, str]:
    """(title, language) of an existing workbook, after checking it is an okrsync workbook (one read)."""
    snapshot = backend.read()
    lang = detect_lang(snapshot, backend.location)
    read_workbook(snapshot, backend.location)  # raises NotOurWorkbook when a tab or a column is missing
    return title or snapshot.title or backend.location, lang
