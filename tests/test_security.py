"""Every endpoint against callers it must refuse, bodies it must not choke on, targets it must not reach, and
logs that must not carry secrets.

The endpoints are walked from the app's url_map and classified by the OpenAPI document's `security`, so a new
endpoint is covered (or this file fails until it is documented) without editing the tests.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from sync.backends.memory import MemoryBackend
from sync.layout.demo import demo_layout
from sync.model import Snapshot
from tests.addon_support import snapshot_json
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.service_support import (
    CERTS_URL,
    MARIE,
    SERVICE_URL,
    TASKS_ACCOUNT,
    MemoryWorkbooks,
    make_app,
    seed_spreadsheet,
    serve_certs,
    svc_of,
    tiny_layout,
)
from tests.service_support import bearer as signed_bearer
from tests.service_support import scheduler_bearer as signed_scheduler_bearer
from tests.service_support import token as signed_token

#: Endpoints the OpenAPI document leaves out on purpose: HTML pages (a person's), the document itself, static files.
UNDOCUMENTED = {"pages.index": "person", "pages.workbook": "person", "pages.register_file": "person",
                "pages.sync": "person", "openapi.openapi_json": "public", "static": "public"}
BOB = "bob@beta.example"
NOW_EXPIRED = {"iat": 1_700_000_000, "exp": 1_700_003_600}
TEN_MB = 10 * 1024 * 1024


# Signing a token costs ~0.1 s (the test key is parsed each time): each distinct one is signed once per session.
@cache
def token(**claims: Any) -> str:
    return signed_token(**claims)


@cache
def bearer(**claims: Any) -> dict[str, str]:
    return signed_bearer(**claims)


@cache
def scheduler_bearer(**kwargs: str) -> dict[str, str]:
    return signed_scheduler_bearer(**kwargs)


@dataclass(frozen=True)
class Route:
    """One (rule, method) of the app, with who may call it and whether it takes a JSON body."""

    rule: str
    method: str
    endpoint: str
    caller: str  # "public", "person" or "scheduler"
    body: bool

    def url(self, workbook_id: str) -> str:
        return self.rule.replace("<workbook_id>", workbook_id).replace("<path:filename>", "okrsync.css")

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


def _routes() -> list[Route]:
    """The app's routes, each classified by its OpenAPI operation (or UNDOCUMENTED)."""
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp))
        paths = app.test_client().get("/openapi.json").json["paths"]  # type: ignore[index]
        found = []
        for rule in app.url_map.iter_rules():
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                op = paths.get(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), {}).get(method.lower())
                if op is None:
                    assert rule.endpoint in UNDOCUMENTED, f"{method} {rule.rule} is neither documented nor listed"
                    caller = UNDOCUMENTED[rule.endpoint]
                else:
                    schemes = {name for requirement in op.get("security", []) for name in requirement}
                    caller = ("scheduler" if "appEngineCron" in schemes
                              else "person" if schemes else "public")
                found.append(Route(rule.rule, method, rule.endpoint, caller, bool(op and op.get("requestBody"))))
        return found


ROUTES = _routes()
PERSON = [r for r in ROUTES if r.caller == "person"]
SCHEDULER = [r for r in ROUTES if r.caller == "scheduler"]
PUBLIC = [r for r in ROUTES if r.caller == "public"]
WITH_BODY = [r for r in ROUTES if r.body]
WITH_ID = [r for r in PERSON if "<workbook_id>" in r.rule]


def test_the_walk_classifies_the_known_endpoints() -> None:
    """A guard on the walk itself (new endpoints join these lists on their own)."""
    assert {"api.list_workbooks", "api.provision_workbook", "api.register_workbook", "api.get_workbook",
            "api.sync_now", "api.list_runs", "addon.addon_sync", "addon.addon_layout", "addon.addon_team",
            "pages.index", "pages.workbook", "pages.register_file", "pages.sync"} <= {r.endpoint for r in PERSON}
    assert {r.endpoint for r in SCHEDULER} >= {"cron.cron_nightly", "cron.task_sync"}
    assert {r.endpoint for r in PUBLIC} >= {"api.healthz", "openapi.openapi_json", "static"}
    assert {r.endpoint for r in WITH_BODY} >= {"api.provision_workbook", "api.register_workbook",
                                                "addon.addon_sync", "addon.addon_layout", "addon.addon_team"}
    assert len(ROUTES) == len({(r.rule, r.method) for r in ROUTES}) >= 16


