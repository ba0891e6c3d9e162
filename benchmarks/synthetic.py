"""Synthetic workbooks of any size, built through the real template, for benchmarks and load tests."""

from __future__ import annotations

import datetime as dt

import numpy as np

from sync.layout.build import Layout, Team, WorkbookSpec, build_layout, org_word
from sync.model import Snapshot, Tab
from sync.template import catalog

START = dt.date(2025, 1, 6)
AS_OF = dt.date(2025, 3, 31)
#: The quarter's Mondays, START to AS_OF: 13.
WEEKS = (AS_OF - START).days // 7 + 1


def synthetic_layout(teams: int, krs_per_team: int, rows: int, lang: str = "fr", seed: int = 7) -> Layout:
    """`teams` teams of one objective and `krs_per_team` KRs each, and `rows` check-in rows spread over them:
    every KR in turn, a week at a time over the quarter's WEEKS Mondays."""
    names = [f"Équipe {i + 1:02d}" for i in range(teams)]
    layout = build_layout(WorkbookSpec("Synthétique", lang, "2025-Q1", [Team(n) for n in names]))
    tabs = {t.key: t for t in layout.tabs}
    kinds = ["increase", "increase", "decrease", "at_least", "milestone"]
    okr_rows = tabs["okrs"].grid
    okr_rows.append(["ORG-O1", org_word(lang), catalog.word("kr_types", "objective", lang), "Grandir", "Ana"])
    kr_ids: dict[str, list[tuple[str, str]]] = {}
    for t, name in enumerate(names):
        okr_rows.append(
            [
                f"T{t}-O1",
                name,
                catalog.word("kr_types", "objective", lang),
                f"Objectif {t}",
                "Ana",
                None,
                None,
                None,
                "ORG-O1",
            ]
        )
        kr_ids[name] = []
        for k in range(krs_per_team):
            kind = kinds[k % len(kinds)]
            start, target = {
                "increase": (0, 100),
                "decrease": (100, 60),
                "at_least": (None, 65),
                "milestone": (None, None),
            }[kind]
            kr_id = f"T{t}-KR{k + 1}"
            okr_rows.append(
                [
                    kr_id,
                    name,
                    catalog.word("kr_types", kind, lang),
                    f"Atteindre {target or 1} unités",
                    "Ana",
                    start,
                    target,
                    "u",
                    None,
                    1,
                ]
            )
            kr_ids[name].append((kr_id, kind))
    per_team = rows // teams
    rng = np.random.default_rng(seed)
    mondays = np.array([START + dt.timedelta(days=7 * w) for w in range(WEEKS)], dtype=object)
    # Built a column at a time: a million rows take a second, not a minute.
    numbers = np.arange(121, dtype=object)
    with_unit = np.array([f"{n} u" for n in range(121)], dtype=object)
    milestones = np.array(["fait", "pas fait", "50 %"], dtype=object)
    confidences = np.array(["🟢", "🟡", "🔴", "80 %", None], dtype=object)
    for name in names:
        i = np.arange(per_team)
        k = i % krs_per_team
        ids = np.array([kr_id for kr_id, _ in kr_ids[name]], dtype=object)
        milestone = np.array([kind == "milestone" for _, kind in kr_ids[name]])[k]
        drawn = rng.integers(0, 121, per_team)
        value = np.where(i % 3 == 0, with_unit[drawn], numbers[drawn])
        value = np.where(milestone, milestones[rng.integers(0, 3, per_team)], value)
        comment = np.where(i % 5 == 0, "commentaire", None)
        confidence = confidences[rng.integers(0, 5, per_team)]
        columns = [mondays[(i // krs_per_team) % WEEKS], ids[k], value, confidence, comment]
        tabs[f"checkins:{name}"].grid.extend(map(list, zip(*(c.tolist() for c in columns), strict=True)))
    return layout


def synthetic_snapshot(teams: int, krs_per_team: int, rows: int, lang: str = "fr") -> Snapshot:
    """The synthetic workbook as a sync reads it, without a backend's copies (fast at a million rows)."""
    layout = synthetic_layout(teams, krs_per_team, rows, lang)
    return Snapshot(layout.title, {t.name: Tab(t.name, t.grid) for t in layout.tabs})

