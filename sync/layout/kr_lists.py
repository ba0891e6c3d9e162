"""The hidden Lists tab, computed by the spreadsheet itself: the teams from Settings, each team's KR IDs from the
OKR tab. A check-in tab's KR dropdown reads its team's column here, so a KR typed into the OKR tab is offered at
once, before any sync; the sync leaves the tab alone once its formulas are in.

One meaning, two dialects:
- Google Sheets: one FILTER per column, spilling down. Its argument separator is the spreadsheet locale's: `;`
  where the decimal mark is a comma (fr_CA, fr_FR), `,` elsewhere
  (https://www.benlcollins.com/spreadsheets/sheets-location/, "Syntax rules").
- The xlsx file: functions that Excel 2010 and later and LibreOffice 7 all compute, one cell at a time (neither
  has FILTER before Excel 365 and LibreOffice 24.8). A helper column numbers each KR row of the OKR tab with its
  team's Lists column × 1000 + its rank in that team; each list cell looks up its own number. OOXML stores `,`
  whatever the reader's locale.

A KR is listed when its row has an ID, a KR type (in either language) and a team: a team's column lists the KRs
whose Team is that team (header row 1, from Settings), the organisation's column those whose Team names the
organisation ("Organisation", or its name in Settings). Comparisons ignore case and surrounding spaces, as the
sync's do.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from babel.numbers import get_decimal_symbol

from ..model import Formula, Grid, Tab, col_letters
from ..template import catalog
from .model import MAX_TEAMS, OKR_ROWS

#: Rows of the Lists tab that a KR dropdown reads (row 1 is the header).
LIST_ROWS = 200
#: The Lists column of the organisation's own KRs: past every team's, so adding a team never moves it.
ORG_LIST_COL = MAX_TEAMS + 2
#: Row 1 of this column says the tab is computed; a Lists tab without it predates the formulas.
NOTE_COL = ORG_LIST_COL + 1
#: The xlsx file's helper columns, one row per OKR-tab row: the KR's Lists column, then its number.
TEAM_OF_ROW_COL = NOTE_COL + 1
NUMBER_COL = NOTE_COL + 2
#: Column A lists the organisation (row 2) then the teams, for the OKR tab's Team dropdown.
FIRST_TEAM_LIST_ROW = 3
#: A KR's number: its Lists column times this, plus its rank among that column's KRs.
_RANK_BASE = 1000


@dataclass(frozen=True)
class ListsSource:
    """Where the formulas read: the workbook's language (tab names), the spreadsheet's locale (Sheets' argument
    separator), the Settings rows of the organisation's name and of the first team."""

    lang: str
    locale: str
    org_row: int | None
    first_team_row: int


def list_column(slot: int) -> int:
    """The Lists column of the team on the `slot`-th row (1-based) of Settings' teams table."""
    return slot + 1


def kept_by_formulas(tab: Tab | None) -> bool:
    """Whether a Lists tab as read already computes itself (its note is there)."""
    return tab is not None and str(tab.cell(1, NOTE_COL) or "").strip() != ""


def lists_grid(src: ListsSource) -> Grid:
    """The whole Lists tab: headers, and a Formula wherever either application computes something."""
    lang = src.lang
    grid: Grid = [[None] * NUMBER_COL for _ in range(max(LIST_ROWS, OKR_ROWS))]
    grid[0][0] = catalog.template()["tabs"]["lists"]["teams_header"][lang]
    grid[1][0] = grid[0][ORG_LIST_COL - 1] = catalog.org_word(lang)
    grid[0][NOTE_COL - 1] = catalog.message("layout.lists_note", lang)
    sheets, xlsx = _sheets_cells(src), _xlsx_cells(src)
    for (row, col) in sheets.keys() | xlsx.keys():
        grid[row - 1][col - 1] = Formula(sheets.get((row, col)), xlsx.get((row, col)))
    return grid


def _sheets_cells(src: ListsSource) -> dict[tuple[int, int], str]:
    """Google Sheets' formulas by (row, col): the team names, and one FILTER at the top of each list."""
    okr, settings = _quoted(catalog.tab_name("okrs", src.lang)), _quoted(catalog.tab_name("settings", src.lang))
    sep = argument_separator(src.locale)
    names = f"{settings}!$A${src.first_team_row}:$A${src.first_team_row + MAX_TEAMS - 1}"
    # One FILTER for the teams: no blank choice in the Team dropdown.
    cells = {(FIRST_TEAM_LIST_ROW, 1): f'IFERROR(FILTER({names}{sep}TRIM({names})<>""))'}
    cells.update(_team_headers(src))
    whole = {key: f"{okr}!${letter}$2:${letter}" for key, letter in _okr_letters().items()}
    for col in _list_columns():
        owner = (_is_org(whole["team"], _org_name(src)) if col == ORG_LIST_COL
                 else f"(TRIM({whole['team']})=${col_letters(col)}$1)")
        cells[(2, col)] = f"IFERROR(FILTER({whole['id']}{sep}{_is_listed(whole)}*{owner}))"
    return cells


