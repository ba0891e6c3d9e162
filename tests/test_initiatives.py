"""Initiatives: the actions under each KR (owner, budget, deliverable, due date, state), checked in their row,
counted on the OKR tab, summed up on the Org tab and in the report; on memory, .xlsx and the Google fake, fr/en."""

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
from sync.template import catalog
from tests.builders import objective_with_krs, okr, workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend

LANGS = ["fr", "en"]
WEEK = dt.date(2025, 2, 14)


def state(key: str, lang: str) -> str:
    return catalog.word("initiative_states", key, lang)


def okrs() -> list[dict[str, Any]]:
    return [
        okr("ORG-O1", "ORG", "objective", "Grow"),
        okr("ORG-KR1", "ORG", "increase", "Generate 125 leads", start=0, target=125),
        *objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Generate 125 leads", start=0, target=125, parent="ORG-KR1"),
            okr("MKT-KR2", "Marketing", "increase", "Publish 12 case studies", start=0, target=12),
        ),
    ]


def layout_with(rows: list[list[Any]], lang: str) -> Layout:
    laid = workbook_layout(okrs(), lang=lang)
    next(t for t in laid.tabs if t.key == "initiatives").grid.extend(rows)
    return laid


def synced(rows: list[list[Any]], lang: str) -> tuple[dict[str, Any], MemoryBackend]:
    backend = MemoryBackend("test")
    backend.provision(layout_with(rows, lang))
    return run_sync(backend, WEEK), backend


def validation(backend: MemoryBackend, lang: str) -> list[Any]:
    tab = backend.tabs[catalog.tab_name("initiatives", lang)]
    col = [c.key for c in catalog.columns("initiatives", lang)].index("validation")
    return [line[col] if len(line) > col else None for line in tab[1:]]


@pytest.mark.parametrize("lang", LANGS)
def test_a_well_kept_initiative_has_nothing_to_say_and_counts_under_its_kr(lang: str) -> None:
    report, backend = synced([["LinkedIn campaign", "MKT-KR1", "Julie", "3 000 $", "3 ad series",
                               dt.date(2025, 3, 1), state("in_progress", lang)]], lang)
    assert validation(backend, lang) == [None]
    assert [p for p in report["problems"] if p["tab"] == catalog.tab_name("initiatives", lang)] == []
    assert report["initiatives"] == [{"initiative": "LinkedIn campaign", "kr": "MKT-KR1", "owner": "Julie",
                                      "budget": 3000.0, "deliverable": "3 ad series", "due": "2025-03-01",
                                      "state": "in_progress", "past_due": False}]
    counts = _okr_column(backend, lang, "initiatives")
    assert counts["MKT-KR1"] == 1 and counts["MKT-KR2"] == 0


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("row", "codes"), [
    (["No KR", None, "", "", "", None, ""], ["initiative_kr_missing"]),
    (["Unknown KR", "XYZ-KR9", "", "", "", None, ""], ["initiative_unknown_kr"]),
    (["On an objective", "MKT-O1", "", "", "", None, ""], ["initiative_objective_not_kr"]),
    (["Late", "MKT-KR1", "", "", "", dt.date(2025, 2, 1), "in_progress"], ["initiative_past_due"]),
    (["Late but done", "MKT-KR1", "", "", "Shipped", dt.date(2025, 2, 1), "done"], []),
    (["Done, nothing shipped", "MKT-KR1", "", "", "", None, "done"], ["initiative_done_without_deliverable"]),
    (["Odd state", "MKT-KR1", "", "", "", None, "Finished-ish"], ["initiative_unknown_state"]),
    (["Odd date", "MKT-KR1", "", "", "", "next spring", ""], ["initiative_bad_due"]),
    (["Odd budget", "MKT-KR1", "", "a lot", "", None, ""], ["initiative_bad_budget"]),
    (["Blocked", "mkt-kr1", "", "", "", None, "blocked"], []),
])
def test_each_rule_of_an_initiative_row_says_what_to_fix(lang: str, row: list[Any], codes: list[str]) -> None:
    cells = [state(v, lang) if i == 6 and v in ("in_progress", "done", "blocked") else v for i, v in enumerate(row)]
    report, backend = synced([cells], lang)
    found = [p for p in report["problems"] if p["tab"] == catalog.tab_name("initiatives", lang)]
    assert [p["code"] for p in found] == codes
    assert all(p["row"] == 2 and p["message"] for p in found)
    said = validation(backend, lang)[0]
    assert said == ("\n".join(p["message"] for p in found) or None)


