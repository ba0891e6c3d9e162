"""Whole syncs on the Google Sheets fake: provision, a person types, sync; call counts, moving rows, parity with
a local .xlsx, and retries and errors through run_sync and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import google.auth
import google.auth.exceptions
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from benchmarks.synthetic import synthetic_layout
from sync.backends import google_api
from sync.backends.gsheets_growth import room
from sync.backends.gsheets_layout import col_letters
from sync.backends.gsheets_values import rgb, to_serial
from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import evaluate, run_sync
from sync.errors import BackendError
from sync.layout.build import Team, WorkbookSpec, build_layout
from sync.layout.demo import AS_OF as DEMO_AS_OF
from sync.layout.demo import demo_layout
from sync.model import same_cell
from sync.template import catalog
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.google_harness import (
    SA_EMAIL,
    Harness,
    anchored_rows,
    column,
    compact,
    people_cells,
    provision,
    sync_backend,
    tab,
    type_rows,
)

AS_OF = dt.date(2025, 2, 14)  # 50 % of 2025-Q1 elapsed (45 of 90 days)
LANGS = ["fr", "en"]
PROGRESS, STATUS, VALIDATION, KEY = (column("checkins", k) for k in ("progress", "status", "validation", "key"))
OKR_COLS = {k: column("okrs", k) for k in ("current", "progress", "expected", "confidence", "status",
                                           "last_checkin", "notes")}

# -- The workbook a person fills in: three teams, their OKRs and five check-in rows each, some wrong ---------


def _say(lang: str, fr: Any, en: Any) -> Any:
    return fr if lang == "fr" else en


def teams(lang: str) -> list[str]:
    return ["Marketing", _say(lang, "Ventes", "Sales"), _say(lang, "Succès client", "Customer success")]


def okr_rows(lang: str) -> list[list[Any]]:
    """The OKR tab as typed: start and target as text, numbers and percentages, as people write them."""
    mkt, sal, cs = teams(lang)
    org = "Organisation"
    objective, increase, decrease, milestone = (catalog.word("kr_types", k, lang)
                                                for k in ("objective", "increase", "decrease", "milestone"))
    v = _say(lang, "VEN", "SAL")
    return [
        ["ORG-O1", org, objective, _say(lang, "Devenir la référence", "Become the reference"), "Ana"],
        ["ORG-KR1", org, increase, _say(lang, "Générer 125 leads qualifiés", "Generate 125 qualified leads"), "Ana",
         0, 125, "leads"],
        ["ORG-KR2", org, increase, "ARPU 1 200 → 1 450 CHF", "Ana", _say(lang, "1 200", "1,200"),
         _say(lang, "1 450", "1,450"), "CHF"],
        ["MKT-O1", mkt, objective, _say(lang, "Remplir le pipeline", "Fill the pipeline"), "Léa", None, None, None,
         "ORG-O1"],
        ["MKT-KR1", mkt, increase, _say(lang, "Générer 125 leads", "Generate 125 leads"), "Léa", 0, 125, "leads",
         "ORG-KR1"],
        ["MKT-KR2", mkt, increase, _say(lang, "Conversion de 18 % à 25 %", "Conversion from 18% to 25%"), "Léa",
         _say(lang, "18 %", "18%"), _say(lang, "25 %", "25%"), "%"],
        [f"{v}-O1", sal, objective, _say(lang, "Vendre plus vite", "Sell faster"), "Marc", None, None, None,
         "ORG-O1"],
        [f"{v}-KR1", sal, decrease, _say(lang, "Cycle de vente de 45 à 35 jours", "Sales cycle from 45 to 35 days"),
         "Marc", 45, 35, _say(lang, "jours", "days")],
        [f"{v}-KR2", sal, increase, "ARPU 1 200 → 1 450 CHF", "Marc", _say(lang, "1 200", "1,200"),
         _say(lang, "1 450", "1,450"), "CHF", "ORG-KR2"],
        ["CS-O1", cs, objective, _say(lang, "Garder nos clients", "Keep our customers"), "Julie", None, None, None,
         "ORG-O1"],
        ["CS-KR1", cs, decrease, "Churn 3 % → 2 %", "Julie", _say(lang, "3 %", "3%"), _say(lang, "2 %", "2%"), "%"],
        ["CS-KR2", cs, milestone, _say(lang, "Lancer 1 programme de fidélité", "Launch 1 loyalty programme"),
         "Julie"],
    ]


def day(lang: str, iso: str, other_style: bool = False) -> str:
    """A date as a person types it: 13/01/2025 in French; 2025-01-13 or 01/13/2025 in English."""
    y, m, d = iso.split("-")
    if lang == "fr":
        return f"{d}/{m}/{y}"
    return f"{m}/{d}/{y}" if other_style else iso


def checkin_rows(lang: str) -> dict[str, list[list[Any]]]:
    """Each team's check-ins as typed: numbers, text with units, percentages, emoji and words; wrong rows too."""
    mkt, sal, cs = teams(lang)
    v = _say(lang, "VEN", "SAL")
    return {
        mkt: [
            [day(lang, "2025-01-13"), "MKT-KR1", 12, "🟢", _say(lang, "bon début", "good start")],
            [day(lang, "2025-01-20", True), "MKT-KR1", "28 leads", _say(lang, "vert", "green")],
            [day(lang, "2025-01-20"), "MKT-KR2", _say(lang, "21,5 %", "21.5%"), "60 %",
             _say(lang, "en retard", "late")],
            [day(lang, "2025-01-27", True), "MKT-KR9", 5, "🟢"],                          # unknown KR
            [day(lang, "2025-02-03"), "MKT-KR1", _say(lang, "beaucoup", "lots"), "🟡"],    # not a number
        ],
        sal: [
            [day(lang, "2025-01-13", True), f"{v}-KR1", _say(lang, "45 jours", "45 days"), "🟡"],
            [day(lang, "2025-02-10"), f"{v}-KR1", _say(lang, "40 jours", "40 days"), "🔴",
             _say(lang, "bloqué par le juridique", "blocked by legal")],
            [day(lang, "2025-02-03", True), f"{v}-KR2", _say(lang, "1 200,5", "1,200.5"), "🟢"],
            [day(lang, "2025-02-10"), f"{v}-KR2", _say(lang, "1 325", "1,325"), _say(lang, "jaune", "yellow"),
             _say(lang, "100 %", "100%")],                                                 # a comment Sheets reads as 1
            [day(lang, "2025-04-13", True), f"{v}-KR1", 38, "🟢"],                        # outside the quarter
        ],
        cs: [
            [day(lang, "2025-01-20"), "CS-KR1", _say(lang, "2,5 %", "2.5%"), "80 %"],
            [day(lang, "2025-02-10", True), "CS-KR2", _say(lang, "fait", "done"), "🟢"],
            [day(lang, "2025-02-20"), "CS-KR1", _say(lang, "2 %", "2%"), "🟢"],           # in the future
            [day(lang, "2025-01-27", True), "MKT-KR1", 50, "🟢"],                         # another team's KR
            [day(lang, "2025-02-10"), "CS-KR1", _say(lang, "2,4 %", "2.4%"), "150 %"],    # confidence > 100 %
        ],
    }


