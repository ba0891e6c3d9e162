"""Bad input at scale: whole workbooks typed wrong, through every entry point.

Hypothesis starts from the demo and mutates it as people do: any value in any cell of any tab (text, numbers,
dates, emoji, formula errors), empty rows in the middle, rows deleted, headers blanked, renamed or duplicated,
extra columns, tabs renamed, deleted or added. Whatever it makes, through the engine in memory, `okrsync sync`
on an .xlsx, the API on a registered local .xlsx, and the add-on's endpoint:
- no exception escapes: a failure is an OkrsyncError, one sentence at the CLI, a 4xx JSON answer at the API;
- every problem reported has a snake_case code and a message;
- no cell a person owns changes (only computed columns and the service's own tabs are written).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.gsheets_values import api_value
from sync.backends.memory import MemoryBackend, put
from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import run_sync
from sync.errors import OkrsyncError
from sync.layout.build import Layout, TabLayout, org_checkin_tab_name
from sync.layout.demo import AS_OF, demo_layout
from sync.model import CellValue, Percent
from sync.template import catalog
from tests.addon_support import apply_plan_json, snapshot_json
from tests.service_support import make_app

LANGS = ("fr", "en")
CODE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
FORMULA_ERRORS = ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#ERROR!", "#SPILL!"]
LOOKALIKES = ["🟢", "🟡", "🔴", "vert", "Yellow", "50 %", "120%", "-5", "1 200,5", "1,200.5", "fait", "done",
              "2025-T1", "2025-Q5", "31/02/2025", "2025-02-10", "10 févr. 2025", "Objectif", "Increase", "Réduire",
              "MKT-KR1", "VEN-KR2", "SAL-KR9", "Organisation", "Marketing", "   ", "0", "∞", "NaN", "1e308"]


def _typable(text: str) -> bool:
    """Text a person can type in a cell: no control characters (neither Sheets nor Excel keeps them), no formula."""
    return not text.startswith("=") and all(unicodedata.category(ch) not in ("Cc", "Cs") for ch in text)


TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=24).filter(_typable)
EMOJI = st.sampled_from(["🚀", "✓", "👍🏽", "🇨🇭", "🟢🟢", "é́", "日本語", "‮rtl", "\u00a0", "ﬁ"])
CELL: st.SearchStrategy[CellValue] = st.one_of(
    st.none(),
    TEXT,
    EMOJI,
    st.sampled_from(FORMULA_ERRORS),
    st.sampled_from(LOOKALIKES),
    st.integers(-10**9, 10**9),
    st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
    st.booleans(),
    st.floats(-2, 2, allow_nan=False).map(Percent),
)

#: A mutation: ("set", tab, row, col, value), ("edit", input tab, data row, input column, value),
#: ("blank_row", tab, row), ("delete_row", tab, row),
#: ("copy_header", tab, from_col, to_col), ("rename", tab, how), ("drop", tab), ("extra", name, grid).
SET = st.tuples(st.just("set"), st.integers(0, 20), st.integers(1, 30), st.integers(1, 14), CELL)
#: An edit of a cell people type into, on a row they filled: OKR, check-in or Settings values.
EDIT = st.tuples(st.just("edit"), st.integers(0, 20), st.integers(0, 40), st.integers(0, 9), CELL)
MUTATION = st.one_of(
    EDIT, EDIT, EDIT, EDIT, SET, SET,  # cell edits are most of what people do
    st.tuples(st.just("set"), st.integers(0, 20), st.just(1), st.integers(1, 14), CELL),  # headers
    st.tuples(st.just("blank_row"), st.integers(0, 20), st.integers(1, 30)),
    st.tuples(st.just("delete_row"), st.integers(0, 20), st.integers(1, 30)),
    st.tuples(st.just("copy_header"), st.integers(0, 20), st.integers(1, 10), st.integers(1, 14)),
    st.tuples(st.just("rename"), st.integers(0, 20), st.sampled_from(["suffix", "upper", "lower", "other"])),
    st.tuples(st.just("drop"), st.integers(0, 20)),
    st.tuples(st.just("extra"), st.sampled_from(["Notes", "Feuille 1", "Sheet2", "Check-ins Autre"]),
              st.lists(st.lists(CELL, max_size=6), max_size=5)),
)


def mutate(layout: Layout, mutations: list[tuple[Any, ...]]) -> Layout:
    """The layout with people's edits applied to its grids and tabs (formats stay where provisioning put them)."""
    tabs = layout.tabs
    for op, *args in mutations:
        if not tabs and op != "extra":
            continue
        tab = tabs[args[0] % len(tabs)] if op != "extra" else None
        if op == "set":
            assert tab is not None
            put(tab.grid, args[1], args[2], args[3])
        elif op == "edit":
            inputs = [t for t in tabs if t.key in ("okrs", "settings") or t.key.startswith("checkins:")]
            if inputs:
                tab = inputs[args[0] % len(inputs)]
                width = 2 if tab.key == "settings" else 10 if tab.key == "okrs" else 5
                put(tab.grid, 2 + args[1] % max(1, len(tab.grid) - 1), 1 + args[2] % width, args[3])
        elif op == "blank_row" and tab is not None:
            tab.grid.insert(min(args[1], len(tab.grid)), [])
        elif op == "delete_row" and tab is not None and args[1] <= len(tab.grid):
            del tab.grid[args[1] - 1]
        elif op == "copy_header" and tab is not None and tab.grid and args[1] <= len(tab.grid[0]):
            put(tab.grid, 1, args[2], tab.grid[0][args[1] - 1])
        elif op == "rename" and tab is not None:
            new = {"suffix": f"{tab.name} (2)", "upper": tab.name.upper(), "lower": tab.name.lower(),
                   "other": "Onglet" if layout.lang == "fr" else "Tab"}[args[1]][:31]
            if all(new.casefold() != t.name.casefold() for t in tabs if t is not tab):
                tab.name = new
        elif op == "drop" and tab is not None:
            tabs.remove(tab)
        elif op == "extra" and all(args[0].casefold() != t.name.casefold() for t in tabs):
            tabs.append(TabLayout(key=f"extra:{args[0]}", name=args[0], grid=copy.deepcopy(args[1]), widths=[]))
    return layout


