"""A tab added to a workbook that exists goes where a new workbook has it: a team's check-in tab after the last
team's (before the organisation's and the KPI tabs), a people table in its template place; people's own tabs
stay where they are. The rule (`sync/layout/placement.py`), then a sync on each backend that lays out a team
typed into Settings and the tables a workbook made before them lacks, all in one go.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.layout.build import Layout, checkin_tab, org_checkin_tab, org_checkin_tab_name
from sync.layout.demo import AS_OF
from sync.layout.placement import insert_index, place_new_tabs
from sync.layout.tables import table_tab
from sync.template import catalog
from tests.builders import workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend

LANGS = ["fr", "en"]
#: The tabs a new workbook of two teams has, in its order, by key ("checkins:X" for team X's check-in tab).
NEW_WORKBOOK = ["readme", "settings", "goals", "okrs", "initiatives", "checkins:Marketing", "checkins:Ventes",
                "checkins:org", "kpis", "kpi_readings", "org", "history", "lists"]


def names(keys: list[str], lang: str) -> list[str]:
    """The tabs' names in `lang`."""
    def name(key: str) -> str:
        if key == "checkins:org":
            return org_checkin_tab_name(lang)
        if key.startswith("checkins:"):
            return catalog.checkin_tab_name(key.split(":", 1)[1], lang)
        return catalog.tab_name(key, lang)
    return [name(k) for k in keys]


def test_a_new_workbook_has_its_tabs_in_the_order_the_rule_follows() -> None:
    for lang in LANGS:
        assert [t.name for t in workbook_layout([], lang=lang).tabs] == names(NEW_WORKBOOK, lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("missing", "after"), [
    ("checkins:Ventes", "checkins:Marketing"),  # a team's tab before the organisation's, not before Org
    ("checkins:org", "checkins:Ventes"),
    ("goals", "settings"),
    ("initiatives", "okrs"),
    ("kpis", "checkins:org"),
    ("kpi_readings", "kpis"),
])
def test_a_missing_tab_goes_after_the_tab_a_new_workbook_has_before_it(missing: str, after: str, lang: str) -> None:
    order = names([k for k in NEW_WORKBOOK if k != missing], lang)
    [tab] = tabs_for([missing], lang)
    place_new_tabs([tab], order)
    assert tab.after == names([after], lang)[0]
    assert insert_index(order, tab) == order.index(tab.after) + 1


def tabs_for(keys: list[str], lang: str) -> list:
    """The layouts of the tabs `keys` names, as a sync lays them out."""
    out = []
    for key in keys:
        if key == "checkins:org":
            out.append(org_checkin_tab(lang))
        elif key.startswith("checkins:"):
            out.append(checkin_tab(key.split(":", 1)[1], 2, lang))
        else:
            out.append(table_tab(key, lang))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_several_new_tabs_follow_one_another_and_peoples_own_tabs_stay_put(lang: str) -> None:
    own = "Mes notes"
    order = [*names(["readme", "settings", "okrs", "checkins:Marketing"], lang), own,
             *names(["org", "history", "lists"], lang)]
    tabs = tabs_for(["checkins:Ventes", "checkins:org", "initiatives", "kpis", "kpi_readings", "goals"], lang)
    place_new_tabs(tabs, order)
    assert [t.after for t in tabs] == names(
        ["checkins:Marketing", "checkins:Ventes", "okrs", "checkins:org", "kpis", "settings"], lang)
    # Rendered in that order, each after the one it names: the new workbook's order, the person's tab kept.
    for tab in tabs:
        order.insert(insert_index(order, tab) or len(order), tab.name)
    assert [n for n in order if n != own] == names(NEW_WORKBOOK, lang)
    assert order[order.index(own) + 1] == catalog.tab_name("org", lang)  # the new tabs went in before it


def test_a_check_in_tab_named_in_settings_counts_as_one_whatever_its_name() -> None:
    order = ["Réglages", "OKR", "Suivi Marketing", "Org"]
    [tab] = tabs_for(["checkins:Ventes"], "fr")
    place_new_tabs([tab], order, checkin_tabs=["Suivi Marketing"])
    assert tab.after == "Suivi Marketing"


def test_a_tab_whose_neighbours_were_renamed_goes_before_org() -> None:
    [tab] = tabs_for(["checkins:Ventes"], "fr")
    place_new_tabs([tab], ["Mes notes", "Org"])
    assert tab.after is None and insert_index(["Mes notes", "Org"], tab) == 1


# The backends: a team typed into Settings and the tables of an older workbook, laid out by one sync.


def older_workbook(lang: str) -> Layout:
    """Two teams' workbook made before the people tables, a third team typed into Settings with no tab yet."""
    layout = workbook_layout([], lang=lang)
    layout.tabs = [t for t in layout.tabs if t.key not in catalog.table_keys()]
    next(t for t in layout.tabs if t.key == "settings").grid.append(["Finance", "Léa"])
    return layout


def expected_after_sync(lang: str) -> list[str]:
    keys = [*NEW_WORKBOOK]
    keys.insert(keys.index("checkins:org"), "checkins:Finance")
    return names(keys, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_on_xlsx_a_sync_lays_out_each_missing_tab_in_its_place(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "old.xlsx"
    XlsxBackend(path, lang=lang).provision(older_workbook(lang))
    run_sync(XlsxBackend(path, lang=lang), AS_OF)
    assert openpyxl.load_workbook(path).sheetnames == expected_after_sync(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_on_google_a_sync_lays_out_each_missing_tab_in_its_place(google_fake: FakeGoogle, lang: str) -> None:
    sid = provision(google_fake, compact(older_workbook(lang), 60, history=200))
    run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert google_fake.book(sid).titles() == expected_after_sync(lang)
    assert google_fake.take_errors() == []