@dataclass
class Service:
    """An app with Marie's workbook (acme), Bob's (beta), Google's certificates served, logs captured."""

    app: Flask
    client: FlaskClient
    marie_wb: str
    bob_wb: str
    logs: io.StringIO
    certs: responses.RequestsMock

    def call(self, route: Route, headers: dict[str, str] | None = None, workbook_id: str | None = None,
             **kwargs: Any) -> TestResponse:
        return self.client.open(route.url(workbook_id or self.marie_wb), method=route.method,
                                headers=headers or {}, **kwargs)

    def cert_fetches(self) -> int:
        return len([c for c in self.certs.calls if c.request.url == CERTS_URL])


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Service]:
    books = MemoryWorkbooks()
    logs = io.StringIO()
    app = make_app(tmp_path, BACKENDS=books, ALLOWED_DOMAINS=["acme.example", "beta.example"], LOG_STREAM=logs,
                   TASKS_BASE_URL=SERVICE_URL, TASKS_SERVICE_ACCOUNT=TASKS_ACCOUNT)
    registry, now = svc_of(app).registry, svc_of(app).now()
    marie = registry.add_workbook("xlsx", books.add(tiny_layout()), "OKR Acme", "en", MARIE, now)
    bob = registry.add_workbook("xlsx", books.add(tiny_layout(team="Beta")), "OKR Beta", "en", BOB, now)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        serve_certs(rsps)
        yield Service(app, app.test_client(), marie.id, bob.id, logs, rsps)


def error_code(answer: TestResponse) -> str | None:
    """The JSON error's code; None for an HTML page (its status says it all)."""
    return answer.json["error"]["code"] if answer.is_json else None


def assert_refused(answer: TestResponse, status: int, code: str) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    assert error_code(answer) in (code, None)
    if answer.is_json:
        assert answer.json["error"] == {"code": code, "message": answer.json["error"]["message"], "status": status}
        assert answer.json["error"]["message"]
    else:
        assert answer.mimetype == "text/html"


# -- people's endpoints ----------------------------------------------------------------------------------

NOT_TOKENS = ["garbage", "not.a.jwt", "eyJhbGciOiJub25lIn0.e30.", "Zm9v.YmFy.YmF6"]


@pytest.mark.parametrize("route", PERSON, ids=str)
def test_every_persons_endpoint_refuses_missing_malformed_expired_and_foreign_tokens(
        svc: Service, route: Route) -> None:
    assert_refused(svc.call(route), 401, "token_missing")
    assert_refused(svc.call(route, {"Authorization": "Basic bWFyaWU6c2VjcmV0"}), 401, "token_missing")
    for garbage in NOT_TOKENS:
        assert_refused(svc.call(route, {"Authorization": f"Bearer {garbage}"}), 401, "token_invalid")
    assert svc.cert_fetches() == 0  # nothing that is not a JWT costs a network call
    assert_refused(svc.call(route, bearer(**NOW_EXPIRED)), 401, "token_expired")
    assert_refused(svc.call(route, bearer(aud="someone-else.apps.googleusercontent.com")), 401,
                   "token_wrong_audience")
    assert_refused(svc.call(route, bearer(iss="https://evil.example")), 401, "token_invalid")
    assert_refused(svc.call(route, bearer(email_verified=False)), 401, "token_no_email")
    assert_refused(svc.call(route, bearer(email="eve@evil.example", hd="evil.example")), 403, "domain_not_allowed")
    # A scheduler's OIDC token is for the service's URL, not the add-on's client: not a person's.
    assert_refused(svc.call(route, scheduler_bearer()), 401, "token_wrong_audience")
    assert svc.cert_fetches() == 1  # fetched once, then cached


