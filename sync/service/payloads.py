"""Reading request bodies: every field checked, every refusal a 400 that names the field, in fr or en."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import BadArgument, TooLarge
from ..layout.build import Team, WorkbookSpec
from ..layout.model import MAX_TEAMS
from ..template import catalog

_EMAIL = re.compile(r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$")

def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(request: Request, limit: int, lang: str, too_large: str = "wire.body_too_large") -> Any:
    """The request's JSON, for every endpoint that takes a body: 413 over `limit` bytes (worded by the
    `too_large` message), 400 when it is not sent as JSON, is malformed or is nested too deeply."""
    request.max_content_length = limit
    try:
        data = request.get_data(cache=False)
    except RequestEntityTooLarge:
        raise TooLarge(too_large, lang, limit=round(limit / (1024 * 1024), 1)) from None
    if not request.is_json:
        raise BadArgument("service.bad_body", lang)
    try:
        return json.loads(data, parse_constant=_no_constant)
    except RecursionError:
        raise BadArgument("wire.too_deep", lang) from None
    except json.JSONDecodeError as err:
        raise BadArgument("wire.bad_json", lang, reason=err.msg, line=err.lineno, column=err.colno) from None
    except ValueError as err:  # not UTF-8, or NaN / Infinity
        raise BadArgument("wire.bad_json", lang, reason=str(err)[:100], line=1, column=1) from None


def body_of(data: Any, lang: str) -> dict[str, Any]:
    """The JSON object of a request, or a 400."""
    if not isinstance(data, dict):
        raise BadArgument("service.bad_body", lang)
    return data


def text(body: dict[str, Any], name: str, lang: str, *, required: bool = True, max_len: int = 200) -> str | None:
    """A short single-line text field: no control characters (a cell could not hold them), trimmed."""
    value = body.get(name)
    if value is None and not required:
        return None
    if value is None:
        raise BadArgument("service.missing_field", lang, field=name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_len or any(
        unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") for ch in value
    ):
        raise BadArgument("service.bad_field", lang, field=name)
    return value.strip()


def emails(body: dict[str, Any], name: str, lang: str) -> list[str]:
    """A list of e-mail addresses (may be absent)."""
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise BadArgument("service.bad_field", lang, field=name)
    found = []
    for item in value:
        if not isinstance(item, str) or not _EMAIL.match(item):
            raise BadArgument("service.bad_field", lang, field=name)
        found.append(item.lower())
    return found


def workbook_spec(body: dict[str, Any], fallback_lang: str) -> WorkbookSpec:
    """The provisioning request as a WorkbookSpec; its own language speaks once it is known."""
    lang = body.get("lang")
    if lang not in catalog.LANGS:
        raise BadArgument("service.bad_field", fallback_lang, field="lang")
    organisation = text(body, "organisation", lang)
    quarter = text(body, "quarter", lang, max_len=20)
    title = text(body, "title", lang, required=False)
    raw_teams = body.get("teams")
    if not isinstance(raw_teams, list) or not raw_teams or len(raw_teams) > MAX_TEAMS:
        raise BadArgument("service.bad_field", lang, field="teams")
    teams = []
    for item in raw_teams:
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            raise BadArgument("service.bad_field", lang, field="teams")
        name = text(item, "name", lang, max_len=80)
        manager = text(item, "manager", lang, required=False) or ""
        email = emails({"email": [item["email"]]} if item.get("email") is not None else {}, "email", lang)
        teams.append(Team(str(name), manager, email[0] if email else ""))
    if len({t.name.lower() for t in teams}) != len(teams):
        raise BadArgument("service.bad_field", lang, field="teams")
    assert organisation is not None and quarter is not None
    return WorkbookSpec(organisation, lang, quarter, teams, title=title)


def limit(value: str | None, lang: str, default: int = 20, most: int = 100) -> int:
    """A `limit` query parameter between 1 and `most`."""
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise BadArgument("service.bad_field", lang, field="limit")
    return int(value)
