"""What a people table's stage (annual goals, initiatives, KPIs…) is given and gives back: plain data the
write-back stage turns into cells, Notes lines, an Org tab section and report keys."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..model import Grid, Problem
from ..parsing.workbook import Workbook
from .lint import Row
from .rollup import Rollup


@dataclass
class StageInput:
    """Everything the OKR stages computed, for a table's stage to read."""

    wb: Workbook
    rows: list[Row]
    krs: pd.DataFrame
    checkins: pd.DataFrame
    rollup: Rollup
    as_of: dt.date


@dataclass
class TableResult:
    """One table's computed cells: per computed column key, one value per row of `wb.tables[key]`, in its order
    (None leaves the cell blank); and its rows' problems, which go in their Validation cell."""

    values: dict[str, list[Any]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass
class StageResult:
    """What a table's stage gives back."""

    #: By table key.
    tables: dict[str, TableResult] = field(default_factory=dict)
    #: OKR ID → {computed column of the OKR tab: value}.
    okr_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: OKR ID → lines added to that row's Notes.
    okr_notes: dict[str, list[str]] = field(default_factory=dict)
    #: Rows appended to the Org tab (the first a Heading; percentages in B and C, as every section).
    org_section: Grid = field(default_factory=list)
    #: Keys added to the sync's report.
    report: dict[str, Any] = field(default_factory=dict)

    def merge(self, other: StageResult) -> StageResult:
        """This result and another's, as one (sections one after the other)."""
        notes = {k: [*self.okr_notes.get(k, []), *other.okr_notes.get(k, [])]
                 for k in self.okr_notes.keys() | other.okr_notes.keys()}
        values = {k: {**self.okr_values.get(k, {}), **other.okr_values.get(k, {})}
                  for k in self.okr_values.keys() | other.okr_values.keys()}
        section = [*self.org_section, *([[]] if self.org_section and other.org_section else []), *other.org_section]
        return StageResult({**self.tables, **other.tables}, values, notes, section, {**self.report, **other.report})

    def problems(self) -> list[Problem]:
        """Every table row's problems, for the report."""
        return [p for table in self.tables.values() for p in table.problems]
