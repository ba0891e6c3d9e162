"""Many syncs at once through the service: never two of one workbook at a time, and every request recorded.

20 clients ask for syncs of 5 workbooks at the same moment, each asking again after a 409 until its sync
ran: through a threaded HTTP server, then from two processes sharing one registry, on SQLite and on
PostgreSQL (`OKRSYNC_TEST_POSTGRES_URL`, see tests/test_registry_postgres.py). The workbooks are real .xlsx
files; each sync's read→write section is logged by the backend, in one append-only file that every thread
and process shares, and no two sections of one workbook may overlap. Then a lease expires while a sync
is between its read and its write: the next sync takes over, and the first writes nothing.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from sync.backends.base import Backend
from sync.backends.xlsx import XlsxBackend
from sync.layout.build import Layout
from sync.model import Snapshot, WritePlan, WriteResult
from sync.service.registry import Base, Registry
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.service_support import FakeClock, make_app, seed_spreadsheet, svc_of, tiny_layout
from tests.slow_google import Exchange, SlowGoogle

WORKBOOKS = 5
CLIENTS = 20
#: A client gives up after this many 409s in a row: far more than 4 syncs of one workbook take.
PATIENCE = 2000
POSTGRES_URL = os.environ.get("OKRSYNC_TEST_POSTGRES_URL", "")


# -- instruments ---------------------------------------------------------------------------------------------

class SectionLog:
    """An append-only file of (workbook, sync, event) lines, shared by threads and processes.

    Each line is one `write` on a file opened with O_APPEND, so lines never interleave and their order is
    the order in which the events happened, whichever process wrote them.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def record(self, workbook: str, sync: str, event: str) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{workbook}\t{sync}\t{event}\n".encode())
        finally:
            os.close(fd)

    def events(self) -> list[tuple[str, str, str]]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [(w, s, e) for w, s, e in (line.split("\t") for line in lines)]


def overlaps(events: list[tuple[str, str, str]]) -> int:
    """How many times a sync entered a workbook's section while another sync was inside it."""
    inside: dict[str, set[str]] = {}
    found = 0
    for workbook, sync, event in events:
        now = inside.setdefault(workbook, set())
        if event == "enter":
            found += bool(now)
            now.add(sync)
        elif event == "exit":
            now.discard(sync)
    return found


class Instrumented:
    """A backend that logs when a sync enters its read→write section, writes, and leaves it.

    "enter" is logged before the inner backend's own lock is taken: the .xlsx file lock would refuse a second
    sync by itself, and what is measured here is whether the service ever let two in at once.
    """

    def __init__(self, inner: Backend, log: SectionLog, workbook: str) -> None:
        self.inner, self.log, self.workbook = inner, log, workbook
        self.sync = uuid.uuid4().hex[:12]
        self.location = inner.location

    def provision(self, layout: Layout, overwrite: bool = False) -> str:
        return self.inner.provision(layout, overwrite)

    def read(self) -> Snapshot:
        return self.inner.read()

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        result = self.inner.apply(plan, snapshot)
        self.log.record(self.workbook, self.sync, "write")
        return result

    def api_calls(self) -> tuple[int, int]:
        return self.inner.api_calls()

    @contextmanager
    def lock(self) -> Iterator[None]:
        self.log.record(self.workbook, self.sync, "enter")
        try:
            with self.inner.lock():
                yield
        finally:
            self.log.record(self.workbook, self.sync, "exit")


class InstrumentedXlsx:
    """The service's BACKENDS seam: the real .xlsx backend, instrumented."""

    def __init__(self, log_path: Path) -> None:
        self.log = SectionLog(log_path)

    def open(self, kind: str, target: str, lang: str) -> Instrumented:
        return Instrumented(XlsxBackend(target, lang=lang), self.log, Path(target).stem)

    def provision(self, layout: Layout, share: list[str]) -> tuple[str, str]:
        raise NotImplementedError("the workbooks are made by the test")


# -- the service and its clients -----------------------------------------------------------------------------

