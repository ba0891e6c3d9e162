"""Dropdowns that agree with the Read me, and protections that only warn, as each backend writes them.

The Confidence dropdown offers the colours and their words and lets any other entry in ("80 %") without a
warning; computed columns and service tabs are protected with a warning only, and in .xlsx people may still
format cells, resize and add columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from sync.backends.xlsx import XlsxBackend
from sync.layout.build import Layout, Team, WorkbookSpec, build_layout
from sync.parsing import parse_confidences
from sync.template import catalog
from sync.wire.layout import layout_json
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.google_harness import Harness

LANGS = ["fr", "en"]
WORDS = {"fr": ["🟢", "🟡", "🔴", "vert", "jaune", "rouge"], "en": ["🟢", "🟡", "🔴", "green", "yellow", "red"]}
CONF_COL = next(i for i, c in enumerate(catalog.columns("checkins", "en"), start=1) if c.key == "confidence")


def layout_of(lang: str) -> Layout:
    return build_layout(WorkbookSpec("Acme", lang, "2025-Q1", [Team("Marketing"), Team("Ventes")]))


def checkin_tabs(layout: Layout) -> list[str]:
    return [t.name for t in layout.tabs if t.key.startswith("checkins:")]


@pytest.mark.parametrize("lang", LANGS)
def test_confidence_dropdown_offers_the_colours_and_their_words_on_google(google_fake: FakeGoogle, lang: str) -> None:
    layout = layout_of(lang)
    Harness(google_fake, lang=lang).backend.provision(layout)
    requests = [r for body in google_fake.bodies("spreadsheets.batchUpdate") for r in body["requests"]]
    ids = {r["addSheet"]["properties"]["title"]: r["addSheet"]["properties"]["sheetId"]
           for r in requests if "addSheet" in r}
    # Column D of the check-in tabs: other tabs' column D has dropdowns of its own (the KPI tab's Direction).
    others = {ids[t.name] for t in layout.tabs if not t.key.startswith("checkins:") and t.name in ids}
    rules = [r["setDataValidation"] for r in requests if "setDataValidation" in r
             and r["setDataValidation"]["range"]["startColumnIndex"] == CONF_COL - 1
             and r["setDataValidation"]["range"]["sheetId"] not in others]
    on = {rule["range"]["sheetId"] for rule in rules}
    assert on == {ids[name] for name in checkin_tabs(layout)}  # the organisation's tab too
    for rule in rules:
        condition = rule["rule"]["condition"]
        assert condition["type"] == "ONE_OF_LIST"
        assert [v["userEnteredValue"] for v in condition["values"]] == WORDS[lang]
        # Not strict: "80 %" goes in as typed; the list is offered as a dropdown.
        assert rule["rule"]["strict"] is False and rule["rule"]["showCustomUi"] is True
        assert rule["rule"]["inputMessage"] == catalog.message("layout.confidence_help", lang)
    protections = [r["addProtectedRange"]["protectedRange"] for r in requests if "addProtectedRange" in r]
    assert protections and all(p["warningOnly"] is True for p in protections)
    assert google_fake.take_errors() == []


@pytest.mark.parametrize("lang", LANGS)
def test_confidence_dropdown_in_xlsx_offers_the_words_and_lets_a_percentage_in_silently(
        tmp_path: Path, lang: str) -> None:
    layout = layout_of(lang)
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path, lang=lang).provision(layout)
    book = openpyxl.load_workbook(path)
    for name in checkin_tabs(layout):
        [rule] = [dv for dv in book[name].data_validations.dataValidation if "D2" in str(dv.sqref)]
        assert rule.type == "list" and rule.formula1 == '"' + ",".join(WORDS[lang]) + '"'
        # No error alert at all: Excel and LibreOffice take "80 %" as typed, and still show the list.
        assert not rule.showErrorMessage
        assert not rule.showDropDown  # openpyxl's showDropDown=True would hide the in-cell arrow
        assert rule.showInputMessage and rule.prompt == catalog.message("layout.confidence_help", lang)
    okrs = book[catalog.tab_name("okrs", lang)]
    [types] = [dv for dv in okrs.data_validations.dataValidation if "C2" in str(dv.sqref)]
    assert types.showErrorMessage and types.errorStyle in (None, "stop")  # the Type list stays strict


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_protection_warns_only_and_lets_people_format_and_add_columns(tmp_path: Path, lang: str) -> None:
    layout = layout_of(lang)
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path, lang=lang).provision(layout)
    book = openpyxl.load_workbook(path)
    inputs = [catalog.tab_name("okrs", lang), *checkin_tabs(layout)]
    for name in inputs:
        p = book[name].protection
        assert p.sheet and not p.password
        # In openpyxl (as in the file), a flag set to False means the action is allowed.
        assert (p.formatCells, p.formatColumns, p.insertColumns, p.insertRows, p.sort) == (False,) * 5
    for name in (catalog.tab_name("org", lang), catalog.tab_name("history", lang)):
        p = book[name].protection
        assert p.sheet and not p.password and p.formatCells is False and p.formatColumns is False


@pytest.mark.parametrize("lang", LANGS)
def test_the_addon_renders_the_same_confidence_list(lang: str) -> None:
    layout = layout_of(lang)
    tabs = {t["name"]: t for t in layout_json(layout)["tabs"]}
    for name in checkin_tabs(layout):
        [conf] = [d for d in tabs[name]["dropdowns"] if d["range"].startswith("D2")]
        assert conf["values"] == WORDS[lang] and conf["strict"] is False and conf["source"] is None
        assert conf["help"] == catalog.message("layout.confidence_help", lang)


def test_every_word_the_confidence_list_offers_is_one_the_sync_reads() -> None:
    for lang in LANGS:
        locale = catalog.template()["default_locale"][lang]
        read: Any = parse_confidences(pd.Series([*WORDS[lang], "80 %"], dtype=object), locale)
        assert read["error"].isna().all() and list(read["value"].round(2))[-1] == 0.8
