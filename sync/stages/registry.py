"""The people tables' stages, in the order they run after the roll-up; a new table's stage is one line here."""

from __future__ import annotations

from collections.abc import Callable

from . import annual_goals, initiatives, kpis
from .tables import StageInput, StageResult

STAGES: list[Callable[[StageInput], StageResult]] = [
    annual_goals.evaluate,
    initiatives.evaluate,
    kpis.evaluate,
]


def run_stages(ctx: StageInput) -> StageResult:
    """Every table's stage on the same input, their results as one."""
    result = StageResult()
    for stage in STAGES:
        result = result.merge(stage(ctx))
    return result
