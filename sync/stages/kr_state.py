"""Key results' state on several dates at once, as arrays of KR × date: latest check-in, progress, roll-up, status.

The History tab needs every KR's state at the end of every week of the quarter; computing it week by week
re-sorts and re-scores everything each time. Given each KR's latest value and confidence on each date
(`history` places each check-in once on its (KR, week) cell and carries it forward), progress, parents'
roll-up and status are computed here for all cells together, with the same arithmetic as `score` so that
both give the same figures to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .score import Bands

#: Statuses as codes (`band_codes`, and NONE), and their names.
STATUS_NAMES = np.array(["green", "yellow", "red", "none"], dtype=object)
NONE = np.int8(3)


def band_codes(values: np.ndarray, green: float, yellow: float) -> np.ndarray:
    """0 (green) at or above `green`, 1 (yellow) at or above `yellow`, else 2 (red, NaN too): 1e-9 tolerance."""
    return np.where(values >= green - 1e-9, np.int8(0), np.where(values >= yellow - 1e-9, np.int8(1), np.int8(2)))

_NAT = np.iinfo(np.int64).min


def clip01(values: np.ndarray) -> np.ndarray:
    """Values clamped to 0–1 as pandas' `clip(0, 1)` does it: NaN and -0.0 stay as they are."""
    return np.where(values < 0, 0.0, np.where(values > 1, 1.0, values))


def sort_keys(week: pd.Series) -> np.ndarray:
    """Weeks as sortable integers, missing ones last (as `sort_values` puts them)."""
    ints = week.to_numpy(dtype="datetime64[ns]").view(np.int64)
    return np.where(ints == _NAT, np.iinfo(np.int64).max, ints)


def last_per_group(groups: np.ndarray, *keys: np.ndarray) -> np.ndarray:
    """Positions of the last item of each group, by `keys` (first key first), ties by position; -1 groups skipped."""
    order = np.lexsort((*reversed(keys), groups))
    ordered = groups[order]
    last = np.ones(len(order), dtype=bool)
    last[:-1] = ordered[1:] != ordered[:-1]
    return order[last & (ordered >= 0)]


def progress_of(kind: np.ndarray, start: np.ndarray, target: np.ndarray, current: np.ndarray) -> np.ndarray:
    """Raw progress (not clamped) over a KR × date array of values (kind per KR; start and target per KR, or per KR
    and date as History records them); NaN where there is no value. `score.progress` is this on one column."""
    kind = kind[:, None]
    start = start[:, None] if start.ndim == 1 else start
    target = target[:, None] if target.ndim == 1 else target
    base = np.where(~np.isnan(start) | (kind != "increase"), start, 0.0)
    span = target - base
    span = np.where(span == 0.0, np.nan, span)
    with np.errstate(divide="ignore", invalid="ignore"):
        linear = (current - base) / span
    out = np.full(current.shape, np.nan)
    out = np.where((kind == "increase") | (kind == "decrease"), linear, out)
    out = np.where(kind == "at_least", (current >= target).astype(float), out)
    out = np.where(kind == "at_most", (current <= target).astype(float), out)
    out = np.where(kind == "milestone", current, out)
    return np.where(np.isnan(current), np.nan, out)


def status_of(progress: np.ndarray, expected: np.ndarray, confidence: np.ndarray, bands: Bands,
              quarter_over: np.ndarray) -> np.ndarray:
    """Status over a KR × date array, as codes (STATUS_NAMES), with each date's expected share and whether the
    quarter was over: the confidence band, else the pace; once the quarter is over the grade (Google's
    convention, read to one decimal: 0.65 already counts as 0.7, 0.35 as 0.4); NONE without progress.
    `score.status` is this on one row."""
    grade = clip01(progress)
    over = band_codes(grade, 0.65, 0.35)
    pace = band_codes(grade - expected[None, :], bands.pace_green, bands.pace_yellow)
    band = band_codes(confidence, bands.green, bands.yellow)
    live = np.where(~np.isnan(confidence), band, pace)
    return np.where(~np.isnan(progress), np.where(quarter_over[None, :], over, live), NONE)


