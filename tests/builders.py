"""Small workbooks for tests, built through the real template and held in memory."""

from __future__ import annotations

from typing import Any

from sync.backends.memory import MemoryBackend
from sync.layout.build import Layout, TabLayout, Team, WorkbookSpec, build_layout, org_word
from sync.template import catalog

OKR_KEYS = ["id", "team", "type", "title", "owner", "start", "target", "unit", "parent", "weight", "annual_goal"]


def kr_type(key: str, lang: str) -> str:
    return catalog.word("kr_types", key, lang)


def okr(
    id: str,
    team: str,
    type: str,
    title: str = "",
    owner: str = "Ana",
    start: Any = None,
    target: Any = None,
    unit: str = "",
    parent: str = "",
    weight: Any = None,
    annual_goal: str = "",
) -> dict[str, Any]:
    """An OKR-tab row; `type` is a key (objective, increase…), translated when the workbook is built."""
    return dict(
        id=id,
        team=team,
        type=type,
        title=title or f"{id} to 100",
        owner=owner,
        start=start,
        target=target,
        unit=unit,
        parent=parent,
        weight=weight,
        annual_goal=annual_goal,
    )


def workbook_layout(
    okrs: list[dict[str, Any]],
    checkins: dict[str, list[list[Any]]] | None = None,
    lang: str = "fr",
    teams: tuple[str, ...] = ("Marketing", "Ventes"),
    quarter: str = "2025-Q1",
    organisation: str = "Acme",
) -> Layout:
    """The template laid out with these OKR rows and, per team, check-in rows [week, kr, value, confidence…]."""
    layout = build_layout(WorkbookSpec(organisation, lang, quarter, [Team(t) for t in teams]))
    grids = {t.name: t.grid for t in layout.tabs}
    for row in okrs:
        values = dict(row)
        if values["type"] in catalog.template()["words"]["kr_types"]:
            values["type"] = kr_type(values["type"], lang)
        if values["team"] == "ORG":
            values["team"] = org_word(lang)
        grids[catalog.tab_name("okrs", lang)].append([values[k] for k in OKR_KEYS])
    for team, rows in (checkins or {}).items():
        grids[catalog.checkin_tab_name(team, lang)].extend(list(line) for line in rows)
    return layout


def workbook(
    okrs: list[dict[str, Any]], checkins: dict[str, list[list[Any]]] | None = None, **kw: Any
) -> MemoryBackend:
    """The same, provisioned in memory."""
    backend = MemoryBackend("test")
    backend.provision(workbook_layout(okrs, checkins, **kw))
    return backend


def objective_with_krs(*krs: dict[str, Any], team: str = "Marketing", obj_id: str = "MKT-O1") -> list[dict[str, Any]]:
    return [okr(obj_id, team, "objective", "Be the reference"), *krs]


def key_columns(tab: TabLayout) -> list[int]:
    """The row key's column of a tab laid out from a template tab that has one (check-in tabs are `checkins:Team`),
    as `[col]`; [] for any other tab."""
    template = catalog.template()["tabs"].get(tab.key.split(":")[0], {})
    return [i for i, c in enumerate(template.get("columns", []), start=1) if c["key"] == "key"]
