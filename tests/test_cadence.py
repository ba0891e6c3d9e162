"""Missed check-ins at the check-in cadence (Settings, weekly by default): listed on the Org tab with how many."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.engine import evaluate, run_sync
from sync.layout.build import Layout
from sync.model import Grid
from sync.template import catalog
from sync.writeback.dashboard import dashboard
from tests.builders import objective_with_krs, okr, workbook_layout

MONDAYS = [dt.date(2025, 1, 6) + dt.timedelta(weeks=w) for w in range(6)]  # Jan 6 … Feb 10
WEDNESDAY = dt.date(2025, 2, 12)


def okrs() -> list[dict[str, Any]]:
    krs = [okr(f"MKT-KR{n}", "Marketing", "increase", f"Reach {n}00", start=0, target=100) for n in range(1, 5)]
    return objective_with_krs(*krs)


def checkins() -> list[list[Any]]:
    """KR1 every Monday; KR2 skipped the last one; KR3 the last three; KR4 never checked in."""
    rows = [[day, "MKT-KR1", 10 * i, None, ""] for i, day in enumerate(MONDAYS, start=1)]
    rows += [[day, "MKT-KR2", 10 * i, None, ""] for i, day in enumerate(MONDAYS[:-1], start=1)]
    rows += [[day, "MKT-KR3", 10 * i, None, ""] for i, day in enumerate(MONDAYS[:-3], start=1)]
    return rows


def with_cadence(layout: Layout, lang: str, value: Any) -> Layout:
    """The layout with its Settings' check-in cadence cell set to `value`."""
    label = next(k["label"][lang] for k in catalog.template()["tabs"]["settings"]["keys"]
                 if k["key"] == "checkin_cadence")
    grid = next(t for t in layout.tabs if t.key == "settings").grid
    line = next(row for row in grid if row and row[0] == label)
    line[1] = value
    return layout


def missing_section(grid: Grid, lang: str, cadence: int) -> dict[str, Any]:
    """KR ID → missed check-ins, as the Org tab lists them under its heading for this cadence."""
    heading = catalog.message("org.missing", lang, days=cadence + 1)
    start = next(i for i, row in enumerate(grid) if row and row[0] == heading)
    header = grid[start + 1]
    assert header[7] == catalog.message("org.col.missed", lang)
    found = {}
    for row in grid[start + 2:]:
        if not row or not row[0]:
            break
        if row[0] != catalog.message("org.missing_none", lang):
            found[str(row[0]).split(" — ")[0]] = row[7]
    return found


def synced_org(tmp_path: Path, backend: str, layout: Layout, as_of: dt.date) -> tuple[Grid, dict[str, Any]]:
    """Sync the layout on a backend; the Org tab as written and the report."""
    org = catalog.tab_name("org", layout.lang)
    if backend == "memory":
        memory = MemoryBackend("test")
        memory.provision(layout)
        report = run_sync(memory, as_of)
        return memory.tabs[org], report
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path).provision(layout)
    report = run_sync(XlsxBackend(path), as_of)
    return XlsxBackend(path).read().tabs[org].grid, report


BOTH = pytest.mark.parametrize(("lang", "backend"), [("fr", "memory"), ("en", "memory"), ("fr", "xlsx"),
                                                      ("en", "xlsx")])


