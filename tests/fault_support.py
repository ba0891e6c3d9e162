"""Shared pieces of the faults and crash suites: small varied workbooks on the Google fake, the service
wired to it with an injected clock and sleeper, and the sheet's whole state to compare with a fault-free sync."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import requests

from sync import engine
from sync.backends.google_api import GoogleGateway, RetryingHTTPClient, RetryPolicy
from sync.backends.gsheets import ANCHOR_KEY
from sync.engine import Evaluation, run_sync
from sync.layout.build import Team, WorkbookSpec, build_layout, quarter_label
from sync.model import Snapshot
from sync.service.context import Service
from sync.service.registry import WorkbookRecord
from sync.service.runner import Outcome, sync_workbook
from sync.template import catalog
from tests.google_fake import FakeGoogle, Fault, dummy_credentials
from tests.google_harness import SA_EMAIL, compact, people_cells, provision, sync_backend, tab, type_rows
from tests.service_support import FakeClock, make_app, svc_of

AS_OF = dt.date(2025, 2, 14)
TEAMS = {"fr": ["Ventes", "Marketing", "Soutien"], "en": ["Sales", "Marketing", "Support"]}
WEEKS = ["2025-01-13", "2025-01-20", "2025-01-27", "2025-02-03", "2025-02-10"]
CONFIDENCE = ["🟢", "🟡", "🔴", "80 %", ""]
#: What Google does wrong, each drawn alike: throttling and server errors before the call is applied, server
#: errors and lost answers after it was (the change is made, the client cannot know), and network failures.
FAULTS = [
    Fault(status=429), Fault(status=500), Fault(status=503),
    Fault(status=500, after_apply=True), Fault(status=503, after_apply=True),
    Fault(exception=requests.exceptions.ConnectionError),
    Fault(exception=requests.exceptions.ConnectionError, after_apply=True),
    Fault(exception=requests.exceptions.ReadTimeout),
    Fault(exception=requests.exceptions.ReadTimeout, after_apply=True),
]
#: Three attempts a call: with 30 % faults some calls run out of them, so clean failures happen too.
POLICY = RetryPolicy(attempts=3)
#: Rows of each tab: room for every row a sync of these workbooks writes (History: 6 KRs × 5 weeks).
ROWS = 50

State = dict[str, Any]
T = TypeVar("T")


def copied(data: T) -> T:
    """A deep copy of plain data (many times faster than copy.deepcopy on a spreadsheet's cells)."""
    copy_: T = pickle.loads(pickle.dumps(data))
    return copy_


def okr_rows(lang: str, teams: list[str]) -> list[list[Any]]:
    """One objective and two KRs per team, typed in the OKR tab."""
    objective, increase = (catalog.word("kr_types", k, lang) for k in ("objective", "increase"))
    rows: list[list[Any]] = []
    for j, team in enumerate(teams, start=1):
        rows += [[f"T{j}-O1", team, objective, f"Objective {j}", "Ana"],
                 [f"T{j}-KR1", team, increase, "Sign 40 new clients", "Ana", 0, 40, "clients"],
                 [f"T{j}-KR2", team, increase, "Generate 125 leads", "Léa", 0, 125, "leads"]]
    return rows


def checkin(rng: random.Random, j: int) -> list[Any]:
    """A check-in row of team j as a person types it: week, KR, value, confidence."""
    return [rng.choice(WEEKS), f"T{j}-KR{rng.randint(1, 2)}", rng.randint(0, 40), rng.choice(CONFIDENCE)]


@dataclass
class Workbooks:
    """Small workbooks made by copying a few provisioned ones: 1–3 teams, fr or en, synced once or never."""

    fake: FakeGoogle
    bases: dict[tuple[str, int, bool], str] = field(default_factory=dict)

    def make(self, rng: random.Random) -> tuple[str, str, str]:
        """A new workbook: (spreadsheet ID, language, scenario) — first sync (of a workbook laid out by an older
        okrsync, with no row anchored yet, or not), rows added, or values changed."""
        lang, n = rng.choice(["fr", "en"]), rng.randint(1, 3)
        scenario = rng.choice(["first sync", "first sync, older layout", "rows added", "values changed"])
        sid = self.clone(self.base(lang, n, synced=not scenario.startswith("first sync")))
        if scenario.endswith("older layout"):
            self.fake.book(sid).metadata.clear()  # this sync anchors every row: the call faults may repeat
            scenario = "first sync"
        for j, team in enumerate(TEAMS[lang][:n], start=1):
            where = tab("checkins", lang, team)
            if scenario == "first sync":
                type_rows(self.fake, sid, where, [checkin(rng, j) for _ in range(rng.randint(1, 3))])
            elif scenario == "rows added":
                type_rows(self.fake, sid, where, [checkin(rng, j) for _ in range(rng.randint(1, 2))], first_row=4)
            else:
                type_rows(self.fake, sid, where, [[None, None, rng.randint(41, 80)]], first_row=rng.randint(2, 3))
        return sid, lang, scenario

    def base(self, lang: str, n: int, synced: bool) -> str:
        """A provisioned workbook with its OKRs typed (and two check-ins a team, synced, when `synced`)."""
        key = (lang, n, synced)
        if key not in self.bases:
            teams = TEAMS[lang][:n]
            spec = WorkbookSpec("Acme", lang, quarter_label(2025, 1, lang), [Team(t) for t in teams])
            sid = provision(self.fake, compact(build_layout(spec), 12, history=40, org=40))
            for sheet in self.fake.book(sid).sheets:  # small tabs, as a person may cut them: a fast fake
                if sheet.row_count > ROWS:
                    self.fake.delete_rows(sid, sheet.title, ROWS + 1, sheet.row_count - ROWS)
            type_rows(self.fake, sid, tab("okrs", lang), okr_rows(lang, teams))
            if synced:
                for j, team in enumerate(teams, start=1):
                    type_rows(self.fake, sid, tab("checkins", lang, team),
                              [["2025-01-20", f"T{j}-KR1", 10, "🟢"], ["2025-02-03", f"T{j}-KR2", 30, "🟡"]])
                run_sync(sync_backend(self.fake, sid, lang), AS_OF)
            self.bases[key] = sid
        return self.bases[key]

    def clone(self, sid: str) -> str:
        """A copy of a spreadsheet under a new ID (its sheets, cells and metadata), as Drive's copy makes."""
        book = copied(self.fake.book(sid))
        book.spreadsheet_id = self.fake.new_file_id()
        self.fake.books[book.spreadsheet_id] = book
        return book.spreadsheet_id


def state(fake: FakeGoogle, sid: str) -> State:
    """Everything a sync could change: each tab's properties, cells (values and formats), rules, protections,
    charts and merges, and all developer metadata (IDs, keys, locations)."""
    book = fake.book(sid)
    tabs = {s.title: (s.properties, s.cells, s.conditional_formats, s.protected_ranges, s.charts, s.merges)
            for s in book.sheets}
    return copied({"tabs": tabs, "metadata": book.metadata})


def cells_only(s: State) -> State:
    """What people see of the state: each tab's cell values, without developer metadata, and without the
    empty rows a tab grows by (inserted below its last used row, looking like its other free rows)."""
    return {title: {key: cell.get("userEnteredValue") for key, cell in tab[1].items() if "userEnteredValue" in cell}
            for title, tab in s["tabs"].items()}


def duplicate_anchors(fake: FakeGoogle, sid: str) -> int:
    """How many row anchors share a row with another (0 when every row has at most one)."""
    rows = Counter((d["sheetId"], d["startIndex"]) for m in fake.book(sid).metadata.values()
                   if m.get("metadataKey") == ANCHOR_KEY and (d := m["location"].get("dimensionRange")))
    return sum(n - 1 for n in rows.values() if n > 1)


def only_laid_anchors(after: State, before: State, reference: State) -> bool:
    """Whether every metadata entry is one the sheet had, or one the fault-free sync lays (same ID, same row)."""
    return all(before["metadata"].get(i) == m or reference["metadata"].get(i) == m
               for i, m in after["metadata"].items()) and before["metadata"].keys() <= after["metadata"].keys()


class ServiceOnFake:
    """The service on a temporary registry, its Google gateway on the fake: no real waiting, ever."""

    def __init__(self, tmp_path: Path, rng: random.Random) -> None:
        self.clock = FakeClock()

        def gateway(lang: str) -> GoogleGateway:
            http = RetryingHTTPClient(dummy_credentials(), policy=POLICY, sleep=self.clock.sleep,
                                      random=rng.random, clock=self.clock)
            return GoogleGateway(http, lang, SA_EMAIL)

        self.svc: Service = svc_of(make_app(tmp_path, CLOCK=self.clock, SLEEP=self.clock.sleep,
                                            GATEWAY_FACTORY=gateway))

    def register(self, sid: str, lang: str) -> WorkbookRecord:
        """The spreadsheet registered for nightly syncs, dated AS_OF so that every run computes alike."""
        return self.svc.registry.add_workbook("gsheet", sid, f"OKR {sid[:6]}", lang, "m@acme.example",
                                              self.svc.now(), as_of=AS_OF)

    def sync(self, wb: WorkbookRecord) -> Outcome:
        """One nightly sync through the runner: recorded in the run log whatever happens."""
        return sync_workbook(self.svc, wb, "nightly", raise_errors=False)


def evaluate_once() -> Callable[[Snapshot, str, dt.date], Evaluation]:
    """The engine's `evaluate`, computed once per snapshot read.

    It is pure (the same snapshot and date always give the same result), and the faults are all on the way to
    and from Google: a fault-free sync and a faulted one of the same workbook read the same snapshot, so they
    share one evaluation, and the suite spends its time on the calls it is about.
    """
    seen: dict[bytes, Evaluation] = {}
    real = engine.evaluate

    def evaluate(snapshot: Snapshot, location: str, as_of: dt.date) -> Evaluation:
        key = pickle.dumps((snapshot, location, as_of))
        if key not in seen:
            seen[key] = real(snapshot, location, as_of)
        return seen[key]

    return evaluate


def random_faults(rng: random.Random, rate: float, drawn: Counter[str]) -> Callable[[Any], Fault | None]:
    """A fault source for the fake: each call fails with probability `rate`, in one of FAULTS' ways."""

    def source(_call: Any) -> Fault | None:
        if rng.random() >= rate:
            return None
        fault = copy.copy(rng.choice(FAULTS))
        drawn[fault.describe()] += 1
        return fault

    return source


__all__ = ["AS_OF", "ServiceOnFake", "Workbooks", "cells_only", "duplicate_anchors", "evaluate_once",
           "only_laid_anchors", "people_cells", "random_faults", "state"]
