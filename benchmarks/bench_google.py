"""okrsync's sync against the same job done with gspread-dataframe + gspread-formatting, and cell by cell.

Run: python -m benchmarks.bench_google [TEAMS…]   (offline: everything goes to the Sheets/Drive fake of tests/)

For 3, 10, 30 and 100 teams (10 KRs each, 13 weeks of check-ins) the same synthetic workbook is provisioned
with the template's real layout three times in the fake. Each baseline does a first sync and an unchanged
rerun on its own copy; okrsync does the four syncs of its life: the first, a week whose check-in rows people
added, a week where one value changed, and a rerun with nothing changed. Calls and request bytes are counted
by the fake; time is simulated at 150 ms a call plus the client's measured CPU time.
"""

from __future__ import annotations

import datetime as dt
import gc
import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import gspread
import responses

from benchmarks.baselines import DryWritesClient, Rules, cell_by_cell, compare, with_dataframes
from benchmarks.common import KRS_PER_TEAM, SIZES, benchmark_layout, gateway
from benchmarks.synthetic import AS_OF, WEEKS
from sync.backends.google_api import GoogleGateway
from sync.backends.gsheets import READ_FIELDS, GoogleBackend, parse_spreadsheet
from sync.engine import evaluate, run_sync
from sync.model import Snapshot, WritePlan
from sync.template import catalog
from tests.google_fake import FakeGoogle, dummy_credentials
from tests.google_fake import sheets as fake_sheets
from tests.google_fake.render import spreadsheet_json
from tests.google_harness import in_use_bytes, in_use_text, type_rows

SECONDS_PER_CALL = 0.150
#: Sheets' per-user quota: 60 read and 60 write requests a minute.
QUOTA_PER_MINUTE = 60
#: Cell by cell is executed against the fake up to this many teams; above, its writes are built by gspread
#: and counted by the HTTP client without being sent (tens of thousands of calls would take the fake hours).
EXECUTE_CELL_BY_CELL_UP_TO = 3
#: The dataframe baseline is executed against the fake up to this many teams (above, a few minutes each).
EXECUTE_DATAFRAMES_UP_TO = 30
METHODS = ("okrsync", "gspread-dataframe + gspread-formatting", "gspread cell by cell")
#: okrsync's syncs over a workbook's life, in the order they are run.
SCENARIOS = ("first sync", "a week of new check-in rows", "one value changed", "nothing changed")


@dataclass
class Cost:
    """What one run of one method cost: API calls and the client's own CPU time."""

    reads: int
    writes: int
    cpu: float
    executed: bool = True
    #: Bytes of each write request's body, and of the read answers.
    sent: tuple[int, ...] = ()
    read_bytes: int = 0
    #: Bytes of the read answers cut at each tab's last row holding a value: what the rows in use cost.
    in_use_bytes: int = 0
    #: The same two, gzipped: what crosses the network (okrsync's calls ask for gzip).
    read_gzipped: int = 0
    in_use_gzipped: int = 0

    @property
    def calls(self) -> int:
        return self.reads + self.writes

    @property
    def seconds(self) -> float:
        """Simulated wall time: every call waits SECONDS_PER_CALL, one after the other, plus the CPU."""
        return self.calls * SECONDS_PER_CALL + self.cpu

    @property
    def quota_minutes(self) -> float:
        """Minutes of one user's quota the job uses up (read and write quotas are separate buckets)."""
        return max(self.reads, self.writes) / QUOTA_PER_MINUTE


class TimedFake(FakeGoogle):
    """The fake, timing its own work so that it can be taken out of the client's CPU time."""

    server_seconds = 0.0

    def _callback(self, request: Any) -> Any:
        start = time.process_time()
        try:
            return super()._callback(request)
        finally:
            self.server_seconds += time.process_time() - start


def type_week(fake: FakeGoogle, spreadsheet_id: str, teams: int, monday: dt.date | None = None, base: int = 50) -> None:
    """People add a Monday's check-in of every KR (the one after AS_OF unless told), below each team's last row:
    `base` + the KR's rank, at most 100."""
    day = (monday or AS_OF + dt.timedelta(days=7 - AS_OF.weekday())).strftime("%d/%m/%Y")
    for t in range(teams):
        title = catalog.checkin_tab_name(f"Équipe {t + 1:02d}", "fr")
        used = len(fake.values(spreadsheet_id, title))
        rows = [[day, f"T{t}-KR{k + 1}", min(100, base + k), "🟢"] for k in range(KRS_PER_TEAM)]
        type_rows(fake, spreadsheet_id, title, rows, first_row=used + 1)


def change_one_value(fake: FakeGoogle, spreadsheet_id: str) -> None:
    """A person corrects one value of the first team's first check-in."""
    type_rows(fake, spreadsheet_id, catalog.checkin_tab_name("Équipe 01", "fr"), [[None, None, 77]], first_row=2)


