"""The add-on's sidebar in a real headless Chromium, on the demo's real report.

The page is `addon/Sidebar.html` as the add-on's own `showSidebar_` evaluates it (run in Node through the
add-on's test harness, `addon/tests/render_sidebar.js`), with a fake `google.script.run` that writes each call
into the page; a script in the page clicks a problem, a focus KR and Sync now, and the test reads the result
from `--dump-dom`. Skipped when Chromium or Node is missing, unless OKRSYNC_CI_STRICT is set. The screenshots,
300 px wide as Sheets draws a sidebar, are kept where `tests.artifacts` says (listed at the end of the run) for
a person to look at.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from sync.backends.memory import MemoryBackend
from sync.engine import evaluate, run_sync
from sync.layout import demo
from sync.template import catalog
from sync.writeback.dashboard import dashboard
from sync.writeback.percent import percent_text
from tests.artifacts import artifact

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
NODE = shutil.which("node")
RENDER = ROOT / "addon" / "tests" / "render_sidebar.js"
COLOURS = catalog.template()["colors"]
RED = COLOURS["red"]

if os.environ.get("OKRSYNC_CI_STRICT") and (CHROMIUM is None or NODE is None):
    raise RuntimeError("Chromium and Node.js must be installed in CI: .ci/system-deps.sh should have installed them")
pytestmark = pytest.mark.skipif(CHROMIUM is None or NODE is None,
                                reason="Chromium or Node.js is not installed (apt-get install -y chromium nodejs)")

#: A google.script.run that answers like the add-on's server functions and writes every call into the page.
FAKE_RUN = """<script>
(function () {
  var calls = [];
  function record(name, args) {
    calls.push({name: name, args: args});
    var out = document.getElementById('test-calls');
    if (!out) { out = document.createElement('pre'); out.id = 'test-calls'; document.body.appendChild(out); }
    out.textContent = JSON.stringify(calls);
  }
  function answer(name) {
    if (name === 'sidebarSync') {
      var next = JSON.parse(JSON.stringify(OKRSYNC_BOOT.model));
      next.sync = {cells: 7, moved: 1, at: '2025-02-14 14:10'};
      return next;
    }
    if (name === 'dashboardState') return window.TEST_NEXT_MODEL || OKRSYNC_BOOT.model;
    return {ok: true};
  }
  function runner(success, failure) {
    var run = {
      withSuccessHandler: function (f) { return runner(f, failure); },
      withFailureHandler: function (f) { return runner(success, f); }
    };
    ['goToProblem', 'goToCheckin', 'dashboardState', 'sidebarSync'].forEach(function (name) {
      run[name] = function () {
        record(name, Array.prototype.slice.call(arguments));
        if (window.TEST_NO_ANSWER) return;  // the server has not answered yet, however long Chromium waits
        setTimeout(function () {
          if (window.TEST_FAILURE && failure) failure(new Error(window.TEST_FAILURE));
          else if (success) success(answer(name));
        }, 50);
      };
    });
    return run;
  }
  window.google = {script: {run: runner(null, null)}};
})();
</script>
"""

#: Real clicks, dispatched once the page has drawn itself: the first problem, the red KR, then Sync now.
CLICKS = """<script>
window.addEventListener('load', function () {
  function click(node) { node.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true})); }
  click(document.querySelector('#problems button[data-problem]'));
  click(document.querySelector('#focus button[data-status="red"]'));
  var button = document.getElementById('sync');
  click(button);
  document.body.setAttribute('data-sync-disabled-while-running', String(button.disabled));
  document.body.setAttribute('data-sync-label-while-running', button.textContent);
});
</script>
"""


def demo_state(lang: str) -> dict[str, Any]:
    """The sidebar state of a sync of the demo workbook at demo.AS_OF: its report and its dashboard."""
    layout = demo.demo_layout(lang)
    backend = MemoryBackend(layout.title)
    backend.provision(layout)
    report = run_sync(backend, as_of=demo.AS_OF, dry_run=True)
    ev = evaluate(backend.read(), backend.location, demo.AS_OF)
    return {"lang": lang, "report": report, "dashboard": dashboard(ev, demo.AS_OF), "error": None,
            "sync": {"cells": report["writes"]["cells"], "moved": 0, "at": "2025-02-14T19:05:00.000Z"},
            "snapshotHeaders": {}}


def sidebar_html(state: dict[str, Any]) -> str:
    """Sidebar.html as showSidebar_ evaluates it, the nightly sync on and last run recorded."""
    last = {"at": "2025-02-14T07:04:00.000Z", "outcome": "ok", "message": None, "cells": 12}
    request = {"state": state, "nightly": {"on": True, "last": last}}
    assert NODE is not None
    done = subprocess.run([NODE, str(RENDER)], input=json.dumps(request, default=str), capture_output=True,
                          text=True, timeout=60, check=True, cwd=ROOT)
    return done.stdout


def harness(page: str, clicks: bool, setup: str = "") -> str:
    """The page with the fake google.script.run (and `setup`) before its scripts, and the clicks after them."""
    first_script = page.index("<script>")
    page = page[:first_script] + FAKE_RUN + setup + page[first_script:]
    return page.replace("</body>", CLICKS + "</body>") if clicks else page


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with everything that would call out to the internet switched off."""
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=300,1200",
               "--hide-scrollbars", *args]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True, env=env)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def pixels_of(image: Image.Image, colour: str) -> int:
    target = hex_rgb(colour)
    colours: list[tuple[int, tuple[int, int, int]]] = image.getcolors(image.width * image.height) or []  # type: ignore[assignment]
    return sum(n for n, rgb in colours if all(abs(a - b) <= 3 for a, b in zip(rgb, target, strict=True)))


