"""The sidebar's dashboard: the same focus and missing KRs as the Org tab, with where each latest check-in is."""

from __future__ import annotations

import datetime as dt

from sync.backends.memory import MemoryBackend
from sync.engine import evaluate
from sync.layout.demo import AS_OF, demo_layout
from sync.model import Heading
from sync.writeback.dashboard import dashboard


def _section(grid: list[list[object]], heading_start: str) -> list[str]:
    """The KR IDs listed under an Org tab heading."""
    start = next(i for i, row in enumerate(grid) if row and isinstance(row[0], Heading)
                 and str(row[0]).startswith(heading_start))
    ids = []
    for row in grid[start + 2:]:
        if not row:
            break
        ids.append(str(row[0]).split(" — ")[0])
    return ids


def test_focus_and_missing_are_the_org_tabs_own_lists() -> None:
    backend = MemoryBackend()
    backend.provision(demo_layout("en"))
    ev = evaluate(backend.read(), "memory", AS_OF)
    board = dashboard(ev, AS_OF)
    org = ev.plan.tabs["Org"]
    assert [kr["id"] for kr in board["focus"]] == _section(org, "KRs that need help")
    assert [kr["status"] for kr in board["focus"]] == sorted((kr["status"] for kr in board["focus"]),
                                                              key=["red", "yellow"].index)
    missing = _section(org, "Missing check-ins")
    assert [kr["id"] for kr in board["missing"]] == ([] if missing == ["No missing check-in."] else missing)


def test_a_focus_kr_points_at_its_latest_check_in_and_its_comment() -> None:
    backend = MemoryBackend()
    backend.provision(demo_layout("fr"))
    ev = evaluate(backend.read(), "memory", AS_OF)
    red = next(kr for kr in dashboard(ev, AS_OF)["focus"] if kr["status"] == "red")
    row = backend.tabs[red["tab"]][red["row"] - 1]
    assert row[1] == red["id"] and row[4] == red["comment"]
    assert red["owner"] and red["title"] and 0 <= red["progress"] <= 1


def test_missing_says_days_since_the_last_check_in_and_weeks_missed() -> None:
    backend = MemoryBackend()
    backend.provision(demo_layout("en"))
    later = AS_OF + dt.timedelta(days=30)
    ev = evaluate(backend.read(), "memory", later)
    missing = dashboard(ev, later)["missing"]
    assert missing
    for kr in missing:
        # Late after the weekly cadence and a day's grace: one missed for each week past the latest check-in
        # (never checked in: past the day before the quarter began).
        if kr["last_checkin"] is None:
            assert kr["days"] is None and kr["missed"] == ((later - dt.date(2025, 1, 1)).days + 1 - 2) // 7
        else:
            days = (later - dt.date.fromisoformat(kr["last_checkin"])).days
            assert kr["days"] == days > 8 and kr["missed"] == (days - 2) // 7 >= 1
