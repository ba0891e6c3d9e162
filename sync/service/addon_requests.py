"""Reading the add-on's requests: a body under its own size limit, JSON that cannot crash us, checked fields."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from ..errors import BadArgument
from ..layout.build import Team
from . import payloads
from .payloads import json_body as json_body  # the one reader of JSON bodies, for every endpoint

#: Snapshots of big workbooks are far larger than any other request: their own limit (ADDON_MAX_BYTES).
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
TRIGGERS = ("menu", "nightly")
TEAM_NAME_MAX = 80
#: Characters a Sheets tab name cannot hold, so neither can a team's (its check-in tab is named after it).
TAB_NAME_FORBIDDEN = ":\\/?*[]"


@dataclass(frozen=True)
class SyncRequest:
    """`POST /api/addon/sync` once checked (the snapshot is read apart)."""

    snapshot: Any
    write: bool
    trigger: str
    as_of: dt.date | None


def sync_request(body: dict[str, Any], lang: str) -> SyncRequest:
    """The fields of a sync request, each checked."""
    write = body.get("write", False)
    if not isinstance(write, bool):
        raise BadArgument("service.bad_field", lang, field="write")
    trigger = body.get("trigger", "menu")
    if trigger not in TRIGGERS:
        raise BadArgument("wire.bad_choice", lang, path="trigger", choices=", ".join(TRIGGERS))
    raw_day = body.get("as_of")
    as_of = None
    if raw_day is not None:
        try:
            as_of = dt.date.fromisoformat(raw_day) if isinstance(raw_day, str) and len(raw_day) == 10 else None
        except ValueError:
            as_of = None
        if as_of is None:
            raise BadArgument("wire.bad_date", lang, path="as_of", value=str(raw_day)[:40])
    if "snapshot" not in body:
        raise BadArgument("wire.missing", lang, path="snapshot")
    return SyncRequest(body["snapshot"], write, str(trigger), as_of)


def new_team(body: dict[str, Any], lang: str) -> Team:
    """The team of `POST /api/addon/team`: a name a tab can carry, an optional manager and e-mail."""
    raw = body.get("team")
    if not isinstance(raw, dict):
        raise BadArgument("wire.not_object", lang, path="team")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise BadArgument("service.team_name_empty", lang)
    name = name.strip()
    if len(name) > TEAM_NAME_MAX:
        raise BadArgument("service.team_name_too_long", lang, limit=TEAM_NAME_MAX)
    bad = sorted({ch for ch in name if ch in TAB_NAME_FORBIDDEN or unicodedata.category(ch)[0] == "C"})
    if bad:
        shown = " ".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in bad)
        raise BadArgument("service.team_name_bad_char", lang, chars=shown)
    manager = payloads.text(raw, "manager", lang, required=False) or ""
    email = payloads.emails({"email": [raw["email"]]} if raw.get("email") is not None else {}, "email", lang)
    return Team(name, manager, email[0] if email else "")

