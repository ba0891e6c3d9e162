"""Annual goals end to end: the goals tab on a real .xlsx file and on the Google fake, in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.layout.build import Layout
from sync.layout.demo import AS_OF, demo_layout
from sync.model import Percent
from sync.template import catalog
from tests.builders import workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import sync_on
from tests.test_annual_goals import INPUTS, MONEY, clients_goal, okr_rows, revenue_goal

LANGS = ["fr", "en"]
KEYS = [c.key for c in catalog.columns("goals", "fr")]
NOTES_COL = [c.key for c in catalog.columns("okrs", "fr")].index("notes")


def layout_with_goals(lang: str, goals: list[dict[str, Any]], goal_named: str = "OA1") -> Layout:
    """The small workbook of the unit tests, with these rows typed into its goals tab."""
    okrs, checkins = okr_rows(goal_named)
    layout = workbook_layout(okrs, checkins, lang=lang, teams=("Marketing", "Ventes"))
    tab = next(t for t in layout.tabs if t.key == "goals")
    tab.grid += [[row[k] for k in INPUTS] for row in goals]
    return layout




def goal_rows(backend: Any, lang: str) -> list[dict[str, Any]]:
    """The goals tab's rows as the backend holds them now, by column key."""
    grid = backend.read().tabs[catalog.tab_name("goals", lang)].grid
    return [dict(zip(KEYS, line + [None] * (len(KEYS) - len(line)), strict=True)) for line in grid[1:]]


@pytest.mark.parametrize("kind", ["xlsx", "google"])
@pytest.mark.parametrize("lang", LANGS)
def test_the_sheet_shows_the_realistic_target_and_each_goals_progress(
        kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    layout = layout_with_goals(lang, [clients_goal(lang), revenue_goal(lang, actual=MONEY[lang]["typed"])])

    report, backend = sync_on(kind, layout, tmp_path, google_fake)

    clients, revenue = goal_rows(backend, lang)
    realistic = {"fr": "Objectif réaliste : 70 clients", "en": "Realistic target: 70 clients"}[lang]
    assert str(clients["validation"]).startswith(realistic)
    assert clients["current"] == 11 and clients["status"] == catalog.word("status", "green", lang)
    assert float(clients["progress_quarter"]) == 0.44 and isinstance(clients["progress_quarter"], Percent)
    assert revenue["current"] == 2060000 and float(revenue["progress_year"]) == 0.06
    assert not revenue["validation"]
    # Typed cells stay as typed.
    assert clients["unit_cost"] == MONEY[lang]["cost"] and revenue["q1"] == MONEY[lang]["K"].format(150)
    assert [(g["id"], g["feasible"], g["realistic_target"]) for g in report["annual_goals"]] == [
        ("OA1", False, 70), ("OA2", None, None)]
    [problem] = [p for p in report["problems"] if p["code"] == "goal_unfeasible"]
    assert (problem["tab"], problem["row"]) == (catalog.tab_name("goals", lang), 2)


@pytest.mark.parametrize("kind", ["xlsx", "google"])
@pytest.mark.parametrize("lang", LANGS)
def test_milestones_that_do_not_add_up_are_said_in_the_row(
        kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    row = revenue_goal(lang, q4=MONEY[lang]["K"].format(200), actual=MONEY[lang]["typed"])
    report, backend = sync_on(kind, layout_with_goals(lang, [row]), tmp_path, google_fake)

    [problem] = [p for p in report["problems"] if p["code"] == "milestones_sum"]
    [sheet_row] = goal_rows(backend, lang)
    assert sheet_row["validation"] == problem["message"]


@pytest.mark.parametrize("lang", LANGS)
def test_an_objective_naming_an_unknown_goal_says_so_in_its_notes(lang: str, tmp_path: Path) -> None:
    _, backend = sync_on("xlsx", layout_with_goals(lang, [clients_goal(lang)], goal_named="OA9"), tmp_path, None)

    grid = backend.read().tabs[catalog.tab_name("okrs", lang)].grid
    note = catalog.message("okr.unknown_annual_goal", lang, goal="OA9", tab=catalog.tab_name("goals", lang))
    assert note in str(grid[1][NOTES_COL])


@pytest.mark.parametrize("lang", LANGS)
def test_a_second_sync_of_an_unchanged_workbook_writes_nothing(lang: str, tmp_path: Path) -> None:
    layout = layout_with_goals(lang, [clients_goal(lang), revenue_goal(lang, actual=MONEY[lang]["typed"])])
    _, backend = sync_on("xlsx", layout, tmp_path, None)

    again = run_sync(backend, AS_OF)

    assert again["writes"]["cells"] == 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_demo_tells_its_goals_story(lang: str) -> None:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout(lang))

    report = run_sync(backend, AS_OF)

    goals = {g["id"]: g for g in report["annual_goals"]}
    first, second = {"fr": ("OA1", "OA2"), "en": ("AG1", "AG2")}[lang]
    assert (goals[first]["current"], goals[first]["realistic_target"], goals[first]["status"]) == (11, 70, "green")
    assert (goals[second]["current"], goals[second]["status"]) == (2050000, "yellow")
    org = backend.read().tabs[catalog.tab_name("org", lang)].grid
    heading = catalog.message("org.goals", lang)
    at = next(i for i, line in enumerate(org) if line and line[0] == heading)
    assert org[at + 2][0].startswith(f"{first} — ")


@pytest.mark.parametrize("lang", LANGS)
def test_on_xlsx_the_goals_tab_comes_before_the_okrs_with_its_dropdowns(lang: str, tmp_path: Path) -> None:
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path, lang=lang).provision(layout_with_goals(lang, [clients_goal(lang)]))
    book = openpyxl.load_workbook(path)
    goals, okrs = catalog.tab_name("goals", lang), catalog.tab_name("okrs", lang)
    assert book.sheetnames.index(goals) + 1 == book.sheetnames.index(okrs)
    names = {n: str(d.attr_text) for n, d in book.defined_names.items()}

    def sources(tab: str) -> list[str]:
        return [names.get(str(dv.formula1), str(dv.formula1)) for dv in book[tab].data_validations.dataValidation]

    lists = catalog.tab_name("lists", lang)
    assert any(lists in s and s.endswith("!$A$2:$A$200") for s in sources(goals))  # the teams, for the department
    assert any(catalog.word("commitment", "aspirational", lang) in s for s in sources(goals))
    assert any(goals in s and s.endswith("!$A$2:$A$500") for s in sources(okrs))  # an objective's annual goal


