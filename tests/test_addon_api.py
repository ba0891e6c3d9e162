"""The add-on's endpoints: the same report and writes as a sync of the service's own, a layout, a new team."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sync.backends.memory import MemoryBackend
from sync.engine import run_sync
from sync.layout.build import Team, WorkbookSpec, build_layout, checkin_tab
from sync.layout.demo import AS_OF, demo_layout
from sync.wire.layout import layout_json, tab_json
from tests.addon_support import apply_plan_json, as_api, snapshot_json
from tests.service_support import make_app

FR = {"Accept-Language": "fr-CA,fr;q=0.9"}


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    """`okrsync serve --no-auth`: the add-on's endpoints answer on loopback without a token."""
    return make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True).test_client()


def demo(lang: str) -> MemoryBackend:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout(lang))
    return backend


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_sync_gives_run_syncs_report_and_its_writes(client: FlaskClient, lang: str) -> None:
    backend = demo(lang)
    before = copy.deepcopy(backend.tabs)
    body = {"snapshot": snapshot_json(backend.read()), "write": True, "trigger": "menu",
            "as_of": AS_OF.isoformat()}
    answer = client.post("/api/addon/sync", json=body)
    assert answer.status_code == 200, answer.json
    report = run_sync(backend, AS_OF)
    assert answer.json["report"] == report
    assert answer.json["report"]["writes"]["api_calls"] == {"read": 0, "write": 0}
    assert apply_plan_json(before, answer.json["plan"]) == {n: as_api(g) for n, g in backend.tabs.items()}
    assert answer.json["run"]["trigger"] == "menu" and answer.json["run"]["outcome"] == "ok"
    assert answer.json["dashboard"]["focus"][0]["status"] == "red"


def test_validate_only_records_nothing_and_plans_nothing(client: FlaskClient) -> None:
    snapshot = snapshot_json(demo("en").read())
    answer = client.post("/api/addon/sync", json={"snapshot": snapshot, "write": False, "as_of": "2025-02-14"})
    assert answer.status_code == 200
    assert answer.json["plan"] is None and answer.json["run"] is None
    assert answer.json["report"]["writes"]["cells"] > 0
    assert client.get("/api/workbooks").json["workbooks"] == []


def test_as_of_defaults_to_today_in_the_workbooks_time_zone(client: FlaskClient) -> None:
    snapshot = snapshot_json(demo("fr").read())
    answer = client.post("/api/addon/sync", json={"snapshot": snapshot, "write": False})
    assert answer.json["report"]["workbook"]["as_of"] == "2025-02-14"  # the fake clock's day in Montréal


def test_a_spreadsheet_that_is_not_an_okrsync_workbook_is_a_422_in_the_callers_language(client: FlaskClient) -> None:
    snapshot = {"spreadsheet": {"id": "1AbC"}, "tabs": [{"name": "Feuille 1", "values": [["x"]]}]}
    answer = client.post("/api/addon/sync", json={"snapshot": snapshot, "write": True}, headers=FR)
    assert answer.status_code == 422 and "n'est pas un classeur okrsync" in answer.json["error"]["message"]


@pytest.mark.parametrize(("body", "field"), [
    ({"write": True}, "snapshot"),
    ({"snapshot": {}, "write": "yes"}, "write"),
    ({"snapshot": {}, "write": True, "trigger": "cron"}, "trigger"),
    ({"snapshot": {}, "as_of": "14/02/2025"}, "as_of"),
    ({"snapshot": {}, "as_of": 20250214}, "as_of"),
    ({"snapshot": {"tabs": []}}, "snapshot.spreadsheet"),
])
def test_a_bad_sync_request_is_a_400_naming_its_field(client: FlaskClient, body: dict[str, Any], field: str) -> None:
    answer = client.post("/api/addon/sync", json=body)
    assert answer.status_code == 400 and field in answer.json["error"]["message"]


def test_layout_is_the_layout_json_of_the_provisioning_request(client: FlaskClient) -> None:
    request = {"organisation": "Acme", "lang": "fr", "quarter": "2025-T1", "teams": ["Marketing", {"name": "Ventes"}]}
    answer = client.post("/api/addon/layout", json=request)
    assert answer.status_code == 200
    spec = WorkbookSpec("Acme", "fr", "2025-T1", [Team("Marketing"), Team("Ventes")])
    assert answer.json["layout"] == layout_json(build_layout(spec))


