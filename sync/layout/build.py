"""The provisioning stage: from the template and an organisation's settings to a backend-neutral layout."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import BadArgument
from ..model import STATUSES, ChartSeries, ChartSpec, Grid, Heading, Percent
from ..template import catalog
from ..template.catalog import org_word
from .columns import col, column_tab, status_rules
from .kr_lists import LIST_ROWS, NUMBER_COL, ORG_LIST_COL, ListsSource, lists_grid
from .model import OKR_ROWS, Area, Dropdown, Layout, NumberFormat, Protection, TabLayout
from .tables import tables_at

#: Rows that dropdowns, formats and colour rules cover on check-in tabs.
CHECKIN_ROWS = 3000
#: Where the team table of the org tab starts, so the chart can point at it.
ORG_TEAM_HEADER_ROW = 5
#: The team table's expected share (C), and its first column of progress by status (I to L), that the chart draws.
EXPECTED_COL = 3
CHART_SERIES_COL = 9
ORG_ROWS = 1000

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[QqTt]([1-4])\s*$")
_BAD_TAB_CHARS = re.compile(r"[:\\/?*\[\]]")


@dataclass(frozen=True)
class Team:
    """A team of the Settings tab."""

    name: str
    manager: str = ""
    email: str = ""


@dataclass
class WorkbookSpec:
    """What `okrsync init` is told: who, which language, which quarter, which teams."""

    organisation: str
    lang: str
    quarter: str
    teams: list[Team]
    title: str | None = None
    locale: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def __post_init__(self) -> None:
        catalog.check_lang(self.lang)
        year, q = parse_quarter(self.quarter, self.lang)
        self.quarter = quarter_label(year, q, self.lang)
        qstart, qend = quarter_dates(year, q)
        self.start = self.start or qstart
        self.end = self.end or qend
        if not self.teams:
            raise BadArgument("error.no_team", self.lang)
        for team in self.teams:
            if not valid_team_name(team.name):
                raise BadArgument("error.bad_team", self.lang, value=team.name)
        self.locale = self.locale or catalog.template()["default_locale"][self.lang]
        self.title = self.title or f"OKR {self.organisation} {self.quarter}"


def parse_quarter(text: str, lang: str = "en") -> tuple[int, int]:
    """`2025-Q1` or `2025-T1` → (2025, 1)."""
    m = _QUARTER.match(str(text or ""))
    if not m:
        raise BadArgument("error.bad_quarter", lang, value=text)
    return int(m.group(1)), int(m.group(2))


def quarter_label(year: int, q: int, lang: str) -> str:
    """The quarter as people of that language write it: `2025-T1` in French, `2025-Q1` in English."""
    return f"{year}-{'T' if lang == 'fr' else 'Q'}{q}"


def quarter_dates(year: int, q: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter."""
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def build_layout(spec: WorkbookSpec) -> Layout:
    """Every tab of template v1 for this organisation, ready for a backend to create."""
    lang = spec.lang
    tpl = catalog.template()
    colours = tpl["colors"]
    assert spec.start and spec.end and spec.locale and spec.title

    readme_lines = tpl["tabs"]["readme"]["lines"][lang]
    readme = TabLayout(
        key="readme",
        name=catalog.tab_name("readme", lang),
        grid=[[Heading(spec.title)], *[[line] for line in readme_lines]],
        widths=[tpl["tabs"]["readme"]["width"]],
        frozen_rows=0,
        header_row=None,
        tab_colour=colours["tab_service"],
        wrap_cols=[1],
    )

    settings_tpl = tpl["tabs"]["settings"]
    values = {
        "organisation": spec.organisation,
        "language": lang,
        "locale": spec.locale,
        "quarter": spec.quarter,
        "start": spec.start,
        "end": spec.end,
    }
    grid: Grid = [list(settings_tpl["header"][lang])]
    org_row = 2 + [item["key"] for item in settings_tpl["keys"]].index("organisation")
    for item in settings_tpl["keys"]:
        value = values.get(item["key"], item.get("default"))
        if item["kind"] == "percent" and value is not None:
            value = Percent(float(value))  # type: ignore[arg-type]
        grid.append([item["label"][lang], value])
    grid.append([])
    grid.append([c["label"][lang] for c in settings_tpl["teams_columns"]])
    first_team_row = len(grid) + 1
    for team in spec.teams:
        grid.append([team.name, team.manager, team.email, catalog.checkin_tab_name(team.name, lang)])
    settings = TabLayout(
        key="settings",
        name=catalog.tab_name("settings", lang),
        grid=grid,
        widths=settings_tpl["widths"],
        tab_colour=colours["tab_people"],
        header_fills=[(1, colours["input_header"]), (2, colours["input_header"])],
    )
    settings.formats.append(NumberFormat(Area(6, 7, 2, 2), "date"))
    settings.formats.append(NumberFormat(Area(8, 11, 2, 2), "percent"))

    okr_rows = OKR_ROWS
    okrs = column_tab("okrs", catalog.tab_name("okrs", lang), "okrs", lang, okr_rows, colours["tab_people"])
    okrs.dropdowns.append(
        Dropdown(
            Area(2, okr_rows, col("okrs", "team"), col("okrs", "team")),
            source_tab=catalog.tab_name("lists", lang),
            source=Area(2, LIST_ROWS, 1, 1),
        )
    )
    okrs.dropdowns.append(
        Dropdown(
            Area(2, okr_rows, col("okrs", "type"), col("okrs", "type")),
            values=tuple(catalog.words("kr_types", lang).values()),
            strict=True,
        )
    )

    tabs = [readme, settings, *tables_at("before_okrs", lang), okrs, *tables_at("after_okrs", lang)]
    lists = TabLayout(
        key="lists",
        name=catalog.tab_name("lists", lang),
        grid=lists_grid(ListsSource(lang, spec.locale, org_row, first_team_row)),
        widths=[tpl["tabs"]["lists"]["width"]] * NUMBER_COL,
        tab_colour=colours["tab_service"],
        protect_whole=True,
        hidden=True,
    )
    lists.protections.append(Protection(None, catalog.message("layout.lists_note", lang)))
    tabs += [checkin_tab(team.name, index, lang) for index, team in enumerate(spec.teams, start=1)]
    tabs.append(org_checkin_tab(lang))
    tabs += tables_at("after_checkins", lang)

    org_tpl = tpl["tabs"]["org"]
    org = TabLayout(
        key="org",
        name=catalog.tab_name("org", lang),
        grid=[[Heading(catalog.message("org.title", lang, org=spec.organisation, quarter=spec.quarter))]],
        widths=org_tpl["widths"],
        frozen_rows=1,
        header_row=None,
        tab_colour=colours["tab_service"],
        protect_whole=True,
        right_cols=list(org_tpl["right_columns"]),
        wrap_cols=list(org_tpl["wrap_columns"]),
    )
    org.colour_rules.extend(status_rules(Area(1, ORG_ROWS, 1, 8), 0, lang))
    # Every section of the org tab keeps progress in B and expected (or confidence) in C, so one format
    # set here serves every sync's rewrite, whatever the backend; so do the chart's columns of progress.
    org.formats.append(NumberFormat(Area(2, ORG_ROWS, 2, 3), "percent"))
    org.formats.append(NumberFormat(Area(2, ORG_ROWS, CHART_SERIES_COL, CHART_SERIES_COL + len(STATUSES) - 1),
                                    "percent"))
    org.protections.append(Protection(None, catalog.message("layout.service_protection", lang)))

    history = column_tab("history", catalog.tab_name("history", lang), "history", lang, 20000, colours["tab_service"])
    history.protect_whole = True
    history.protections = [Protection(None, catalog.message("layout.service_protection", lang))]
    tabs.extend([org, history, lists])

    chart = org_chart(lang, len(spec.teams))
    return Layout(
        title=spec.title,
        lang=lang,
        locale=spec.locale,
        time_zone=tpl["time_zone"][lang],
        tabs=tabs,
        charts=[chart],
    )