@pytest.mark.parametrize("route", WITH_ID, ids=str)
def test_another_domains_workbook_is_a_403_and_an_unknown_one_a_404(svc: Service, route: Route) -> None:
    assert_refused(svc.call(route, bearer(), workbook_id=svc.bob_wb), 403, "not_editor")
    assert_refused(svc.call(route, bearer(email=BOB, hd="beta.example"), workbook_id=svc.marie_wb), 403,
                   "not_editor")
    assert_refused(svc.call(route, bearer(), workbook_id="0" * 32), 404, "workbook_not_found")
    assert_refused(svc.call(route, bearer(), workbook_id="x" * 200), 404, "workbook_not_found")
    # Marie's own: let through (a page's button answers with the page to go back to); an endpoint that takes
    # a body then only asks for it.
    expected = 303 if route.endpoint == "pages.sync" else 400 if route.body else 200
    assert svc.call(route, bearer()).status_code == expected


@pytest.mark.parametrize("route", [r for r in PERSON if r.method == "GET" and "<" not in r.rule], ids=str)
def test_lists_show_only_the_callers_domain(svc: Service, route: Route) -> None:
    marie = svc.call(route, bearer()).get_data(as_text=True)
    bob = svc.call(route, bearer(email=BOB, hd="beta.example")).get_data(as_text=True)
    assert "OKR Acme" in marie and "OKR Beta" not in marie
    assert "OKR Beta" in bob and "OKR Acme" not in bob


def test_a_spreadsheet_shared_with_someone_else_is_a_403_on_every_workbook_endpoint(
        google_fake: FakeGoogle, tmp_path: Path) -> None:
    serve_certs(google_fake.rsps)  # type: ignore[arg-type]
    app = make_app(tmp_path, MODE="google")
    sid = seed_spreadsheet(google_fake, tiny_layout(), editors=("paul@acme.example",))
    wb = svc_of(app).registry.add_workbook("gsheet", sid, "OKR Acme", "en", "paul@acme.example", svc_of(app).now())
    client = app.test_client()
    for route in WITH_ID:
        answer = client.open(route.url(wb.id), method=route.method, headers=bearer())
        assert_refused(answer, 403, "not_editor")
    assert google_fake.write_calls() == []


# -- cron and tasks --------------------------------------------------------------------------------------

FORGED = {"X-Appengine-Cron": "true", "X-AppEngine-QueueName": "nightly", "X-AppEngine-TaskName": "t1",
          "X-Forwarded-For": "10.0.0.1", "X-Appengine-User-Is-Admin": "1"}


@pytest.mark.parametrize("route", SCHEDULER, ids=str)
def test_cron_and_task_endpoints_refuse_forged_headers_and_peoples_tokens(svc: Service, route: Route) -> None:
    refusal = "not_cron" if route.rule.startswith("/cron") else "not_task"
    assert_refused(svc.call(route), 403, refusal)
    assert_refused(svc.call(route, FORGED), 403, refusal)  # off App Engine, its headers prove nothing
    assert_refused(svc.call(route, {**FORGED, **bearer()}), 401, "token_wrong_audience")
    assert_refused(svc.call(route, bearer(aud=SERVICE_URL)), 403, refusal)  # a person, not the tasks account
    assert_refused(svc.call(route, scheduler_bearer(email="eve@evil.example")), 403, refusal)
    assert_refused(svc.call(route, scheduler_bearer(audience="https://evil.example")), 401, "token_wrong_audience")
    for garbage in NOT_TOKENS:
        assert_refused(svc.call(route, {"Authorization": f"Bearer {garbage}"}), 401, "token_invalid")
    expired = {"Authorization": "Bearer " + token(aud=SERVICE_URL, email=TASKS_ACCOUNT, hd=None, **NOW_EXPIRED)}
    assert_refused(svc.call(route, expired), 401, "token_expired")
    assert svc_of(svc.app).registry.runs(svc.marie_wb, 10) == []  # nothing ran
    assert svc.call(route, scheduler_bearer()).status_code == 200  # the real scheduler gets in


