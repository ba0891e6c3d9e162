"""KPIs and their readings: the seeds' CAC alert, change and trend, and each reading's validation, in both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.layout.build import Team
from sync.model import Percent
from sync.parsing.settings import Settings
from sync.stages.kpi_health import org_section, report, table_values, value_text
from sync.stages.kpi_indicators import KpiTables, read_kpis
from sync.template import catalog

AS_OF = dt.date(2025, 2, 14)
LOCALES = {"fr": "fr_CA", "en": "en_US"}
TEAMS = {"fr": ("Marketing", "Ventes", "Succès client"), "en": ("Marketing", "Sales", "Customer Success")}
NBSP = "\u00a0"


def direction(key: str, lang: str) -> str:
    return catalog.word("kpi_direction", key, lang)


def workbook_settings(lang: str) -> Settings:
    return Settings("Groupe Lavoie Conseil", lang, LOCALES[lang], "2025-T1", dt.date(2025, 1, 1),
                    dt.date(2025, 3, 31), teams=[Team(t) for t in TEAMS[lang]])


def tab_names(lang: str) -> dict[str, str]:
    return {k: catalog.tab_name(k, lang) for k in ("kpis", "kpi_readings")}


def kpi(indicator: Any, team: Any = "Marketing", unit: Any = "$", better: Any = "lower", benchmark: Any = None,
        threshold: Any = None, lang: str = "fr") -> dict[str, Any]:
    """A KPI-tab row as raw cells; `better` is a direction key, or any text to type as it is."""
    words = catalog.words("kpi_direction", lang)
    return dict(indicator=indicator, team=team, unit=unit, direction=words.get(better, better), benchmark=benchmark,
                threshold=threshold)


def frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A people table as the machinery reads it: raw cells, with the sheet row (data from row 2)."""
    return pd.DataFrame([{"row": i, **r} for i, r in enumerate(rows, start=2)], dtype=object)


def reading(date: Any, indicator: Any, value: Any, comment: Any = None) -> dict[str, Any]:
    return dict(date=date, indicator=indicator, value=value, comment=comment)


def evaluate(kpis: list[dict[str, Any]], readings: list[dict[str, Any]], lang: str = "fr",
             as_of: dt.date = AS_OF) -> KpiTables:
    return read_kpis(frame(kpis), frame(readings), workbook_settings(lang), as_of, tab_names(lang))


def codes(problems: list[Any]) -> list[tuple[int, str, str]]:
    return [(p.row, p.code, p.severity) for p in problems]


