"""A team added later: `okrsync add-team`, `POST /api/workbooks/<id>/teams`, or a row typed into Settings.

Each way gives the team its Settings row and a check-in tab whose KR dropdown reads the team's own Lists column,
on an .xlsx file and on Google; the team's check-ins then count at the next sync.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from sync.backends.gsheets_values import to_serial
from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import run_sync
from sync.layout.build import Layout, org_checkin_tab_name
from sync.layout.columns import col as column_index
from sync.layout.demo import AS_OF
from sync.template import catalog
from tests.builders import okr, workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend, type_rows
from tests.service_support import bearer, make_app, seed_spreadsheet, serve_certs
from tests.test_google_sync import cli as cli  # the fixture
from tests.test_google_sync import no_real_sleep as no_real_sleep  # the fixture

LANGS = ["fr", "en"]
WEEK = dt.date(2025, 2, 10)
TEAM = {"fr": "Succès client", "en": "Customer Success"}


def base_layout(lang: str) -> Layout:
    """Two teams, and OKRs already typed for a third one that Settings does not list yet."""
    rows = [
        okr("MKT-O1", "Marketing", "objective", "Be the reference"),
        okr("MKT-KR1", "Marketing", "increase", "Generate 200 leads", start=0, target=200, unit="leads"),
        okr("MKT-KR2", "Marketing", "increase", "Run 8 webinars", start=0, target=8, unit="webinars"),
        okr("SC-O1", TEAM[lang], "objective", "Keep our clients"),
        okr("SC-KR1", TEAM[lang], "increase", "Run 20 reviews", start=0, target=20, unit="reviews"),
        okr("SC-KR2", TEAM[lang], "increase", "Answer 100 tickets", start=0, target=100, unit="tickets"),
    ]
    return workbook_layout(rows, {"Marketing": [[WEEK, "MKT-KR1", 50, "🟢"]]}, lang=lang)


def settings_rows(grid: list[list[Any]], lang: str) -> list[list[Any]]:
    """The teams table's rows (team, manager, e-mail, check-in tab), without trailing blanks."""
    header = catalog.template()["tabs"]["settings"]["teams_columns"][0]["label"][lang]
    at = next(i for i, line in enumerate(grid) if line and line[0] == header)
    cells = [[None if v == "" else v for v in line[:4]] for line in grid[at + 1:] if line and line[0]]
    return [line + [None] * (4 - len(line)) for line in cells]


def xlsx_grid(path: Path, tab: str) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[tab]
    return [[c.value for c in row] for row in ws.iter_rows()]


def assert_counts_for_the_new_team(report: dict[str, Any], lang: str) -> None:
    team = next(t for t in report["teams"] if t["team"] == TEAM[lang])
    sc = next(k for k in report["key_results"] if k["id"] == "SC-KR1")
    assert sc["current"] == 5 and sc["progress"] == 0.25 and team["counts"]["green"] == 1
    assert not [p for p in report["problems"] if p["tab"] == catalog.checkin_tab_name(TEAM[lang], lang)]


def assert_placed_after_the_teams(titles: list[str], tab: str, lang: str) -> None:
    """The new check-in tab sits where a new workbook has it: after the last team's, before the organisation's
    (and so before the KPI tabs that follow the check-in tabs)."""
    at = titles.index(tab)
    assert titles[at - 1] == catalog.checkin_tab_name("Ventes", lang)
    assert titles[at + 1] == org_checkin_tab_name(lang)


# okrsync add-team, on an .xlsx file.


