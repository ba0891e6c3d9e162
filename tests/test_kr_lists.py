"""A check-in tab's KR dropdown lists its team's KRs as soon as they are typed into the OKR tab, before any sync:
the hidden Lists tab computes itself (sync/layout/kr_lists.py), and the sync leaves it alone once its formulas are in.

The xlsx formulas are computed by LibreOffice, as a person opening the file would see them (`tests.libreoffice`).
Google's are checked for what the fake can check (it has no spreadsheet engine): where they are, what they
read, and the separator of the spreadsheet's locale.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils.cell import coordinate_to_tuple

from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import evaluate, run_sync, sync_evaluated
from sync.layout.build import Layout, Team, WorkbookSpec, build_layout
from sync.layout.kr_lists import NOTE_COL, ORG_LIST_COL, argument_separator, kept_by_formulas, list_column
from sync.model import Formula
from sync.template import catalog
from sync.wire.layout import layout_json
from sync.wire.plan import computed_columns, plan_json
from sync.wire.snapshot import read_snapshot
from tests.addon_support import snapshot_json
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend
from tests.libreoffice import computed, needs_libreoffice

LANGS = ["fr", "en"]
AS_OF = "2025-02-14"
TEAMS = ("Ventes", "R&D \"Nord\"", "L'atelier")


def _type(lang: str, key: str) -> str:
    return catalog.word("kr_types", key, lang)


def typed_rows(lang: str) -> list[list[Any]]:
    """OKR rows as people type them, with what must be listed and what must not."""
    org = catalog.org_word(lang)
    return [
        ["ORG-O1", org, _type(lang, "objective"), "Grow"],
        ["ORG-KR1", org, _type(lang, "increase"), "Leads"],
        ["ORG-KR2", " acme ", _type(lang, "milestone"), "By the organisation's name, spaced, lower case"],
        ["V-O1", "Ventes", _type(lang, "objective"), "Sell"],
        ["V-KR1", "Ventes", _type(lang, "increase"), "Deals"],
        ["V-KR2", "  VENTES ", _type(lang, "at_least").upper(), "Case and spaces do not matter"],
        ["N-KR1", "R&D \"Nord\"", _type(lang, "decrease"), "Quotes in a team name"],
        ["A-KR1", "L'atelier", "Jalon" if lang == "en" else "Milestone", "A type in the other language"],
        ["X-KR1", "", _type(lang, "increase"), "No team: nobody's"],
        [None, "Ventes", _type(lang, "increase"), "No ID: not listed"],
        ["V-KR9", "Ventes", "Bidule", "Not a KR type: not listed"],
        ["Z-KR1", "Zeta", _type(lang, "increase"), "A team Settings does not have (yet)"],
        ["V-KR3", "Ventes", _type(lang, "at_most"), "Last"],
    ]


EXPECTED = {"Ventes": ["V-KR1", "V-KR2", "V-KR3"], "R&D \"Nord\"": ["N-KR1"], "L'atelier": ["A-KR1"],
            "Zeta": ["Z-KR1"], "ORG": ["ORG-KR1", "ORG-KR2"]}


def layout(lang: str, locale: str | None = None) -> Layout:
    return build_layout(WorkbookSpec("Acme", lang, "2025-Q1", [Team(t) for t in TEAMS], locale=locale))


def typed_file(tmp_path: Path, lang: str) -> Path:
    """A new workbook file with the OKR rows and team Zeta typed in, never synced."""
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path, lang=lang).provision(layout(lang))
    type_into_xlsx(path, lang)
    return path


def type_into_xlsx(path: Path, lang: str) -> None:
    """A person types the OKR rows, and a team Zeta into Settings, in the file; no sync."""
    book = openpyxl.load_workbook(path)
    okrs = book[catalog.tab_name("okrs", lang)]
    for r, line in enumerate(typed_rows(lang), start=2):
        for c, value in enumerate(line, start=1):
            okrs.cell(r, c).value = value
    settings = book[catalog.tab_name("settings", lang)]
    last = max(r for r in range(1, settings.max_row + 1) if settings.cell(r, 1).value in TEAMS)
    settings.cell(last + 1, 1).value = "Zeta"
    book.save(path)


def dropdown_lists(path: Path, computed_book: openpyxl.Workbook, lang: str) -> dict[str, list[Any]]:
    """For each check-in tab of the file: the KR IDs its KR dropdown offers, as LibreOffice computes them."""
    book = openpyxl.load_workbook(path)
    names = {n: str(d.attr_text) for n, d in book.defined_names.items()}
    lists = computed_book[catalog.tab_name("lists", lang)]
    prefix = catalog.template()["tabs"]["checkins"]["name_prefix"][lang]
    offered: dict[str, list[Any]] = {}
    for ws in book.worksheets:
        if not ws.title.startswith(prefix):
            continue
        [kr_list] = [dv for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("B2")]
        source = names.get(kr_list.formula1, kr_list.formula1)
        first, last = (coordinate_to_tuple(c) for c in source.split("!")[1].replace("$", "").split(":"))
        values = [lists.cell(r, first[1]).value for r in range(first[0], last[0] + 1)]
        team = ws.title[len(prefix):]
        offered["ORG" if team == catalog.org_word(lang) else team] = [v for v in values if v not in (None, "")]
    return offered


@needs_libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_a_kr_typed_into_the_okr_tab_is_in_its_teams_dropdown_before_any_sync(tmp_path: Path, lang: str) -> None:
    path = typed_file(tmp_path, lang)
    book = computed(path, tmp_path / "computed")
    offered = dropdown_lists(path, book, lang)
    assert offered == {team: ids for team, ids in EXPECTED.items() if team != "Zeta"}
    # The OKR tab's Team dropdown offers the organisation, then every team of Settings, Zeta included.
    lists = book[catalog.tab_name("lists", lang)]
    teams = [lists.cell(r, 1).value for r in range(2, 8)]
    assert [t for t in teams if t] == [catalog.org_word(lang), *TEAMS, "Zeta"]


@needs_libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_the_sync_leaves_the_lists_alone_and_a_team_typed_into_settings_gets_its_list(
        tmp_path: Path, lang: str) -> None:
    path = typed_file(tmp_path, lang)
    before = _formulas(path, catalog.tab_name("lists", lang))
    _report, ev = sync_evaluated(XlsxBackend(path, lang=lang), _date(AS_OF))
    assert catalog.tab_name("lists", lang) not in ev.plan.tabs
    assert _formulas(path, catalog.tab_name("lists", lang)) == before
    # Zeta got its check-in tab at this sync; its dropdown reads Zeta's list.
    offered = dropdown_lists(path, computed(path, tmp_path / "computed"), lang)
    assert offered == EXPECTED


@needs_libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_a_team_added_with_the_cli_reads_its_own_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      lang: str) -> None:
    path = typed_file(tmp_path, lang)
    monkeypatch.setenv("OKRSYNC_LANG", lang)
    result = CliRunner().invoke(main, ["add-team", str(path), "Omega"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(path)
    okrs = book[catalog.tab_name("okrs", lang)]
    okrs.append(["O-KR1", "Omega", _type(lang, "increase"), "Typed after the team was added"])
    book.save(path)
    offered = dropdown_lists(path, computed(path, tmp_path / "computed"), lang)
    assert offered["Omega"] == ["O-KR1"]
    assert offered["Ventes"] == EXPECTED["Ventes"]


@needs_libreoffice
@pytest.mark.parametrize("lang", LANGS)
def test_a_workbook_made_before_the_formulas_gets_them_at_its_next_sync_once(tmp_path: Path, lang: str) -> None:
    path = typed_file(tmp_path, lang)
    _old_style_lists(path, lang)
    name = catalog.tab_name("lists", lang)
    assert name in sync_evaluated(XlsxBackend(path, lang=lang), _date(AS_OF))[1].plan.tabs
    assert name not in sync_evaluated(XlsxBackend(path, lang=lang), _date(AS_OF))[1].plan.tabs
    offered = dropdown_lists(path, computed(path, tmp_path / "computed"), lang)
    assert offered == EXPECTED


# In memory: the layout and what a sync plans.


@pytest.mark.parametrize("lang", LANGS)
def test_every_check_in_tab_reads_the_column_whose_header_is_its_team(lang: str) -> None:
    laid = layout(lang)
    lists = next(t for t in laid.tabs if t.key == "lists")
    settings = catalog.tab_name("settings", lang)
    for slot, team in enumerate(TEAMS, start=1):
        tab = next(t for t in laid.tabs if t.name == catalog.checkin_tab_name(team, lang))
        [kr_list] = [d for d in tab.dropdowns if d.source_tab]
        header = lists.grid[0][kr_list.source.first_col - 1]
        settings_row = next(r for r, line in enumerate(_settings(laid, lang), start=1) if line and line[0] == team)
        assert kr_list.source.first_col == list_column(slot)
        assert isinstance(header, Formula) and header.sheets == header.xlsx
        assert header.xlsx == f"TRIM('{settings.replace(chr(39), chr(39) * 2)}'!$A${settings_row}&\"\")"
    org_tab = next(t for t in laid.tabs if t.name == catalog.checkin_tab_name(catalog.org_word(lang), lang))
    assert [d.source.first_col for d in org_tab.dropdowns if d.source] == [ORG_LIST_COL]
    assert lists.grid[0][ORG_LIST_COL - 1] == catalog.org_word(lang)
    assert lists.grid[0][NOTE_COL - 1] == catalog.message("layout.lists_note", lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_sync_in_memory_plans_nothing_for_the_lists_tab_that_computes_itself(lang: str) -> None:
    backend = MemoryBackend("test")
    backend.provision(layout(lang))
    _report, ev = sync_evaluated(backend, _date(AS_OF))
    assert catalog.tab_name("lists", lang) not in ev.plan.tabs
    assert kept_by_formulas(backend.read().tabs[catalog.tab_name("lists", lang)])


@pytest.mark.parametrize(("locale", "separator"), [
    ("fr_CA", ";"), ("fr_FR", ";"), ("de_DE", ";"), ("en_US", ","), ("en_CA", ","), ("en_GB", ","),
    ("pt_BR", ";"), (None, ","), ("xx_NOWHERE", ","), ("", ","),
])
def test_sheets_formulas_separate_arguments_as_the_spreadsheet_locale_does(locale: str | None,
                                                                           separator: str) -> None:
    assert argument_separator(locale) == separator


# On Google.


@pytest.mark.parametrize(("lang", "locale", "separator"), [("fr", "fr_CA", ";"), ("en", "en_US", ",")])
def test_google_lists_are_formulas_in_the_locales_syntax_and_a_sync_leaves_them(
        google_fake: FakeGoogle, lang: str, locale: str, separator: str) -> None:
    spreadsheet_id = provision(google_fake, compact(layout(lang, locale)))
    lists = google_fake.sheet(spreadsheet_id, catalog.tab_name("lists", lang))
    formulas = {key: cell["userEnteredValue"]["formulaValue"] for key, cell in lists.cells.items()
                if "formulaValue" in cell.get("userEnteredValue", {})}
    okr = catalog.tab_name("okrs", lang)
    # One FILTER at the top of each list (30 teams and the organisation), the teams in A3, a header per team.
    tops = {key: f for key, f in formulas.items() if key[0] == 1}
    assert len(tops) == 31 and all(f.startswith(f"=IFERROR(FILTER('{okr}'!$A$2:$A{separator}") for f in tops.values())
    assert formulas[(2, 0)].startswith("=IFERROR(FILTER(") and separator in formulas[(2, 0)]
    assert len([key for key in formulas if key[0] == 0]) == 30
    assert len(formulas) == 62  # nothing in the cells the FILTERs fill
    other = "," if separator == ";" else ";"
    assert not any(other in _outside_quotes(f) for f in formulas.values())

    backend = sync_backend(google_fake, spreadsheet_id, lang)
    run_sync(backend, _date(AS_OF))
    written = [r.body for r in google_fake.exchanges if not r.is_read]
    assert not any(lists.sheet_id == item.get("dataFilter", {}).get("gridRange", {}).get("sheetId")
                   for body in written for item in body.get("data", []))
    assert {key: cell["userEnteredValue"]["formulaValue"] for key, cell in lists.cells.items()
            if "formulaValue" in cell.get("userEnteredValue", {})} == formulas


@pytest.mark.parametrize("lang", LANGS)
def test_a_google_workbook_made_before_the_formulas_gets_them_once(google_fake: FakeGoogle, lang: str) -> None:
    spreadsheet_id = provision(google_fake, compact(layout(lang, "fr_CA")))
    lists = catalog.tab_name("lists", lang)
    # The Lists tab as syncs used to write it: values only.
    for cell in google_fake.sheet(spreadsheet_id, lists).cells.values():
        cell.pop("userEnteredValue", None)
    google_fake.set_values(spreadsheet_id, f"'{lists}'!A1", [["Teams", "Ventes"], ["Organisation", "V-KR1"]])
    first = run_sync(sync_backend(google_fake, spreadsheet_id, lang), _date(AS_OF))
    assert first["writes"]["api_calls"] == {"read": 1, "write": 2}  # the formulas go in with a batchUpdate, once
    sheet = google_fake.sheet(spreadsheet_id, lists)
    assert sheet.cells[(0, NOTE_COL - 1)]["userEnteredValue"]["stringValue"] == catalog.message(
        "layout.lists_note", lang)
    assert sheet.cells[(1, 1)]["userEnteredValue"]["formulaValue"].startswith("=IFERROR(FILTER(")
    assert "userEnteredValue" not in sheet.cells.get((2, 1), {})  # the old value below the FILTER is gone
    second = run_sync(sync_backend(google_fake, spreadsheet_id, lang), _date(AS_OF))
    assert second["writes"]["api_calls"] == {"read": 1, "write": 0}


# The add-on renders the same formulas.


def test_the_addon_layout_carries_the_lists_formulas_in_sheets_syntax() -> None:
    data = layout_json(layout("fr", "fr_CA"))
    [lists] = [t for t in data["tabs"] if t["key"] == "lists"]
    values = lists["values"]
    assert values[1][1]["formula"].startswith("=IFERROR(FILTER('OKR'!$A$2:$A;")
    assert values[2] == [{"formula": values[2][0]["formula"]}]  # A3's FILTER; B3 is filled by B2's
    assert values[0][1] == {"formula": "=TRIM('Réglages'!$A$15&\"\")"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_addon_plan_gives_an_old_lists_tab_its_formulas(lang: str) -> None:
    backend = MemoryBackend("addon")
    backend.provision(layout(lang, "fr_CA"))
    name = catalog.tab_name("lists", lang)
    backend.tabs[name] = [[catalog.template()["tabs"]["lists"]["teams_header"][lang], "Ventes"], ["Org", "V-KR1"]]
    snapshot, _ = read_snapshot(snapshot_json(backend.read()), lang)
    ev = evaluate(snapshot, "addon", _date(AS_OF))
    [lists] = [t for t in plan_json(ev.plan, snapshot, computed_columns(ev.workbook))["tabs"] if t["name"] == name]
    assert lists["values"][1][1]["formula"].startswith(f"=IFERROR(FILTER('{catalog.tab_name('okrs', lang)}'!$A$2:$A;")
    assert lists["values"][2][1] == ""  # the old value below the FILTER goes


def _outside_quotes(formula: str) -> str:
    """A formula without its string literals and quoted tab names."""
    out, quote = [], None
    for ch in formula:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        else:
            out.append(ch)
    return "".join(out)


def _settings(laid: Layout, lang: str) -> list[list[Any]]:
    return next(t.grid for t in laid.tabs if t.key == "settings")


def _formulas(path: Path, tab: str) -> dict[tuple[int, int], Any]:
    ws = openpyxl.load_workbook(path)[tab]
    return {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}


def _old_style_lists(path: Path, lang: str) -> None:
    """The file's Lists tab as syncs used to write it: values only, no note."""
    book = openpyxl.load_workbook(path)
    ws = book[catalog.tab_name("lists", lang)]
    for row in ws.iter_rows():
        for cell in row:
            cell.value = None
    for r, line in enumerate([[catalog.template()["tabs"]["lists"]["teams_header"][lang], *TEAMS],
                              [catalog.org_word(lang), "V-KR1"]], start=1):
        for c, value in enumerate(line, start=1):
            ws.cell(r, c).value = value
    book.save(path)


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
