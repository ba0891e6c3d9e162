"""The local .xlsx backend: provisioning, reading, writing a plan, and keeping two syncs apart."""

from __future__ import annotations

import datetime as dt
import os
import stat
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sync.backends import xlsx_read
from sync.backends.xlsx import XlsxBackend
from sync.backends.xlsx_cells import inherit_column_style
from sync.backends.xlsx_dropdowns import VALUES_TAB, list_literal, sheet_range
from sync.backends.xlsx_layout import render
from sync.backends.xlsx_package import chart_counts, keep_cached_values
from sync.engine import run_sync
from sync.errors import BadArgument, NotOurWorkbook, OkrsyncError, WorkbookLocked, WorkbookNotFound
from sync.layout.build import Area, Dropdown, Layout, TabLayout, Team, WorkbookSpec, build_layout
from sync.layout.columns import col as column_index
from sync.layout.demo import AS_OF, demo_layout
from sync.model import CellWrite, Grid, Heading, Percent, Snapshot, Tab, WritePlan
from sync.parsing.rowkey import row_key
from sync.template import catalog
from tests.builders import key_columns

TEAMS = {"fr": ["Marketing", "Ventes"], "en": ["Marketing", "Sales"]}
QUARTER = {"fr": "2025-T1", "en": "2025-Q1"}


def make_layout(lang: str) -> Layout:
    return build_layout(WorkbookSpec("Acme", lang, QUARTER[lang], [Team(t) for t in TEAMS[lang]]))


def tab_of(layout: Layout, key: str) -> TabLayout:
    return next(t for t in layout.tabs if t.key == key)


def provisioned(tmp_path: Path, lang: str = "fr") -> tuple[XlsxBackend, Layout]:
    layout = make_layout(lang)
    backend = XlsxBackend(tmp_path / "okr.xlsx", lang=lang)
    backend.provision(layout)
    return backend, layout


def edit(path: Path, cells: dict[tuple[str, str], Any]) -> None:
    """What a person does in Excel: type values (or formulas) into cells and save."""
    wb = openpyxl.load_workbook(path)
    for (tab, ref), value in cells.items():
        cell = inherit_column_style(wb[tab][ref])  # as Excel styles a cell typed into a styled column
        cell.value = value
    wb.save(path)


def cache_results(path: Path, results: dict[str, list[list[Any]]]) -> None:
    """What Excel does on save and openpyxl cannot: store each formula's result next to it."""
    data = keep_cached_values(path.read_bytes(), Snapshot("x", {n: Tab(n, g) for n, g in results.items()}))
    path.write_bytes(data)


