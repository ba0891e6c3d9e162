"""A team added later: its Settings row and its check-in tab, as one write plan for any backend (the Lists tab's
formulas pick the team up from Settings)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..backends.base import Backend
from ..errors import BadArgument
from ..model import CellWrite, WritePlan
from ..parsing.settings import next_team_row
from ..parsing.workbook import Workbook, read_workbook
from ..template import catalog
from ..writeback.plan import list_slot, lists_update
from .build import Team, checkin_tab, org_chart, valid_team_name
from .model import MAX_TEAMS, TabLayout
from .placement import place_new_tabs


@dataclass
class NewTeam:
    """What adding a team writes: its check-in tab, laid out first, then its Settings row."""

    tab: TabLayout
    plan: WritePlan


def check_new_team(team: Team, wb: Workbook, tab: str, lang: str) -> None:
    """BadArgument when the name cannot name a tab, the team or its tab exists, or the workbook is full."""
    if not valid_team_name(team.name):
        raise BadArgument("error.bad_team", lang, value=team.name)
    teams = wb.settings.teams
    if any(t.name.casefold() == team.name.casefold() for t in teams):
        raise BadArgument("service.team_exists", lang, team=team.name)
    # Sheets refuses two tabs whose names differ only by case.
    if any(name.casefold() == tab.casefold() for name in wb.snapshot.tabs):
        raise BadArgument("service.team_tab_exists", lang, tab=tab)
    if len(teams) >= MAX_TEAMS:
        raise BadArgument("service.too_many_teams", lang, limit=MAX_TEAMS)


def add_team(wb: Workbook, team: Team, lang: str) -> NewTeam:
    """The writes that add `team` to the workbook; messages of refusals in `lang`."""
    wb_lang, teams = wb.settings.lang, wb.settings.teams
    settings = catalog.tab_name("settings", wb_lang)
    row = next_team_row(wb.snapshot.tabs[settings], wb_lang)
    tab = checkin_tab(team.name, list_slot(wb, team.name, row or 0), wb_lang)
    check_new_team(team, wb, tab.name, lang)
    if row is None:
        raise BadArgument("service.no_team_table", lang, tab=settings)
    values = [team.name, team.manager, team.email, tab.name]
    cells = [CellWrite(settings, row, col, value) for col, value in enumerate(values, start=1)]
    # A Lists tab made before its formulas gets them now; the org chart covers one more team.
    lists = lists_update(wb)
    place_new_tabs([tab], wb.snapshot.tabs, wb.settings.team_tabs.values())
    plan = WritePlan(cells, {catalog.tab_name("lists", wb_lang): lists} if lists is not None else {},
                     [org_chart(wb_lang, len(teams) + 1)], [tab])
    return NewTeam(tab, plan)


def add_team_to(backend: Backend, team: Team, lang: str, before_write: Callable[[], None] | None = None) -> NewTeam:
    """Add `team` to the workbook behind `backend`: one read, one write (its tab laid out with it)."""
    with backend.lock():
        snapshot = backend.read()
        added = add_team(read_workbook(snapshot, backend.location), team, lang)
        if before_write is not None:
            before_write()
        backend.apply(added.plan, snapshot)
    return added
