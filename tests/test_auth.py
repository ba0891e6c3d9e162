"""Who may call: Google ID tokens (signed here by a test key), domains, editors, cron and task callers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import responses
from flask.testing import FlaskClient

from sync.service.auth import CachingRequest, bearer_token, caller_domain, request_lang
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import (
    CERTS_URL,
    SERVICE_URL,
    TASKS_ACCOUNT,
    FakeClock,
    MemoryWorkbooks,
    bearer,
    make_app,
    scheduler_bearer,
    seed_spreadsheet,
    serve_certs,
    svc_of,
    tiny_layout,
    token,
)
from tests.service_support import google_certs as google_certs  # fixture

NOW = int(dt.datetime.now(dt.UTC).timestamp())


@pytest.fixture
def registered(google_fake: FakeGoogle, tmp_path: Path) -> tuple[FlaskClient, str]:
    """An app with one spreadsheet registered, shared with Marie (writer) and Paul (reader)."""
    serve_certs(google_fake.rsps)  # type: ignore[arg-type]
    app = make_app(tmp_path, MODE="google")
    sid = seed_spreadsheet(google_fake, tiny_layout(), editors=("marie@acme.example",))
    google_fake.book(sid).permissions.append({"kind": "drive#permission", "id": "p-paul", "type": "user",
                                              "role": "reader", "emailAddress": "paul@acme.example"})
    wb = svc_of(app).registry.add_workbook("gsheet", sid, "OKR Acme", "en", "marie@acme.example", svc_of(app).now())
    return app.test_client(), wb.id


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({}, 401, "token_missing"),
    ({"Authorization": "Basic bWFyaWU6c2VjcmV0"}, 401, "token_missing"),
    ({"Authorization": "Bearer not.a.jwt"}, 401, "token_invalid"),
    ({"Authorization": "Bearer " + token()[:-12] + "AAAAAAAAAAAA"}, 401, "token_invalid"),
    (bearer(iat=NOW - 7200, exp=NOW - 3600), 401, "token_expired"),
    (bearer(aud="someone-else.apps.googleusercontent.com"), 401, "token_wrong_audience"),
    (bearer(iss="https://evil.example.com"), 401, "token_invalid"),
    (bearer(email_verified=False), 401, "token_no_email"),
    (bearer(email="eve@evil.example", hd="evil.example"), 403, "domain_not_allowed"),
    # A consumer account with a verified address at an allowed domain is not that domain's member.
    (bearer(email="mallory@acme.example", hd=None), 403, "domain_not_allowed"),
    (bearer(email="paul@acme.example"), 403, "not_editor"),
    (bearer(email="zoe@acme.example"), 403, "not_editor"),
    (bearer(), 200, None),
    (bearer(email="MARIE@acme.example"), 200, None),
])
def test_a_workbook_answers_only_its_editors(registered: tuple[FlaskClient, str], headers: dict[str, str],
                                             status: int, code: str | None) -> None:
    client, wid = registered

    answer = client.get(f"/api/workbooks/{wid}", headers=headers)

    assert answer.status_code == status, answer.json
    if code:
        assert answer.json["error"] == {"code": code, "message": answer.json["error"]["message"], "status": status}
        assert answer.json["error"]["message"]
    if status == 401:
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_refusals_speak_the_callers_language(registered: tuple[FlaskClient, str]) -> None:
    client, wid = registered
    answer = client.get(f"/api/workbooks/{wid}", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert answer.status_code == 401 and "jeton" in answer.json["error"]["message"]


def test_a_domain_wide_share_makes_its_people_editors(registered: tuple[FlaskClient, str],
                                                      google_fake: FakeGoogle) -> None:
    client, wid = registered
    sid = svc_of(client.application).registry.workbook(wid).target  # type: ignore[union-attr]
    google_fake.book(sid).permissions.append({"kind": "drive#permission", "id": "p-dom", "type": "domain",
                                              "role": "writer", "domain": "acme.example"})
    assert client.get(f"/api/workbooks/{wid}", headers=bearer(email="zoe@acme.example")).status_code == 200


def test_the_list_shows_only_the_callers_domain(registered: tuple[FlaskClient, str]) -> None:
    client, wid = registered
    svc = svc_of(client.application)
    svc.registry.add_workbook("gsheet", "other-sheet", "OKR Beta", "en", "bob@beta.example", svc.now())

    listed = client.get("/api/workbooks", headers=bearer(email="zoe@acme.example")).json["workbooks"]

    assert [w["id"] for w in listed] == [wid]


def test_no_audience_configured_refuses_every_token(tmp_path: Path, google_certs: responses.RequestsMock) -> None:
    client = make_app(tmp_path, AUDIENCES=[]).test_client()
    answer = client.get("/api/workbooks", headers=bearer())
    assert answer.status_code == 503 and answer.json["error"]["code"] == "auth_not_configured"


def test_google_certificates_unreachable_is_a_503_not_a_401(tmp_path: Path) -> None:
    client = make_app(tmp_path).test_client()
    with responses.RequestsMock() as rsps:
        rsps.add(responses.GET, CERTS_URL, status=503)
        answer = client.get("/api/workbooks", headers=bearer())
    assert answer.status_code == 503 and answer.json["error"]["code"] == "certs_unavailable"


NOT_ID_TOKENS = [
    "garbage",
    "not.a.jwt",
    "a.b.c.d",
    "eyJhbGciOiJub25lIn0.e30.",  # alg none, no signature
    "eyJhbGciOiJIUzI1NiIsImtpZCI6IngifQ.e30.c2ln",  # HS256: Google signs with RS256
    "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",  # RS256 without a key ID
    "W10.e30.c2ln",  # a header that is JSON but not an object
    "e30.e30.c2ln" + "A" * 20_000,  # longer than any ID token
]


@pytest.mark.parametrize("garbage", NOT_ID_TOKENS)
def test_a_token_that_is_not_a_jwt_is_a_401_before_any_certificate_fetch(tmp_path: Path, garbage: str) -> None:
    client = scheduler_app(tmp_path, on_app_engine=False)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, CERTS_URL, body=ConnectionError("Google unreachable"))
        person = client.get("/api/workbooks", headers={"Authorization": f"Bearer {garbage}"})
        task = client.post("/tasks/sync/abc", headers={"Authorization": f"Bearer {garbage}"})
        assert len(rsps.calls) == 0
    assert person.status_code == 401 and person.json["error"]["code"] == "token_invalid"
    assert task.status_code == 401 and task.json["error"]["code"] == "token_invalid"


# -- cron and tasks -------------------------------------------------------------------------------------

def scheduler_app(tmp_path: Path, on_app_engine: bool) -> FlaskClient:
    environ = {"GAE_ENV": "standard", "GAE_APPLICATION": "s~okrsync-test"} if on_app_engine else {}
    return make_app(tmp_path, ENVIRON=environ, BACKENDS=MemoryWorkbooks(), TASKS_BASE_URL=SERVICE_URL,
                    TASKS_SERVICE_ACCOUNT=TASKS_ACCOUNT).test_client()


def test_a_forged_cron_header_outside_app_engine_is_refused(tmp_path: Path) -> None:
    client = scheduler_app(tmp_path, on_app_engine=False)
    answer = client.get("/cron/nightly", headers={"X-Appengine-Cron": "true"})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "not_cron"


def test_a_forged_queue_header_outside_app_engine_is_refused(tmp_path: Path) -> None:
    client = scheduler_app(tmp_path, on_app_engine=False)
    answer = client.post("/tasks/sync/abc", headers={"X-AppEngine-QueueName": "okrsync-sync"})
    assert answer.status_code == 403 and answer.json["error"]["code"] == "not_task"


def test_app_engine_cron_header_is_trusted_on_app_engine(tmp_path: Path) -> None:
    client = scheduler_app(tmp_path, on_app_engine=True)
    answer = client.get("/cron/nightly", headers={"X-Appengine-Cron": "true"})
    assert answer.status_code == 200 and answer.json["mode"] == "in_process"
    assert client.get("/cron/nightly").status_code == 403  # still not without the header


@pytest.mark.parametrize(("headers", "status"), [
    (scheduler_bearer(), 200),
    (scheduler_bearer(email="someone@okrsync-test.iam.gserviceaccount.com"), 403),
    (scheduler_bearer(audience="https://elsewhere.example.com"), 401),
    (bearer(), 401),  # a person's token is for the add-on's audience, not the service's
])
def test_cron_accepts_only_the_schedulers_oidc_token(tmp_path: Path, google_certs: responses.RequestsMock,
                                                     headers: dict[str, str], status: int) -> None:
    client = scheduler_app(tmp_path, on_app_engine=False)
    assert client.get("/cron/nightly", headers=headers).status_code == status


def test_google_certificates_are_fetched_once_while_fresh(tmp_path: Path, google_certs: responses.RequestsMock) -> None:
    clock = FakeClock()
    client = make_app(tmp_path, clock=clock, BACKENDS=MemoryWorkbooks()).test_client()
    for _ in range(3):
        assert client.get("/api/workbooks", headers=bearer()).status_code == 200
    clock.now += 3601
    assert client.get("/api/workbooks", headers=bearer()).status_code == 200
    assert len([c for c in google_certs.calls if c.request.url == CERTS_URL]) == 2


def test_caching_request_passes_other_methods_through() -> None:
    seen: list[str] = []

    class Inner:
        def __call__(self, url: str, method: str = "GET", **kwargs: object) -> object:
            seen.append(method)
            return type("R", (), {"status": 200, "headers": {}})()

    request = CachingRequest(Inner(), FakeClock())  # type: ignore[arg-type]
    request("https://x", method="POST")
    request("https://x", method="POST")
    assert seen == ["POST", "POST"]


@pytest.mark.parametrize(("header", "expected"), [
    ("Bearer abc.def", "abc.def"), ("bearer   abc  ", "abc"), ("Bearer", None), ("Basic abc", None), ("", None),
])
def test_bearer_token_is_read_from_the_authorization_header(header: str, expected: str | None) -> None:
    assert bearer_token({"Authorization": header}) == expected


@pytest.mark.parametrize(("claims", "domain"), [
    ({"email": "a@acme.example", "hd": "acme.example"}, "acme.example"),
    ({"email": "a@gmail.com"}, "gmail.com"),
    ({"email": "a@acme.example"}, None),
])
def test_the_callers_domain_is_the_one_google_vouches_for(claims: dict[str, str], domain: str | None) -> None:
    assert caller_domain(claims) == domain


@pytest.mark.parametrize(("accept", "lang"), [("fr-CA,fr;q=0.9", "fr"), ("en-US", "en"), ("de", "en"), ("", "en")])
def test_request_language_comes_from_accept_language(accept: str, lang: str) -> None:
    assert request_lang({"Accept-Language": accept}) == lang


def test_a_refusal_about_a_known_workbook_speaks_the_workbook_s_language(
        registered: tuple[FlaskClient, str]) -> None:
    client, wid = registered  # an English workbook
    french = {**bearer(email="paul@acme.example"), "Accept-Language": "fr-CA,fr;q=0.9"}
    answer = client.get(f"/api/workbooks/{wid}", headers=french)
    assert answer.status_code == 403
    assert answer.json["error"]["message"] == (
        'paul@acme.example is not an editor of the workbook "OKR Acme": ask its owner to share it with you.')
    page = client.get(f"/workbooks/{wid}", headers=french)
    assert page.status_code == 403 and "is not an editor of the workbook" in page.get_data(as_text=True)
    # Before any workbook is known, the caller's language.
    unknown = client.get("/api/workbooks/nope", headers=french)
    assert unknown.status_code == 404 and "Aucun classeur" in unknown.json["error"]["message"]
