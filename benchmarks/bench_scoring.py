"""Time each engine stage on 10 000 and 100 000 check-in rows (target: scoring 100 000 rows under 1 s).

Run: python -m benchmarks.bench_scoring
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.synthetic import AS_OF, synthetic_workbook
from sync.lint import kr_frame, read_rows
from sync.plan import plan_writes
from sync.rollup import roll_up
from sync.score import score_checkins, score_krs
from sync.validate import validate_checkins
from sync.workbook import read_workbook


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def measure(rows: int, teams: int = 50) -> dict[str, float]:
    # One check-in per KR per week over 12 weeks, as real workbooks have: more rows means more KRs.
    krs = max(1, rows // (teams * 12))
    backend = synthetic_workbook(teams, krs, rows)
    snapshot = backend.read()
    out: dict[str, float] = {}
    out["read frames"], wb = best_of(lambda: read_workbook(snapshot, "bench"))
    out["OKR lint"], okr_rows = best_of(lambda: read_rows(wb))
    kr = kr_frame(okr_rows)
    out["validate"], (checkins, problems) = best_of(
        lambda: validate_checkins(wb.checkins, okr_rows, kr, wb.settings, AS_OF)
    )

    def scoring() -> Any:
        scored = score_checkins(checkins, kr, wb.settings, AS_OF)
        krs_scored = score_krs(kr, scored, wb.settings, AS_OF)
        return scored, krs_scored, roll_up(okr_rows, krs_scored, wb.settings, AS_OF)

    out["score + roll up"], (scored, krs_scored, rollup) = best_of(scoring)
    out["plan (incl. history)"], _ = best_of(
        lambda: plan_writes(wb, okr_rows, krs_scored, scored, rollup, problems, AS_OF), repeat=1
    )
    out["rows"] = len(checkins)
    return out


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000]
    results = {n: measure(n) for n in sizes}
    stages = [k for k in next(iter(results.values())) if k != "rows"]
    print("| stage | " + " | ".join(f"{n:,} rows" for n in sizes) + " |")
    print("|---|" + "---:|" * len(sizes))
    for stage in stages:
        print(f"| {stage} | " + " | ".join(f"{results[n][stage] * 1000:,.0f} ms" for n in sizes) + " |")
    total = {n: statistics.fsum(v for k, v in results[n].items() if k != "rows") for n in sizes}
    print("| **total** | " + " | ".join(f"{total[n] * 1000:,.0f} ms" for n in sizes) + " |")


if __name__ == "__main__":
    main()