def test_the_messages_speak_the_workbooks_language() -> None:
    report, _ = synced([["Late", "MKT-KR1", "", "", "", dt.date(2025, 2, 1), "En cours"]], "fr")
    (late,) = [p for p in report["problems"] if p["code"] == "initiative_past_due"]
    assert late["message"].startswith("Échéance dépassée (2025-02-01)") and late["column"] == "Échéance"


@pytest.mark.parametrize("lang", LANGS)
def test_a_kr_with_no_initiative_is_flagged_once_the_workbook_uses_them(lang: str) -> None:
    flag = catalog.message("okr.no_initiative", lang, tab=catalog.tab_name("initiatives", lang))
    _report, quiet = synced([], lang)
    assert not any(flag in str(n) for n in _okr_column(quiet, lang, "notes").values())
    _report, used = synced([["Webinars", "MKT-KR1", "", "", "", None, ""]], lang)
    notes = _okr_column(used, lang, "notes")
    assert flag in str(notes["MKT-KR2"])
    assert flag not in str(notes["MKT-KR1"])
    assert flag not in str(notes["ORG-KR1"])  # MKT-KR1 feeds it: it moves through that KR's initiatives


@pytest.mark.parametrize("lang", LANGS)
def test_the_org_tab_counts_initiatives_by_state_and_names_the_blocked_and_late(lang: str) -> None:
    rows = [["A", "MKT-KR1", "", "", "", None, state("done", lang)],
            ["B", "MKT-KR1", "", "", "", None, state("blocked", lang)],
            ["C", "MKT-KR2", "", "", "", dt.date(2025, 1, 31), ""]]
    _report, backend = synced(rows, lang)
    org = backend.tabs[catalog.tab_name("org", lang)]
    at = next(i for i, line in enumerate(org) if line and line[0] == catalog.message("org.initiatives", lang))
    assert org[at + 1][0] == catalog.message("org.initiatives_counts", lang, todo=1, in_progress=0, done=1, blocked=1)
    # A count of one reads right in French too: no plural to agree with.
    assert org[at + 1][0] == {"fr": "À faire : 1 ; en cours : 0 ; terminées : 1 ; bloquées : 1",
                              "en": "To do: 1; in progress: 0; done: 1; blocked: 1"}[lang]
    assert [line[0] for line in org[at + 2:]] == ["B — MKT-KR1", "C — MKT-KR2"]
    assert org[at + 3][4] == catalog.message("org.initiative_late", lang, due="2025-01-31")


@pytest.mark.parametrize("lang", LANGS)
def test_the_demo_tells_the_seeds_story_with_initiatives_in_every_state(lang: str) -> None:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout(lang))
    report = run_sync(backend, AS_OF)
    assert len(report["initiatives"]) == 10
    assert {i["state"] for i in report["initiatives"]} == {"todo", "in_progress", "done", "blocked"}
    assert not [p for p in report["problems"] if p["tab"] == catalog.tab_name("initiatives", lang)]
    # Every team KR has its actions but one (churn), which says so.
    notes = _okr_column(backend, lang, "notes")
    flag = catalog.message("okr.no_initiative", lang, tab=catalog.tab_name("initiatives", lang))
    assert [kr for kr, n in notes.items() if flag in str(n)] == [{"fr": "SC-KR2", "en": "CS-KR2"}[lang]]
    assert run_sync(backend, AS_OF)["writes"]["cells"] == 0  # a second sync writes nothing


# Backends: the tab laid out with its dropdowns, a workbook made before gets it, the cells written.


