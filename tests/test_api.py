"""The JSON API through the Flask test client, Google faked at the HTTP layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from sync.service import lease
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import (
    MARIE,
    SA_EMAIL,
    MemoryWorkbooks,
    bearer,
    make_app,
    seed_spreadsheet,
    serve_certs,
    svc_of,
    tiny_layout,
)

PROVISION = {"organisation": "Acme", "lang": "fr", "quarter": "2025-T1",
             "teams": [{"name": "Ventes", "manager": "Marie", "email": MARIE}], "share": ["luc@acme.example"]}


@pytest.fixture
def google_client(google_fake: FakeGoogle, tmp_path: Path) -> FlaskClient:
    serve_certs(google_fake.rsps)  # type: ignore[arg-type]
    return make_app(tmp_path, MODE="google").test_client()


@pytest.fixture
def local_client(tmp_path: Path) -> FlaskClient:
    return make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=MemoryWorkbooks()).test_client()


def kr(report: dict[str, Any], kr_id: str) -> dict[str, Any]:
    return next(k for k in report["key_results"] if k["id"] == kr_id)


def test_provision_register_list_get_sync_and_runs(google_client: FlaskClient, google_fake: FakeGoogle) -> None:
    me = bearer()
    made = google_client.post("/api/workbooks", json=PROVISION, headers=me)
    assert made.status_code == 201, made.json
    created = made.json["workbook"]
    assert created["backend"] == "gsheet" and created["lang"] == "fr" and created["registered_by"] == MARIE
    assert created["url"] == f"https://docs.google.com/spreadsheets/d/{created['target']}"
    assert made.json["latest_run"]["trigger"] == "provision" and made.json["report"]["workbook"]["quarter"] == "2025-T1"
    shared = {p.get("emailAddress") for p in google_fake.book(created["target"]).permissions}
    # The service account owns it; whoever provisions may sync it afterwards, and the people it names read it.
    assert shared == {SA_EMAIL, MARIE, "luc@acme.example"}

    sid = seed_spreadsheet(google_fake, tiny_layout("en"))
    registered = google_client.post("/api/workbooks/register", json={"spreadsheet_id": sid}, headers=me)
    assert registered.status_code == 201, registered.json
    wid = registered.json["workbook"]["id"]
    assert registered.json["workbook"]["lang"] == "en"
    assert registered.json["latest_run"]["api_calls"]["read"] == 1
    again = google_client.post("/api/workbooks/register", headers=me,
                               json={"spreadsheet_id": f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0"})
    assert again.status_code == 200 and again.json["workbook"]["id"] == wid

    listed = {w["id"]: w for w in google_client.get("/api/workbooks", headers=me).json["workbooks"]}
    assert set(listed) == {created["id"], wid}
    assert listed[wid]["counts"] == {"green": 1, "yellow": 0, "red": 1, "none": 0}

    detail = google_client.get(f"/api/workbooks/{wid}", headers=me).json
    assert kr(detail["report"], "SAL-KR1")["status"] == "red"
    assert kr(detail["report"], "SAL-KR2")["status"] == "green"

    synced = google_client.post(f"/api/workbooks/{wid}/sync", headers=me)
    assert synced.status_code == 200, synced.json
    assert synced.json["run"]["trigger"] == "api" and synced.json["run"]["outcome"] == "ok"
    # One read and one write, whatever the workbook holds.
    assert synced.json["report"]["writes"]["api_calls"] == {"read": 1, "write": 1}

    runs = google_client.get(f"/api/workbooks/{wid}/runs", headers=me).json["runs"]
    assert [r["trigger"] for r in runs] == ["api", "register"]
    assert all(r["outcome"] == "ok" and r["rows"] == 2 for r in runs)


def test_sync_answers_409_while_another_sync_holds_the_workbook(local_client: FlaskClient) -> None:
    made = local_client.post("/api/workbooks", json={**PROVISION, "share": []})
    wid = made.json["workbook"]["id"]
    svc = svc_of(local_client.application)
    assert lease.acquire(svc.registry, wid, "another-instance", 600, svc.clock())

    busy = local_client.post(f"/api/workbooks/{wid}/sync", headers={"Accept-Language": "fr-CA,fr;q=0.9"})

    assert busy.status_code == 409
    assert busy.json["error"]["code"] == "sync_running"
    assert busy.json["error"]["message"] == ("Une synchronisation de « OKR Acme 2025-T1 » est déjà en cours : "
                                             "réessayez dans une minute.")
    assert local_client.get(f"/api/workbooks/{wid}/runs").json["runs"][0]["outcome"] == "skipped"
    lease.release(svc.registry, wid, "another-instance")
    assert local_client.post(f"/api/workbooks/{wid}/sync").status_code == 200


def test_an_expired_lease_is_taken_over(local_client: FlaskClient) -> None:
    wid = local_client.post("/api/workbooks", json=PROVISION).json["workbook"]["id"]
    svc = svc_of(local_client.application)
    assert lease.acquire(svc.registry, wid, "crashed-instance", 60, svc.clock())
    svc.clock.now += 61  # type: ignore[attr-defined]

    assert local_client.post(f"/api/workbooks/{wid}/sync").status_code == 200


def test_a_spreadsheet_that_is_not_an_okrsync_workbook_is_not_registered(
        google_client: FlaskClient, google_fake: FakeGoogle) -> None:
    sid = google_fake.new_spreadsheet("Budget", sheets=["Sheet1"])
    google_fake.book(sid).permissions.append({"kind": "drive#permission", "id": "p1", "type": "user",
                                              "role": "writer", "emailAddress": MARIE})

    answer = google_client.post("/api/workbooks/register", json={"spreadsheet_id": sid}, headers=bearer())

    assert answer.status_code == 422 and answer.json["error"]["code"] == "not_ours"
    assert google_client.get("/api/workbooks", headers=bearer()).json["workbooks"] == []


def test_a_spreadsheet_the_service_cannot_open_says_so(google_client: FlaskClient, google_fake: FakeGoogle) -> None:
    sid = seed_spreadsheet(google_fake, tiny_layout())
    google_fake.make_private(sid)

    answer = google_client.post("/api/workbooks/register", json={"spreadsheet_id": sid}, headers=bearer())

    assert answer.status_code == 502 and answer.json["error"]["code"] == "google_not_found"


FIELD_FR = "Champ « {} » invalide : voir /openapi.json pour sa forme attendue."
NOT_AN_OBJECT = "The request body must be a JSON object (Content-Type: application/json)."
ONE_OF = ("Give either spreadsheet_id (an ID or a Google Sheets URL) or path (an .xlsx file of the data folder), "
          "not both.")


@pytest.mark.parametrize(("path", "body", "code", "message"), [
    ("/api/workbooks", None, "bad_body", NOT_AN_OBJECT),
    ("/api/workbooks", ["not", "an", "object"], "bad_body", NOT_AN_OBJECT),
    # An unknown language cannot be answered in: English.
    ("/api/workbooks", {**PROVISION, "lang": "de"}, "bad_field",
     'Field "lang" is not valid: see /openapi.json for its expected shape.'),
    ("/api/workbooks", {k: v for k, v in PROVISION.items() if k != "teams"}, "bad_field", FIELD_FR.format("teams")),
    ("/api/workbooks", {**PROVISION, "teams": []}, "bad_field", FIELD_FR.format("teams")),
    ("/api/workbooks", {**PROVISION, "teams": ["Ventes", "ventes"]}, "bad_field", FIELD_FR.format("teams")),
    ("/api/workbooks", {**PROVISION, "organisation": "Acme\x00"}, "bad_field", FIELD_FR.format("organisation")),
    ("/api/workbooks", {**PROVISION, "share": ["not an address"]}, "bad_field", FIELD_FR.format("share")),
    ("/api/workbooks", {**PROVISION, "quarter": "2025-T9"}, "bad_quarter",
     "Trimestre « 2025-T9 » illisible : écrivez-le comme 2025-T1 ou 2025-Q1."),
    ("/api/workbooks/register", {}, "register_one_of", ONE_OF),
    ("/api/workbooks/register", {"spreadsheet_id": "abc", "path": "x.xlsx"}, "register_one_of", ONE_OF),
    ("/api/workbooks/register", {"path": "../../etc/passwd.xlsx"}, "bad_path",
     '"../../etc/passwd.xlsx" is not an .xlsx file of the service\'s data folder.'),
    ("/api/workbooks/register", {"spreadsheet_id": "https://example.com/sheet"}, "unknown_target",
     'Target "https://example.com/sheet" not recognised: give an .xlsx file, gsheet:<id> or a Google Sheets URL.'),
])
def test_bad_requests_get_a_400_naming_what_is_wrong(local_client: FlaskClient, path: str, body: Any, code: str,
                                                     message: str) -> None:
    answer = local_client.post(path, json=body) if body is not None else local_client.post(path, data="x")

    assert answer.status_code == 400
    assert answer.json == {"error": {"code": code, "message": message, "status": 400}}


def test_unknown_workbook_and_unknown_route_are_json_404s(local_client: FlaskClient) -> None:
    missing = local_client.get("/api/workbooks/nope", headers={"Accept-Language": "fr"})
    assert missing.status_code == 404
    assert missing.json == {"error": {"code": "workbook_not_found", "status": 404,
                                      "message": "Aucun classeur enregistré avec l'identifiant « nope »."}}
    route = local_client.get("/api/nothing-here")
    assert route.status_code == 404 and route.json["error"]["code"] == "http_404"
    wrong = local_client.delete("/api/workbooks")
    assert wrong.status_code == 405 and set(wrong.headers["Allow"].split(", ")) == {"HEAD", "GET", "OPTIONS", "POST"}


def test_runs_limit_is_checked(local_client: FlaskClient) -> None:
    wid = local_client.post("/api/workbooks", json=PROVISION).json["workbook"]["id"]
    refused = local_client.get(f"/api/workbooks/{wid}/runs?limit=0")
    assert refused.status_code == 400 and refused.json["error"]["code"] == "bad_field"
    assert refused.json["error"]["message"] == 'Field "limit" is not valid: see /openapi.json for its expected shape.'
    one = local_client.get(f"/api/workbooks/{wid}/runs?limit=1")
    assert one.status_code == 200 and [r["trigger"] for r in one.json["runs"]] == ["provision"]


def test_a_failing_sync_is_recorded_and_explained(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    client = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=books).test_client()
    made = client.post("/api/workbooks", json=PROVISION).json["workbook"]
    books.failing.add(made["target"])

    last_good = client.get(f"/api/workbooks/{made['id']}").json["report"]
    failed = client.post(f"/api/workbooks/{made['id']}/sync")

    assert failed.status_code == 502 and failed.json["error"]["code"] == "write_failed"
    run = client.get(f"/api/workbooks/{made['id']}/runs").json["runs"][0]
    assert run["outcome"] == "failed" and run["error"]["code"] == "write_failed"
    after = client.get(f"/api/workbooks/{made['id']}")
    assert after.status_code == 200 and after.json["report"] == last_good  # the last good one stays
    assert last_good["workbook"]["title"] == "OKR Acme 2025-T1"


def test_healthz_answers_without_auth(google_client: FlaskClient) -> None:
    health = google_client.get("/healthz")
    assert health.status_code == 200 and health.json == {"status": "ok"}
