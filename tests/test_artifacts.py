"""What a test run keeps, it keeps outside the repository: screenshots and Hypothesis' examples and caches."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.configuration import storage_directory
from hypothesis.database import DirectoryBasedExampleDatabase

from tests import artifacts
from tests.artifacts import REPOSITORY, artifact, artifact_dir


def outside_the_repository(path: Path) -> bool:
    path = path.resolve()
    return path != REPOSITORY and REPOSITORY not in path.parents


def test_artefacts_go_to_the_folder_the_environment_names(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(artifacts.ENV, str(tmp_path / "shots"))
    monkeypatch.setattr(artifacts, "saved", [])
    (tmp_path / "shots").mkdir()
    (tmp_path / "shots" / "page.png").write_bytes(b"old")

    path = artifact("page.png")

    assert path == (tmp_path / "shots" / "page.png").resolve()
    assert not path.exists()  # a stale screenshot is never mistaken for this run's
    assert artifacts.saved == [path]


def test_artefacts_default_to_the_system_temporary_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(artifacts.ENV, raising=False)
    assert artifact_dir().name == "okrsync-test-artifacts"
    assert outside_the_repository(artifact_dir())


@pytest.mark.parametrize("inside", [".", "test-artifacts", "tests/out"])
def test_an_artefact_folder_inside_the_repository_is_refused(inside: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(artifacts.ENV, str(REPOSITORY / inside))
    with pytest.raises(RuntimeError, match="inside the repository"):
        artifact_dir()


def test_hypothesis_keeps_its_examples_and_caches_outside_the_repository() -> None:
    assert outside_the_repository(storage_directory("examples", intent_to_write=False).path)
    database = settings().database
    if settings.get_current_profile_name() == "ci":
        assert settings().derandomize and database is None
    else:
        assert isinstance(database, DirectoryBasedExampleDatabase)
        assert outside_the_repository(Path(database.path))


def test_no_test_overrides_hypothesis_database() -> None:
    overriding = set()
    for source in Path(__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(k.arg == "database" for k in node.keywords):
                overriding.add(source.name)
    assert overriding == {"conftest.py"}  # the profiles': none in the repository