def checkin_tab(team: str, index: int, lang: str) -> TabLayout:
    """A team's check-in tab; `index` (1-based, the team's place in Settings) picks its Lists column."""
    return _checkin_tab(team, index + 1, lang)


def org_checkin_tab(lang: str) -> TabLayout:
    """The organisation's own check-in tab, for its KRs that no team KR feeds."""
    return _checkin_tab(org_word(lang), ORG_LIST_COL, lang)


def org_checkin_tab_name(lang: str) -> str:
    """The name of the organisation's check-in tab."""
    return catalog.checkin_tab_name(org_word(lang), lang)


def _checkin_tab(team: str, list_col: int, lang: str) -> TabLayout:
    colours = catalog.template()["colors"]
    name = catalog.checkin_tab_name(team, lang)
    tab = column_tab(f"checkins:{team}", name, "checkins", lang, CHECKIN_ROWS, colours["tab_people"])
    kr_col = col("checkins", "kr")
    # The team's KR IDs, kept current by every sync on the Lists tab: a range-based list per team.
    tab.dropdowns.append(
        Dropdown(
            Area(2, CHECKIN_ROWS, kr_col, kr_col),
            source_tab=catalog.tab_name("lists", lang),
            source=Area(2, LIST_ROWS, list_col, list_col),
        )
    )
    conf_col = col("checkins", "confidence")
    tab.dropdowns.append(Dropdown(Area(2, CHECKIN_ROWS, conf_col, conf_col), values=confidence_choices(lang),
                                  help=catalog.message("layout.confidence_help", lang)))
    return tab


def confidence_choices(lang: str) -> tuple[str, ...]:
    """What the Confidence dropdown offers: the colours, then their words; a percentage is welcome too."""
    return (*catalog.words("confidence", lang).values(), *catalog.words("confidence_named", lang).values())


def valid_team_name(name: str) -> bool:
    """Whether a team name can name its check-in tab: not blank, not too long, no character a tab refuses."""
    name = name.strip()
    return bool(name) and len(name) <= 80 and not _BAD_TAB_CHARS.search(name)


def org_chart(lang: str, team_count: int) -> ChartSpec:
    """The org tab's chart over the team table the sync writes there: each team's progress as a column in its
    status's colour (the table's columns I to L, one per status, stacked), and the expected share as a line."""
    colours = catalog.template()["chart_colors"]
    bars = [ChartSeries(CHART_SERIES_COL + i, colours[s]) for i, s in enumerate(STATUSES)]
    return ChartSpec(
        tab=catalog.tab_name("org", lang),
        title=catalog.message("org.chart_title", lang),
        label_col=1,
        header_row=ORG_TEAM_HEADER_ROW,
        last_row=ORG_TEAM_HEADER_ROW + max(team_count, 1),
        anchor_row=2,
        anchor_col=CHART_SERIES_COL + len(STATUSES) + 1,
        series=(*bars, ChartSeries(EXPECTED_COL, colours["expected"], line=True)),
    )
