"""Structured logs: one JSON object a line with severity, workbook and run id; never a token or a key."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from sync.service import logs
from tests.service_support import MemoryWorkbooks, make_app, svc_of, tiny_layout, token

PRIVATE_KEY = ("-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
               "-----END PRIVATE KEY-----\n")


@pytest.fixture
def stream() -> io.StringIO:
    out = io.StringIO()
    logs.install(out)
    return out


def lines(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("secret", [
    f"Authorization: Bearer {token()}",
    f"headers={{'Authorization': 'Bearer {token()}'}}",
    f"got token {token()} from the add-on",
    "access token ya29.a0AfH6SMBx3xYzAbCdEfGhIjKlMnOpQrStUvWxYz",
    f"key file: {PRIVATE_KEY}",
    json.dumps({"type": "service_account", "private_key_id": "abc123", "private_key": PRIVATE_KEY}),
    "DATABASE_URL=postgresql://okrsync:s3cr3t-pw@10.0.0.5/okrsync",
])
def test_secrets_never_reach_the_log(stream: io.StringIO, secret: str) -> None:
    logs.get("test").warning("something happened: %s", secret)

    text = stream.getvalue()
    for needle in ("eyJ", "ya29.", "MIIEvQ", "s3cr3t-pw", "abc123"):
        assert needle not in text
    assert logs.REDACTED in text
    assert json.loads(text)["severity"] == "WARNING"


def test_a_traceback_is_redacted_too(stream: io.StringIO) -> None:
    try:
        raise ValueError(f"bad header Bearer {token()}")
    except ValueError:
        logs.get("test").exception("request failed")
    [entry] = lines(stream)
    assert entry["severity"] == "ERROR" and "ValueError" in str(entry["stack_trace"])
    assert "eyJ" not in stream.getvalue()


def test_context_fields_are_kept_and_unknown_extras_dropped(stream: io.StringIO) -> None:
    logs.get("runner").info("sync done", extra={"workbook": "abc", "run_id": 7, "trigger": "api", "cookie": "x"})
    [entry] = lines(stream)
    assert entry["message"] == "sync done" and entry["severity"] == "INFO"
    assert (entry["workbook"], entry["run_id"], entry["trigger"]) == ("abc", 7, "api")
    assert "cookie" not in entry and entry["logger"] == "okrsync.service.runner"


def test_installing_twice_keeps_one_handler() -> None:
    logs.install(io.StringIO())
    logs.install(io.StringIO())
    ours = [h for h in logging.getLogger(logs.LOGGER).handlers if getattr(h, "okrsync_json", False)]
    assert len(ours) == 1


def test_a_sync_logs_its_workbook_and_run(tmp_path: Path) -> None:
    out = io.StringIO()
    books = MemoryWorkbooks()
    app = make_app(tmp_path, BACKENDS=books, LOG_STREAM=out, AUTH="off", LOOPBACK_ONLY=True)
    svc = svc_of(app)
    wb = svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "OKR", "en", "m@acme.example", svc.now())

    run = app.test_client().post(f"/api/workbooks/{wb.id}/sync").json["run"]

    entry = next(e for e in lines(out) if e["message"] == "sync done")
    assert (entry["workbook"], entry["run_id"], entry["outcome"]) == (wb.id, run["id"], "ok")


def test_plain_text_is_left_alone() -> None:
    text = "sync done for OKR Acme 2025-T1: 12 rows, https://docs.google.com/spreadsheets/d/1AbC"
    assert logs.redact(text) == text
