"""What the KPI stage writes: the KPI tab's computed cells, the Org tab's health section and the report's `kpis`."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal, format_percent

from ..model import Grid, Heading
from ..template import catalog
from .kpi_indicators import Indicator

#: Alerts first, then the indicators within their threshold, then those that cannot be judged yet.
_STATUS_ORDER = {"red": 0, "green": 1, "none": 2}
#: Units written before the figure in English (`$3,500`); every other unit follows it (`3 500 $`, `42 days`).
_PREFIX_UNITS = {"en": ("$", "€", "£")}
_LARGEST = 1e15


def value_text(value: float | None, indicator: Indicator, locale: str, lang: str) -> str:
    """A KPI's figure as text with its unit, in the workbook's locale (`3 500 $`, `$3,500`, `2,5 %` for 2.5 points
    of a KPI in %); "" for none.

    The Org tab shows it as text: its columns B and C are formatted as percentages for the OKR sections.
    """
    return figure_text(value, indicator.unit, indicator.percent, locale, lang)


def figure_text(value: float | None, unit: str, percent: bool, locale: str, lang: str) -> str:
    """A figure and its unit as `value_text` writes it; `percent`: the figure is in points of a percentage."""
    if value is None:
        return ""
    if not abs(value) < _LARGEST:
        # Babel rounds through Decimal, which gives up on such figures: no KPI is that large but a typo.
        return f"{value:.6g}"
    if percent:
        return str(format_percent(value / 100, locale=locale, decimal_quantization=False))
    number = str(format_decimal(round(value, 6), locale=locale))
    if not unit:
        return number
    if unit in _PREFIX_UNITS.get(lang, ()):
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number}\u00a0{unit}"


def table_values(indicators: list[Indicator | None], lang: str) -> dict[str, list[Any]]:
    """The KPI tab's computed columns, one cell per row of the table (blank for a row that does not count)."""
    columns: dict[str, list[Any]] = {k: [] for k in ("latest", "latest_date", "change", "trend", "status")}
    for indicator in indicators:
        latest = indicator.latest if indicator else None
        trend = indicator.trend if indicator else None
        columns["latest"].append(latest.value if latest else None)
        columns["latest_date"].append(latest.date if latest else None)
        columns["change"].append(indicator.change if indicator else None)
        columns["trend"].append(catalog.word("kpi_trend", trend, lang) if trend else None)
        columns["status"].append(catalog.word("status", indicator.status, lang) if indicator else None)
    return columns


def ranked(indicators: list[Indicator]) -> list[Indicator]:
    """Alerts first, then green, then those without a status; in KPI-tab order within each."""
    return sorted(indicators, key=lambda i: (_STATUS_ORDER[i.status], i.row))


def org_section(indicators: list[Indicator], locale: str, lang: str) -> Grid:
    """The Org tab's health section: a heading, a header and one line per indicator, alerts first; none without
    an indicator. Figures are text (see `value_text`), the status word in D takes its colour, the trend is in E."""
    if not indicators:
        return []
    m = lambda key: catalog.message(key, lang)  # noqa: E731
    grid: Grid = [
        [Heading(m("org.kpis"))],
        [m("org.col.indicator"), m("org.col.latest"), m("org.col.threshold"), m("org.col.status"),
         m("org.col.trend"), m("org.col.change"), m("org.col.team"), m("org.col.latest_reading")],
    ]
    for i in ranked(indicators):
        latest = i.latest
        grid.append([
            i.name,
            value_text(latest.value if latest else None, i, locale, lang),
            value_text(i.threshold, i, locale, lang),
            catalog.word("status", i.status, lang),
            catalog.word("kpi_trend", i.trend, lang) if i.trend else "",
            _signed(value_text(i.change, i, locale, lang), i.change),
            i.team,
            latest.date.isoformat() if latest else "",
        ])
    return grid


def _signed(text: str, value: float | None) -> str:
    """A change shows its sign either way: `+655 $`, `-0,5 %`."""
    return f"+{text}" if value is not None and value > 0 else text


def report(indicators: list[Indicator]) -> list[dict[str, Any]]:
    """The report's `kpis`: one record per indicator, in KPI-tab order; figures as the KPI tab holds them (a KPI
    in % in points, as the OKR tab's KRs), `status` red (an alert), green or none, `trend` up, down, flat or None."""
    return [
        {
            "indicator": i.name,
            "team": i.team,
            "unit": i.unit,
            "direction": i.direction,
            "latest": i.latest.value if i.latest else None,
            "latest_date": i.latest.date.isoformat() if i.latest else None,
            "change": i.change,
            "trend": i.trend,
            "threshold": i.threshold,
            "benchmark": i.benchmark,
            "status": i.status,
        }
        for i in indicators
    ]