class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without its line per request (hundreds of them here)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def local_app(root: Path, database_url: str) -> Flask:
    """The service in local mode, without auth (as `okrsync serve --no-auth`), its backends instrumented."""
    return make_app(root, DATABASE_URL=database_url, AUTH="off", LOOPBACK_ONLY=True,
                    BACKENDS=InstrumentedXlsx(root / "sections.log"))


def make_workbooks(root: Path, app: Flask) -> list[str]:
    """WORKBOOKS .xlsx workbooks, registered; their IDs."""
    svc = svc_of(app)
    (root / "books").mkdir(exist_ok=True)
    ids = []
    for i in range(WORKBOOKS):
        path = root / "books" / f"okr-{i}.xlsx"
        XlsxBackend(path).provision(tiny_layout(team=f"Team{i}"))
        ids.append(svc.registry.add_workbook("xlsx", str(path), f"OKR {i}", "en", "m@acme.example", svc.now()).id)
    return ids


def ask_until_synced(post: Callable[[str], int], workbook_id: str, start: threading.Barrier) -> list[int]:
    """One client: ask for a sync, and again after each 409, until it ran; every answer's status."""
    start.wait()
    statuses: list[int] = []
    while len(statuses) < PATIENCE:
        statuses.append(post(workbook_id))
        if statuses[-1] != 409:
            break
    return statuses


def run_clients(post: Callable[[str], int], ids: list[str], clients: int) -> list[int]:
    """`clients` threads at once, client i on workbook i mod len(ids); every status they got."""
    start = threading.Barrier(clients)
    with ThreadPoolExecutor(clients) as pool:
        answers = list(pool.map(lambda i: ask_until_synced(post, ids[i % len(ids)], start), range(clients)))
    return [status for statuses in answers for status in statuses]


@dataclass
class Tally:
    """What the suite measures: requests, answers, run records and sections."""

    requests: int
    answers: Counter[int]
    runs: Counter[str]
    skipped_codes: Counter[str | None]
    sections: int
    writes: int
    overlaps: int

    def __str__(self) -> str:
        return (f"{self.requests} requests for {CLIENTS} syncs of {WORKBOOKS} workbooks: {self.overlaps} overlaps, "
                f"{sum(self.runs.values())}/{self.requests} runs recorded ({self.runs['ok']} ok, "
                f"{self.runs['skipped']} skipped), {self.sections} sections, {self.writes} writes")


def tally(registry: Registry, ids: list[str], statuses: list[int], log: SectionLog) -> Tally:
    runs = [run for wb in ids for run in registry.runs(wb, limit=10 * PATIENCE * CLIENTS)]
    events = log.events()
    return Tally(len(statuses), Counter(statuses), Counter(r.outcome for r in runs),
                 Counter(r.error_code for r in runs if r.outcome == "skipped"),
                 sum(1 for e in events if e[2] == "enter"), sum(1 for e in events if e[2] == "write"),
                 overlaps(events))


def check(found: Tally) -> None:
    """Every client's sync ran once, every request has exactly one finished run, no section overlapped."""
    print(found)  # the figure the suite reports, shown with -s
    assert found.overlaps == 0
    assert found.answers[200] == CLIENTS and set(found.answers) <= {200, 409}
    assert sum(found.runs.values()) == found.requests  # no lost run record, none twice
    assert found.runs == Counter({"ok": CLIENTS, "skipped": found.answers[409]})  # none left "running"
    assert set(found.skipped_codes) <= {"sync_running"}  # refused by the lease, never by the file's lock
    assert found.sections == CLIENTS  # a refused request never reached the workbook
    assert found.writes >= WORKBOOKS  # each workbook's first sync wrote its computed cells


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The registry's database: a SQLite file, or the test PostgreSQL server emptied."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'registry.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("OKRSYNC_TEST_POSTGRES_URL is not set (see .ci/postgres.sh)")
    registry = Registry(POSTGRES_URL)
    Base.metadata.drop_all(registry.engine)  # a clean schema, created again by the app
    registry.engine.dispose()
    yield POSTGRES_URL


# -- the tests -----------------------------------------------------------------------------------------------

