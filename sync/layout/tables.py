"""The people tables' tabs (annual goals, initiatives, KPIs…): each a tab of the template's columns, with the
dropdowns its columns name, placed around the OKR and check-in tabs as the template says."""

from __future__ import annotations

from typing import Any

from ..template import catalog
from .columns import col, column_tab
from .kr_lists import LIST_ROWS
from .model import Area, Dropdown, TabLayout

#: Rows that a table's dropdowns, formats and colour rules cover.
TABLE_ROWS = 500


def table_tab(key: str, lang: str) -> TabLayout:
    """The tab of the people table `key` in `lang`, ready for a backend to create."""
    colour = catalog.template()["colors"]["tab_people"]
    tab = column_tab(key, catalog.tab_name(key, lang), key, lang, TABLE_ROWS, colour)
    for i, column in enumerate(catalog.columns(key, lang), start=1):
        if isinstance(column.dropdown, dict):
            tab.dropdowns.append(_dropdown(column.dropdown, Area(2, TABLE_ROWS, i, i), lang))
    return tab


def tables_at(place: str, lang: str) -> list[TabLayout]:
    """The tables laid out at `place` (before_okrs, after_okrs, after_checkins), in template order."""
    tabs = catalog.template()["tabs"]
    return [table_tab(key, lang) for key in catalog.table_keys() if tabs[key].get("place") == place]


def _dropdown(spec: dict[str, Any], area: Area, lang: str) -> Dropdown:
    """A column's dropdown: the template's words, another tab's column, or the Lists tab's teams."""
    if "words" in spec:
        return Dropdown(area, values=tuple(catalog.words(spec["words"], lang).values()),
                        strict=bool(spec.get("strict")))
    if spec.get("lists") == "teams":
        return Dropdown(area, source_tab=catalog.tab_name("lists", lang), source=Area(2, LIST_ROWS, 1, 1))
    source = col(spec["tab"], spec["column"])
    return Dropdown(area, source_tab=catalog.tab_name(spec["tab"], lang), source=Area(2, TABLE_ROWS, source, source))