@st.composite
def workbooks(draw: st.DrawFn, max_mutations: int = 12) -> Layout:
    """The demo in either language, mutated."""
    return mutate(demo_layout(draw(st.sampled_from(LANGS))), draw(st.lists(MUTATION, max_size=max_mutations)))


# -- what must hold whatever the input -------------------------------------------------------------------

SERVICE_TABS = {catalog.tab_name(key, lang) for key in ("org", "history", "lists") for lang in LANGS}


def _label(value: Any) -> str:
    return "" if value is None else str(value).strip().casefold()


def people_cells(tabs: dict[str, list[list[Any]]], lang: str, blank: Any = None) -> dict[tuple[str, int, int], Any]:
    """Every cell people own, by (tab, row, col): all of their tabs but the columns headed as computed ones.

    Computed columns are found by their header, as the engine finds them: wherever people moved them.
    """
    # The OKR tab and the people tables by name; every other tab of people's is a check-in tab.
    kinds = {catalog.tab_name(key, lang): key for key in ("okrs", *catalog.table_keys())}
    computed = {
        kind: {c.label.casefold() for c in catalog.columns(kind, lang) if c.computed}
        for kind in ("checkins", *kinds.values())
    }
    cells = {}
    for name, grid in tabs.items():
        if name in SERVICE_TABS:
            continue
        header = [_label(v) for v in (grid[0] if grid else [])]
        skip = computed[kinds.get(name, "checkins")]
        for r, line in enumerate(grid, start=1):
            for c, value in enumerate(line, start=1):
                heading = header[c - 1] if c <= len(header) else ""
                if r > 1 and heading in skip:
                    continue
                if value != blank:
                    cells[(name, r, c)] = value
    return cells


def assert_problems_are_worded(report: dict[str, Any]) -> None:
    for problem in report["problems"]:
        assert CODE.match(problem["code"]), problem
        assert isinstance(problem["message"], str) and problem["message"].strip(), problem
        assert problem["severity"] in ("error", "warning") and isinstance(problem["tab"], str), problem


def assert_error_is_a_sentence(err: OkrsyncError) -> None:
    assert CODE.match(err.code) and str(err).strip() and "\n" not in str(err)


# -- the engine, in memory -------------------------------------------------------------------------------


def sync_in_memory_or_say_why(layout: Layout) -> None:
    """Sync the workbook in memory: a report with worded problems and people's cells untouched, or a sentence
    and nothing written."""
    backend = MemoryBackend("okr")
    backend.provision(layout)
    before = copy.deepcopy(backend.tabs)
    try:
        report = run_sync(backend, AS_OF)
    except OkrsyncError as err:
        assert_error_is_a_sentence(err)
        assert backend.tabs == before  # a refused sync wrote nothing
        return
    assert_problems_are_worded(report)
    # No tab lost; a tab made only for a people table the workbook lacked (a person renamed or deleted it: the
    # next sync lays it out again, and the renamed tab stays as it is).
    remade = {catalog.tab_name(key, layout.lang) for key in catalog.table_keys()} | {org_checkin_tab_name(layout.lang)}
    assert set(before) <= set(backend.tabs) and set(backend.tabs) - set(before) <= remade - set(before)
    kept = {name: grid for name, grid in backend.tabs.items() if name in before}
    assert people_cells(kept, layout.lang) == people_cells(before, layout.lang)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_any_workbook_syncs_in_memory_or_says_why_and_leaves_peoples_cells_alone(layout: Layout) -> None:
    sync_in_memory_or_say_why(layout)


