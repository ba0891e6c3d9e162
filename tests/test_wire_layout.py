"""The layout JSON says exactly what the Google backend's batchUpdate does: same tabs, ranges, rules, protections."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from sync.backends import gsheets_growth
from sync.backends.gsheets_growth import laid_out_rows, room, service_room, short_of_room
from sync.backends.gsheets_layout import col_letters, layout_requests
from sync.backends.gsheets_values import NUMBER_FORMATS
from sync.layout.build import Team, WorkbookSpec, build_layout, checkin_tab
from sync.layout.demo import demo_layout
from sync.layout.model import WHOLE_COLUMNS_FROM, Area, Dropdown
from sync.model import STATUSES
from sync.template import catalog
from sync.wire.layout import layout_json, room_json, tab_json

#: Google's limit on the cells of a spreadsheet.
SHEETS_CELL_LIMIT = 10_000_000


def a1(grid_range: dict[str, Any]) -> str | None:
    """A GridRange in A1 notation without its tab; None for a whole sheet; `A2:I` when it has no end row."""
    if "startRowIndex" not in grid_range:
        return None
    end = grid_range.get("endRowIndex", "")
    return (f"{col_letters(grid_range['startColumnIndex'] + 1)}{grid_range['startRowIndex'] + 1}:"
            f"{col_letters(grid_range['endColumnIndex'])}{end}")


def hex_of(rgb: dict[str, float]) -> str:
    return "#" + "".join(f"{round(rgb[c] * 255):02X}" for c in ("red", "green", "blue"))


def requests_by_tab(layout: Any) -> tuple[dict[str, dict[str, Any]], dict[str, list[dict[str, Any]]]]:
    """The batchUpdate's sheet properties and other requests, by tab name."""
    requests, ids = layout_requests(layout, 0)
    names = {sheet_id: name for name, sheet_id in ids.items()}
    props = {r["addSheet"]["properties"]["title"]: r["addSheet"]["properties"] for r in requests if "addSheet" in r}
    by_tab: dict[str, list[dict[str, Any]]] = {name: [] for name in ids}
    for r in requests:
        kind = next(iter(r))
        body = r[kind]
        sheet = (body.get("range") or body.get("rule", {}).get("ranges", [{}])[0]
                 or body.get("protectedRange", {}).get("range") or body.get("start") or {}).get("sheetId")
        if kind == "addProtectedRange":
            sheet = body["protectedRange"]["range"]["sheetId"]
        if sheet in names and kind != "addSheet":
            by_tab[names[sheet]].append(r)
    return props, by_tab


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_layout_json_matches_the_google_backends_requests(lang: str) -> None:
    layout = demo_layout(lang)
    doc = layout_json(layout)
    props, by_tab = requests_by_tab(layout)
    assert [t["name"] for t in doc["tabs"]] == [t.name for t in layout.tabs] == list(props)
    assert (doc["title"], doc["lang"], doc["locale"], doc["time_zone"]) == (layout.title, lang, layout.locale,
                                                                            layout.time_zone)
    for tab in doc["tabs"]:
        p, reqs = props[tab["name"]], by_tab[tab["name"]]
        assert (tab["rows"], tab["cols"]) == (p["gridProperties"]["rowCount"], p["gridProperties"]["columnCount"])
        assert tab["frozen_rows"] == p["gridProperties"]["frozenRowCount"] and tab["hidden"] == p["hidden"]
        assert tab["dropdowns"] == [
            {"range": a1(r["setDataValidation"]["range"]),
             "values": None if cond["type"] == "ONE_OF_RANGE" else [v["userEnteredValue"] for v in cond["values"]],
             "source": cond["values"][0]["userEnteredValue"][1:] if cond["type"] == "ONE_OF_RANGE" else None,
             "strict": r["setDataValidation"]["rule"]["strict"],
             "help": r["setDataValidation"]["rule"].get("inputMessage")}
            for r in reqs if "setDataValidation" in r
            for cond in [r["setDataValidation"]["rule"]["condition"]]]
        rules = [r["addConditionalFormatRule"]["rule"] for r in reqs if "addConditionalFormatRule" in r]
        assert tab["colour_rules"] == [
            {"range": a1(rule["ranges"][0]),
             "formula": cond["values"][0]["userEnteredValue"] if cond["type"] == "CUSTOM_FORMULA" else None,
             "text": cond["values"][0]["userEnteredValue"] if cond["type"] == "TEXT_EQ" else None,
             "colour": hex_of(rule["booleanRule"]["format"]["backgroundColorStyle"]["rgbColor"])}
            for rule in rules for cond in [rule["booleanRule"]["condition"]]]
        assert tab["protections"] == [
            {"range": a1(r["addProtectedRange"]["protectedRange"]["range"]),
             "description": r["addProtectedRange"]["protectedRange"]["description"]}
            for r in reqs if "addProtectedRange" in r]
        number_formats = [r["repeatCell"] for r in reqs
                          if "repeatCell" in r and "numberFormat" in r["repeatCell"]["cell"]["userEnteredFormat"]]
        assert tab["formats"] == [
            {"range": a1(r["range"]), "pattern": r["cell"]["userEnteredFormat"]["numberFormat"]["pattern"]}
            for r in number_formats if "pattern" in r["cell"]["userEnteredFormat"]["numberFormat"]]
        dimensions = [r["updateDimensionProperties"] for r in reqs if "updateDimensionProperties" in r]
        widths = [px for d in dimensions if "pixelSize" in d["properties"]
                  for px in [d["properties"]["pixelSize"]] * (d["range"]["endIndex"] - d["range"]["startIndex"])]
        assert tab["widths"] == widths
        hidden = [c for d in dimensions if d["properties"].get("hiddenByUser")
                  for c in range(d["range"]["startIndex"] + 1, d["range"]["endIndex"] + 1)]
        assert tab["hidden_cols"] == hidden


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cell_formats_and_bold_are_the_cells_of_update_cells(lang: str) -> None:
    layout = demo_layout(lang)
    _props, by_tab = requests_by_tab(layout)
    for tab in layout_json(layout)["tabs"]:
        cells = [r["updateCells"] for r in by_tab[tab["name"]] if "updateCells" in r]
        rows = cells[0]["rows"] if cells else []
        found_formats, found_bold = [], []
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row["values"], start=1):
                fmt = cell.get("userEnteredFormat", {})
                if "numberFormat" in fmt:
                    found_formats.append({"row": r, "col": c, "pattern": fmt["numberFormat"]["pattern"]})
                if fmt.get("textFormat", {}).get("bold"):
                    found_bold.append([r, c])
        assert tab["cell_formats"] == found_formats and tab["bold"] == found_bold


