"""The roll-up stage: objectives from their key results, teams from their objectives, the organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..model import STATUSES
from ..parsing.settings import Settings
from .lint import Row
from .score import Bands, elapsed, status

Counts = dict[str, int]


@dataclass
class Objective:
    """An objective's roll-up."""

    id: str
    row: int
    team: str
    title: str
    owner: str
    parent: str
    progress: float | None
    status: str
    children: list[str] = field(default_factory=list)
    #: How many of the KRs its progress comes from stand at each status.
    counts: Counts = field(default_factory=lambda: no_counts())


@dataclass
class TeamScore:
    """A team's roll-up and how many of its KRs stand at each status."""

    team: str
    progress: float | None
    status: str
    counts: dict[str, int]


@dataclass
class Rollup:
    objectives: list[Objective]
    teams: list[TeamScore]
    org_progress: float | None
    org_status: str
    #: Elapsed share of the quarter on the as-of date.
    expected: float
    #: How many of the workbook's KRs stand at each status.
    org_counts: Counts = field(default_factory=lambda: no_counts())


def no_counts() -> Counts:
    return dict.fromkeys(STATUSES, 0)


def _counts(statuses: list[str]) -> Counts:
    counts = no_counts()
    for s in statuses:
        counts[s] += 1
    return counts


def _added(parts: list[Counts]) -> Counts:
    return {s: sum(c[s] for c in parts) for s in STATUSES}


def _silent(counts: Counts) -> bool:
    """No KR under it has a check-in: silence is never green, whatever its progress says."""
    return counts["none"] == sum(counts.values())


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def roll_up(rows: list[Row], krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> Rollup:
    """Objectives (weighted mean of KRs; else their child objectives), teams, organisation.

    One status rule for every aggregate (product.md): the pace of its progress against expected, with the KR
    pace thresholds, or the grade once the quarter is over; `none` while no KR under it has a check-in.
    """
    scorable = krs[~krs["error"].astype(bool)]
    seen: set[str] = set()
    objectives: dict[str, Objective] = {}
    for row in rows:
        if row.type != "objective" or not row.id or row.id in seen:
            continue
        seen.add(row.id)
        objectives[row.id] = Objective(row.id, row.row, row.team, row.title, row.owner, row.parent, None, "none")
    for obj in objectives.values():
        if obj.parent in objectives and obj.parent != obj.id:
            objectives[obj.parent].children.append(obj.id)

    by_objective = {key: frame for key, frame in scorable.groupby("objective")}
    done: set[str] = set()

    def visit(obj_id: str, path: tuple[str, ...]) -> None:
        obj = objectives[obj_id]
        if obj_id in done or obj_id in path:
            return
        own = by_objective.get(obj_id)
        if own is not None and len(own):
            weights = own["weight"].where(own["weight"] > 0)
            total = weights.sum()
            obj.progress = float((own["progress"].fillna(0) * weights).sum() / total) if total else None
            obj.counts = _counts(own["status"].tolist())
        elif obj.children:
            for child in obj.children:
                visit(child, (*path, obj_id))
            obj.progress = _mean([objectives[c].progress for c in obj.children])
            obj.counts = _added([objectives[c].counts for c in obj.children])
        done.add(obj_id)

    for obj_id in objectives:
        visit(obj_id, ())

    bands, quarter_over = Bands.of(settings), as_of >= settings.end
    expected = elapsed(settings.start, settings.end, as_of)
    # Counts of KR statuses per team, in one pass.
    tally = pd.crosstab(scorable["team"].str.casefold(), scorable["status"])
    by_team: dict[str, list[float | None]] = {}
    for obj in objectives.values():
        by_team.setdefault(obj.team.casefold(), []).append(obj.progress)
    counted: dict[str, dict[str, int]] = {str(k): {str(s): int(n) for s, n in v.items()}
                                          for k, v in tally.to_dict("index").items()}
    teams = []
    for team in settings.teams:
        key = team.name.casefold()
        counts = {s: counted.get(key, {}).get(s, 0) for s in ("green", "yellow", "red", "none")}
        teams.append(TeamScore(team.name, _mean(by_team.get(key, [])), "none", counts))
    org_objectives = [o for o in objectives.values() if settings.is_org(o.team)]
    # Without objectives of its own, the organisation is the mean of its teams.
    org_progress = _mean([o.progress for o in org_objectives] if org_objectives else [t.progress for t in teams])
    org_counts = _counts(scorable["status"].tolist())
    # Objectives, teams and the organisation judged by their pace (or grade), all in one go.
    judged_items: list[Objective | TeamScore] = [*objectives.values(), *teams]
    progresses = pd.Series([o.progress for o in judged_items] + [org_progress], dtype=float)
    judged = status(progresses, expected, pd.Series(np.nan, index=progresses.index), bands, quarter_over).tolist()
    for item, verdict in zip(judged_items, judged, strict=False):
        item.status = "none" if _silent(item.counts) else verdict
    org_status = "none" if _silent(org_counts) else judged[-1]
    return Rollup(list(objectives.values()), teams, org_progress, org_status, expected, org_counts)