CAC = {"fr": ("CAC", "3 000 $", ["2 845 $", "3 500 $"]), "en": ("CAC", "$3,000", ["$2,845", "$3,500"])}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cac_from_2845_to_3500_against_3000_is_an_alert(lang: str) -> None:
    name, threshold, values = CAC[lang]
    kpis = [kpi(name, threshold=threshold, lang=lang)]
    readings = [reading(dt.date(2025, 1, 31), name, values[0]), reading(dt.date(2025, 2, 10), name, values[1])]
    tables = evaluate(kpis, readings, lang)

    cac = tables.counted[0]
    assert (cac.latest.value, cac.change, cac.trend, cac.status) == (3500, 655, "up", "red")
    assert tables.kpi_problems == [] and tables.reading_problems == []
    values_out = table_values(tables.indicators, lang)
    assert values_out["latest"] == [3500] and values_out["latest_date"] == [dt.date(2025, 2, 10)]
    assert values_out["status"] == [catalog.word("status", "red", lang)]
    assert values_out["trend"] == ["↗"]
    line = org_section(tables.counted, LOCALES[lang], lang)[2]
    expected = {"fr": [f"3{NBSP}500{NBSP}$", f"3{NBSP}000{NBSP}$"], "en": ["$3,500", "$3,000"]}[lang]
    assert line[:4] == [name, *expected, catalog.word("status", "red", lang)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_cac_at_2845_is_within_its_threshold(lang: str) -> None:
    name, threshold, values = CAC[lang]
    tables = evaluate([kpi(name, threshold=threshold, lang=lang)], [reading("2025-01-31", name, values[0])], lang)
    cac = tables.counted[0]
    assert (cac.latest.value, cac.change, cac.trend, cac.status) == (2845, None, None, "green")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize(
    ("latest", "status"), [("14 %", "red"), ("15 %", "green"), ("16 %", "green"), ("14", "red"), ("15,5", "green")]
)
def test_higher_is_better_alerts_below_its_threshold(lang: str, latest: str, status: str) -> None:
    latest = latest if lang == "fr" else latest.replace(",", ".")
    name = {"fr": "Taux de conversion des leads", "en": "Lead conversion rate"}[lang]
    kpis = [kpi(name, TEAMS[lang][1], "%", "higher", "20 %", "15 %", lang)]
    tables = evaluate(kpis, [reading("2025-01-15", name, "18 %"), reading("2025-02-12", name, latest)], lang)
    assert tables.counted[0].status == status
    assert table_values(tables.indicators, lang)["status"] == [catalog.word("status", status, lang)]


def test_a_kpi_in_percent_holds_points_as_the_okr_tab_does() -> None:
    readings = [reading("2025-01-15", "Churn", "2,5"), reading("2025-02-03", "Churn", Percent(0.03)),
                reading("2025-02-12", "Churn", "3,5 %")]
    tables = evaluate([kpi("Churn", unit="%", threshold="3 %")], readings)
    values = table_values(tables.indicators, "fr")
    assert values["latest"] == [3.5] and values["change"] == [0.5]
    assert not isinstance(values["latest"][0], Percent)  # a plain number: the column is formatted as one
    assert value_text(3.5, tables.counted[0], "fr_CA", "fr") == f"3,5{NBSP}%"
    assert tables.counted[0].threshold == 3 and tables.counted[0].status == "red"


@pytest.mark.parametrize(
    ("values", "change", "trend"),
    [
        ([100, 110, 120], 10, "up"),
        ([120, 110, 100], -10, "down"),
        ([100, 101, 100.5], -0.5, "flat"),  # a fitted rise of 0.25, under 2 % of 101
        ([50, 100, 100, 100], 0, "flat"),  # only the last three readings count
        ([100, 150], 50, "up"),
        ([100, 97], -3, "down"),  # two readings: last − first
        ([100, 99], -1, "flat"),  # 1 out of 100: within the dead band (2 % of 100)
        ([100], None, None),
        ([1e308, -1e308], None, "down"),  # a change past the largest float is none, the trend still shows
    ],
)
def test_change_and_trend_of_worked_readings(values: list[float], change: float | None, trend: str | None) -> None:
    days = [dt.date(2025, 1, 6) + dt.timedelta(weeks=i) for i in range(len(values))]
    tables = evaluate([kpi("Pipeline", unit="K$", better="higher", threshold=50)],
                      [reading(d, "Pipeline", v) for d, v in zip(days, values, strict=True)])
    nps = tables.counted[0]
    assert (nps.change, nps.trend) == (change, trend)


def test_latest_reading_is_by_date_not_by_row() -> None:
    rows = [reading("2025-02-10", "NPS", 62), reading("2025-01-13", "NPS", 58), reading("2025-01-27", "NPS", 60)]
    tables = evaluate([kpi("NPS", unit="", better="higher", threshold=50)], rows)
    nps = tables.counted[0]
    assert (nps.latest.value, nps.latest.date, nps.change, nps.trend) == (62, dt.date(2025, 2, 10), 2, "up")


@pytest.mark.parametrize("cell", [2845, "2845", "2 845 $", "$2,845", "2,845.00 $", "2 845,00 $"])
def test_a_value_reads_as_people_type_it(cell: Any) -> None:
    tables = evaluate([kpi("CAC", threshold="3 000 $")], [reading("2025-02-03", "CAC", cell)])
    assert tables.counted[0].latest.value == 2845 and tables.reading_problems == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_readings_say_what_is_wrong_with_them(lang: str) -> None:
    name = "CAC"
    rows = [
        reading("2025-01-31", "Coût par lead", "90 $"),  # 2: unknown indicator
        reading("31/02/2025", name, "2 900 $"),  # 3: a date that does not exist
        reading(None, name, "2 900 $"),  # 4: no date
        reading("2025-02-03", name, "beaucoup"),  # 5: not a number
        reading("2025-02-03", name, None),  # 6: no value
        reading("2025-02-03", None, 10),  # 7: no indicator
        reading("2025-03-03", name, "3 100 $"),  # 8: in the future: waits for its day
        reading("2025-02-10", name, "3 000 $"),  # 9: read twice on one date…
        reading("2025-02-10", "cac", "3 500 $"),  # 10: …the lower row counts
    ]
    tables = evaluate([kpi(name, threshold="3 000 $", lang=lang)], rows, lang)
    assert codes(tables.reading_problems) == [
        (2, "unknown_indicator", "error"),
        (3, "date_unreadable", "error"),
        (4, "date_missing", "error"),
        (5, "value_not_number", "error"),
        (6, "value_missing", "error"),
        (7, "indicator_missing", "error"),
        (8, "date_in_future", "warning"),
        (9, "duplicate_reading", "warning"),
        (10, "duplicate_reading", "warning"),
    ]
    assert [(r.row, r.value) for r in tables.counted[0].readings] == [(10, 3500)]
    by_row = {p.row: p for p in tables.reading_problems}
    kpi_tab = catalog.tab_name("kpis", lang)
    assert kpi_tab in by_row[2].message and "Coût par lead" in by_row[2].message
    assert "31/02/2025" in by_row[3].message and "beaucoup" in by_row[5].message
    assert by_row[9].message == by_row[10].message and "9, 10" in by_row[9].message
    labels = {c.key: c.label for c in catalog.columns("kpi_readings", lang)}
    assert by_row[2].column == labels["indicator"] and by_row[5].column == labels["value"]
    assert {p.tab for p in tables.reading_problems} == {catalog.tab_name("kpi_readings", lang)}
    assert tables.counted[0].status == "red"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_kpi_rows_say_what_is_wrong_with_them(lang: str) -> None:
    kpis = [
        kpi("CAC", threshold="3 000 $", lang=lang),  # 2: fine
        kpi("cac", threshold="2 000 $", lang=lang),  # 3: a second CAC: the first counts
        kpi(None, threshold=10, lang=lang),  # 4: no name
        kpi("NPS", "Finances", "", "higher", threshold=50, lang=lang),  # 5: a team Settings does not know
        kpi("Rétention", TEAMS[lang][1], "%", "mieux", threshold="90 %", lang=lang),  # 6: a direction of no list
        kpi("Pipeline", TEAMS[lang][1], "K$", None, threshold="beaucoup", benchmark="assez", lang=lang),  # 7
        kpi("Ticket moyen", TEAMS[lang][1], "h", "lower", lang=lang),  # 8: no threshold: no alert
    ]
    tables = evaluate(kpis, [reading("2025-02-10", "Ticket moyen", 30), reading("2025-02-10", "CAC", "3 500 $")],
                      lang)
    assert codes(tables.kpi_problems) == [
        (3, "duplicate_indicator", "error"),
        (4, "indicator_missing", "error"),
        (5, "unknown_team", "warning"),
        (6, "direction_unrecognised", "error"),
        (7, "direction_missing", "warning"),
        (7, "threshold_not_number", "error"),
        (7, "benchmark_not_number", "warning"),
        (8, "threshold_missing", "warning"),
    ]
    assert [i.name if i else None for i in tables.indicators] == [
        "CAC", None, None, "NPS", "Rétention", "Pipeline", "Ticket moyen"]
    assert "2" in tables.kpi_problems[0].message  # names the row that counts
    assert catalog.word("kpi_direction", "higher", lang) in tables.kpi_problems[3].message
    statuses = table_values(tables.indicators, lang)["status"]
    none, red = catalog.word("status", "none", lang), catalog.word("status", "red", lang)
    assert statuses == [red, None, None, none, none, none, none]


@pytest.mark.parametrize("typed", ["plus bas", "Lower is better", "LOWER", "Plus bas = mieux", "lower is better "])
def test_a_direction_reads_in_either_language(typed: str) -> None:
    tables = evaluate([kpi("CAC", better=typed, threshold="3 000 $")], [reading("2025-02-10", "CAC", 3500)])
    assert tables.counted[0].direction == "lower" and tables.kpi_problems == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_health_section_lists_alerts_first(lang: str) -> None:
    kpis = [
        kpi("NPS", TEAMS[lang][2], "", "higher", threshold=50, lang=lang),
        kpi("Rétention", TEAMS[lang][2], "%", "higher", threshold="90 %", lang=lang),
        kpi("CAC", threshold="3 000 $", lang=lang),
        kpi("Cycle de vente", TEAMS[lang][1], "jours", "lower", threshold=45, lang=lang),
    ]
    readings = [reading("2025-02-10", "NPS", 62), reading("2025-02-10", "CAC", 3500),
                reading("2025-02-10", "Cycle de vente", 41)]
    tables = evaluate(kpis, readings, lang)
    grid = org_section(tables.counted, LOCALES[lang], lang)
    assert str(grid[0][0]) == catalog.message("org.kpis", lang)
    assert [line[0] for line in grid[2:]] == ["CAC", "NPS", "Cycle de vente", "Rétention"]
    words = [catalog.word("status", s, lang) for s in ("red", "green", "green", "none")]
    assert [line[3] for line in grid[2:]] == words
    assert grid[4][1] == f"41{NBSP}jours"
    assert report(tables.counted)[2] == {
        "indicator": "CAC", "team": "Marketing", "unit": "$", "direction": "lower", "latest": 3500.0,
        "latest_date": "2025-02-10", "change": None, "trend": None, "threshold": 3000.0, "benchmark": None,
        "status": "red",
    }
    assert org_section([], LOCALES[lang], lang) == []


def problem_codes() -> set[str]:
    return {k.split(".", 1)[1] for k in catalog.messages() if k.startswith(("kpi.", "reading."))}


junk = st.one_of(
    st.none(), st.text(max_size=30), st.integers(-10**12, 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.dates(), st.sampled_from(["2 845 $", "3 500 $", "150 K$", "2025-02-10", "31/02/2025", "CAC", "NPS", "%",
                                 "Plus bas = mieux", "Higher is better", "", " "]),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.fixed_dictionaries({k: junk for k in ("indicator", "team", "unit", "direction", "benchmark",
                                                      "threshold")}), max_size=5),
    st.lists(st.fixed_dictionaries({k: junk for k in ("date", "indicator", "value", "comment")}), max_size=8),
    st.sampled_from(["fr", "en"]),
)
def test_arbitrary_cells_never_raise_and_every_row_left_out_says_why(
    kpis: list[dict[str, Any]], readings: list[dict[str, Any]], lang: str
) -> None:
    tables = evaluate(kpis, readings, lang)
    table_values(tables.indicators, lang)
    org_section(tables.counted, LOCALES[lang], lang)
    report(tables.counted)
    counted = {r.row for i in tables.counted for r in i.readings}
    flagged = {p.row for p in tables.reading_problems}
    assert set(range(2, len(readings) + 2)) <= counted | flagged
    kpi_flagged = {p.row for p in tables.kpi_problems}
    assert all(row in kpi_flagged for row, i in enumerate(tables.indicators, start=2) if i is None)
    for problem in tables.kpi_problems + tables.reading_problems:
        assert problem.message and problem.code in problem_codes()


@pytest.mark.parametrize(
    ("lang", "unit", "value", "text"),
    [
        ("fr", "$", 3500, f"3{NBSP}500{NBSP}$"),
        ("en", "$", 3500, "$3,500"),
        ("en", "$", -655, "-$655"),
        ("fr", "jours", 40, f"40{NBSP}jours"),
        ("en", "", 1234.5, "1,234.5"),
        ("fr", "%", 97.1, f"97,1{NBSP}%"),
        ("en", "%", 19.5, "19.5%"),
    ],
)
def test_figures_are_written_with_their_unit_in_the_workbooks_locale(lang: str, unit: str, value: float,
                                                                     text: str) -> None:
    tables = evaluate([kpi("K", unit=unit, threshold=1, lang=lang)], [], lang)
    assert value_text(value, tables.counted[0], LOCALES[lang], lang) == text


def test_a_threshold_typed_as_a_percentage_makes_a_kpi_in_percent() -> None:
    tables = evaluate([kpi("Conversion", unit="", better="higher", threshold="15 %")],
                      [reading("2025-02-10", "Conversion", 14)])
    conversion = tables.counted[0]
    assert conversion.percent and conversion.latest.value == 14 and conversion.status == "red"
