"""The Google backend against the Sheets/Drive fake: call counts, types read, anchored writes, moving rows."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
import requests

from benchmarks.synthetic import AS_OF as SYNTHETIC_END
from benchmarks.synthetic import synthetic_layout, synthetic_snapshot
from sync.backends.google_api import MAX_REQUEST_BYTES, split_by_size
from sync.backends.gsheets import ANCHOR_KEY, READ_FIELDS, cell_value
from sync.backends.gsheets_growth import SPARE_MIN, insert_rows, laid_out_rows, room, service_room
from sync.backends.gsheets_layout import col_letters, layout_requests
from sync.backends.gsheets_values import rgb
from sync.engine import evaluate, run_sync
from sync.errors import BackendError
from sync.layout.build import Layout, Team, WorkbookSpec, build_layout
from sync.layout.demo import AS_OF, demo_layout
from sync.model import CellWrite, Percent, WritePlan
from sync.parsing.rowkey import row_key
from sync.template import catalog
from tests.builders import key_columns
from tests.google_fake import FakeGoogle, validate
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.google_harness import SA_EMAIL, Harness, anchored_rows, compact, in_use_bytes, tab, type_rows

CHECKINS = "Check-ins Marketing"
OKR = "OKR"
ORG = "Org"


def french_layout(rows: int = 300) -> Layout:
    return compact(build_layout(WorkbookSpec("Acme", "fr", "2025-T1", [Team("Marketing"), Team("Ventes")])), rows)


@pytest.fixture
def legacy(provisioned: tuple[Harness, str], google_fake: FakeGoogle) -> tuple[Harness, str]:
    """The workbook as an older okrsync laid it out: no row anchored yet, so the next sync anchors rows."""
    h, sid = provisioned
    google_fake.book(sid).metadata.clear()
    return h, sid


@pytest.fixture
def provisioned(google_fake: FakeGoogle) -> tuple[Harness, str]:
    h = Harness(google_fake)
    url = h.backend.provision(french_layout(), share=("marie@acme.example",))
    sid = url.rsplit("/", 1)[-1]
    # A person's week: three check-in rows, typed as people type them in a French-Canadian sheet.
    google_fake.set_values(sid, f"'{CHECKINS}'!A2", [
        ["2025-01-20", "MKT-KR1", 28, "🟢", "bon début"],
        ["2025-01-27", "MKT-KR2", "21,5 %", "60 %", "en retard"],
        ["2025-01-27", "MKT-KR1", 40, "🟡", ""],
    ])
    google_fake.exchanges.clear()
    return h, sid


def _plan(*cells: tuple[int, int, Any], tab: str = CHECKINS) -> WritePlan:
    return WritePlan(cells=[CellWrite(tab, row, col, value) for row, col, value in cells])


def _kinds(calls: list[Any]) -> list[str]:
    return [c.kind.rsplit(".", 1)[-1] for c in calls]


def test_real_size_layout_is_one_valid_batch() -> None:
    requests, ids = layout_requests(build_layout(WorkbookSpec("Acme", "fr", "2025-T1", [Team("Ventes")])), 0)
    validate("BatchUpdateSpreadsheetRequest", {"requests": requests})
    assert 0 not in ids.values() and requests[-1]["addChart"]
    sizes = {r["addSheet"]["properties"]["title"]: r["addSheet"]["properties"]["gridProperties"]
             for r in requests if "addSheet" in r}
    # Tabs are laid out as far as they are used, plus room to type (see gsheets_growth), not 3 000 empty rows.
    assert sizes["Historique"]["rowCount"] == sizes["Check-ins Ventes"]["rowCount"] == 1 + SPARE_MIN
    anchored = [r["createDeveloperMetadata"]["developerMetadata"]["location"]["dimensionRange"]
                for r in requests if "createDeveloperMetadata" in r]
    by_tab = {name: sorted(d["startIndex"] + 1 for d in anchored if d["sheetId"] == ids[name]) for name in ids}
    assert by_tab["Check-ins Ventes"] == by_tab["OKR"] == list(range(2, 2 + SPARE_MIN))
    assert by_tab["Historique"] == by_tab["Org"] == []


def test_a_hundred_team_workbook_stays_far_below_the_cell_limit() -> None:
    """Google's limit is 10 million cells a spreadsheet; the template laid out for 100 teams uses a few %."""
    spec = WorkbookSpec("Acme", "fr", "2025-T1", [Team(f"Équipe {i:03d}") for i in range(100)])
    requests, _ids = layout_requests(build_layout(spec), 0)
    grids = [r["addSheet"]["properties"]["gridProperties"] for r in requests if "addSheet" in r]
    cells = sum(g["rowCount"] * g["columnCount"] for g in grids)
    assert cells < 400_000  # 4 % of the limit
    assert all(len(json.dumps(part)) <= MAX_REQUEST_BYTES for part in split_by_size(requests, MAX_REQUEST_BYTES))


