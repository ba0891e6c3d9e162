"""The KPI stage: health indicators and their dated readings, read, judged and written back.

KPIs measure the business's health and never count in OKR progress: this stage reads only its two tables and
gives back their computed cells, the Org tab's health section and the report's `kpis`, nothing of the OKR tab.
"""

from __future__ import annotations

from .kpi_health import org_section, report, table_values
from .kpi_indicators import read_kpis
from .tables import StageInput, StageResult, TableResult

KEYS = ("kpis", "kpi_readings")


def evaluate(ctx: StageInput) -> StageResult:
    """The KPI and KPI-readings tables' computed cells and problems, the health section and the report's key."""
    wb, settings = ctx.wb, ctx.wb.settings
    tables = read_kpis(wb.tables["kpis"], wb.tables["kpi_readings"], settings, ctx.as_of,
                       {k: wb.table_tabs[k] for k in KEYS})
    return StageResult(
        tables={
            "kpis": TableResult(table_values(tables.indicators, settings.lang), tables.kpi_problems),
            "kpi_readings": TableResult({}, tables.reading_problems),
        },
        org_section=org_section(tables.counted, settings.locale, settings.lang),
        report={"kpis": report(tables.counted)},
    )
