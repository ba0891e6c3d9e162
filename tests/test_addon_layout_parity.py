"""The add-on's workbook and `init --google`'s carry the same tabs, headers, validations, colour rules and
protected ranges.

One side: the layout JSON the service hands the add-on (`POST /api/addon/layout`, through Flask's test client;
`sync.wire.layout.layout_json` while the endpoint is not there) rendered into a fake spreadsheet by the add-on's
own code (`node addon/tests/render_layout.js`). Other side: the Sheets API requests `okrsync init --google`
sends to the Google fake. Both are reduced to the same description: A1 ranges, `#RRGGBB` colours.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sync.backends.gsheets_growth import anchored_room, room, service_room
from sync.cli.commands import main
from sync.layout.build import Team, WorkbookSpec, build_layout
from sync.layout.columns import col
from sync.model import col_letters
from sync.template import catalog
from sync.wire.layout import layout_json, room_json
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import MemoryWorkbooks, make_app

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "addon" / "tests" / "render_layout.js"

SPECS = {
    "fr": ("Acme", "2025-T1", ["Marketing", "Ventes", "Finance"]),
    "en": ("Globex", "2025-Q3", ["Sales", "R&D"]),
}


def node() -> str:
    """The node binary; without one the test is skipped, unless CI insists (OKRSYNC_CI_STRICT)."""
    found = shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)
    if not found:
        if os.environ.get("OKRSYNC_CI_STRICT"):
            pytest.fail("node is required for the add-on parity test (OKRSYNC_CI_STRICT is set)")
        pytest.skip("node is not installed")
    return found


def service_layout(tmp_path: Path, lang: str) -> dict[str, Any]:
    """The layout JSON of PROTOCOL.md for the spec, from the service's endpoint when it has one."""
    org, quarter, teams = SPECS[lang]
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=MemoryWorkbooks())
    if any(rule.rule == "/api/addon/layout" for rule in app.url_map.iter_rules()):
        answer = app.test_client().post("/api/addon/layout", headers={"Accept-Language": lang},
                                        json={"organisation": org, "lang": lang, "quarter": quarter, "teams": teams})
        assert answer.status_code == 200, answer.get_data(as_text=True)
        layout: dict[str, Any] = answer.get_json()["layout"]
        return layout
    return layout_json(build_layout(WorkbookSpec(org, lang, quarter, [Team(t) for t in teams])))