def test_provisioning_is_one_create_one_batch_and_the_shares(google_fake: FakeGoogle) -> None:
    h = Harness(google_fake)
    url = h.backend.provision(french_layout(), share=("marie@acme.example", "luc@acme.example"))
    sid = url.rsplit("/", 1)[-1]
    assert url == f"https://docs.google.com/spreadsheets/d/{sid}" == h.backend.location
    assert _kinds(google_fake.write_calls()) == ["create", "batchUpdate", "create", "create"]
    assert google_fake.read_calls() == []
    assert h.backend.api_calls() == (0, 4)

    book = google_fake.book(sid)
    assert book.properties["locale"] == "fr_CA" and book.properties["timeZone"] == "America/Montreal"
    assert book.titles() == ["Lisez-moi", "Réglages", "Objectifs annuels", OKR, "Initiatives", CHECKINS,
                             "Check-ins Ventes", "Check-ins Organisation", "Indicateurs", "Relevés KPI",
                             ORG, "Historique", "Listes"]
    assert book.sheet_by_title("Listes").properties["hidden"] is True  # type: ignore[union-attr]
    assert book.sheet_by_title(OKR).grid["frozenRowCount"] == 1  # type: ignore[union-attr]
    assert google_fake.values(sid, OKR)[0][:4] == ["ID", "Équipe", "Type", "Intitulé"]

    types = google_fake.validations(sid, OKR)["C2"]
    assert types["condition"]["type"] == "ONE_OF_LIST" and types["strict"] is True
    kr_list = google_fake.validations(sid, CHECKINS)["B2"]["condition"]
    assert kr_list == {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": "='Listes'!B2:B200"}]}

    rules = google_fake.conditional_formats(sid, CHECKINS)
    formulas = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in rules]
    assert '=$G2="Vert"' in formulas
    assert {r["booleanRule"]["condition"]["type"] for r in google_fake.conditional_formats(sid, ORG)} == {"TEXT_EQ"}
    protections = google_fake.protections(sid, ORG) + google_fake.protections(sid, OKR)
    assert protections and all(p["warningOnly"] for p in protections)
    progress = col_letters([c.key for c in catalog.columns("okrs", "fr")].index("progress") + 1)
    assert google_fake.formats(sid, OKR)[f"{progress}2"]["numberFormat"] == {"type": "PERCENT", "pattern": "0%"}

    chart = google_fake.charts(sid, ORG)[0]
    basic = chart["spec"]["basicChart"]
    assert (basic["chartType"], basic["stackedType"], basic["headerCount"]) == ("COMBO", "STACKED", 1)
    colours = catalog.template()["chart_colors"]
    assert [s["colorStyle"]["rgbColor"] for s in basic["series"]] == [
        rgb(colours[s]) for s in ("green", "yellow", "red", "none", "expected")]
    assert [s["type"] for s in basic["series"]] == ["COLUMN"] * 4 + ["LINE"]
    formats = google_fake.formats(sid, OKR)
    assert formats["F1"]["horizontalAlignment"] == "RIGHT" and formats["D5"]["wrapStrategy"] == "WRAP"
    assert chart["spec"]["title"] == "Progression par équipe"
    shared = {p.get("emailAddress"): p["role"] for p in google_fake.permissions(sid)}
    assert shared["marie@acme.example"] == shared["luc@acme.example"] == "writer"


