"""The performance report: every benchmark, run on this machine, written to benchmarks/RESULTS.md.

Run: python -m benchmarks.report   (needs `pip install -e '.[dev,bench]'`; offline; about half an hour on 2 cores)

Each figure is a median of several runs where it varies (CPU time, memory); API calls and bytes are counts.
`--quick` runs the small sizes only, to check the report builds.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import bench_google, bench_memory, bench_nightly, bench_quarter, bench_scoring

OUT = Path(__file__).with_name("RESULTS.md")


def commit() -> str:
    """ ", at commit abc1234" when run from a git checkout (with "+ changes" when it has uncommitted ones)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=OUT.parent.parent).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sync", "benchmarks", "tests"],
                               capture_output=True, text=True, check=True, cwd=OUT.parent.parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f", at commit {head}{' + changes' if dirty else ''}"


def machine() -> str:
    """What this machine is: CPU, cores, memory, OS, Python."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        total_kb = int(meminfo.read_text().split()[1])
        memory = f", {total_kb / 1024 / 1024:.0f} GiB of memory"
    return (f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    started = time.perf_counter()
    google_sizes = [3, 10] if quick else list(bench_google.SIZES)
    engine_sizes = [10_000] if quick else [10_000, 100_000, 1_000_000]
    nightly_sizes = [20] if quick else [200, 1_000]
    sections = [
        "# okrsync performance report",
        "",
        f"Measured on {dt.date.today().isoformat()}{commit()}: {machine()}. "
        f"Made by `python -m benchmarks.report`{' --quick' if quick else ''}.",
        "",
        "## API calls and bytes per sync, against the baselines",
        "",
        bench_google.table(bench_google.google_results(google_sizes)),
        "",
        "## A quarter of weekly syncs from an empty workbook",
        "",
        bench_quarter.table([bench_quarter.run_quarter(teams) for teams in google_sizes]),
        "",
        "## CPU time and memory of one sync, by backend",
        "",
        bench_memory.table(bench_memory.memory_results(google_sizes)),
        "",
        "## Engine throughput, by stage",
        "",
        bench_scoring.markdown(bench_scoring.engine_results(engine_sizes)),
        "",
        "## The nightly run under the Sheets quota",
        "",
        bench_nightly.markdown(bench_nightly.nightly_results(tuple(nightly_sizes))),
        "",
        f"_The whole report took {(time.perf_counter() - started) / 60:.0f} min._",
        "",
    ]
    OUT.write_text("\n".join(sections))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
