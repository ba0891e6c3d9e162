"""LibreOffice and poppler for the tests that open a workbook as a person would: print it, or let the
spreadsheet compute its formulas.

Installed by `.ci/system-deps.sh` (`apt-get install -y libreoffice-calc poppler-utils`); without them those tests
are skipped, unless CI insists (OKRSYNC_CI_STRICT).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

TOOLS = {name: shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
         for name in ("soffice", "pdfinfo", "pdftotext", "pdftoppm")}
MISSING = [name for name, path in TOOLS.items() if path is None]
if MISSING and os.environ.get("OKRSYNC_CI_STRICT"):
    raise RuntimeError(f"{', '.join(MISSING)} not installed in CI: .ci/system-deps.sh should have installed them")
needs_libreoffice = pytest.mark.skipif(bool(MISSING), reason=f"not installed: {', '.join(MISSING)} "
                                                             "(apt-get install -y libreoffice-calc poppler-utils)")


def run(*command: str, timeout: int = 60) -> str:
    """A tool's standard output; its failure fails the test with what it said."""
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr or done.stdout
    return done.stdout


def convert(path: Path, to: str, outdir: Path) -> Path:
    """LibreOffice opens `path` (computing its formulas) and saves it as `to` (pdf, xlsx) in `outdir`."""
    # A private profile, so that parallel runs (and a person's own LibreOffice) never share one.
    profile = outdir / "lo-profile"
    run(str(TOOLS["soffice"]), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
        "--convert-to", to, "--outdir", str(outdir), str(path), timeout=240)
    return outdir / f"{path.stem}.{to}"


def computed(path: Path, outdir: Path) -> openpyxl.Workbook:
    """The workbook as LibreOffice computes it on opening: every formula's value, read back."""
    outdir.mkdir(parents=True, exist_ok=True)
    return openpyxl.load_workbook(convert(path, "xlsx", outdir), data_only=True)