class Bench:
    """One size: a fake holding three copies of the workbook, and the three methods run on them."""

    def __init__(self, fake: TimedFake, teams: int) -> None:
        self.fake, self.teams = fake, teams
        self.layout = benchmark_layout(teams)
        self.rules: Rules = {tab.name: tab.colour_rules for tab in self.layout.tabs}
        self.oracle_seconds = 0.0

    def provision(self) -> str:
        """A fresh copy of the workbook, as `okrsync init --google` lays it out."""
        backend = GoogleBackend(None, gateway(), "fr")
        return backend.provision(self.layout).rsplit("/", 1)[-1]

    def okrsync(self, spreadsheet_id: str) -> Callable[[], None]:
        """A sync of this copy through okrsync's Google backend."""
        backend = GoogleBackend(spreadsheet_id, gateway(), "fr")

        def run() -> None:
            run_sync(backend, AS_OF)

        return run

    def with_dataframes(self, spreadsheet_id: str) -> Callable[[], None]:
        """The job on this copy, per tab with gspread-dataframe and gspread-formatting."""
        client = gspread.Client(auth=dummy_credentials())

        def run() -> None:
            with_dataframes(client, spreadsheet_id, self.compute(spreadsheet_id), self.rules)

        return run

    def measure(self, run: Callable[[], None], dry_client: DryWritesClient | None = None) -> Cost:
        """Run one method once; calls as the fake counted them (plus writes a dry client held back)."""
        self.fake.exchanges.clear()
        self.oracle_seconds = 0.0
        held_before = dry_client.held if dry_client else 0
        # As timeit does, no garbage collection while timing: the fake's millions of cells live in this
        # process, and collections walking them would be charged to whichever client code allocates.
        gc.collect()
        gc.disable()
        try:
            server, start = self.fake.server_seconds, time.process_time()
            run()
            cpu = time.process_time() - start - (self.fake.server_seconds - server) - self.oracle_seconds
        finally:
            gc.enable()
        held = dry_client.held - held_before if dry_client else 0
        answered = [e for e in self.fake.exchanges if 200 <= e.status < 300]
        sent = tuple(len(json.dumps(e.body)) for e in answered if not e.is_read and e.body is not None)
        reads = [e for e in answered if e.is_read and e.call.kind.endswith("spreadsheets.get")]
        return Cost(len(self.fake.read_calls()), len(self.fake.write_calls()) + held, cpu, executed=not held,
                    sent=sent, read_bytes=sum(len(e.text.encode()) for e in reads),
                    in_use_bytes=sum(in_use_bytes(e.response) for e in reads),
                    read_gzipped=sum(len(gzip.compress(e.text.encode())) for e in reads),
                    in_use_gzipped=sum(len(gzip.compress(in_use_text(e.response).encode())) for e in reads))

    def compute(self, spreadsheet_id: str) -> Callable[[], tuple[WritePlan, Snapshot]]:
        """The engine's plan on the sheet as it stands, from the fake's state: not an API call, and not
        the baseline's CPU (it has read the sheet its own way already; evaluate() is counted)."""

        def compute() -> tuple[WritePlan, Snapshot]:
            start = time.process_time()
            snapshot = self.contents(spreadsheet_id)
            self.oracle_seconds += time.process_time() - start
            return evaluate(snapshot, GoogleGateway.url(spreadsheet_id), AS_OF).plan, snapshot

        return compute

    def contents(self, spreadsheet_id: str) -> Snapshot:
        """What a copy holds, typed as okrsync reads it, straight from the fake's state (no call)."""
        data = spreadsheet_json(self.fake.book(spreadsheet_id), {"fields": [READ_FIELDS]})
        return parse_spreadsheet(data)[0]


def run_size(teams: int) -> tuple[dict[str, tuple[Cost, Cost | None]], dict[str, str], dict[str, Cost]]:
    """(first sync, unchanged rerun) for each method on `teams` teams; how each copy ended up against
    okrsync's, for the methods whose writes were executed; okrsync's cost in each scenario of SCENARIOS."""
    results: dict[str, tuple[Cost, Cost | None]] = {}
    outcome: dict[str, str] = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = TimedFake(check_responses=False)
        fake.install(rsps)
        bench = Bench(fake, teams)
        ids = [bench.provision() for _ in METHODS]
        bench.compute(ids[0])()  # warm-up: first-use costs (template loading…) are nobody's sync
        run = bench.okrsync(ids[0])
        first, rerun = bench.measure(run), bench.measure(run)
        results[METHODS[0]] = (first, rerun)
        if teams <= EXECUTE_DATAFRAMES_UP_TO:
            run = bench.with_dataframes(ids[1])
            results[METHODS[1]] = (bench.measure(run), bench.measure(run))
        results[METHODS[2]] = _cell_by_cell(bench, ids[2], execute=teams <= EXECUTE_CELL_BY_CELL_UP_TO)
        for method, spreadsheet_id in zip(METHODS[1:], ids[1:], strict=True):
            if method in results and results[method][0].executed:
                outcome[method] = compare(bench.contents(ids[0]), bench.contents(spreadsheet_id))
        type_week(fake, ids[0], teams)
        week = bench.measure(bench.okrsync(ids[0]))
        change_one_value(fake, ids[0])
        changed = bench.measure(bench.okrsync(ids[0]))
        scenarios = dict(zip(SCENARIOS, (first, week, changed, bench.measure(bench.okrsync(ids[0]))), strict=True))
        fake.assert_clean()
    return results, outcome, scenarios


