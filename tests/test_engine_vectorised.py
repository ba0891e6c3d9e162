"""The vectorised engine gives what the straightforward loops give: History week by week (over what it already
records too), diffs cell by cell."""

from __future__ import annotations

import datetime as dt
import math
import random
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync import engine
from sync.engine import _CyclicGcPause, evaluate, run_sync
from sync.model import Grid, Percent, same_cell
from sync.parsing import is_blank, parse_date
from sync.parsing.columns import blank_cells
from sync.parsing.rowkey import key_text, row_key
from sync.stages.history import history_grid, history_rows, monday, num, pct, weeks
from sync.stages.history_record import read_record
from sync.stages.score import score_krs
from sync.template import catalog
from sync.writeback.diff import diff_tab, key_texts, same, same_cells, same_grid
from tests.builders import okr, workbook

D = dt.date
CELLS = [None, "", " ", "x", "Vert", 0, 1, 1.0, -0.0, 0.0, True, False, math.nan, 2.5, Percent(0.5), 0.5,
         D(2025, 1, 6), dt.datetime(2025, 1, 6), dt.datetime(2025, 1, 6, 9, 30), 45663, "45663", "MKT-KR1"]
cell = st.sampled_from(CELLS)


def random_workbook(seed: int) -> Any:
    """Two teams of KRs of every type, some parents (same unit or not), check-ins typed every way."""
    rng = random.Random(seed)
    rows = [okr("ORG-O1", "ORG", "objective", "Grow")]
    ids: list[str] = []
    for t, team in enumerate(("Marketing", "Ventes")):
        rows.append(okr(f"O{t}", team, "objective", "obj", parent="ORG-O1"))
        for k in range(rng.randint(2, 6)):
            kr_id = f"T{t}K{k}"
            kind = rng.choice(["increase", "decrease", "at_least", "at_most", "milestone"])
            rows.append(okr(kr_id, team, kind, f"reach {k}", start=rng.choice([None, 0, 100]),
                            target=rng.choice([50, 100, 0.5]), unit=rng.choice(["u", "%", ""]),
                            parent=rng.choice(["", "", *ids]), weight=rng.choice([None, 2, 0])))
            ids.append(kr_id)
    checkins: dict[str, list[list[Any]]] = {}
    for t, team in enumerate(("Marketing", "Ventes")):
        own = [i for i in ids if i.startswith(f"T{t}")]
        checkins[team] = [
            [D(2025, 1, 2) + dt.timedelta(days=rng.randint(0, 80)), rng.choice(own),
             rng.choice([0, 30, 70, 120, "fait"]), rng.choice([None, "🟢", "🔴", 0.4]), None]
            for _ in range(rng.randint(0, 40))
        ]
    return workbook(rows, checkins)


def reference_history(krs: pd.DataFrame, checkins: pd.DataFrame, s: Any, as_of: dt.date) -> list[list[Any]]:
    """History as first written: every KR re-scored for every week, from the check-ins dated up to its end."""
    rows: list[list[Any]] = []
    valid = checkins[checkins["valid"]]
    for week in weeks(s, as_of):
        on = min(week + dt.timedelta(days=6), as_of)
        upto = valid[valid["date"] <= pd.Timestamp(on)]
        if upto.empty:
            continue
        state = score_krs(krs, checkins.loc[upto.index], s, on)
        state = state[state["progress"].notna()]
        for kr_id, kr in state.iterrows():
            rows.append([week, kr_id, kr["team"], num(kr["current"]), pct(kr["progress"]), pct(kr["expected"]),
                         pct(kr["confidence"]), catalog.word("status", kr["status"], s.lang), num(kr["start"]),
                         num(kr["target"])])
    return sorted(rows, key=lambda line: (line[0].isoformat(), str(line[1])))