def test_a1_ranges_colours_and_the_chart_read_as_the_protocol_shows() -> None:
    layout = build_layout(WorkbookSpec("Acme", "fr", "2025-T1", [Team("Marketing"), Team("Ventes")]))
    doc = layout_json(layout)
    checkins = next(t for t in doc["tabs"] if t["name"] == "Check-ins Ventes")
    # Areas down to the template's row 3 000 reach the tab's 101 laid-out rows: open-ended, as Sheets reads `B2:B`.
    assert checkins["rows"] == 101
    assert checkins["dropdowns"][0] == {"range": "B2:B", "values": None, "source": "'Listes'!C2:C200",
                                        "strict": False, "help": None}
    stale, green = checkins["colour_rules"][:2]  # the key's grey first, so that it wins over the status colours
    assert stale == {"range": "F2:I", "formula": '=($I2<>($B2&"|"&$A2))*(($I2&$F2&$G2&$H2)<>"")=1',
                     "text": None, "colour": "#B7B7B7"}
    assert green["formula"] == '=$G2="Vert"' and green["text"] is None
    org = next(t for t in doc["tabs"] if t["key"] == "org")
    assert org["colour_rules"][0]["text"] == "Vert" and org["protections"] == [
        {"range": None, "description": org["protections"][0]["description"]}]
    assert org["bold"] == [[1, 1]] and org["values"][0][0] == "Acme — OKR 2025-T1"
    settings = next(t for t in doc["tabs"] if t["key"] == "settings")
    assert {"row": 6, "col": 2, "pattern": "yyyy-mm-dd"} in settings["cell_formats"]
    assert settings["values"][5][1] == 45658  # 2025-01-01 as a Sheets serial
    colours = catalog.template()["chart_colors"]
    bars = [{"range": f"{c}5:{c}7", "colour": colours[s], "line": False} for c, s in zip("IJKL", STATUSES, strict=True)]
    assert doc["charts"] == [{"tab": "Org", "title": layout.charts[0].title, "labels": "A5:A7",
                              "series": [*bars, {"range": "C5:C7", "colour": colours["expected"], "line": True}],
                              "row": 2, "col": 14}]
    assert org["right"] == ["B1:B", "C1:C", "I1:I", "J1:J", "K1:K", "L1:L"] and org["wrap"] == ["A1:A", "G1:G"]
    okrs = next(t for t in doc["tabs"] if t["key"] == "okrs")
    assert "D1:D" in okrs["wrap"] and "F1:F1" in okrs["right"] and "A1:A1" not in okrs["right"]


