"""The Settings tab: the workbook's language from its name, then its settings by their labels and its teams."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import NotOurWorkbook
from ..layout.build import Team, parse_quarter, quarter_dates, quarter_label
from ..model import Problem, Severity, Snapshot, Tab
from ..template import catalog
from .cell import cell_text, is_blank, parse_date, parse_number

#: Check-ins are weekly unless Settings say otherwise; a cadence longer than a quarter makes no sense.
DEFAULT_CADENCE = 7
MAX_CADENCE = 92


@functools.cache
def _org_words() -> frozenset[str]:
    """The organisation's word in every language ("Organisation"), as a Team cell may hold it, casefolded."""
    return frozenset(word.casefold() for word in catalog.org_words())


@dataclass
class Settings:
    """The Settings tab, read and defaulted."""

    organisation: str
    lang: str
    locale: str
    quarter: str
    start: dt.date
    end: dt.date
    green: float = 0.8
    yellow: float = 0.5
    pace_green: float = -0.10
    pace_yellow: float = -0.25
    #: Days between two check-ins of a KR (weekly by default).
    cadence: int = DEFAULT_CADENCE
    teams: list[Team] = field(default_factory=list)
    team_tabs: dict[str, str] = field(default_factory=dict)
    team_rows: dict[str, int] = field(default_factory=dict)
    #: Teams whose row names its check-in tab; a row typed without one gets its tab at the next sync.
    tab_named: set[str] = field(default_factory=set)
    teams_row: int = 1
    #: The row of the organisation's name, 0 when Settings lacks it.
    organisation_row: int = 0

    def is_org(self, team: str) -> bool:
        """Whether the OKR tab's Team cell names the organisation rather than a team."""
        t = team.strip().casefold()
        return t in _org_words() or t == self.organisation.casefold()


def lang_of(tab_names: Iterable[str]) -> str | None:
    """The workbook's language, from the name of its settings tab; None when it has none."""
    names = set(tab_names)
    return next((lang for lang in catalog.LANGS if catalog.tab_name("settings", lang) in names), None)


def detect_lang(snapshot: Snapshot, location: str) -> str:
    """The workbook's language, from the name of its settings tab."""
    lang = lang_of(snapshot.tabs)
    if lang is None:
        raise NotOurWorkbook("error.not_ours", "en", path=location, tab=catalog.tab_name("settings", "en"))
    return lang


def teams_header_row(tab: Tab, lang: str) -> int | None:
    """The 1-based row of the Settings tab's teams table header (its first column's label in column A)."""
    label = catalog.template()["tabs"]["settings"]["teams_columns"][0]["label"][lang].casefold()
    for r, line in enumerate(tab.grid, start=1):
        if cell_text(line[0] if line else None).casefold() == label:
            return r
    return None


def next_team_row(tab: Tab, lang: str) -> int | None:
    """The Settings row a new team goes on: after the last team of the table; None without a table."""
    header = teams_header_row(tab, lang)
    if header is None:
        return None
    last = header
    for r in range(header + 1, len(tab.grid) + 1):
        if cell_text(tab.cell(r, 1)):
            last = r
    return last + 1


