"""The demo: the seeds' Québec B2B firm entering manufacturing in 2025-Q1, six weeks into the quarter."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from ..model import CellValue
from ..template import catalog
from .build import Layout, Team, WorkbookSpec, build_layout, org_word

AS_OF = dt.date(2025, 2, 14)
#: An OKR ID as the demo writes it, team prefix first: VEN-KR1, ORG-O1.
_ID = re.compile(r"^[A-Z]+-(?:KR|O)\d+$")


def _pick(value: Any, lang: str) -> Any:
    """Demo values may differ by language (`{"fr": …, "en": …}`) or not."""
    return value[lang] if isinstance(value, dict) else value


def demo_layout(lang: str) -> Layout:
    """The whole demo workbook as a layout: template, OKRs, six weeks of check-ins and three wrong rows."""
    data = catalog.demo()
    teams = {t["key"]: t for t in data["teams"]}
    team_name = {k: t["name"][lang] for k, t in teams.items()}
    spec = WorkbookSpec(
        organisation=data["organisation"][lang],
        lang=lang,
        quarter=data["quarter"][lang],
        teams=[Team(t["name"][lang], t["manager"], t["email"]) for t in data["teams"]],
        title=data["title"][lang],
    )
    layout = build_layout(spec)
    prefixes = {t["key"]: t["prefix"][lang] for t in data["teams"]}

    def ident(text: str | None) -> str | None:
        """IDs read in the workbook's language: VEN-KR1 is SAL-KR1 in English."""
        if not text:
            return text
        head, _, tail = text.partition("-")
        return f"{prefixes.get(head, head)}-{tail}"

    tabs = {t.key: t for t in layout.tabs}
    okr_keys = [c.key for c in catalog.columns("okrs", lang) if not c.computed]
    for okr in data["okrs"]:
        values = {
            "id": ident(okr["id"]),
            "team": team_name[okr["team"]] if okr["team"] else org_word(lang),
            "type": catalog.word("kr_types", okr["type"], lang),
            "title": okr["title"][lang],
            "owner": okr.get("owner"),
            "start": _pick(okr.get("start"), lang),
            "target": _pick(okr.get("target"), lang),
            "unit": _pick(okr.get("unit"), lang),
            "parent": ident(okr.get("parent")),
            "weight": None,
        }
        tabs["okrs"].grid.append([values[k] for k in okr_keys])

    krs = {o["id"]: o for o in data["okrs"]}
    weeks = [dt.date.fromisoformat(w) for w in data["weeks"]]
    styles = data["date_styles"][lang]
    for week_index, week in enumerate(weeks):
        for kr_id, story in data["checkins"].items():
            tab = tabs[f"checkins:{team_name[krs[kr_id]['team']]}"]
            style = styles[week_index]
            when: CellValue = week if style == "date" else style
            tab.grid.append(
                [
                    when,
                    ident(kr_id),
                    _number_or_text(_pick(story["values"], lang)[week_index]),
                    story["confidence"][week_index],
                    story["comments"][lang][week_index] or None,
                ]
            )
    for wrong in data["mistakes"]:
        tab = tabs[f"checkins:{team_name[wrong['team']]}"]
        week = _pick(wrong["week"], lang)
        tab.grid.append(
            [
                dt.date.fromisoformat(week) if week[:4].isdigit() else week,
                ident(wrong["kr"]),
                _number_or_text(_pick(wrong["value"], lang)),
                wrong["confidence"],
                _pick(wrong["comment"], lang) or None,
            ]
        )
    for key, rows in data.get("tables", {}).items():
        inputs = [c for c in catalog.columns(key, lang) if not c.computed]
        tabs[key].grid += [[_table_cell(row.get(c.key), c, lang, ident) for c in inputs] for row in rows]
    return layout


def _table_cell(value: Any, column: catalog.Column, lang: str, ident: Callable[[str | None], str | None]) -> CellValue:
    """A people table's demo cell as a person types it: a date as a date, a dropdown's word in the workbook's
    language, an ID in its language (VEN-KR1 is SAL-KR1 in English)."""
    value = _pick(value, lang)
    if not isinstance(value, str):
        return value
    if column.format == "date":
        return dt.date.fromisoformat(value)
    if isinstance(column.dropdown, dict) and "words" in column.dropdown:
        return catalog.word(column.dropdown["words"], value, lang)
    return ident(value) if _ID.match(value) else value


def _number_or_text(value: str) -> CellValue:
    """Plain figures are typed as numbers; anything with a unit stays text, as a person would type it."""
    try:
        return int(value)
    except ValueError:
        return value
