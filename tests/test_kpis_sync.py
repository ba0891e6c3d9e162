"""KPIs through a whole sync, on every backend: the CAC alert in the sheet, readings' validations in their rows,
the Org tab's health section, the report's `kpis`, a workbook made before the KPI tabs, and OKRs left untouched."""

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
from sync.model import Heading
from sync.template import catalog
from tests.builders import okr, workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend, sync_on, type_rows

LANGS = ["fr", "en"]
KINDS = ["memory", "xlsx", "google"]
WEEK = dt.date(2025, 2, 10)
NBSP = "\u00a0"


def col(table: str, key: str) -> int:
    """0-based index of a template column."""
    return next(i for i, c in enumerate(catalog.columns(table, "en")) if c.key == key)


def okrs() -> list[dict[str, Any]]:
    return [
        okr("MKT-O1", "Marketing", "objective", "Be the reference"),
        okr("MKT-KR1", "Marketing", "increase", "Generate 125 leads", start=0, target=125, unit="leads"),
        okr("MKT-KR2", "Marketing", "decrease", "Cut the cost per lead", start=95, target=70, unit="$"),
    ]


def cac_layout(lang: str, readings: list[list[Any]] | None = None, kpis: list[list[Any]] | None = None) -> Layout:
    """A small workbook with its check-ins, a CAC KPI (lower is better, alert past 3 000 $) and its readings."""
    layout = workbook_layout(okrs(), {"Marketing": [[WEEK, "MKT-KR1", 28, "🟢"], [WEEK, "MKT-KR2", 90, "🟡"]]},
                             lang=lang, teams=("Marketing",))
    grids = {t.name: t.grid for t in layout.tabs}
    lower = catalog.word("kpi_direction", "lower", lang)
    money = {"fr": ("3 000 $", "2 845 $", "3 500 $"), "en": ("$3,000", "$2,845", "$3,500")}[lang]
    grids[catalog.tab_name("kpis", lang)].extend(
        kpis if kpis is not None else [["CAC", "Marketing", "$", lower, None, money[0]]])
    grids[catalog.tab_name("kpi_readings", lang)].extend(
        readings if readings is not None else [
            [dt.date(2025, 1, 10), "CAC", money[1], "December close"],
            [dt.date(2025, 2, 7), "CAC", money[2], "Trade show paid upfront"],
            [dt.date(2025, 2, 7), "Coût par lead", 90, None],
        ])
    return layout




def grid(backend: Any, name: str) -> list[list[Any]]:
    """A tab's cells as the backend reads them back."""
    return backend.read().tabs[name].grid


def cell(rows: list[list[Any]], row: int, column: int) -> Any:
    line = rows[row - 1] if len(rows) >= row else []
    return line[column] if len(line) > column else None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_cac_alert_is_written_in_the_sheet(kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    report, backend = sync_on(kind, cac_layout(lang), tmp_path, google_fake)

    kpis = grid(backend, catalog.tab_name("kpis", lang))
    assert cell(kpis, 2, col("kpis", "latest")) == 3500
    assert cell(kpis, 2, col("kpis", "latest_date")) in (dt.date(2025, 2, 7), dt.datetime(2025, 2, 7))
    assert cell(kpis, 2, col("kpis", "change")) == 655
    assert cell(kpis, 2, col("kpis", "trend")) == "↗"
    assert cell(kpis, 2, col("kpis", "status")) == catalog.word("status", "red", lang)
    assert cell(kpis, 2, col("kpis", "validation")) in (None, "")

    readings_tab = catalog.tab_name("kpi_readings", lang)
    readings = grid(backend, readings_tab)
    unknown = catalog.message("reading.unknown_indicator", lang, indicator="Coût par lead",
                              tab=catalog.tab_name("kpis", lang))
    assert cell(readings, 4, col("kpi_readings", "validation")) == unknown
    assert cell(readings, 2, col("kpi_readings", "validation")) in (None, "")
    assert [(p["tab"], p["row"], p["code"]) for p in report["problems"] if p["tab"] == readings_tab] == [
        (readings_tab, 4, "unknown_indicator")]

    [cac] = report["kpis"]
    assert cac == {"indicator": "CAC", "team": "Marketing", "unit": "$", "direction": "lower", "latest": 3500.0,
                   "latest_date": "2025-02-07", "change": 655.0, "trend": "up", "threshold": 3000.0,
                   "benchmark": None, "status": "red"}

    org = grid(backend, catalog.tab_name("org", lang))
    at = next(i for i, line in enumerate(org) if line and line[0] == catalog.message("org.kpis", lang))
    latest, threshold = {"fr": (f"3{NBSP}500{NBSP}$", f"3{NBSP}000{NBSP}$"), "en": ("$3,500", "$3,000")}[lang]
    assert org[at + 2][:5] == ["CAC", latest, threshold, catalog.word("status", "red", lang), "↗"]

    again = run_sync(backend if kind != "google" else sync_backend(google_fake, backend.spreadsheet_id, lang), AS_OF)
    assert again["writes"]["cells"] == 0


@pytest.mark.parametrize("lang", LANGS)
def test_kpis_never_move_okr_progress(lang: str) -> None:
    without = cac_layout(lang, readings=[], kpis=[])
    with_kpis = cac_layout(lang)
    before, b_backend = sync_on("memory", without, Path("."), None)
    after, a_backend = sync_on("memory", with_kpis, Path("."), None)
    for key in ("key_results", "objectives", "teams", "org", "checkins"):
        assert after[key] == before[key], key
    for tab in ("okrs", "history"):
        name = catalog.tab_name(tab, lang)
        assert grid(a_backend, name) == grid(b_backend, name)
    assert before["kpis"] == [] and after["kpis"][0]["status"] == "red"


@pytest.mark.parametrize("lang", LANGS)
def test_the_demo_watches_its_cac(lang: str) -> None:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout(lang))
    report = run_sync(backend, AS_OF)
    statuses = {k["indicator"]: k["status"] for k in report["kpis"]}
    assert len(statuses) == 5 and list(statuses.values()).count("red") == 1
    cac = report["kpis"][0]
    assert (cac["latest"], cac["change"], cac["threshold"], cac["status"]) == (3500, 655, 3000, "red")
    assert not [p for p in report["problems"] if p["tab"] in {catalog.tab_name(k, lang) for k in ("kpis",
                                                                                               "kpi_readings")}]
    org = grid(backend, catalog.tab_name("org", lang))
    at = next(i for i, line in enumerate(org) if line and line[0] == catalog.message("org.kpis", lang))
    assert isinstance(org[at][0], Heading) or org[at][0] == catalog.message("org.kpis", lang)
    assert org[at + 2][0] == cac["indicator"]  # the alert first