def reference_record(krs: pd.DataFrame, checkins: pd.DataFrame, s: Any, as_of: dt.date, held_grid: Grid
                     ) -> list[list[Any]]:
    """History over what it recorded, week by week: every KR re-scored with the start and target its row of that
    week recorded (its current ones without a row); a row kept as it is unless that week's check-ins changed."""
    held: dict[tuple[dt.date, str], list[Any]] = {}
    for line in held_grid[1:]:
        held.setdefault((line[0], line[1]), [*line, *[None] * (10 - len(line))])
    error = krs["error"].astype(bool)
    children: dict[str, list[str]] = {}
    for kr_id, parent in krs["parent"].items():
        if parent in krs.index and parent != kr_id and not error[kr_id]:
            children.setdefault(parent, []).append(kr_id)
    valid = checkins[checkins["valid"]]
    rows: list[list[Any]] = []
    for week in weeks(s, as_of):
        on = min(week + dt.timedelta(days=6), as_of)
        defined = krs.copy()
        for kr_id in defined.index:
            line = held.get((week, kr_id))
            if line is not None and line[9] is not None:
                for key, col in (("start", 8), ("target", 9)):
                    defined.loc[kr_id, key] = math.nan if line[col] is None else float(line[col])
        state = score_krs(defined, checkins.loc[valid[valid["date"] <= pd.Timestamp(on)].index], s, on)

        for kr_id in sorted(state.index, key=str):
            kr, line = state.loc[kr_id], held.get((week, kr_id))
            again = changed(state, held, children, error, week, kr_id)
            if again and not error[kr_id] and pd.notna(kr["progress"]):
                rows.append([week, kr_id, kr["team"], num(kr["current"]), pct(kr["progress"]), pct(kr["expected"]),
                             pct(kr["confidence"]), catalog.word("status", kr["status"], s.lang),
                             num(defined.loc[kr_id, "start"]), num(defined.loc[kr_id, "target"])])
            elif line is not None and not (again and not error[kr_id] and pd.isna(kr["current"])):
                rows.append(line)
    return rows


def changed(state: pd.DataFrame, held: dict[tuple[dt.date, str], list[Any]], children: dict[str, list[str]],
            error: pd.Series, week: dt.date, kr_id: str, path: tuple[str, ...] = ()) -> bool:
    """Whether a KR's check-ins of that week changed: a figure and no row yet, a value or confidence that is no
    longer its row's; for a parent without a value of its own, one of its KRs' changed."""
    kr, line = state.loc[kr_id], held.get((week, kr_id))
    figures = (num(kr["current"]), pct(kr["confidence"]))
    mine = (pd.notna(kr["progress"]) if line is None
            else not all(same_cell(a, b) for a, b in zip(figures, (line[3], line[6]), strict=True)))
    kids = [] if error[kr_id] or kr_id in path else children.get(kr_id, [])
    return mine or (not kr["own"] and any(changed(state, held, children, error, week, k, (*path, kr_id))
                                          for k in kids))


def edit(backend: Any, seed: int) -> None:
    """What people do between two syncs: change KRs' start, target or type, and check-ins' values; add, clear."""
    rng = random.Random(seed * 7 + 1)
    for name, grid in backend.tabs.items():
        if name == catalog.tab_name("okrs", "fr"):
            for line in grid[1:]:
                if str(line[0]).startswith("T") and rng.random() < 0.4:
                    line[rng.choice([5, 6, 6, 2])] = rng.choice(
                        [None, 0, 10, 50, 100, 200, 0.5, catalog.word("kr_types", "decrease", "fr")])
        elif name.startswith(catalog.checkin_tab_name("", "fr")):
            for line in grid[1:]:
                if rng.random() < 0.2:
                    line[2] = rng.choice([0, 30, 70, 120, "fait", None])
            if len(grid) > 1:
                grid.append([D(2025, 1, 2) + dt.timedelta(days=rng.randint(0, 80)), rng.choice(grid[1:])[1],
                             rng.choice([0, 30, 70]), None, None])


def typed(rows: list[list[Any]]) -> list[list[tuple[str, str]]]:
    return [[(type(v).__name__, repr(v)) for v in line] for line in rows]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("as_of", [D(2025, 1, 15), D(2025, 2, 14), D(2025, 3, 31), D(2025, 4, 20)])
def test_history_equals_every_kr_rescored_week_by_week(seed: int, as_of: dt.date) -> None:
    ev = evaluate(random_workbook(seed).read(), "memory", as_of)
    krs = ev.krs[~ev.krs["error"].astype(bool)]
    fresh = history_rows(krs, ev.checkins, ev.workbook.settings, as_of)
    expected = reference_history(krs, ev.checkins, ev.workbook.settings, as_of)
    assert typed(fresh) == typed(expected)
    assert all(line[0] == monday(line[0]) for line in fresh)