def test_a_new_teams_tab_is_the_tab_build_layout_makes_for_that_place() -> None:
    layout = build_layout(WorkbookSpec("Acme", "en", "2025-Q1", [Team("Marketing"), Team("Sales")]))
    made = next(t for t in layout.tabs if t.name == "Check-ins Sales")
    assert tab_json(checkin_tab("Sales", 2, "en")) == tab_json(made, layout)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_areas_are_open_ended_exactly_when_whole_columns_or_down_to_the_laid_out_rows(lang: str) -> None:
    layout = demo_layout(lang)
    okrs = next(t for t in layout.tabs if t.key == "okrs")
    rows = laid_out_rows(okrs, layout)
    assert rows > WHOLE_COLUMNS_FROM
    # The template's areas are whole columns down to their tab's rows and past them, or short (Settings' dates):
    # an area of each other kind, on either side of both limits.
    shapes = [(2, WHOLE_COLUMNS_FROM), (5, rows), (2, WHOLE_COLUMNS_FROM - 1), (3, rows - 1)]
    okrs.dropdowns += [Dropdown(Area(first, last, 1, 1), values=("x",)) for first, last in shapes]
    doc = {t["name"]: t for t in layout_json(layout)["tabs"]}
    kinds: Counter[tuple[bool, bool]] = Counter()
    for tab in layout.tabs:
        wire = doc[tab.name]
        areas = [d.area for d in tab.dropdowns] + [r.area for r in tab.colour_rules]
        areas += [p.area for p in tab.protections if p.area is not None]
        areas += [f.area for f in tab.formats if "pattern" in NUMBER_FORMATS[f.kind]]
        ranges = [d["range"] for d in wire["dropdowns"]] + [r["range"] for r in wire["colour_rules"]]
        ranges += [p["range"] for p in wire["protections"] if p["range"] is not None]
        ranges += [f["range"] for f in wire["formats"]]
        for area, text in zip(areas, ranges, strict=True):
            whole, reaches = area.whole_columns, area.last_row >= wire["rows"]
            end = "" if whole or reaches else str(area.last_row)
            assert text == f"{col_letters(area.first_col)}{area.first_row}:{col_letters(area.last_col)}{end}", (
                tab.name, text)
            kinds[whole, reaches] += 1
    assert kinds[True, True] > 20 and kinds[False, False] >= 2  # the template's, and the short ones
    assert kinds[True, False] == kinds[False, True] == 1
    # The Google backend lays them so: open-ended as whole columns, or down to the rows; the others bounded.
    _props, by_tab = requests_by_tab(layout)
    laid = [a1(r["setDataValidation"]["range"]) for r in by_tab[okrs.name] if "setDataValidation" in r]
    assert laid[-len(shapes):] == ["A2:A", "A5:A", f"A2:A{WHOLE_COLUMNS_FROM - 1}", f"A3:A{rows - 1}"]


def test_room_json_is_the_google_backends_growth_policy() -> None:
    """The add-on grows its tabs by these numbers: they must predict the backend's own decisions."""
    policy = room_json()
    assert policy == {"min": gsheets_growth.SPARE_MIN, "per_row": gsheets_growth.PER_ROW,
                      "service_per_row": gsheets_growth.SERVICE_PER_ROW, "grow_under": gsheets_growth.GROW_UNDER}
    for used in range(0, 1500, 7):
        want = max(policy["min"], int(policy["per_row"] * used))
        assert room(used) == want
        for free in range(0, 2 * want, 3):
            assert short_of_room(used, free) == (used > 0 and free < want // policy["grow_under"]), (used, free)
        # A service tab's rewrite of `used` rows into a tab too small: grown to used + as many (at least min).
        grown = used + max(policy["min"], int(policy["service_per_row"] * used))
        if used:
            assert service_room(1, used - 1, used - 1, used)[1] == grown
    assert layout_json(demo_layout("en"))["room"] == policy


def test_a_hundred_team_workbook_stays_far_below_the_cell_limit() -> None:
    layout = build_layout(WorkbookSpec("Acme", "en", "2025-Q1", [Team(f"Team {i}") for i in range(100)]))
    doc = layout_json(layout)
    cells = sum(tab["rows"] * tab["cols"] for tab in doc["tabs"])
    # 100 teams' check-in tabs, the organisation's, the template's six, Annual goals, Initiatives, KPIs, KPI readings
    assert len(doc["tabs"]) == 111
    # 322 474 cells: 3.2 % of the limit (84 % were every tab as long as the template's areas: 3 000 check-in rows,
    # 20 000 History rows).
    assert cells < SHEETS_CELL_LIMIT // 20, cells