@pytest.mark.parametrize("lang", LANGS)
def test_on_xlsx_the_tab_has_its_dropdowns_and_the_sync_writes_its_validation(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "okr.xlsx"
    late = [["Late", "MKT-KR1", "", "", "", dt.date(2025, 2, 1), ""]]
    XlsxBackend(path, lang=lang).provision(layout_with(late, lang))
    run_sync(XlsxBackend(path, lang=lang), WEEK)
    book = openpyxl.load_workbook(path)
    ws = book[catalog.tab_name("initiatives", lang)]
    names = {n: str(d.attr_text) for n, d in book.defined_names.items()}
    sources = sorted(names.get(str(dv.formula1), str(dv.formula1)) for dv in ws.data_validations.dataValidation)
    assert any(s.endswith("!$A$2:$A$500") and catalog.tab_name("okrs", lang) in s for s in sources)
    assert any(state("blocked", lang) in s for s in sources)
    assert ws.cell(2, 8).value.startswith(catalog.message("initiative.past_due", lang, due="2025-02-01")[:12])
    assert book.sheetnames.index(ws.title) == book.sheetnames.index(catalog.tab_name("okrs", lang)) + 1


@pytest.mark.parametrize("lang", LANGS)
def test_a_workbook_made_before_initiatives_gets_the_tab_at_its_next_sync(tmp_path: Path, lang: str) -> None:
    laid = workbook_layout(okrs(), lang=lang)
    laid.tabs = [t for t in laid.tabs if t.key != "initiatives"]
    path = tmp_path / "old.xlsx"
    XlsxBackend(path, lang=lang).provision(laid)
    run_sync(XlsxBackend(path, lang=lang), WEEK)
    book = openpyxl.load_workbook(path)
    name = catalog.tab_name("initiatives", lang)
    assert [c.value for c in book[name][1]] == [c.label for c in catalog.columns("initiatives", lang)]
    assert run_sync(XlsxBackend(path, lang=lang), WEEK)["writes"]["cells"] == 0


@pytest.mark.parametrize("lang", LANGS)
def test_on_google_the_validation_goes_through_row_anchors_in_the_one_write(google_fake: FakeGoogle,
                                                                            lang: str) -> None:
    sid = provision(google_fake, compact(layout_with([["Late", "MKT-KR1", "", "", "", "2025-02-01", ""]], lang)))
    report = run_sync(sync_backend(google_fake, sid, lang), WEEK)
    assert report["writes"]["api_calls"] == {"read": 1, "write": 1}
    values = google_fake.values(sid, catalog.tab_name("initiatives", lang))
    assert values[1][7].startswith(catalog.message("initiative.past_due", lang, due="2025-02-01")[:12])
    again = run_sync(sync_backend(google_fake, sid, lang), WEEK)
    assert again["writes"]["api_calls"] == {"read": 1, "write": 0}


# Bad input.


TEXT = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)), st.sampled_from(["MKT-KR1", "MKT-O1", "En cours"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(TEXT, min_size=7, max_size=7), min_size=1, max_size=4), st.sampled_from(LANGS))
def test_any_text_in_any_cell_gives_messages_and_never_touches_a_persons_cell(rows: list[list[Any]], lang: str) -> None:
    backend = MemoryBackend("test")
    backend.provision(layout_with(rows, lang))
    name = catalog.tab_name("initiatives", lang)
    typed = [line[:7] for line in backend.tabs[name]]
    report = run_sync(backend, WEEK)
    assert [line[:7] for line in backend.tabs[name]] == typed
    assert all(p["message"] for p in report["problems"])


def _okr_column(backend: MemoryBackend, lang: str, key: str) -> dict[str, Any]:
    tab = backend.tabs[catalog.tab_name("okrs", lang)]
    header = [str(h) for h in tab[0]]
    col = header.index(next(c.label for c in catalog.columns("okrs", lang) if c.key == key))
    return {line[0]: (line[col] if len(line) > col else None) for line in tab[1:] if line and line[0]}
