"""One colour per fact: every objective, team and the organisation has the same status and figure in the sheet
(OKR tab, Org tab), the report, the CLI summary and the service's pages, by one rule (product.md: the pace of
its progress against expected, the grade at quarter end)."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from sync.engine import run_sync
from sync.layout.build import Layout
from sync.layout.demo import AS_OF as DEMO_AS_OF
from sync.layout.demo import demo_layout
from sync.model import Grid
from sync.template import catalog
from sync.writeback.percent import percent_text
from tests.builders import okr, workbook_layout
from tests.service_support import MemoryWorkbooks, make_app, svc_of

TEAMS = ("Marketing", "Ventes")
LOCALES = {lang: str(catalog.template()["default_locale"][lang]) for lang in catalog.LANGS}


@functools.cache
def service() -> tuple[Flask, MemoryWorkbooks]:
    """One service for every example: each registers its own workbook in it."""
    books = MemoryWorkbooks()
    app = make_app(Path(tempfile.mkdtemp(prefix="okrsync-colour-")), AUTH="off", LOOPBACK_ONLY=True, BACKENDS=books)
    return app, books


def status_of(word: Any, lang: str) -> str:
    """A status word written in the sheet, back to its key."""
    return next(k for k, w in catalog.words("status", lang).items() if w == word)


def org_tab(grid: Grid, lang: str) -> dict[str, tuple[str, Any, Any]]:
    """The Org tab's statuses (and yellow, red counts where shown): "org", each team, each objective by ID."""
    m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
    found: dict[str, tuple[str, Any, Any]] = {}
    org = grid[2]
    assert org[0] == m("org.organisation")
    found["org"] = (status_of(org[3], lang), org[4], None)
    row = 5  # the team table's header is row 5
    while row < len(grid) and grid[row]:
        found[f"team:{grid[row][0]}"] = (status_of(grid[row][3], lang), grid[row][5], grid[row][6])
        row += 1
    start = next(i for i, line in enumerate(grid) if line and line[0] == m("org.objectives"))
    for line in grid[start + 2:]:
        if not line:
            break
        obj_id = str(line[0]).strip().removeprefix("↳ ").split(" — ")[0]
        found[obj_id] = (status_of(line[3], lang), line[6], line[7])
    return found


def okr_tab(grid: Grid, lang: str) -> dict[str, str]:
    """Each objective row's status on the OKR tab."""
    cols = {c.key: i for i, c in enumerate(catalog.columns("okrs", lang))}
    objective = catalog.word("kr_types", "objective", lang)
    return {line[cols["id"]]: status_of(line[cols["status"]], lang) for line in grid[1:]
            if len(line) > cols["status"] and line[cols["type"]] == objective}


def page_statuses(page: str) -> dict[str, str]:
    """The statuses the workbook page shows: the organisation, each team, each objective."""
    found = {}
    for kind, pattern in (("org", r'<tr data-org="1">(.*?)</tr>'), ("team", r'<tr data-team="([^"]*)">(.*?)</tr>'),
                          ("objective", r'<tr data-objective="([^"]*)">(.*?)</tr>')):
        for match in re.finditer(pattern, page, re.S):
            key = "org" if kind == "org" else (f"team:{match.group(1)}" if kind == "team" else match.group(1))
            status = re.search(r'class="status" data-status="(\w+)"', match.groups()[-1])
            assert status, match.group(0)
            found[key] = status.group(1)
    return found


def expected_status(progress: float | None, elapsed: float, counts: dict[str, int], over: bool) -> str | None:
    """product.md's rule for an aggregate; None where a rounded figure sits too near a band's edge to tell."""
    if progress is None or counts["none"] == sum(counts.values()):
        return "none"
    value, edges = (progress, (0.65, 0.35)) if over else (progress - elapsed, (-0.10, -0.25))
    if min(abs(value - e) for e in edges) < 1e-3:
        return None
    return "green" if value >= edges[0] else "yellow" if value >= edges[1] else "red"


