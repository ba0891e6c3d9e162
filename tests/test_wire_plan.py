"""A WritePlan as the add-on applies it: the same sheet as the engine's own write, nothing outside computed columns."""

from __future__ import annotations

import copy

import pytest

from sync.backends.memory import MemoryBackend
from sync.engine import evaluate, run_sync
from sync.layout.demo import AS_OF, demo_layout
from sync.model import CellWrite, Grid, WritePlan
from sync.template import catalog
from sync.wire.plan import computed_columns, plan_json
from sync.wire.snapshot import read_snapshot
from tests.addon_support import apply_plan_json, as_api, snapshot_json


def demo(lang: str) -> MemoryBackend:
    backend = MemoryBackend()
    backend.provision(demo_layout(lang))
    return backend


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_applying_the_plan_json_gives_the_sheet_run_sync_writes(lang: str) -> None:
    backend = demo(lang)
    before = copy.deepcopy(backend.tabs)
    snapshot, _ = read_snapshot(snapshot_json(backend.read()), lang)
    ev = evaluate(snapshot, "addon", AS_OF)
    plan = plan_json(ev.plan, snapshot, computed_columns(ev.workbook))
    run_sync(backend, AS_OF)
    applied = apply_plan_json(before, plan)
    assert {name: as_api(grid) for name, grid in backend.tabs.items()} == applied


def test_plan_cells_only_touch_computed_columns_of_people_tabs() -> None:
    backend = demo("fr")
    snapshot, _ = read_snapshot(snapshot_json(backend.read()), "fr")
    ev = evaluate(snapshot, "addon", AS_OF)
    plan = plan_json(ev.plan, snapshot, computed_columns(ev.workbook))
    assert plan["computed"] == {"OKR": [12, 13, 14, 15, 16, 17, 18, 19, 20], "Initiatives": [8, 9],
                                "Objectifs annuels": [16, 17, 18, 19, 20, 21],
                                "Check-ins Marketing": [6, 7, 8, 9],
                                "Check-ins Ventes": [6, 7, 8, 9], "Check-ins Succès client": [6, 7, 8, 9],
                                "Check-ins Organisation": [6, 7, 8, 9],
                                "Indicateurs": [7, 8, 9, 10, 11, 12, 13], "Relevés KPI": [5, 6]}
    assert plan["cells"] and all(c["col"] in plan["computed"][c["tab"]] for c in plan["cells"])
    assert {t["name"] for t in plan["tabs"]} == {"Org", "Historique"}  # Listes computes itself
    (chart,) = plan["charts"]
    assert (chart["tab"], chart["title"], chart["labels"]) == ("Org", catalog.message("org.chart_title", "fr"), "A5:A8")
    assert [s["range"] for s in chart["series"]] == ["I5:I8", "J5:J8", "K5:K8", "L5:L8", "C5:C8"]
    assert [s["line"] for s in chart["series"]] == [False] * 4 + [True]


def test_computed_columns_follow_columns_people_moved() -> None:
    backend = demo("en")
    for row in backend.tabs["OKRs"]:
        row.insert(0, None)  # a column inserted before A
    snapshot = backend.read()
    ev = evaluate(snapshot, "memory", AS_OF)
    assert computed_columns(ev.workbook)["OKRs"] == [13, 14, 15, 16, 17, 18, 19, 20, 21]


def test_dates_go_as_serials_and_service_tabs_are_padded_over_what_they_held() -> None:
    backend = demo("en")
    snapshot = backend.read()
    snapshot.tabs["Org"].grid += [[]] * 400 + [[None] * 11 + ["stale"]]
    grid: Grid = [["Org"], ["as of", AS_OF]]
    plan = WritePlan([CellWrite("OKRs", 2, 16, AS_OF), CellWrite("OKRs", 3, 17, None)], {"Org": grid})
    encoded = plan_json(plan, snapshot, {})
    assert encoded["cells"] == [{"tab": "OKRs", "row": 2, "col": 16, "value": 45702},
                                {"tab": "OKRs", "row": 3, "col": 17, "value": ""}]
    values = encoded["tabs"][0]["values"]
    assert len(values) == len(snapshot.tabs["Org"].grid) and {len(row) for row in values} == {12}
    assert values[1][:3] == ["as of", 45702, ""] and values[-1][11] == ""
