"""The row key: the text the sync writes and the text the grey rule's formula makes from the row agree."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.backends.gsheets_values import api_value
from sync.model import Percent
from sync.parsing.rowkey import key_formula, key_text, row_key
from tests.test_people_editing import formula_is_true

CHECKIN = key_formula(9, [2, 1], [6, 7, 8, 9], 2)  # Key in I, from KR (B) and week (A); computed F:I
OKR = key_formula(18, [1], list(range(11, 19)), 2)  # Key in R, from the ID (A); computed K:R


def test_the_formulas_are_the_templates() -> None:
    assert CHECKIN == '=($I2<>($B2&"|"&$A2))*(($I2&$F2&$G2&$H2)<>"")=1'
    assert OKR == '=($R2<>($A2&""))*(($R2&$K2&$L2&$M2&$N2&$O2&$P2&$Q2)<>"")=1'


@pytest.mark.parametrize(("value", "text"), [
    (dt.date(2025, 1, 20), "45677"),           # a date: its serial number, as `&` gives it
    (dt.datetime(2025, 1, 20, 12), "45677.5"),
    ("20/01/2025", "20/01/2025"),               # text stays text, as typed
    (" MKT-KR1 ", " MKT-KR1 "),
    (12, "12"), (12.0, "12"), (2.5, "2.5"), (Percent(0.25), "0.25"),
    (None, ""), (True, "TRUE"),
])
def test_a_cell_reads_as_sheets_concatenates_it(value: Any, text: str) -> None:
    assert key_text(value) == text


@pytest.mark.parametrize("week", [dt.date(2025, 1, 20), "20/01/2025", None, 45677])
@pytest.mark.parametrize("kr", ["MKT-KR1", "", 12])
def test_a_row_with_the_key_the_sync_wrote_is_not_greyed_and_any_other_key_is(week: Any, kr: Any) -> None:
    """The row as Sheets holds it (RAW values: dates as serials), with the key the sync computed from it."""
    key = row_key([kr, week])
    row = [api_value(week), api_value(kr), 28, "🟢", "", 0.22, "Vert", "", key]
    assert not formula_is_true(CHECKIN, row, 2)
    assert formula_is_true(CHECKIN, [*row[:8], key + "x"], 2)
    moved = [api_value(dt.date(2025, 1, 27)), "MKT-KR2", *row[2:]]  # another row's cells under this key
    assert formula_is_true(CHECKIN, moved, 2)


def test_a_row_never_synced_or_blank_is_not_greyed_but_computed_cells_without_a_key_are() -> None:
    assert not formula_is_true(CHECKIN, [45677, "MKT-KR1", 28], 2)
    assert not formula_is_true(CHECKIN, [], 2)
    assert formula_is_true(CHECKIN, [45677, "MKT-KR1", 28, "", "", 0.22, "Vert"], 2)
    okr = ["MKT-KR1", *[""] * 9, 28, 0.22, 0.5, "", "Vert", 45677, "", row_key(["MKT-KR1"])]
    assert not formula_is_true(OKR, okr, 2)
    assert formula_is_true(OKR, ["MKT-KR2", *okr[1:]], 2)