@pytest.fixture(params=["fr", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# -- provisioning ----------------------------------------------------------------------------------


def test_provision_creates_every_tab_in_order_with_bold_coloured_headers(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    assert wb.sheetnames == [t.name for t in layout.tabs]
    okrs = tab_of(layout, "okrs")
    ws = wb[okrs.name]
    assert [c.value for c in ws[1]] == okrs.grid[0]
    assert all(c.font.b for c in ws[1])
    for col, colour in okrs.header_fills:
        assert ws.cell(1, col).fill.start_color.rgb == "FF" + colour.lstrip("#").upper()
    title = wb[tab_of(layout, "readme").name]["A1"]
    assert title.font.b and title.font.sz > 11


def test_provision_returns_the_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    where = XlsxBackend("relative.xlsx").provision(make_layout("en"))
    assert where == str(tmp_path / "relative.xlsx") and Path(where).is_absolute()


def test_provision_freezes_headers_sets_widths_tab_colours_and_hides_lists(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    for tab in layout.tabs:
        ws = wb[tab.name]
        assert ws.freeze_panes == (f"A{tab.frozen_rows + 1}" if tab.frozen_rows else None)
        for i, width in enumerate(tab.widths, start=1):
            assert ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width == width
        assert ws.sheet_properties.tabColor.rgb.endswith((tab.tab_colour or "").lstrip("#").upper())
        assert ws.sheet_state == ("hidden" if tab.hidden else "visible")
    assert wb[tab_of(layout, "lists").name].sheet_state == "hidden"


def test_the_row_key_column_is_hidden_and_the_sync_still_writes_and_reads_its_keys(tmp_path: Path, lang: str) -> None:
    """The key is the sync's: hidden, its long text neither overflows the last column nor shrinks the printed page."""
    layout = demo_layout(lang)
    path = tmp_path / "demo.xlsx"
    XlsxBackend(path, lang=lang).provision(layout)
    assert run_sync(XlsxBackend(path, lang=lang), AS_OF)["writes"]["cells"] > 0
    # The keys read back as written: the next sync has nothing to write.
    assert run_sync(XlsxBackend(path, lang=lang), AS_OF)["writes"]["cells"] == 0
    wb = openpyxl.load_workbook(path)
    keyed = [tab for tab in layout.tabs if key_columns(tab)]
    assert {tab.key.split(":")[0] for tab in keyed} == {"okrs", "checkins", "goals", "initiatives", "kpis",
                                                         "kpi_readings"}
    for tab in layout.tabs:
        ws = wb[tab.name]
        hidden = sorted(openpyxl.utils.column_index_from_string(k) for k, d in ws.column_dimensions.items() if d.hidden)
        assert hidden == tab.hidden_cols == key_columns(tab), tab.name
    for tab in keyed:
        ws, (key,), template = wb[tab.name], key_columns(tab), tab.key.split(":")[0]
        parts = [ws.cell(2, column_index(template, part)).value for part in catalog.row_key(template)]
        if any(p is not None for p in parts):  # the organisation's check-in tab has no rows in the demo
            assert ws.cell(2, key).value == row_key(parts), tab.name


def test_provision_formats_dates_and_percents(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    settings = wb[tab_of(layout, "settings").name]
    assert settings["B6"].number_format == "yyyy-mm-dd" and settings["B6"].value == dt.datetime(2025, 1, 1)
    assert settings["B8"].number_format == "0%" and settings["B8"].value == 0.8
    checkins = wb[tab_of(layout, f"checkins:{TEAMS[lang][0]}").name]
    assert checkins.column_dimensions["A"].number_format == "yyyy-mm-dd"  # the Week column, every row
    assert checkins.column_dimensions["F"].number_format == "0%"  # Progress


def test_provision_adds_dropdowns_as_list_validations(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    for key in ("okrs", f"checkins:{TEAMS[lang][1]}"):
        tab = tab_of(layout, key)
        validations = wb[tab.name].data_validations.dataValidation
        assert len(validations) == len(tab.dropdowns)
        for dropdown, dv in zip(tab.dropdowns, validations, strict=True):
            # A strict list stops other values; any other only offers its values, silently (see test_dropdown_rules).
            assert dv.type == "list" and dv.showErrorMessage == dropdown.strict
            assert dv.errorStyle == ("stop" if dropdown.strict else "information")
            assert str(dv.sqref) == _span(dropdown.area)
            if dropdown.source_tab and dropdown.source:
                # Through a workbook name, so Excel keeps it a plain dropdown that openpyxl can read back.
                source = sheet_range(dropdown.source_tab, dropdown.source)
                assert wb.defined_names[dv.formula1].attr_text == source
            else:
                assert dv.formula1 == '"' + ",".join(dropdown.values) + '"'


def test_provision_colours_statuses_with_formula_rules(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    for key in ("okrs", f"checkins:{TEAMS[lang][0]}", "org", "history"):
        tab = tab_of(layout, key)
        rules = [(str(cf.sqref), rule) for cf in wb[tab.name].conditional_formatting for rule in cf.rules]
        assert len(rules) == len(tab.colour_rules)
        assert any(r.formula for r in tab.colour_rules) == (key in ("okrs", f"checkins:{TEAMS[lang][0]}"))
        for colour_rule, (sqref, rule) in zip(tab.colour_rules, rules, strict=True):
            area = colour_rule.area
            status = colour_rule.status_col
            judged = f"${_letter(status)}" if status else _letter(area.first_col)
            assert sqref == _span(area)
            assert rule.type == "expression"
            if colour_rule.formula:  # the key's grey: first, and it stops the status colours
                assert rule.formula == [colour_rule.formula.removeprefix("=")] and rule.stopIfTrue
                assert rule.priority == 1
                continue
            assert rule.formula == [f'{judged}{area.first_row}="{colour_rule.text}"']
            assert rule.dxf.fill.start_color.rgb == "FF" + colour_rule.colour.lstrip("#").upper()


def test_provision_locks_computed_columns_and_leaves_input_cells_typeable(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    wb = openpyxl.load_workbook(backend.path)
    for key in ("okrs", f"checkins:{TEAMS[lang][0]}"):
        tab = tab_of(layout, key)
        ws = wb[tab.name]
        assert ws.protection.sheet and not ws.protection.password
        areas = [p.area for p in tab.protections if p.area]
        computed = {c for a in areas for c in range(a.first_col, a.last_col + 1)}
        for col in range(1, len(tab.grid[0]) + 1):
            assert _locked(ws, 2, col) == (col in computed), (tab.name, col)
            assert _locked(ws, 5000, col) == (col in computed), "rows past the provisioned ones too"
        assert not _locked(ws, 10, len(tab.grid[0]) + 3), "a note typed right of the table"
    settings = wb[tab_of(layout, "settings").name]
    assert not settings.protection.sheet
    for key in ("org", "history", "lists"):
        ws = wb[tab_of(layout, key).name]
        assert ws.protection.sheet and _locked(ws, 2, 1) and _locked(ws, 50, 20)


def test_provision_draws_one_bar_chart_per_chart_spec(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path, "en")
    wb = openpyxl.load_workbook(backend.path)
    charts = wb[layout.charts[0].tab]._charts
    assert len(charts) == 1 and charts[0].tagname == "barChart"
    with zipfile.ZipFile(backend.path) as archive:
        assert chart_counts(archive)[layout.charts[0].tab] == 1


def test_provision_refuses_to_overwrite_an_existing_file(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path, "fr")
    before = backend.path.read_bytes()
    with pytest.raises(BadArgument) as raised:
        backend.provision(layout)
    assert "existe déjà" in str(raised.value)
    assert backend.path.read_bytes() == before
    backend.provision(make_layout("en"), overwrite=True)
    assert openpyxl.load_workbook(backend.path).sheetnames[0] == "Read me"


@pytest.mark.parametrize(
    ("tab", "expected"),
    [
        ("Listes", "'Listes'!$A$2:$A$200"),
        ("Check-ins Ventes", "'Check-ins Ventes'!$A$2:$A$200"),
        ("L'équipe d'Amélie", "'L''équipe d''Amélie'!$A$2:$A$200"),
    ],
)
def test_range_references_quote_tab_names(tab: str, expected: str) -> None:
    assert sheet_range(tab, Area(2, 200, 1, 1)) == expected


def test_a_team_name_with_apostrophes_and_accents_makes_a_valid_workbook(tmp_path: Path) -> None:
    spec = WorkbookSpec("Café d'Été", "fr", "2025-T1", [Team("L'équipe d'Amélie")])
    backend = XlsxBackend(tmp_path / "ete.xlsx")
    backend.provision(build_layout(spec))
    assert "Check-ins L'équipe d'Amélie" in backend.read().tabs


def test_fixed_lists_excel_cannot_hold_as_literals_go_to_a_hidden_tab(tmp_path: Path) -> None:
    many = tuple(f"Choice number {i}" for i in range(40))
    assert list_literal(many) is None and list_literal(("a, b", "c")) is None
    assert list_literal(("🟢", "🟡")) == '"🟢,🟡"'
    tab = TabLayout("t", "Tab", [["Pick"]], [12], dropdowns=[Dropdown(Area(2, 10, 1, 1), values=many)])
    wb = render(Layout("T", "en", "en_US", "UTC", [tab], []))
    dv = wb["Tab"].data_validations.dataValidation[0]
    assert wb.defined_names[dv.formula1].attr_text == f"'{VALUES_TAB}'!$A$1:$A$40"
    assert wb[VALUES_TAB].sheet_state == "hidden" and wb[VALUES_TAB]["A40"].value == "Choice number 39"


# -- reading ---------------------------------------------------------------------------------------


def test_read_returns_typed_values_and_trims_blanks(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Check-ins Ventes"
    ws.append(["Semaine", "Valeur", "Confiance", "Fait", "Heure"])
    ws.append([dt.date(2025, 1, 20), 28, 0.75, True, dt.datetime(2025, 1, 20, 9, 30)])
    ws.append([dt.datetime(2025, 1, 27), 1200.5, 0.5, False, None, None])
    ws["C2"].number_format = ws["C3"].number_format = "0%"
    ws["A2"].number_format = "dd/mm/yyyy"
    ws["E5"] = ""  # an empty string and an empty row between
    ws["B6"] = "fin"
    ws["H6"].number_format = "0%"  # styled but empty: not a value
    path = tmp_path / "typed.xlsx"
    wb.save(path)

    snapshot = XlsxBackend(path).read()
    assert snapshot.title == "typed" and snapshot.locale is None
    assert snapshot.tabs["Check-ins Ventes"].grid == [
        ["Semaine", "Valeur", "Confiance", "Fait", "Heure"],
        [dt.date(2025, 1, 20), 28, Percent(0.75), True, dt.datetime(2025, 1, 20, 9, 30)],
        [dt.date(2025, 1, 27), 1200.5, Percent(0.5), False],
        [],
        [],
        [None, "fin"],
    ]
    grid = snapshot.tabs["Check-ins Ventes"].grid
    assert type(grid[1][0]) is dt.date and isinstance(grid[1][2], Percent) and type(grid[1][1]) is int


def _minimal_xlsx(path: Path, sheet_data: str) -> None:
    """A workbook package written by hand, shaped as Excel writes it (shared strings, styles)."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    parts = {
        "_rels/.rels": f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        '<sheet name="Log" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{pkg}">'
        f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
        f'<Relationship Id="rId3" Type="{rel}/styles" Target="/xl/styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}"><si><t>Semaine</t></si><si><t xml:space="preserve">'
        "MKT-KR1 </t></si><si><r><t>Mar</t></r><r><rPr><b/></rPr><t>keting</t></r>"
        "<rPh sb=\"0\" eb=\"1\"><t>x</t></rPh></si></sst>",
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="0.0&quot;%&quot;"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/>'
        '<xf numFmtId="10"/><xf numFmtId="164"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData>{sheet_data}</sheetData>'
        "</worksheet>",
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)


EXPECTED_LOG: Grid = [
    ["Semaine", "MKT-KR1 ", "Marketing"],
    [dt.date(2025, 1, 20), Percent(0.215), 21.5, True, "#DIV/0!", "R&D"],
]


@pytest.mark.parametrize(
    ("fast", "sheet_data"),
    [
        # Excel's own shape: read by the fast path.
        (True, '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
         '<c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" s="1"><v>45677</v></c>'
         '<c r="B2" s="2"><v>0.215</v></c><c r="C2" s="3"><v>21.5</v></c><c r="D2" t="b"><v>1</v></c>'
         '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F2" t="str"><f>"R&amp;D"</f><v>R&amp;D</v></c>'
         '<c r="G2" s="2"/></row>'),
        # Attributes in another order, cells without references: read through ElementTree.
        (False, '<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s" r="C1"><v>2</v></c></row>'
         '<row><c s="1" r="A2"><v>45677</v></c><c s="2"><v>0.215</v></c><c s="3"><v>21.5</v></c>'
         '<c t="b"><v>1</v></c><c t="e"><v>#DIV/0!</v></c><c t="str"><v>R&amp;D</v></c></row>'),
    ],
    ids=["excel-shape", "unusual-shape"],
)
def test_read_decodes_workbooks_saved_by_excel(tmp_path: Path, fast: bool, sheet_data: str) -> None:
    path = tmp_path / "excel.xlsx"
    _minimal_xlsx(path, sheet_data)
    grid = XlsxBackend(path).read().tabs["Log"].grid
    assert grid == EXPECTED_LOG
    assert [type(v) for v in grid[1]] == [type(v) for v in EXPECTED_LOG[1]]
    with zipfile.ZipFile(path) as archive:
        book = xlsx_read._Book(archive)
        assert (book._fast_cells(archive.read(book.sheets[0][1])) is not None) == fast


def test_a_missing_file_says_so_and_leaves_nothing_behind(tmp_path: Path) -> None:
    backend = XlsxBackend(tmp_path / "nowhere.xlsx", lang="fr")
    with pytest.raises(WorkbookNotFound) as raised:
        backend.read()
    _one_sentence(raised.value, "nowhere.xlsx")
    with pytest.raises(WorkbookNotFound), backend.lock():
        pass
    with pytest.raises(WorkbookNotFound):
        backend.apply(WritePlan(cells=[CellWrite("OKR", 2, 11, 1)]), Snapshot("x", {}))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content",
    [b"ID;Team\nMKT-O1;Marketing\n", b"", "zip-without-workbook", "truncated"],
    ids=["text-renamed", "empty", "other-zip", "truncated"],
)
def test_read_of_a_file_that_is_not_a_workbook_says_so(tmp_path: Path, content: bytes | str) -> None:
    path = tmp_path / "broken.xlsx"
    if content == "zip-without-workbook":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "hello")
    elif content == "truncated":
        backend, _ = provisioned(tmp_path)
        path.write_bytes(backend.path.read_bytes()[:3000])
    else:
        path.write_bytes(content)  # type: ignore[arg-type]
    with pytest.raises(NotOurWorkbook) as raised:
        XlsxBackend(path).read()
    _one_sentence(raised.value, "broken.xlsx")
    with pytest.raises(NotOurWorkbook):
        XlsxBackend(path).apply(WritePlan(cells=[CellWrite("OKR", 2, 11, 1)]), Snapshot("x", {}))


# -- writing a plan --------------------------------------------------------------------------------


def _checkins_with_a_person_s_rows(tmp_path: Path) -> tuple[XlsxBackend, Layout, str]:
    backend, layout = provisioned(tmp_path, "fr")
    tab = tab_of(layout, "checkins:Marketing").name
    edit(backend.path, {
        (tab, "A2"): dt.date(2025, 1, 6), (tab, "B2"): "MKT-KR1", (tab, "C2"): 28, (tab, "D2"): "🟢",
        (tab, "E2"): "=SOMME(C2;1)",  # not a real formula here: a person's text is kept as it is
        (tab, "A3"): "=A2+7", (tab, "B3"): "MKT-KR1", (tab, "C3"): "=C2+12", (tab, "D3"): "jaune",
        (tab, "Z9"): "note à moi-même",
    })
    cache_results(backend.path, {tab: [[], [], [dt.date(2025, 1, 13), None, 40]]})
    return backend, layout, tab


def test_apply_writes_exactly_the_planned_cells(tmp_path: Path) -> None:
    backend, _, tab = _checkins_with_a_person_s_rows(tmp_path)
    before = backend.read()
    plan = WritePlan(cells=[
        CellWrite(tab, 2, 6, Percent(0.224)), CellWrite(tab, 2, 7, "Vert"), CellWrite(tab, 3, 8, "Valeur ?"),
        CellWrite(tab, 3, 6, None),
    ])
    result = backend.apply(plan, before)
    assert (result.cells, result.read_calls, result.write_calls) == (4, 0, 1)

    after = backend.read()
    planned = {(w.tab, w.row, w.col): w.value for w in plan.cells}
    for name, old in before.tabs.items():
        new = after.tabs[name]
        for row in range(1, max(len(old.grid), len(new.grid)) + 1):
            for col in range(1, 30):
                expected = planned.get((name, row, col), old.cell(row, col))
                got = new.cell(row, col)
                assert got == expected and type(got) is type(expected), (name, row, col)
    assert after.tabs[tab].cell(3, 1) == dt.date(2025, 1, 13), "a formula's last result is still readable"


def test_apply_keeps_people_s_formulas_and_formats_the_values_it_writes(tmp_path: Path) -> None:
    backend, _, tab = _checkins_with_a_person_s_rows(tmp_path)
    plan = WritePlan(cells=[
        CellWrite(tab, 2, 6, Percent(0.5)), CellWrite(tab, 2, 8, dt.date(2025, 2, 3)),
        CellWrite(tab, 3, 8, "=HYPERLINK(\"http://x\")"),
    ])
    backend.apply(plan, backend.read())
    ws = openpyxl.load_workbook(backend.path)[tab]
    assert ws["A3"].value == "=A2+7" and ws["C3"].value == "=C2+12"
    assert ws["F2"].number_format == "0%" and ws["H2"].number_format == "yyyy-mm-dd"
    assert ws["H3"].data_type == "s", "text from the sheet is never turned into a formula"
    assert _locked(ws, 2, 6) and not _locked(ws, 2, 3)


def test_apply_keeps_dropdowns_colour_rules_protection_and_widths(tmp_path: Path, lang: str) -> None:
    backend, layout = provisioned(tmp_path, lang)
    def shape(ws: Worksheet) -> Any:
        return (
            [(v.type, v.formula1, str(v.sqref), v.errorStyle) for v in ws.data_validations.dataValidation],
            [(str(cf.sqref), r.formula) for cf in ws.conditional_formatting for r in cf.rules],
            ws.protection.sheet, ws.freeze_panes, ws.sheet_state,
            {k: (d.width, d.protection.locked) for k, d in ws.column_dimensions.items()},
        )
    before = {name: shape(ws) for name, ws in zip(*_sheets(backend.path), strict=True)}
    names = dict(openpyxl.load_workbook(backend.path).defined_names.items())
    okrs = tab_of(layout, "okrs").name
    org = tab_of(layout, "org").name
    backend.apply(WritePlan(cells=[CellWrite(okrs, 2, 15, "Vert")], tabs={org: [[Heading("Acme")]]},
                            charts=layout.charts), backend.read())
    assert {name: shape(ws) for name, ws in zip(*_sheets(backend.path), strict=True)} == before
    assert {k: v.attr_text for k, v in openpyxl.load_workbook(backend.path).defined_names.items()} == {
        k: v.attr_text for k, v in names.items()}


def test_an_empty_plan_leaves_the_file_untouched(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    os.utime(backend.path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = backend.path.read_bytes()
    result = backend.apply(WritePlan(charts=layout.charts), backend.read())
    assert (result.cells, result.write_calls) == (0, 0)
    assert backend.path.stat().st_mtime_ns == 1_000_000_000_000_000_000
    assert backend.path.read_bytes() == before


def test_an_empty_plan_still_redraws_a_chart_someone_deleted(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    wb = openpyxl.load_workbook(backend.path)
    wb[layout.charts[0].tab]._charts = []
    wb.save(backend.path)
    result = backend.apply(WritePlan(charts=layout.charts), backend.read())
    assert result.write_calls == 1
    assert len(openpyxl.load_workbook(backend.path)[layout.charts[0].tab]._charts) == 1


def test_the_org_tab_keeps_exactly_one_chart_per_spec_sync_after_sync(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    org = layout.charts[0].tab
    for progress in (0.2, 0.4, 0.6):
        grid: Grid = [[Heading("Acme")], [], [], [], ["Équipe", "Progr."], ["Marketing", Percent(progress)]]
        backend.apply(WritePlan(tabs={org: grid}, charts=layout.charts), backend.read())
    wb = openpyxl.load_workbook(backend.path)
    assert len(wb[org]._charts) == 1
    assert backend.read().tabs[org].cell(6, 2) == Percent(0.6)


def test_a_service_tab_is_replaced_whole(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    org = tab_of(layout, "org").name
    long: Grid = [[Heading("Acme — OKR")], ["Organisation", Percent(0.4)]]
    long += [[f"KR {i}", i, "Jaune"] for i in range(30)]
    backend.apply(WritePlan(tabs={org: long}), backend.read())
    short: Grid = [["Acme — OKR"], [Heading("Organisation"), 0.5]]
    backend.apply(WritePlan(tabs={org: short}), backend.read())

    grid = backend.read().tabs[org].grid
    assert grid == [["Acme — OKR"], ["Organisation", 0.5]]
    assert type(grid[1][1]) is float, "a plain number, even in a column provisioned as percent"
    ws = openpyxl.load_workbook(backend.path)[org]
    assert not ws["A1"].font.b, "yesterday's heading is plain text today"
    assert ws["A2"].font.b and ws["B2"].number_format == "General"
    assert ws.max_row == 2 and ws.protection.sheet


def test_apply_to_a_tab_that_is_gone_says_the_workbook_is_not_ours(tmp_path: Path) -> None:
    backend, _ = provisioned(tmp_path, "en")
    with pytest.raises(NotOurWorkbook) as raised:
        backend.apply(WritePlan(cells=[CellWrite("Nope", 2, 2, 1)]), backend.read())
    _one_sentence(raised.value, "Nope")


def test_apply_keeps_the_file_permissions(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    backend.path.chmod(0o640)
    backend.apply(WritePlan(cells=[CellWrite(tab_of(layout, "okrs").name, 2, 11, 3)]), backend.read())
    assert stat.S_IMODE(backend.path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


# -- locking ---------------------------------------------------------------------------------------


def test_a_second_sync_of_the_same_file_is_refused_while_the_first_runs(tmp_path: Path) -> None:
    backend, _ = provisioned(tmp_path, "fr")
    other = XlsxBackend(backend.path, lang="fr")
    with backend.lock():
        with pytest.raises(WorkbookLocked) as raised, other.lock():
            pass
        _one_sentence(raised.value, "okr.xlsx")
    with other.lock():
        pass  # released: the next sync runs


def test_apply_inside_the_engine_s_lock_does_not_lock_itself_out(tmp_path: Path) -> None:
    backend, layout = provisioned(tmp_path)
    with backend.lock():
        snapshot = backend.read()
        result = backend.apply(WritePlan(cells=[CellWrite(tab_of(layout, "okrs").name, 2, 11, 7)]), snapshot)
    assert result.write_calls == 1


def test_the_lock_is_released_when_the_sync_fails(tmp_path: Path) -> None:
    backend, _ = provisioned(tmp_path)
    with pytest.raises(RuntimeError), backend.lock():
        raise RuntimeError("scoring failed")
    with XlsxBackend(backend.path).lock():
        pass


@pytest.mark.parametrize("owner", [".~lock.okr.xlsx#", "~$okr.xlsx"], ids=["libreoffice", "excel"])
def test_a_workbook_open_in_libreoffice_or_excel_is_never_saved_over(tmp_path: Path, owner: str) -> None:
    backend, layout = provisioned(tmp_path, "en")
    snapshot = backend.read()
    before = backend.path.read_bytes()
    (tmp_path / owner).write_text("Ana,ana-laptop,28.01.2025 09:12,file:///home/ana/.config/libreoffice;")
    with backend.lock():
        assert backend.read().tabs, "a dry run validates what the person last saved"
        with pytest.raises(WorkbookLocked) as raised:
            backend.apply(WritePlan(cells=[CellWrite(tab_of(layout, "okrs").name, 2, 11, 7)]), snapshot)
    _one_sentence(raised.value, "okr.xlsx")
    with pytest.raises(WorkbookLocked):
        backend.provision(layout, overwrite=True)
    assert backend.path.read_bytes() == before


# -- helpers ---------------------------------------------------------------------------------------


def _letter(col: int) -> str:
    return openpyxl.utils.get_column_letter(col)


def _span(area: Area) -> str:
    return f"{_letter(area.first_col)}{area.first_row}:{_letter(area.last_col)}{area.last_row}"


def _sheets(path: Path) -> tuple[list[str], list[Worksheet]]:
    wb = openpyxl.load_workbook(path)
    return wb.sheetnames, wb.worksheets


def _locked(ws: Worksheet, row: int, col: int) -> bool:
    """Whether Excel would lock this cell: its own style, else its column's, else locked."""
    cell = ws._cells.get((row, col))
    if cell is not None and cell.has_style:
        return bool(cell.protection.locked)
    for dim in ws.column_dimensions.values():
        low = dim.min or openpyxl.utils.column_index_from_string(dim.index)
        if low <= col <= (dim.max or low) and dim.has_style:
            return bool(dim.protection.locked)
    return True


def _one_sentence(error: OkrsyncError, *mentions: str) -> None:
    text = str(error)
    assert text and "\n" not in text and "Traceback" not in text
    for mention in mentions:
        assert mention in text
