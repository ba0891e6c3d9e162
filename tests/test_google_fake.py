"""The Google fake itself, driven through real gspread 6: shapes match the recordings, bad bodies fail."""

from __future__ import annotations

from typing import Any

import gspread
import pytest
import requests
import responses

from tests.google_fake import FakeGoogle, NotFaked, SchemaViolation, dummy_credentials, validate
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.google_fake.a1 import A1Range, parse

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE = "https://www.googleapis.com/drive/v3/files"
KEY = "okrsync.row"
NOT_FOUND = {"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
FORBIDDEN = {"error": {"code": 403, "message": "The caller does not have permission",
                       "status": "PERMISSION_DENIED"}}
RECORDED_SHEET1 = {"sheetId": 0, "title": "Sheet1", "index": 0, "sheetType": "GRID",
                   "gridProperties": {"rowCount": 1000, "columnCount": 26}}


@pytest.fixture
def client() -> gspread.Client:
    return gspread.Client(auth=dummy_credentials())


def _post(client: gspread.Client, url: str, body: dict[str, Any]) -> Any:
    return client.http_client.request("post", url, json=body).json()


def _grid(rows: tuple[int, int | None] = (0, None), cols: tuple[int, int | None] = (0, None),
          sheet: int = 0) -> dict[str, Any]:
    """A GridRange from 0-based half-open (start, end) rows and columns; None leaves a side open."""
    out = {"sheetId": sheet, "startRowIndex": rows[0], "startColumnIndex": cols[0]}
    if rows[1] is not None:
        out["endRowIndex"] = rows[1]
    if cols[1] is not None:
        out["endColumnIndex"] = cols[1]
    return out


def _rows(start: int, end: int, sheet: int = 0) -> dict[str, Any]:
    return {"sheetId": sheet, "dimension": "ROWS", "startIndex": start, "endIndex": end}


def _row_meta(sheet: int, row: int, value: str) -> dict[str, Any]:
    """createDeveloperMetadata on one 1-based sheet row, as a sync marks the rows it owns."""
    location = {"dimensionRange": _rows(row - 1, row, sheet)}
    meta = {"metadataKey": KEY, "metadataValue": value, "visibility": "DOCUMENT", "location": location}
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


def test_create_through_drive_gives_the_recorded_spreadsheet(google_fake: FakeGoogle, client: gspread.Client):
    spreadsheet = client.create("Test ClientTest test_create")
    metadata = spreadsheet.fetch_sheet_metadata()
    assert metadata["properties"]["title"] == "Test ClientTest test_create"
    assert (spreadsheet.locale, spreadsheet.timezone) == ("en_US", "Etc/GMT")
    assert metadata["sheets"] == [{"properties": RECORDED_SHEET1}]
    assert metadata["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{spreadsheet.id}/edit"
    assert spreadsheet.creationTime.endswith("Z")
    assert [c.kind for c in google_fake.calls][:2] == ["drive.files.create", "sheets.spreadsheets.get"]


def test_sheets_create_applies_tabs_data_and_metadata(google_fake: FakeGoogle, client: gspread.Client):
    header = {"values": [{"userEnteredValue": {"stringValue": "ID"}},
                         {"userEnteredValue": {"stringValue": "Équipe"}}]}
    created = _post(client, SHEETS, {
        "properties": {"title": "OKR 2025-T1", "locale": "fr_CA", "timeZone": "America/Toronto"},
        "sheets": [{"properties": {"title": "OKR", "gridProperties": {"rowCount": 50, "columnCount": 17}},
                    "data": [{"rowData": [header]}]},
                   {"properties": {"title": "Org"}}],
        "developerMetadata": [{"metadataKey": "okrsync.template", "metadataValue": "v1",
                               "visibility": "DOCUMENT", "location": {"spreadsheet": True}}],
    })
    book_id = created["spreadsheetId"]
    assert [s["properties"]["title"] for s in created["sheets"]] == ["OKR", "Org"]
    assert created["properties"]["locale"] == "fr_CA"
    assert created["developerMetadata"][0]["location"] == {"locationType": "SPREADSHEET", "spreadsheet": True}
    assert google_fake.values(book_id, "OKR") == [["ID", "Équipe"]]


def test_batch_update_applies_several_kinds_and_replies_like_google(google_fake: FakeGoogle,
                                                                     client: gspread.Client):
    book = client.open_by_key(google_fake.new_spreadsheet("OKR", sheets=["OKR"]))
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Objectif"}]},
            "strict": True}
    status_rule = {"ranges": [_grid((1, None), (14, 15))],
                   "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "red"}]},
                                   "format": {"backgroundColor": {"red": 1}}}}
    protected: dict[str, Any] = {"range": _grid((0, 1), (0, 2)), "description": None, "warningOnly": False,
                                 "requestingUserCanEdit": False, "editors": {"users": [], "groups": []}}
    chart = {"spec": {"title": "Progression", "basicChart": {"chartType": "BAR"}},
             "position": {"overlayPosition": {"anchorCell": {"sheetId": 0, "rowIndex": 2}}}}
    reply = book.batch_update({"requests": [
        {"addSheet": {"properties": {"title": "Check-ins Ventes",
                                     "gridProperties": {"rowCount": 10, "columnCount": 8}}}},
        {"updateSheetProperties": {"properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1},
                                                  "tabColor": {"red": 0.2, "green": 0.6, "blue": 0}},
                                   "fields": "gridProperties.frozenRowCount,tabColor"}},
        {"repeatCell": {"range": _grid((0, 1)), "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                        "fields": "userEnteredFormat.textFormat.bold"}},
        {"setDataValidation": {"range": _grid((1, 3), (2, 3)), "rule": rule}},
        {"addConditionalFormatRule": {"index": 0, "rule": status_rule}},
        {"addProtectedRange": {"protectedRange": protected}},
        {"addChart": {"chart": chart}},
        _row_meta(0, 2, "ORG-O1"),
        {"mergeCells": {"range": _grid((5, 6), (0, 3)), "mergeType": "MERGE_ALL"}},
        {"updateDimensionProperties": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 3,
                                                 "endIndex": 4},
                                       "properties": {"pixelSize": 320}, "fields": "pixelSize"}},
        {"autoResizeDimensions": {"dimensions": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0,
                                                 "endIndex": 3}}},
        {"appendDimension": {"sheetId": 0, "dimension": "ROWS", "length": 10}},
    ]})
    replies = reply["replies"]
    assert reply["spreadsheetId"] == book.id and len(replies) == 12
    added = replies[0]["addSheet"]["properties"]
    assert list(added)[:5] == ["sheetId", "title", "index", "sheetType", "gridProperties"]
    assert (added["title"], added["index"]) == ("Check-ins Ventes", 1)
    got_protected = replies[5]["addProtectedRange"]["protectedRange"]
    assert set(got_protected) == {"protectedRangeId", "range", "requestingUserCanEdit", "editors"}
    assert got_protected["range"] == {"startRowIndex": 0, "endRowIndex": 1, "startColumnIndex": 0,
                                      "endColumnIndex": 2}  # recorded: no sheetId when it is 0
    assert (got_protected["requestingUserCanEdit"], got_protected["editors"]) == (True, {})
    assert replies[6]["addChart"]["chart"]["chartId"] > 0
    created = replies[7]["createDeveloperMetadata"]["developerMetadata"]
    assert created["location"] == {"locationType": "ROW", "dimensionRange": _rows(1, 2)}
    assert [replies[i] for i in (1, 2, 3, 4, 8, 9, 10, 11)] == [{}] * 8

    got = book.fetch_sheet_metadata(params={"includeGridData": "true", "ranges": "OKR!A1:D3"})
    okr = got["sheets"][0]
    assert [s["properties"]["title"] for s in got["sheets"]] == ["OKR"]
    assert okr["properties"]["gridProperties"] == {"rowCount": 1010, "columnCount": 26, "frozenRowCount": 1}
    assert okr["properties"]["tabColorStyle"] == {"rgbColor": {"red": 0.2, "green": 0.6}}
    rows = okr["data"][0]["rowData"]
    assert rows[0]["values"][0]["userEnteredFormat"]["textFormat"] == {"bold": True}
    assert rows[1]["values"][2]["dataValidation"]["condition"]["type"] == "ONE_OF_LIST"
    assert okr["data"][0]["rowMetadata"][1]["developerMetadata"][0]["metadataValue"] == "ORG-O1"
    assert okr["data"][0]["columnMetadata"][3]["pixelSize"] == 320
    status_format = okr["conditionalFormats"][0]["booleanRule"]["format"]
    assert status_format["backgroundColorStyle"] == {"rgbColor": {"red": 1}}
    assert okr["merges"] == [{"startRowIndex": 5, "endRowIndex": 6, "startColumnIndex": 0,
                              "endColumnIndex": 3}]
    assert okr["protectedRanges"][0]["protectedRangeId"] == got_protected["protectedRangeId"]
    assert okr["charts"][0]["spec"]["title"] == "Progression"
    assert google_fake.validations(book.id, "OKR").keys() == {"C2", "C3"}


