"""The org tab: organisation and team progress, objectives with their contributors, focus list, silence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pandas as pd

from . import catalog
from .history import pct
from .layout import CHART_SERIES_COL, ORG_TEAM_HEADER_ROW
from .model import STATUSES, Grid, Heading, Percent
from .parse import cell_text
from .rollup import Objective, Rollup

#: A latest check-in older than this is reported as missing.
STALE_DAYS = 14


def stale(krs: pd.DataFrame, as_of: dt.date) -> pd.Series:
    """KRs whose own latest check-in is older than 14 days, or that never had one (parents roll up)."""
    last = pd.to_datetime(krs["last_checkin"])
    age = (pd.Timestamp(as_of) - last).dt.days
    return ~krs["error"].astype(bool) & (last.isna() | (age > STALE_DAYS))


def focus_krs(krs: pd.DataFrame) -> pd.DataFrame:
    """The KRs the Monday meeting goes through: red then yellow, by team and OKR-tab row."""
    focus = krs[krs["status"].isin(["yellow", "red"])]
    return focus.assign(rank=focus["status"].map({"red": 0, "yellow": 1})).sort_values(["rank", "team", "row"])


def missing_krs(krs: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The KRs whose latest check-in is stale (or that never had one), in OKR-tab order."""
    return krs[stale(krs, as_of)]


def _records(krs: pd.DataFrame, *columns: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(ID, {column: value}) of each KR, as to_dict("index") gives them, without its cost per cell."""
    for kr_id, *values in zip(krs.index.tolist(), *(krs[c].tolist() for c in columns), strict=True):
        yield kr_id, dict(zip(columns, values, strict=True))


def chart_series(progress: float | None, status: str) -> list[Percent | None]:
    """A team's progress under its own status's column (I to L), blank under the others: the chart stacks these
    columns, so each team's bar takes its status's colour and follows it at every sync, with no chart update."""
    return [pct(progress) if status == s else None for s in STATUSES]


def org_grid(
    title: str, quarter: str, as_of: dt.date, lang: str, rollup: Rollup, krs: pd.DataFrame, organisation: str
) -> Grid:
    """Every section of the org tab; progress stays in column B and expected or confidence in C."""
    m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
    word = lambda s: catalog.word("status", s, lang)  # noqa: E731
    expected = rollup.expected
    grid: Grid = [
        [Heading(m("org.title", org=organisation or title, quarter=quarter))],
        [m("org.as_of", as_of=as_of.isoformat(), elapsed=f"{round(expected * 100)} %")],
        [Heading(m("org.organisation")), pct(rollup.org_progress), pct(expected), word(rollup.org_status)],
        [],
    ]
    assert len(grid) + 1 == ORG_TEAM_HEADER_ROW
    grid.append(
        [
            m("org.col.team"),
            m("org.col.progress"),
            m("org.col.expected"),
            m("org.col.status"),
            m("org.col.green"),
            m("org.col.yellow"),
            m("org.col.red"),
            m("org.col.none"),
            *(m("org.col.chart_series", status=word(s)) for s in STATUSES),
        ]
    )
    assert len(grid[-1]) == CHART_SERIES_COL - 1 + len(STATUSES)
    for team in rollup.teams:
        c = team.counts
        grid.append(
            [
                team.team,
                pct(team.progress),
                pct(expected),
                word(team.status),
                c["green"],
                c["yellow"],
                c["red"],
                c["none"],
                *chart_series(team.progress, team.status),
            ]
        )

    grid += [
        [],
        [Heading(m("org.objectives"))],
        [
            m("org.col.objective"),
            m("org.col.progress"),
            m("org.col.expected"),
            m("org.col.status"),
            m("org.col.team"),
            m("org.col.owner"),
        ],
    ]
    by_id = {o.id: o for o in rollup.objectives}

    def objective_line(obj: Objective, depth: int) -> list[Any]:
        label = ("    " * depth + ("↳ " if depth else "")) + f"{obj.id} — {obj.title}"
        return [label, pct(obj.progress), pct(expected), word(obj.status), obj.team, obj.owner]

    placed: set[str] = set()

    def place(obj: Objective, depth: int) -> None:
        if obj.id in placed:
            return
        placed.add(obj.id)
        grid.append(objective_line(obj, depth))
        for child in obj.children:
            place(by_id[child], depth + 1)

    for obj in rollup.objectives:
        if not obj.parent or obj.parent not in by_id:
            place(obj, 0)
    for obj in rollup.objectives:
        place(obj, 0)

    focus = focus_krs(krs)
    grid += [
        [],
        [Heading(m("org.focus"))],
        [
            m("org.col.kr"),
            m("org.col.progress"),
            m("org.col.confidence"),
            m("org.col.status"),
            m("org.col.team"),
            m("org.col.owner"),
            m("org.col.comment"),
        ],
    ]
    if focus.empty:
        grid.append([m("org.focus_none")])
    # As the sheet shows them, taken before to_dict turns a typed "100 %" (a Percent) into a bare 1.0.
    comments = {kr: cell_text(c) for kr, c in focus["comment"].items()} if "comment" in focus else {}
    for kr_id, kr in _records(focus, "title", "progress", "confidence", "status", "team", "owner"):
        grid.append(
            [
                f"{kr_id} — {kr['title']}",
                pct(kr["progress"]),
                pct(kr["confidence"]),
                word(kr["status"]),
                kr["team"],
                kr["owner"],
                comments.get(kr_id, ""),
            ]
        )

    missing = missing_krs(krs, as_of)
    grid += [
        [],
        [Heading(m("org.missing", days=STALE_DAYS))],
        [
            m("org.col.kr"),
            m("org.col.progress"),
            None,
            m("org.col.status"),
            m("org.col.team"),
            m("org.col.owner"),
            m("org.col.last_checkin"),
        ],
    ]
    if missing.empty:
        grid.append([m("org.missing_none")])
    for kr_id, kr in _records(missing, "last_checkin", "title", "progress", "status", "team", "owner"):
        last = kr["last_checkin"]
        when = m("org.never") if pd.isna(last) else pd.Timestamp(last).date().isoformat()
        grid.append(
            [f"{kr_id} — {kr['title']}", pct(kr["progress"]), None, word(kr["status"]), kr["team"], kr["owner"], when]
        )
    return grid
