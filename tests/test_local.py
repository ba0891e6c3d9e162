"""Local mode: `okrsync serve` (demo registered, auth off only on loopback) and `okrsync nightly`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from server import create_app
from sync.cli.commands import main
from sync.errors import BadArgument
from sync.service.local import is_loopback, local_config, prepare
from tests.service_support import svc_of


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("::", False), ("192.168.1.10", False), ("myhost.example.com", False),
])
def test_loopback_addresses(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_serve_without_auth_on_every_interface_is_refused(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--no-auth", "--host", "0.0.0.0", "--data", str(tmp_path)],
                                env={"OKRSYNC_LANG": "en"})
    assert result.exit_code != 0
    assert "use --host 127.0.0.1 (not 0.0.0.0), or drop --no-auth" in result.output
    assert not (tmp_path / "okrsync.db").exists()  # refused before anything was set up


def test_auth_off_from_the_environment_is_refused_too_and_said_in_french() -> None:
    with pytest.raises(BadArgument) as refused:
        local_config("0.0.0.0", None, "data", False, {"OKRSYNC_AUTH": "off"}, "fr")
    assert "127.0.0.1" in str(refused.value) and "sans authentification" in str(refused.value).lower()


@pytest.mark.parametrize("environ", [{}, {"GAE_ENV": "standard"}])
def test_the_app_itself_refuses_auth_off_unless_serve_vouched_for_loopback(tmp_path: Path,
                                                                          environ: dict[str, str]) -> None:
    settings: dict[str, Any] = {"AUTH": "off", "DATA_DIR": str(tmp_path), "ENVIRON": environ}
    if environ:
        settings["LOOPBACK_ONLY"] = True  # even then: never on App Engine
    with pytest.raises(BadArgument):
        create_app(settings)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    folder = tmp_path_factory.mktemp("local")
    app, path = prepare("127.0.0.1", db=str(folder / "registry.db"), data=str(folder / "okrsync-data"),
                        no_auth=True, environ={}, lang="en")
    assert path == str(folder / "okrsync-data" / "okrsync-demo-en.xlsx")
    return app, folder


def test_serve_registers_the_synced_demo_so_the_pages_show_at_once(served: tuple[Any, Path]) -> None:
    app, folder = served
    client = app.test_client()
    [demo] = client.get("/api/workbooks").json["workbooks"]
    assert demo["title"] == "OKRs Lavoie Advisory Group 2025-Q1" and demo["as_of"] == "2025-02-14"
    assert demo["last_run"]["outcome"] == "ok" and demo["counts"]["red"] >= 1
    assert "OKRs Lavoie Advisory Group" in client.get("/").get_data(as_text=True)
    assert (folder / "okrsync-data" / ".gitignore").read_text().strip().endswith("*")


def test_serving_again_keeps_the_registered_demo(served: tuple[Any, Path]) -> None:
    _, folder = served
    again, _ = prepare("127.0.0.1", db=str(folder / "registry.db"), data=str(folder / "okrsync-data"),
                       no_auth=True, environ={}, lang="en")
    registry = svc_of(again).registry
    assert len(registry.workbooks()) == 1 and len(registry.runs(registry.workbooks()[0].id)) == 1


def test_the_serve_command_listens_where_asked(served: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, folder = served
    listened: list[tuple[str, int]] = []
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda host, port, app, **kw: listened.append((host, port)))
    result = CliRunner().invoke(main, ["serve", "--no-auth", "--port", "8765", "--db", str(folder / "registry.db"),
                                       "--data", str(folder / "okrsync-data")], env={"OKRSYNC_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert listened == [("127.0.0.1", 8765)]
    assert "http://127.0.0.1:8765/" in result.output and "Authentication is off" in result.output


def test_nightly_command_syncs_every_workbook_and_fails_when_one_does(
        served: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    app, folder = served
    svc = svc_of(app)
    svc.registry.add_workbook("xlsx", str(folder / "gone.xlsx"), "Gone", "en", "local", svc.now())
    monkeypatch.chdir(folder)  # the data folder defaults to ./okrsync-data, as for serve

    result = CliRunner().invoke(main, ["nightly", "--db", str(folder / "registry.db"), "--json"],
                                env={"OKRSYNC_LANG": "en", "DATABASE_URL": ""})

    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["mode"], summary["workbooks"], summary["synced"], summary["failed"]) == ("in_process", 2, 1, 1)
    failed = next(r for r in summary["results"] if r["outcome"] == "failed")
    assert failed["error"]["code"] == "file_missing"


def test_serve_with_auth_but_no_audience_warns_that_everything_will_be_refused(
        served: tuple[Any, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, folder = served
    monkeypatch.setattr("werkzeug.serving.run_simple", lambda *args, **kw: None)
    monkeypatch.delenv("OKRSYNC_AUDIENCES", raising=False)
    monkeypatch.delenv("OKRSYNC_AUTH", raising=False)
    result = CliRunner().invoke(main, ["serve", "--db", str(folder / "registry.db"),
                                       "--data", str(folder / "okrsync-data")], env={"OKRSYNC_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "no audience is configured (OKRSYNC_AUDIENCES)" in result.output