@pytest.mark.parametrize("lang", LANGS)
def test_a_workbook_made_before_annual_goals_gets_the_tab_at_its_next_sync(lang: str, tmp_path: Path) -> None:
    okrs, checkins = okr_rows(goal_named="")
    laid = workbook_layout(okrs, checkins, lang=lang)
    laid.tabs = [t for t in laid.tabs if t.key != "goals"]
    path = tmp_path / "old.xlsx"
    XlsxBackend(path, lang=lang).provision(laid)

    report = run_sync(XlsxBackend(path, lang=lang), AS_OF)

    book = openpyxl.load_workbook(path)
    assert [c.value for c in book[catalog.tab_name("goals", lang)][1]] == [c.label for c in
                                                                         catalog.columns("goals", lang)]
    assert report["annual_goals"] == []
    assert run_sync(XlsxBackend(path, lang=lang), AS_OF)["writes"]["cells"] == 0


CELL = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
                 st.sampled_from(["OA1", "+150 K$", "2 845 $", "150 K$?", "Engagé", "Ventes", "0"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=len(INPUTS), max_size=len(INPUTS)), min_size=1, max_size=4), CELL,
       st.sampled_from(LANGS))
def test_any_text_in_any_cell_gives_messages_and_never_touches_a_persons_cell(
        rows: list[list[Any]], named: Any, lang: str) -> None:
    okrs, checkins = okr_rows()
    okrs[0]["annual_goal"] = named  # whatever an objective names
    layout = workbook_layout(okrs, checkins, lang=lang)
    next(t for t in layout.tabs if t.key == "goals").grid += [list(line) for line in rows]
    backend = MemoryBackend("test")
    backend.provision(layout)
    name = catalog.tab_name("goals", lang)
    typed = [line[:len(INPUTS)] for line in backend.tabs[name]]

    report = run_sync(backend, AS_OF)

    assert [line[:len(INPUTS)] for line in backend.tabs[name]] == typed
    assert all(p["code"] and p["message"] for p in report["problems"])
    assert len(report["annual_goals"]) <= len(rows)
