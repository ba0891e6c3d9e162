"""The status pages, server-rendered in the workbook's language, with the template's status colours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sync.template import catalog
from tests.service_support import MemoryWorkbooks, make_app, svc_of, tiny_layout

RED = catalog.template()["colors"]["red"]
GREEN = catalog.template()["colors"]["green"]


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    books = MemoryWorkbooks()
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=books)
    svc = svc_of(app)
    for lang, team in (("fr", "Ventes"), ("en", "Sales")):
        wb = svc.registry.add_workbook("xlsx", books.add(tiny_layout(lang, team)), f"OKR {team}", lang, "local",
                                       svc.now())
        app.test_client().post(f"/api/workbooks/{wb.id}/sync")
    return app.test_client()


def ids(client: FlaskClient) -> dict[str, str]:
    return {w["lang"]: w["id"] for w in client.get("/api/workbooks").json["workbooks"]}


def test_the_index_lists_workbooks_with_their_last_sync_and_counts(client: FlaskClient) -> None:
    page = client.get("/?lang=fr").get_data(as_text=True)
    assert "Classeurs OKR" in page and "OKR Ventes" in page and "OKR Sales" in page
    assert "réussie" in page and "2025-02-14 17:00 UTC" in page
    assert re.search(r'data-status="red" style="background-color: ' + RED + r'">Rouge 1<', page)
    assert "OKR workbooks" in client.get("/", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)


@pytest.mark.parametrize(("lang", "words"), [
    ("fr", ["Équipes", "À discuter lundi", "Résultats clés (KR)", "Problèmes à corriger", "Rouge", "Augmenter"]),
    ("en", ["Teams", "For Monday", "Key results (KRs)", "Problems to fix", "Red", "Increase"]),
])
def test_a_workbook_page_speaks_its_workbooks_language(client: FlaskClient, lang: str, words: list[str]) -> None:
    page = client.get(f"/workbooks/{ids(client)[lang]}", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in page
    for word in words:
        assert word in page


def test_a_red_kr_is_shown_red_and_leads_the_focus_list(client: FlaskClient) -> None:
    page = client.get(f"/workbooks/{ids(client)['en']}").get_data(as_text=True)
    red_row = re.search(r'<tr data-kr="SAL-KR1" data-status="red">(.*?)</tr>', page, re.S)
    assert red_row and f'style="background-color: {RED}">Red</td>' in red_row.group(1)
    green_row = re.search(r'<tr data-kr="SAL-KR2" data-status="green">(.*?)</tr>', page, re.S)
    assert green_row and f"background-color: {GREEN}" in green_row.group(1)
    focus = re.search(r'<table id="focus">(.*?)</table>', page, re.S)
    assert focus and 'data-focus="SAL-KR1"' in focus.group(1) and "SAL-KR2" not in focus.group(1)


def test_a_workbook_without_a_report_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=MemoryWorkbooks())
    svc = svc_of(app)
    wb = svc.registry.add_workbook("xlsx", "/nowhere.xlsx", "OKR Vide", "fr", "local", svc.now())
    page = app.test_client().get(f"/workbooks/{wb.id}").get_data(as_text=True)
    assert "Pas encore de rapport" in page


def test_page_errors_are_pages_in_the_readers_language(client: FlaskClient) -> None:
    answer = client.get("/workbooks/nope")
    assert answer.status_code == 404 and answer.mimetype == "text/html"
    assert "Aucun classeur enregistré" in answer.get_data(as_text=True)


def test_pages_need_a_signed_in_editor_when_auth_is_on(tmp_path: Path) -> None:
    answer = make_app(tmp_path).test_client().get("/")
    assert answer.status_code == 401 and "Authentification requise" in answer.get_data(as_text=True)
