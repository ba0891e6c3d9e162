"""The report: one object for the CLI's --json, the API and the add-on sidebar; and its short human form."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd

from ..model import Problem
from ..parsing.workbook import Workbook
from ..stages.kpi_health import figure_text
from ..stages.rollup import Rollup
from ..template import catalog
from .percent import percent_text


def rounded(value: Any, digits: int = 4) -> float | None:
    """A figure of the report: rounded, None when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return None
    return round(float(value), digits)


def iso_day(value: Any) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def build_report(
    wb: Workbook,
    krs: pd.DataFrame,
    checkins: pd.DataFrame,
    rollup: Rollup,
    problems: list[Problem],
    as_of: dt.date,
    cells: int,
    api_calls: tuple[int, int],
) -> dict[str, Any]:
    """The report object of the product design, exactly its keys."""
    s = wb.settings
    expected = rollup.expected
    valid = int(checkins["valid"].sum()) if len(checkins) else 0
    return {
        "workbook": {
            "title": wb.title,
            "lang": s.lang,
            "quarter": s.quarter,
            "as_of": as_of.isoformat(),
            "elapsed": rounded(expected),
        },
        "checkins": {"rows": len(checkins), "valid": valid, "invalid": len(checkins) - valid},
        "problems": [p.as_dict() for p in problems],
        "key_results": [
            {
                "id": kr_id,
                "team": kr["team"],
                "objective": kr["objective"] or None,
                "type": kr["type"],
                "start": rounded(kr["start"], 6),
                "target": rounded(kr["target"], 6),
                "unit": kr["unit"],
                "current": rounded(kr["current"], 6),
                "progress": rounded(kr["progress"]),
                "expected": rounded(kr["expected"]),
                "confidence": rounded(kr["confidence"]),
                "status": kr["status"],
                "last_checkin": iso_day(kr["last_checkin"]),
            }
            for kr_id, kr in krs.to_dict("index").items()
        ],
        "objectives": [
            {"id": o.id, "team": o.team, "parent": o.parent or None, "progress": rounded(o.progress),
             "status": o.status, "counts": o.counts}
            for o in rollup.objectives
        ],
        "teams": [
            {"team": t.team, "progress": rounded(t.progress), "status": t.status, "counts": t.counts}
            for t in rollup.teams
        ],
        "org": {"progress": rounded(rollup.org_progress), "status": rollup.org_status, "counts": rollup.org_counts},
        "writes": {"cells": cells, "api_calls": {"read": api_calls[0], "write": api_calls[1]}},
    }


def next_step(wb: Workbook, krs: pd.DataFrame) -> str | None:
    """What to fill next in a workbook that has nothing to score yet, naming only tabs it has; else None.

    No KR on the OKR tab: that tab. KRs but not one check-in row: the teams' check-in tabs (none left: the
    problems say which to bring back).
    """
    lang = wb.settings.lang
    if not len(krs):
        return catalog.message("summary.next_okrs", lang, tab=wb.okr_tab)
    if len(wb.checkins):
        return None
    tabs = [name for name in dict.fromkeys(wb.settings.team_tabs.values()) if name in wb.snapshot.tabs]
    if not tabs:
        return None
    quote = (lambda t: f"« {t} »") if lang == "fr" else (lambda t: f'"{t}"')
    return catalog.message("summary.next_checkins", lang, tabs=", ".join(map(quote, tabs)))


def summary(report: dict[str, Any], locale: str, dry_run: bool = False, limit: int = 12,
            next_step: str | None = None) -> str:
    """A few lines for a person: organisation and teams, counts by status, problems, what was written.

    `next_step` (see `next_step()`), for a workbook with nothing to score yet, stands in for the figures.
    """
    wbk = report["workbook"]
    lang = wbk["lang"]
    m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
    word = lambda s: catalog.word("status", s, lang).lower()  # noqa: E731

    def pc(value: float | None) -> str:
        return percent_text(value, locale)

    lines = [
        m("summary.header", title=wbk["title"], quarter=wbk["quarter"], as_of=wbk["as_of"], elapsed=pc(wbk["elapsed"])),
    ]
    if next_step:
        lines.append(next_step)
    else:
        lines.append(m("summary.org", progress=pc(report["org"]["progress"]), status=word(report["org"]["status"]),
                       **report["org"]["counts"]))
        for t in report["teams"]:
            lines.append(
                m("summary.team", team=t["team"], progress=pc(t["progress"]), status=word(t["status"]), **t["counts"])
            )
        lines.append(m("summary.checkins", **report["checkins"]))
        lines += health_lines(report, locale)
    problems = report["problems"]
    if problems:
        lines.append(m("summary.problems", count=len(problems)))
        for p in problems[:limit]:
            lines.append(m("summary.problem", **p))
        if len(problems) > limit:
            lines.append(m("summary.more_problems", count=len(problems) - limit))
    cells = report["writes"]["cells"]
    if dry_run:
        lines.append(m("summary.dry_run", cells=cells))
    else:
        lines.append(m("summary.writes", cells=cells) if cells else m("summary.unchanged"))
    return "\n".join(lines)


def health_lines(report: dict[str, Any], locale: str) -> list[str]:
    """The summary's lines on what needs a manager beyond the OKRs: KPIs in alert, blocked and late initiatives."""
    lang = report["workbook"]["lang"]
    m = lambda key, **kw: catalog.message(key, lang, **kw)  # noqa: E731
    lines = []

    def figure(value: float | None, unit: str | None) -> str:
        return figure_text(value, unit or "", "%" in (unit or ""), locale, lang)

    alerts = [k for k in report.get("kpis", []) if k["status"] == "red"]
    if alerts:
        items = [m("summary.kpi_alert", indicator=k["indicator"], latest=figure(k["latest"], k["unit"]),
                   threshold=figure(k["threshold"], k["unit"])) for k in alerts]
        lines.append(m("summary.kpi_alerts", count=len(alerts), items=m("summary.separator").join(items)))
    initiatives = report.get("initiatives", [])
    for key, chosen in (("summary.initiatives_blocked", [i for i in initiatives if i["state"] == "blocked"]),
                        ("summary.initiatives_late", [i for i in initiatives if i["past_due"]])):
        if chosen:
            items = [m("summary.initiative", initiative=i["initiative"], kr=i["kr"] or "—") for i in chosen]
            lines.append(m(key, count=len(chosen), items=m("summary.separator").join(items)))
    return lines
