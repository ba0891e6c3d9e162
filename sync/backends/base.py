"""The small interface the engine sees; every backend implements it."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from ..layout.build import Layout
from ..model import Snapshot, WritePlan, WriteResult


class Backend(Protocol):
    """A workbook the engine can provision, read in one go, and write a plan to."""

    #: A short human name for the workbook (a path, a URL).
    location: str

    def provision(self, layout: Layout, overwrite: bool = False) -> str:
        """Create the workbook from a layout; return where it is (path or URL). Never replaces one unless told."""
        ...

    def read(self) -> Snapshot:
        """Every tab's cells: numbers as numbers, dates as dates, percent-formatted numbers as Percent."""
        ...

    def apply(self, plan: WritePlan, snapshot: Snapshot) -> WriteResult:
        """Write the plan's computed cells and service tabs, read against `snapshot`; nothing else."""
        ...

    def api_calls(self) -> tuple[int, int]:
        """(read, write) API calls this backend has made so far; a local file makes none."""
        ...

    def lock(self) -> AbstractContextManager[None]:
        """Held around a sync's read and write, so that two syncs of one workbook never overlap."""
        ...
