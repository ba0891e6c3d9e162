"""The OpenAPI document matches the API: schemathesis in-process against the WSGI app, and real answers checked."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.config import SchemathesisConfig

from sync.service.openapi import document
from tests.service_support import MemoryWorkbooks, make_app, svc_of, tiny_layout

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def local_app() -> Flask:
    """Local mode without auth (as `okrsync serve --no-auth` runs it), one workbook registered and synced."""
    books = MemoryWorkbooks()
    app = make_app(Path(tempfile.mkdtemp(prefix="okrsync-openapi-")), AUTH="off", LOOPBACK_ONLY=True,
                   BACKENDS=books)
    svc = svc_of(app)
    svc.registry.add_workbook("xlsx", books.add(tiny_layout()), "OKR Acme", "en", "local", svc.now())
    return app


# Bounded: a few generated examples per operation, both positive and negative, no exhaustive coverage phase.
CONFIG = SchemathesisConfig.from_dict({
    "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
})
# Built at collection: schemathesis parametrizes from the document (a temp SQLite file, nothing else).
schema = schemathesis.openapi.from_wsgi("/openapi.json", local_app(), config=CONFIG)


@schema.parametrize()
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_api_never_fails_and_answers_as_documented(case: Any) -> None:
    case.call_and_validate(checks=CHECKS)


def validator(name: str) -> jsonschema.Draft202012Validator:
    """A validator for one component, its references resolved within the document."""
    doc = document()
    return jsonschema.Draft202012Validator({"$ref": f"#/components/schemas/{name}", **doc},
                                           format_checker=jsonschema.FormatChecker())


def test_real_answers_match_their_schemas(tmp_path: Path) -> None:
    app = make_app(tmp_path, AUTH="off", LOOPBACK_ONLY=True, BACKENDS=MemoryWorkbooks())
    client = app.test_client()
    made = client.post("/api/workbooks", json={"organisation": "Acme", "lang": "en", "quarter": "2025-Q1",
                                               "teams": ["Sales"]})
    assert made.status_code == 201
    validator("WorkbookDetail").validate(made.json)
    wid = made.json["workbook"]["id"]
    answers = {
        "SyncResult": client.post(f"/api/workbooks/{wid}/sync"),
        "WorkbookList": client.get("/api/workbooks"),
        "RunList": client.get(f"/api/workbooks/{wid}/runs"),
        "NightlySummary": client.get("/cron/nightly"),
        "Error": client.get("/api/workbooks/nope"),
        "Health": client.get("/healthz"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "SyncResult": 200, "WorkbookList": 200, "RunList": 200, "NightlySummary": 200, "Error": 404, "Health": 200}
    for name, answer in answers.items():
        validator(name).validate(answer.json)


def test_the_demo_report_matches_the_report_schema() -> None:
    from sync.backends.memory import MemoryBackend
    from sync.engine import run_sync
    from sync.layout.demo import AS_OF, demo_layout

    backend = MemoryBackend()
    backend.provision(demo_layout("fr"))
    validator("Report").validate(run_sync(backend, AS_OF))


def test_the_document_is_served_and_valid_openapi(tmp_path: Path) -> None:
    served = make_app(tmp_path).test_client().get("/openapi.json")
    assert served.status_code == 200 and served.json["openapi"].startswith("3.1")
    assert set(served.json["paths"]) >= {"/api/workbooks", "/api/workbooks/register", "/api/workbooks/{workbook_id}",
                                         "/api/workbooks/{workbook_id}/sync", "/api/workbooks/{workbook_id}/runs",
                                         "/cron/nightly", "/tasks/sync/{workbook_id}", "/healthz"}
