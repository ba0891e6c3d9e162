"""The add-on's snapshot JSON read as a Snapshot: cells typed like the Google backend's, every flaw named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.errors import BadArgument
from sync.model import Percent
from sync.wire.snapshot import MAX_TABS, MAX_TEXT, format_kind, read_snapshot


def body(*tabs: dict[str, Any], sid: str = "1AbC-_x") -> dict[str, Any]:
    return {"spreadsheet": {"id": sid, "title": "OKR Acme", "locale": "fr_CA", "time_zone": "America/Montreal"},
            "tabs": list(tabs)}


def one_cell(value: Any, pattern: str = "") -> Any:
    snapshot, _ = read_snapshot(body({"name": "T", "values": [[value, "x"]], "formats": [[pattern, ""]]}), "en")
    return snapshot.tabs["T"].grid[0][0]


@pytest.mark.parametrize(("pattern", "kind"), [
    ("0%", "percent"), ("0.00%", "percent"), ('0.0" %"', None), ("\\%0", None), ("yyyy-mm-dd", "date"),
    ("d/m/yyyy", "date"), ("M/d/yyyy H:mm", "date"), ("0.###", None), ("[Red]0.00", None), ('0 "days"', None),
    ("#,##0", None), ("", None), ("0%;[Red]-0%", "percent"), ("dd%", "percent"),
])
def test_a_number_formats_kind_ignores_quoted_escaped_and_bracketed_parts(pattern: str, kind: str | None) -> None:
    assert format_kind(pattern) == kind


@pytest.mark.parametrize(("value", "pattern", "expected"), [
    (None, "", None), ("", "", None), ("Ventes", "", "Ventes"), (True, "", True), (False, "0", False),
    (12, "", 12), (12.0, "0.00", 12), (12.5, "", 12.5), (2**60, "", float(2**60)),
    (0.215, "0%", Percent(0.215)), (1, "0.0%", Percent(1.0)),
    (45702, "yyyy-mm-dd", dt.date(2025, 2, 14)), (45702.75, "d/m/yyyy h:mm", dt.date(2025, 2, 14)),
    ({"date": "2025-02-14"}, "", dt.date(2025, 2, 14)), ({"date": "2025-02-14"}, "0%", dt.date(2025, 2, 14)),
])
def test_cells_are_typed_as_the_google_backend_types_them(value: Any, pattern: str, expected: Any) -> None:
    found = one_cell(value, pattern)
    assert found == expected and type(found) is type(expected)


def test_a_snapshot_keeps_tabs_title_locale_and_the_spreadsheet_trailing_blanks_trimmed() -> None:
    snapshot, sheet = read_snapshot(body({"name": "OKR", "values": [["ID", None, ""], [], [None]]},
                                         {"name": "Org", "values": []}), "fr")
    assert (sheet.id, sheet.title, sheet.locale, sheet.time_zone) == ("1AbC-_x", "OKR Acme", "fr_CA",
                                                                      "America/Montreal")
    assert snapshot.title == "OKR Acme" and snapshot.locale == "fr_CA"
    assert snapshot.tabs["OKR"].grid == [["ID"]] and snapshot.tabs["Org"].grid == []


TAB = {"name": "OKR", "values": [["a"]]}
MALFORMED = [
    ([], "snapshot"),
    ({"tabs": []}, "snapshot.spreadsheet"),
    ({"spreadsheet": {"id": "x y"}, "tabs": []}, "snapshot.spreadsheet.id"),
    ({"spreadsheet": {}, "tabs": []}, "snapshot.spreadsheet.id"),
    ({"spreadsheet": {"id": "1", "title": 5}, "tabs": []}, "snapshot.spreadsheet.title"),
    ({"spreadsheet": {"id": "1"}, "tabs": {"OKR": []}}, "snapshot.tabs"),
    ({"spreadsheet": {"id": "1"}}, "snapshot.tabs"),
    (body(TAB, {"name": "Org", "values": []}, {"name": "Lists", "values": []}, {"values": []}),
     "snapshot.tabs[3].name"),
    (body({"name": "  ", "values": []}), "snapshot.tabs[0].name"),
    (body({"name": "x" * 101, "values": []}), "snapshot.tabs[0].name"),
    (body({"name": "OKR"}), "snapshot.tabs[0].values"),
    (body({"name": "OKR", "values": "a,b"}), "snapshot.tabs[0].values"),
    (body({"name": "OKR", "values": [["a"], "b"]}), "snapshot.tabs[0].values[1]"),
    (body({"name": "OKR", "values": [[], [], ["a", {"date": "2025-02-30"}]]}), "snapshot.tabs[0].values[2][1].date"),
    (body({"name": "OKR", "values": [[{"date": "14/02/2025"}]]}), "snapshot.tabs[0].values[0][0].date"),
    (body({"name": "OKR", "values": [[{"date": "2025-02-14", "time": "10:00"}]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [[{"formula": "=A1"}]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [[["nested"]]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [[10**400]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [[float("inf")]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [["x" * (MAX_TEXT + 1)]]}), "snapshot.tabs[0].values[0][0]"),
    (body({"name": "OKR", "values": [[1]], "formats": [[0]]}), "snapshot.tabs[0].formats[0][0]"),
    (body({"name": "OKR", "values": [[1]], "formats": ["0%"]}), "snapshot.tabs[0].formats[0]"),
    (body(*[{"name": f"T{i}", "values": []} for i in range(MAX_TABS + 1)]), "snapshot.tabs"),
    (body(TAB, {"name": "Org", "values": []}, TAB), "snapshot.tabs[2].name"),
]


@pytest.mark.parametrize(("raw", "path"), MALFORMED)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_malformed_snapshot_is_a_400_that_names_where(raw: Any, path: str, lang: str) -> None:
    with pytest.raises(BadArgument) as caught:
        read_snapshot(raw, lang)
    assert caught.value.status_code == 400
    assert str(caught.value).startswith(path + (" :" if lang == "fr" else ":"))


def test_a_duplicate_tab_is_named_in_both_languages() -> None:
    with pytest.raises(BadArgument) as caught:
        read_snapshot(body(TAB, TAB), "fr")
    assert "« OKR » figure deux fois" in str(caught.value)
    assert 'the tab "OKR" appears twice' in caught.value.message_in("en")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=30,
)
CELL = st.one_of(JSON, st.fixed_dictionaries({"date": st.text(max_size=12)}),
                 st.dates().map(lambda d: {"date": d.isoformat()}))
SHAPED = st.fixed_dictionaries({
    "spreadsheet": st.one_of(JSON, st.fixed_dictionaries({"id": st.sampled_from(["1AbC", "", "a b", 3])})),
    "tabs": st.lists(st.fixed_dictionaries({
        "name": st.one_of(st.sampled_from(["OKR", "Org", ""]), JSON),
        "values": st.one_of(JSON, st.lists(st.lists(CELL, max_size=4), max_size=4)),
        "formats": st.one_of(JSON, st.lists(st.lists(st.sampled_from(["0%", "yyyy", "", "[d]0"]), max_size=4))),
    }), max_size=3),
})


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, SHAPED))
def test_any_json_is_a_snapshot_or_a_bad_argument(raw: Any) -> None:
    try:
        snapshot, _ = read_snapshot(raw, "en")
    except BadArgument as err:
        assert err.status_code == 400 and str(err)
    else:
        assert all(isinstance(row, list) for tab in snapshot.tabs.values() for row in tab.grid)
