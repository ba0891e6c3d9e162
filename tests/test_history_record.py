"""History is a record: a changed target leaves the weeks already written as they are and shows in the KR's Notes,
a changed check-in rewrites its week with that week's target, and a History without Start and Target converts.

Whole syncs through `run_sync`, on a local .xlsx and on the Google fake, in both languages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sync.backends.base import Backend
from sync.backends.xlsx import XlsxBackend
from sync.engine import run_sync
from sync.model import Grid, Percent
from sync.template import catalog
from tests.builders import objective_with_krs, okr, workbook_layout
from tests.google_fake import FakeGoogle
from tests.google_fake import google_fake as google_fake  # the fixture, re-exported for this module
from tests.google_fake.a1 import col_letters
from tests.google_harness import compact, provision, sync_backend

D = dt.date
W1, W2, W3, W4 = D(2025, 1, 6), D(2025, 1, 13), D(2025, 1, 20), D(2025, 1, 27)
HISTORY = {c.key: i for i, c in enumerate(catalog.columns("history", "en"))}
OKR_COL = {c.key: i + 1 for i, c in enumerate(catalog.columns("okrs", "en"))}
#: Sheet rows of the KRs on the OKR tab, and of KR2's first check-in on Marketing's tab.
KR_ROW = {"MKT-KR1": 3, "MKT-KR2": 4}
KR2_FIRST_CHECKIN = 5


def okrs() -> list[dict[str, Any]]:
    return objective_with_krs(
        okr("MKT-KR1", "Marketing", "increase", "Générer 100 leads", start=0, target=100, unit="leads"),
        okr("MKT-KR2", "Marketing", "increase", "Signer 50 contrats", start=0, target=50, unit="contrats"),
    )


def checkins() -> list[list[Any]]:
    """KR1 checked in every week; KR2 once, in the first week, carried forward since."""
    return [[W1, "MKT-KR1", 10, "🟢", None], [W2, "MKT-KR1", 20, None, None], [W3, "MKT-KR1", 30, None, None],
            [W1, "MKT-KR2", 5, None, None]]


class Book:
    """The workbook on one backend: sync it, read a tab as a sync does, type into it as a person does."""

    def __init__(self, kind: str, lang: str, tmp_path: Path, fake: FakeGoogle) -> None:
        self.kind, self.lang, self.fake = kind, lang, fake
        layout = workbook_layout(okrs(), {"Marketing": checkins()}, lang=lang)
        if kind == "xlsx":
            self.path = tmp_path / "okr.xlsx"
            XlsxBackend(self.path, lang=lang).provision(layout)
        else:
            self.sid = provision(fake, compact(layout, 60))

    def backend(self) -> Backend:
        return XlsxBackend(self.path, lang=self.lang) if self.kind == "xlsx" else sync_backend(self.fake, self.sid,
                                                                                                self.lang)

    def sync(self, day: dt.date) -> dict[str, Any]:
        return run_sync(self.backend(), day)

    def grid(self, key: str) -> Grid:
        return self.backend().read().tabs[self.name(key)].grid

    def name(self, key: str) -> str:
        return catalog.checkin_tab_name("Marketing", self.lang) if key == "checkins" else catalog.tab_name(key,
                                                                                                            self.lang)

    def type(self, key: str, row: int, col: int, value: Any) -> None:
        if self.kind == "xlsx":
            wb = openpyxl.load_workbook(self.path)
            wb[self.name(key)].cell(row, col).value = value
            wb.save(self.path)
        else:
            self.fake.set_values(self.sid, f"'{self.name(key)}'!{col_letters(col - 1)}{row}", [[value]])

    def make_history_old_style(self) -> None:
        """History as okrsync wrote it before it had Start and Target columns: the same rows, without them."""
        title = self.name("history")
        if self.kind == "xlsx":
            wb = openpyxl.load_workbook(self.path)
            for line in wb[title].iter_rows(min_col=HISTORY["start"] + 1, max_col=HISTORY["target"] + 1):
                for cell in line:
                    cell.value = None
            wb.save(self.path)
        else:
            cells = self.fake.sheet(self.sid, title).cells
            for at in [at for at in cells if at[1] >= HISTORY["start"]]:
                del cells[at]

    def notes(self, kr_id: str) -> list[str]:
        line = self.grid("okrs")[KR_ROW[kr_id] - 1]
        notes = line[OKR_COL["notes"] - 1] if len(line) >= OKR_COL["notes"] else None
        return str(notes or "").split("\n")


@pytest.fixture(params=[("xlsx", "fr"), ("xlsx", "en"), ("google", "fr"), ("google", "en")], ids="-".join)
def book(request: pytest.FixtureRequest, tmp_path: Path, google_fake: FakeGoogle) -> Book:
    kind, lang = request.param
    return Book(kind, lang, tmp_path, google_fake)


def target_changed(lang: str, old: str, new: str, day: str) -> str:
    return (f"cible changée de {old} à {new} le {day}" if lang == "fr"
            else f"target changed from {old} to {new} on {day}")


def rows_of(grid: Grid, kr_id: str) -> dict[dt.date, list[Any]]:
    return {line[0]: line for line in grid[1:] if line[1] == kr_id}


def test_a_target_change_leaves_the_weeks_written_as_they_were_and_shows_in_notes(book: Book) -> None:
    book.sync(D(2025, 1, 21))
    written = book.grid("history")
    assert written[0][HISTORY["start"]:] == [c.label for c in catalog.columns("history", book.lang)][-2:]
    assert [line[HISTORY["target"]] for line in rows_of(written, "MKT-KR1").values()] == [100, 100, 100]

    book.type("okrs", KR_ROW["MKT-KR1"], OKR_COL["target"], 200)
    report = book.sync(D(2025, 1, 22))

    assert book.grid("history") == written  # cell by cell
    assert book.notes("MKT-KR1") == [target_changed(book.lang, "100", "200", "2025-01-22")]
    kr1 = next(k for k in report["key_results"] if k["id"] == "MKT-KR1")
    assert (kr1["target"], kr1["progress"]) == (200, 0.15)  # the OKR tab goes by the target in force now
    assert book.sync(D(2025, 1, 22))["writes"]["cells"] == 0

    # The next week is written with the new target; the weeks before stay; the note stays, with its first date.
    book.sync(D(2025, 1, 28))
    history = book.grid("history")
    kr1_rows = rows_of(history, "MKT-KR1")
    assert [kr1_rows[w] for w in (W1, W2, W3)] == list(rows_of(written, "MKT-KR1").values())
    assert kr1_rows[W4][HISTORY["target"]] == 200 and kr1_rows[W4][HISTORY["progress"]] == Percent(0.15)
    assert book.notes("MKT-KR1") == [target_changed(book.lang, "100", "200", "2025-01-22")]
    report = book.sync(D(2025, 1, 28))
    assert report["writes"]["cells"] == 0
    if book.kind == "google":
        assert report["writes"]["api_calls"] == {"read": 1, "write": 0}


def test_a_changed_check_in_rewrites_its_week_and_the_weeks_it_carries_into_with_their_recorded_target(
    book: Book,
) -> None:
    book.sync(D(2025, 1, 21))
    written = book.grid("history")
    # KR2's target goes from 50 to 100, and its only check-in, of the first week, from 5 to 10.
    book.type("okrs", KR_ROW["MKT-KR2"], OKR_COL["target"], 100)
    book.type("checkins", KR2_FIRST_CHECKIN, 3, 10)
    book.sync(D(2025, 1, 22))

    history = book.grid("history")
    assert rows_of(history, "MKT-KR1") == rows_of(written, "MKT-KR1")
    kr2 = rows_of(history, "MKT-KR2")
    assert sorted(kr2) == [W1, W2, W3]
    for week, line in kr2.items():
        # Computed again, with the target those weeks recorded (50): 10 of 50 is 20 %, not 10 %.
        assert line[HISTORY["value"]] == 10 and line[HISTORY["progress"]] == Percent(0.2), week
        assert (line[HISTORY["start"]], line[HISTORY["target"]]) == (0, 50), week
    # Each week judged at its end, the week in progress on the day of the sync (22 of the quarter's 90 days).
    assert [kr2[w][HISTORY["expected"]] for w in (W1, W2, W3)] == [Percent(0.1333), Percent(0.2111), Percent(0.2444)]
    # Below what the Notes already said (KR2 has no check-in since the first week).
    assert book.notes("MKT-KR2")[1:] == [target_changed(book.lang, "50", "100", "2025-01-22")]
    assert book.sync(D(2025, 1, 22))["writes"]["cells"] == 0


def test_the_first_sync_of_a_history_without_start_and_target_converts_it(book: Book) -> None:
    book.sync(D(2025, 1, 21))
    written = book.grid("history")
    book.make_history_old_style()
    old = book.grid("history")
    assert all(len(line) <= HISTORY["start"] for line in old)

    report = book.sync(D(2025, 1, 21))

    assert report["writes"]["cells"] > 0
    # Each row read as recorded with the KR's current start and target, and written with them.
    assert book.grid("history") == written
    assert book.sync(D(2025, 1, 21))["writes"]["cells"] == 0
    # From then on it is a record like any other.
    book.type("okrs", KR_ROW["MKT-KR1"], OKR_COL["target"], 200)
    book.sync(D(2025, 1, 22))
    assert book.grid("history") == written
    assert book.notes("MKT-KR1") == [target_changed(book.lang, "100", "200", "2025-01-22")]


def test_a_start_change_is_noted_too_and_a_change_back_says_so(book: Book) -> None:
    book.sync(D(2025, 1, 21))
    book.type("okrs", KR_ROW["MKT-KR1"], OKR_COL["start"], 10)
    book.sync(D(2025, 1, 22))
    book.type("okrs", KR_ROW["MKT-KR1"], OKR_COL["start"], 0)
    book.sync(D(2025, 1, 23))
    started = ("départ changé de {} à {} le {}" if book.lang == "fr" else "start changed from {} to {} on {}")
    assert book.notes("MKT-KR1") == [started.format("0", "10", "2025-01-22"), started.format("10", "0", "2025-01-23")]
    assert book.sync(D(2025, 1, 23))["writes"]["cells"] == 0


def test_a_note_a_sort_moved_during_a_sync_stays_with_its_kr(book: Book) -> None:
    book.sync(D(2025, 1, 21))
    book.type("okrs", KR_ROW["MKT-KR1"], OKR_COL["target"], 200)
    book.sync(D(2025, 1, 22))
    noted = target_changed(book.lang, "100", "200", "2025-01-22")
    # A sort between a sync's read and its write leaves each KR's computed cells on the other's row.
    grid = book.grid("okrs")
    for here, there in ((KR_ROW["MKT-KR1"], KR_ROW["MKT-KR2"]), (KR_ROW["MKT-KR2"], KR_ROW["MKT-KR1"])):
        for key in ("notes", "key"):
            book.type("okrs", here, OKR_COL[key], grid[there - 1][OKR_COL[key] - 1])
    assert book.notes("MKT-KR2") == [noted]

    book.sync(D(2025, 1, 23))
    assert book.notes("MKT-KR1") == [noted]  # the change is still dated from the sync that first saw it
    assert noted not in book.notes("MKT-KR2")
