"""The demo's workbook page in a real headless Chromium, served by `okrsync serve`'s own setup on 127.0.0.1.

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
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.serving import make_server

from sync import catalog
from sync.service.local import prepare
from tests.artifacts import artifact
from tests.service_support import FakeClock

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
RED = catalog.template()["colors"]["red"]

if CHROMIUM is None and os.environ.get("OKRSYNC_CI_STRICT"):
    raise RuntimeError("Chromium is not installed in CI: .ci/system-deps.sh should have installed it")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("serve")
    app, _paths = prepare("127.0.0.1", data=str(data / "okrsync-data"), no_auth=True, environ={}, lang="fr",
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
