"""A whole sync: the report's shape, what it writes, and that a rerun writes nothing."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from sync.backends.memory import MemoryBackend
from sync.engine import run_sync
from sync.errors import LeaseLost
from sync.layout.demo import AS_OF, demo_layout
from sync.model import Snapshot, WritePlan, WriteResult
from sync.service.openapi import TABLE_REPORTS
from sync.template import catalog

#: The design's keys, and one for each people table (the list of its rows, as the API's Report schema says).
REPORT_KEYS = {"workbook", "checkins", "problems", "key_results", "objectives", "teams", "org", "writes",
               *TABLE_REPORTS}
KR_KEYS = {
    "id",
    "team",
    "objective",
    "type",
    "start",
    "target",
    "unit",
    "current",
    "progress",
    "expected",
    "confidence",
    "status",
    "last_checkin",
}


def demo(lang: str = "fr") -> MemoryBackend:
    backend = MemoryBackend()
    backend.provision(demo_layout(lang))
    return backend


def test_report_has_exactly_the_designed_keys() -> None:
    report = run_sync(demo(), AS_OF)
    assert set(report) == REPORT_KEYS
    assert set(report["workbook"]) == {"title", "lang", "quarter", "as_of", "elapsed"}
    assert set(report["checkins"]) == {"rows", "valid", "invalid"}
    assert all(set(p) == {"tab", "row", "column", "code", "severity", "message"} for p in report["problems"])
    assert all(set(k) == KR_KEYS for k in report["key_results"])
    assert all(set(o) == {"id", "team", "parent", "progress", "status", "counts"} for o in report["objectives"])
    assert all(set(t) == {"team", "progress", "status", "counts"} for t in report["teams"])
    assert set(report["org"]) == {"progress", "status", "counts"}
    assert set(report["writes"]) == {"cells", "api_calls"}
    assert {k["status"] for k in report["key_results"]} == {"green", "yellow", "red", "none"}


def test_second_sync_of_an_unchanged_workbook_changes_no_cell() -> None:
    backend = demo()
    first = run_sync(backend, AS_OF)
    assert first["writes"]["cells"] > 0
    before = copy.deepcopy(backend.tabs)
    second = run_sync(backend, AS_OF)
    assert second["writes"]["cells"] == 0
    assert backend.writes == 1
    assert backend.tabs == before
    assert {k: v for k, v in second.items() if k != "writes"} == {k: v for k, v in first.items() if k != "writes"}


def test_sync_writes_only_computed_cells_and_service_tabs() -> None:
    backend = demo("en")
    before = copy.deepcopy(backend.tabs)
    run_sync(backend, AS_OF)
    service = {catalog.tab_name(k, "en") for k in ("org", "history", "lists")}
    computed = {
        catalog.tab_name("okrs", "en"): {i for i, c in enumerate(catalog.columns("okrs", "en")) if c.computed},
    }
    checkin_computed = {i for i, c in enumerate(catalog.columns("checkins", "en")) if c.computed}
    for name, grid in before.items():
        if name in service:
            continue
        allowed = computed.get(name, checkin_computed if name.startswith("Check-ins") else set())
        after = backend.tabs[name]
        for r, line in enumerate(grid):
            for c, value in enumerate(line):
                if c not in allowed:
                    assert after[r][c] == value, (name, r + 1, c + 1)


def test_dry_run_writes_nothing_but_reports_the_same() -> None:
    backend = demo()
    before = copy.deepcopy(backend.tabs)
    report = run_sync(backend, AS_OF, dry_run=True)
    assert backend.tabs == before
    assert report["writes"]["cells"] > 0


def test_history_has_one_row_per_kr_per_week_and_keeps_other_weeks() -> None:
    backend = demo()
    run_sync(backend, AS_OF)
    history = backend.tabs[catalog.tab_name("history", "fr")]
    keys = [(line[0], line[1]) for line in history[1:]]
    assert len(keys) == len(set(keys))
    weeks = sorted({k[0] for k in keys})
    assert weeks[0] == dt.date(2025, 1, 6) and weeks[-1] == dt.date(2025, 2, 10)
    # An older row (another quarter) survives the next sync; this quarter's weeks are recomputed.
    history.append([dt.date(2024, 10, 7), "OLD-KR1", "Marketing", 3, None, None, None, "Vert"])
    run_sync(backend, AS_OF)
    history = backend.tabs[catalog.tab_name("history", "fr")]
    assert history[1][1] == "OLD-KR1"
    assert len(history) == len(keys) + 2


def test_org_tab_lists_focus_krs_and_missing_check_ins() -> None:
    backend = demo("en")
    run_sync(backend, AS_OF)
    org = backend.tabs["Org"]
    text = "\n".join(str(line[0]) for line in org if line)
    assert "KRs that need help" in text
    focus = [line for line in org if line and str(line[0]).startswith("SAL-KR2")]
    assert focus and focus[0][3] == "Red" and focus[0][6] == "Need a trial offer"
    missing = [line for line in org if line and str(line[0]).startswith("CS-KR4")]
    assert missing and missing[-1][6] == "never"
    team_header = org[4]
    assert team_header[0] == "Team"


def test_a_team_without_its_check_in_tab_is_a_warning_not_a_crash() -> None:
    backend = demo("en")
    del backend.tabs["Check-ins Sales"]
    report = run_sync(backend, AS_OF)
    [problem] = [p for p in report["problems"] if p["code"] == "missing_tab"]
    assert problem["severity"] == "warning" and "Check-ins Sales" in problem["message"]
    assert {t["team"] for t in report["teams"]} == {"Marketing", "Sales", "Customer Success"}


def test_a_workbook_missing_a_column_says_which() -> None:
    import pytest

    from sync.errors import NotOurWorkbook

    backend = demo("en")
    backend.tabs["OKRs"][0][3] = "Name"
    with pytest.raises(NotOurWorkbook, match='Column "Title" not found in the OKRs tab'):
        run_sync(backend, AS_OF)


def test_before_write_runs_just_before_the_write_and_can_stop_it() -> None:
    backend = MemoryBackend()
    backend.provision(demo_layout("en"))
    order: list[str] = []
    original = backend.apply

    def apply(plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        order.append("write")
        return original(plan, snapshot)

    backend.apply = apply  # type: ignore[method-assign]

    def refuse() -> None:
        order.append("check")
        raise LeaseLost("service.lease_lost", "en", title="Acme")

    with pytest.raises(LeaseLost):
        run_sync(backend, AS_OF, before_write=refuse)
    assert order == ["check"] and backend.writes == 0
    run_sync(backend, AS_OF, before_write=lambda: order.append("check"))
    assert order == ["check", "check", "write"] and backend.writes == 1
    run_sync(backend, AS_OF, before_write=lambda: order.append("check"))
    assert order == ["check", "check", "write"]  # nothing to write: no check either