#: Per team, per check-in row (from row 2): the computed progress, status, and the problem if the row is wrong.
EXPECTED_CHECKINS: list[list[tuple[float | None, str | None, str | None]]] = [
    [(0.096, "green", None), (0.224, "green", None), (0.5, "yellow", None),
     (None, None, "unknown_kr"), (None, None, "value_not_number")],
    [(0.0, "yellow", None), (0.5, "red", None), (0.002, "green", None), (0.5, "yellow", None),
     (None, None, "date_outside_quarter")],
    [(0.5, "green", None), (1.0, "green", None), (None, None, "date_in_future"),
     (None, None, "kr_other_team"), (None, None, "confidence_out_of_range")],
]
#: Per KR: current, progress, confidence, status, last check-in, and whether it is silent (> 7 + 1 days).
EXPECTED_KRS: dict[str, tuple[float, float, float | None, str, str, bool]] = {
    "ORG-KR1": (28, 0.224, None, "red", "2025-01-20", True),       # rolled up from MKT-KR1; by pace
    "ORG-KR2": (1325, 0.5, None, "green", "2025-02-10", False),    # rolled up from the sales ARPU
    "MKT-KR1": (28, 0.224, 0.9, "green", "2025-01-20", True),
    "MKT-KR2": (0.215, 0.5, 0.6, "yellow", "2025-01-20", True),    # 18 % → 25 %, now 21,5 %
    "SAL-KR1": (40, 0.5, 0.25, "red", "2025-02-10", False),        # 45 → 35 days, now 40
    "SAL-KR2": (1325, 0.5, 0.65, "yellow", "2025-02-10", False),   # 1 200 → 1 450 CHF, now 1 325
    "CS-KR1": (0.025, 0.5, 0.8, "green", "2025-01-20", True),      # churn 3 % → 2 %, now 2,5 %
    "CS-KR2": (1, 1.0, 0.9, "green", "2025-02-10", False),         # milestone done
}
#: Per objective: progress and status (by pace, as teams and the organisation: 50 % of the quarter elapsed).
EXPECTED_OBJECTIVES = {"ORG-O1": (0.362, "yellow"), "MKT-O1": (0.362, "yellow"), "SAL-O1": (0.5, "green"),
                       "CS-O1": (0.75, "green")}


def kr_id(text: str, lang: str) -> str:
    """IDs are written SAL-… in the English workbook, VEN-… in the French one."""
    return text.replace("SAL-", "VEN-") if lang == "fr" else text


def status_word(key: str | None, lang: str) -> str:
    return "" if key is None else catalog.word("status", key, lang)


def workbook_on_google(fake: FakeGoogle, lang: str, rows: int = 40) -> str:
    """The template provisioned with three teams, then the OKRs and check-ins typed in by a person."""
    spec = WorkbookSpec("Acme", lang, "2025-Q1", [Team(t) for t in teams(lang)])
    sid = provision(fake, compact(build_layout(spec), rows))
    type_rows(fake, sid, tab("okrs", lang), okr_rows(lang))
    for team, lines in checkin_rows(lang).items():
        type_rows(fake, sid, tab("checkins", lang, team), lines)
    return sid


