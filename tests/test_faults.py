"""Faults at the HTTP layer over 100 syncs of different workbooks: each sync ends with exactly the sheet a
fault-free sync makes, or fails cleanly with no cell changed and its run recorded as failed; the next sync
converges. No anchor is ever laid twice.

Reproduce the figures with `.venv/bin/pytest -q -s tests/test_faults.py`.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import responses

from sync.engine import run_sync
from tests.fault_support import (
    AS_OF,
    ServiceOnFake,
    Workbooks,
    cells_only,
    copied,
    duplicate_anchors,
    evaluate_once,
    only_laid_anchors,
    random_faults,
    state,
)
from tests.google_fake import FakeGoogle
from tests.google_harness import sync_backend

SEED = 20250214
SYNCS = int(os.environ.get("FAULT_SYNCS", "100"))
RATE = 0.3


@pytest.fixture
def google_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGoogle]:
    """The Google fake checking every request, not its own answers (tests/test_google_fake.py does), with the
    engine's pure evaluation shared by the syncs that read the same snapshot: 300 syncs in a few seconds."""
    monkeypatch.setattr("sync.engine.evaluate", evaluate_once())
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        fake = FakeGoogle(check_responses=False)
        fake.install(rsps)
        yield fake
    fake.assert_clean()


def test_every_sync_under_30_percent_faults_ends_right_or_fails_cleanly_and_the_next_converges(
        google_fake: FakeGoogle, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    books, service = Workbooks(google_fake), ServiceOnFake(tmp_path, rng)
    drawn: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    wrong: list[str] = []
    duplicates = 0
    for n in range(SYNCS):
        sid, lang, scenario = books.make(rng)
        before = copied(google_fake.book(sid))
        initial = state(google_fake, sid)
        run_sync(sync_backend(google_fake, sid, lang), AS_OF)  # the same workbook, the same code, no fault
        reference = state(google_fake, sid)
        google_fake.books[sid] = before

        google_fake.inject_faults(random_faults(rng, RATE, drawn))
        wb = service.register(sid, lang)
        outcome = service.sync(wb)
        google_fake.inject_faults(None)
        after = state(google_fake, sid)
        duplicates += duplicate_anchors(google_fake, sid)
        where = f"sync {n} ({scenario}, {lang}, {outcome.run.outcome})"
        if outcome.run.outcome == "ok":
            outcomes["converged"] += 1
            if after != reference:
                wrong.append(f"{where}: the sheet differs from the fault-free one")
            continue
        recorded = [(r.outcome, r.error_code) for r in service.svc.registry.runs(wb.id)]
        if recorded != [("failed", outcome.run.error_code)] or not outcome.run.error or outcome.error is None:
            wrong.append(f"{where}: the run is not recorded as failed: {recorded}")
        if cells_only(after) == cells_only(initial) and only_laid_anchors(after, initial, reference):
            outcomes["failed"] += 1  # no cell changed
            outcomes["anchored"] += after["metadata"] != initial["metadata"]  # the first call went through
        elif after == reference:
            outcomes["complete"] += 1  # the last write went through, its answer was lost: a failed run, a whole sheet
        else:
            wrong.append(f"{where}: partial — the failed sync left the sheet half written")
        again = service.sync(wb)  # the next sync, without faults
        if again.run.outcome != "ok" or state(google_fake, sid) != reference:
            wrong.append(f"{where}: the next sync did not converge to the fault-free sheet")
        duplicates += duplicate_anchors(google_fake, sid)

    # A retried call that Google had applied is refused for its anchor IDs: the only 400s of the whole run.
    refusals = google_fake.take_errors()
    assert all("createDeveloperMetadata: Developer metadata with ID" in e and "already exists" in e
               for e in refusals), refusals
    kinds = ", ".join(f"{kind}: {n}" for kind, n in sorted(drawn.items()))
    print(f"\nfaults: {outcomes['converged']}/{SYNCS} converged on the first try, {outcomes['failed']} failed "
          f"cleanly with no cell changed ({outcomes['anchored']} of them with the fault-free sync's anchors laid), "
          f"{outcomes['complete']} failed after their last write went through "
          f"(the sheet already whole), {len(wrong)} partial or wrong, {duplicates} duplicate anchors; every "
          f"failed sync converged on the next one. {sum(drawn.values())} faults injected ({kinds}); "
          f"{len(refusals)} repeated anchorings recognised")
    assert wrong == [] and duplicates == 0
    assert outcomes["converged"] + outcomes["failed"] + outcomes["complete"] == SYNCS
    assert outcomes["failed"] > 0 and outcomes["converged"] > SYNCS // 2  # both paths were exercised
    assert len(refusals) > 0 and all(drawn[k] > 0 for k in ("ReadTimeout after applying", "HTTP 429 before applying"))