def test_read_is_one_call_and_gives_python_types(provisioned: tuple[Harness, str],
                                                 google_fake: FakeGoogle) -> None:
    h, _sid = provisioned
    snapshot = h.backend.read()
    assert len(google_fake.read_calls()) == 1 and google_fake.write_calls() == []
    assert google_fake.exchanges[0].params["fields"] == [READ_FIELDS]
    assert snapshot.title == "OKR Acme 2025-T1" and snapshot.locale == "fr_CA"
    assert list(snapshot.tabs)[:4] == ["Lisez-moi", "Réglages", "Objectifs annuels", OKR]

    checkins = snapshot.tabs[CHECKINS]
    assert checkins.grid[1] == [dt.date(2025, 1, 20), "MKT-KR1", 28, "🟢", "bon début"]
    value, confidence = checkins.cell(3, 3), checkins.cell(3, 4)
    assert isinstance(value, Percent) and value == pytest.approx(0.215)
    assert isinstance(confidence, Percent) and confidence == pytest.approx(0.6)
    assert checkins.cell(4, 5) is None and len(checkins.grid) == 4  # blank cells and rows are None, trimmed

    settings = snapshot.tabs["Réglages"]
    assert settings.cell(6, 2) == dt.date(2025, 1, 1) and settings.cell(7, 2) == dt.date(2025, 3, 31)
    assert settings.cell(8, 2) == Percent(0.8) and isinstance(settings.cell(8, 2), Percent)
    assert h.backend.api_calls() == (1, 3)  # provisioning's create, batch and share, then the read


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ({}, None),
        ({"effectiveValue": {"numberValue": 28.0}}, 28),
        ({"effectiveValue": {"numberValue": 1325.5}, "effectiveFormat": {"numberFormat": {"type": "NUMBER"}}},
         1325.5),
        ({"effectiveValue": {"numberValue": 0.215}, "effectiveFormat": {"numberFormat": {"type": "PERCENT"}}},
         Percent(0.215)),
        ({"effectiveValue": {"numberValue": 45677}, "effectiveFormat": {"numberFormat": {"type": "DATE"}}},
         dt.date(2025, 1, 20)),
        ({"effectiveValue": {"numberValue": 45677.75}, "effectiveFormat": {"numberFormat": {"type": "DATE_TIME"}}},
         dt.date(2025, 1, 20)),
        ({"effectiveValue": {"stringValue": "bon début"}}, "bon début"),
        ({"effectiveValue": {"boolValue": True}}, True),
        ({"effectiveValue": {"errorValue": {"type": "N_A", "message": "not found"}}}, "#N/A"),
        ({"effectiveValue": {"errorValue": {"type": "DIVIDE_BY_ZERO"}}}, "#DIV/0!"),
        ({"effectiveFormat": {"numberFormat": {"type": "PERCENT"}}}, None),  # formatted but empty
    ],
)
def test_cells_read_as_python_values(cell: dict[str, Any], expected: Any) -> None:
    value = cell_value(cell)
    assert value == expected and type(value) is type(expected)


