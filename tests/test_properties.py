"""Whatever people type, a sync never raises, loses no row, changes no input cell, and scores as the rules say."""

from __future__ import annotations

import copy
import datetime as dt
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.template import catalog
from tests.builders import OKR_KEYS, objective_with_krs, okr, workbook, workbook_layout

AS_OF = dt.date(2025, 2, 14)
TAB = catalog.checkin_tab_name("Marketing", "fr")
COLS = {c.key: i for i, c in enumerate(catalog.columns("checkins", "fr"))}

SAMPLES = st.sampled_from(
    ["MKT-KR1", "MKT-KR2", "VEN-KR1", "mkt-kr1 ", "🟢", "jaune", "80 %", "1 200,5", "3,5 M$", "13/01/2025",
     "2025-02-03", "fait", "", "  "]
)  # fmt: skip
NOT_TEXT = (
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(dt.date(2024, 10, 1), dt.date(2025, 6, 30)),
)
cell = st.one_of(st.text(max_size=12), SAMPLES, *NOT_TEXT)
row = st.lists(cell, min_size=5, max_size=5)


def okrs() -> list[dict[str, Any]]:
    return [
        *objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Get 100", start=0, target=100),
            okr("MKT-KR2", "Marketing", "milestone", "Launch"),
        ),
        *objective_with_krs(
            okr("VEN-KR1", "Ventes", "increase", "Sign 10", start=0, target=10),
            okr("VEN-KR2", "Ventes", "increase", "Sign 10", start=0, target=10),
            team="Ventes",
            obj_id="VEN-O1",
        ),
    ]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(row, min_size=1, max_size=8))
def test_any_typed_check_in_rows_are_scored_or_explained(rows: list[list[Any]]) -> None:
    backend = workbook(okrs(), {"Marketing": rows})
    typed = copy.deepcopy(backend.tabs[TAB])
    report = run_sync(backend, AS_OF)
    grid = backend.tabs[TAB]
    for r, line in enumerate(typed[1:], start=1):
        after = grid[r]
        for key in ("week", "kr", "value", "confidence", "comment"):
            c = COLS[key]
            before = line[c] if c < len(line) else None
            assert after[c] == before or (before != before and after[c] != after[c])  # NaN stays NaN
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in line[:5]):
            continue
        scored = after[COLS["progress"]] is not None if COLS["progress"] < len(after) else False
        explained = COLS["validation"] < len(after) and bool(after[COLS["validation"]])
        assert scored or explained, (line, after)
    assert report["checkins"]["rows"] == report["checkins"]["valid"] + report["checkins"]["invalid"]


def same_cell(after: Any, before: Any) -> bool:
    return after == before or (before != before and after != after)  # NaN stays NaN


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(cell, min_size=len(OKR_KEYS), max_size=len(OKR_KEYS)), min_size=1, max_size=6))
def test_any_typed_okr_rows_without_check_ins_leave_every_status_none(rows: list[list[Any]]) -> None:
    backend = workbook([])
    tab = catalog.tab_name("okrs", "fr")
    for line in rows:
        backend.append_row(tab, line)
    typed = copy.deepcopy(backend.tabs[tab])

    report = run_sync(backend, AS_OF)

    # Silence is never green: with no check-in anywhere, nothing has progress or a colour.
    scored = [*report["key_results"], *report["objectives"], *report["teams"], report["org"]]
    assert [(s["progress"], s["status"]) for s in scored] == [(None, "none")] * len(scored)
    for problem in report["problems"]:
        assert problem["code"] and problem["message"], problem
    for before, after in zip(typed[1:], backend.tabs[tab][1:], strict=True):
        assert all(same_cell(after[c], before[c]) for c in range(len(OKR_KEYS))), (before, after)


# --- status and progress against the design's rules, computed here from product.md, not from the engine ---

QUARTER_START, QUARTER_END = dt.date(2025, 1, 1), dt.date(2025, 3, 31)
FIGURES = [0, 20, 40, 60, 100, 120, 200]
EXPECTED = Fraction((AS_OF - QUARTER_START).days + 1, (QUARTER_END - QUARTER_START).days + 1)  # 45/90


