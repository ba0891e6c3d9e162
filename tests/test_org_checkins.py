"""Every KR can be checked in: the organisation's own check-in tab, on every backend.

An organisation KR that no team KR feeds is checked in on `Check-ins Organisation`: new workbooks have the tab, an
older workbook gets it at its next sync, its KR dropdown lists the organisation's KRs, and validation takes
organisation KRs there (and refuses them elsewhere). An organisation KR with neither check-ins nor a feeding KR
says so in its Notes; no message ever sends people to a tab that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.layout.build import ORG_LIST_COL, Layout, Team, WorkbookSpec, build_layout, org_checkin_tab_name, org_word
from sync.layout.demo import AS_OF, demo_layout
from sync.template import catalog
from tests.builders import okr, workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import sync_backend, sync_on

LANGS = ["fr", "en"]
WEEK = dt.date(2025, 2, 10)
NOTES_COL = next(i for i, c in enumerate(catalog.columns("okrs", "en"), start=1) if c.key == "notes")


def org_okrs() -> list[dict[str, Any]]:
    """An organisation objective with two KRs: ORG-KR1 checked in on its own, ORG-KR2 fed by a team KR; and
    ORG-KR3, which nothing feeds and nobody checks in."""
    return [
        okr("ORG-O1", "ORG", "objective", "Win the manufacturing market"),
        okr("ORG-KR1", "ORG", "increase", "Sign 40 clients", start=0, target=40, unit="clients"),
        okr("ORG-KR2", "ORG", "increase", "Reach 200 leads", start=0, target=200, unit="leads"),
        okr("ORG-KR3", "ORG", "increase", "Publish 10 case studies", start=0, target=10, unit="cases"),
        okr("MKT-O1", "Marketing", "objective", "Be the reference", parent="ORG-O1"),
        okr("MKT-KR1", "Marketing", "increase", "Generate 200 leads", start=0, target=200, unit="leads",
            parent="ORG-KR2"),
        okr("MKT-KR2", "Marketing", "increase", "Run 8 webinars", start=0, target=8, unit="webinars"),
    ]


def org_layout(lang: str, org_rows: list[list[Any]] | None = None, team_rows: list[list[Any]] | None = None) -> Layout:
    """The small workbook above, with check-in rows typed on the organisation's tab and on Marketing's."""
    checkins = {"Marketing": team_rows or [[WEEK, "MKT-KR1", 50, "🟢"], [WEEK, "MKT-KR2", 2, "🟡"]]}
    if org_rows is not None:
        checkins[org_word(lang)] = org_rows
    return workbook_layout(org_okrs(), checkins, lang=lang, teams=("Marketing",))




def kr(report: dict[str, Any], kr_id: str) -> dict[str, Any]:
    return next(k for k in report["key_results"] if k["id"] == kr_id)


def problems_of(report: dict[str, Any], tab: str) -> list[dict[str, Any]]:
    return [p for p in report["problems"] if p["tab"] == tab]


# New workbooks.


@pytest.mark.parametrize("lang", LANGS)
def test_a_new_workbook_has_the_organisations_checkin_tab_reading_its_own_kr_list(lang: str) -> None:
    layout = build_layout(WorkbookSpec("Acme", lang, "2025-Q1", [Team("Marketing"), Team("Ventes")]))
    tab = next(t for t in layout.tabs if t.name == org_checkin_tab_name(lang))
    assert tab.name == "Check-ins Organisation"
    assert tab.grid == [[c.label for c in catalog.columns("checkins", lang)]]
    [kr_list] = [d for d in tab.dropdowns if d.source_tab]
    assert kr_list.source_tab == catalog.tab_name("lists", lang)
    assert (kr_list.source.first_col, kr_list.source.last_col) == (ORG_LIST_COL, ORG_LIST_COL)
    # Just after the teams' tabs, before the service tabs.
    names = [t.name for t in layout.tabs]
    assert names.index(tab.name) == names.index(catalog.checkin_tab_name("Ventes", lang)) + 1
    assert names.index(tab.name) < names.index(catalog.tab_name("org", lang))


# The organisation's KR dropdown lists its KRs as they are typed: tests/test_kr_lists.py, computed by LibreOffice.


# Checking in an organisation KR.


@pytest.mark.parametrize("kind", ["memory", "xlsx", "google"])
@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_kr_checked_in_on_the_organisation_tab_scores(
        kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    layout = org_layout(lang, [[WEEK, "ORG-KR1", 10, "🟢", "two big ones signed"]])
    report, _backend = sync_on(kind, layout, tmp_path, google_fake)
    assert problems_of(report, org_checkin_tab_name(lang)) == []
    assert kr(report, "ORG-KR1")["current"] == 10 and kr(report, "ORG-KR1")["progress"] == 0.25
    assert kr(report, "ORG-KR1")["status"] == "green"
    assert kr(report, "ORG-KR2")["current"] == 50  # fed by MKT-KR1, as before
    assert report["checkins"] == {"rows": 3, "valid": 3, "invalid": 0}


@pytest.mark.parametrize("lang", LANGS)
def test_the_organisation_tab_takes_krs_written_with_the_organisations_own_name(lang: str) -> None:
    layout = org_layout(lang, [[WEEK, "ORG-KR1", 20, "🟢"]])
    okrs = next(t for t in layout.tabs if t.key == "okrs")
    okrs.grid[2][1] = "Acme"  # ORG-KR1's team written as the organisation's name
    report, _backend = sync_on("memory", layout, Path("."), None)
    assert problems_of(report, org_checkin_tab_name(lang)) == []
    assert kr(report, "ORG-KR1")["progress"] == 0.5


@pytest.mark.parametrize("lang", LANGS)
def test_a_team_kr_on_the_organisation_tab_and_an_organisation_kr_on_a_team_tab_are_sent_to_their_tab(
        lang: str) -> None:
    layout = org_layout(lang, [[WEEK, "MKT-KR2", 3, "🟢"]],
                        team_rows=[[WEEK, "MKT-KR1", 50, "🟢"], [WEEK, "ORG-KR1", 5, "🟢"]])
    report, _backend = sync_on("memory", layout, Path("."), None)
    org_tab, team_tab = org_checkin_tab_name(lang), catalog.checkin_tab_name("Marketing", lang)
    [on_org] = problems_of(report, org_tab)
    assert on_org["code"] == "kr_other_team" and on_org["row"] == 2
    assert on_org["message"] == catalog.message("checkin.kr_other_team", lang, kr="MKT-KR2", owner_team="Marketing",
                                                tab=team_tab)
    [on_team] = problems_of(report, team_tab)
    assert on_team["code"] == "kr_other_team" and on_team["row"] == 3
    assert on_team["message"] == catalog.message("checkin.kr_other_team", lang, kr="ORG-KR1",
                                                 owner_team=org_word(lang), tab=org_tab)
    assert kr(report, "ORG-KR1")["status"] == "none" and kr(report, "MKT-KR2")["status"] == "none"


# Flagged when nothing tracks it.


@pytest.mark.parametrize("kind", ["memory", "xlsx"])
@pytest.mark.parametrize("lang", LANGS)
def test_an_organisation_kr_with_neither_checkins_nor_feeding_krs_is_flagged_in_its_notes(
        kind: str, lang: str, tmp_path: Path) -> None:
    layout = org_layout(lang, [[WEEK, "ORG-KR1", 10, "🟢"]])
    _report, backend = sync_on(kind, layout, tmp_path, None)
    okr_tab = catalog.tab_name("okrs", lang)
    if kind == "memory":
        notes = {r: (line[NOTES_COL - 1] if len(line) >= NOTES_COL else None)
                 for r, line in enumerate(backend.tabs[okr_tab], start=1)}
    else:
        ws = openpyxl.load_workbook(tmp_path / "okr.xlsx")[okr_tab]
        notes = {r: ws.cell(r, NOTES_COL).value for r in range(1, ws.max_row + 1)}
    expected = catalog.message("okr.org_kr_untracked", lang, tab=org_checkin_tab_name(lang))
    assert notes[5] == expected  # ORG-KR3: no check-in, nothing feeds it
    assert expected not in str(notes[3]) and expected not in str(notes[4])  # checked in; fed by MKT-KR1
    assert expected not in str(notes[8])  # a team KR is never told to use the organisation's tab


# Workbooks made before the organisation had its tab.


def without_org_tab(layout: Layout) -> Layout:
    layout.tabs = [t for t in layout.tabs if t.name != org_checkin_tab_name(layout.lang)]
    return layout


@pytest.mark.parametrize("kind", ["memory", "xlsx", "google"])
@pytest.mark.parametrize("lang", LANGS)
def test_an_older_workbook_gets_the_organisations_tab_at_its_next_sync_and_then_settles(
        kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    layout = without_org_tab(org_layout(lang))
    report, backend = sync_on(kind, layout, tmp_path, google_fake)
    name = org_checkin_tab_name(lang)
    # No message names the tab before it exists: the untracked KR's note names it once it does.
    assert report["checkins"]["rows"] == 2
    header = [c.label for c in catalog.columns("checkins", lang)]
    if kind == "memory":
        assert backend.tabs[name] == [header]
    elif kind == "xlsx":
        book = openpyxl.load_workbook(tmp_path / "okr.xlsx")
        assert [c.value for c in book[name][1]][: len(header)] == header
        # Where a new workbook has it: after the teams' check-in tabs, before the KPI tabs.
        at = book.sheetnames.index(name)
        assert book.sheetnames[at - 1:at + 2] == [
            catalog.checkin_tab_name("Marketing", lang), name, catalog.tab_name("kpis", lang)]
        kr_list = [dv for dv in book[name].data_validations.dataValidation if "B2" in str(dv.sqref)]
        assert len(kr_list) == 1
    else:
        sid = backend.spreadsheet_id
        assert google_fake.values(sid, name)[0][: len(header)] == header
        titles = google_fake.book(sid).titles()
        assert titles[titles.index(name) - 1:titles.index(name) + 2] == [
            catalog.checkin_tab_name("Marketing", lang), name, catalog.tab_name("kpis", lang)]
        rules = google_fake.validations(sid, name)
        assert rules["B2"]["condition"]["values"][0]["userEnteredValue"].endswith(f"!AF2:AF{200}")
        assert google_fake.take_errors() == []
    # Typed into, it counts at the next sync; a sync with nothing new writes nothing.
    if kind == "memory":
        backend.append_row(name, [WEEK, "ORG-KR3", 4, "🟡"])
        assert kr(run_sync(backend, AS_OF), "ORG-KR3")["progress"] == 0.4
        assert run_sync(backend, AS_OF)["writes"]["cells"] == 0
    elif kind == "google":
        again = sync_backend(google_fake, backend.spreadsheet_id, lang)
        assert run_sync(again, AS_OF)["writes"]["api_calls"]["write"] == 0
    else:
        assert run_sync(XlsxBackend(tmp_path / "okr.xlsx", lang=lang), AS_OF)["writes"]["cells"] == 0


# No message sends people to a tab that does not exist.


TAB_NAMED = re.compile(r"Check-ins [^«»\"]+?(?=\s*[»\"]| tab| :| \(|$|\.)")
#: Problems whose whole point is a tab that is gone: they name it as missing.
ABOUT_A_MISSING_TAB = {"missing_tab", "no_checkin_tabs"}


def varied_workbooks(lang: str) -> list[tuple[str, MemoryBackend]]:
    """Workbooks that tempt a message into naming a tab: deleted tabs, unknown teams, misplaced KRs."""
    out = []
    demo = MemoryBackend("demo")
    demo.provision(demo_layout(lang))
    out.append(("demo", demo))
    gone = MemoryBackend("gone")
    gone.provision(demo_layout(lang))
    del gone.tabs[catalog.checkin_tab_name("Marketing", lang)]
    out.append(("a team tab deleted", gone))
    for label, layout in (("older workbook", without_org_tab(org_layout(lang, None, [[WEEK, "ORG-KR1", 3, "🟢"]]))),
                          ("misplaced KRs", org_layout(lang, [[WEEK, "MKT-KR1", 3, "🟢"]],
                                                       [[WEEK, "ORG-KR1", 3, "🟢"]]))):
        backend = MemoryBackend(label)
        backend.provision(layout)
        out.append((label, backend))
    stray = MemoryBackend("stray")
    stray.provision(org_layout(lang, [], [[WEEK, "XYZ-KR1", 3, "🟢"]]))
    okrs = stray.tabs[catalog.tab_name("okrs", lang)]
    stray.append_row(catalog.tab_name("okrs", lang), ["XYZ-KR1", "Nowhere", catalog.word("kr_types", "increase", lang),
                                                      "Sign 5 partners", "Ana", 0, 5, "partners"])
    assert okrs[-1][0] == "XYZ-KR1"
    out.append(("a KR of a team not in Settings", stray))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_no_message_of_a_sync_names_a_tab_that_does_not_exist(lang: str) -> None:
    seen = 0
    for label, backend in varied_workbooks(lang):
        report = run_sync(backend, AS_OF)
        okr_tab = catalog.tab_name("okrs", lang)
        notes = [str(cell) for line in backend.tabs[okr_tab][1:] for cell in line[NOTES_COL - 1:NOTES_COL] if cell]
        messages = [p["message"] for p in report["problems"] if p["code"] not in ABOUT_A_MISSING_TAB] + notes
        for message in messages:
            for named in TAB_NAMED.findall(message):
                seen += 1
                assert named.strip() in backend.tabs, f"{label}: {message!r} names {named!r}"
    assert seen >= 4  # the walk did meet messages naming tabs
