"""The okrsync command as a person uses it: init, demo, sync, validate, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sync.cli.commands import main
from tests.google_fake import google_fake as google_fake  # the fixture
from tests.test_engine import REPORT_KEYS


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OKRSYNC_LANG", "en")
    runner = CliRunner()

    def invoke(*args: str) -> tuple[int, str]:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


def test_init_creates_a_workbook_and_refuses_to_overwrite_it(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run(
        "init",
        "okr.xlsx",
        "--lang",
        "fr",
        "--org",
        "Acme",
        "--quarter",
        "2025-T1",
        "--team",
        "Marketing",
        "--team",
        "Ventes",
    )
    assert code == 0, out
    assert "okr.xlsx" in out
    book = openpyxl.load_workbook(tmp_path / "okr.xlsx")
    assert book.sheetnames[:7] == ["Lisez-moi", "Réglages", "Objectifs annuels", "OKR", "Initiatives",
                                   "Check-ins Marketing", "Check-ins Ventes"]
    code, out = run("init", "okr.xlsx", "--lang", "fr", "--org", "Acme", "--quarter", "2025-T1", "--team", "A")
    assert code != 0 and "existe déjà" in out and "Traceback" not in out


def test_demo_syncs_and_prints_the_summary_and_the_path(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    code, out = run("demo", "--lang", "en", "--out", "demo.xlsx")
    assert code == 0, out
    assert out.splitlines()[1].startswith("Organisation: 59% (green) — ")
    assert "Sales" in out and "Problems (4)" in out  # the three wrong check-ins, and a goal beyond its budget
    assert "KPIs in alert (1): Customer acquisition cost (CAC) at $3,500 (threshold $3,000)" in out.splitlines()
    assert "Blocked initiatives (1): Free 2-hour plant diagnostic offer (SAL-KR1)" in out.splitlines()
    assert str(tmp_path / "demo.xlsx") in out


def test_sync_json_prints_the_report_and_a_rerun_writes_nothing(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "--out", "demo.xlsx")
    code, out = run("sync", "demo.xlsx", "--json", "--as-of", "2025-02-14")
    assert code == 0, out
    report = json.loads(out)
    assert set(report) == REPORT_KEYS
    assert report["writes"]["cells"] == 0
    assert report["workbook"]["lang"] == "fr"
    code, out = run("sync", "demo.xlsx", "--as-of", "2025-02-14")
    assert "Rien n'a changé" in out


def test_dry_run_leaves_the_file_untouched(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("demo", "--out", "demo.xlsx")
    before = (tmp_path / "demo.xlsx").read_bytes()
    code, out = run("sync", "demo.xlsx", "--as-of", "2025-03-03", "--dry-run")
    assert code == 0, out
    assert "Essai à blanc" in out
    assert (tmp_path / "demo.xlsx").read_bytes() == before


def test_validate_lists_problems_and_exits_1_on_errors(run) -> None:  # type: ignore[no-untyped-def]
    run("demo", "--lang", "en", "--out", "demo.xlsx")
    code, out = run("validate", "demo.xlsx", "--as-of", "2025-02-14")
    assert code == 1
    assert 'Unknown KR "SAL-KR9"' in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("sync", "missing.xlsx"), "File not found"),
        (("sync", "garbage.xlsx"), "is not a readable Excel workbook"),
        (("sync", "other.xlsx"), "is not an okrsync workbook"),
        (("sync", "notes.txt"), "not recognised"),
        (("sync", "demo.xlsx", "--as-of", "yesterday"), "illisible"),  # the demo workbook is French
        (("init", "x.xlsx", "--lang", "en", "--org", "A", "--quarter", "2025-Q5", "--team", "A"), "Quarter"),
        (("init", "x.xlsx", "--lang", "en", "--org", "A", "--quarter", "2025-Q1", "--team", "A/B"), "Team name"),
    ],
)
def test_errors_are_one_clear_sentence_never_a_traceback(
    run,
    tmp_path: Path,
    args: tuple[str, ...],  # type: ignore[no-untyped-def]
    expected: str,
) -> None:
    (tmp_path / "garbage.xlsx").write_text("not a spreadsheet")
    book = openpyxl.Workbook()
    book.save(tmp_path / "other.xlsx")
    run("demo", "--out", "demo.xlsx")
    code, out = run(*args)
    assert code != 0
    assert expected in out
    assert "Traceback" not in out
    assert len(out.strip().splitlines()) == 1


def test_init_without_a_target_says_where_to_create_it(run) -> None:  # type: ignore[no-untyped-def]
    code, out = run("init", "--lang", "en", "--org", "A", "--quarter", "2025-Q1", "--team", "A")
    assert code != 0 and "an .xlsx file, or --google" in out


def test_init_google_creates_lays_out_and_shares_in_three_calls(run, google_fake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OKRSYNC_GOOGLE_TOKEN", "test-token")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setattr("google.auth.default", _no_default_credentials)
    code, out = run("init", "--google", "--lang", "fr", "--org", "Acme", "--quarter", "2025-T1",
                    "--team", "Marketing", "--share", "ana@acme.example")  # fmt: skip
    assert code == 0, out
    assert "https://docs.google.com/spreadsheets/d/" in out
    kinds = [c.kind for c in google_fake.calls]
    assert kinds == ["sheets.spreadsheets.create", "sheets.spreadsheets.batchUpdate", "drive.permissions.create"]


def _no_default_credentials(*args, **kwargs):  # type: ignore[no-untyped-def]
    import google.auth.exceptions

    raise google.auth.exceptions.DefaultCredentialsError("none here")