def test_misspelt_field_answers_googles_400_and_fails_the_test(google_fake: FakeGoogle,
                                                               client: gspread.Client):
    book = client.open_by_key(google_fake.new_spreadsheet(sheets=["OKR"]))
    with pytest.raises(gspread.exceptions.APIError) as caught:
        book.batch_update({"requests": [{"addSheet": {"properties": {"titel": "Org"}}}]})
    error = caught.value.response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == ('Invalid JSON payload received. Unknown name "titel" at '
                                "'requests[0].add_sheet.properties': Cannot find field.")
    assert error["details"][0]["fieldViolations"][0]["field"] == "requests[0].add_sheet.properties"
    recorded = google_fake.take_errors()
    assert len(recorded) == 1 and "titel" in recorded[0]
    assert google_fake.book(book.id).titles() == ["OKR"]


def test_a_rejected_request_fails_the_fixture_teardown():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGoogle()
        fake.install(rsps)
        book_id = fake.new_spreadsheet()
        answer = requests.post(f"{SHEETS}/{book_id}:batchUpdate", json={"requests": [{"addSheet": {"x": 1}}]},
                               timeout=5)
    assert answer.status_code == 400
    with pytest.raises(AssertionError, match='Unknown name "x"'):
        fake.assert_clean()


def test_request_kinds_unknown_to_google_or_to_the_fake_are_rejected(google_fake: FakeGoogle,
                                                                    client: gspread.Client):
    book = client.open_by_key(google_fake.new_spreadsheet())
    with pytest.raises(gspread.exceptions.APIError, match="Unknown name"):
        book.batch_update({"requests": [{"frobnicate": {"sheetId": 0}}]})
    with pytest.raises(gspread.exceptions.APIError, match="Oneof"):
        book.batch_update({"requests": [{"deleteSheet": {"sheetId": 0}, "addSheet": {}}]})
    with pytest.raises(NotFaked, match="addBanding"):
        book.batch_update({"requests": [{"addBanding": {"bandedRange": {"range": {"sheetId": 0}}}}]})
    assert len(google_fake.take_errors()) == 3