def without_kpi_tabs(layout: Layout) -> Layout:
    layout.tabs = [t for t in layout.tabs if t.key not in ("kpis", "kpi_readings")]
    return layout


@pytest.mark.parametrize("lang", LANGS)
def test_a_workbook_made_before_the_kpi_tabs_gets_them_at_its_next_sync_with_their_dropdowns(
        tmp_path: Path, lang: str) -> None:
    path = tmp_path / "old.xlsx"
    XlsxBackend(path, lang=lang).provision(without_kpi_tabs(cac_layout(lang)))
    report = run_sync(XlsxBackend(path, lang=lang), AS_OF)
    assert report["kpis"] == []
    book = openpyxl.load_workbook(path)
    kpis, readings = (catalog.tab_name(k, lang) for k in ("kpis", "kpi_readings"))
    for key, name in (("kpis", kpis), ("kpi_readings", readings)):
        assert [c.value for c in book[name][1]] == [c.label for c in catalog.columns(key, lang)]
    assert book.sheetnames.index(readings) == book.sheetnames.index(kpis) + 1
    assert book.sheetnames.index(readings) + 1 == book.sheetnames.index(catalog.tab_name("org", lang))
    names = {n: str(d.attr_text) for n, d in book.defined_names.items()}
    sources = [names.get(str(dv.formula1), str(dv.formula1)) for dv in book[readings].data_validations.dataValidation]
    assert any(kpis in s and s.endswith("!$A$2:$A$500") for s in sources)
    words = [str(dv.formula1) for dv in book[kpis].data_validations.dataValidation]
    assert any(catalog.word("kpi_direction", "lower", lang) in w for w in words)
    assert run_sync(XlsxBackend(path, lang=lang), AS_OF)["writes"]["cells"] == 0


@pytest.mark.parametrize("lang", LANGS)
def test_on_google_an_older_workbook_gets_the_kpi_tabs_and_their_readings_count_once_typed(
        google_fake: FakeGoogle, lang: str) -> None:
    sid = provision(google_fake, compact(without_kpi_tabs(cac_layout(lang)), 60, history=200))
    run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    kpis, readings = (catalog.tab_name(k, lang) for k in ("kpis", "kpi_readings"))
    assert google_fake.values(sid, kpis)[0] == [c.label for c in catalog.columns("kpis", lang)]
    lower = catalog.word("kpi_direction", "lower", lang)
    type_rows(google_fake, sid, kpis, [["CAC", "Marketing", "$", lower, None, 3000]])
    type_rows(google_fake, sid, readings, [["2025-01-10", "CAC", 2845], ["2025-02-07", "CAC", 3500]])
    report = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert report["kpis"][0]["status"] == "red" and report["kpis"][0]["change"] == 655
    assert google_fake.values(sid, kpis)[1][col("kpis", "status")] == catalog.word("status", "red", lang)
    assert google_fake.take_errors() == []
    again = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert again["writes"]["api_calls"]["write"] == 0


TEXT = st.one_of(st.none(), st.text(max_size=12), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                 st.dates(dt.date(1900, 1, 1), dt.date(2100, 1, 1)),
                 st.sampled_from(["CAC", "3 500 $", "Plus bas = mieux", "Higher is better", "2025-02-10", "%"]))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(TEXT, min_size=6, max_size=6), max_size=3),
       st.lists(st.lists(TEXT, min_size=4, max_size=4), min_size=1, max_size=4), st.sampled_from(LANGS))
def test_any_text_in_the_kpi_tabs_gives_messages_and_never_touches_a_persons_cell(
        kpi_rows: list[list[Any]], reading_rows: list[list[Any]], lang: str) -> None:
    backend = MemoryBackend("test")
    backend.provision(cac_layout(lang, readings=reading_rows, kpis=kpi_rows))
    typed = {k: [line[:n] for line in backend.tabs[catalog.tab_name(k, lang)]]
             for k, n in (("kpis", 6), ("kpi_readings", 4))}
    report = run_sync(backend, AS_OF)
    for key, n in (("kpis", 6), ("kpi_readings", 4)):
        assert [line[:n] for line in backend.tabs[catalog.tab_name(key, lang)]] == typed[key]
    assert all(p["message"] for p in report["problems"])
    assert len(report["kpis"]) <= len(kpi_rows)