def _seen(fake: FakeGoogle) -> dict[str, int]:
    """The API calls the fake answered since its log was last cleared, as the report counts them."""
    return {"read": len(fake.read_calls()), "write": len(fake.write_calls())}


def _kinds(fake: FakeGoogle) -> list[str]:
    return [c.kind.rsplit(".", 1)[-1] for c in fake.write_calls()]


def _at(grid: list[list[Any]], r: int, c: int) -> Any:
    return grid[r][c] if r < len(grid) and c < len(grid[r]) else None


def _pad(row: list[Any], width: int) -> list[Any]:
    return [*row, *[""] * (width - len(row))]


# -- 1. End to end ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_typed_workbook_syncs_to_the_right_cells_colours_org_and_history(google_fake: FakeGoogle, lang: str) -> None:
    sid = workbook_on_google(google_fake, lang)
    typed = people_cells(google_fake, sid, lang)

    report = run_sync(sync_backend(google_fake, sid, lang), AS_OF)

    # What the person typed reads as they meant it, and every wrong row says why, in the workbook's language.
    assert report["checkins"] == {"rows": 15, "valid": 9, "invalid": 6}
    problems = {(p["tab"], p["row"]): p for p in report["problems"]}
    for team, expected in zip(teams(lang), EXPECTED_CHECKINS, strict=True):
        title = tab("checkins", lang, team)
        rows = google_fake.values(sid, title)
        assert len(rows) == 1 + len(expected)
        for r, (progress, status, code) in enumerate(expected, start=2):
            line = _pad(rows[r - 1], VALIDATION + 1)
            where = f"{title} row {r}"
            if progress is None:
                assert line[PROGRESS] == "", where
            else:
                assert line[PROGRESS] == pytest.approx(progress), where
            assert line[STATUS] == status_word(status, lang), where
            problem = problems.pop((title, r), None)
            assert (problem and problem["code"]) == code, where
            assert line[VALIDATION] == (problem["message"] if problem else ""), where
    assert problems == {}  # no problem reported anywhere else: the OKR tab is clean
    messages = {p["code"]: p["message"] for p in report["problems"]}
    assert messages["unknown_kr"] == _say(
        lang, "KR inconnu « MKT-KR9 » : choisissez un KR de l'onglet OKR dans la liste.",
        'Unknown KR "MKT-KR9": pick a KR of the OKRs tab from the list.')
    assert messages["confidence_out_of_range"] == _say(
        lang, "Confiance « 150 % » hors limites : elle doit être entre 0 % et 100 %.",
        'Confidence "150 %" out of range: it must be between 0 % and 100 %.')

    # The OKR tab's computed columns, KR by KR and objective by objective.
    okr_tab = tab("okrs", lang)
    by_id = {row[0]: _pad(row, OKR_COLS["notes"] + 1) for row in google_fake.values(sid, okr_tab)[1:]}
    for name, (current, progress, confidence, status, last, silent) in EXPECTED_KRS.items():
        line = by_id.pop(kr_id(name, lang))
        assert line[OKR_COLS["current"]] == pytest.approx(current), name
        assert line[OKR_COLS["progress"]] == pytest.approx(progress), name
        assert line[OKR_COLS["expected"]] == pytest.approx(0.5), name
        assert line[OKR_COLS["confidence"]] == ("" if confidence is None else pytest.approx(confidence)), name
        assert line[OKR_COLS["status"]] == status_word(status, lang), name
        assert line[OKR_COLS["last_checkin"]] == to_serial(dt.date.fromisoformat(last)), name
        silence = catalog.message("okr.no_checkin", lang, days=(AS_OF - dt.date.fromisoformat(last)).days)
        assert line[OKR_COLS["notes"]] == (silence if silent else ""), name
    for name, (progress, status) in EXPECTED_OBJECTIVES.items():
        line = by_id.pop(kr_id(name, lang))
        assert line[OKR_COLS["progress"]] == pytest.approx(progress), name
        assert line[OKR_COLS["status"]] == status_word(status, lang), name
        assert line[OKR_COLS["current"]] == line[OKR_COLS["notes"]] == "", name
    assert by_id == {}
    progress = col_letters(OKR_COLS["progress"] + 1)
    assert google_fake.formats(sid, okr_tab)[f"{progress}2"]["numberFormat"]["type"] == "PERCENT"

    # Status colours are conditional formats on the status value: the whole check-in row, the OKR status cell.
    words = {s: catalog.word("status", s, lang) for s in ("green", "yellow", "red", "none")}
    colours = catalog.template()["colors"]
    coloured = [(tab("checkins", lang, t), "G", 0, KEY + 1) for t in teams(lang)]  # the whole row
    coloured.append((okr_tab, col_letters(OKR_COLS["status"] + 1), OKR_COLS["status"], OKR_COLS["status"] + 1))
    for title, letter, first_col, last_col in coloured:
        rules = {r["booleanRule"]["condition"]["values"][0]["userEnteredValue"]: r
                 for r in google_fake.conditional_formats(sid, title)}
        for status, word in words.items():
            rule = rules[f'=${letter}2="{word}"']
            assert rule["booleanRule"]["condition"]["type"] == "CUSTOM_FORMULA"
            assert rule["booleanRule"]["format"]["backgroundColorStyle"]["rgbColor"] == rgb(colours[status])
            (area,) = rule["ranges"]
            assert (area["startRowIndex"], area["startColumnIndex"], area["endColumnIndex"]) == (1, first_col,
                                                                                                  last_col)
            assert area["endRowIndex"] >= 6

    # The org tab: the organisation, one row per team, the objectives, and the KRs that need help.
    org = google_fake.values(sid, tab("org", lang))
    assert org[0] == [catalog.message("org.title", lang, org="Acme", quarter=_say(lang, "2025-T1", "2025-Q1"))]
    assert org[2] == ["Organisation", pytest.approx(0.362), 0.5, words["yellow"],
                      catalog.message("org.counts", lang, yellow=2, red=2)]
    assert org[4][0] == catalog.message("org.col.team", lang)
    assert [row[:4] for row in org[5:8]] == [
        [teams(lang)[0], pytest.approx(0.362), 0.5, words["yellow"]],
        [teams(lang)[1], 0.5, 0.5, words["green"]],
        [teams(lang)[2], 0.75, 0.5, words["green"]],
    ]
    assert [row[4:8] for row in org[5:8]] == [[1, 1, 0, 0], [0, 1, 1, 0], [2, 0, 0, 0]]
    # The chart's columns: each team's progress under its status's own (I green, J yellow), blank elsewhere.
    assert [row[8:12] for row in org[5:8]] == [["", pytest.approx(0.362)], [0.5], [0.75]]
    focus = org.index([catalog.message("org.focus", lang)])
    listed = [row[0].split(" — ")[0] for row in org[focus + 2:focus + 6]]
    assert listed == [kr_id(k, lang) for k in ("ORG-KR1", "SAL-KR1", "MKT-KR2", "SAL-KR2")]  # red, then yellow
    assert org[focus + 6] == []
    assert org[focus + 3][6] == _say(lang, "bloqué par le juridique", "blocked by legal")  # the latest comment
    assert org[focus + 5][6] == "100 %"  # as typed, though Sheets holds it as the number 1
    chart = google_fake.charts(sid, tab("org", lang))[0]["spec"]["basicChart"]["domains"][0]["domain"]
    assert chart["sourceRange"]["sources"][0]["startRowIndex"] == 4  # the header naming the series, then the teams

    # History: one row per KR per week, from the week of its first check-in to the week of the sync.
    history = google_fake.values(sid, tab("history", lang))
    assert history[0][:2] == [_say(lang, "Semaine", "Week"), "KR"]
    weeks = [to_serial(dt.date(2025, 1, 13) + dt.timedelta(weeks=w)) for w in range(5)]
    first = {"MKT-KR1": 0, "ORG-KR1": 0, "SAL-KR1": 0, "MKT-KR2": 1, "CS-KR1": 1, "SAL-KR2": 3, "ORG-KR2": 3,
             "CS-KR2": 4}
    expected_pairs = sorted((w, kr_id(k, lang)) for k, f in first.items() for w in weeks[f:])
    assert sorted((row[0], row[1]) for row in history[1:]) == expected_pairs
    assert [row[3] for row in history[1:] if row[1] == "MKT-KR1"] == [12, 28, 28, 28, 28]
    # SAL-KR2, last week, with the start and target it was computed with.
    assert history[-1][3:] == [pytest.approx(1325), 0.5, 0.5, 0.65, words["yellow"], 1200, 1450]

    # Not one cell a person typed was touched; and a rerun has nothing left to write.
    assert people_cells(google_fake, sid, lang) == typed
    google_fake.exchanges.clear()
    again = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert google_fake.write_calls() == [] and again["writes"] == {"cells": 0, "api_calls": {"read": 1, "write": 0}}
    assert again["key_results"] == report["key_results"]


