"""The backend-neutral vocabulary of a layout: areas, dropdowns, colour rules, protections, tabs, workbooks."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import ChartSpec, Grid

#: An area from a tab's first body row down to at least this row is meant for its whole columns, however long
#: the tab grows: a column format in xlsx, a range with no end row in Sheets.
WHOLE_COLUMNS_FROM = 100
#: Rows that the OKR tab's dropdowns, formats and colour rules cover.
OKR_ROWS = 500
#: Teams a workbook holds at most: the Lists tab has a column for each.
MAX_TEAMS = 30


@dataclass(frozen=True)
class Area:
    """A rectangle of 1-based rows and columns, inclusive."""

    first_row: int
    last_row: int
    first_col: int
    last_col: int

    @property
    def whole_columns(self) -> bool:
        """Whether the area stands for its columns from the first body row down, as far as the tab goes."""
        return self.first_row <= 2 and self.last_row >= WHOLE_COLUMNS_FROM


@dataclass(frozen=True)
class Dropdown:
    """A list of allowed values on an area: fixed values, or the cells of another tab's column; `help` is shown
    when a cell of the area is selected."""

    area: Area
    values: tuple[str, ...] = ()
    source_tab: str | None = None
    source: Area | None = None
    strict: bool = False
    help: str | None = None


@dataclass(frozen=True)
class ColourRule:
    """Colour `area` when the cell of `status_col` on the same row equals `text` (a status word).

    `status_col` 0 means each cell of the area is judged by its own value; a `formula` (Sheets' syntax, relative
    to the area's first row) replaces both.
    """

    area: Area
    status_col: int
    text: str
    colour: str
    formula: str | None = None


@dataclass(frozen=True)
class Protection:
    """A warning-only protected area (computed columns, service tabs)."""

    area: Area | None
    description: str


@dataclass(frozen=True)
class NumberFormat:
    area: Area
    kind: str  # "percent", "date", "number"


@dataclass
class TabLayout:
    """One tab as provisioning lays it out."""

    key: str
    name: str
    grid: Grid
    widths: list[int]
    frozen_rows: int = 1
    header_row: int | None = 1
    header_fills: list[tuple[int, str]] = field(default_factory=list)
    dropdowns: list[Dropdown] = field(default_factory=list)
    colour_rules: list[ColourRule] = field(default_factory=list)
    protections: list[Protection] = field(default_factory=list)
    formats: list[NumberFormat] = field(default_factory=list)
    tab_colour: str | None = None
    protect_whole: bool = False
    hidden: bool = False
    #: Columns (1-based) whose cells, header included, sit against the right edge: numbers under their header.
    right_cols: list[int] = field(default_factory=list)
    #: Columns whose long text wraps within the column's width (titles, notes, comments).
    wrap_cols: list[int] = field(default_factory=list)
    #: Columns laid out hidden (the row key: its long text would overflow the screen and shrink the printed page).
    hidden_cols: list[int] = field(default_factory=list)
    #: Added to an existing workbook: the tab it goes after (`placement`); None: just before the Org tab.
    after: str | None = None

    @property
    def printed(self) -> bool:
        """Whether people print this tab: landscape, one page wide, its frozen rows repeated on every page."""
        return not self.hidden


@dataclass
class Layout:
    """A whole workbook as provisioning lays it out, for any backend to render."""

    title: str
    lang: str
    locale: str
    time_zone: str
    tabs: list[TabLayout]
    charts: list[ChartSpec]