def read_settings(tab: Tab, lang: str, problems: list[Problem]) -> Settings:
    """Settings by their labels in column A (rows may move), and the teams table below its header."""
    tpl = catalog.template()["tabs"]["settings"]
    by_label = {item["label"][lang].casefold(): item for item in tpl["keys"]}
    raw: dict[str, tuple[int, object]] = {}
    team_header = teams_header_row(tab, lang)
    for r, line in enumerate(tab.grid, start=1):
        label = cell_text(line[0] if line else None).casefold()
        if label in by_label and len(line) > 1 and r != team_header:
            raw[by_label[label]["key"]] = (r, line[1])
    locale = cell_text(raw.get("locale", (0, None))[1]) or catalog.template()["default_locale"][lang]
    quarter_text = cell_text(raw.get("quarter", (0, None))[1])
    try:
        year, q = parse_quarter(quarter_text, lang)
    except Exception:
        row = raw.get("quarter", (1, None))[0]
        problems.append(_settings_problem(tab, row, "quarter_invalid", lang, value=quarter_text))
        today = dt.date.today()
        year, q = today.year, (today.month - 1) // 3 + 1
    qstart, qend = quarter_dates(year, q)
    dates = {}
    for key, default in (("start", qstart), ("end", qend)):
        row, value = raw.get(key, (0, None))
        parsed = parse_date(value, locale)
        if parsed is None and not is_blank(value):
            problems.append(
                _settings_problem(tab, row, "date_invalid", lang, value=value, label=by_label_key(tpl, key, lang))
            )
        dates[key] = parsed or default
    settings = Settings(
        organisation=cell_text(raw.get("organisation", (0, None))[1]),
        lang=lang,
        locale=locale,
        quarter=quarter_label(year, q, lang),
        start=dates["start"],
        end=dates["end"],
        organisation_row=raw.get("organisation", (0, None))[0],
    )
    for key, attr in (
        ("green_threshold", "green"),
        ("yellow_threshold", "yellow"),
        ("pace_green", "pace_green"),
        ("pace_yellow", "pace_yellow"),
    ):
        row, value = raw.get(key, (0, None))
        if is_blank(value):
            continue
        number = parse_number(value, locale)
        if number is None:
            problems.append(
                _settings_problem(
                    tab,
                    row,
                    "threshold_invalid",
                    lang,
                    value=value,
                    label=by_label_key(tpl, key, lang),
                    default=getattr(settings, attr),
                )
            )
            continue
        # "80" and "80 %" both mean 0.8: thresholds are shares.
        share = number.value if number.percent or abs(number.value) <= 1 else number.value / 100
        setattr(settings, attr, share)
    settings.cadence = _cadence(tab, raw.get("checkin_cadence", (0, None)), settings, problems)
    if team_header is not None:
        settings.teams_row = team_header
        for r, line in enumerate(tab.grid[team_header:], start=team_header + 1):
            cells = [cell_text(v) for v in [*line, None, None, None, None][:4]]
            if not cells[0]:
                continue
            settings.teams.append(Team(cells[0], cells[1], cells[2]))
            settings.team_tabs[cells[0]] = cells[3] or catalog.checkin_tab_name(cells[0], lang)
            if cells[3]:
                settings.tab_named.add(cells[0])
            settings.team_rows[cells[0]] = r
    return settings


def _cadence(tab: Tab, cell: tuple[int, object], settings: Settings, problems: list[Problem]) -> int:
    """The check-in cadence in days: a whole number from 1 to 92 (`7`, `14 jours`); else the default, and why."""
    row, value = cell
    if is_blank(value):
        return DEFAULT_CADENCE
    number = parse_number(value, settings.locale)
    days = None if number is None or number.percent else number.value
    if days is not None and float(days).is_integer() and 1 <= days <= MAX_CADENCE:
        return int(days)
    tpl = catalog.template()["tabs"]["settings"]
    problems.append(_settings_problem(tab, row, "cadence_invalid", settings.lang, value=cell_text(value),
                                      label=by_label_key(tpl, "checkin_cadence", settings.lang),
                                      default=DEFAULT_CADENCE, most=MAX_CADENCE))
    return DEFAULT_CADENCE


def by_label_key(tpl: dict, key: str, lang: str) -> str:
    return str(next(i["label"][lang] for i in tpl["keys"] if i["key"] == key))


def _settings_problem(
    sheet: Tab, row: int, code: str, lang: str, severity: Severity = "warning", **params: object
) -> Problem:
    column = catalog.template()["tabs"]["settings"]["header"][lang][1]
    return Problem(sheet.name, row, column, code, severity, catalog.message(f"settings.{code}", lang, **params))


def checkin_tab_problems(settings_tab: Tab, settings: Settings, missing: dict[str, str]) -> list[Problem]:
    """What a manager must fix when check-in tabs are gone: each team's, or all at once in one sentence."""
    lang = settings.lang
    if not settings.teams:
        return [_settings_problem(settings_tab, settings.teams_row, "no_teams", lang, severity="error")]
    if len(missing) == len(settings.teams):
        tabs = ", ".join(f"« {t} »" if lang == "fr" else f'"{t}"' for t in missing.values())
        return [
            _settings_problem(settings_tab, settings.teams_row, "no_checkin_tabs", lang, severity="error", tabs=tabs)
        ]
    return [
        _settings_problem(settings_tab, settings.team_rows[team], "missing_tab", lang, team=team, tab=name)
        for team, name in missing.items()
    ]