@pytest.mark.parametrize("request_body", [{"organisation": "Acme", "lang": "de", "quarter": "2025-Q1", "teams": ["A"]},
                                          {"organisation": "Acme", "lang": "en", "quarter": "Q5", "teams": ["A"]},
                                          {"organisation": "Acme", "lang": "en", "quarter": "2025-Q1", "teams": []}])
def test_layout_refuses_what_provisioning_refuses(client: FlaskClient, request_body: dict[str, Any]) -> None:
    assert client.post("/api/addon/layout", json=request_body).status_code == 400


def test_team_gives_its_tab_its_settings_row_and_its_list(client: FlaskClient) -> None:
    backend = demo("en")
    snapshot = backend.read()
    answer = client.post("/api/addon/team", json={"snapshot": snapshot_json(snapshot),
                                                  "team": {"name": "Finance", "manager": "Ann", "email": "ann@x.org"}})
    assert answer.status_code == 200, answer.json
    # Laid out after the last team's check-in tab, where a new workbook has it (tests/test_placement.py).
    assert answer.json["tabs"] == [{**tab_json(checkin_tab("Finance", 4, "en")), "after": "Check-ins Customer Success"}]
    assert answer.json["tabs"][0]["dropdowns"][0]["source"] == "'Lists'!E2:E200"
    settings = backend.tabs["Settings"]
    last_team = max(r for r, row in enumerate(settings, start=1) if row and row[-1:] == [f"Check-ins {row[0]}"])
    assert answer.json["plan"]["cells"] == [
        {"tab": "Settings", "row": last_team + 1, "col": c, "value": v}
        for c, v in enumerate(["Finance", "Ann", "ann@x.org", "Check-ins Finance"], start=1)]
    # Lists column E computes Finance's KRs from the Settings row the team goes on: nothing to write there.
    assert answer.json["plan"]["tabs"] == []
    assert backend.tabs["Lists"][0][4].sheets == f'TRIM(\'Settings\'!$A${last_team + 1}&"")'
    (chart,) = answer.json["plan"]["charts"]
    assert (chart["tab"], chart["labels"], chart["series"][0]["range"]) == ("Org", "A5:A9", "I5:I9")  # four teams now


@pytest.mark.parametrize(("team", "says"), [
    ({"name": "  "}, "Give the new team a name."),
    ({"name": "x" * 81}, "over 80 characters"),
    ({"name": "R&D / Labs"}, "cannot hold /"),
    ({"name": "Sales"}, 'The team "Sales" already exists'),
    ({"name": "sales"}, 'The team "sales" already exists'),
    ({"name": "Finance", "email": "not an address"}, "email"),
])
def test_team_refuses_a_bad_or_existing_name_with_a_sentence(client: FlaskClient, team: dict[str, Any],
                                                             says: str) -> None:
    snapshot = snapshot_json(demo("en").read())
    answer = client.post("/api/addon/team", json={"snapshot": snapshot, "team": team})
    assert answer.status_code == 400 and says in answer.json["error"]["message"]


def test_team_refuses_a_name_whose_tab_exists(client: FlaskClient) -> None:
    backend = demo("fr")
    backend.tabs["Check-ins Finance"] = [["notes"]]
    answer = client.post("/api/addon/team", json={"snapshot": snapshot_json(backend.read()),
                                                  "team": {"name": "Finance"}}, headers=FR)
    assert answer.status_code == 400
    assert answer.json["error"]["message"] == ("Un onglet « Check-ins Finance » existe déjà : renommez-le ou "
                                               "choisissez un autre nom d'équipe.")


def test_a_workbook_the_engine_cannot_read_is_said_in_the_workbook_s_language(client: FlaskClient) -> None:
    backend = demo("en")
    backend.set("OKRs", 1, 4, "Our words")  # the Title header, renamed by a person
    body = {"snapshot": snapshot_json(backend.read()), "write": False}
    answer = client.post("/api/addon/sync", json=body, headers=FR)
    assert answer.status_code == 422
    assert answer.json["error"]["message"] == 'Column "Title" not found in the OKRs tab: restore the header row.'
