"""The local service's pages: `okrsync serve --no-auth` speaks the person's language, registers a workbook file
by its path from the index page's form, and syncs a workbook from its page's "Sync now" button."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import responses
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from openpyxl import Workbook, load_workbook

from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.service.local import prepare
from sync.template import catalog
from tests.service_support import FakeClock, bearer, make_app, svc_of, tiny_layout
from tests.service_support import google_certs as google_certs  # the fixture

TEAMS = {"fr": "Ventes", "en": "Sales"}
DEMO_TITLES = {"fr": "OKR Groupe Lavoie Conseil 2025-T1", "en": "OKRs Lavoie Advisory Group 2025-Q1"}
#: Everything that could make the CLI speak another language than the one a case sets.
NO_LOCALE = {"LANG": None, "LC_ALL": None, "OKRSYNC_LANG": None, "OKRSYNC_PAGE_LANG": None}


def said(key: str, lang: str, **params: Any) -> str:
    """A catalogue message as a page shows it (HTML-escaped)."""
    return str(escape(catalog.message(key, lang, **params)))


# -- okrsync serve speaks the person's language -------------------------------------------------------------


def served_by_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                  *args: str) -> tuple[Flask, str]:
    """The app `okrsync serve --no-auth` would listen with, and what it printed."""
    apps: list[Flask] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: apps.append(app))
    result = CliRunner().invoke(main, ["serve", "--no-auth", "--data", str(tmp_path / "data"), *args],
                                env={**NO_LOCALE, **env})
    assert result.exit_code == 0, result.output
    [app] = apps
    return app, result.output


@pytest.mark.parametrize(("env", "args", "lang"), [
    ({"LANG": "fr_CA.UTF-8"}, (), "fr"),
    ({"LANG": "en_US.UTF-8"}, (), "en"),
    ({"LANG": "fr_CH.UTF-8", "LC_ALL": "en_GB.UTF-8"}, (), "en"),
    ({"LANG": "en_US.UTF-8", "OKRSYNC_LANG": "fr"}, (), "fr"),
    ({"LANG": "fr_CA.UTF-8"}, ("--lang", "en"), "en"),
    ({"LANG": "en_US.UTF-8"}, ("--lang", "fr"), "fr"),
], ids=["fr_CA", "en_US", "LC_ALL", "OKRSYNC_LANG", "--lang en", "--lang fr"])
def test_serve_registers_the_demo_and_shows_its_pages_in_the_persons_language(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: tuple[str, ...],
        lang: str) -> None:
    app, output = served_by_cli(tmp_path, monkeypatch, env, *args)
    other = "en" if lang == "fr" else "fr"
    demo = tmp_path / "data" / f"okrsync-demo-{lang}.xlsx"
    assert catalog.message("cli.serve_demo", lang, path=demo) in output
    assert sorted(p.name for p in (tmp_path / "data").glob("*.xlsx")) == [demo.name]

    client = app.test_client()
    [registered] = client.get("/api/workbooks").json["workbooks"]
    assert (registered["lang"], registered["title"]) == (lang, DEMO_TITLES[lang])
    index = client.get("/").get_data(as_text=True)
    assert f'<html lang="{lang}">' in index and DEMO_TITLES[lang] in index
    for key in ("page.title_index", "page.register_heading", "page.register_button"):
        assert said(key, lang) in index and said(key, other) not in index
    page = client.get(f"/workbooks/{registered['id']}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in page and said("page.sync_now", lang) in page


def test_the_local_service_keeps_its_language_whatever_the_browser_says_unless_the_page_asks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app, _ = served_by_cli(tmp_path, monkeypatch, {"LANG": "fr_CA.UTF-8"})
    client = app.test_client()
    assert said("page.title_index", "fr") in client.get("/", headers={"Accept-Language": "en-US"}).get_data(
        as_text=True)
    assert said("page.title_index", "en") in client.get("/?lang=en").get_data(as_text=True)
    missing = client.get("/workbooks/nope", headers={"Accept-Language": "en-US"})
    assert missing.status_code == 404 and "Aucun classeur enregistré" in missing.get_data(as_text=True)


# -- the register form and the sync button ------------------------------------------------------------------


@pytest.fixture(scope="module", params=["fr", "en"])
def local(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[Flask, str, Path]]:
    """`okrsync serve --no-auth`'s app in one language, on a clock six weeks into 2025-Q1; a folder of files."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"local-{lang}")
    app, _demo = prepare("127.0.0.1", data=str(folder / "data"), no_auth=True, environ={}, lang=lang,
                         overrides={"CLOCK": FakeClock(), "LOG_STREAM": io.StringIO()})
    files = folder / "Mes documents"
    files.mkdir()
    yield app, lang, files


def form_of(page: str, form_id: str) -> tuple[str, dict[str, str]]:
    """A form's action and its hidden fields, as the browser would post them."""
    found = re.search(rf'<form method="post" action="([^"]+)"[^>]*id="{form_id}"(.*?)</form>', page, re.S)
    assert found, f"no form {form_id} on the page"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', found.group(2)))
    return found.group(1).replace("&amp;", "&"), hidden


