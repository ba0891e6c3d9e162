"""CPU time and peak memory of one sync, on each backend, for N teams × 10 KRs × 13 weeks of check-ins.

Run: python -m benchmarks.bench_memory [TEAMS…]   (offline)

Two syncs are measured: a workbook's first (everything computed is written), and a normal week's after it
(History full, a week of check-in rows typed: the largest read). On Google the spreadsheet lives in the
Sheets/Drive fake, whose answer to the sync's read is captured first; the sync is then measured in a
fresh process against that answer replayed (and its writes accepted), so that only okrsync's own work and
memory are counted, not the fake's. On xlsx the workbook is a real .xlsx file.

Two memory figures: the peak of what the sync allocates (tracemalloc, which numpy and pandas report to), and
the peak resident size of the whole process (VmHWM: interpreter and libraries included).
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import responses

from benchmarks.common import KRS_PER_TEAM, SIZES, benchmark_layout, gateway
from benchmarks.synthetic import AS_OF, WEEKS
from sync.backends.gsheets import READ_FIELDS, GoogleBackend
from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.template import catalog

RUNS = 3
SHEETS = "https://sheets.googleapis.com/v4/spreadsheets"


#: The syncs measured: a workbook's first, and a normal week's (a week of rows typed after it).
SYNCS = ("first sync", "a normal week")


def google_answers(teams: int, folder: Path) -> dict[str, Path]:
    """The fake's answers to the read of each sync of SYNCS, saved as JSON."""
    # Imported here: the measured processes never load the fake.
    from benchmarks.bench_google import type_week
    from tests.google_fake import FakeGoogle
    from tests.google_fake.render import spreadsheet_json

    paths = {sync: folder / f"google-{teams}-{n}.json" for n, sync in enumerate(SYNCS)}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGoogle(check_responses=False)
        fake.install(rsps)
        url = GoogleBackend(None, gateway(), "fr").provision(benchmark_layout(teams))
        spreadsheet_id = url.rsplit("/", 1)[-1]
        paths[SYNCS[0]].write_bytes(_as_sent(spreadsheet_json(fake.book(spreadsheet_id), {"fields": [READ_FIELDS]})))
        run_sync(GoogleBackend(spreadsheet_id, gateway(), "fr"), AS_OF)
        type_week(fake, spreadsheet_id, teams)
        paths[SYNCS[1]].write_bytes(_as_sent(spreadsheet_json(fake.book(spreadsheet_id), {"fields": [READ_FIELDS]})))
    return paths


def _as_sent(answer: dict[str, Any]) -> bytes:
    """An answer as Google sends it to okrsync's calls: UTF-8 (an emoji is its four bytes, not an escape) and,
    asked `prettyPrint=false`, without indentation."""
    return json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()


def xlsx_workbooks(teams: int, folder: Path) -> dict[str, Path]:
    """The same workbook as a local .xlsx file before its first sync, and after it with a week of rows typed."""
    first, week = folder / f"okr-{teams}.xlsx", folder / f"okr-{teams}-week.xlsx"
    XlsxBackend(first, lang="fr").provision(benchmark_layout(teams), overwrite=True)
    XlsxBackend(week, lang="fr").provision(benchmark_layout(teams), overwrite=True)
    run_sync(XlsxBackend(week, lang="fr"), AS_OF)
    book = openpyxl.load_workbook(week)
    monday = AS_OF + dt.timedelta(days=7 - AS_OF.weekday())
    for t in range(teams):
        sheet = book[catalog.checkin_tab_name(f"Équipe {t + 1:02d}", "fr")]
        last = max(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value is not None)
        for k in range(KRS_PER_TEAM):
            for c, value in enumerate((monday, f"T{t}-KR{k + 1}", 50 + k, "🟢"), 1):
                sheet.cell(last + 1 + k, c, value)
    book.save(week)
    return dict(zip(SYNCS, (first, week), strict=True))


