"""What the okrsync command says: in the workbook's language, on a read-only folder, and for an empty workbook."""

from __future__ import annotations

import json
import socket
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import google.auth.exceptions
import openpyxl
import pytest
import requests
from click.testing import CliRunner
from urllib3.exceptions import MaxRetryError, NameResolutionError

from sync.backends.xlsx import XlsxBackend
from sync.cli.commands import main
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture

Run = Callable[..., tuple[int, str]]
#: The system's language, set against the workbook's in each test: the workbook must win once known.
OTHER = {"fr": "en", "en": "fr"}
PREFIX = {"fr": "Erreur : ", "en": "Error: "}


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Run:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def invoke(*args: str, system: str = "en") -> tuple[int, str]:
        monkeypatch.setenv("OKRSYNC_LANG", system)
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


@pytest.fixture(params=["fr", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _error(out: str, lang: str) -> str:
    """The one line the command printed, checked to be an error in `lang`."""
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in out, out
    assert lines[0].startswith(PREFIX[lang]), out
    return lines[0]


def _init(run: Run, path: str, lang: str) -> None:
    teams = ["Marketing", "Ventes"] if lang == "fr" else ["Marketing", "Sales"]
    quarter = "2025-T1" if lang == "fr" else "2025-Q1"
    code, out = run("init", path, "--lang", lang, "--org", "Acme", "--quarter", quarter,
                    "--team", teams[0], "--team", teams[1])  # fmt: skip
    assert code == 0, out


# -- one language --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "typed"),
    [("fr", "14/02/2025"), ("fr", "14 févr. 2025"), ("fr", "2025-02-14"),
     ("en", "02/14/2025"), ("en", "Feb 14, 2025"), ("en", "2025-02-14")],
)  # fmt: skip
def test_as_of_reads_the_date_as_the_workbook_s_sheet_does(run: Run, lang: str, typed: str) -> None:
    run("demo", "--lang", lang, "--out", "demo.xlsx")
    code, out = run("sync", "demo.xlsx", "--json", "--dry-run", "--as-of", typed, system=OTHER[lang])
    assert code == 0, out
    assert json.loads(out)["workbook"]["as_of"] == "2025-02-14"


def test_a_bad_as_of_is_said_in_the_workbook_s_language_with_its_date_order(run: Run, lang: str) -> None:
    run("demo", "--lang", lang, "--out", "demo.xlsx")
    code, out = run("sync", "demo.xlsx", "--as-of", "31/31/2025", system=OTHER[lang])
    assert code == 1
    line = _error(out, lang)
    if lang == "fr":
        assert line == "Erreur : Date --as-of « 31/31/2025 » illisible : écrivez-la comme 2025-02-14 ou 14/02/2025."
    else:
        assert line == 'Error: --as-of date "31/31/2025" unreadable: write it as 2025-02-14 or 02/14/2025.'
    code, out = run("validate", "demo.xlsx", "--as-of", "demain", system=OTHER[lang])
    assert code == 1 and "demain" in _error(out, lang)


@pytest.mark.parametrize(
    ("target", "words"),
    [
        ("missing.xlsx", {"fr": "Fichier introuvable", "en": "File not found"}),
        ("notes.txt", {"fr": "non reconnue", "en": "not recognised"}),
        ("garbage.xlsx", {"fr": "n'est pas un classeur Excel lisible", "en": "is not a readable Excel workbook"}),
        ("other.xlsx", {"fr": "n'est pas un classeur okrsync", "en": "is not an okrsync workbook"}),
    ],
    ids=["missing", "not-xlsx", "garbage", "not-okrsync"],
)
def test_file_errors_before_the_workbook_speaks_follow_the_system(
        run: Run, tmp_path: Path, lang: str, target: str, words: dict[str, str]) -> None:
    (tmp_path / "garbage.xlsx").write_text("not a spreadsheet")
    openpyxl.Workbook().save(tmp_path / "other.xlsx")
    for command in ("sync", "validate"):
        code, out = run(command, target, system=lang)
        assert code == 1
        assert words[lang] in _error(out, lang)


def test_init_and_demo_speak_the_language_they_make_the_workbook_in(run: Run, tmp_path: Path, lang: str) -> None:
    _init(run, "okr.xlsx", lang)
    code, out = run("init", "okr.xlsx", "--lang", lang, "--org", "A", "--quarter", "2025-Q1", "--team", "A",
                    system=OTHER[lang])  # fmt: skip
    assert code == 1
    assert {"fr": "existe déjà", "en": "already exists"}[lang] in _error(out, lang)
    code, out = run("init", "x.xlsx", "--lang", lang, "--org", "A", "--quarter", "2025-Q9", "--team", "A",
                    system=OTHER[lang])  # fmt: skip
    assert code == 1
    assert {"fr": "Trimestre", "en": "Quarter"}[lang] in _error(out, lang)


def test_a_workbook_another_sync_holds_is_said_locked_in_its_language(run: Run, lang: str) -> None:
    _init(run, "okr.xlsx", lang)
    with XlsxBackend("okr.xlsx", lang=OTHER[lang]).lock():
        code, out = run("sync", "okr.xlsx", system=OTHER[lang])
    assert code == 1
    assert {"fr": "est verrouillé", "en": "is locked"}[lang] in _error(out, lang)


def test_a_workbook_open_in_libreoffice_is_said_locked_in_its_language(run: Run, tmp_path: Path, lang: str) -> None:
    run("demo", "--lang", lang, "--out", "demo.xlsx")
    run("sync", "demo.xlsx", "--as-of", "2025-02-14")  # settled: the next sync at another date writes
    before = (tmp_path / "demo.xlsx").read_bytes()
    (tmp_path / ".~lock.demo.xlsx#").write_text("Ana,ana-laptop,28.01.2025 09:12,file:///home/ana;")
    code, out = run("sync", "demo.xlsx", "--as-of", "2025-03-03", system=OTHER[lang])
    assert code == 1
    assert {"fr": "est verrouillé", "en": "is locked"}[lang] in _error(out, lang)
    assert (tmp_path / "demo.xlsx").read_bytes() == before


# -- nothing left behind, no write access needed to read -----------------------------------------


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    """Every entry of the folder with its modification time and size."""
    return {p.name: (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir()}


@pytest.fixture
def read_only(tmp_path: Path) -> Iterator[Callable[[Path], None]]:
    """Make a folder and its files read-only (write bits off); given back at the end so tmp_path can go."""
    made: list[Path] = []

    def seal(folder: Path) -> None:
        for path in folder.iterdir():
            path.chmod(0o444)
        folder.chmod(0o555)
        made.append(folder)

    yield seal
    for folder in made:
        folder.chmod(0o755)
        for path in folder.iterdir():
            path.chmod(0o644)


def test_a_sync_leaves_no_file_beside_the_workbook(run: Run, tmp_path: Path, lang: str) -> None:
    run("demo", "--lang", lang, "--out", "demo.xlsx")
    code, out = run("sync", "demo.xlsx", "--as-of", "2025-03-03")
    assert code == 0, out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.xlsx"]
    lock = XlsxBackend(tmp_path / "demo.xlsx").lock_path
    assert lock.exists() and tmp_path not in lock.parents
    # The same file named by another path shares the lock: two syncs still exclude each other.
    assert XlsxBackend(tmp_path / "." / ".." / tmp_path.name / "demo.xlsx").lock_path == lock


def test_validate_and_dry_run_work_on_a_read_only_folder_and_write_nothing_near_it(
        run: Run, tmp_path: Path, lang: str, read_only: Callable[[Path], None]) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    run("demo", "--lang", lang, "--out", "shared/demo.xlsx")
    read_only(folder)
    before, content = _listing(folder), (folder / "demo.xlsx").read_bytes()

    code, out = run("validate", "shared/demo.xlsx", "--as-of", "2025-02-14", system=OTHER[lang])
    # The demo's four problems (three check-ins, an annual goal beyond its budget), nothing else.
    assert code == 1 and len(out.splitlines()) == 5, out
    code, out = run("sync", "shared/demo.xlsx", "--as-of", "2025-03-03", "--dry-run", system=OTHER[lang])
    assert code == 0, out
    assert {"fr": "Essai à blanc", "en": "Dry run"}[lang] in out

    assert _listing(folder) == before
    assert tmp_path not in XlsxBackend(folder / "demo.xlsx").lock_path.parents
    # A real sync there is refused in the workbook's language, and loses nothing.
    code, out = run("sync", "shared/demo.xlsx", "--as-of", "2025-03-03", system=OTHER[lang])
    assert code == 1
    assert {"fr": "est en lecture seule", "en": "is read-only"}[lang] in _error(out, lang)
    assert _listing(folder) == before and (folder / "demo.xlsx").read_bytes() == content


def test_a_read_only_file_in_a_writable_folder_is_not_replaced(run: Run, tmp_path: Path, lang: str) -> None:
    run("demo", "--lang", lang, "--out", "demo.xlsx")
    path = tmp_path / "demo.xlsx"
    path.chmod(0o444)
    content = path.read_bytes()
    code, out = run("sync", "demo.xlsx", "--as-of", "2025-03-03", system=OTHER[lang])
    assert code == 1
    assert {"fr": "est en lecture seule", "en": "is read-only"}[lang] in _error(out, lang)
    assert path.read_bytes() == content and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.xlsx"]  # no temporary file left
    path.chmod(0o644)


def test_init_in_a_read_only_folder_says_so_in_the_language_asked(
        run: Run, tmp_path: Path, lang: str, read_only: Callable[[Path], None]) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    read_only(folder)
    code, out = run("init", "shared/okr.xlsx", "--lang", lang, "--org", "A", "--quarter", "2025-Q1", "--team", "A",
                    system=OTHER[lang])  # fmt: skip
    assert code == 1
    assert {"fr": "est en lecture seule", "en": "is read-only"}[lang] in _error(out, lang)
    assert list(folder.iterdir()) == []


# -- an empty workbook says what to fill next ----------------------------------------------------


def test_a_workbook_without_okrs_says_to_fill_the_okr_tab(run: Run, lang: str) -> None:
    _init(run, "okr.xlsx", lang)
    code, out = run("sync", "okr.xlsx", "--as-of", "2025-01-20", system=OTHER[lang])
    assert code == 0, out
    if lang == "fr":
        assert "Aucun OKR pour l'instant : saisissez vos objectifs et leurs KR dans l'onglet « OKR »" in out
    else:
        assert 'No OKRs yet: enter your objectives and their key results in the "OKRs" tab' in out
    assert "—" not in out.split("\n", 1)[1], out  # no line of dashes
    code, out = run("validate", "okr.xlsx", "--as-of", "2025-01-20")
    assert code == 0 and {"fr": "Aucun OKR", "en": "No OKRs"}[lang] in out


def test_okrs_without_check_ins_say_to_add_rows_in_the_check_in_tabs_that_exist(
        run: Run, tmp_path: Path, lang: str) -> None:
    _init(run, "okr.xlsx", lang)
    book = openpyxl.load_workbook(tmp_path / "okr.xlsx")
    okrs = book["OKR" if lang == "fr" else "OKRs"]
    objective, increase = ("Objectif", "Augmenter") if lang == "fr" else ("Objective", "Increase")
    okrs.append(["MKT-O1", "Marketing", objective, "Grow the pipeline", "Ana"])
    okrs.append(["MKT-KR1", "Marketing", increase, "Generate 125 leads", "Ana", 0, 125, "leads"])
    gone = "Check-ins Ventes" if lang == "fr" else "Check-ins Sales"
    del book[gone]
    book.save(tmp_path / "okr.xlsx")

    code, out = run("sync", "okr.xlsx", "--as-of", "2025-01-20", system=OTHER[lang])
    assert code == 0, out
    if lang == "fr":
        assert ("Aucun check-in pour l'instant : chaque semaine, chaque équipe ajoute une ligne par KR dans son "
                "onglet (« Check-ins Marketing »)") in out
    else:
        assert 'No check-ins yet: every week, each team adds one row per KR in its tab ("Check-ins Marketing")' in out
    # The tab that is gone is named only by the problem that says so.
    assert gone not in out.split({"fr": "Problèmes", "en": "Problems"}[lang])[0]


# -- Google without network ----------------------------------------------------------------------


class NameNotResolved(requests.exceptions.ConnectionError):
    """What requests raises on a machine without network: the host name does not resolve."""

    def __init__(self, message: str) -> None:
        reason = NameResolutionError("sheets.googleapis.com", None,  # type: ignore[arg-type]
                                     socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"))
        super().__init__(MaxRetryError(None, message, reason=reason))  # type: ignore[arg-type]


@pytest.fixture
def offline(google_fake: FakeGoogle, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Google reached through a token, with every request failing as without network; the sleeps asked for."""
    monkeypatch.setenv("OKRSYNC_GOOGLE_TOKEN", "test-token")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("google.auth.default", _no_default_credentials)
    sleeps: list[float] = []
    monkeypatch.setattr("time.sleep", sleeps.append)
    google_fake.drop_next(".*", NameNotResolved, times=None)
    return sleeps


def test_a_google_sync_without_network_fails_at_once_in_one_sentence(
        run: Run, google_fake: FakeGoogle, offline: list[float], lang: str) -> None:
    sid = google_fake.new_spreadsheet()
    for command in ("sync", "validate"):
        code, out = run(command, f"gsheet:{sid}", system=lang)
        assert code == 1
        line = _error(out, lang)
        assert line.startswith({"fr": "Erreur : Pas de réseau : Google est injoignable",
                                "en": "Error: No network: Google cannot be reached"}[lang]), line
    assert len(google_fake.exchanges) == 2 and offline == []  # one attempt each, no wait


def test_init_google_without_network_fails_at_once_in_the_language_asked(
        run: Run, google_fake: FakeGoogle, offline: list[float], lang: str) -> None:
    code, out = run("init", "--google", "--lang", lang, "--org", "Acme", "--quarter", "2025-Q1", "--team", "A",
                    system=OTHER[lang])  # fmt: skip
    assert code == 1
    assert {"fr": "Pas de réseau", "en": "No network"}[lang] in _error(out, lang)
    assert len(google_fake.exchanges) == 1 and offline == []


def test_init_google_help_names_the_three_ways_to_give_credentials(run: Run) -> None:
    code, out = run("init", "--google", "--help")
    assert code == 0
    text = " ".join(out.split())
    for way in ("--credentials", "GOOGLE_APPLICATION_CREDENTIALS", "Application Default Credentials",
                "OKRSYNC_GOOGLE_TOKEN"):
        assert way in text, way


def _no_default_credentials(*args: object, **kwargs: object) -> None:
    raise google.auth.exceptions.DefaultCredentialsError("none here")
