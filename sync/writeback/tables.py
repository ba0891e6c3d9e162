"""The people tables' computed cells (annual goals, initiatives, KPIs…), only where they differ from the sheet."""

from __future__ import annotations

from collections import defaultdict

from ..model import CellWrite, Problem
from ..parsing.workbook import Workbook
from ..stages.tables import StageResult
from ..template import catalog
from .diff import diff_tab, objects


def notes(problems: list[Problem], lines: list[str] | None = None) -> str | None:
    """A Notes or Validation cell: the problems' messages, then the lines, one per line; None when there is none."""
    return "\n".join([*(p.message for p in problems), *(lines or [])]) or None if problems or lines else None


def table_writes(wb: Workbook, staged: StageResult) -> list[CellWrite]:
    """Each table's computed columns (its Validation from its rows' problems), for the tables the workbook has."""
    writes: list[CellWrite] = []
    for key, result in staged.tables.items():
        tab = wb.table_tabs[key]
        if tab not in wb.columns:
            continue  # made by this sync: empty until people type into it
        frame = wb.tables[key]
        rows = frame["row"].to_numpy()
        by_row: dict[int, list[Problem]] = defaultdict(list)
        for problem in result.problems:
            by_row[problem.row].append(problem)
        computed = [c.key for c in catalog.columns(key, wb.settings.lang) if c.computed]
        wanted = {k: objects(result.values.get(k, [None] * len(frame))) for k in computed if k not in ("key",)}
        wanted["validation"] = objects([notes(by_row.get(r, [])) for r in rows.tolist()])
        parts = [frame[k].to_numpy(dtype=object) for k in catalog.row_key(key)]
        writes += diff_tab(tab, wb.snapshot.tabs[tab].grid, wb.columns[tab], computed, rows, wanted, parts)
    return writes
