"""Every check-in validation rule: the bad row is skipped and says why, in the workbook's language."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.engine import run_sync
from sync.template import catalog
from tests.builders import objective_with_krs, okr, workbook

AS_OF = dt.date(2025, 2, 14)
GOOD = [dt.date(2025, 2, 3), "MKT-KR1", 40, "🟢", "fine"]


def krs() -> list[dict[str, Any]]:
    return [
        *objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Get 100 leads", start=0, target=100, unit="leads"),
            okr("MKT-KR2", "Marketing", "milestone", "Launch the site"),
        ),
        *objective_with_krs(
            okr("VEN-KR1", "Ventes", "increase", "Sign 10", start=0, target=10),
            okr("VEN-KR2", "Ventes", "increase", "Sign 20", start=0, target=20),
            team="Ventes",
            obj_id="VEN-O1",
        ),
    ]


CASES = [
    ("kr_missing", [AS_OF, None, 3, "🟢", ""], "kr"),
    ("unknown_kr", [AS_OF, "MKT-KR9", 3, "🟢", ""], "kr"),
    ("not_a_kr", [AS_OF, "MKT-O1", 3, "🟢", ""], "kr"),
    ("kr_other_team", [AS_OF, "VEN-KR1", 3, "🟢", ""], "kr"),
    ("value_missing", [AS_OF, "MKT-KR1", None, "🟢", ""], "value"),
    ("value_not_number", [AS_OF, "MKT-KR1", "beaucoup", "🟢", ""], "value"),
    ("milestone_value", [AS_OF, "MKT-KR2", "peut-être", "🟢", ""], "value"),
    ("confidence_unrecognised", [AS_OF, "MKT-KR1", 3, "bof", ""], "confidence"),
    ("confidence_out_of_range", [AS_OF, "MKT-KR1", 3, "150 %", ""], "confidence"),
    ("date_missing", [None, "MKT-KR1", 3, "🟢", ""], "week"),
    ("date_unreadable", ["31/02/2025", "MKT-KR1", 3, "🟢", ""], "week"),
    ("date_outside_quarter", [dt.date(2024, 12, 20), "MKT-KR1", 3, "🟢", ""], "week"),
    ("date_in_future", [dt.date(2025, 2, 20), "MKT-KR1", 3, "🟢", ""], "week"),
]


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(("code", "bad", "column"), CASES, ids=[c[0] for c in CASES])
def test_bad_check_in_row_is_skipped_with_a_message(lang: str, code: str, bad: list[Any], column: str) -> None:
    after = [dt.date(2025, 2, 10), "MKT-KR1", 50, None, ""]
    backend = workbook(krs(), {"Marketing": [GOOD, bad, after]}, lang=lang)
    report = run_sync(backend, AS_OF)
    tab = catalog.checkin_tab_name("Marketing", lang)
    errors = [p for p in report["problems"] if p["severity"] == "error"]
    assert [(p["tab"], p["row"], p["code"]) for p in errors] == [(tab, 3, code)]
    label = {c.key: c.label for c in catalog.columns("checkins", lang)}[column]
    assert errors[0]["column"] == label
    assert report["checkins"] == {"rows": 3, "valid": 2, "invalid": 1}
    # The rows around it still count: the latest valid one is the current value.
    kr = next(k for k in report["key_results"] if k["id"] == "MKT-KR1")
    assert kr["current"] == 50
    # The message is in the workbook's language and lands in the row's Validation cell.
    expected_message = errors[0]["message"]
    cols = {c.key: i for i, c in enumerate(catalog.columns("checkins", lang), start=1)}
    assert backend.tabs[tab][2][cols["validation"] - 1] == expected_message
    assert backend.tabs[tab][2][cols["status"] - 1] is None
    other_lang = "en" if lang == "fr" else "fr"
    template = catalog.messages()[f"checkin.{code}"]
    assert template[lang] != template[other_lang]


def test_same_kr_same_week_is_a_warning_and_the_lower_row_counts() -> None:
    rows = [[dt.date(2025, 2, 10), "MKT-KR1", 40, None, ""], [dt.date(2025, 2, 12), "MKT-KR1", 45, None, ""]]
    report = run_sync(workbook(krs(), {"Marketing": rows}, lang="en"), AS_OF)
    [problem] = report["problems"]
    assert (problem["code"], problem["severity"], problem["row"]) == ("duplicate_checkin", "warning", 2)
    assert "row 3" in problem["message"]
    assert report["checkins"]["valid"] == 2
    assert next(k for k in report["key_results"] if k["id"] == "MKT-KR1")["current"] == 45


def test_check_in_of_a_kr_with_an_okr_error_is_skipped() -> None:
    okrs = objective_with_krs(
        okr("MKT-KR1", "Marketing", "increase", "Get 10", start=10, target=10),
        okr("MKT-KR2", "Marketing", "increase", "Get 5", start=0, target=5),
    )
    report = run_sync(workbook(okrs, {"Marketing": [[AS_OF, "MKT-KR1", 3, None, ""]]}), AS_OF)
    codes = {p["code"] for p in report["problems"]}
    assert {"start_equals_target", "kr_not_scorable"} <= codes
    assert report["checkins"]["invalid"] == 1


def test_blank_rows_are_not_rows() -> None:
    report = run_sync(workbook(krs(), {"Marketing": [GOOD, [None, "", "  ", None, None], GOOD]}), AS_OF)
    assert report["checkins"]["rows"] == 2
