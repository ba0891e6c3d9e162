"""A sync that crashes midway: an exception after the read, a write that fails for good, a write Google applied
but answered with a timeout until the retries ran out. The run is recorded as failed, no person's cell changes,
and the next sync leaves exactly the sheet a sync without the crash leaves."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.engine import run_sync
from tests.fault_support import AS_OF, ServiceOnFake, State, Workbooks, cells_only, copied, people_cells, state
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.google_harness import sync_backend, tab, type_rows

LANG = "fr"
ANCHORING, VALUES = r":batchUpdate(\?|$)", "values:batchUpdateByDataFilter"


class Crash:
    """A first sync of a two-team workbook, its state before, and the state a sync without crash leaves.

    The workbook was laid out by an older okrsync, with no row anchored yet: the sync makes both its calls,
    the batch that anchors rows and the values write, and the crash can hit either.
    """

    def __init__(self, fake: FakeGoogle, tmp_path: Path) -> None:
        self.fake = fake
        books = Workbooks(fake)
        self.sid = books.clone(books.base(LANG, 2, synced=False))
        fake.book(self.sid).metadata.clear()
        for j, team in enumerate(("Ventes", "Marketing"), start=1):
            type_rows(fake, self.sid, tab("checkins", LANG, team),
                      [["2025-01-20", f"T{j}-KR1", 12, "🟢"], ["2025-02-10", f"T{j}-KR2", 70, "🔴"]])
        self.initial, self.typed = state(fake, self.sid), people_cells(fake, self.sid, LANG)
        before = copied(fake.book(self.sid))
        run_sync(sync_backend(fake, self.sid, LANG), AS_OF)
        self.reference: State = state(fake, self.sid)
        fake.books[self.sid] = before
        self.service = ServiceOnFake(tmp_path, random.Random(0))
        self.wb = self.service.register(self.sid, LANG)
        fake.exchanges.clear()

    def sync(self) -> Any:
        """One sync through the runner; its run as recorded."""
        return self.service.sync(self.wb).run

    def writes(self) -> list[str]:
        """The writes answered since the last look."""
        kinds = [c.kind.rsplit(".", 1)[-1] for c in self.fake.write_calls()]
        self.fake.exchanges.clear()
        return kinds

    def settles(self, writes: list[str]) -> None:
        """The next sync, without the fault, succeeds with `writes` and leaves the fault-free sheet."""
        self.fake.clear_faults()
        self.fake.exchanges.clear()
        assert self.sync().outcome == "ok"
        assert self.writes() == writes
        assert state(self.fake, self.sid) == self.reference
        assert people_cells(self.fake, self.sid, LANG) == self.typed


@pytest.fixture
def crash(google_fake: FakeGoogle, tmp_path: Path) -> Crash:
    return Crash(google_fake, tmp_path)


def test_an_exception_after_the_read_changes_nothing_and_the_next_sync_ends_right(
        crash: Crash, monkeypatch: pytest.MonkeyPatch) -> None:
    def plan_fails(*_args: Any) -> Any:
        raise RuntimeError("the plan stage fell over")

    with monkeypatch.context() as patched:
        patched.setattr("sync.engine.plan_writes", plan_fails)
        run = crash.sync()
    assert (run.outcome, run.error_code, run.error) == ("failed", "internal", "RuntimeError")
    assert crash.writes() == [] and state(crash.fake, crash.sid) == crash.initial
    crash.settles(["batchUpdate", "batchUpdateByDataFilter"])


@pytest.mark.parametrize("call", [ANCHORING, VALUES], ids=["anchoring", "values"])
def test_a_write_that_fails_for_good_leaves_every_cell_and_the_next_sync_ends_right(
        crash: Crash, call: str) -> None:
    crash.fake.fail_next(call, 500, times=None)
    run = crash.sync()
    assert (run.outcome, run.error_code) == ("failed", "google_gave_up")
    assert cells_only(state(crash.fake, crash.sid)) == cells_only(crash.initial)
    if call == ANCHORING:
        assert crash.writes() == [] and state(crash.fake, crash.sid) == crash.initial
        crash.settles(["batchUpdate", "batchUpdateByDataFilter"])
    else:  # the anchors went in first, the very ones the fault-free sync lays: the next sync writes once
        assert crash.writes() == ["batchUpdate"]
        assert state(crash.fake, crash.sid)["metadata"] == crash.reference["metadata"]
        crash.settles(["batchUpdateByDataFilter"])


@pytest.mark.parametrize("call", [ANCHORING, VALUES], ids=["anchoring", "values"])
def test_a_write_applied_but_answered_with_a_timeout_until_the_retries_run_out_ends_right_next_sync(
        crash: Crash, call: str) -> None:
    crash.fake.drop_next(call, requests.exceptions.ReadTimeout, times=None, after_apply=True)
    run = crash.sync()
    assert (run.outcome, run.error_code) == ("failed", "google_gave_up")
    if call == ANCHORING:
        # Applied once; its two repeats refused whole for their anchor IDs: one set of anchors, no cell written.
        assert [e.status for e in crash.fake.exchanges] == [200, 0, 0, 0]
        refusals = crash.fake.take_errors()
        assert len(refusals) == 2 and all("already exists" in e for e in refusals)
        assert cells_only(state(crash.fake, crash.sid)) == cells_only(crash.initial)
        assert state(crash.fake, crash.sid)["metadata"] == crash.reference["metadata"]
        crash.settles(["batchUpdateByDataFilter"])
    else:  # the values landed three times over, the same each time: the sheet is already whole
        assert state(crash.fake, crash.sid) == crash.reference
        crash.settles([])
    assert people_cells(crash.fake, crash.sid, LANG) == crash.typed