@BOTH
def test_a_kr_that_skipped_one_monday_missed_one_check_in_and_three_mondays_three(
    tmp_path: Path, lang: str, backend: str
) -> None:
    grid, report = synced_org(tmp_path, backend, workbook_layout(okrs(), {"Marketing": checkins()}, lang=lang),
                              WEDNESDAY)
    # KR4 never checked in: one missed for each week since the quarter began (Jan 1) and a day's grace.
    assert missing_section(grid, lang, 7) == {"MKT-KR2": 1, "MKT-KR3": 3, "MKT-KR4": 5}
    assert not [p for p in report["problems"] if p["code"] == "cadence_invalid"]


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_a_check_in_is_late_only_after_the_cadence_and_one_day(lang: str) -> None:
    rows = [[dt.date(2025, 2, 3), "MKT-KR1", 10, None, ""]]
    layout = workbook_layout(okrs(), {"Marketing": rows}, lang=lang)
    memory = MemoryBackend("test")
    memory.provision(layout)
    org = catalog.tab_name("org", lang)
    on_time = evaluate(memory.read(), "memory", dt.date(2025, 2, 11)).plan.tabs[org]  # 8 days: a day late is fine
    late = evaluate(memory.read(), "memory", dt.date(2025, 2, 12)).plan.tabs[org]
    assert "MKT-KR1" not in missing_section(on_time, lang, 7)
    assert missing_section(late, lang, 7)["MKT-KR1"] == 1


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_a_kr_never_checked_in_is_listed_once_the_first_cadence_has_passed(lang: str) -> None:
    memory = MemoryBackend("test")
    memory.provision(workbook_layout(okrs(), {}, lang=lang))
    org = catalog.tab_name("org", lang)
    assert missing_section(evaluate(memory.read(), "memory", dt.date(2025, 1, 8)).plan.tabs[org], lang, 7) == {}
    listed = missing_section(evaluate(memory.read(), "memory", dt.date(2025, 1, 9)).plan.tabs[org], lang, 7)
    assert listed == dict.fromkeys(["MKT-KR1", "MKT-KR2", "MKT-KR3", "MKT-KR4"], 1)


@BOTH
def test_the_cadence_is_read_from_settings(tmp_path: Path, lang: str, backend: str) -> None:
    text = "14 jours" if lang == "fr" else "14 days"
    layout = with_cadence(workbook_layout(okrs(), {"Marketing": checkins()}, lang=lang), lang, text)
    grid, report = synced_org(tmp_path, backend, layout, WEDNESDAY)
    # Fortnightly: KR2's nine days are on time; KR3 missed one fortnight, KR4 two.
    assert missing_section(grid, lang, 14) == {"MKT-KR3": 1, "MKT-KR4": 2}
    assert not [p for p in report["problems"] if p["code"] == "cadence_invalid"]


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_the_sidebar_lists_the_same_missed_check_ins(lang: str) -> None:
    memory = MemoryBackend("test")
    memory.provision(with_cadence(workbook_layout(okrs(), {"Marketing": checkins()}, lang=lang), lang, 14))
    ev = evaluate(memory.read(), "memory", WEDNESDAY)
    board = {kr["id"]: (kr["days"], kr["missed"]) for kr in dashboard(ev, WEDNESDAY)["missing"]}
    assert board == {"MKT-KR3": (23, 1), "MKT-KR4": (None, 2)}


@pytest.mark.parametrize(("lang", "value"), [("fr", "chaque semaine"), ("en", "every week"), ("fr", 0),
                                             ("en", "2.5"), ("fr", "50 %"), ("en", 400)])
def test_bad_cadence_text_gives_a_clear_message_and_the_weekly_cadence(lang: str, value: Any) -> None:
    layout = with_cadence(workbook_layout(okrs(), {"Marketing": checkins()}, lang=lang), lang, value)
    memory = MemoryBackend("test")
    memory.provision(layout)
    report = run_sync(memory, WEDNESDAY)
    [problem] = [p for p in report["problems"] if p["code"] == "cadence_invalid"]
    label = "Cadence des check-ins (jours)" if lang == "fr" else "Check-in cadence (days)"
    assert problem["tab"] == catalog.tab_name("settings", lang) and problem["severity"] == "warning"
    assert label in problem["message"] and str(value) in problem["message"] and "7" in problem["message"]
    settings_grid = memory.tabs[catalog.tab_name("settings", lang)]
    assert settings_grid[problem["row"] - 1][1] == value  # the typed cell is kept as it was
    assert missing_section(memory.tabs[catalog.tab_name("org", lang)], lang, 7) == {
        "MKT-KR2": 1, "MKT-KR3": 3, "MKT-KR4": 5}
