"""One loader for the templates and the message catalogue in `sheet_templates/`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("fr", "en")


@cache
def _load(name: str) -> dict[str, Any]:
    text = resources.files("sheet_templates").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def template(version: int = 1) -> dict[str, Any]:
    """The workbook template of that version, as loaded from its JSON file."""
    return _load(f"workbook_v{version}.json")


def demo(version: int = 1) -> dict[str, Any]:
    """The demo organisation's OKRs and check-ins, in both languages."""
    return _load(f"demo_v{version}.json")


def messages() -> dict[str, dict[str, str]]:
    """Every user-facing message, keyed by id, then by language."""
    return _load("messages.json")


def message(key: str, lang: str, **params: Any) -> str:
    """The message `key` in `lang`, with its placeholders filled."""
    return messages()[key][lang].format(**params)


def check_lang(lang: str) -> str:
    """The language, when the product speaks it."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}: {lang!r}")
    return lang


@dataclass(frozen=True)
class Column:
    """A column of a tab in one language."""

    key: str
    label: str
    width: int
    computed: bool
    format: str | None
    #: What the column offers to choose from: a name the layout knows (str), or for a people table
    #: {"words": group, "strict": bool} (template words) or {"tab": table key, "column": key} (another tab's cells).
    dropdown: Any
    status: bool
    row_colour: bool
    #: A column added after workbooks were made with this template: a workbook without it still syncs.
    optional: bool = False
    #: Numbers sit against the right edge, their header above them; long text wraps inside the column's width.
    right: bool = False
    wrap: bool = False
    #: Machinery, not for people (the row key): laid out hidden, so that it neither overflows nor gets printed.
    hidden: bool = False


def columns(tab_key: str, lang: str) -> list[Column]:
    """The columns of a template tab (`okrs`, `checkins`, `history`) in `lang`, in sheet order."""
    return [
        Column(
            key=c["key"],
            label=c["label"][lang],
            width=c.get("width", 12),
            computed=c.get("computed", False),
            format=c.get("format"),
            dropdown=c.get("dropdown"),
            status=c.get("status", False),
            row_colour=c.get("row_colour", False),
            optional=c.get("optional", False),
            right=c.get("align") == "right",
            wrap=c.get("wrap", False),
            hidden=c.get("hidden", False),
        )
        for c in template()["tabs"][tab_key]["columns"]
    ]


def table_keys() -> tuple[str, ...]:
    """The people tables (annual goals, initiatives, KPIs…): template tabs with `"table": true`, in template order."""
    return tuple(key for key, tab in template()["tabs"].items() if tab.get("table"))


def row_key(tab_key: str) -> list[str]:
    """The input columns whose text makes a row's key (its KR and week, its ID); [] for a tab without one."""
    return list(template()["tabs"][tab_key].get("row_key", []))


def tab_name(tab_key: str, lang: str) -> str:
    """The name of a fixed tab (`readme`, `settings`, `okrs`, `org`, `history`) in `lang`."""
    return str(template()["tabs"][tab_key]["name"][lang])


def checkin_tab_name(team: str, lang: str) -> str:
    """The name of a team's check-in tab."""
    return str(template()["tabs"]["checkins"]["name_prefix"][lang]) + team


def word(group: str, key: str, lang: str) -> str:
    """A word of the sheet (a KR type, a status…) in `lang`."""
    return str(template()["words"][group][key][lang])


def org_word(lang: str) -> str:
    """How the OKR tab's Team column names the organisation itself."""
    return str(template()["words"]["organisation_team"][lang])


def org_words() -> tuple[str, ...]:
    """The organisation's word in every language, each once."""
    return tuple(dict.fromkeys(org_word(lang) for lang in LANGS))


def words(group: str, lang: str) -> dict[str, str]:
    """Every word of a group in `lang`, by key."""
    return {k: v[lang] for k, v in template()["words"][group].items()}