def post_form(client: FlaskClient, page_url: str, form_id: str, **fields: str) -> Any:
    """Open the page, fill its form, post it."""
    action, hidden = form_of(client.get(page_url).get_data(as_text=True), form_id)
    return client.post(action, data={**hidden, **fields})


def workbook_file(folder: Path, lang: str, name: str) -> Path:
    """A small okrsync workbook on disk, never synced: SAL-KR1 red by confidence, SAL-KR2 at 70 of 125 leads."""
    path = folder / name
    XlsxBackend(path, lang=lang).provision(tiny_layout(lang, TEAMS[lang]))
    return path


def table(path: Path, tab: str, key_label: str) -> dict[Any, dict[str, Any]]:
    """A tab of the file as rows by their key column, each {header label: value}."""
    sheet = load_workbook(path)[tab]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(v) if v is not None else "" for v in rows[0]]
    return {row[header.index(key_label)]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def okr_cells(path: Path, lang: str, kr: str) -> dict[str, Any]:
    labels = {c.key: c.label for c in catalog.columns("okrs", lang)}
    row = table(path, catalog.tab_name("okrs", lang), labels["id"])[kr]
    return {key: row[label] for key, label in labels.items()}


def test_a_workbook_registered_by_its_path_is_synced_and_its_page_shows_the_result(
        local: tuple[Flask, str, Path]) -> None:
    app, lang, files = local
    client = app.test_client()
    path = workbook_file(files, lang, "OKR Acme.xlsx")
    assert okr_cells(path, lang, "SAL-KR1")["status"] is None  # never synced

    answer = post_form(client, "/", "register", path=str(path))

    assert answer.status_code == 303
    [wb] = [w for w in client.get("/api/workbooks").json["workbooks"] if w["target"] == str(path)]
    assert (wb["lang"], wb["last_run"]["trigger"], wb["last_run"]["outcome"]) == (lang, "register", "ok")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    report = client.get(f"/api/workbooks/{wb['id']}").json["report"]
    run = wb["last_run"]
    assert report["writes"]["cells"] > 0
    assert said("page.registered", lang) in page
    assert said("page.sync_done", lang, rows=2, invalid=0, problems=run["problems"],
                cells=report["writes"]["cells"]) in page
    kr1 = okr_cells(path, lang, "SAL-KR1")
    assert kr1["status"] == catalog.word("status", "red", lang) and kr1["current"] == 5
    assert okr_cells(path, lang, "SAL-KR2")["progress"] == pytest.approx(70 / 125)

    # Registering the same file again shows it, and registers nothing more.
    again = post_form(client, "/", "register", path=f"  {path}  ")
    assert again.status_code == 303 and urlsplit(again.headers["Location"]).path == f"/workbooks/{wb['id']}"
    assert [w["target"] for w in client.get("/api/workbooks").json["workbooks"]].count(str(path)) == 1


def test_the_sync_button_writes_the_workbooks_computed_cells_and_says_what_it_did(
        local: tuple[Flask, str, Path]) -> None:
    app, lang, files = local
    client = app.test_client()
    path = workbook_file(files, lang, "OKR Sync.xlsx")
    registered = post_form(client, "/", "register", path=str(path))
    page_url = urlsplit(registered.headers["Location"]).path
    # A person enters this week's figure in the file: 125 leads of 125.
    book = load_workbook(path)
    sheet = book[catalog.checkin_tab_name(TEAMS[lang], lang)]
    [row] = [r for r in sheet.iter_rows(min_row=2) if r[1].value == "SAL-KR2"]
    row[2].value = 125
    book.save(path)

    answer = post_form(client, page_url, "sync-now")

    assert answer.status_code == 303
    kr2 = okr_cells(path, lang, "SAL-KR2")
    assert kr2["current"] == 125 and kr2["progress"] == 1
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    run = client.get(f"/api{page_url}/runs").json["runs"][0]
    assert (run["trigger"], run["outcome"]) == ("page", "ok")
    cells = client.get(f"/api{page_url}").json["report"]["writes"]["cells"]
    assert cells > 0
    assert said("page.sync_done", lang, rows=2, invalid=0, problems=run["problems"], cells=cells) in page
    assert said("page.trigger_page", lang) in page and said("page.registered", lang) not in page
    # Without changes, the button syncs again and says nothing was written.
    again = client.get(post_form(client, page_url, "sync-now").headers["Location"]).get_data(as_text=True)
    assert said("page.sync_done", lang, rows=2, invalid=0, problems=run["problems"], cells=0) in again


def test_a_failed_sync_from_the_button_shows_why(local: tuple[Flask, str, Path]) -> None:
    app, lang, files = local
    client = app.test_client()
    path = workbook_file(files, lang, "OKR Gone.xlsx")
    page_url = urlsplit(post_form(client, "/", "register", path=str(path)).headers["Location"]).path
    path.unlink()

    page = client.get(post_form(client, page_url, "sync-now").headers["Location"]).get_data(as_text=True)

    gone = catalog.message("error.file_missing", lang, path=path.resolve())
    assert said("page.sync_failed", lang, message=gone) in page
    assert 'class="notice failed"' in page


def _plain_workbook(path: Path) -> Path:
    book = Workbook()
    book.active.append(["Budget", 2025])
    book.save(path)
    return path


BAD_PATHS: list[tuple[str, Any]] = [
    ("empty", lambda d: ("   ", "page.register_empty", {})),
    ("missing", lambda d: (str(d / "nowhere" / "OKR.xlsx"), "page.register_missing",
                           {"path": str(d / "nowhere" / "OKR.xlsx")})),
    ("folder", lambda d: (str(d), "page.register_folder", {"path": str(d)})),
    ("not xlsx", lambda d: (str(_touch(d / "notes.txt")), "page.register_not_xlsx", {"path": str(d / "notes.txt")})),
    ("not a workbook", lambda d: (str(_touch(d / "broken.xlsx")), "error.not_a_workbook",
                                  {"path": str(d / "broken.xlsx")})),
    ("not okrsync's", lambda d: (str(_plain_workbook(d / "budget.xlsx")), "error.not_ours",
                                 {"path": str(d / "budget.xlsx"), "tab": catalog.tab_name("settings", "en")})),
]


def _touch(path: Path) -> Path:
    path.write_text("not a spreadsheet\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("case", BAD_PATHS, ids=[c[0] for c in BAD_PATHS])
def test_a_bad_path_says_why_in_the_pages_language_keeps_what_was_typed_and_registers_nothing(
        local: tuple[Flask, str, Path], tmp_path: Path, case: tuple[str, Any]) -> None:
    app, lang, _files = local
    client = app.test_client()
    typed, key, params = case[1](tmp_path)
    before = client.get("/api/workbooks").json["workbooks"]
    files_before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))

    answer = post_form(client, "/", "register", path=typed)

    assert answer.status_code in (400, 422)
    page = answer.get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    message = catalog.message(key, lang, **params)
    error = re.search(r'<p class="error" id="register-error" role="alert">(.*?)</p>', page, re.S)
    assert error and error.group(1) == str(escape(message))
    assert f'value="{escape(typed)}"' in page  # what was typed is still there to fix
    assert client.get("/api/workbooks").json["workbooks"] == before
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == files_before


