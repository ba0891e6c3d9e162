"""A quarter of weekly syncs from an empty workbook: which weeks need the second write call, and what the
reads cost as the tabs fill.

Run: python -m benchmarks.bench_quarter [TEAMS…]   (offline: everything goes to the Sheets/Drive fake of tests/)

The workbook is laid out as `okrsync init --google` lays it out, with N teams × 10 KRs typed in the OKR tab
and no check-in yet. Each of the quarter's 13 Mondays, people type that week's check-in of every KR below
their team's last row, and the sync runs. The second call is made only when a tab grows (or rows typed past
the anchored ones need anchors): a logarithmic number of times.
"""

from __future__ import annotations

import datetime as dt
import functools
import statistics
import sys
from dataclasses import dataclass

import responses

from benchmarks.bench_google import Bench, Cost, TimedFake, type_week
from benchmarks.common import KRS_PER_TEAM, SIZES, gateway
from benchmarks.synthetic import START, WEEKS, synthetic_layout
from sync.backends.gsheets import GoogleBackend
from sync.engine import run_sync


@dataclass
class Quarter:
    """The syncs of one quarter, week by week."""

    teams: int
    weeks: list[Cost]

    @property
    def second_calls(self) -> list[int]:
        """The weeks (1-based) whose sync made more than one write call."""
        return [week for week, cost in enumerate(self.weeks, 1) if cost.writes > 1]

    @property
    def ratios(self) -> list[float]:
        """Each week's read answer against what its rows in use cost."""
        return [c.read_bytes / c.in_use_bytes for c in self.weeks if c.in_use_bytes]

    @property
    def gzipped_ratios(self) -> list[float]:
        """The same, both gzipped: what crosses the network."""
        return [c.read_gzipped / c.in_use_gzipped for c in self.weeks if c.in_use_gzipped]


def run_quarter(teams: int) -> Quarter:
    """Lay out an empty workbook of `teams` teams and run the quarter's 13 weekly check-ins and syncs."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = TimedFake(check_responses=False)
        fake.install(rsps)
        bench = Bench(fake, teams)
        bench.layout = synthetic_layout(teams, KRS_PER_TEAM, 0, "fr")
        spreadsheet_id = bench.provision()
        backend = GoogleBackend(spreadsheet_id, gateway(), "fr")
        weeks = []
        for week in range(WEEKS):
            monday = START + dt.timedelta(days=7 * week)
            type_week(fake, spreadsheet_id, teams, monday, base=8 * (week + 1))
            weeks.append(bench.measure(functools.partial(sync_on, backend, monday)))
        fake.assert_clean()
    return Quarter(teams, weeks)


def sync_on(backend: GoogleBackend, day: dt.date) -> None:
    run_sync(backend, day)


def table(quarters: list[Quarter]) -> str:
    """The Markdown table: per size, the weeks needing a second call and the reads' ratio."""
    lines = ["| workbook | weeks with a 2nd write call | write calls in the quarter | read ÷ rows in use: median "
             "| highest (week, read answer) | weeks over 2 | gzipped: highest | largest read answer |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for q in quarters:
        weeks = ", ".join(map(str, q.second_calls)) or "none"
        worst = max(range(len(q.ratios)), key=q.ratios.__getitem__)
        over = sum(r > 2 for r in q.ratios)
        lines.append(f"| {q.teams} teams | {weeks} ({len(q.second_calls)} of {WEEKS}) "
                     f"| {sum(c.writes for c in q.weeks)} | {statistics.median(q.ratios):.2f} "
                     f"| {q.ratios[worst]:.2f} (week {worst + 1}, {q.weeks[worst].read_bytes / 1e6:.2f} MB) | {over} "
                     f"| {max(q.gzipped_ratios):.2f} | {max(c.read_bytes for c in q.weeks) / 1e6:.2f} MB |")
    lines += ["", f"A workbook laid out empty (N teams × {KRS_PER_TEAM} KRs typed, no check-in), then {WEEKS} Mondays: "
              "each, every KR's check-in typed below its team's last row, and one sync. A week whose sync makes a "
              "second write call is one where a tab grew (or rows typed past the anchored ones were anchored)."]
    return "\n".join(lines)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(table([run_quarter(teams) for teams in sizes]))


if __name__ == "__main__":
    main()
