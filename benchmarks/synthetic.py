"""Synthetic workbooks of any size, built through the real template, for benchmarks and load tests."""

from __future__ import annotations

import datetime as dt
import random

from sync import catalog
from sync.backends.memory import MemoryBackend
from sync.layout import Layout, Team, WorkbookSpec, build_layout, org_word

START = dt.date(2025, 1, 6)
AS_OF = dt.date(2025, 3, 31)


def synthetic_layout(teams: int, krs_per_team: int, rows: int, lang: str = "fr", seed: int = 7) -> Layout:
    """`teams` teams of one objective and `krs_per_team` KRs each, and `rows` check-in rows spread over them."""
    rng = random.Random(seed)
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
    for name in names:
        tab = tabs[f"checkins:{name}"].grid
        for i in range(per_team):
            kr_id, kind = kr_ids[name][i % krs_per_team]
            week = START + dt.timedelta(days=7 * ((i // krs_per_team) % 12))
            if kind == "milestone":
                value: object = rng.choice(["fait", "pas fait", "50 %"])
            elif i % 3 == 0:
                value = f"{rng.randint(0, 120)} u"
            else:
                value = rng.randint(0, 120)
            confidence = rng.choice(["🟢", "🟡", "🔴", "80 %", None])
            tab.append([week, kr_id, value, confidence, "commentaire" if i % 5 == 0 else None])
    return layout


def synthetic_workbook(teams: int, krs_per_team: int, rows: int, lang: str = "fr") -> MemoryBackend:
    backend = MemoryBackend("synthetic")
    backend.provision(synthetic_layout(teams, krs_per_team, rows, lang))
    return backend