def _xlsx_cells(src: ListsSource) -> dict[tuple[int, int], str]:
    """The file's formulas by (row, col): team names cell by cell, the helper columns, each list cell's lookup."""
    okr = _quoted(catalog.tab_name("okrs", src.lang))
    headers = _team_headers(src)
    cells = {(FIRST_TEAM_LIST_ROW + col - 2, 1): name for (_row, col), name in headers.items()}
    cells.update(headers)
    letters = _okr_letters()
    first, last = col_letters(list_column(1)), col_letters(list_column(MAX_TEAMS))
    team_headers = f"${first}$1:${last}$1"
    team_of, number = col_letters(TEAM_OF_ROW_COL), col_letters(NUMBER_COL)
    for r in range(2, OKR_ROWS + 1):
        row = {key: f"{okr}!${letter}{r}" for key, letter in letters.items()}
        column = f"SUMPRODUCT((TRIM({row['team']})={team_headers})*COLUMN({team_headers}))"
        org = _is_org(row["team"], _org_name(src))
        cells[(r, TEAM_OF_ROW_COL)] = f"IF({_is_listed(row)},IF({org},{ORG_LIST_COL},{column}),0)"
        rank = f"COUNTIF({team_of}$2:{team_of}{r},{team_of}{r})"
        cells[(r, NUMBER_COL)] = f'IF({team_of}{r}=0,"",{team_of}{r}*{_RANK_BASE}+{rank})'
    ids = f"{okr}!${letters['id']}$2:${letters['id']}${OKR_ROWS}"
    numbers = f"${number}$2:${number}${OKR_ROWS}"
    lookup = f'IFERROR(INDEX({ids},MATCH(COLUMN()*{_RANK_BASE}+ROW()-1,{numbers},0)),"")'
    cells.update({(r, col): lookup for r in range(2, LIST_ROWS + 1) for col in _list_columns()})
    return cells


def _team_headers(src: ListsSource) -> dict[tuple[int, int], str]:
    """Row 1 of each team's list: the name on its row of Settings' teams table (operators only: both dialects)."""
    settings = _quoted(catalog.tab_name("settings", src.lang))
    return {(1, list_column(slot)): f'TRIM({settings}!$A${src.first_team_row + slot - 1}&"")'
            for slot in range(1, MAX_TEAMS + 1)}


def _list_columns() -> list[int]:
    """Every team's list, then the organisation's."""
    return [*(list_column(slot) for slot in range(1, MAX_TEAMS + 1)), ORG_LIST_COL]


def _org_name(src: ListsSource) -> str | None:
    settings = _quoted(catalog.tab_name("settings", src.lang))
    return f'TRIM({settings}!$B${src.org_row}&"")' if src.org_row else None


def argument_separator(locale: str | None) -> str:
    """What separates a function's arguments in a Sheets formula for this spreadsheet locale."""
    try:
        decimal = get_decimal_symbol(Locale.parse(locale or "en_US"))
    except (UnknownLocaleError, ValueError, TypeError):
        decimal = "."
    return ";" if decimal == "," else ","


def _okr_letters() -> dict[str, str]:
    """The OKR tab's ID, Team and Type columns, as laid out."""
    keys = [c.key for c in catalog.columns("okrs", "en")]
    return {key: col_letters(keys.index(key) + 1) for key in ("id", "team", "type")}


def _is_listed(ref: dict[str, str]) -> str:
    """1 when the row (or each row of a range) is a KR with an ID and a team, else 0: operators only, so the same
    text serves a cell and, inside FILTER, a whole column."""
    words = dict.fromkeys(w.casefold() for lang in catalog.LANGS
                          for key, w in catalog.words("kr_types", lang).items() if key != "objective")
    is_kr = "+".join(f'(TRIM({ref["type"]})="{_text(w)}")' for w in words)
    return f'(TRIM({ref["id"]})<>"")*(TRIM({ref["team"]})<>"")*(({is_kr})>0)'


def _is_org(team: str, org_name: str | None) -> str:
    """1 when a Team cell (or each of a range) names the organisation: its word in any language, or its name."""
    tests = [f'(TRIM({team})="{_text(w)}")' for w in catalog.org_words()]
    if org_name:
        tests.append(f"(TRIM({team})={org_name})")
    return f"(({'+'.join(tests)})>0)"


def _quoted(tab: str) -> str:
    return "'" + tab.replace("'", "''") + "'"


def _text(word: str) -> str:
    """A word as a formula's string literal holds it."""
    return word.replace('"', '""')