def recorded_case(seed: int, first: dt.date, then: dt.date) -> tuple[list[list[Any]], list[list[Any]], Grid]:
    """A random workbook synced on `first`, edited, and its History over that record on `then`: the vectorised
    rows, the reference's, and the History they were computed over."""
    backend = random_workbook(seed)
    run_sync(backend, first)
    edit(backend, seed)
    ev = evaluate(backend.read(), "memory", then)
    s = ev.workbook.settings
    held = backend.tabs[catalog.tab_name("history", "fr")]
    fresh = history_rows(ev.krs, ev.checkins, s, then, read_record(held, ev.krs, s, weeks(s, then)))
    return fresh, reference_record(ev.krs, ev.checkins, s, then, held), held


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("first", "then"), [(D(2025, 2, 14), D(2025, 2, 14)), (D(2025, 1, 15), D(2025, 3, 31)),
                                             (D(2025, 2, 14), D(2025, 4, 20))])
def test_history_over_its_record_equals_every_kr_rescored_week_by_week_with_that_week_s_definition(
    seed: int, first: dt.date, then: dt.date
) -> None:
    fresh, expected, _ = recorded_case(seed, first, then)
    assert typed(fresh) == typed(expected)


def test_those_cases_keep_rows_and_compute_recorded_weeks_again() -> None:
    kept = again = 0
    for seed in range(12):
        fresh, _, held = recorded_case(seed, D(2025, 2, 14), D(2025, 2, 14))
        recorded = {(line[0], line[1]): line for line in held[1:]}
        for line in fresh:
            before = recorded.get((line[0], line[1]))
            kept += line is before
            again += before is not None and line is not before
    assert kept > 100 and again > 10, (kept, again)


@given(st.lists(st.tuples(cell, cell), max_size=30))
def test_same_cells_is_same_cell_by_cell(pairs: list[tuple[Any, Any]]) -> None:
    wanted = np.array([w for w, _ in pairs] or [], dtype=object)
    held = np.array([h for _, h in pairs] or [], dtype=object)
    assert same_cells(wanted, held).tolist() == [same(w, h) for w, h in pairs]


@given(st.lists(cell, max_size=30))
def test_column_forms_are_the_cell_forms(values: list[Any]) -> None:
    array = np.fromiter(values, dtype=object, count=len(values))
    assert blank_cells(array).tolist() == [is_blank(v) for v in values]
    assert key_texts(array).tolist() == [key_text(v) for v in values]


def reference_diff(grid: Grid, columns: dict[str, int], computed: list[str], wanted: dict[int, dict[str, Any]],
                   key_of: list[str]) -> list[tuple[int, int, Any]]:
    """The diff as a loop over rows and cells."""
    last = max(len(grid), max(wanted, default=1))
    targets = [(k, columns[k]) for k in computed if k != "key" and k in columns]
    held = lambda line, col: line[col - 1] if col <= len(line) else None  # noqa: E731
    out = []
    for r in range(2, last + 1):
        line = grid[r - 1] if r <= len(grid) else []
        row = [(r, col, wanted.get(r, {}).get(k)) for k, col in targets
               if not same(wanted.get(r, {}).get(k), held(line, col))]
        made = row_key(held(line, columns[k]) for k in key_of) if r in wanted else None
        if row or not same(made, held(line, columns["key"])):
            row.append((r, columns["key"], made))
        out += row
    return out


@settings(max_examples=60)
@given(st.lists(st.lists(cell, max_size=6), min_size=1, max_size=12), st.data())
def test_diff_of_whole_columns_is_the_diff_cell_by_cell(body: list[list[Any]], data: st.DataObject) -> None:
    grid = [["kr", "week", "progress", "status", "key"], *body]
    columns = {"kr": 1, "week": 2, "progress": 3, "status": 4, "key": 5}
    rows = data.draw(st.lists(st.integers(2, len(grid) + 2), unique=True))
    values = {r: {"progress": data.draw(cell), "status": data.draw(cell)} for r in rows}
    parts = [np.array([grid[r - 1][c - 1] if r <= len(grid) and c <= len(grid[r - 1]) else None for r in rows],
                      dtype=object) for c in (1, 2)]
    writes = diff_tab("T", grid, columns, ["progress", "status", "key"], np.array(rows, dtype=np.int64),
                      {k: np.array([values[r][k] for r in rows], dtype=object) for k in ("progress", "status")},
                      parts)
    expected = reference_diff(grid, columns, ["progress", "status", "key"], values, ["kr", "week"])
    assert typed([[w.tab, w.row, w.col, w.value] for w in writes]) == typed([["T", *e] for e in expected])