def addon_description(layout: dict[str, Any]) -> dict[str, Any]:
    """What the add-on's renderer made of the layout, as render_layout.js describes it."""
    done = subprocess.run([node(), str(DRIVER)], input=json.dumps({"layout": layout}), capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    described: dict[str, Any] = json.loads(done.stdout)
    return described


# ---- the Sheets API side ----

def hex_colour(rgb: dict[str, float] | None) -> str | None:
    """Sheets' 0–1 colour channels back to `#RRGGBB`."""
    if rgb is None:
        return None
    return "#" + "".join(f"{round(rgb.get(c, 0) * 255):02X}" for c in ("red", "green", "blue"))


def a1(grid: dict[str, int]) -> str | None:
    """A GridRange as A1 without its tab; None when it is the whole sheet; `A2:I` when it has no end row."""
    if "startRowIndex" not in grid and "startColumnIndex" not in grid:
        return None
    return (f"{col_letters(grid['startColumnIndex'] + 1)}{grid['startRowIndex'] + 1}:"
            f"{col_letters(grid['endColumnIndex'])}{grid.get('endRowIndex', '')}")


def header(rows: list[dict[str, Any]]) -> list[str]:
    """Row 1 of an updateCells, as text; a date cell as "date"."""
    out: list[str] = []
    for cell in rows[0].get("values", []) if rows else []:
        value = cell.get("userEnteredValue", {})
        pattern = cell.get("userEnteredFormat", {}).get("numberFormat", {}).get("type")
        text = "" if not value else "date" if pattern == "DATE" else str(next(iter(value.values())))
        out.append(text)
    while out and out[-1] == "":
        out.pop()
    return out


def api_description(requests: list[dict[str, Any]]) -> dict[str, Any]:
    """The same description, from the batchUpdate that `init --google` sends."""
    names: dict[int, str] = {}
    tabs: dict[str, dict[str, Any]] = {}
    out: dict[str, Any] = {"charts": []}
    for request in requests:
        ((kind, body),) = request.items()
        if kind == "updateSpreadsheetProperties":
            props = body["properties"]
            out.update(title=props["title"], locale=props["locale"], time_zone=props["timeZone"])
        elif kind == "addSheet":
            props = body["properties"]
            names[props["sheetId"]] = props["title"]
            tabs[props["title"]] = {
                "name": props["title"], "index": props["index"], "hidden": props.get("hidden", False),
                "rows": props["gridProperties"]["rowCount"], "cols": props["gridProperties"]["columnCount"],
                "frozen_rows": props["gridProperties"].get("frozenRowCount", 0),
                "tab_colour": hex_colour(props.get("tabColorStyle", {}).get("rgbColor")),
                "header": [], "validations": [], "colour_rules": [], "protections": [], "right": [], "wrap": [],
                "hidden_cols": [],
            }
        elif kind == "updateCells":
            tabs[names[body["start"]["sheetId"]]]["header"] = header(body["rows"])
        elif kind == "updateDimensionProperties" and body["properties"].get("hiddenByUser"):
            dims = body["range"]
            assert dims["dimension"] == "COLUMNS" and "hiddenByUser" in body["fields"]
            tabs[names[dims["sheetId"]]]["hidden_cols"] += range(dims["startIndex"] + 1, dims["endIndex"] + 1)
        elif kind == "repeatCell":
            fmt = body["cell"].get("userEnteredFormat", {})
            tab = tabs[names[body["range"]["sheetId"]]]
            if fmt.get("horizontalAlignment") == "RIGHT":
                tab["right"].append(a1(body["range"]))
            if fmt.get("wrapStrategy") == "WRAP":
                tab["wrap"].append(a1(body["range"]))
        elif kind == "setDataValidation":
            condition = body["rule"]["condition"]
            values = [v["userEnteredValue"] for v in condition["values"]]
            in_range = condition["type"] == "ONE_OF_RANGE"
            tabs[names[body["range"]["sheetId"]]]["validations"].append({
                "range": a1(body["range"]), "values": None if in_range else values,
                "source": values[0].removeprefix("=") if in_range else None,
                "strict": body["rule"].get("strict", False),
            })
        elif kind == "addConditionalFormatRule":
            rule = body["rule"]
            condition = rule["booleanRule"]["condition"]
            value = condition["values"][0]["userEnteredValue"]
            formula = condition["type"] == "CUSTOM_FORMULA"
            sheet_id = rule["ranges"][0]["sheetId"]
            rules = tabs[names[sheet_id]]["colour_rules"]
            rules.insert(body.get("index", len(rules)), {
                "ranges": [a1(r) for r in rule["ranges"]], "formula": value if formula else None,
                "text": None if formula else value,
                "colour": hex_colour(rule["booleanRule"]["format"]["backgroundColorStyle"]["rgbColor"]),
            })
        elif kind == "addProtectedRange":
            protected = body["protectedRange"]
            tabs[names[protected["range"]["sheetId"]]]["protections"].append({
                "range": a1(protected["range"]), "warning_only": protected.get("warningOnly", False),
                "description": protected.get("description", ""),
            })
        elif kind == "addChart":
            chart = body["chart"]
            basic = chart["spec"]["basicChart"]
            anchor = chart["position"]["overlayPosition"]["anchorCell"]
            sources = [basic["domains"][0]["domain"], *(s["series"] for s in basic["series"])]
            window = basic["axis"][0]["viewWindowOptions"]
            out["charts"].append({
                "tab": names[anchor["sheetId"]], "title": chart["spec"]["title"],
                "ranges": [a1(s["sourceRange"]["sources"][0]) for s in sources],
                "row": anchor["rowIndex"] + 1, "col": anchor["columnIndex"] + 1,
                "type": basic["chartType"], "stacked": basic["stackedType"] == "STACKED",
                "headers": basic["headerCount"],
                "colours": [hex_colour(s["colorStyle"]["rgbColor"]) for s in basic["series"]],
                "lines": [i for i, s in enumerate(basic["series"]) if s["type"] == "LINE"],
                "legend": basic["legendPosition"].removesuffix("_LEGEND").lower(),
                "axis": [window["viewWindowMin"], window["viewWindowMax"]],
            })
    for tab in tabs.values():
        tab["right"].sort()
        tab["wrap"].sort()
    out["tabs"] = sorted(tabs.values(), key=lambda t: t["index"])
    return out


def init_google_requests(google_fake: FakeGoogle, monkeypatch: pytest.MonkeyPatch, lang: str) -> list[dict[str, Any]]:
    """`okrsync init --google` for the spec, on the Google fake: the requests of its batchUpdate."""
    monkeypatch.setenv("OKRSYNC_GOOGLE_TOKEN", "test-token")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("google.auth.default", _no_default_credentials)
    org, quarter, teams = SPECS[lang]
    args = ["init", "--google", "--lang", lang, "--org", org, "--quarter", quarter]
    for team in teams:
        args += ["--team", team]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    batches = [e.body for e in google_fake.exchanges if e.call.kind == "sheets.spreadsheets.batchUpdate"]
    assert len(batches) == 1
    requests: list[dict[str, Any]] = batches[0]["requests"]
    return requests


def _no_default_credentials(*args: Any, **kwargs: Any) -> Any:
    import google.auth.exceptions

    raise google.auth.exceptions.DefaultCredentialsError("none here")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_addon_workbook_matches_init_google(lang: str, google_fake: FakeGoogle, monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    addon = addon_description(service_layout(tmp_path, lang))
    api = api_description(init_google_requests(google_fake, monkeypatch, lang))
    calls = addon.pop("calls")
    assert [t["name"] for t in addon["tabs"]] == [t["name"] for t in api["tabs"]]
    for ours, theirs in zip(addon["tabs"], api["tabs"], strict=True):
        assert ours == theirs, ours["name"]
    assert addon == api
    # The add-on side is grouped per tab, rule and area, never per cell (a tab's one more call since it is laid
    # out with room to type: cutting Apps Script's 1000 default rows to its own; four more for its right-aligned
    # and its wrapping columns, a range list and a call each; one more on a tab whose row key is hidden). Check-in
    # tabs and the annual goals' 21 columns cost the most (a check-in tab's help text a call more), and the
    # organisation has one too: 49 a tab on average.
    assert calls < 50 * len(addon["tabs"])


def test_the_description_covers_what_the_issue_names(tmp_path: Path) -> None:
    """Guard against a vacuous parity: the French workbook has every kind of thing compared."""
    addon = addon_description(service_layout(tmp_path, "fr"))
    tabs = {t["name"]: t for t in addon["tabs"]}
    lists = catalog.tab_name("lists", "fr")
    okrs = tabs[catalog.tab_name("okrs", "fr")]
    assert tabs[lists]["hidden"] and tabs[lists]["protections"][0]["range"] is None
    assert okrs["header"][:3] == ["ID", "Équipe", "Type"]
    goals = catalog.tab_name("goals", "fr")
    # Teams from Lists, the fixed Types, and an objective's annual goal from the goals tab's IDs.
    assert {v["source"] for v in okrs["validations"]} == {f"'{lists}'!A2:A200", None, f"'{goals}'!A2:A500"}
    assert any(v["strict"] for v in okrs["validations"])
    assert len(okrs["colour_rules"]) == 5 and all(r["colour"].startswith("#") for r in okrs["colour_rules"])
    key = col_letters(col("okrs", "key"))
    assert okrs["colour_rules"][0]["formula"].startswith(f"=(${key}2<>($A2&\"\"))")  # the key's grey, first
    assert okrs["hidden_cols"] == [col("okrs", "key")]  # the key is the sync's: hidden on every tab that has one
    initiatives = tabs[catalog.tab_name("initiatives", "fr")]
    assert initiatives["hidden_cols"] == [col("initiatives", "key")] and not tabs[lists]["hidden_cols"]
    assert okrs["protections"] and all(p["warning_only"] for p in okrs["protections"])
    (chart,) = addon["charts"]
    assert chart["ranges"] == ["A5:A8", "I5:I8", "J5:J8", "K5:K8", "L5:L8", "C5:C8"]
    assert chart["type"] == "COMBO" and chart["stacked"] and chart["lines"] == [4] and chart["headers"] == 1
    org = tabs[catalog.tab_name("org", "fr")]
    assert "A1:A" in org["wrap"] and {"B1:B", "C1:C"} <= set(org["right"])
    assert okrs["wrap"].count("A1:A1") == 1 and "D1:D" in okrs["wrap"]  # headers wrap; so do titles
    assert {"F1:F1", "L1:L1"} <= set(okrs["right"])  # Sheets right-aligns the numbers under them itself
    # Tabs are laid out with room to type, not thousands of rows; their rules run down to the last row.
    assert (okrs["rows"], tabs[lists]["rows"]) == (101, 400)  # the Lists tab: the 200 rows dropdowns read, and room
    annual_goal = col_letters(col("okrs", "annual_goal"))
    assert {v["range"] for v in okrs["validations"]} == {"B2:B", "C2:C", f"{annual_goal}2:{annual_goal}"}
    last, status = col_letters(len(catalog.columns("okrs", "fr"))), col_letters(col("okrs", "status"))
    assert all(r["ranges"][0].endswith(f":{last}") or r["ranges"][0] == f"{status}2:{status}"
               for r in okrs["colour_rules"])


@pytest.mark.parametrize("used", [1, 5, 24, 25, 26, 50, 80, 199, 200, 201, 1000])
def test_addon_grows_tabs_as_the_google_backend_does(used: int) -> None:
    """The add-on's growth decisions (Plan.js), fed the layout JSON's room, are gsheets_growth's."""
    rows_now = list(range(used, used + 2 * room(used) + 2, 3))
    script = ("const { load } = require('./addon/tests/harness.js'); const { ctx } = load();"
              "const [room, used, rows] = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));"
              "process.stdout.write(JSON.stringify(rows.map((n) => [ctx.peopleTabGrowth_(room, used, n),"
              " ctx.serviceTabGrowth_(room, used, n - 1)])));")
    done = subprocess.run([node(), "-e", script], input=json.dumps([room_json(), used, rows_now]), capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for n, (people, service) in zip(rows_now, json.loads(done.stdout), strict=True):
        # A people tab of n rows, its free rows anchored as laid out: the rows the backend inserts.
        _requests, _anchors, grown = anchored_room(1, n, used, list(range(used + 1, n + 1)), set())
        assert people == grown - n, (used, n)
        # A service tab of n - 1 rows rewritten over `used` rows (held: `used - 1`).
        _requests, grown = service_room(1, n - 1, used - 1, used)
        assert service == grown - (n - 1), (used, n)
