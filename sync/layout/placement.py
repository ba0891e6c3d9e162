"""Where a tab added to an existing workbook goes: where a new workbook would have it. A team's check-in tab after
the last team's, a people table in its template place; people's own tabs, wherever they sit, stay where they are."""

from __future__ import annotations

from collections.abc import Iterable

from ..template import catalog
from .model import TabLayout

#: The slot of a team's check-in tab, and of the organisation's, which follows them.
CHECKINS, ORG_CHECKINS = "checkins", "org_checkins"


def slot_order() -> list[str]:
    """The slots of a new workbook's tabs, in its order (build.build_layout lays them out so)."""
    tabs = catalog.template()["tabs"]

    def at(place: str) -> list[str]:
        return [key for key in catalog.table_keys() if tabs[key].get("place") == place]

    return ["readme", "settings", *at("before_okrs"), "okrs", *at("after_okrs"), CHECKINS, ORG_CHECKINS,
            *at("after_checkins"), "org", "history", "lists"]


def _slots_by_name() -> dict[str, str]:
    """The fixed tabs' and tables' names, in both languages, to their slot."""
    tabs = catalog.template()["tabs"]
    names = {tabs[key]["name"][lang]: key for key in slot_order() if "name" in tabs.get(key, {})
             for lang in catalog.LANGS}
    names.update({catalog.checkin_tab_name(catalog.org_word(lang), lang): ORG_CHECKINS for lang in catalog.LANGS})
    return names


def tab_slot(name: str, named: dict[str, str], checkin_tabs: set[str]) -> str | None:
    """The slot of an existing tab; None for a tab of people's own."""
    if name in named:
        return named[name]
    prefixes = {catalog.checkin_tab_name("", lang) for lang in catalog.LANGS}
    if name in checkin_tabs or any(name.startswith(p) for p in prefixes):
        return CHECKINS
    return None


def new_tab_slot(tab: TabLayout, named: dict[str, str]) -> str:
    """The slot of a tab about to be laid out: a check-in tab's (the team's or the organisation's) or its key."""
    if tab.key.startswith(CHECKINS + ":"):
        return ORG_CHECKINS if named.get(tab.name) == ORG_CHECKINS else CHECKINS
    return tab.key


def place_new_tabs(tabs: list[TabLayout], order: Iterable[str], checkin_tabs: Iterable[str] = ()) -> None:
    """Set each new tab's `after`: the last tab of `order` (the workbook's tabs, in order) whose slot comes no later
    than its own, or a new tab placed before it; None when no tab of the workbook precedes it."""
    slots, named, teams = slot_order(), _slots_by_name(), set(checkin_tabs)
    ranked: list[tuple[str, int | None]] = []
    for name in order:
        slot = tab_slot(name, named, teams)
        ranked.append((name, slots.index(slot) if slot in slots else None))
    for tab in tabs:
        rank = slots.index(new_tab_slot(tab, named))
        before = [i for i, (_name, r) in enumerate(ranked) if r is not None and r <= rank]
        tab.after = ranked[before[-1]][0] if before else None
        ranked.insert(before[-1] + 1 if before else 0, (tab.name, rank))


def insert_index(names: list[str], tab: TabLayout) -> int | None:
    """Where among `names` (a workbook's tabs, in order) the new tab goes: after `tab.after`, else just before the
    Org tab; None: at the end."""
    if tab.after in names:
        return names.index(tab.after) + 1
    org = [i for i, name in enumerate(names) if name in {catalog.tab_name("org", lang) for lang in catalog.LANGS}]
    return org[0] if org else None