@st.composite
def key_result(draw: st.DrawFn, n: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["increase", "decrease", "at_least", "at_most"]))
    # Round figures, so that values can land on the band edges (40 of 0 -> 100 is exactly 10 points behind pace).
    low, high = sorted(draw(st.lists(st.sampled_from(FIGURES), min_size=2, max_size=2, unique=True)))
    if kind == "increase":
        start, target = draw(st.sampled_from([None, low])) if low else None, high  # a blank start is 0
    elif kind == "decrease":
        start, target = high, low
    else:
        start, target = None, draw(st.sampled_from(FIGURES))
    return okr(f"MKT-KR{n}", "Marketing", kind, f"Reach {target}", start=start, target=target)


DAYS = st.dates(QUARTER_START, AS_OF)
# Half the check-ins without a confidence (judged by pace), the others often on a band's edge.
CONFIDENCES = st.one_of(st.none(), st.one_of(st.sampled_from([49, 50, 79, 80]), st.integers(0, 100)))


def values_for(kr: dict[str, Any]) -> st.SearchStrategy[int]:
    """Any value, or one on an edge of the rules: the target and beside it, or exactly on a pace band's edge."""
    start, target = kr["start"] or 0, kr["target"]
    if kr["type"] in ("at_least", "at_most"):
        edges = [target - 1, target, target + 1]
    else:
        # 25 % and 40 % of the way are 25 and 10 points behind the expected 50 %: the pace bands' edges.
        edges = [start + (target - start) * p for p in (Fraction(25, 100), Fraction(40, 100), 1)]
    return st.one_of(st.integers(0, 250), st.sampled_from([int(v) for v in edges if v >= 0]))


def expected_progress(kr: dict[str, Any], current: int) -> Fraction:
    """product.md, Rules: progress of a KR, clamped to 0-1."""
    target = Fraction(kr["target"])
    if kr["type"] == "at_least":
        return Fraction(current >= target)
    if kr["type"] == "at_most":
        return Fraction(current <= target)
    start = Fraction(kr["start"] or 0)
    return min(max((current - start) / (target - start), Fraction(0)), Fraction(1))


def band(share: Fraction, green: Fraction, yellow: Fraction) -> str:
    return "green" if share >= green else "yellow" if share >= yellow else "red"


def expected_status(progress: Fraction | None, confidence: int | None) -> str:
    """product.md, Rules: the confidence band of the latest check-in, else the pace; none without a check-in."""
    if progress is None:
        return "none"
    if confidence is not None:
        return band(Fraction(confidence, 100), Fraction(8, 10), Fraction(5, 10))
    return band(progress - EXPECTED, Fraction(-10, 100), Fraction(-25, 100))


