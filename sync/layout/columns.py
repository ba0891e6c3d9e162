"""A tab made of the template's columns (the OKR tab, check-in tabs, History, people tables): header, widths,
computed columns greyed and protected, formats, status colours, the grey of a row whose key went stale, and the
key's column hidden."""

from __future__ import annotations

from ..parsing.rowkey import key_formula
from ..template import catalog
from .model import Area, ColourRule, NumberFormat, Protection, TabLayout


def status_rules(area: Area, status_col: int, lang: str) -> list[ColourRule]:
    colours = catalog.template()["colors"]
    return [
        ColourRule(area, status_col, catalog.word("status", s, lang), colours[s])
        for s in ("green", "yellow", "red", "none")
    ]


def _stale_rules(tab_key: str, rows: int, lang: str) -> list[ColourRule]:
    """The rule that greys a row's computed cells when its key no longer matches its own cells (see rowkey)."""
    cols = catalog.columns(tab_key, lang)
    parts = catalog.row_key(tab_key)
    if not parts:
        return []
    computed = [i for i, c in enumerate(cols, start=1) if c.computed]
    key_col, part_cols = col(tab_key, "key"), [col(tab_key, k) for k in parts]
    colour = catalog.template()["colors"]["stale"]
    formula = key_formula(key_col, part_cols, computed, 2)
    return [ColourRule(Area(2, rows, min(computed), max(computed)), 0, "", colour, formula)]


def column_tab(key: str, name: str, tab_key: str, lang: str, rows: int, colour: str) -> TabLayout:
    """A tab made of the template's columns: header, widths, computed columns greyed, protected, formatted."""
    colours = catalog.template()["colors"]
    cols = catalog.columns(tab_key, lang)
    tab = TabLayout(key=key, name=name, grid=[[c.label for c in cols]], widths=[c.width for c in cols])
    tab.tab_colour = colour
    tab.right_cols = [i for i, c in enumerate(cols, start=1) if c.right]
    tab.wrap_cols = [i for i, c in enumerate(cols, start=1) if c.wrap]
    tab.hidden_cols = [i for i, c in enumerate(cols, start=1) if c.hidden]
    # First, so that it wins over the status colours: a row whose computed cells were written for another row.
    tab.colour_rules.extend(_stale_rules(tab_key, rows, lang))
    for i, c in enumerate(cols, start=1):
        tab.header_fills.append((i, colours["computed_header" if c.computed else "input_header"]))
        if c.format:
            tab.formats.append(NumberFormat(Area(2, rows, i, i), c.format))
        if c.computed:
            tab.protections.append(Protection(Area(1, rows, i, i), catalog.message("layout.computed_protection", lang)))
        if c.status:
            target = Area(2, rows, 1, len(cols)) if c.row_colour else Area(2, rows, i, i)
            tab.colour_rules.extend(status_rules(target, i, lang))
    return tab


def col(tab_key: str, key: str) -> int:
    """1-based index of a template column."""
    return next(i for i, c in enumerate(catalog.columns(tab_key, "en"), start=1) if c.key == key)
