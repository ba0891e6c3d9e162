"""The local service's pages in a real headless Chromium, served by `okrsync serve`'s own setup on 127.0.0.1:
the index with its register form, the demo's workbook page, its "Sync now" button.

Skipped when Chromium is not installed (`apt-get install -y chromium`); the screenshot is kept where
`tests.artifacts` says (listed at the end of the run) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape
from PIL import Image
from werkzeug.serving import make_server

from sync.service.local import prepare
from sync.template import catalog
from tests.artifacts import artifact
from tests.service_support import FakeClock

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
RED = catalog.template()["colors"]["red"]
GREEN = catalog.template()["colors"]["green"]
#: The pages' buttons (base.html).
BUTTON = "#1a73e8"

if CHROMIUM is None and os.environ.get("OKRSYNC_CI_STRICT"):
    raise RuntimeError("Chromium is not installed in CI: .ci/system-deps.sh should have installed it")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("serve")
    app, _path = prepare("127.0.0.1", data=str(data / "okrsync-data"), no_auth=True, environ={}, lang="fr",
                          overrides={"CLOCK": FakeClock()})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with everything that would call out to the internet switched off."""
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,1600", *args]
    env = {**os.environ, "HOME": str(tmp_path)}
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=True, env=env)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def test_the_demo_page_renders_and_shows_a_red_kr_red(base_url: str, tmp_path: Path) -> None:
    with urllib.request.urlopen(f"{base_url}/api/workbooks", timeout=10) as answer:
        [demo] = json.load(answer)["workbooks"]
    url = f"{base_url}/workbooks/{demo['id']}"

    dom = chromium(tmp_path, "--dump-dom", url).stdout
    assert '<html lang="fr">' in dom and "OKR Groupe Lavoie Conseil 2025-T1" in dom
    row = re.search(r'<tr data-kr="VEN-KR2" data-status="red">(.*?)</tr>', dom, re.S)
    assert row, "the demo's red KR is missing from the page"
    assert f"background-color: {RED}" in row.group(1).replace("rgb(244, 199, 195)", RED) and "Rouge" in row.group(1)

    shot = artifact("workbook-page-fr.png")
    chromium(tmp_path, f"--screenshot={shot}", url)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 1600)
    target = hex_rgb(RED)
    colours = image.getcolors(image.width * image.height) or []
    red_pixels = sum(n for n, rgb in colours if all(abs(a - b) <= 3 for a, b in zip(rgb, target, strict=True)))
    assert red_pixels > 2000, f"the red status cells are not painted red ({red_pixels} red pixels)"


def pixels_near(image: Image.Image, colour: str, tolerance: int = 3) -> int:
    """How many pixels of the screenshot are painted `colour`."""
    target = hex_rgb(colour)
    colours = image.getcolors(image.width * image.height) or []
    return sum(n for n, rgb in colours if all(abs(a - b) <= tolerance for a, b in zip(rgb, target, strict=True)))


def post_form(url: str, form_id: str, **fields: str) -> tuple[str, str]:
    """Open the page, post its form as a browser would; (the page answered, its address after redirects)."""
    with urllib.request.urlopen(url, timeout=10) as answer:
        page = answer.read().decode()
    found = re.search(rf'<form method="post" action="([^"]+)"[^>]*id="{form_id}"(.*?)</form>', page, re.S)
    assert found, f"no form {form_id} on {url}"
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', found.group(2)))
    action = urllib.parse.urljoin(url, found.group(1).replace("&amp;", "&"))
    data = urllib.parse.urlencode({**hidden, **fields}).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(action, data=data), timeout=60) as answer:
            return answer.read().decode(), answer.geturl()
    except urllib.error.HTTPError as refused:  # a refused form is still a page to look at
        return refused.read().decode(), action


def test_the_index_page_lists_the_demo_and_offers_to_register_a_file(base_url: str, tmp_path: Path) -> None:
    dom = chromium(tmp_path, "--dump-dom", f"{base_url}/").stdout
    assert '<html lang="fr">' in dom and "OKR Groupe Lavoie Conseil 2025-T1" in dom
    assert catalog.message("page.register_heading", "fr") in dom and 'id="register"' in dom

    shot = artifact("index-page-fr.png")
    chromium(tmp_path, f"--screenshot={shot}", f"{base_url}/")
    image = Image.open(shot).convert("RGB")
    assert pixels_near(image, RED) > 200, "the red KR count is not painted red"
    assert pixels_near(image, BUTTON) > 1000, "the register button is not drawn"


def test_a_bad_path_is_said_beside_the_form(base_url: str, tmp_path: Path) -> None:
    page, _ = post_form(f"{base_url}/", "register", path=str(tmp_path / "OKR T1.xlsx"))
    message = catalog.message("page.register_missing", "fr", path=tmp_path / "OKR T1.xlsx")
    assert str(escape(message)) in page
    saved = tmp_path / "refused.html"
    saved.write_text(page, encoding="utf-8")  # the page as the browser got it, styles inline
    shot = artifact("index-register-error-fr.png")
    chromium(tmp_path, f"--screenshot={shot}", saved.as_uri())
    assert pixels_near(Image.open(shot).convert("RGB"), "#a50e0e", tolerance=40) > 100, "no error text drawn"


def test_the_sync_button_syncs_and_the_page_says_so(base_url: str, tmp_path: Path) -> None:
    with urllib.request.urlopen(f"{base_url}/api/workbooks", timeout=10) as answer:
        demo = next(w for w in json.load(answer)["workbooks"] if w["lang"] == "fr")
    page, after = post_form(f"{base_url}/workbooks/{demo['id']}", "sync-now")
    assert "?run=" in after and 'id="sync-result"' in page

    dom = chromium(tmp_path, "--dump-dom", after).stdout
    result = re.search(r'<p class="notice ok" id="sync-result" role="status">(.*?)</p>', dom, re.S)
    assert result and result.group(1).strip().startswith("Synchronisé — ")
    shot = artifact("workbook-page-synced-fr.png")
    chromium(tmp_path, f"--screenshot={shot}", after)
    assert pixels_near(Image.open(shot).convert("RGB"), GREEN) > 2000, "the sync result is not shown green"