def test_concurrent_requests_through_a_threaded_server_never_overlap_and_are_all_recorded(
        tmp_path: Path, database_url: str) -> None:
    app = local_app(tmp_path, database_url)
    ids = make_workbooks(tmp_path, app)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        def post(workbook_id: str) -> int:
            return requests.post(f"{base}/api/workbooks/{workbook_id}/sync", timeout=60).status_code

        statuses = run_clients(post, ids, CLIENTS)
    finally:
        server.shutdown()
        serving.join(10)

    check(tally(svc_of(app).registry, ids, statuses, SectionLog(tmp_path / "sections.log")))


def _process(root: str, database_url: str, ids: list[str], clients: int, out: str,
             start: Any) -> None:
    """One instance of the service in its own process: `clients` threads ask for syncs through the app."""
    app = local_app(Path(root), database_url)

    def post(workbook_id: str) -> int:
        return app.test_client().post(f"/api/workbooks/{workbook_id}/sync").status_code

    start.wait()  # both processes ready: their clients start together
    Path(out).write_text(json.dumps(run_clients(post, ids, clients)), encoding="utf-8")


def test_two_processes_on_one_registry_never_overlap_and_record_every_request(
        tmp_path: Path, database_url: str) -> None:
    app = local_app(tmp_path, database_url)
    ids = make_workbooks(tmp_path, app)
    # Fresh processes forked from a clean server that already imported okrsync (no thread, no connection
    # inherited from this one), as two instances of the service would be.
    spawn = multiprocessing.get_context("forkserver")
    spawn.set_forkserver_preload([__name__])
    start = spawn.Barrier(2)
    outs = [tmp_path / f"statuses-{n}.json" for n in range(2)]
    processes = [spawn.Process(target=_process, args=(str(tmp_path), database_url, ids, CLIENTS // 2, str(out), start))
                 for out in outs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0, 0]

    statuses = [status for out in outs for status in json.loads(out.read_text(encoding="utf-8"))]
    check(tally(svc_of(app).registry, ids, statuses, SectionLog(tmp_path / "sections.log")))


def test_a_lease_expiring_mid_sync_lets_the_next_sync_take_over_and_the_first_writes_nothing(
        tmp_path: Path, google_fake: FakeGoogle) -> None:
    clock = FakeClock()
    slow = SlowGoogle(clock)
    app = make_app(tmp_path, clock=clock, GATEWAY_FACTORY=slow, MODE="google", AUTH="off", LOOPBACK_ONLY=True)
    svc = svc_of(app)
    sid = seed_spreadsheet(google_fake, tiny_layout())
    wb = svc.registry.add_workbook("gsheet", sid, "OKR Acme", "en", "m@acme.example", svc.now())
    first_read, second_done = threading.Event(), threading.Event()

    def hold_the_first_sync_after_its_read(exchange: Exchange) -> None:
        if exchange.gateway == 1 and exchange.method == "GET":
            first_read.set()
            assert second_done.wait(30), "the second sync never finished"

    slow.on_exchange = hold_the_first_sync_after_its_read
    first: list[Any] = []
    worker = threading.Thread(target=lambda: first.append(app.test_client().post(f"/api/workbooks/{wb.id}/sync")))
    worker.start()
    assert first_read.wait(30)
    clock.now += svc.lease_ttl + 1  # the first sync is between its read and its write: its lease expires
    second = app.test_client().post(f"/api/workbooks/{wb.id}/sync")
    second_done.set()
    worker.join(30)

    assert second.status_code == 200 and second.get_json()["run"]["outcome"] == "ok"
    (answer,) = first
    assert answer.status_code == 409 and answer.get_json()["error"]["code"] == "lease_lost"
    by_gateway = Counter((e.gateway, e.writes) for e in slow.exchanges)
    assert by_gateway == Counter({(1, False): 1, (2, False): 1, (2, True): 2})  # the first never wrote
    assert [e.gateway for e in slow.exchanges] == [1, 2, 2, 2]  # the second ran between the first's read and end
    runs = svc.registry.runs(wb.id)
    assert sorted((r.outcome, r.error_code) for r in runs) == [("ok", None), ("skipped", "lease_lost")]
    assert all(r.finished_at is not None for r in runs)