def sync_once(kind: str, path: str, traced: bool) -> dict[str, float]:
    """One first sync, in this process: CPU seconds, or the traced peak; the process's peak RSS, and its RSS
    before the sync (interpreter and libraries)."""
    before = _peak_rss_mb()
    return {**_sync_once(kind, path, traced), "before": before}


def _sync_once(kind: str, path: str, traced: bool) -> dict[str, float]:
    if kind == "google":
        body = Path(path).read_bytes()  # bytes, as the network gives them (see _as_sent)
        with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
            rsps.get(f"{SHEETS}/bench", body=body, content_type="application/json")
            rsps.post(f"{SHEETS}/bench:batchUpdate", json={"spreadsheetId": "bench", "replies": []})
            rsps.post(f"{SHEETS}/bench/values:batchUpdateByDataFilter", json={"spreadsheetId": "bench"})
            return _measured(lambda: run_sync(GoogleBackend("bench", gateway(), "fr"), AS_OF), traced)
    return _measured(lambda: run_sync(XlsxBackend(Path(path), lang="fr"), AS_OF), traced)


def _measured(run: Any, traced: bool) -> dict[str, float]:
    if traced:
        tracemalloc.start()
    start = time.process_time()
    run()
    cpu = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1] if traced else 0
    tracemalloc.stop()
    return {"cpu": cpu, "traced": peak / 1e6, "rss": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """This process's peak resident size: VmHWM, which a new program starts afresh (ru_maxrss would carry the
    parent's peak over the fork)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_fresh_process(kind: str, path: Path, traced: bool) -> dict[str, float]:
    """sync_once in a new Python process, so that its peak RSS is this sync's alone."""
    code = ("import json, sys; from benchmarks.bench_memory import sync_once; "
            "print(json.dumps(sync_once(sys.argv[1], sys.argv[2], sys.argv[3] == '1')))")
    done = subprocess.run([sys.executable, "-c", code, kind, str(path), "1" if traced else "0"],
                          capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def memory_results(sizes: list[int]) -> list[dict[str, Any]]:
    """For each size, backend and sync: medians over RUNS of CPU seconds, traced peak MB and process peak RSS MB."""
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for teams in sizes:
            for kind, paths in (("google", google_answers(teams, folder)), ("xlsx", xlsx_workbooks(teams, folder))):
                for sync, path in paths.items():
                    plain = [in_fresh_process(kind, path, traced=False) for _ in range(RUNS)]
                    traced = [in_fresh_process(kind, path, traced=True) for _ in range(RUNS)]
                    out.append({"teams": teams, "backend": kind, "sync": sync,
                                "cpu": statistics.median(r["cpu"] for r in plain),
                                "rss": statistics.median(r["rss"] for r in plain),
                                "before": statistics.median(r["before"] for r in plain),
                                "traced": statistics.median(r["traced"] for r in traced)})
                print(f"{teams} teams, {kind}: measured", file=sys.stderr, flush=True)
    return out


def table(results: list[dict[str, Any]]) -> str:
    """The Markdown table of memory_results."""
    lines = ["| workbook | backend | sync | CPU time of the sync | peak allocated by the sync "
             "| peak RSS of the process | of which before the sync |", "|---|---|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['teams']} teams | {r['backend']} | {r['sync']} | {r['cpu']:.2f} s | {r['traced']:.0f} MB "
                     f"| {r['rss']:.0f} MB | {r['before']:.0f} MB |")
    lines += ["", f"Medians of {RUNS} syncs, each in a fresh process: the first sync of a workbook laid out with "
              f"{WEEKS} weeks of check-ins typed, and the sync of a normal week after it (History full, a week of "
              "rows typed). Peak allocated: tracemalloc (numpy and pandas report to it; openpyxl's parser partly "
              "does not). Peak RSS: VmHWM, Python and its libraries included; the last column is what the process "
              "held once its libraries were loaded."]
    return "\n".join(lines)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(table(memory_results(sizes)))


if __name__ == "__main__":
    main()