@given(st.lists(st.lists(cell, max_size=4), max_size=6), st.lists(st.lists(cell, max_size=4), max_size=6))
def test_same_grid_is_same_cell_by_cell(a: Grid, b: Grid) -> None:
    def trimmed(g: Grid) -> Grid:
        rows = [list(r) for r in g]
        for r in rows:
            while r and (r[-1] is None or r[-1] == ""):
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    ta, tb = trimmed(a), trimmed(b)
    expected = len(ta) == len(tb) and all(
        len(x) == len(y) and all(same_cell(u, v) for u, v in zip(x, y, strict=True))
        for x, y in zip(ta, tb, strict=True)
    )
    assert same_grid(a, b) == expected
    assert same_grid(a, [list(r) for r in a]) == same_grid(a, a)


def test_the_collector_is_paused_during_an_evaluation_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    seen: list[bool] = []
    real = engine._evaluate
    monkeypatch.setattr(engine, "_evaluate", lambda *a: seen.append(gc.isenabled()) or real(*a))
    assert gc.isenabled()
    evaluate(workbook([okr("O1", "Marketing", "objective", "Grow")]).read(), "test", D(2025, 2, 14))
    assert seen == [False] and gc.isenabled()


def test_overlapping_evaluations_still_collect_at_most_every_longest_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    now = [0.0]
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *a: collections.append(1) or 0)
    pause = _CyclicGcPause(longest=30.0, clock=lambda: now[0])
    with pause:  # a worker's evaluation starts, and others keep overlapping with it
        for now[0] in (10.0, 20.0, 31.0, 40.0, 62.0):
            with pause:
                assert not gc.isenabled()
    assert len(collections) == 2  # at 31 s, and 31 s later at 62 s
    assert gc.isenabled()


def reference_history_grid(existing: Grid, fresh: list[list[Any]], s: Any, as_of: dt.date) -> Grid:
    """The History tab as first written: kept rows and fresh rows sorted together, cell by cell.

    Rows of other weeks are kept in the template's columns: read by their header (here a History laid out before
    it had Start and Target: its first eight columns), Start and Target blank (no KR of these rows is known).
    """
    header = [c.label for c in catalog.columns("history", s.lang)]
    recomputed = set(weeks(s, as_of))
    kept = []
    for line in existing[1:]:
        if not line or all(is_blank(v) for v in line):
            continue
        week = parse_date(line[0], s.locale)
        if week is not None and monday(week) in recomputed:
            continue
        kept.append([*[*line, *[None] * 8][:8], None, None])

    def key(line: list[Any]) -> tuple[str, str]:
        week = line[0] if type(line[0]) is dt.date else parse_date(line[0], s.locale)
        return (week.isoformat() if week else "", str(line[1] or ""))

    return [header, *sorted([*kept, *fresh], key=key)]


WEEK_CELLS = st.one_of(st.dates(D(2024, 9, 1), D(2025, 4, 30)), st.none(),
                       st.sampled_from(["", "x", "2024-11-04", "13/01/2025", 45663]),
                       st.datetimes(dt.datetime(2024, 9, 1), dt.datetime(2025, 4, 30)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(WEEK_CELLS, cell), max_size=8), max_size=12), st.sampled_from([2, 5]),
       st.sampled_from([D(2025, 2, 14), D(2025, 4, 20)]))
def test_history_tab_keeps_other_weeks_in_order_as_a_sort_would(
    old: list[list[Any]], seed: int, as_of: dt.date
) -> None:
    ev = evaluate(random_workbook(seed).read(), "memory", as_of)
    s = ev.workbook.settings
    krs = ev.krs[~ev.krs["error"].astype(bool)]
    existing = [["Semaine"], *old]
    record = read_record(existing, krs, s, weeks(s, as_of))
    fresh = history_rows(krs, ev.checkins, s, as_of, record)
    assert typed(history_grid(record, fresh, s)) == typed(reference_history_grid(existing, fresh, s, as_of))
