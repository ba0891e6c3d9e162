"""The add-on's workbooks in the registry: per domain, recorded with their trigger, never synced by the service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import responses
from flask import Flask

from sync.backends.memory import MemoryBackend
from sync.layout.demo import demo_layout
from tests.addon_support import SPREADSHEET_ID, snapshot_json
from tests.service_support import bearer, make_app, svc_of
from tests.service_support import google_certs as google_certs  # fixture

MARIE = bearer()
PAUL = bearer(email="paul@acme.example")
EVE = bearer(email="eve@globex.example", hd="globex.example")


def sync_body(lang: str = "en", title: str | None = None, trigger: str = "menu") -> dict[str, Any]:
    backend = MemoryBackend(title or f"OKR demo {lang}")
    backend.provision(demo_layout(lang))
    backend.title = title or backend.title
    return {"snapshot": snapshot_json(backend.read()), "write": True, "trigger": trigger, "as_of": "2025-02-14"}


@pytest.fixture
def app(tmp_path: Path, google_certs: responses.RequestsMock) -> Flask:
    return make_app(tmp_path, ALLOWED_DOMAINS=["acme.example", "globex.example"])


def test_without_a_token_every_addon_endpoint_is_a_401(app: Flask) -> None:
    client = app.test_client()
    for endpoint in ("/api/addon/sync", "/api/addon/layout", "/api/addon/team"):
        answer = client.post(endpoint, json={})
        assert answer.status_code == 401 and answer.json["error"]["code"] == "token_missing"


def test_the_first_sync_registers_the_spreadsheet_for_the_callers_domain(app: Flask) -> None:
    client = app.test_client()
    run = client.post("/api/addon/sync", json=sync_body(), headers=MARIE).json["run"]
    (wb,) = client.get("/api/workbooks", headers=MARIE).json["workbooks"]
    assert (wb["backend"], wb["target"], wb["registered_by"]) == ("addon", f"{SPREADSHEET_ID}@acme.example",
                                                                  "marie@acme.example")
    assert wb["url"].endswith(f"/d/{SPREADSHEET_ID}") and wb["last_run"] == run
    # Paul of the same domain appends to the same record; the title and language follow the spreadsheet.
    again = client.post("/api/addon/sync", json=sync_body("fr", "Renamed", "nightly"), headers=PAUL).json["run"]
    (wb,) = client.get("/api/workbooks", headers=PAUL).json["workbooks"]
    assert (wb["title"], wb["lang"], wb["last_run"]["trigger"]) == ("Renamed", "fr", "nightly")
    assert [r["id"] for r in client.get(f"/api/workbooks/{wb['id']}/runs", headers=PAUL).json["runs"]] == [
        again["id"], run["id"]]


def test_another_domain_never_sees_nor_appends_to_a_domains_record(app: Flask) -> None:
    client = app.test_client()
    mine = client.post("/api/addon/sync", json=sync_body(), headers=MARIE).json["run"]
    theirs = client.post("/api/addon/sync", json=sync_body(), headers=EVE).json["run"]
    assert mine["workbook_id"] != theirs["workbook_id"]
    seen = client.get("/api/workbooks", headers=EVE).json["workbooks"]
    assert [wb["target"] for wb in seen] == [f"{SPREADSHEET_ID}@globex.example"]
    assert client.get(f"/api/workbooks/{mine['workbook_id']}", headers=EVE).status_code == 403
    assert len(client.get(f"/api/workbooks/{mine['workbook_id']}/runs", headers=MARIE).json["runs"]) == 1


def test_a_failed_evaluation_of_a_known_workbook_is_recorded(app: Flask) -> None:
    client = app.test_client()
    wid = client.post("/api/addon/sync", json=sync_body(), headers=MARIE).json["run"]["workbook_id"]
    broken = sync_body(trigger="nightly")
    broken["snapshot"]["tabs"] = [t for t in broken["snapshot"]["tabs"] if t["name"] != "OKRs"]
    assert client.post("/api/addon/sync", json=broken, headers=MARIE).status_code == 422
    latest = client.get(f"/api/workbooks/{wid}/runs", headers=MARIE).json["runs"][0]
    assert (latest["trigger"], latest["outcome"], latest["error"]["code"]) == ("nightly", "failed", "not_ours")


def test_the_services_nightly_and_sync_now_leave_addon_workbooks_to_the_addon(tmp_path: Path) -> None:
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True)
    client = app.test_client()
    wid = client.post("/api/addon/sync", json=sync_body()).json["run"]["workbook_id"]
    summary = client.get("/cron/nightly").json
    assert summary["workbooks"] == 0 and summary["results"] == []
    assert client.post(f"/tasks/sync/{wid}").json == {"run": None}
    refused = client.post(f"/api/workbooks/{wid}/sync", headers={"Accept-Language": "fr"})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "addon_sync_refused"
    # Said in the workbook's language (English here), which the service knows, not the caller's.
    assert "syncs from its add-on" in refused.json["error"]["message"]
    assert len(svc_of(app).registry.runs(wid)) == 1


@pytest.mark.parametrize(("lang", "words"), [("fr", ["menu du classeur", "nuit"]),
                                             ("en", ["workbook menu", "nightly"])])
def test_the_pages_show_each_workbooks_last_sync_and_its_trigger(tmp_path: Path, lang: str, words: list[str]) -> None:
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True)
    client = app.test_client()
    wid = client.post("/api/addon/sync", json=sync_body()).json["run"]["workbook_id"]
    index = client.get(f"/?lang={lang}").get_data(as_text=True)
    assert words[0] in index and "2025-02-14 17:00 UTC" in index
    client.post("/api/addon/sync", json=sync_body(lang, trigger="nightly"))
    page = client.get(f"/workbooks/{wid}", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert f"({words[1]})" in page
