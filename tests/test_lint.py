"""The OKR tab's quality lint: each rule gives a warning (or an error) in the row's Notes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.engine import run_sync
from sync.template import catalog
from tests.builders import okr, workbook

AS_OF = dt.date(2025, 2, 14)


def kr(i: int, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(
        id=f"MKT-KR{i}", team="Marketing", type="increase", title=f"Get {i}0 leads", start=0, target=10
    )
    base.update(kw)
    return okr(**base)


OBJ = okr("MKT-O1", "Marketing", "objective", "Be the reference")
CASES: list[tuple[str, list[dict[str, Any]], str, str]] = [
    ("duplicate_id", [OBJ, kr(1), kr(2), kr(1)], "MKT-KR1", "error"),
    ("missing_id", [OBJ, kr(1), kr(2), kr(3, id="")], "", "error"),
    ("unknown_type", [OBJ, kr(1), kr(2), kr(3, type="Grow")], "MKT-KR3", "error"),
    ("unknown_team", [OBJ, kr(1), kr(2), kr(3, team="Finance")], "MKT-KR3", "warning"),
    ("kr_without_objective", [kr(1), OBJ, kr(2), kr(3)], "MKT-KR1", "warning"),
    ("unknown_parent", [OBJ, kr(1), kr(2, parent="ORG-KR7")], "MKT-KR2", "warning"),
    ("parent_kind", [OBJ, kr(1), kr(2, parent="MKT-O1")], "MKT-KR2", "warning"),
    ("parent_cycle", [OBJ, kr(1, parent="MKT-KR2"), kr(2, parent="MKT-KR1")], "MKT-KR1", "error"),
    (
        "too_many_levels",
        [
            okr("A", "ORG", "objective", "a"),
            okr("B", "Marketing", "objective", "b", parent="A"),
            okr("C", "Marketing", "objective", "c", parent="B"),
            okr("D", "Marketing", "objective", "d", parent="C"),
            kr(1),
            kr(2),
        ],
        "D",
        "warning",
    ),
    ("too_few_krs", [OBJ, kr(1)], "MKT-O1", "warning"),
    ("too_many_krs", [OBJ, *[kr(i) for i in range(1, 7)]], "MKT-O1", "warning"),
    (
        "too_many_objectives",
        [x for i in range(1, 7) for x in (okr(f"O{i}", "Marketing", "objective", "o"), kr(2 * i), kr(2 * i + 1))],
        "O6",
        "warning",
    ),
    ("kr_without_owner", [OBJ, kr(1, owner=""), kr(2)], "MKT-KR1", "warning"),
    ("kr_without_number", [OBJ, kr(1, title="Lancer une campagne LinkedIn"), kr(2)], "MKT-KR1", "warning"),
    ("target_missing", [OBJ, kr(1, target=None), kr(2)], "MKT-KR1", "error"),
    ("target_not_number", [OBJ, kr(1, target="beaucoup"), kr(2)], "MKT-KR1", "error"),
    ("start_not_number", [OBJ, kr(1, start="n/a"), kr(2)], "MKT-KR1", "error"),
    ("start_missing", [OBJ, kr(1, type="decrease", start=None, target=2), kr(2)], "MKT-KR1", "error"),
    ("start_equals_target", [OBJ, kr(1, start=5, target=5), kr(2)], "MKT-KR1", "error"),
    ("wrong_direction", [OBJ, kr(1, start=10, target=5), kr(2)], "MKT-KR1", "warning"),
    ("weight_not_number", [OBJ, kr(1, weight="lourd"), kr(2)], "MKT-KR1", "warning"),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("code", "okrs", "row_id", "severity"), CASES, ids=[c[0] for c in CASES])
def test_okr_lint_rule_lands_in_the_rows_notes(
    lang: str, code: str, okrs: list[dict[str, Any]], row_id: str, severity: str
) -> None:
    backend = workbook(okrs, lang=lang)
    report = run_sync(backend, AS_OF)
    found = [p for p in report["problems"] if p["code"] == code]
    assert found, report["problems"]
    assert {p["severity"] for p in found} == {severity}
    tab = catalog.tab_name("okrs", lang)
    grid = backend.tabs[tab]
    rows = [i for i, line in enumerate(grid[1:], start=2) if (line[0] or "") == row_id]
    assert found[0]["row"] in rows
    notes_col = [c.key for c in catalog.columns("okrs", lang)].index("notes")
    assert found[0]["message"] in (grid[found[0]["row"] - 1][notes_col] or "")


def test_a_clean_okr_tab_has_no_problems() -> None:
    report = run_sync(workbook([OBJ, kr(1), kr(2), kr(3)]), AS_OF)
    assert report["problems"] == []


def test_a_kr_that_is_an_activity_is_told_apart_from_a_result() -> None:
    report = run_sync(
        workbook([OBJ, kr(1, title="Générer 125 leads qualifiés"), kr(2, title="Lancer une campagne LinkedIn")]), AS_OF
    )
    assert [p["row"] for p in report["problems"] if p["code"] == "kr_without_number"] == [4]