# -- 2. Call counts: 10 teams × 10 KRs × 13 weeks ------------------------------------------------------------

QUARTER_END = dt.date(2025, 3, 31)


def big_workbook(fake: FakeGoogle) -> tuple[str, list[str]]:
    """The synthetic 10 × 10 workbook (benchmarks/synthetic.py), then 13 Mondays of check-ins typed for every KR.

    The template's areas are whole columns, laid open-ended: they cover every row a sync writes (1 300 History
    rows), so that every value it writes reads back with its format. compact's caps, all of 100 rows or more,
    leave them so.
    """
    layout = synthetic_layout(10, 10, 0, "fr")
    sid = provision(fake, compact(layout, 140, history=1320, org=260))
    kinds = ["increase", "increase", "decrease", "at_least", "milestone"]  # as synthetic_layout cycles them
    confidences = ["🟢", "🟡", "🔴", "80 %", None]
    titles = []
    for t in range(10):
        lines = []
        for w in range(13):
            monday = dt.date(2025, 1, 6) + dt.timedelta(weeks=w)
            for k in range(10):
                value: Any = {
                    "increase": 7 * w + k if k % 2 else f"{7 * w + k} u",
                    "decrease": f"{100 - 3 * w},5",
                    "at_least": 5 * w + k,
                    "milestone": ["pas fait", "50 %", "fait"][min(w // 5, 2)],
                }[kinds[k % 5]]
                lines.append([monday.strftime("%d/%m/%Y"), f"T{t}-KR{k + 1}", value, confidences[(w + k) % 5]])
        titles.append(tab("checkins", "fr", f"Équipe {t + 1:02d}"))
        type_rows(fake, sid, titles[-1], lines)
    return sid, titles


def test_big_sync_costs_one_read_and_one_write_and_the_report_says_so(google_fake: FakeGoogle) -> None:
    sid, titles = big_workbook(google_fake)

    # A quarter typed before any sync runs past the rows laid out with anchors: the first sync anchors those
    # rows and gives every check-in tab room again (one batchUpdate), then writes everything in one call.
    first = run_sync(sync_backend(google_fake, sid, "fr"), QUARTER_END)
    assert first["checkins"] == {"rows": 1300, "valid": 1300, "invalid": 0}
    assert len(google_fake.read_calls()) == 1
    assert _kinds(google_fake) == ["batchUpdate", "batchUpdateByDataFilter"]
    (anchoring,) = google_fake.bodies("spreadsheets.batchUpdate")
    assert {next(iter(r)) for r in anchoring["requests"]} == {"createDeveloperMetadata", "insertDimension"}
    assert first["writes"]["api_calls"] == _seen(google_fake) == {"read": 1, "write": 2}
    for title in titles:
        anchored = anchored_rows(google_fake, sid, title)
        assert anchored == list(range(2, 131 + room(131) + 1))  # one anchor a row in use (131), and room below

    # The next week's rows go into anchored rows: one read, one write.
    google_fake.exchanges.clear()
    monday = QUARTER_END.strftime("%d/%m/%Y")
    for t, title in enumerate(titles):
        type_rows(google_fake, sid, title, [[monday, f"T{t}-KR{k + 1}", 1] for k in range(10)], first_row=132)
    week = run_sync(sync_backend(google_fake, sid, "fr"), QUARTER_END)
    assert _kinds(google_fake) == ["batchUpdateByDataFilter"] and week["checkins"]["rows"] == 1400
    assert week["writes"]["api_calls"] == {"read": 1, "write": 1}
    for title in titles:
        google_fake.delete_rows(sid, title, 132, 10)  # as it was, for what follows
    run_sync(sync_backend(google_fake, sid, "fr"), QUARTER_END)
    history = google_fake.values(sid, tab("history", "fr"))
    assert len(history) == 1 + 13 * 100 and len({(r[0], r[1]) for r in history[1:]}) == 13 * 100

    # A person changes three values in two tabs: one read, one write, and only the cells that change.
    google_fake.exchanges.clear()
    last_week = 2 + 12 * 10  # the row of T9-KR1 on the 13th Monday, T9-KR2 below it
    type_rows(google_fake, sid, titles[0], [[None, None, 99]], first_row=2)  # T0-KR1, first Monday
    type_rows(google_fake, sid, titles[9], [[None, None, "n'importe"], [None, None, 42]], first_row=last_week)
    second = run_sync(sync_backend(google_fake, sid, "fr"), QUARTER_END)
    assert len(google_fake.read_calls()) == 1 and _kinds(google_fake) == ["batchUpdateByDataFilter"]
    assert second["writes"]["api_calls"] == _seen(google_fake) == {"read": 1, "write": 1}
    assert second["checkins"]["invalid"] == 1
    assert google_fake.values(sid, titles[0])[1][PROGRESS:STATUS] == [0.99]
    assert "n'importe" in google_fake.values(sid, titles[9])[last_week - 1][VALIDATION]
    assert 0 < second["writes"]["cells"] < first["writes"]["cells"]

    # Nothing changed since: one read, no write at all.
    google_fake.exchanges.clear()
    third = run_sync(sync_backend(google_fake, sid, "fr"), QUARTER_END)
    assert len(google_fake.read_calls()) == 1 and google_fake.write_calls() == []
    assert third["writes"] == {"cells": 0, "api_calls": _seen(google_fake)}
    assert _seen(google_fake) == {"read": 1, "write": 0}
    assert third["key_results"] == second["key_results"]


# -- 3. Rows inserted, deleted and sorted by a person while a sync runs ---------------------------------------


def _checkin_cells_to_fix(fake: FakeGoogle, sid: str, lang: str) -> tuple[list[Any], set[tuple[Any, ...]]]:
    """What a sync would still change on the check-in tabs: cells holding something wrong (another row's),
    and the rows still without their cells, as (tab, KR, value)."""
    snapshot = sync_backend(fake, sid, lang).read()
    checkin_tabs = {tab("checkins", lang, t) for t in teams(lang)}
    wrong, unfilled = [], set()
    for write in evaluate(snapshot, "gsheet:test", AS_OF).plan.cells:
        if write.tab not in checkin_tabs:
            continue
        row = snapshot.tabs[write.tab]
        if row.cell(write.row, write.col) is None:
            unfilled.add((write.tab, row.cell(write.row, 2), row.cell(write.row, 3)))
        else:
            wrong.append(write)
    return wrong, unfilled


@pytest.mark.parametrize("new_row", [False, True], ids=["edited rows", "edited and new rows"])
def test_rows_moved_during_a_sync_keep_their_own_cells_and_the_next_sync_settles(
        google_fake: FakeGoogle, new_row: bool) -> None:
    lang = "fr"
    mkt, sal, cs = (tab("checkins", lang, t) for t in teams(lang))
    sid = workbook_on_google(google_fake, lang)
    run_sync(sync_backend(google_fake, sid, lang), AS_OF)  # every row gets its anchor

    # The person corrects two rows, so that their computed cells must change in the next sync...
    type_rows(google_fake, sid, mkt, [[None, None, "60 leads"]], first_row=3)  # MKT-KR1: 28 → 60
    type_rows(google_fake, sid, mkt, [[None, None, 70]], first_row=6)          # "beaucoup" → 70: now valid
    if new_row:
        type_rows(google_fake, sid, sal, [[day(lang, "2025-01-27"), "VEN-KR2", "1 250", "🟢"]], first_row=7)
        type_rows(google_fake, sid, cs, [[day(lang, "2025-02-10"), "CS-KR1", "2,2 %", "🟡"]], first_row=7)
    typed: dict[Any, Any] = {}

    def person(spreadsheet_id: str) -> None:
        """...and, while the sync computes, inserts a row above the check-ins, deletes one and sorts a tab."""
        google_fake.insert_rows(spreadsheet_id, mkt, 2)
        google_fake.delete_rows(spreadsheet_id, sal, 3)
        google_fake.sort_rows(spreadsheet_id, cs, "C", 2, 7, descending=True)
        typed.update(people_cells(google_fake, spreadsheet_id, lang))

    google_fake.before_write(person)
    google_fake.exchanges.clear()
    run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert typed, "the person's edits ran between the sync's read and its write"
    # New rows were typed into rows anchored when the tab was laid out: no call to anchor them.
    assert _kinds(google_fake) == ["batchUpdateByDataFilter"]

    # Every check-in row holds the cells computed from its own values. A sort moves contents, not anchors
    # (tests/google_fake/state.py): on the sorted tab, cells that landed by position carry the key of the row
    # they were computed for, which greys them until the next sync repairs them (see rowkey).
    wrong, unfilled = _checkin_cells_to_fix(google_fake, sid, lang)
    misplaced = {(w.tab, w.row) for w in wrong}
    assert {t for t, _row in misplaced} <= {cs}
    assert misplaced == {(w.tab, w.row) for w in wrong if w.col == KEY + 1}
    assert {t for t, _kr, _value in unfilled} <= {cs}  # a row the sort moved onto one written for nothing
    marketing = google_fake.values(sid, mkt)
    assert marketing[1] == []  # the inserted row got nothing
    assert _pad(marketing[3], KEY + 1)[1:] == ["MKT-KR1", "60 leads", "vert", "", 0.48, "Vert", "", "MKT-KR1|45677"]
    assert _pad(marketing[6], KEY + 1)[1:] == ["MKT-KR1", 70, "🟡", "", 0.56, "Jaune", "", "MKT-KR1|45691"]
    unknown = _pad(marketing[5], VALIDATION + 1)
    assert unknown[1] == "MKT-KR9" and "MKT-KR9" in unknown[VALIDATION] and unknown[STATUS] == ""
    by_value = {str(r[2]): _pad(r, VALIDATION + 1) for r in google_fake.values(sid, cs)[1:]}
    assert by_value["0.02"][VALIDATION].startswith("Le 2025-02-20 est dans le futur")
    assert by_value["0.024"][VALIDATION].startswith("Confiance « 150 % »")
    assert by_value["fait"][STATUS] == "Vert" and by_value["fait"][VALIDATION] == ""
    assert by_value["50"][VALIDATION].startswith("Le KR MKT-KR1 appartient à l'équipe Marketing")
    assert people_cells(google_fake, sid, lang) == typed  # the sync moved and changed nothing of theirs

    # The next sync brings the rest up to date (the OKR tab, the rows it could not place), then rests.
    google_fake.exchanges.clear()
    settle = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert settle["checkins"]["rows"] == 15 + 2 * new_row - 1
    okr = {r[0]: _pad(r, OKR_COLS["notes"] + 1) for r in google_fake.values(sid, tab("okrs", lang))[1:]}
    assert okr["MKT-KR1"][OKR_COLS["current"]] == 70 and okr["VEN-KR1"][OKR_COLS["current"]] == 45
    google_fake.exchanges.clear()
    rest = run_sync(sync_backend(google_fake, sid, lang), AS_OF)
    assert google_fake.write_calls() == [] and rest["writes"]["cells"] == 0
    assert _checkin_cells_to_fix(google_fake, sid, lang) == ([], set())
    assert people_cells(google_fake, sid, lang) == typed


# -- 4. Parity: the same workbook on Google and in a local .xlsx gives the same report ------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_demo_on_google_and_in_xlsx_gives_the_same_report(google_fake: FakeGoogle, tmp_path: Path,
                                                          lang: str) -> None:
    sid = provision(google_fake, compact(demo_layout(lang), 60, history=120))
    on_google = run_sync(sync_backend(google_fake, sid, lang), DEMO_AS_OF)
    local = XlsxBackend(tmp_path / f"demo-{lang}.xlsx", lang=lang)
    local.provision(demo_layout(lang), overwrite=True)
    in_xlsx = run_sync(local, DEMO_AS_OF)

    for key in ("checkins", "problems", "key_results", "objectives", "teams", "org"):
        assert on_google[key] == in_xlsx[key], key
    # Each backend names the workbook as a person sees it: the spreadsheet's title, the file's name.
    assert on_google["workbook"] == {**in_xlsx["workbook"], "title": demo_layout(lang).title}
    assert in_xlsx["workbook"]["title"] == f"demo-{lang}"
    google_tabs, xlsx_tabs = sync_backend(google_fake, sid, lang).read().tabs, local.read().tabs
    assert list(google_tabs) == list(xlsx_tabs)
    # The Lists tab is computed by the spreadsheet, which neither the fake nor a file unopened computes
    # (its lists: tests/test_kr_lists.py, through LibreOffice).
    for name in (n for n in google_tabs if n != catalog.tab_name("lists", lang)):
        g, x = google_tabs[name].grid, xlsx_tabs[name].grid
        diff = [(r, c, a, b) for r in range(max(len(g), len(x))) for c in range(30)
                if not same_cell(a := _at(g, r, c), b := _at(x, r, c))]
        assert diff == [], name
    # The three wrong check-ins, and the annual goal its budget cannot reach.
    assert len(on_google["problems"]) == 4 and on_google["checkins"]["invalid"] == 3
    assert on_google["writes"]["api_calls"] == {"read": 1, "write": 1}
    assert in_xlsx["writes"]["api_calls"] == {"read": 0, "write": 0}
    assert on_google["writes"]["cells"] == in_xlsx["writes"]["cells"]


# -- 5. Retries and errors, through run_sync and through the CLI ---------------------------------------------


@pytest.fixture
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real sleep fails the test: every wait must go through the injected sleeper."""
    def refuse(seconds: float) -> None:
        raise AssertionError(f"a test slept for real ({seconds} s)")

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.mark.usefixtures("no_real_sleep")
@pytest.mark.parametrize(
    ("status", "pattern", "retry_after", "waits"),
    [(429, "read", "7", [7.0]), (503, "read", None, [1.0]), (429, r"spreadsheets/[^/]+:batchUpdate", None, [1.0]),
     (503, "values:batchUpdateByDataFilter", None, [1.0])],
    ids=["429 on the read", "503 on the read", "429 on the anchors", "503 on the write"],
)
def test_throttled_or_unavailable_google_is_waited_out_and_the_sync_completes(
        google_fake: FakeGoogle, status: int, pattern: str, retry_after: str | None, waits: list[float]) -> None:
    sid = workbook_on_google(google_fake, "en")
    anchoring = "batchUpdate" in pattern and "ByDataFilter" not in pattern
    if anchoring:
        google_fake.book(sid).metadata.clear()  # laid out before rows were anchored: this sync anchors them
    google_fake.fail_next(pattern, status, headers={"Retry-After": retry_after} if retry_after else None)
    harness = Harness(google_fake, sid, "en")

    report = run_sync(harness.backend, AS_OF)

    assert harness.sleeps == waits
    failed = [e for e in google_fake.exchanges if e.status >= 400]
    assert [e.status for e in failed] == [status]
    # The report counts API calls, each once however many attempts it took.
    writes = 2 if anchoring else 1
    assert report["writes"]["api_calls"] == {"read": 1, "write": writes}
    assert len(google_fake.read_calls()) == 1 and len(google_fake.write_calls()) == writes
    assert report["checkins"] == {"rows": 15, "valid": 9, "invalid": 6}
    marketing = google_fake.values(sid, tab("checkins", "en", "Marketing"))
    assert marketing[2][PROGRESS:STATUS + 1] == [0.224, "Green"]


@pytest.mark.usefixtures("no_real_sleep")
def test_google_failing_for_good_gives_up_after_the_bound_and_writes_nothing(google_fake: FakeGoogle) -> None:
    sid = workbook_on_google(google_fake, "en")
    typed = people_cells(google_fake, sid, "en")
    google_fake.fail_next("values:batchUpdateByDataFilter", 500, times=None)
    harness = Harness(google_fake, sid, "en")

    with pytest.raises(BackendError) as caught:
        run_sync(harness.backend, AS_OF)

    assert str(caught.value) == ("Google did not answer properly after 6 attempts (last: HTTP 500) to POST "
                                 f"/v4/spreadsheets/{sid}/values:batchUpdateByDataFilter: try again later.")
    assert harness.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert [e.status for e in google_fake.exchanges if e.status >= 400] == [500] * 6
    assert harness.backend.api_calls() == (1, 1)
    marketing = google_fake.values(sid, tab("checkins", "en", "Marketing"))
    assert all(len(row) <= PROGRESS for row in marketing[1:])  # no computed cell was written
    assert people_cells(google_fake, sid, "en") == typed


# The CLI, on a plain OAuth token: the way a person runs `okrsync sync gsheet:<id>` from a terminal.


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, no_real_sleep: None) -> Any:
    """`okrsync …` in-process on a dummy token (no key file, no ADC); Google's waits are recorded, not slept."""
    monkeypatch.setenv("OKRSYNC_LANG", "en")
    monkeypatch.setenv("OKRSYNC_GOOGLE_TOKEN", "dummy-token")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)

    def no_adc(**_kwargs: Any) -> Any:
        raise google.auth.exceptions.DefaultCredentialsError("no ADC in tests")

    monkeypatch.setattr(google.auth, "default", no_adc)
    sleeps: list[float] = []

    class RecordingClient(google_api.RetryingHTTPClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "sleep": sleeps.append, "random": lambda: 1.0})

    monkeypatch.setattr(google_api, "RetryingHTTPClient", RecordingClient)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args))
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.exit_code, result.output

    invoke.sleeps = sleeps  # type: ignore[attr-defined]
    return invoke