@st.composite
def generated_workbook(draw: st.DrawFn) -> tuple[list[dict[str, Any]], dict[str, list[list[Any]]], dt.date]:
    """Organisation objectives fed by team KRs, team objectives (some nested), check-ins with or without confidence."""
    as_of = draw(st.sampled_from([dt.date(2025, 1, 20), dt.date(2025, 2, 14), dt.date(2025, 3, 31)]))
    rows: list[dict[str, Any]] = []
    org_krs: list[str] = []
    for o in range(1, draw(st.integers(0, 2)) + 1):
        rows.append(okr(f"ORG-O{o}", "ORG", "objective", "Grow"))
        for k in range(1, draw(st.integers(1, 2)) + 1):
            org_krs.append(f"ORG-O{o}KR{k}")
            rows.append(okr(org_krs[-1], "ORG", "increase", "Reach 100", start=0, target=100))
    checkins: dict[str, list[list[Any]]] = {}
    for team in TEAMS:
        prefix = team[:3].upper()
        for o in range(1, draw(st.integers(0, 2)) + 1):
            obj_id = f"{prefix}-O{o}"
            parent = draw(st.sampled_from(["", *(f"ORG-O{i}" for i in range(1, 3) if f"ORG-O{i}KR1" in org_krs)]))
            rows.append(okr(obj_id, team, "objective", "Win", parent=parent))
            if draw(st.booleans()):  # an objective of its own KRs, or one that rolls up a child objective
                rows.append(okr(f"{obj_id}C", team, "objective", "Win more", parent=obj_id))
                obj_id = f"{obj_id}C"
            for k in range(1, draw(st.integers(1, 3)) + 1):
                kr_id = f"{obj_id}-KR{k}"
                feeds = draw(st.sampled_from(["", *org_krs]))
                rows.append(okr(kr_id, team, "increase", "Reach 100", start=0, target=100, parent=feeds))
                for _ in range(draw(st.integers(0, 2))):
                    day = draw(st.dates(dt.date(2025, 1, 1), as_of))
                    value = draw(st.integers(0, 120))
                    confidence = draw(st.sampled_from([None, "30 %", "60 %", "90 %"]))
                    checkins.setdefault(team, []).append([day, kr_id, value, confidence, ""])
    return rows, checkins, as_of


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated_workbook(), st.sampled_from(catalog.LANGS))
def test_every_objective_team_and_the_organisation_has_one_colour_everywhere(
    generated: tuple[list[dict[str, Any]], dict[str, list[list[Any]]], dt.date], lang: str
) -> None:
    rows, checkins, as_of = generated
    app, books = service()
    layout = workbook_layout(rows, checkins, lang=lang)
    target = books.add(layout)
    wb = svc_of(app).registry.add_workbook("xlsx", target, layout.title, lang, "local", svc_of(app).now(), as_of)
    client = app.test_client()
    assert client.post(f"/api/workbooks/{wb.id}/sync").status_code == 200
    report = client.get(f"/api/workbooks/{wb.id}").json["report"]
    page = client.get(f"/workbooks/{wb.id}").get_data(as_text=True)
    tabs = books.books[target].tabs

    reported = {"org": report["org"], **{f"team:{t['team']}": t for t in report["teams"]},
                **{o["id"]: o for o in report["objectives"]}}
    sheet = org_tab(tabs[catalog.tab_name("org", lang)], lang)
    okr_rows = okr_tab(tabs[catalog.tab_name("okrs", lang)], lang)
    shown = page_statuses(page)
    assert set(sheet) == set(reported) == set(shown)
    over = as_of >= dt.date(2025, 3, 31)
    for key, item in reported.items():
        counts = item["counts"]
        assert sheet[key][0] == shown[key] == item["status"], key
        if key in okr_rows:
            assert okr_rows[key] == item["status"], key
        rule = expected_status(item["progress"], report["workbook"]["elapsed"], counts, over)
        assert rule in (None, item["status"]), (key, item)
        # The number of yellow and red KRs under it, beside it.
        if key == "org":
            assert sheet[key][1] == catalog.message("org.counts", lang, yellow=counts["yellow"], red=counts["red"])
        else:
            assert sheet[key][1:] == (counts["yellow"], counts["red"]), key
    # The organisation's counts are every KR's.
    assert sum(report["org"]["counts"].values()) == len(report["key_results"])
    for status in ("yellow", "red"):
        assert report["org"]["counts"][status] == sum(kr["status"] == status for kr in report["key_results"])


