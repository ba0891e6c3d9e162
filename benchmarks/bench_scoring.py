"""Time the whole engine, stage by stage, on 10 000, 100 000 and 1 000 000 check-in rows, and its peak memory.

Run: python -m benchmarks.bench_scoring [ROWS ...]

The engine is `sync.engine.evaluate` (read → lint → validate → score → roll up → plan, History included), on a
synthetic workbook of 50 teams with one check-in per KR per week over the 13 weeks of the quarter (more rows,
more KRs). Building the workbook is not timed. Times are the process's CPU time: the engine runs on one
thread, so on a quiet machine that is its wall time, and other work on the machine does not inflate it. Each
figure is the median of 3 runs (2 from 1 000 000 rows on, said in the table); peak memory is tracemalloc's
peak over one more whole-engine run, counting what the engine allocates on top of the snapshot it reads.
Targets: 100 000 rows under 1 s, 1 000 000 under 10 s and 1 GB.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from typing import Any

from benchmarks.synthetic import AS_OF, WEEKS, synthetic_snapshot
from sync.engine import evaluate, gc_paused
from sync.model import Snapshot
from sync.parsing.workbook import read_workbook
from sync.stages.lint import kr_frame, read_rows
from sync.stages.rollup import roll_up
from sync.stages.score import score_checkins, score_krs
from sync.stages.validate import validate_checkins
from sync.writeback.plan import plan_writes

SIZES = (10_000, 100_000, 1_000_000)
STAGES = ("read frames", "OKR lint", "validate", "score + roll up", "plan (incl. history)")
TEAMS = 50


def snapshot_of(rows: int) -> Snapshot:
    """The synthetic workbook of `rows` check-ins, as read."""
    return synthetic_snapshot(TEAMS, max(1, rows // (TEAMS * WEEKS)), rows)


def run_stages(snapshot: Snapshot) -> dict[str, float]:
    """One whole-engine run, as `evaluate` does it, timing each stage (seconds)."""
    times: dict[str, float] = {}
    t0 = time.process_time()
    wb = read_workbook(snapshot, "bench")
    t1 = time.process_time()
    rows = read_rows(wb)
    krs = kr_frame(rows)
    t2 = time.process_time()
    checkins, problems = validate_checkins(wb.checkins, rows, krs, wb.settings, AS_OF)
    t3 = time.process_time()
    checkins = score_checkins(checkins, krs, wb.settings, AS_OF)
    krs = score_krs(krs, checkins, wb.settings, AS_OF)
    rollup = roll_up(rows, krs, wb.settings, AS_OF)
    t4 = time.process_time()
    plan_writes(wb, rows, krs, checkins, rollup, problems, AS_OF)
    t5 = time.process_time()
    for stage, (a, b) in zip(STAGES, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)], strict=True):
        times[stage] = b - a
    times["whole engine"] = t5 - t0
    times["check-ins"] = len(checkins)
    return times


def peak_memory(snapshot: Snapshot) -> int:
    """Bytes at tracemalloc's peak during one `evaluate`, over what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    evaluation = evaluate(snapshot, "bench", AS_OF)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    del evaluation
    return peak


def engine_results(sizes: tuple[int, ...] | list[int] = SIZES) -> dict[int, dict[str, Any]]:
    """For each size: the median seconds of each stage and of the whole engine, the runs, rows, and peak bytes."""
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        snapshot = snapshot_of(size)
        repeat = 3 if size < 1_000_000 else 2
        runs = []
        for _ in range(repeat):
            gc.collect()
            with gc_paused:  # as evaluate runs the stages
                runs.append(run_stages(snapshot))
        results[size] = {
            "seconds": {k: statistics.median(r[k] for r in runs) for k in (*STAGES, "whole engine")},
            "runs": repeat,
            "check-ins": int(runs[0]["check-ins"]),
            "peak_bytes": peak_memory(snapshot),
        }
        del snapshot
    return results


def markdown(results: dict[int, dict[str, Any]]) -> str:
    """The results as a markdown table: one column per size, one row per stage, then the whole engine and memory."""
    sizes = list(results)
    head = "| stage | " + " | ".join(f"{n:,} rows" for n in sizes) + " |"
    lines = [head, "|---|" + "---:|" * len(sizes)]
    lines.insert(0, "CPU time of each stage (one thread), medians:\n")
    for stage in (*STAGES, "whole engine"):
        cells = [f"{results[n]['seconds'][stage] * 1000:,.0f} ms" for n in sizes]
        label = f"**{stage}**" if stage == "whole engine" else stage
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| peak memory (tracemalloc) | " + " | ".join(
        f"{results[n]['peak_bytes'] / 2**20:,.0f} MiB" for n in sizes) + " |")
    lines.append("| runs (median of) | " + " | ".join(str(results[n]["runs"]) for n in sizes) + " |")
    return "\n".join(lines)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(markdown(engine_results(sizes)))


if __name__ == "__main__":
    main()