def test_field_mask_typos_are_rejected(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    with pytest.raises(gspread.exceptions.APIError, match="propertiez"):
        client.http_client.fetch_sheet_metadata(book_id, params={"fields": "sheets.propertiez"})
    with pytest.raises(gspread.exceptions.APIError, match="frozenRowCnt"):
        client.http_client.batch_update(book_id, {"requests": [{"updateSheetProperties": {
            "properties": {"sheetId": 0}, "fields": "gridProperties.frozenRowCnt"}}]})
    assert len(google_fake.take_errors()) == 2


def test_batch_update_is_atomic(google_fake: FakeGoogle, client: gspread.Client):
    book = client.open_by_key(google_fake.new_spreadsheet(sheets=["OKR"]))
    with pytest.raises(gspread.exceptions.APIError, match="No grid with id: 99"):
        book.batch_update({"requests": [{"addSheet": {"properties": {"title": "Org"}}},
                                        {"deleteSheet": {"sheetId": 99}}]})
    assert google_fake.book(book.id).titles() == ["OKR"]
    assert len(google_fake.take_errors()) == 1


RECORDED_INPUT = [["=4/2", "2020-01-01", "string", 53], ["=3/2", 0.12, "1999-01-02", ""]]


@pytest.mark.parametrize(("value_option", "date_option", "expected"), [
    ("UNFORMATTED_VALUE", "SERIAL_NUMBER", [[2, 43831, "string", 53], [1.5, 0.12, 36162]]),
    ("UNFORMATTED_VALUE", "FORMATTED_STRING", [[2, "2020-01-01", "string", 53], [1.5, 0.12, "1999-01-02"]]),
    ("FORMATTED_VALUE", "SERIAL_NUMBER",
     [["2", "2020-01-01", "string", "53"], ["1.5", "0.12", "1999-01-02"]]),
    ("FORMULA", "SERIAL_NUMBER", [["=4/2", 43831, "string", 53], ["=3/2", 0.12, 36162]]),
])
def test_values_round_trip_as_recorded(google_fake: FakeGoogle, client: gspread.Client, value_option: str,
                                       date_option: str, expected: list[list[Any]]):
    book = client.open_by_key(google_fake.new_spreadsheet(locale="en_US", sheets=["Sheet1"]))
    written = book.sheet1.update(RECORDED_INPUT, "A1:D2", raw=False)
    assert {k: written[k] for k in ("updatedRange", "updatedRows", "updatedColumns", "updatedCells")} == {
        "updatedRange": "Sheet1!A1:D2", "updatedRows": 2, "updatedColumns": 4, "updatedCells": 8}
    got = book.values_batch_get(["'Sheet1'"], params={"valueRenderOption": value_option,
                                                      "dateTimeRenderOption": date_option})
    assert got["valueRanges"] == [{"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": expected}]


def test_user_entered_values_are_read_in_the_spreadsheet_locale(google_fake: FakeGoogle,
                                                                client: gspread.Client):
    book_id = google_fake.new_spreadsheet(locale="fr_CA", sheets=["Check-ins Ventes"])
    sheet = client.open_by_key(book_id).sheet1
    typed = ["21,5 %", "20/01/2025", "2025-01-20", "1 200,5", "Générer 125 leads", "0.12"]
    sheet.update([typed], "A2", raw=False)
    sheet.update([["21,5 %"]], "A3", raw=True)
    assert google_fake.values(book_id, "Check-ins Ventes") == [
        [], [0.215, 45677, 45677, 1200.5, "Générer 125 leads", "0.12"], ["21,5 %"]]
    formats = client.open_by_key(book_id).fetch_sheet_metadata(params={
        "ranges": "'Check-ins Ventes'!A2:C2", "fields": "sheets.data.rowData.values.userEnteredFormat"})
    cells = formats["sheets"][0]["data"][0]["rowData"][0]["values"]
    assert [c["userEnteredFormat"]["numberFormat"]["type"] for c in cells] == ["PERCENT", "DATE", "DATE"]
    assert sheet.get("A2:B2") == [["21,5%", "20/01/2025"]]


def test_ranges_past_the_grid_are_rejected_like_google(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    with pytest.raises(gspread.exceptions.APIError, match=r"exceeds grid limits. Max rows: 1000"):
        client.http_client.values_get(book_id, "OKR!A1:B1001")
    with pytest.raises(gspread.exceptions.APIError, match=r"Range \('OKR'!A1000:A1001\) exceeds grid limits"):
        client.http_client.values_update(book_id, "OKR!A1000", params={"valueInputOption": "RAW"},
                                         body={"values": [["a"], ["b"]]})
    assert len(google_fake.take_errors()) == 2


def test_row_metadata_follows_inserts_and_deletes_but_stays_at_its_index_through_a_sort(
        google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    google_fake.set_values(book_id, "OKR!A1", [["ID"], ["MKT-KR2"], ["MKT-KR1"], ["MKT-KR3"]])
    book = client.open_by_key(book_id)
    book.batch_update({"requests": [_row_meta(0, 2, "MKT-KR2"), _row_meta(0, 3, "MKT-KR1"),
                                    _row_meta(0, 4, "MKT-KR3")]})
    book.batch_update({"requests": [{"insertDimension": {"range": _rows(1, 3), "inheritFromBefore": True}}]})
    assert google_fake.metadata_rows(book_id, "OKR", KEY) == {"MKT-KR2": 4, "MKT-KR1": 5, "MKT-KR3": 6}
    google_fake.sort_rows(book_id, "OKR", "A", first_row=2)
    assert google_fake.values(book_id, "OKR") == [["ID"], ["MKT-KR1"], ["MKT-KR2"], ["MKT-KR3"]]
    # A sort moves cell contents, not row metadata: nothing in Google's documentation says it follows a sort.
    assert google_fake.metadata_rows(book_id, "OKR", KEY) == {"MKT-KR2": 4, "MKT-KR1": 5, "MKT-KR3": 6}
    found = _post(client, f"{SHEETS}/{book_id}/developerMetadata:search", {"dataFilters": [
        {"developerMetadataLookup": {"metadataKey": KEY, "metadataValue": "MKT-KR3"}}]})
    location = found["matchedDeveloperMetadata"][0]["developerMetadata"]["location"]
    assert location["dimensionRange"] == _rows(5, 6)
    google_fake.delete_rows(book_id, "OKR", 4)
    assert google_fake.metadata_rows(book_id, "OKR", KEY) == {"MKT-KR1": 4, "MKT-KR3": 5}


def test_deleting_rows_moves_protections_and_conditional_formats(google_fake: FakeGoogle,
                                                                 client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    status_rule = {"ranges": [_grid((3, 10), (14, 15))],
                   "booleanRule": {"condition": {"type": "TEXT_EQ", "values": [{"userEnteredValue": "red"}]},
                                   "format": {"backgroundColor": {"red": 1}}}}
    client.http_client.batch_update(book_id, {"requests": [
        {"addProtectedRange": {"protectedRange": {"range": _grid((2, 4), (10, 17)), "warningOnly": True}}},
        {"addConditionalFormatRule": {"rule": status_rule, "index": 0}},
        {"deleteDimension": {"range": _rows(0, 2)}},
    ]})
    assert google_fake.protections(book_id, "OKR")[0]["range"] == _grid((0, 2), (10, 17))
    assert google_fake.conditional_formats(book_id, "OKR")[0]["ranges"] == [_grid((1, 8), (14, 15))]
    assert google_fake.book(book_id).sheets[0].row_count == 998


def test_write_by_data_filter_lands_on_the_row_a_person_moved(google_fake: FakeGoogle,
                                                              client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    google_fake.set_values(book_id, "OKR!A1", [["ID", "Titre", "Progression"], ["MKT-KR1", "Leads", ""]])
    book = client.open_by_key(book_id)
    book.batch_update({"requests": [_row_meta(0, 2, "MKT-KR1")]})
    google_fake.before_write(lambda sid: google_fake.insert_rows(sid, "OKR", at_row=2, n=2))
    assert book.values_batch_get(["OKR"])["valueRanges"][0]["values"][1][0] == "MKT-KR1"  # the sync's read
    lookup = {"developerMetadataLookup": {"metadataKey": KEY, "metadataValue": "MKT-KR1"}}
    reply = _post(client, f"{SHEETS}/{book_id}/values:batchUpdateByDataFilter", {
        "valueInputOption": "RAW", "data": [{"dataFilter": lookup, "values": [[None, None, 0.5]]}]})
    assert reply["responses"][0]["updatedRange"] == "OKR!A4:C4"
    assert (reply["totalUpdatedCells"], reply["totalUpdatedSheets"]) == (1, 1)
    assert google_fake.values(book_id, "OKR") == [["ID", "Titre", "Progression"], [], [],
                                                  ["MKT-KR1", "Leads", 0.5]]
    assert (len(google_fake.read_calls()), len(google_fake.write_calls())) == (2, 2)


def test_append_clear_and_read_by_data_filter(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["Historique"])
    google_fake.set_values(book_id, "Historique!A1", [["Semaine", "KR", "Valeur"]])
    appended = client.http_client.values_append(book_id, "Historique!A1", params={"valueInputOption": "RAW"},
                                                body={"values": [["2025-01-20", "MKT-KR1", 28]]})
    assert (appended["tableRange"], appended["updates"]["updatedRange"]) == ("Historique!A1:C1",
                                                                             "Historique!A2:C2")
    cleared = client.http_client.values_batch_clear(book_id, body={"ranges": ["Historique!C2:C"]})
    assert cleared["clearedRanges"] == ["Historique!C2:C1000"]
    read = _post(client, f"{SHEETS}/{book_id}/values:batchGetByDataFilter",
                 {"dataFilters": [{"gridRange": _grid((1, 2), (0, 3))}], "majorDimension": "COLUMNS"})
    assert read["valueRanges"][0]["valueRange"]["values"] == [["2025-01-20"], ["MKT-KR1"]]


def test_unknown_spreadsheet_answers_the_recorded_404(google_fake: FakeGoogle, client: gspread.Client):
    with pytest.raises(gspread.exceptions.SpreadsheetNotFound) as caught:
        client.open_by_key("test")
    assert caught.value.__cause__.response.json() == NOT_FOUND  # type: ignore[union-attr]


def test_private_spreadsheet_answers_the_recorded_403(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet(private=True)
    with pytest.raises(gspread.exceptions.APIError) as caught:
        client.http_client.fetch_sheet_metadata(book_id)
    assert caught.value.response.status_code == 403
    assert caught.value.response.json() == FORBIDDEN


def test_injected_429_then_200(google_fake: FakeGoogle):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    google_fake.fail_next("values:batchGet", 429, headers={"Retry-After": "7"})
    url = f"{SHEETS}/{book_id}/values:batchGet"
    first = requests.get(url, params={"ranges": "OKR"}, timeout=5)
    assert first.status_code == 429 and first.headers["Retry-After"] == "7"
    assert first.json()["error"]["status"] == "RESOURCE_EXHAUSTED"
    assert requests.get(url, params={"ranges": "OKR"}, timeout=5).status_code == 200
    assert (len(google_fake.read_calls()), len(google_fake.read_calls(include_failed=True))) == (1, 2)


def test_permanent_500_fails_every_write_and_changes_nothing(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    google_fake.fail_next("write", 500, times=None)
    for _ in range(3):
        with pytest.raises(gspread.exceptions.APIError):
            client.http_client.batch_update(book_id, {"requests": [{"addSheet": {}}]})
    assert [e.status for e in google_fake.exchanges] == [500, 500, 500]
    assert google_fake.book(book_id).titles() == ["Feuille 1"]


def test_a_permanently_failing_request_still_has_its_body_checked(google_fake: FakeGoogle,
                                                                   client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    google_fake.fail_next("write", 500, times=None)
    with pytest.raises(gspread.exceptions.APIError) as caught:
        client.http_client.batch_update(book_id, {"requests": [{"addSheet": {"properties": {"titel": "Org"}}}]})
    assert caught.value.response.status_code == 400  # checked before the fault could hide it
    recorded = google_fake.take_errors()
    assert len(recorded) == 1 and "titel" in recorded[0]
    with pytest.raises(gspread.exceptions.APIError) as caught:
        client.http_client.batch_update(book_id, {"requests": [{"addSheet": {}}]})
    assert caught.value.response.status_code == 500  # a valid body meets the fault
    assert google_fake.book(book_id).titles() == ["Feuille 1"]


@pytest.mark.parametrize("after_apply", [False, True], ids=["before applying", "after applying"])
@pytest.mark.parametrize("error", [requests.exceptions.ReadTimeout, requests.exceptions.ConnectionError])
def test_network_errors_come_before_or_after_the_change_is_made(google_fake: FakeGoogle,
                                                                 client: gspread.Client,
                                                                 error: type[Exception], after_apply: bool):
    book_id = google_fake.new_spreadsheet()
    google_fake.drop_next(":batchUpdate", error, after_apply=after_apply)
    with pytest.raises(error, match=r"fake: .* applying on POST"):
        client.http_client.batch_update(book_id, {"requests": [{"addSheet": {"properties": {"title": "Org"}}}]})
    assert google_fake.book(book_id).titles() == ["Feuille 1", "Org"][:1 + after_apply]
    assert [e.status for e in google_fake.exchanges] == [0]  # no answer came back
    assert google_fake.write_calls() == [] and len(google_fake.write_calls(include_failed=True)) == 1


def test_a_500_after_applying_leaves_the_change_made(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    google_fake.fail_next(":batchUpdate", 503, after_apply=True)
    with pytest.raises(gspread.exceptions.APIError):
        client.http_client.batch_update(book_id, {"requests": [{"addSheet": {"properties": {"title": "Org"}}}]})
    assert google_fake.book(book_id).titles() == ["Feuille 1", "Org"]
    assert [e.status for e in google_fake.exchanges] == [503]


def test_metadata_ids_chosen_by_the_caller_are_kept_and_a_taken_one_refuses_the_whole_batch(
        google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    create = _row_meta(0, 3, "")
    create["createDeveloperMetadata"]["developerMetadata"]["metadataId"] = 4242
    reply = client.http_client.batch_update(book_id, {"requests": [create]})
    assert reply["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"] == 4242
    again = {"requests": [{"addSheet": {"properties": {"title": "Org"}}}, create]}
    with pytest.raises(gspread.exceptions.APIError) as caught:
        client.http_client.batch_update(book_id, again)
    error = caught.value.response.json()["error"]
    assert (error["code"], error["status"]) == (400, "INVALID_ARGUMENT")
    assert error["message"] == ("Invalid requests[1].createDeveloperMetadata: "
                                "Developer metadata with ID 4242 already exists.")
    assert google_fake.book(book_id).titles() == ["Feuille 1"]  # undone whole
    metadata = google_fake.developer_metadata(book_id)
    assert [(m["metadataId"], m["location"]["dimensionRange"]["startIndex"]) for m in metadata] == [(4242, 2)]
    create["createDeveloperMetadata"]["developerMetadata"]["metadataId"] = -1
    with pytest.raises(gspread.exceptions.APIError, match="positive"):
        client.http_client.batch_update(book_id, {"requests": [create]})
    assert len(google_fake.take_errors()) == 2


def test_bad_query_parameter_is_rejected(google_fake: FakeGoogle, client: gspread.Client):
    book = client.open_by_key(google_fake.new_spreadsheet(sheets=["OKR"]))
    with pytest.raises(gspread.exceptions.APIError, match="value_render_option"):
        book.values_batch_get(["OKR"], params={"valueRenderOption": "UNFORMATTED"})
    assert len(google_fake.take_errors()) == 1


def test_sharing_is_recorded_and_listed(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet()
    client.insert_permission(book_id, "ann@example.com", perm_type="user", role="writer", notify=False)
    listed = client.list_permissions(book_id)
    assert [(p["role"], p.get("emailAddress")) for p in listed] == [
        ("owner", google_fake.user_email), ("writer", "ann@example.com")]
    bare = client.http_client.request("get", f"{DRIVE}/{book_id}/permissions").json()
    assert set(bare["permissions"][1]) == {"kind", "id", "type", "role"}  # no e-mail unless `fields` asks


def test_drive_copy_keeps_content_and_developer_metadata(google_fake: FakeGoogle, client: gspread.Client):
    book_id = google_fake.new_spreadsheet(sheets=["OKR"])
    google_fake.set_values(book_id, "OKR!A1", [["ID"], ["ORG-O1"]])
    client.http_client.batch_update(book_id, {"requests": [_row_meta(0, 2, "ORG-O1")]})
    copy = client.copy(book_id, title="OKR 2025-T2")
    assert (copy.title, google_fake.values(copy.id, "OKR")) == ("OKR 2025-T2", [["ID"], ["ORG-O1"]])
    assert google_fake.metadata_rows(copy.id, "OKR", KEY) == {"ORG-O1": 2}


@pytest.mark.parametrize(("text", "expected"), [
    ("'Check-ins Ventes'!A2:Q", A1Range("Check-ins Ventes", 1, None, 0, 17, True)),
    ("'Check-ins Ventes'", A1Range("Check-ins Ventes")),
    ("Réglages!B3", A1Range("Réglages", 2, 3, 1, 2, True)),
    ("'L''équipe'!A:A", A1Range("L'équipe", 0, None, 0, 1, True)),
    ("OKR!2:5", A1Range("OKR", 1, 5, 0, None, True)),
    ("B2:C4", A1Range("OKR", 1, 4, 1, 3, True)),
    ("OKR", A1Range("OKR")),
])
def test_a1_ranges_parse(text: str, expected: A1Range):
    assert parse(text, ["OKR"]) == expected


def test_schema_validation_is_readable_and_knows_int64():
    with pytest.raises(SchemaViolation, match=r"requests/0/repeatCell/range/startRowIndex"):
        validate("BatchUpdateSpreadsheetRequest",
                 {"requests": [{"repeatCell": {"range": {"startRowIndex": "1"}}}]})
    validate("File", {"name": "x", "size": "12"}, api="drive")
    validate("File", {"name": "x", "size": 12}, api="drive")
    with pytest.raises(AssertionError):
        validate("File", {"size": "twelve"}, api="drive")
