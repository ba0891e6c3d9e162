"""The org tab: organisation and team progress, objectives with their contributors, focus list, silence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..layout.build import CHART_SERIES_COL, ORG_TEAM_HEADER_ROW
from ..model import STATUSES, Grid, Heading, Percent
from ..parsing import cell_text
from ..parsing.settings import Settings
from ..stages.history import pct
from ..stages.rollup import Objective, Rollup
from ..template import catalog
from .percent import percent_text, whole_share


def missed_checkins(krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.Series:
    """How many check-ins each KR missed on the as-of date: one per cadence past its latest, a day's grace each.

    A KR is late once its latest check-in is older than the cadence plus one day; never checked in, once the
    quarter's first cadence (and a day) has passed. Parents count by their children's latest check-in.
    """
    last = pd.to_datetime(krs["last_checkin"])
    # Never checked in: as late as a check-in made the day before the quarter began.
    age = (pd.Timestamp(as_of) - last).dt.days.astype(float).where(last.notna(), (as_of - settings.start).days + 1)
    missed = ((age - 2) // settings.cadence).clip(lower=0).fillna(0).astype(int)
    return missed.where(~krs["error"].astype(bool), 0)


def stale(krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.Series:
    """KRs that missed a check-in (see `missed_checkins`)."""
    return missed_checkins(krs, settings, as_of) > 0


def focus_krs(krs: pd.DataFrame) -> pd.DataFrame:
    """The KRs the Monday meeting goes through: red then yellow, by team and OKR-tab row."""
    focus = krs[krs["status"].isin(["yellow", "red"])]
    return focus.assign(rank=focus["status"].map({"red": 0, "yellow": 1})).sort_values(["rank", "team", "row"])


def missing_krs(krs: pd.DataFrame, settings: Settings, as_of: dt.date) -> pd.DataFrame:
    """The KRs that missed a check-in, in OKR-tab order, with how many (`missed`)."""
    missed = missed_checkins(krs, settings, as_of)
    return krs.assign(missed=missed)[missed > 0]


def _records(krs: pd.DataFrame, *columns: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(ID, {column: value}) of each KR, as to_dict("index") gives them, without its cost per cell."""
    for kr_id, *values in zip(krs.index.tolist(), *(krs[c].tolist() for c in columns), strict=True):
        yield kr_id, dict(zip(columns, values, strict=True))


def _points(share: float) -> str:
    """A pace gap as whole points, signed: -0.1 → "-10"."""
    return f"{int((whole_share(share) or 0) * 100):+d}".replace("+0", "0")


def chart_series(progress: float | None, status: str) -> list[Percent | None]:
    """A team's progress under its own status's column (I to L), blank under the others: the chart stacks these
    columns, so each team's bar takes its status's colour and follows it at every sync, with no chart update."""
    return [pct(progress) if status == s else None for s in STATUSES]


def org_grid(title: str, settings: Settings, as_of: dt.date, rollup: Rollup, krs: pd.DataFrame) -> Grid:
    """Every section of the org tab; progress stays in column B and expected or confidence in C."""
    lang = settings.lang
    m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
    word = lambda s: catalog.word("status", s, lang)  # noqa: E731
    expected = rollup.expected
    locale = str(catalog.template()["default_locale"][lang])
    counts = rollup.org_counts
    grid: Grid = [
        [Heading(m("org.title", org=settings.organisation or title, quarter=settings.quarter))],
        [m("org.as_of", as_of=as_of.isoformat(), elapsed=percent_text(expected, locale))],
        [Heading(m("org.organisation")), pct(rollup.org_progress), pct(expected), word(rollup.org_status),
         m("org.counts", yellow=counts["yellow"], red=counts["red"])],
        # The legend of every aggregate's colour, right above the first of them all.
        [m("org.legend", green=_points(settings.pace_green), yellow=_points(settings.pace_yellow))],
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
            m("org.col.yellow"),
            m("org.col.red"),
        ],
    ]
    by_id = {o.id: o for o in rollup.objectives}

    def objective_line(obj: Objective, depth: int) -> list[Any]:
        label = ("    " * depth + ("↳ " if depth else "")) + f"{obj.id} — {obj.title}"
        return [label, pct(obj.progress), pct(expected), word(obj.status), obj.team, obj.owner,
                obj.counts["yellow"], obj.counts["red"]]

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

    missing = missing_krs(krs, settings, as_of)
    grid += [
        [],
        [Heading(m("org.missing", days=settings.cadence + 1))],
        [
            m("org.col.kr"),
            m("org.col.progress"),
            None,
            m("org.col.status"),
            m("org.col.team"),
            m("org.col.owner"),
            m("org.col.last_checkin"),
            m("org.col.missed"),
        ],
    ]
    if missing.empty:
        grid.append([m("org.missing_none")])
    for kr_id, kr in _records(missing, "last_checkin", "title", "progress", "status", "team", "owner", "missed"):
        last = kr["last_checkin"]
        when = m("org.never") if pd.isna(last) else pd.Timestamp(last).date().isoformat()
        grid.append([f"{kr_id} — {kr['title']}", pct(kr["progress"]), None, word(kr["status"]), kr["team"],
                     kr["owner"], when, kr["missed"]])
    return grid