@pytest.mark.parametrize("lang", LANGS)
def test_cli_adds_a_team_to_an_xlsx_and_its_checkins_count_at_the_next_sync(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path, lang=lang).provision(base_layout(lang))
    monkeypatch.setenv("OKRSYNC_LANG", lang)
    result = CliRunner().invoke(main, ["add-team", str(path), TEAM[lang], "--manager", "Léa",
                                       "--email", "lea@acme.example"])
    tab = catalog.checkin_tab_name(TEAM[lang], lang)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == catalog.message("cli.team_added", lang, team=TEAM[lang], tab=tab)
    book = openpyxl.load_workbook(path)
    assert settings_rows(xlsx_grid(path, catalog.tab_name("settings", lang)), lang)[-1] == [
        TEAM[lang], "Léa", "lea@acme.example", tab]
    assert_placed_after_the_teams(book.sheetnames, tab, lang)
    # The team's list, column D, is computed from its Settings row (its KRs: tests/test_kr_lists.py).
    settings = catalog.tab_name("settings", lang)
    row = next(r for r, line in enumerate(xlsx_grid(path, settings), start=1) if line and line[0] == TEAM[lang])
    assert xlsx_grid(path, catalog.tab_name("lists", lang))[0][3] == f"=TRIM('{settings}'!$A${row}&\"\")"
    names = {n: str(d.attr_text) for n, d in book.defined_names.items()}
    [kr_list] = [dv for dv in book[tab].data_validations.dataValidation if "B2" in str(dv.sqref)]
    assert names[kr_list.formula1].endswith("!$D$2:$D$200")
    key = column_index("checkins", "key")  # laid out as the set-up lays check-in tabs out: the row key hidden
    assert [k for k, d in book[tab].column_dimensions.items() if d.hidden] == [get_column_letter(key)]

    ws = book[tab]
    for col, value in enumerate([WEEK, "SC-KR1", 5, "🟢"], start=1):
        ws.cell(2, col).value = value
    book.save(path)
    report = run_sync(XlsxBackend(path, lang=lang), AS_OF)
    assert_counts_for_the_new_team(report, lang)
    assert openpyxl.load_workbook(path)[tab].cell(2, key).value == f"SC-KR1|{to_serial(WEEK)}"

    again = CliRunner().invoke(main, ["add-team", str(path), TEAM[lang]])
    assert again.exit_code == 1
    assert catalog.message("service.team_exists", lang, team=TEAM[lang]) in again.output


# okrsync add-team, on Google.


@pytest.mark.parametrize("lang", LANGS)
def test_cli_adds_a_team_to_a_google_sheet(google_fake: FakeGoogle, cli: Any, monkeypatch: pytest.MonkeyPatch,
                                            lang: str) -> None:
    sid = provision(google_fake, compact(base_layout(lang), 60, history=200))
    monkeypatch.setenv("OKRSYNC_LANG", lang)
    code, out = cli("add-team", f"gsheet:{sid}", TEAM[lang], "--manager", "Léa")
    tab = catalog.checkin_tab_name(TEAM[lang], lang)
    assert code == 0, out
    assert len(google_fake.read_calls()) == 1
    settings = google_fake.values(sid, catalog.tab_name("settings", lang))
    assert settings_rows(settings, lang)[-1] == [TEAM[lang], "Léa", None, tab]
    titles = google_fake.book(sid).titles()
    assert_placed_after_the_teams(titles, tab, lang)
    rule = google_fake.validations(sid, tab)["B2"]
    assert rule["condition"]["values"][0]["userEnteredValue"].endswith("!D2:D200")
    sheet = google_fake.book(sid).sheet_by_title(tab)
    assert sheet is not None and [c + 1 for c, p in sheet.col_props.items() if p.get("hiddenByUser")] == [
        column_index("checkins", "key")]
    assert google_fake.take_errors() == []

    type_rows(google_fake, sid, tab, [[WEEK.isoformat(), "SC-KR1", 5, "🟢"]])
    report = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert_counts_for_the_new_team(report, lang)


# The API, on both backends.


@pytest.mark.parametrize("lang", LANGS)
def test_api_adds_a_team_to_a_local_workbook_and_refuses_it_twice(tmp_path: Path, lang: str) -> None:
    data = tmp_path / "data"
    data.mkdir()
    XlsxBackend(data / "okr.xlsx", lang=lang).provision(base_layout(lang))
    client = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, MODE="local").test_client()
    registered = client.post("/api/workbooks/register", json={"path": "okr.xlsx"})
    assert registered.status_code == 201, registered.json
    wid = registered.json["workbook"]["id"]
    body = {"team": {"name": TEAM[lang], "manager": "Léa", "email": "lea@acme.example"}}
    answer = client.post(f"/api/workbooks/{wid}/teams", json=body)
    tab = catalog.checkin_tab_name(TEAM[lang], lang)
    assert answer.status_code == 201, answer.json
    assert answer.json == {"team": TEAM[lang], "tab": tab}
    assert tab in openpyxl.load_workbook(data / "okr.xlsx").sheetnames
    synced = client.post(f"/api/workbooks/{wid}/sync")
    assert TEAM[lang] in [t["team"] for t in synced.json["report"]["teams"]]

    twice = client.post(f"/api/workbooks/{wid}/teams", json=body, headers={"Accept-Language": lang})
    assert twice.status_code == 400
    assert twice.json["error"]["message"] == catalog.message("service.team_exists", lang, team=TEAM[lang])
    nameless = client.post(f"/api/workbooks/{wid}/teams", json={"team": {"name": " "}},
                           headers={"Accept-Language": lang})
    assert nameless.status_code == 400 and nameless.json["error"]["code"] == "team_name_empty"