# -- the add-on's endpoint ---------------------------------------------------------------------------------


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_any_workbook_posted_by_the_addon_gets_a_report_or_a_4xx_and_a_plan_that_spares_people(
        layout: Layout) -> None:
    backend = MemoryBackend("okr")
    backend.provision(layout)
    with tempfile.TemporaryDirectory() as tmp:
        client = make_app(Path(tmp), AUTH="off", LOOPBACK_ONLY=True).test_client()
        body = {"snapshot": snapshot_json(backend.read()), "write": True, "as_of": AS_OF.isoformat()}
        answer = client.post("/api/addon/sync", json=body)
    assert answer.status_code in (200, 400, 409, 413, 422), answer.get_data(as_text=True)[:500]
    if answer.status_code != 200:
        error = answer.json["error"]
        assert CODE.match(error["code"]) and error["message"].strip() and error["status"] == answer.status_code
        return
    assert_problems_are_worded(answer.json["report"])
    before = {name: [[api_value(v) for v in row] for row in grid] for name, grid in backend.tabs.items()}
    after = apply_plan_json(backend.tabs, answer.json["plan"])
    assert people_cells(after, layout.lang, blank="") == people_cells(before, layout.lang, blank="")


# -- a local .xlsx: `okrsync sync`, and the API in local mode ----------------------------------------------


def _file_cells(path: Path, lang: str) -> dict[tuple[str, int, int], Any]:
    snapshot = XlsxBackend(path).read()
    return people_cells({n: t.grid for n, t in snapshot.tabs.items()}, lang)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks(max_mutations=8))
def test_any_xlsx_workbook_syncs_through_the_cli_and_the_api_or_says_why_in_one_sentence(layout: Layout) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        path = data / "okr.xlsx"
        XlsxBackend(path).provision(layout)
        shutil.copy(path, data / "registered.xlsx")
        before = _file_cells(path, layout.lang)

        result = CliRunner().invoke(main, ["sync", str(path), "--json", "--as-of", AS_OF.isoformat()],
                                    env={"OKRSYNC_LANG": layout.lang})
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert "Traceback" not in result.output
        if result.exit_code == 0:
            assert_problems_are_worded(json.loads(result.output))
        else:
            lines = result.output.strip().splitlines()
            # The workbook's language, or the system's (the same here) when it does not say its own.
            prefix = {"fr": "Erreur : ", "en": "Error: "}[layout.lang]
            assert len(lines) == 1 and lines[0].startswith(prefix), result.output
        assert _file_cells(path, layout.lang) == before

        client = make_app(Path(tmp), AUTH="off", LOOPBACK_ONLY=True, MODE="local", DATA_DIR=str(data)).test_client()
        answer = client.post("/api/workbooks/register", json={"path": "registered.xlsx"})
        assert answer.status_code in (200, 201, 400, 409, 422), answer.get_data(as_text=True)[:500]
        if answer.status_code >= 400:
            error = answer.json["error"]
            assert CODE.match(error["code"]) and error["message"].strip()
        else:  # registering synced it: the run says how that went
            detail = answer.json
            assert detail["latest_run"]["outcome"] in ("ok", "failed"), detail
            assert detail["latest_run"]["outcome"] == "ok" or str(detail["latest_run"]["error"]).strip()
            if detail["latest_run"]["outcome"] == "ok":
                assert_problems_are_worded(detail["report"])
        assert _file_cells(data / "registered.xlsx", layout.lang) == before


# -- a few hand-picked workbooks every run tries, whatever Hypothesis draws ---------------------------------

MUTATIONS = {
    "every header blank": [("set", 2, 1, c, None) for c in range(1, 20)],
    "duplicated headers": [("copy_header", 3, 2, 3), ("copy_header", 2, 3, 5)],
    "empty rows in the middle": [("blank_row", 3, 5), ("blank_row", 3, 5), ("blank_row", 2, 4)],
    "formula errors everywhere": [("set", 3, r, c, "#REF!") for r in range(2, 8) for c in range(1, 6)],
    "no tab left but settings": [("drop", 0)] + [("drop", 1)] * 8,
    "check-in tab renamed": [("rename", 3, "upper")],
    "settings renamed": [("rename", 1, "suffix")],
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_known_bad_workbooks_sync_or_say_why(name: str) -> None:
    lang = LANGS[list(MUTATIONS).index(name) % 2]
    sync_in_memory_or_say_why(mutate(demo_layout(lang), MUTATIONS[name]))
