"""A workbook whose check-in tabs are all gone (or with no team at all) still syncs, and says so in one sentence.

Every entry point: the engine in memory, `okrsync sync` on an .xlsx, the Google backend on the fake, and the
add-on's endpoint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from sync.backends.memory import MemoryBackend
from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import run_sync
from sync.layout.build import Layout, org_checkin_tab_name
from sync.layout.demo import AS_OF, demo_layout
from sync.parsing.workbook import read_workbook
from sync.stages.lint import kr_frame, read_rows
from sync.stages.validate import validate_checkins
from sync.template import catalog
from tests.addon_support import snapshot_json
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import compact, provision, sync_backend
from tests.service_support import make_app

LANGS = ["fr", "en"]
ALL_GONE = {
    "fr": ("Aucun onglet de check-in trouvé (« Check-ins Marketing », « Check-ins Ventes », "
           "« Check-ins Succès client ») : aucun KR ne peut être suivi. Rétablissez ces onglets ou corrigez la "
           "colonne « Onglet check-in » du tableau des équipes."),
    "en": ('No check-in tab found ("Check-ins Marketing", "Check-ins Sales", "Check-ins Customer Success"): '
           'no key result can be tracked. Restore these tabs or fix the "Check-in tab" column of the teams table.'),
}


def checkin_tabs(names: Any, lang: str) -> list[str]:
    prefix = catalog.checkin_tab_name("", lang)
    return [n for n in names if n.startswith(prefix)]


def demo_without_checkin_tabs(lang: str) -> Layout:
    layout = demo_layout(lang)
    layout.tabs = [t for t in layout.tabs if not t.key.startswith("checkins:")]
    return layout


def demo_in_memory(lang: str) -> MemoryBackend:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout(lang))
    return backend


def assert_says_all_tabs_are_gone(report: dict[str, Any], lang: str) -> None:
    """One problem, on the teams table, in the workbook's language; every KR still reported, none scored."""
    [problem] = [p for p in report["problems"] if p["tab"] == catalog.tab_name("settings", lang)]
    assert problem == {"tab": catalog.tab_name("settings", lang), "row": 14,
                       "column": "Valeur" if lang == "fr" else "Value", "code": "no_checkin_tabs",
                       "severity": "error", "message": ALL_GONE[lang]}
    assert report["checkins"] == {"rows": 0, "valid": 0, "invalid": 0}
    assert len(report["key_results"]) == 13
    assert {kr["status"] for kr in report["key_results"]} == {"none"}
    assert [t["counts"]["none"] for t in report["teams"]] == [3, 3, 4]
    assert report["org"] == {"progress": 0.0, "status": "none",
                             "counts": {"green": 0, "yellow": 0, "red": 0, "none": 13}}


# The engine, in memory.


@pytest.mark.parametrize("lang", LANGS)
def test_a_workbook_with_every_checkin_tab_deleted_syncs_and_says_so_once(lang: str) -> None:
    backend = demo_in_memory(lang)
    run_sync(backend, AS_OF)
    for name in checkin_tabs(list(backend.tabs), lang):
        del backend.tabs[name]
    report = run_sync(backend, AS_OF)
    assert_says_all_tabs_are_gone(report, lang)
    # A sync never makes up the teams' tabs people deleted; the organisation's own comes back, empty.
    assert checkin_tabs(backend.tabs, lang) == [org_checkin_tab_name(lang)]
    assert run_sync(backend, AS_OF)["writes"]["cells"] == 0  # and settles


def test_one_missing_tab_is_a_warning_on_its_teams_row_and_the_others_still_count() -> None:
    backend = demo_in_memory("en")
    del backend.tabs["Check-ins Sales"]
    report = run_sync(backend, AS_OF)
    [problem] = [p for p in report["problems"] if p["tab"] == "Settings"]
    assert (problem["row"], problem["code"], problem["severity"]) == (16, "missing_tab", "warning")
    assert problem["message"] == 'Team Sales has no "Check-ins Sales" tab: add it or fix the teams table.'
    assert report["checkins"]["rows"] == 57 - 19  # the demo's rows but the 19 of Check-ins Sales


