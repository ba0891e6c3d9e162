"""The nightly fan-out: one Cloud Task per active workbook, each calling back `/tasks/sync/<id>`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.api_core import exceptions as api_exceptions

from .context import Service
from .registry import WorkbookRecord


def task_path(workbook_id: str) -> str:
    """The handler a task calls for a workbook."""
    return f"/tasks/sync/{workbook_id}"


def build_task(svc: Service, wb: WorkbookRecord, day: dt.date) -> Any:
    """The task for one workbook tonight, named after the day so that a repeated cron enqueues nothing twice.

    With a service URL and a service account it is an HTTP task carrying an OIDC token (any runtime);
    without, an App Engine task, which App Engine marks with its X-AppEngine-QueueName header.
    """
    from google.cloud import tasks_v2

    queue = str(svc.config["TASKS_QUEUE"])
    name = f"{queue}/tasks/nightly-{day:%Y%m%d}-{wb.id}"
    base_url = str(svc.config.get("TASKS_BASE_URL") or "").rstrip("/")
    account = str(svc.config.get("TASKS_SERVICE_ACCOUNT") or "")
    if base_url and account:
        audience = str(svc.config.get("TASKS_AUDIENCE") or base_url)
        return tasks_v2.Task(name=name, http_request=tasks_v2.HttpRequest(
            url=base_url + task_path(wb.id), http_method=tasks_v2.HttpMethod.POST,
            oidc_token=tasks_v2.OidcToken(service_account_email=account, audience=audience)))
    return tasks_v2.Task(name=name, app_engine_http_request=tasks_v2.AppEngineHttpRequest(
        relative_uri=task_path(wb.id), http_method=tasks_v2.HttpMethod.POST))


def enqueue(svc: Service, workbooks: list[WorkbookRecord], day: dt.date) -> list[dict[str, Any]]:
    """Create one task per workbook; one refused task does not stop the others."""
    client = svc.tasks_client()
    queue = str(svc.config["TASKS_QUEUE"])
    results: list[dict[str, Any]] = []
    for wb in workbooks:
        try:
            client.create_task(parent=queue, task=build_task(svc, wb, day))
            results.append({"workbook_id": wb.id, "outcome": "enqueued", "run_id": None, "error": None})
        except api_exceptions.Conflict:  # 409: tonight's task of this name exists (or just ran)
            results.append({"workbook_id": wb.id, "outcome": "enqueued", "run_id": None, "error": None})
        except api_exceptions.GoogleAPICallError as err:
            results.append({"workbook_id": wb.id, "outcome": "failed", "run_id": None,
                            "error": {"code": "enqueue_failed", "message": f"Cloud Tasks: HTTP {err.code}"}})
    return results