def _sum_rows(values: np.ndarray) -> np.ndarray:
    """Each date's sum over the KRs, NaN as 0, summed as pandas sums one column (so to the same last bit)."""
    filled = np.where(np.isnan(values), 0.0, values)
    return np.ascontiguousarray(filled.T).sum(axis=1)


@dataclass
class States:
    """Every KR's state on each date: arrays of KR × date, updated in place by `roll_up_parents`."""

    own: np.ndarray
    current: np.ndarray
    progress_raw: np.ndarray
    progress: np.ndarray
    last: np.ndarray | None = None
    #: Start and target of each KR on each date, when they are not the KR's own (History's recorded weeks).
    start: np.ndarray | None = None
    target: np.ndarray | None = None


def parents(krs: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """Each parent KR that can roll up, as a position, with the positions of the KRs that name it as Parent:
    children before their parents (a loop is cut where it closes); KRs in error neither roll up nor count."""
    ids = krs.index.tolist()
    position = {kr_id: i for i, kr_id in enumerate(ids)}
    error = krs["error"].astype(bool).to_numpy()
    children: dict[str, list[str]] = {}
    for kr_id, parent, err in zip(ids, krs["parent"].tolist(), error.tolist(), strict=True):
        if parent and parent in position and parent != kr_id and not err:
            children.setdefault(parent, []).append(kr_id)
    done: set[str] = set()
    order: list[tuple[int, list[int]]] = []

    def visit(kr_id: str, path: tuple[str, ...]) -> None:
        if kr_id in done or kr_id in path:
            return
        for child in children.get(kr_id, []):
            visit(child, (*path, kr_id))
        done.add(kr_id)
        kids = [position[k] for k in children.get(kr_id, [])]
        if kids and not error[position[kr_id]]:
            order.append((position[kr_id], kids))

    for kr_id in children:
        visit(kr_id, ())
    return order


def roll_up_parents(krs: pd.DataFrame, states: States, family: list[tuple[int, list[int]]] | None = None) -> bool:
    """`score`'s roll-up on every date at once: a parent KR without a check-in of its own takes its children's sum
    (same unit) or weighted mean progress. Returns whether any parent took something. `family` is `parents(krs)`,
    when already known."""
    family = parents(krs) if family is None else family
    if not family:
        return False
    kind = krs["type"].to_numpy(dtype=object)
    start = krs["start"].to_numpy(dtype=float) if states.start is None else states.start
    target = krs["target"].to_numpy(dtype=float) if states.target is None else states.target
    weight, units = krs["weight"].to_numpy(dtype=float), krs["unit"].tolist()
    changed = False
    for p, kids in family:
        sub = states.progress[kids]
        rolled = ~states.own[p] & ~np.isnan(sub).all(axis=0)
        if not rolled.any():
            continue
        changed = True
        unit = str(units[p]).strip().casefold()
        if unit and all(str(units[k]).strip().casefold() == unit for k in kids) and kind[p] != "milestone":
            current = _sum_rows(states.current[kids])
            states.current[p] = np.where(rolled, current, states.current[p])
            raw = progress_of(kind[[p]], start[[p]], target[[p]], current[None, :])[0]
        else:
            weights = np.where(weight[kids] > 0, weight[kids], np.nan)
            total = float(_sum_rows(weights[:, None])[0])
            if total:
                products = np.where(np.isnan(sub), 0.0, sub) * weights[:, None]
                raw = _sum_rows(products) / total
            else:
                raw = np.full(sub.shape[1], np.nan)
        states.progress_raw[p] = np.where(rolled, raw, states.progress_raw[p])
        states.progress[p] = np.where(rolled, clip01(raw), states.progress[p])
        if states.last is not None:
            latest = states.last[kids].view(np.int64).max(axis=0).view(states.last.dtype)
            states.last[p] = np.where(rolled, latest, states.last[p])
    return changed


def spread_to_parents(family: list[tuple[int, list[int]]], own: np.ndarray, flags: np.ndarray) -> None:
    """A parent without a value of its own on a date takes its children's flags on that date (or-ed in place, children
    first): a parent rolled up from its KRs changes when one of theirs does."""
    for p, kids in family:
        flags[p] |= ~own[p] & flags[kids].any(axis=0)
