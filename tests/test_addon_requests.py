"""The add-on's request bodies: their own size limit, malformed or deeply nested JSON, any JSON at all: never a 500."""

from __future__ import annotations

import json
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.memory import MemoryBackend
from sync.layout.demo import demo_layout
from tests.addon_support import snapshot_json
from tests.service_support import make_app

ENDPOINTS = ["/api/addon/sync", "/api/addon/layout", "/api/addon/team"]


def local(tmp_path: Path, **config: Any) -> FlaskClient:
    return make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, **config).test_client()


@cache
def app() -> Flask:
    return make_app(Path(tempfile.mkdtemp(prefix="okrsync-addon-")), AUTH="off", LOOPBACK_ONLY=True)


@cache
def demo_snapshot() -> str:
    backend = MemoryBackend("demo")
    backend.provision(demo_layout("en"))
    return json.dumps(snapshot_json(backend.read()))


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_snapshot_over_the_addon_limit_is_a_413_that_says_so(tmp_path: Path, lang: str) -> None:
    client = local(tmp_path, ADDON_MAX_BYTES=64 * 1024)
    big = {"snapshot": {"spreadsheet": {"id": "1"}, "tabs": [{"name": "T", "values": [["x" * 100_000]]}]}}
    answer = client.post("/api/addon/sync", json=big, headers={"Accept-Language": lang})
    assert answer.status_code == 413
    assert answer.json["error"]["message"].startswith(
        "Le corps de la requête dépasse 0.1 Mio" if lang == "fr" else "The request body is over 0.1 MiB")


def test_the_addon_limit_is_larger_than_the_rest_of_the_apis(tmp_path: Path) -> None:
    client = local(tmp_path)
    values = [["x" * 1000] * 10 for _ in range(200)]  # 2 MB: over MAX_CONTENT_LENGTH, under ADDON_MAX_BYTES
    snapshot = {"spreadsheet": {"id": "1"}, "tabs": [{"name": "T", "values": values}]}
    assert client.post("/api/addon/sync", json={"snapshot": snapshot}).status_code == 422
    assert client.post("/api/workbooks", json={"organisation": "x" * 2_000_000}).status_code == 413


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(("data", "says"), [
    (b'{"snapshot": ', "not valid JSON: Expecting value (line 1, column 14)"),
    (b"{'a': 1}", "not valid JSON: Expecting property name enclosed in double quotes"),
    (b'{"a": NaN}', "not valid JSON"),
    (b"\xff\xfe\x00", "not valid JSON"),
    (b"", "not valid JSON"),
    (b'{"a":' * 5000, "nested too deeply"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b"[1, 2]", "must be a JSON object"),
])
def test_malformed_json_is_a_400_naming_what_is_wrong(tmp_path: Path, endpoint: str, data: bytes, says: str) -> None:
    answer = local(tmp_path).post(endpoint, data=data, content_type="application/json")
    assert answer.status_code == 400 and says in answer.json["error"]["message"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ENDPOINTS), JSON)
def test_any_json_body_never_gives_a_500(endpoint: str, body: Any) -> None:
    answer = app().test_client().post(endpoint, data=json.dumps(body), content_type="application/json")
    assert answer.status_code < 500, answer.json


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 8), st.integers(0, 40), st.integers(0, 20),
                          st.one_of(JSON, st.dates().map(lambda d: {"date": d.isoformat()}))), max_size=12),
       st.booleans())
def test_any_cells_in_a_real_workbook_never_give_a_500(edits: list[tuple[int, int, int, Any]], write: bool) -> None:
    snapshot = json.loads(demo_snapshot())
    for t, r, c, value in edits:
        tab = snapshot["tabs"][t % len(snapshot["tabs"])]
        while len(tab["values"]) <= r:
            tab["values"].append([])
        row = tab["values"][r]
        while len(row) <= c:
            row.append(None)
        row[c] = value
    body = {"snapshot": snapshot, "write": write, "trigger": "nightly", "as_of": "2025-02-14"}
    answer = app().test_client().post("/api/addon/sync", json=body)
    assert answer.status_code < 500, answer.json