def test_posts_that_do_not_come_from_the_services_own_page_are_refused(local: tuple[Flask, str, Path]) -> None:
    app, lang, files = local
    client = app.test_client()
    path = workbook_file(files, lang, "OKR Forged.xlsx")
    action, hidden = form_of(client.get("/").get_data(as_text=True), "register")
    count = len(client.get("/api/workbooks").json["workbooks"])
    demo_id = client.get("/api/workbooks").json["workbooks"][0]["id"]
    runs = len(client.get(f"/api/workbooks/{demo_id}/runs").json["runs"])

    forged = [
        client.post(action, data={"path": str(path)}),  # another site's form: no token
        client.post(action, data={"path": str(path), "token": "guessed"}),
        client.post(f"/workbooks/{demo_id}/sync", data={}),
    ]
    # A site that points its own name at 127.0.0.1 (and could then read the token): its name is the host, and
    # no request of it gets an answer, not even a read.
    rebound = [
        client.post(action, data={**hidden, "path": str(path)}, base_url="http://okr.evil.example"),
        client.post(f"/workbooks/{demo_id}/sync", data=hidden, base_url="http://okr.evil.example:8080"),
        client.post(f"/api/workbooks/{demo_id}/sync", json={}, base_url="http://okr.evil.example"),
        client.get("/", base_url="http://okr.evil.example"),
        client.get("/api/workbooks", base_url="http://okr.evil.example:8080"),
        client.get(f"/api/workbooks/{demo_id}", base_url="http://okr.evil.example"),
    ]

    for answer in forged:
        assert answer.status_code == 403 and answer.mimetype == "text/html"
        assert said("service.form_forged", lang) in answer.get_data(as_text=True)
    for answer in rebound:
        assert answer.status_code == 403 and demo_id not in answer.get_data(as_text=True)
        assert said("service.host_not_local", "fr") in answer.get_data(as_text=True) or \
            said("service.host_not_local", "en") in answer.get_data(as_text=True)
    for host in ("http://localhost:8080", "http://127.0.0.1", "http://[::1]:5000"):
        assert client.get("/api/workbooks", base_url=host).status_code == 200
    assert len(client.get("/api/workbooks").json["workbooks"]) == count
    assert len(client.get(f"/api/workbooks/{demo_id}/runs").json["runs"]) == runs


def test_with_sign_in_the_index_has_no_register_form_and_the_form_is_refused(
        tmp_path: Path, google_certs: responses.RequestsMock) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    index = client.get("/", headers=bearer()).get_data(as_text=True)
    assert 'id="register"' not in index and svc_of(app).form_token not in index
    path = workbook_file(tmp_path, "en", "OKR.xlsx")
    assert client.post("/register", data={"path": str(path)}).status_code == 401
    refused = client.post("/register", data={"path": str(path)}, headers={**bearer(), "Accept-Language": "en"})
    assert refused.status_code == 403 and said("service.form_local_only", "en") in refused.get_data(as_text=True)
    assert svc_of(app).registry.workbooks() == []