def _cell_by_cell(bench: Bench, spreadsheet_id: str, execute: bool) -> tuple[Cost, Cost | None]:
    client = gspread.Client(auth=dummy_credentials(), http_client=DryWritesClient)
    http = client.http_client
    assert isinstance(http, DryWritesClient)
    http.dry = not execute

    def run() -> None:
        cell_by_cell(client, spreadsheet_id, bench.compute(spreadsheet_id), bench.rules)

    if not execute:
        # A dry first sync changed nothing in the fake, so its rerun would redo the first sync: not measured.
        return bench.measure(run, http), None
    # Before each write the fake pickles the whole spreadsheet, to roll a failed request back as Google
    # would (~20 ms a call here): thousands of calls would take minutes. Every request of this run must
    # succeed anyway (assert_clean), so the copy is skipped; validation and state changes are unchanged.
    with mock.patch.object(fake_sheets, "pickle", _NoRollback):
        return bench.measure(run, http), bench.measure(run, http)


class _NoRollback:
    """Stands in for `pickle` in the fake's request handling: no snapshot, hence no rollback."""

    @staticmethod
    def dumps(_: object) -> None:
        return None


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.1f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


Results = dict[int, tuple[dict[str, tuple[Cost, Cost | None]], dict[str, str], dict[str, Cost]]]


def google_results(sizes: list[int]) -> Results:
    """run_size for each size: what the report and the tables are made of."""
    out: Results = {}
    for teams in sizes:
        start = time.perf_counter()
        out[teams] = run_size(teams)
        print(f"{teams} teams measured in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return out


def _mb(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def table(results: Results) -> str:
    """The Markdown tables: first syncs against the baselines (with the ratio), okrsync's syncs by scenario."""
    lines = [
        "| workbook | method | read calls | write calls | total calls | × okrsync's | simulated time | quota-minutes |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for teams, (by_method, _outcomes, _scenarios) in results.items():
        ours = by_method[METHODS[0]][0].calls
        for method, (first, _) in by_method.items():
            star = "" if first.executed else " *"
            fits = "fits" if first.quota_minutes <= 1 else "429s"
            lines.append(
                f"| {teams} teams | {method}{star} | {first.reads:,} | {first.writes:,} | {first.calls:,} "
                f"| {first.calls / ours:,.1f} | {_duration(first.seconds)} | {first.quota_minutes:,.2f} ({fits}) |"
            )
    lines.append("")
    lines.append(
        f"First sync of a workbook of N teams × {KRS_PER_TEAM} KRs × {WEEKS} weeks of check-ins (laid out by "
        "okrsync with those rows), against the Sheets/Drive fake. Simulated time = calls × 150 ms + measured "
        f"client CPU (the fake's own work taken out). Quota-minutes = max(reads, writes) / {QUOTA_PER_MINUTE}: "
        "above 1 the job's calls do not fit in one minute's per-user quota: it gets 429s unless it waits. "
        "A call is one HTTP request: gspread opens a spreadsheet with 2 metadata GETs (open_by_key, "
        "worksheets()); get_as_dataframe is 1 values.get a tab; set_with_dataframe 1 resize + 1 values.update "
        "a changed tab; format_cell_ranges 1 batchUpdate a tab; update_cell and format 1 call each. "
        f"The dataframe baseline is run up to {EXECUTE_DATAFRAMES_UP_TO} teams. "
        "* writes built by gspread and counted by its HTTP client, not sent to the fake (reads executed)."
    )
    lines.append("")
    ends = [f"{method} ({teams} teams): {text}" for teams, (_r, found, _s) in results.items()
            for method, text in found.items()]
    lines.append("Sheet after the sync, against okrsync's copy: " + "; ".join(ends) + ".")
    lines += ["", "| workbook | okrsync sync | read + write calls | largest request | written | read answer "
              "| read ÷ rows in use | gzipped: read | gzipped: read ÷ rows in use | simulated time |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for teams, (_r, _o, scenarios) in results.items():
        for name, cost in scenarios.items():
            ratio = cost.read_bytes / cost.in_use_bytes if cost.in_use_bytes else 0
            zipped = cost.read_gzipped / cost.in_use_gzipped if cost.in_use_gzipped else 0
            largest = _mb(max(cost.sent, default=0))
            lines.append(f"| {teams} teams | {name} | {cost.reads} + {cost.writes} | {largest} | {_mb(sum(cost.sent))} "
                         f"| {_mb(cost.read_bytes)} | {ratio:.2f} | {_mb(cost.read_gzipped)} | {zipped:.2f} "
                         f"| {_duration(cost.seconds)} |")
    lines += ["", "Read answers as okrsync asks for them (compact JSON, UTF-8); rows in use: the same answer ended at "
              "each tab's last row holding a value. Gzipped: both compressed as Google compresses an answer to a "
              "call that asks for gzip, which okrsync's calls do."]
    return "\n".join(lines)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(table(google_results(sizes)))


if __name__ == "__main__":
    main()
