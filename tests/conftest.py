"""The test session's setup: Hypothesis' profiles and storage, and where the run's artefacts are.

Nothing a test run keeps lands in the repository: Hypothesis' example database and caches live under the user's
cache folder (`$XDG_CACHE_HOME` or `~/.cache`, then `okrsync-hypothesis`), screenshots under `tests.artifacts`.
With `CI` set, Hypothesis is derandomised (the same examples every run, no database) and prints the blob that
reproduces a failure; otherwise the "dev" profile remembers failing examples between runs.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

from tests import artifacts


def hypothesis_home() -> Path:
    """Hypothesis' storage folder: HYPOTHESIS_STORAGE_DIRECTORY if set, else under the user's cache folder."""
    if chosen := os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        return Path(chosen)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "okrsync-hypothesis"


# Before any strategy runs: Hypothesis also caches Unicode tables and constants there, not only examples.
set_hypothesis_home_dir(hypothesis_home())
# Timings are never asserted (a loaded CI machine is slow, not wrong): no deadline in either profile.
settings.register_profile("dev", deadline=None, database=DirectoryBasedExampleDatabase(hypothesis_home() / "examples"))
settings.register_profile("ci", deadline=None, derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where this run's artefacts are, so a person can look at them."""
    if artifacts.saved:
        terminalreporter.write_sep("-", f"test artefacts in {artifacts.artifact_dir()}")
        for path in artifacts.saved:
            terminalreporter.write_line(str(path))
