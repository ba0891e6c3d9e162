"""Where tests leave files for a person to look at (screenshots): one folder, never inside the repository.

`OKRSYNC_TEST_ARTIFACTS` names it (CI sets it to a folder it keeps); otherwise it is `okrsync-test-artifacts`
under the system's temporary folder. Every file saved through `artifact()` is listed at the end of the run.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

ENV = "OKRSYNC_TEST_ARTIFACTS"
REPOSITORY = Path(__file__).resolve().parent.parent

#: The files saved during this test session, in order, for the run's closing summary.
saved: list[Path] = []


def artifact_dir() -> Path:
    """The folder test artefacts go to, created if missing; a folder inside the repository is refused."""
    chosen = os.environ.get(ENV)
    folder = (Path(chosen) if chosen else Path(tempfile.gettempdir()) / "okrsync-test-artifacts").resolve()
    if folder == REPOSITORY or REPOSITORY in folder.parents:
        raise RuntimeError(f"{ENV}={chosen} is inside the repository: choose a folder outside {REPOSITORY}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def artifact(name: str) -> Path:
    """A fresh path for one artefact (any earlier file of that name removed), listed at the end of the run."""
    path = artifact_dir() / name
    path.unlink(missing_ok=True)
    saved.append(path)
    return path