def test_rows_typed_into_the_laid_out_rows_are_written_in_one_call(provisioned: tuple[Harness, str],
                                                                   google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    snapshot = h.backend.read()
    plan = _plan((2, 6, Percent(0.224)), (2, 7, "Vert"), (3, 8, "Valeur illisible"), (4, 6, Percent(0.32)))
    result = h.backend.apply(plan, snapshot)
    # The rows were anchored when the tab was laid out: no call to anchor them.
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"]
    assert (result.cells, result.read_calls, result.write_calls) == (4, 0, 1)

    rows = google_fake.values(sid, CHECKINS)
    assert rows[1][5:7] == [0.224, "Vert"] and rows[1][:3] == [45677, "MKT-KR1", 28]  # people's cells intact
    assert rows[2][7] == "Valeur illisible" and rows[3][5] == 0.32

    google_fake.exchanges.clear()
    snapshot = h.backend.read()
    result = h.backend.apply(_plan((2, 7, "Jaune"), (3, 8, None)), snapshot)
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"] and result.write_calls == 1
    rows = google_fake.values(sid, CHECKINS)
    assert rows[1][6] == "Jaune" and rows[2][7:] == []  # None clears the cell
    assert h.backend.api_calls() == (2, 5)  # with provisioning's 3 (create, one batch, one share)


def test_a_row_people_insert_costs_one_call_to_anchor_it_once(provisioned: tuple[Harness, str],
                                                               google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    google_fake.insert_rows(sid, CHECKINS, 3)  # between two check-ins: a row with no anchor
    type_rows(google_fake, sid, CHECKINS, [["2025-01-20", "MKT-KR2", 12, "🟡"]], first_row=3)
    h.backend.apply(_plan((2, 7, "Vert"), (3, 7, "Jaune")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdate", "batchUpdateByDataFilter"]
    (batch,) = google_fake.bodies("spreadsheets.batchUpdate")
    assert [next(iter(r)) for r in batch["requests"]] == ["createDeveloperMetadata"]
    assert [r[6] for r in google_fake.values(sid, CHECKINS)[1:3]] == ["Vert", "Jaune"]
    google_fake.exchanges.clear()
    h.backend.apply(_plan((3, 7, "Rouge")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"]


def test_a_tab_short_of_free_rows_grows_once_with_formats_dropdowns_and_anchors(
        provisioned: tuple[Harness, str], google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    rows = 1 + SPARE_MIN
    assert google_fake.sheet(sid, CHECKINS).row_count == rows
    week = [["2025-01-27", "MKT-KR1", i, "🟢"] for i in range(rows - 15)]  # 14 free rows: under a quarter of room
    type_rows(google_fake, sid, CHECKINS, week, first_row=2)
    h.backend.apply(_plan((2, 7, "Vert")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdate", "batchUpdateByDataFilter"]
    used = len(week) + 1
    last = used + room(used)
    assert google_fake.sheet(sid, CHECKINS).row_count == last
    assert anchored_rows(google_fake, sid, CHECKINS) == list(range(2, last + 1))
    # The new rows look like the rows laid out: the date format and the KR dropdown.
    assert google_fake.cell(sid, f"'{CHECKINS}'!A{last}")["userEnteredFormat"]["numberFormat"]["type"] == "DATE"
    assert "dataValidation" in google_fake.cell(sid, f"'{CHECKINS}'!B{last}")
    google_fake.exchanges.clear()
    h.backend.apply(_plan((3, 7, "Vert")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"]


def test_empty_plan_makes_no_write_call(provisioned: tuple[Harness, str], google_fake: FakeGoogle) -> None:
    h, _sid = provisioned
    snapshot = h.backend.read()
    result = h.backend.apply(WritePlan(), snapshot)
    assert google_fake.write_calls() == [] and (result.cells, result.write_calls) == (0, 0)


@pytest.mark.parametrize("move", ["insert", "delete", "sort"])
def test_a_write_goes_by_anchor_which_follows_inserts_and_deletes_not_sorts(
        provisioned: tuple[Harness, str], google_fake: FakeGoogle, move: str) -> None:
    h, sid = provisioned
    label = {2: "ligne KR1 du 20", 3: "ligne KR2", 4: "ligne KR1 du 27"}
    h.backend.apply(_plan(*((row, 8, "") for row in label)), h.backend.read())  # the first sync anchors

    actions = {
        "insert": lambda s: google_fake.insert_rows(s, CHECKINS, 2),
        "delete": lambda s: google_fake.delete_rows(s, CHECKINS, 2),
        "sort": lambda s: google_fake.sort_rows(s, CHECKINS, "B", 2, 4, descending=True),
    }
    google_fake.before_write(actions[move])  # the person acts after the read, just before the write
    snapshot = h.backend.read()
    h.backend.apply(_plan(*((row, 8, text) for row, text in label.items())), snapshot)
    moved = google_fake.values(sid, CHECKINS)
    assert moved[1][:2] != [45677, "MKT-KR1"]  # rows really did move

    by_person = {(r[1], r[0]): r[7] for r in google_fake.values(sid, CHECKINS)[1:] if len(r) > 7}
    expected = {("MKT-KR1", 45677): label[2], ("MKT-KR2", 45684): label[3], ("MKT-KR1", 45684): label[4]}
    if move == "delete":
        del expected[("MKT-KR1", 45677)]  # the row is gone, and its cells with it: none land elsewhere
    if move == "sort":
        # A sort moves contents, not anchors: the write lands by position. The row key written with computed
        # cells makes that visible and the next sync repairs it (tests/test_people_editing.py).
        expected = {(line[1], line[0]): label[r] for r, line in enumerate(moved[1:4], start=2)}
    assert by_person == expected


def _anchors(google_fake: FakeGoogle, sid: str) -> list[tuple[int, int]]:
    """(metadata ID, 1-based row) of every row anchor, by ID."""
    return sorted((m["metadataId"], m["location"]["dimensionRange"]["startIndex"] + 1)
                  for m in google_fake.developer_metadata(sid, ANCHOR_KEY))


@pytest.mark.parametrize("lost", [requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError, 503])
def test_anchoring_applied_but_answered_with_a_fault_lays_one_set_and_writes(
        legacy: tuple[Harness, str], google_fake: FakeGoogle, lost: Any) -> None:
    h, sid = legacy
    plan = _plan((2, 7, "Vert"), (3, 7, "Jaune"), (4, 7, "Rouge"))
    before = copy.deepcopy(google_fake.book(sid))
    if isinstance(lost, int):
        google_fake.fail_next(":batchUpdate", lost, after_apply=True)
    else:
        google_fake.drop_next(":batchUpdate", lost, after_apply=True)
    result = h.backend.apply(plan, h.backend.read())

    # The retry carried the same anchor IDs: Google refused it whole, and one read found the anchors in place.
    anchors = _anchors(google_fake, sid)
    assert anchors == _laid_by_first_batch(google_fake)
    assert sorted(row for _i, row in anchors if row <= 4) == [2, 3, 4]  # the rows written, and room below
    [refusal] = google_fake.take_errors()
    assert "already exists" in refusal
    assert [(e.call.kind.rsplit(".", 1)[-1], e.status) for e in google_fake.exchanges] == [
        ("get", 200), ("batchUpdate", lost if isinstance(lost, int) else 0), ("batchUpdate", 400),
        ("get", 200), ("batchUpdateByDataFilter", 200)]
    assert (result.read_calls, result.write_calls) == (1, 2)  # the calls made, however many attempts
    assert [r[6] for r in google_fake.values(sid, CHECKINS)[1:4]] == ["Vert", "Jaune", "Rouge"]

    # The same sync with no fault lays the very same anchors.
    google_fake.books[sid] = before
    calm = Harness(google_fake, sid).backend
    calm.apply(plan, calm.read())
    assert _anchors(google_fake, sid) == anchors


def _laid_by_first_batch(google_fake: FakeGoogle) -> list[tuple[int, int]]:
    """(metadata ID, 1-based row) of every anchor the first batch created, by ID."""
    body = google_fake.bodies("spreadsheets.batchUpdate")[0]
    made = [r["createDeveloperMetadata"]["developerMetadata"]
            for r in body["requests"] if "createDeveloperMetadata" in r]
    return sorted((m["metadataId"], m["location"]["dimensionRange"]["startIndex"] + 1) for m in made)


def test_a_refused_batch_that_was_never_applied_stays_an_error(legacy: tuple[Harness, str],
                                                              google_fake: FakeGoogle) -> None:
    h, sid = legacy
    snapshot = h.backend.read()
    google_fake.fail_next(":batchUpdate", 503)  # not applied: the retry is refused for another reason
    google_fake.delete_rows(sid, CHECKINS, 2, SPARE_MIN - 1)  # ...the rows are gone, and the tab with them
    google_fake.book(sid).sheets.remove(google_fake.sheet(sid, CHECKINS))
    with pytest.raises(BackendError):
        h.backend.apply(_plan((2, 7, "Vert")), snapshot)
    assert "No grid with id" in google_fake.take_errors()[0]
    assert [e.call.kind.rsplit(".", 1)[-1] for e in google_fake.exchanges] == ["get", "batchUpdate",
                                                                               "batchUpdate", "get"]


def test_duplicate_anchors_go_with_a_write_the_sync_makes_anyway(provisioned: tuple[Harness, str],
                                                                  google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    laid = _anchors(google_fake, sid)
    # What an older okrsync left: a second anchor on rows 2 and 3 (a retried call laid a second set).
    sheet_id = google_fake.sheet(sid, CHECKINS).sheet_id
    extra = {2**31 - 2: 2, 2**31 - 3: 3}  # bigger than any of ours: the smallest ID on a row is the one kept
    for metadata_id, row in extra.items():
        google_fake.book(sid).metadata[metadata_id] = {
            "metadataId": metadata_id, "metadataKey": ANCHOR_KEY, "visibility": "DOCUMENT",
            "location": {"locationType": "ROW", "dimensionRange": {
                "sheetId": sheet_id, "dimension": "ROWS", "startIndex": row - 1, "endIndex": row}}}
    google_fake.exchanges.clear()

    h.backend.apply(_plan((2, 7, "Rouge")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdate", "batchUpdateByDataFilter"]
    deleted = {r["deleteDeveloperMetadata"]["dataFilter"]["developerMetadataLookup"]["metadataId"]
               for r in google_fake.bodies("spreadsheets.batchUpdate")[0]["requests"]}
    assert deleted == set(extra)
    assert _anchors(google_fake, sid) == laid  # anchors on free rows stay: people fill those rows next
    assert google_fake.values(sid, CHECKINS)[1][6] == "Rouge"

    google_fake.exchanges.clear()  # nothing left to clean: no call of its own
    h.backend.apply(_plan((2, 7, "Vert")), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"]


def test_service_tab_is_rewritten_whole_and_stale_cells_cleared(provisioned: tuple[Harness, str],
                                                                google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    h.backend.apply(WritePlan(tabs={ORG: [["Titre"], ["a", Percent(0.5), 3], ["b"], ["c", "d", "e", "f"]]}),
                    h.backend.read())
    h.backend.apply(WritePlan(tabs={ORG: [["Titre"], ["a", Percent(0.6)]]}), h.backend.read())
    assert google_fake.values(sid, ORG) == [["Titre"], ["a", 0.6]]
    assert anchored_rows(google_fake, sid, ORG) == []  # service tabs need no anchors


def test_service_tab_growing_past_its_grid_gets_rows_first(provisioned: tuple[Harness, str],
                                                           google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    have = google_fake.sheet(sid, "Listes").row_count
    tall = [[f"KR{i}", i] for i in range(have + 5)]
    h.backend.apply(WritePlan(tabs={"Listes": tall}), h.backend.read())
    assert _kinds(google_fake.write_calls()) == ["batchUpdate", "batchUpdateByDataFilter"]
    (grow,) = google_fake.bodies("spreadsheets.batchUpdate")[-1]["requests"]
    # Inserted below what the tab held, with as many free rows as used ones.
    assert grow["insertDimension"]["range"]["endIndex"] - grow["insertDimension"]["range"]["startIndex"] == \
        2 * len(tall) - have
    assert google_fake.values(sid, "Listes")[-1] == [f"KR{have + 4}", have + 4]


def test_a_write_over_two_megabytes_goes_in_parts_under_it(provisioned: tuple[Harness, str],
                                                           google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    tall = [[f"KR{i}", "x" * 200, i] for i in range(12_000)]  # about 2.8 MB of values
    h.backend.apply(WritePlan(tabs={"Org": tall}), h.backend.read())
    sizes = [len(json.dumps(e.body)) for e in google_fake.exchanges if e.call.kind.endswith("batchUpdateByDataFilter")]
    assert len(sizes) == 2 and all(size <= MAX_REQUEST_BYTES for size in sizes)
    assert google_fake.values(sid, "Org")[-1] == ["KR11999", "x" * 200, 11999]


def test_values_are_written_raw_with_dates_as_serials(provisioned: tuple[Harness, str],
                                                      google_fake: FakeGoogle) -> None:
    h, sid = provisioned
    plan = WritePlan(tabs={ORG: [["=1+1", dt.date(2025, 1, 20), Percent(0.25), True, 7]]})
    h.backend.apply(plan, h.backend.read())
    assert google_fake.values(sid, ORG) == [["=1+1", 45677, 0.25, True, 7]]
    sent = google_fake.bodies("values.batchUpdateByDataFilter")[-1]
    assert sent["valueInputOption"] == "RAW"


def test_rate_limited_write_is_retried_and_counted_once(provisioned: tuple[Harness, str],
                                                        google_fake: FakeGoogle) -> None:
    h, _sid = provisioned
    snapshot = h.backend.read()
    h.backend.apply(_plan((2, 7, "Vert")), snapshot)
    google_fake.fail_next("batchUpdateByDataFilter", 429, headers={"Retry-After": "3"})
    result = h.backend.apply(_plan((2, 7, "Rouge")), snapshot)
    assert result.write_calls == 1 and h.sleeps == [3.0]
    assert len(google_fake.write_calls(include_failed=True)) == 3


def test_errors_name_what_to_do(google_fake: FakeGoogle) -> None:
    sid = google_fake.new_spreadsheet("privé")
    google_fake.make_private(sid)
    with pytest.raises(BackendError) as caught:
        Harness(google_fake, sid).backend.read()
    assert str(caught.value) == f"Accès refusé au classeur {sid} : partagez-le avec {SA_EMAIL} en tant qu'éditeur."
    with pytest.raises(BackendError) as caught:
        Harness(google_fake, "inconnu", lang="en").backend.read()
    assert caught.value.key == "error.google_not_found" and "(inconnu)" in caught.value.message_in("en")


def test_a_whole_sync_costs_one_read_and_a_rerun_writes_nothing(google_fake: FakeGoogle) -> None:
    lang = "fr"
    sid = Harness(google_fake, lang=lang).backend.provision(compact(demo_layout(lang))).rsplit("/", 1)[-1]
    google_fake.exchanges.clear()
    backend = Harness(google_fake, sid, lang).backend  # as a later run would open it

    first = run_sync(backend, AS_OF)
    assert first["writes"]["api_calls"] == {"read": 1, "write": 1}  # rows were anchored at layout
    assert _kinds(google_fake.write_calls()) == ["batchUpdateByDataFilter"]
    assert first["writes"]["cells"] > 0

    google_fake.exchanges.clear()
    second = run_sync(backend, AS_OF)
    assert len(google_fake.read_calls()) == 1 and google_fake.write_calls() == []
    assert second["writes"] == {"cells": 0, "api_calls": {"read": 1, "write": 0}}  # this sync's own calls
    assert second["key_results"] == first["key_results"]


def test_the_row_key_column_is_laid_out_hidden_and_the_sync_still_writes_and_reads_its_keys(
        google_fake: FakeGoogle) -> None:
    """The key is the sync's: hidden by the layout's batch, one column a tab, and written and read as before."""
    layout = compact(demo_layout("fr"))
    requests, ids = layout_requests(layout, 0)
    validate("BatchUpdateSpreadsheetRequest", {"requests": requests})
    hidden: dict[int, list[int]] = {}
    for request in requests:
        props = request.get("updateDimensionProperties", {})
        if props.get("properties", {}).get("hiddenByUser"):
            assert props["fields"] == "hiddenByUser" and props["range"]["dimension"] == "COLUMNS"
            hidden.setdefault(props["range"]["sheetId"], []).extend(
                range(props["range"]["startIndex"] + 1, props["range"]["endIndex"] + 1))
    keyed = {ids[laid.name]: key_columns(laid) for laid in layout.tabs if key_columns(laid)}
    assert hidden == keyed and len(keyed) == 9  # OKR, four check-in tabs, the four people tables

    sid = Harness(google_fake, lang="fr").backend.provision(layout).rsplit("/", 1)[-1]
    backend = Harness(google_fake, sid, "fr").backend
    assert run_sync(backend, AS_OF)["writes"]["cells"] > 0
    assert run_sync(backend, AS_OF)["writes"]["cells"] == 0  # the keys read back as written
    book = google_fake.book(sid)
    for laid in layout.tabs:
        sheet = book.sheet_by_title(laid.name)
        assert sheet is not None
        assert sorted(c + 1 for c, p in sheet.col_props.items() if p.get("hiddenByUser")) == key_columns(laid)
    (key,) = key_columns(next(tab for tab in layout.tabs if tab.key == "checkins:Marketing"))
    week, kr = google_fake.values(sid, CHECKINS)[1][:2]
    assert google_fake.values(sid, CHECKINS)[1][key - 1] == row_key([kr, week]) == f"MKT-KR1|{week}"
    assert google_fake.take_errors() == []


def test_a_workbook_laid_out_with_its_quarter_typed_syncs_in_one_write_then_reads_under_twice(
        google_fake: FakeGoogle) -> None:
    # A quarter typed before the workbook is laid out (3 teams × 10 KRs × 13 weeks), the template as users get it.
    layout = synthetic_layout(3, 10, 3 * 10 * 13, "fr")
    harness = Harness(google_fake)
    sid = harness.backend.provision(layout).rsplit("/", 1)[-1]

    def read_ratio() -> float:
        (read,) = [e for e in google_fake.exchanges if e.is_read and e.call.kind.endswith("spreadsheets.get")]
        return len(read.text.encode()) / in_use_bytes(read.response)

    # History and Org are laid out for what the first sync writes there: it needs no call to grow them.
    google_fake.exchanges.clear()
    first = run_sync(Harness(google_fake, sid).backend, SYNTHETIC_END)
    assert first["writes"]["api_calls"] == {"read": 1, "write": 1}
    for title in (tab("history", "fr"), tab("org", "fr")):
        assert len(google_fake.values(sid, title)) <= google_fake.sheet(sid, title).row_count
    # A week of new rows, History full: one read under twice the rows in use, and one write.
    for t in range(3):
        title = tab("checkins", "fr", f"Équipe {t + 1:02d}")
        rows = [["07/04/2025", f"T{t}-KR{k + 1}", 50] for k in range(10)]
        type_rows(google_fake, sid, title, rows, first_row=len(google_fake.values(sid, title)) + 1)
    google_fake.exchanges.clear()
    week = run_sync(Harness(google_fake, sid).backend, SYNTHETIC_END)
    assert week["writes"]["api_calls"] == {"read": 1, "write": 1}
    assert read_ratio() <= 2


@pytest.mark.parametrize(("at", "rows_now", "inherits"), [(1, 1, False), (5, 5, True), (5, 9, False), (0, 0, False)],
                         ids=["only the header", "full tab", "free rows below", "empty tab"])
def test_grown_rows_look_like_a_free_row_or_the_last_used_one_never_the_header(at: int, rows_now: int,
                                                                               inherits: bool) -> None:
    request = insert_rows(7, at, 10, rows_now)["insertDimension"]
    assert request["inheritFromBefore"] is inherits
    assert request["range"] == {"sheetId": 7, "dimension": "ROWS", "startIndex": at, "endIndex": at + 10}


@pytest.mark.parametrize("teams", [3, 30])
def test_service_tabs_are_laid_out_for_their_first_sync(teams: int) -> None:
    # With its quarter typed, a workbook's first sync fills History and Org without growing them.
    layout = synthetic_layout(teams, 10, teams * 10 * 13, "fr")
    plan = evaluate(synthetic_snapshot(teams, 10, teams * 10 * 13, "fr"), "test", SYNTHETIC_END).plan
    for tab_layout in layout.tabs:
        if tab_layout.name in plan.tabs:
            need, laid_out = len(plan.tabs[tab_layout.name]), laid_out_rows(tab_layout, layout)
            assert service_room(1, laid_out, len(tab_layout.grid), need) == ([], laid_out), tab_layout.name
