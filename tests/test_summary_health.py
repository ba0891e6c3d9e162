"""The summary's health lines: what needs a manager beyond the OKRs (KPIs in alert, blocked and late initiatives),
in the workbook's language and locale; nothing when all is well."""

from __future__ import annotations

from typing import Any

import pytest

from sync.writeback.report import health_lines


def report(lang: str, kpis: list[dict[str, Any]] = (), initiatives: list[dict[str, Any]] = ()) -> dict[str, Any]:
    return {"workbook": {"lang": lang}, "kpis": list(kpis), "initiatives": list(initiatives)}


def kpi(name: str, status: str, latest: float, threshold: float, unit: str) -> dict[str, Any]:
    return {"indicator": name, "status": status, "latest": latest, "threshold": threshold, "unit": unit}


def initiative(name: str, kr: str | None, state: str, past_due: bool = False) -> dict[str, Any]:
    return {"initiative": name, "kr": kr, "state": state, "past_due": past_due}


CAC = kpi("CAC", "red", 3500, 3000, "$")


@pytest.mark.parametrize(("lang", "locale", "line"), [
    ("fr", "fr_CA", "Indicateurs en alerte (1) : CAC à 3\u00a0500\u00a0$ (seuil 3\u00a0000\u00a0$)"),
    ("en", "en_US", "KPIs in alert (1): CAC at $3,500 (threshold $3,000)"),
])
def test_the_cac_alert_is_one_line_with_its_figures_in_the_workbooks_locale(lang: str, locale: str,
                                                                              line: str) -> None:
    healthy = kpi("NPS", "green", 66, 50, "points")
    assert health_lines(report(lang, [CAC, healthy]), locale) == [line]


def test_a_kpi_in_percent_reads_as_a_percentage_and_several_alerts_share_the_line() -> None:
    churn = kpi("Churn", "red", 6.5, 5, "%")
    assert health_lines(report("en", [CAC, churn]), "en_US") == [
        "KPIs in alert (2): CAC at $3,500 (threshold $3,000); Churn at 6.5% (threshold 5%)"]


def test_blocked_and_late_initiatives_are_named_with_their_kr() -> None:
    items = [initiative("Free diagnostic", "SAL-KR1", "blocked"),
             initiative("Webinars", "MKT-KR1", "in_progress", True),
             initiative("Referrals", None, "todo", True), initiative("Campaign", "MKT-KR2", "done")]
    assert health_lines(report("fr", initiatives=items), "fr_CA") == [
        "Initiatives bloquées (1) : Free diagnostic (SAL-KR1)",
        "Initiatives en retard (2) : Webinars (MKT-KR1) ; Referrals (—)"]


def test_nothing_to_say_when_all_is_well_or_the_workbook_has_no_tables() -> None:
    assert health_lines(report("en", [kpi("NPS", "green", 66, 50, "points"), kpi("New", "none", 1, 2, "")],
                               [initiative("Campaign", "MKT-KR2", "done")]), "en_US") == []
    assert health_lines({"workbook": {"lang": "fr"}}, "fr_CA") == []