def found(pattern: str, text: str) -> str:
    """The first group of `pattern` in `text` (the test fails when it is not there)."""
    match = re.search(pattern, text, re.S)
    assert match, f"not in the page: {pattern}"
    return match.group(1)


def text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_sidebar_shows_the_demo_report_and_its_clicks_reach_the_server(lang: str, tmp_path: Path) -> None:
    state = demo_state(lang)
    report, dashboard = state["report"], state["dashboard"]
    locale = str(catalog.template()["default_locale"][lang])
    page = sidebar_html(state)
    words = {s: catalog.word("status", s, lang) for s in ("green", "yellow", "red", "none")}

    live = tmp_path / "sidebar.html"
    live.write_text(harness(page, clicks=True), encoding="utf-8")
    dom = chromium(tmp_path, "--virtual-time-budget=5000", "--dump-dom", live.as_uri()).stdout

    assert f'<html lang="{lang}">' in dom
    assert report["workbook"]["title"] in dom
    # The organisation and every team, percentages as the service's pages write them.
    org = re.search(r'data-org-progress="">([^<]*)<', dom)
    assert org and html.unescape(org.group(1)) == percent_text(report["org"]["progress"], locale)
    # Beside the organisation's colour, how many KRs stand at each status, as beside each team's.
    section = re.search(r'<section id="org">(.*?)</section>', dom, re.S)
    assert section and f'data-status="{report["org"]["status"]}"' in section.group(1)
    shown = re.findall(r'data-count="(\w+)"[^>]*>(\d+)<', section.group(1))
    assert dict((s, int(n)) for s, n in shown) == report["org"]["counts"]
    for team in report["teams"]:
        row = re.search(rf'<li class="team" data-team="{re.escape(html.escape(team["team"], quote=True))}">(.*?)</li>',
                        dom, re.S)
        assert row, f"team {team['team']} is missing"
        assert percent_text(team["progress"], locale) in text_of(row.group(1))
        assert f'data-status="{team["status"]}"' in row.group(1) and words[team["status"]] in text_of(row.group(1))
        counts = re.findall(r'data-count="(\w+)"[^>]*>(\d+)<', row.group(1))
        assert dict((s, int(n)) for s, n in counts) == team["counts"]

    # The red KR is shown red, with its owner, progress and latest comment.
    red = next(kr for kr in dashboard["focus"] if kr["status"] == "red")
    item = re.search(rf'<button[^>]*data-focus="{red["id"]}"[^>]*>(.*?)</button>', dom, re.S)
    assert item, "the red KR is missing from the focus list"
    chip = re.search(r'<span class="chip" data-status="red" style="([^"]*)">([^<]*)</span>', item.group(1))
    assert chip and chip.group(2) == words["red"]
    assert f"background-color: {RED}" in chip.group(1).replace("rgb(244, 199, 195)", RED)
    shown = text_of(item.group(1))
    assert red["owner"] in shown and percent_text(red["progress"], locale) in shown
    assert red["comment"] in shown
    # Yellow after red; no green KR in the list.
    statuses = re.findall(r'<button[^>]*data-focus="[^"]+" data-status="(\w+)"', dom)
    assert statuses == sorted(statuses, key=["red", "yellow"].index) and set(statuses) <= {"red", "yellow"}

    # Missing check-ins and problems, each in a sentence of its own.
    for kr in dashboard["missing"]:
        assert f'data-missing="{kr["id"]}"' in dom
    problems = re.findall(r'<button[^>]*data-problem="(\w+)"', dom)
    assert len(problems) == len(report["problems"])

    # The clicks called the server with the problem's tab, row and column label, and the check-in's row.
    calls = json.loads(html.unescape(found(r'<pre id="test-calls">(.*?)</pre>', dom)))
    first = report["problems"][0]
    assert calls[0] == {"name": "goToProblem", "args": [first["tab"], first["row"], first["column"]]}
    assert calls[1] == {"name": "goToCheckin", "args": [red["tab"], red["row"]]}
    assert calls[2] == {"name": "sidebarSync", "args": []}
    assert 'data-sync-disabled-while-running="true"' in dom
    # After the sync, the page shows the new result line and the button is back.
    line = text_of(found(r'<p id="sync-line"[^>]*>(.*?)</p>', dom))
    assert line == ("Dernière synchronisation le 2025-02-14 14:10 : 7 cellule(s) mise(s) à jour. 1 ligne(s) "
                    "déplacée(s) pendant la synchronisation : la prochaine synchronisation s'en chargera."
                    if lang == "fr" else
                    "Last sync 2025-02-14 14:10: 7 cell(s) updated. 1 row(s) moved during the sync: the next sync "
                    "will update them.")
    button = re.search(r'<button id="sync"[^>]*>([^<]*)</button>', dom)
    assert button and "disabled" not in button.group(0)
    nightly = text_of(found(r'<p id="nightly-line"[^>]*>(.*?)</p>', dom))
    assert nightly == ("Synchronisation chaque nuit : activée, vers 2\u00a0h (America/Montreal) — dernière exécution "
                       "le 2025-02-14 02:04 : 12 cellule(s) mise(s) à jour." if lang == "fr" else
                       "Sync every night: on, around 2\u00a0a.m. (America/Montreal) — last run 2025-02-14 02:04: "
                       "12 cell(s) updated.")

    # A screenshot of the page as it first opens, 300 px wide.
    still = tmp_path / "still.html"
    still.write_text(harness(page, clicks=False), encoding="utf-8")
    shot = artifact(f"addon-sidebar-{lang}.png")
    chromium(tmp_path, f"--screenshot={shot}", "--virtual-time-budget=2000", still.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (300, 1200)
    assert pixels_of(image, RED) > 300, "the red status chip is not painted red"
    assert pixels_of(image, "#1a73e8") > 2000, "the Sync now button is not blue"


def test_the_dashboard_opens_on_a_loading_state_then_draws_the_fresh_report_or_the_error(tmp_path: Path) -> None:
    full = sidebar_html(demo_state("fr"))
    boot = re.search(r"var OKRSYNC_BOOT = (.*);$", full, re.M)  # one line: the JSON holds no line break
    assert boot
    model = boot.group(1)
    loading = sidebar_html({"lang": "fr", "loading": True, "report": None, "dashboard": None, "error": None,
                            "sync": None})
    first = tmp_path / "loading.html"
    first.write_text(harness(loading, clicks=False, setup="<script>window.TEST_NO_ANSWER = true;</script>\n"),
                     encoding="utf-8")
    dom = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", first.as_uri()).stdout
    assert '<div class="loading" role="status"><p>Lecture du classeur…</p>' in dom and 'class="team"' not in dom
    assert re.search(r'<button id="sync"[^>]*disabled', dom), "Sync now waits for the report"

    answered = tmp_path / "answered.html"
    setup = f"<script>window.TEST_NEXT_MODEL = ({model}).model;</script>\n"
    answered.write_text(harness(loading, clicks=False, setup=setup), encoding="utf-8")
    dom = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", answered.as_uri()).stdout
    assert json.loads(html.unescape(found(r'<pre id="test-calls">(.*?)</pre>', dom))) == [
        {"name": "dashboardState", "args": []}]
    assert 'class="loading"' not in dom and dom.count('class="team"') == 3
    assert not re.search(r'<button id="sync"[^>]*disabled', dom)

    failing = tmp_path / "failing.html"
    setup = "<script>window.TEST_FAILURE = 'Le service okrsync n\\'a pas répondu à temps.';</script>\n"
    failing.write_text(harness(loading, clicks=False, setup=setup), encoding="utf-8")
    dom = chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", failing.as_uri()).stdout
    assert html.unescape(found(r'<p id="error"[^>]*>(.*?)</p>', dom)) == "Le service okrsync n'a pas répondu à temps."
    assert 'class="loading"' not in dom


def test_empty_lists_say_so_in_a_sentence(tmp_path: Path) -> None:
    state = demo_state("en")
    state["report"]["problems"] = []
    state["dashboard"] = {"focus": [], "missing": []}
    state["sync"] = {"cells": 0, "moved": 0, "at": "2025-02-14T19:05:00.000Z"}
    page = tmp_path / "empty.html"
    page.write_text(harness(sidebar_html(state), clicks=False), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    assert '<p class="empty">No KR is yellow or red: nothing to flag.</p>' in dom
    assert '<p class="empty">Every KR has a recent check-in.</p>' in dom
    assert '<p class="empty">No problems: every entry can be read.</p>' in dom
    assert "<h2>Problems (0)</h2>" in dom
    assert text_of(found(r'<p id="sync-line"[^>]*>(.*?)</p>', dom)) == (
        "Last sync 2025-02-14 14:05: already up to date, nothing to write.")