def test_api_adds_a_team_to_a_google_sheet(google_fake: FakeGoogle, tmp_path: Path) -> None:
    serve_certs(google_fake.rsps)  # type: ignore[arg-type]
    client = make_app(tmp_path, MODE="google").test_client()
    sid = seed_spreadsheet(google_fake, base_layout("en"))
    me = bearer()
    registered = client.post("/api/workbooks/register", json={"spreadsheet_id": sid}, headers=me)
    assert registered.status_code == 201, registered.json
    wid = registered.json["workbook"]["id"]
    answer = client.post(f"/api/workbooks/{wid}/teams", json={"team": {"name": TEAM["en"]}}, headers=me)
    assert answer.status_code == 201, answer.json
    assert catalog.checkin_tab_name(TEAM["en"], "en") in google_fake.book(sid).titles()
    synced = client.post(f"/api/workbooks/{wid}/sync", headers=me)
    assert TEAM["en"] in [t["team"] for t in synced.json["report"]["teams"]]
    assert google_fake.take_errors() == []


def test_the_openapi_document_describes_adding_a_team(tmp_path: Path) -> None:
    client = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True).test_client()
    doc = client.get("/openapi.json").json
    op = doc["paths"]["/api/workbooks/{workbook_id}/teams"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/TeamRequest")
    assert set(op["responses"]) >= {"201", "400", "404", "409"}
    assert doc["components"]["schemas"]["TeamRequest"]["properties"]["team"]["required"] == ["name"]


# A row typed into Settings, without a tab.


@pytest.mark.parametrize("kind", ["memory", "xlsx", "google"])
@pytest.mark.parametrize("lang", LANGS)
def test_a_team_typed_into_settings_without_a_tab_gets_it_at_the_next_sync(
        kind: str, lang: str, tmp_path: Path, google_fake: FakeGoogle) -> None:
    layout = base_layout(lang)
    settings = next(t for t in layout.tabs if t.key == "settings")
    settings.grid.append([TEAM[lang], "Léa"])  # the "Check-in tab" cell left blank
    tab = catalog.checkin_tab_name(TEAM[lang], lang)
    header = [c.label for c in catalog.columns("checkins", lang)]
    if kind == "memory":
        backend: Any = MemoryBackend("t")
        backend.provision(layout)
        report = run_sync(backend, AS_OF)
        assert backend.tabs[tab] == [header]
        backend.append_row(tab, [WEEK, "SC-KR1", 5, "🟢"])
        assert_counts_for_the_new_team(run_sync(backend, AS_OF), lang)
        assert run_sync(backend, AS_OF)["writes"]["cells"] == 0
    elif kind == "xlsx":
        path = tmp_path / "okr.xlsx"
        XlsxBackend(path, lang=lang).provision(layout)
        report = run_sync(XlsxBackend(path, lang=lang), AS_OF)
        book = openpyxl.load_workbook(path)
        assert [c.value for c in book[tab][1]][: len(header)] == header
        for col, value in enumerate([WEEK, "SC-KR1", 5, "🟢"], start=1):
            book[tab].cell(2, col).value = value
        book.save(path)
        assert_counts_for_the_new_team(run_sync(XlsxBackend(path, lang=lang), AS_OF), lang)
    else:
        sid = provision(google_fake, compact(layout, 60, history=200))
        report = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
        assert report["writes"]["api_calls"] == {"read": 1, "write": 2}  # the tab laid out, then the values
        assert google_fake.values(sid, tab)[0][: len(header)] == header
        type_rows(google_fake, sid, tab, [[WEEK.isoformat(), "SC-KR1", 5, "🟢"]])
        assert_counts_for_the_new_team(run_sync(sync_backend(google_fake, sid, lang), AS_OF), lang)
        assert google_fake.take_errors() == []
    # The team was never reported as missing its tab.
    assert not [p for p in report["problems"] if p["code"] in ("missing_tab", "unknown_team")]
