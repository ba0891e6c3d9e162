"""The roll-up stage: objectives from their key results, teams from their objectives, the organisation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .lint import Row
from .score import STATUS_RANK, Bands, elapsed, status
from .workbook import Settings


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


def worst(statuses: list[str]) -> str:
    """The worst of several statuses; silence (none) is worse than green, better than yellow."""
    return max(statuses, key=STATUS_RANK.__getitem__) if statuses else "none"


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(np.mean(known)) if known else None


def roll_up(rows: list[Row], krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> Rollup:
    """Objectives (weighted mean of KRs, worst status; else their child objectives), teams, organisation."""
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
            obj.status = worst(list(own["status"]))
        elif obj.children:
            for child in obj.children:
                visit(child, (*path, obj_id))
            obj.progress = _mean([objectives[c].progress for c in obj.children])
            obj.status = worst([objectives[c].status for c in obj.children])
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
    # Teams and the organisation are judged by their pace, all in one go; silence stays `none`.
    progresses = pd.Series([t.progress for t in teams] + [org_progress], dtype=float)
    judged = status(progresses, expected, pd.Series(np.nan, index=progresses.index), bands, quarter_over).tolist()
    for score, verdict in zip(teams, judged, strict=False):
        score.status = "none" if score.counts["none"] == sum(score.counts.values()) else verdict
    org_status = "none" if bool((scorable["status"] == "none").all()) else judged[-1]
    return Rollup(list(objectives.values()), teams, org_progress, org_status, expected)
