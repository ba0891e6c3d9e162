"""The nightly fan-out through Cloud Tasks, checked at the HTTP layer of the client's REST transport."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from flask import Flask
from google.auth.credentials import AnonymousCredentials
from google.cloud import tasks_v2
from requests import PreparedRequest

from tests.service_support import (
    SERVICE_URL,
    TASKS_ACCOUNT,
    MemoryWorkbooks,
    make_app,
    scheduler_bearer,
    serve_certs,
    svc_of,
    tiny_layout,
)

QUEUE = "projects/okrsync-test/locations/northamerica-northeast1/queues/okrsync-sync"
TASKS_URL = f"https://cloudtasks.googleapis.com/v2/{QUEUE}/tasks"


class FakeCloudTasks:
    """tasks.create over REST: records each task; answers with it, or with the status a test asks for."""

    def __init__(self) -> None:
        self.created: list[dict[str, Any]] = []
        self.answers: dict[str, int] = {}  # workbook id -> HTTP status to answer instead

    def __call__(self, request: PreparedRequest) -> tuple[int, dict[str, str], str]:
        task = json.loads(request.body or "{}")["task"]
        status = next((s for wid, s in self.answers.items() if task["name"].endswith(wid)), 200)
        if status != 200:
            word = {409: "ALREADY_EXISTS", 403: "PERMISSION_DENIED"}[status]
            return status, {}, json.dumps({"error": {"code": status, "message": word, "status": word}})
        self.created.append(task)
        return 200, {"Content-Type": "application/json"}, json.dumps(task)


@pytest.fixture
def cloud_tasks() -> Iterator[tuple[responses.RequestsMock, FakeCloudTasks]]:
    fake = FakeCloudTasks()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, TASKS_URL, callback=fake)
        serve_certs(rsps)
        yield rsps, fake


def tasks_app(tmp_path: Path, books: MemoryWorkbooks, **overrides: Any) -> Flask:
    client = tasks_v2.CloudTasksClient(credentials=AnonymousCredentials(), transport="rest")
    settings: dict[str, Any] = {"TASKS_QUEUE": QUEUE, "TASKS_BASE_URL": SERVICE_URL,
                                "TASKS_SERVICE_ACCOUNT": TASKS_ACCOUNT, "TASKS_CLIENT": client, "BACKENDS": books}
    settings.update(overrides)
    return make_app(tmp_path, **settings)


def register(app: Flask, books: MemoryWorkbooks, count: int) -> list[str]:
    svc = svc_of(app)
    return [svc.registry.add_workbook("xlsx", books.add(tiny_layout()), f"OKR {n}", "en", "m@acme.example",
                                      svc.now()).id for n in range(count)]


def test_the_cron_enqueues_one_oidc_task_per_active_workbook(
        tmp_path: Path, cloud_tasks: tuple[responses.RequestsMock, FakeCloudTasks]) -> None:
    _, fake = cloud_tasks
    books = MemoryWorkbooks()
    app = tasks_app(tmp_path, books)
    ids = register(app, books, 4)
    svc_of(app).registry.set_active(ids[3], False)

    answer = app.test_client().get("/cron/nightly", headers=scheduler_bearer())

    assert answer.status_code == 200, answer.json
    assert (answer.json["mode"], answer.json["enqueued"], answer.json["synced"]) == ("tasks", 3, 0)
    assert len(fake.created) == 3
    by_workbook = {t["name"].rsplit("-", 1)[-1]: t for t in fake.created}
    assert set(by_workbook) == set(ids[:3])
    for wid, task in by_workbook.items():
        assert task["name"] == f"{QUEUE}/tasks/nightly-20250214-{wid}"  # one a night: a repeated cron adds none
        http = task["httpRequest"]
        assert http["url"] == f"{SERVICE_URL}/tasks/sync/{wid}"
        assert http["httpMethod"] == tasks_v2.HttpMethod.POST.value  # the REST client sends enums as numbers
        assert http["oidcToken"] == {"serviceAccountEmail": TASKS_ACCOUNT, "audience": SERVICE_URL}
    assert all(svc_of(app).registry.runs(wid) == [] for wid in ids)  # nothing synced in the cron request


def test_a_task_already_queued_counts_as_queued_and_a_refused_one_as_failed(
        tmp_path: Path, cloud_tasks: tuple[responses.RequestsMock, FakeCloudTasks]) -> None:
    _, fake = cloud_tasks
    books = MemoryWorkbooks()
    app = tasks_app(tmp_path, books)
    ids = register(app, books, 3)
    fake.answers = {ids[0]: 409, ids[1]: 403}

    summary = app.test_client().get("/cron/nightly", headers=scheduler_bearer()).json

    assert (summary["enqueued"], summary["failed"]) == (2, 1)
    refused = next(r for r in summary["results"] if r["workbook_id"] == ids[1])
    assert refused["error"]["code"] == "enqueue_failed"


def test_without_a_service_url_tasks_target_app_engine(
        tmp_path: Path, cloud_tasks: tuple[responses.RequestsMock, FakeCloudTasks]) -> None:
    _, fake = cloud_tasks
    books = MemoryWorkbooks()
    app = tasks_app(tmp_path, books, TASKS_BASE_URL="", ENVIRON={"GAE_ENV": "standard"})
    [wid] = register(app, books, 1)

    assert app.test_client().get("/cron/nightly", headers={"X-Appengine-Cron": "true"}).status_code == 200

    [task] = fake.created
    assert task["appEngineHttpRequest"]["relativeUri"] == f"/tasks/sync/{wid}"


def test_the_task_handler_syncs_its_workbook(tmp_path: Path,
                                            cloud_tasks: tuple[responses.RequestsMock, FakeCloudTasks]) -> None:
    books = MemoryWorkbooks()
    app = tasks_app(tmp_path, books)
    [wid] = register(app, books, 1)
    client = app.test_client()

    answer = client.post(f"/tasks/sync/{wid}", headers=scheduler_bearer())

    assert answer.status_code == 200, answer.json
    assert (answer.json["run"]["trigger"], answer.json["run"]["outcome"]) == ("task", "ok")
    assert client.post("/tasks/sync/unknown", headers=scheduler_bearer()).status_code == 404


def test_the_task_handler_trusts_the_queue_header_on_app_engine(tmp_path: Path) -> None:
    books = MemoryWorkbooks()
    app = tasks_app(tmp_path, books, ENVIRON={"GAE_APPLICATION": "s~okrsync-test"})
    [wid] = register(app, books, 1)
    books.failing.add(svc_of(app).registry.workbook(wid).target)  # type: ignore[union-attr]

    answer = app.test_client().post(f"/tasks/sync/{wid}", headers={"X-AppEngine-QueueName": "okrsync-sync"})

    # A failure is recorded and answered 200: retrying it now would fail the same way.
    assert answer.status_code == 200 and answer.json["run"]["outcome"] == "failed"