def test_cli_syncs_a_google_sheet_on_a_token(google_fake: FakeGoogle, cli: Any) -> None:
    sid = workbook_on_google(google_fake, "en")
    code, out = cli("sync", f"gsheet:{sid}", "--json", "--as-of", AS_OF.isoformat())
    assert code == 0, out
    report = json.loads(out)
    assert report["writes"]["api_calls"] == {"read": 1, "write": 1} and report["org"]["status"] == "yellow"
    request = google_fake.rsps.calls[-1].request  # type: ignore[union-attr]
    assert request.headers["Authorization"] == "Bearer dummy-token"
    code, out = cli("sync", f"https://docs.google.com/spreadsheets/d/{sid}/edit#gid=0", "--as-of", "2025-02-14")
    assert code == 0 and "Traceback" not in out
    assert len(google_fake.write_calls()) == 1  # the rerun, by URL, had nothing to write


def test_cli_gives_up_on_a_permanent_500_in_one_sentence(google_fake: FakeGoogle, cli: Any) -> None:
    sid = google_fake.new_spreadsheet("OKR")
    google_fake.fail_next("read", 500, times=None)
    code, out = cli("sync", f"gsheet:{sid}")
    assert code == 1
    assert out == ("Error: Google did not answer properly after 6 attempts (last: HTTP 500) to GET "
                   f"/v4/spreadsheets/{sid}: try again later.\n")
    assert cli.sleeps == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert len(google_fake.read_calls(include_failed=True)) == 6