def latest(rows: list[list[Any]], kr_id: str) -> list[Any] | None:
    """The latest check-in of a KR: latest week (from Monday), and in the same week the lower row."""
    mine = [(r[0] - dt.timedelta(days=r[0].weekday()), i, r) for i, r in enumerate(rows) if r[1] == kr_id]
    return max(mine, key=lambda t: t[:2])[2] if mine else None


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_every_kr_is_scored_and_coloured_as_the_rules_say(data: st.DataObject) -> None:
    krs = [data.draw(key_result(n)) for n in range(1, data.draw(st.integers(2, 6)) + 1)]
    rows = []
    for kr in data.draw(st.lists(st.sampled_from(krs), max_size=16)):
        day, value, confidence = data.draw(st.tuples(DAYS, values_for(kr), CONFIDENCES))
        rows.append([day, kr["id"], value, None if confidence is None else f"{confidence} %", ""])

    report = run_sync(workbook(objective_with_krs(*krs), {"Marketing": rows}), AS_OF)

    assert report["checkins"] == {"rows": len(rows), "valid": len(rows), "invalid": 0}
    assert report["workbook"]["elapsed"] == pytest.approx(float(EXPECTED), abs=1e-4)
    scored = {k["id"]: k for k in report["key_results"]}
    progresses = []
    for kr in krs:
        last = latest(rows, kr["id"])
        progress = None if last is None else expected_progress(kr, last[2])
        confidence = None if last is None or last[3] is None else int(last[3].removesuffix(" %"))
        got = scored[kr["id"]]
        assert got["current"] == (None if last is None else last[2]), kr
        assert got["progress"] == (None if progress is None else pytest.approx(float(progress), abs=1e-4)), kr
        assert got["status"] == expected_status(progress, confidence), (kr, last)
        progresses.append(Fraction(0) if progress is None else progress)
    # product.md: an objective's progress is the weighted mean of its KRs' (weights 1 here; none counts 0).
    if any(scored[kr["id"]]["progress"] is not None for kr in krs):
        mean = sum(progresses) / len(progresses)
        assert report["objectives"][0]["progress"] == pytest.approx(float(mean), abs=1e-4)
        # A team (one objective here) is judged by its pace, whatever its KRs' confidence.
        team = next(t for t in report["teams"] if t["team"] == "Marketing")
        assert team["status"] == band(mean - EXPECTED, Fraction(-10, 100), Fraction(-25, 100))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 250), min_size=2, max_size=8), st.sampled_from([None, 0, 20]), st.integers(1, 200))
def test_an_increase_kr_progresses_with_its_current_value(values: list[int], start: int | None, span: int) -> None:
    krs = [okr(f"MKT-KR{n}", "Marketing", "increase", "Reach", start=start, target=(start or 0) + span)
           for n in range(1, len(values) + 1)]
    rows = [[dt.date(2025, 2, 3), kr["id"], value, None, ""] for kr, value in zip(krs, values, strict=True)]

    report = run_sync(workbook(objective_with_krs(*krs), {"Marketing": rows}), AS_OF)

    by_value = sorted(zip(values, (k["progress"] for k in report["key_results"]), strict=True))
    progress = [p for _, p in by_value]
    assert all(0 <= p <= 1 for p in progress)
    assert progress == sorted(progress)  # more done is never less progress
    # and never a worse pace colour
    ranks = {"green": 0, "yellow": 1, "red": 2}
    statuses = [ranks[s] for _, s in sorted(zip(values, (k["status"] for k in report["key_results"]), strict=True))]
    assert statuses == sorted(statuses, reverse=True)


# A spreadsheet cell cannot hold control characters: nobody can type them there.
printable = st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=12)
# Nor infinity, NaN or 1e308: nobody types such numbers.
typable = (st.none(), st.integers(-(10**6), 10**6), st.floats(-1e15, 1e15), st.booleans(),
           st.dates(dt.date(2024, 10, 1), dt.date(2025, 6, 30)))  # fmt: skip
# In the date-formatted Week column, a number in [0, 1) is a time of day to openpyxl, which then rewrites its
# format: a value nobody types there as a week, left out.
week = st.one_of(
    printable, SAMPLES, st.none(), st.integers(1, 10**6), st.dates(dt.date(2024, 10, 1), dt.date(2025, 6, 30))
)
xlsx_row = st.tuples(week, *[st.one_of(printable, SAMPLES, *typable)] * 4).map(list)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(st.lists(xlsx_row, min_size=1, max_size=5))
def test_typed_rows_survive_a_real_xlsx_round_trip(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[Any]]
) -> None:
    path = tmp_path_factory.mktemp("wb") / "okr.xlsx"
    XlsxBackend(path).provision(workbook_layout(okrs(), {"Marketing": rows}))
    typed = [line[:5] for line in XlsxBackend(path).read().tabs[TAB].grid]
    report = run_sync(XlsxBackend(path), AS_OF)
    after = XlsxBackend(path).read().tabs[TAB].grid
    assert [line[:5] + [None] * (5 - len(line[:5])) for line in after[: len(typed)]] == [
        line + [None] * (5 - len(line)) for line in typed
    ]
    assert report["checkins"]["rows"] == report["checkins"]["valid"] + report["checkins"]["invalid"]