@pytest.mark.parametrize("route", SCHEDULER, ids=str)
def test_on_app_engine_its_own_headers_are_trusted(tmp_path: Path, route: Route) -> None:
    environ = {"GAE_ENV": "standard", "GAE_APPLICATION": "s~okrsync-test"}
    books = MemoryWorkbooks()
    app = make_app(tmp_path, ENVIRON=environ, BACKENDS=books)
    wb = svc_of(app).registry.add_workbook("xlsx", books.add(tiny_layout()), "OKR", "en", MARIE, svc_of(app).now())
    header = {"X-Appengine-Cron": "true"} if route.rule.startswith("/cron") else {"X-AppEngine-QueueName": "q"}
    assert app.test_client().open(route.url(wb.id), method=route.method, headers=header).status_code == 200


# -- public endpoints ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", PUBLIC, ids=str)
def test_public_endpoints_say_nothing_about_workbooks(svc: Service, route: Route) -> None:
    answer = svc.call(route)
    assert answer.status_code in (200, 404)  # a static file may not exist
    text = answer.get_data(as_text=True)
    assert "OKR Acme" not in text and MARIE not in text and svc.marie_wb not in text


# -- bodies ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", WITH_BODY, ids=str)
def test_bodies_too_large_malformed_or_too_deep_are_refused_with_a_sentence(svc: Service, route: Route) -> None:
    json_type = "application/json"
    answer = svc.call(route, bearer(), data=b'{"a": "' + b"x" * TEN_MB + b'"}', content_type=json_type)
    assert_refused(answer, 413, "too_large" if route.rule.startswith("/api/addon") else "body_too_large")
    for data, code in [(b'{"a":' * 5000, "too_deep"), (b"[" * 100_000, "too_deep"),
                       (b'{"snapshot": ', "bad_json"), (b'{"a": NaN}', "bad_json"), (b"\xff\xfe", "bad_json"),
                       (b"[1, 2]", "bad_body")]:
        assert_refused(svc.call(route, bearer(), data=data, content_type=json_type), 400, code)
    assert_refused(svc.call(route, bearer(), data=b'{"a": 1}', content_type="text/plain"), 400, "bad_body")
    fr = svc.call(route, {**bearer(), "Accept-Language": "fr"}, data=b'{"a":' * 5000, content_type=json_type)
    assert fr.json["error"]["message"] == "Le corps de la requête est un JSON imbriqué trop profondément."
    assert len(svc_of(svc.app).registry.workbooks()) == 2  # nothing was made


def test_a_deeply_nested_body_on_provision_is_a_400_not_a_500(svc: Service) -> None:
    answer = svc.client.post("/api/workbooks", data=b'{"a":' * 5000, content_type="application/json",
                             headers=bearer())
    assert answer.status_code == 400
    assert answer.json["error"] == {"code": "too_deep", "message": "The request body is JSON nested too deeply.",
                                    "status": 400}
    assert '"ERROR"' not in svc.logs.getvalue()


# -- targets ---------------------------------------------------------------------------------------------

FOREIGN_IDS = ["../../etc/passwd", "/etc/passwd", "..%2f..%2fetc%2fpasswd", "gsheet:../x", "gsheet:/etc/passwd",
               "https://evil.example/spreadsheets/d/abc", "http://docs.google.com.evil.example/spreadsheets/d/abc",
               "https://docs.google.com@evil.example/spreadsheets/d/abc", "file:///etc/passwd",
               "//evil.example/x", "abc\\..\\..\\x", "gsheet:abc/../../x", "../okr.xlsx", "abc?x=1"]