@pytest.mark.parametrize(
    ("lang", "private", "expected"),
    [
        ("en", True, "Error: Access denied to spreadsheet {id}: the Google account in use has no access to it;"
                     " share it with that account as an editor.\n"),
        ("fr", True, "Erreur : Accès refusé au classeur {id} : le compte Google utilisé n'y a pas accès ;"
                     " partagez-le avec ce compte en tant qu'éditeur.\n"),
        ("en", False, "Error: No spreadsheet with this ID ({id}): check the URL or the ID.\n"),
        ("fr", False, "Erreur : Aucun classeur Google avec cet ID ({id}) : vérifiez l'adresse ou l'ID.\n"),
    ],
    ids=["403 en", "403 fr", "404 en", "404 fr"],
)
def test_cli_says_what_to_do_when_google_refuses_or_finds_nothing(
        google_fake: FakeGoogle, cli: Any, monkeypatch: pytest.MonkeyPatch, lang: str, private: bool,
        expected: str) -> None:
    monkeypatch.setenv("OKRSYNC_LANG", lang)
    sid = google_fake.new_spreadsheet("OKR", private=True) if private else "1NoSuchSpreadsheet0123456789"
    code, out = cli("sync", f"gsheet:{sid}")
    assert (code, out) == (1, expected.format(id=sid))
    assert cli.sleeps == []  # a refusal is not retried


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A service-account key made for this test run: no real secret."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": "okrsync-test", "private_key_id": "0123", "private_key": pem,
            "client_email": SA_EMAIL, "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}
    path = tmp_path_factory.mktemp("keys") / "sa.json"
    path.write_text(json.dumps(info))
    return path


def test_cli_403_names_the_service_account_to_share_with(google_fake: FakeGoogle, cli: Any, key_file: Path) -> None:
    google_fake.rsps.post("https://oauth2.googleapis.com/token",  # type: ignore[union-attr]
                          json={"access_token": "ya29.test", "expires_in": 3600, "token_type": "Bearer"})
    sid = google_fake.new_spreadsheet("OKR", private=True)
    code, out = cli("sync", f"gsheet:{sid}", "--credentials", str(key_file))
    assert (code, out) == (1, f"Error: Access denied to spreadsheet {sid}: share it with {SA_EMAIL} as an editor.\n")