@pytest.mark.parametrize("lang", LANGS)
def test_settings_without_any_team_syncs_and_asks_for_the_teams(lang: str) -> None:
    backend = demo_in_memory(lang)
    settings = backend.tabs[catalog.tab_name("settings", lang)]
    del settings[14:]  # the teams under the table's header
    report = run_sync(backend, AS_OF)
    [problem] = [p for p in report["problems"] if p["tab"] == catalog.tab_name("settings", lang)]
    assert (problem["row"], problem["code"], problem["severity"]) == (14, "no_teams", "error")
    assert problem["message"] == catalog.message("settings.no_teams", lang)
    assert report["checkins"]["rows"] == 0 and report["teams"] == []


def test_validating_an_empty_checkin_table_of_any_column_types_finds_nothing() -> None:
    backend = MemoryBackend("demo")
    backend.provision(demo_without_checkin_tabs("en"))
    wb = read_workbook(backend.read(), backend.location)
    assert wb.checkins.dtypes["row"] == "int64" and wb.checkins.empty
    rows = read_rows(wb)
    untyped = pd.DataFrame(columns=list(wb.checkins.columns), dtype=object)  # every column an object
    for table in (wb.checkins, untyped):
        checked, problems = validate_checkins(table, rows, kr_frame(rows), wb.settings, AS_OF)
        assert checked.empty and problems == []


# okrsync sync on an .xlsx whose check-in tabs were deleted in Excel.


@pytest.mark.parametrize("lang", LANGS)
def test_cli_syncs_an_xlsx_without_checkin_tabs_and_prints_the_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path).provision(demo_layout(lang))
    book = openpyxl.load_workbook(path)
    for name in checkin_tabs(book.sheetnames, lang):
        book.remove(book[name])
    book.save(path)
    monkeypatch.setenv("OKRSYNC_LANG", lang)
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exception is None and result.exit_code == 0, result.output
    assert ALL_GONE[lang] in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["validate", str(path), "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1 and ALL_GONE[lang] in result.output
    assert checkin_tabs(openpyxl.load_workbook(path).sheetnames, lang) == [org_checkin_tab_name(lang)]


# The Google backend, on a sheet synced before, whose check-in tabs a person then deleted.


def delete_tabs(fake: FakeGoogle, sid: str, titles: list[str]) -> None:
    """A person deletes tabs: with them go their rows' developer metadata, as in Sheets."""
    book = fake.book(sid)
    gone = {s.sheet_id for s in book.sheets if s.title in titles}
    book.sheets = [s for s in book.sheets if s.title not in titles]
    book.reindex()
    for metadata_id, entry in list(book.metadata.items()):
        location = entry.get("location", {})
        sheet_id = location.get("dimensionRange", {}).get("sheetId", location.get("sheetId"))
        if sheet_id in gone:
            del book.metadata[metadata_id]


@pytest.mark.parametrize("lang", LANGS)
def test_google_sync_of_a_sheet_whose_checkin_tabs_were_deleted_says_so(google_fake: FakeGoogle, lang: str) -> None:
    sid = provision(google_fake, compact(demo_layout(lang), 60, history=200))
    run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    delete_tabs(google_fake, sid, checkin_tabs(google_fake.book(sid).titles(), lang))
    google_fake.exchanges.clear()
    report = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert_says_all_tabs_are_gone(report, lang)
    assert google_fake.take_errors() == []
    assert checkin_tabs(google_fake.book(sid).titles(), lang) == [org_checkin_tab_name(lang)]
    assert run_sync(sync_backend(google_fake, sid, lang), AS_OF)["writes"]["api_calls"]["write"] == 0


# The add-on's endpoint, on a snapshot without check-in tabs.


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    return make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True).test_client()


@pytest.mark.parametrize("lang", LANGS)
def test_addon_sync_of_a_spreadsheet_without_checkin_tabs_answers_the_report(client: FlaskClient, lang: str) -> None:
    backend = MemoryBackend("demo")
    backend.provision(demo_without_checkin_tabs(lang))
    body = {"snapshot": snapshot_json(backend.read()), "write": True, "trigger": "menu",
            "as_of": AS_OF.isoformat()}
    answer = client.post("/api/addon/sync", json=body)
    assert answer.status_code == 200, answer.json
    assert_says_all_tabs_are_gone(answer.json["report"], lang)
    assert answer.json["run"]["outcome"] == "ok"
    assert not {c["tab"] for c in answer.json["plan"]["cells"]} & {t.name for t in demo_layout(lang).tabs
                                                                   if t.key.startswith("checkins:")}