@pytest.mark.parametrize("spreadsheet_id", FOREIGN_IDS)
def test_spreadsheet_ids_that_are_paths_or_other_hosts_are_refused_on_register_and_sync(
        svc: Service, spreadsheet_id: str) -> None:
    answer = svc.client.post("/api/workbooks/register", json={"spreadsheet_id": spreadsheet_id}, headers=bearer())
    assert answer.status_code == 400 and error_code(answer) in ("unknown_target", "bad_field")
    snapshot = snapshot_json(tiny_layout_snapshot(), spreadsheet_id=spreadsheet_id)
    answer = svc.client.post("/api/addon/sync", json={"snapshot": snapshot, "write": True}, headers=bearer())
    assert answer.status_code == 400 and "snapshot.spreadsheet.id" in answer.json["error"]["message"]
    for route in [r for r in WITH_ID if r.method == "POST"]:  # sync now, with the ID where a workbook's goes
        answer = svc.client.open(route.url(quote(spreadsheet_id, safe="")), method="POST", headers=bearer())
        assert_refused(answer, 404, "workbook_not_found" if "/" not in spreadsheet_id else "http_404")
    assert svc.certs.calls and all(c.request.url == CERTS_URL for c in svc.certs.calls)  # no other host reached
    assert len(svc_of(svc.app).registry.workbooks()) == 2


@pytest.mark.parametrize("path", ["../../etc/passwd.xlsx", "/etc/okr.xlsx", "..\\..\\okr.xlsx", "~/okr.xlsx",
                                  "sub/../../okr.xlsx"])
def test_local_paths_outside_the_data_directory_are_refused(tmp_path: Path, path: str) -> None:
    client = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, MODE="local").test_client()
    answer = client.post("/api/workbooks/register", json={"path": path})
    assert answer.status_code in (400, 404), answer.json
    assert client.get("/api/workbooks").json["workbooks"] == []


def tiny_layout_snapshot() -> Snapshot:
    backend = MemoryBackend("t")
    backend.provision(tiny_layout())
    return backend.read()


# -- logs ------------------------------------------------------------------------------------------------


def test_nothing_secret_reaches_the_logs(svc: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens, Authorization headers, what people typed and their addresses stay out of every log line,
    even when a sync fails or crashes with the header in its error."""
    secret = token()
    auth = {"Authorization": f"Bearer {secret}"}
    typed = "Confidential: cut 12 jobs in Q2"
    layout = demo_layout("en")
    layout.tabs[3].grid.append(["2025-02-10", "MKT-KR1", 1, "🔴", typed])
    books: MemoryWorkbooks = svc_of(svc.app).config["BACKENDS"]
    target = books.add(layout)
    wb = svc_of(svc.app).registry.add_workbook("xlsx", target, "OKR Demo", "en", MARIE, svc_of(svc.app).now())
    assert svc.client.post(f"/api/workbooks/{wb.id}/sync", headers=auth).status_code == 200
    snapshot = snapshot_json(books.books[target].read())
    answer = svc.client.post("/api/addon/sync", json={"snapshot": snapshot, "write": True}, headers=auth)
    assert answer.status_code == 200
    books.failing.add(target)
    assert svc.client.post(f"/api/workbooks/{wb.id}/sync", headers=auth).status_code == 502

    def crash(kind: str, target: str, lang: str) -> Any:
        raise RuntimeError(f"boom with Authorization: Bearer {secret} for {MARIE}")

    books.failing.clear()
    monkeypatch.setattr(books, "open", crash)
    assert svc.client.post(f"/api/workbooks/{wb.id}/sync", headers=auth).status_code in (200, 500)
    expired = "Bearer " + token(**NOW_EXPIRED)
    assert svc.client.get("/api/workbooks", headers={"Authorization": expired}).status_code == 401
    assert svc.client.get("/cron/nightly", headers=auth).status_code == 401
    lines = svc.logs.getvalue().splitlines()
    assert len(lines) >= 4 and any('"ERROR"' in line for line in lines)  # failures were logged…
    text = "\n".join(lines)
    for leaked in (secret, secret.split(".")[1], secret.split(".")[2], expired[7:], typed, MARIE):
        assert leaked not in text  # …without what they should not carry
    assert "Bearer eyJ" not in text and "[redacted]" in text