def half_way_layout(lang: str) -> Layout:
    """One KR at 0.525 (105 of 200): its objective, its team and the organisation are all at 0.525."""
    rows = [okr("MKT-O1", "Marketing", "objective", "Be known"),
            okr("MKT-KR1", "Marketing", "increase", "Reach 200 leads", start=0, target=200)]
    return workbook_layout(rows, {"Marketing": [[dt.date(2025, 2, 10), "MKT-KR1", 105, None, ""]]}, lang=lang)


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_a_share_of_0_525_reads_53_percent_in_the_sheet_the_summary_and_the_pages(
    tmp_path: Path, lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "okr.xlsx"
    XlsxBackend(path).provision(half_way_layout(lang))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["sync", str(path), "--as-of", "2025-02-14"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    fifty_three = percent_text(0.525, LOCALES[lang])
    assert fifty_three == ("53\u00a0%" if lang == "fr" else "53%")

    # The sheet: the progress cells hold 0.525 under a whole-percent format, which Excel and Sheets show
    # rounded half-up: 53 %.
    book = openpyxl.load_workbook(path)
    okrs = book[catalog.tab_name("okrs", lang)]
    progress_col = next(i for i, c in enumerate(catalog.columns("okrs", lang), start=1) if c.key == "progress")
    for row in (2, 3):
        cell = okrs.cell(row, progress_col)
        assert cell.value == pytest.approx(0.525) and cell.number_format == "0%"
    org = book[catalog.tab_name("org", lang)]
    assert org["B3"].value == pytest.approx(0.525) and org["B3"].number_format == "0%"

    # The CLI summary: the organisation and the team.
    org_line, team_line = result.output.splitlines()[1:3]
    assert fifty_three in org_line and fifty_three in team_line, result.output

    # The pages: organisation, team, objective and KR.
    books = MemoryWorkbooks()
    (tmp_path / "svc").mkdir()
    app = make_app(tmp_path / "svc", AUTH="off", LOOPBACK_ONLY=True, BACKENDS=books)
    svc = svc_of(app)
    wb = svc.registry.add_workbook("xlsx", books.add(half_way_layout(lang)), "OKR", lang, "local", svc.now(),
                                   dt.date(2025, 2, 14))
    client = app.test_client()
    client.post(f"/api/workbooks/{wb.id}/sync")
    page = client.get(f"/workbooks/{wb.id}").get_data(as_text=True)
    for pattern in (r'<tr data-org="1">(.*?)</tr>', r'<tr data-team="Marketing">(.*?)</tr>',
                    r'<tr data-objective="MKT-O1">(.*?)</tr>', r'<tr data-kr="MKT-KR1"[^>]*>(.*?)</tr>'):
        row = re.search(pattern, page, re.S)
        assert row and f'class="num">{fifty_three}<' in row.group(1), pattern


@pytest.mark.parametrize("lang", catalog.LANGS)
def test_the_demo_organisation_and_its_objective_share_one_colour_on_a_real_xlsx(tmp_path: Path, lang: str) -> None:
    path = tmp_path / "demo.xlsx"
    XlsxBackend(path).provision(demo_layout(lang))
    report = run_sync(XlsxBackend(path), DEMO_AS_OF)
    grids = {name: tab.grid for name, tab in XlsxBackend(path).read().tabs.items()}
    sheet = org_tab(grids[catalog.tab_name("org", lang)], lang)
    okr_rows = okr_tab(grids[catalog.tab_name("okrs", lang)], lang)
    [org_objective] = [o for o in report["objectives"] if o["id"].startswith("ORG-")]
    # The same progress, so the same colour: the organisation is the mean of its only objective.
    assert org_objective["progress"] == report["org"]["progress"]
    assert org_objective["status"] == report["org"]["status"] == sheet["org"][0] == sheet[org_objective["id"]][0]
    assert okr_rows[org_objective["id"]] == report["org"]["status"]
    for team in report["teams"]:
        assert sheet[f"team:{team['team']}"][0] == team["status"]
    for objective in report["objectives"]:
        assert sheet[objective["id"]][0] == okr_rows[objective["id"]] == objective["status"]
    # The legend says the rule, with the pace gaps of Settings, right above the team table.
    assert grids[catalog.tab_name("org", lang)][3][0] == catalog.message("org.legend", lang, green="-10", yellow="-25")
