"""The demo workbook reads and prints well: every tab people print is set up landscape, one page wide, its header
rows repeated; numbers sit right under right-aligned headers, titles wrap; the org chart colours each team's
column by its status and draws the expected line. Then LibreOffice prints it, as a person would.

The printing needs LibreOffice and poppler (`tests.libreoffice`). The PDF and the page images of the OKR and org
tabs are kept where `tests.artifacts` says, for a person to look at.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from click.testing import CliRunner
from PIL import Image

from sync.cli.commands import main
from sync.model import STATUSES
from sync.template import catalog
from tests.artifacts import artifact
from tests.libreoffice import TOOLS, convert, run
from tests.libreoffice import needs_libreoffice as printing

CHART = catalog.template()["chart_colors"]
#: Page images are this many dots per inch: enough to read a landscape page's cells when zoomed, small files.
DPI = 80


@pytest.fixture(scope="module", params=["fr", "en"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """`okrsync demo --lang …`: the language and the workbook it wrote (provisioned, then synced)."""
    lang = str(request.param)
    path = tmp_path_factory.mktemp(f"demo-{lang}") / f"okrsync-demo-{lang}.xlsx"
    result = CliRunner().invoke(main, ["demo", "--lang", lang, "--out", str(path)])
    assert result.exit_code == 0, result.output
    return lang, path


def test_every_printed_tab_is_landscape_one_page_wide_with_its_header_repeated(demo: tuple[str, Path]) -> None:
    lang, path = demo
    wb = openpyxl.load_workbook(path)
    printed = [ws for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert {catalog.tab_name(k, lang) for k in ("readme", "settings", "okrs", "org", "history")} <= {
        ws.title for ws in printed}
    for ws in printed:
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToWidth, setup.fitToHeight) == ("landscape", 1, 0), ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    okrs = wb[catalog.tab_name("okrs", lang)]
    assert okrs.print_title_rows.replace("$", "") == "1:1"
    assert wb[catalog.tab_name("readme", lang)].print_title_rows is None  # no header row to repeat


def test_numbers_sit_right_under_their_headers_and_titles_wrap(demo: tuple[str, Path]) -> None:
    lang, path = demo
    wb = openpyxl.load_workbook(path)
    okrs = wb[catalog.tab_name("okrs", lang)]
    cols = {c.key: i for i, c in enumerate(catalog.columns("okrs", lang), start=1)}
    kr_row = next(r for r in range(2, okrs.max_row + 1) if okrs.cell(r, cols["target"]).value is not None)
    for key in ("start", "target", "progress", "last_checkin"):
        for row in (1, kr_row):
            assert okrs.cell(row, cols[key]).alignment.horizontal == "right", (key, row)
    assert okrs.cell(kr_row, cols["title"]).alignment.wrap_text and okrs.cell(1, cols["unit"]).alignment.wrap_text
    assert okrs.cell(kr_row, cols["team"]).alignment.horizontal in (None, "general")
    # The org tab: objective titles wrap in a column wide enough to read them.
    org = wb[catalog.tab_name("org", lang)]
    objectives = catalog.message("org.objectives", lang)
    heading = next(r for r in range(1, org.max_row + 1) if org.cell(r, 1).value == objectives)
    first_objective = org.cell(heading + 2, 1)
    assert " — " in first_objective.value and first_objective.alignment.wrap_text
    assert org.column_dimensions["A"].width >= 50
    assert org.cell(heading + 2, 2).alignment.horizontal == "right"  # its progress, under "Progress"


def test_the_org_chart_stacks_status_coloured_columns_under_the_expected_line(demo: tuple[str, Path]) -> None:
    lang, path = demo
    wb = openpyxl.load_workbook(path)
    org = wb[catalog.tab_name("org", lang)]
    (chart,) = org._charts
    bars, line = chart._charts
    assert (bars.tagname, bars.grouping, line.tagname) == ("barChart", "stacked", "lineChart")
    assert [s.graphicalProperties.solidFill.srgbClr for s in bars.series] == [
        CHART[s].lstrip("#") for s in STATUSES]
    assert line.series[0].graphicalProperties.line.solidFill.srgbClr == CHART["expected"].lstrip("#")
    assert [s.val.numRef.f.split("!")[1] for s in bars.series] == ["$I$6:$I$8", "$J$6:$J$8", "$K$6:$K$8",
                                                                   "$L$6:$L$8"]
    # Each team's progress sits under its own status's column only: one coloured column per team.
    words = {catalog.word("status", s, lang): i for i, s in enumerate(STATUSES)}
    for row in range(6, 9):
        under = [org.cell(row, 9 + i).value for i in range(len(STATUSES))]
        assert under[words[org.cell(row, 4).value]] == org.cell(row, 2).value
        assert sum(v is not None for v in under) == 1


def page_texts(pdf: Path, pages: int) -> list[str]:
    """The text of each page, as pdftotext reads it."""
    return [run(str(TOOLS["pdftotext"]), "-f", str(n), "-l", str(n), str(pdf), "-") for n in range(1, pages + 1)]


def colour_share(image: Path, hex_colour: str, tolerance: int = 24) -> float:
    """The share of the image's pixels within `tolerance` of a colour on every channel."""
    target = np.array([int(hex_colour.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4)])
    with Image.open(image) as opened:
        pixels = np.asarray(opened.convert("RGB"), dtype=int)
    return float(np.all(np.abs(pixels - target) <= tolerance, axis=2).mean())


@printing
def test_libreoffice_prints_the_okr_tab_one_page_wide_and_the_org_chart_in_colour(
        demo: tuple[str, Path], tmp_path: Path) -> None:
    lang, path = demo
    pdf = convert(path, "pdf", tmp_path)
    pages = int(next(line.split()[1] for line in run(str(TOOLS["pdfinfo"]), str(pdf)).splitlines()
                     if line.startswith("Pages:")))
    texts = page_texts(pdf, pages)
    kept = artifact(f"print-demo-{lang}.pdf")
    shutil.copy(pdf, kept)

    # The OKR tab's header, repeated on each of its pages, holds its leftmost and rightmost labels on the same
    # page: one page wide, not strips (a strip would hold one label and not the other).
    labels = {c.key: c.label for c in catalog.columns("okrs", lang)}
    left, right = labels["title"], labels["notes"]
    okr_pages = [n for n, text in enumerate(texts, start=1) if left in text or right in text]
    assert okr_pages, texts
    assert all(left in texts[n - 1] and right in texts[n - 1] for n in okr_pages), okr_pages
    assert len(okr_pages) == 1, okr_pages  # the demo's OKRs fit on one page
    # Every tab one page wide: eleven tabs (Initiatives, KPIs and their readings among them), the history's few
    # weeks, not 34 pages of strips.
    assert pages <= 14, pages

    org_heading = catalog.message("org.focus", lang)  # the Org tab's own: "Objectifs" heads the goals tab too
    (org_page,) = [n for n, text in enumerate(texts, start=1) if org_heading in text][:1]
    for name, number in (("okr", okr_pages[0]), ("org", org_page)):
        prefix = tmp_path / name
        run(str(TOOLS["pdftoppm"]), "-png", "-r", str(DPI), "-f", str(number), "-l", str(number), "-singlefile",
            str(pdf), str(prefix))
        shutil.copy(prefix.with_suffix(".png"), artifact(f"print-demo-{lang}-{name}.png"))
    # The chart: the demo's teams are yellow and green, drawn in the chart's own colours, with the expected line.
    org_png = tmp_path / "org.png"
    for key in ("green", "yellow", "expected"):
        assert colour_share(org_png, CHART[key], tolerance=12) > 0.0005, key
