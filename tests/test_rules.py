"""The product design's worked examples and scoring rules, through the public pipeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sync.engine import run_sync
from sync.model import Percent
from tests.builders import objective_with_krs, okr, workbook

END = dt.date(2025, 3, 31)
MID = dt.date(2025, 2, 14)


def kr_of(report: dict[str, Any], kr_id: str) -> dict[str, Any]:
    return next(k for k in report["key_results"] if k["id"] == kr_id)


def score_one(
    kind: str,
    start: Any,
    target: Any,
    value: Any,
    unit: str = "",
    as_of: dt.date = END,
    confidence: Any = None,
    lang: str = "fr",
) -> dict[str, Any]:
    """One KR, one check-in on the as-of day; the KR's line of the report."""
    backend = workbook(
        objective_with_krs(
            okr("MKT-KR1", "Marketing", kind, "Reach 2 things", start=start, target=target, unit=unit),
            okr("MKT-KR2", "Marketing", "increase", "Other 5", start=0, target=5),
        ),
        {"Marketing": [[as_of, "MKT-KR1", value, confidence, "note"]]},
        lang=lang,
    )
    return kr_of(run_sync(backend, as_of), "MKT-KR1")


def test_increase_98_of_125_leads_at_quarter_end_scores_0_784() -> None:
    kr = score_one("increase", 0, 125, 98, "leads")
    assert kr["progress"] == pytest.approx(0.784)


def test_increase_28_leads_when_22_percent_elapsed_is_green_by_pace() -> None:
    day = dt.date(2025, 1, 20)
    kr = score_one("increase", 0, 125, 28, "leads", as_of=day)
    assert kr["expected"] == pytest.approx(0.222, abs=0.001)
    assert kr["confidence"] is None
    assert kr["status"] == "green"


@pytest.mark.parametrize(
    ("start", "target", "value", "unit", "progress"),
    [
        ("3 %", "2 %", "2,5 %", "%", 0.5),  # churn
        (3, 2, 2.5, "%", 0.5),
        (45, 35, 40, "jours", 0.5),  # sales cycle
        (100, 60, 80, "", 0.5),
        (100, 60, 70, "", 0.75),
        (100, 60, 50, "", 1.0),  # clamped, raw 1.25
        ("45 jours", "35 jours", "40 jours", "jours", 0.5),
    ],
)
def test_decrease_kr_scores_by_distance_covered(
    start: Any, target: Any, value: Any, unit: str, progress: float
) -> None:
    assert score_one("decrease", start, target, value, unit)["progress"] == pytest.approx(progress)


@pytest.mark.parametrize(
    ("start", "target", "value", "unit"),
    [
        (18, 25, "21,5 %", "%"),  # points typed bare, value typed as a percentage
        (18, 25, Percent(0.215), "%"),  # Sheets holds 21,5 % as 0.215 formatted as a percentage
        ("18 %", "25 %", 21.5, "%"),
        (Percent(0.18), Percent(0.25), Percent(0.215), "%"),
        (0.18, 0.25, 0.215, "%"),
        ("1 200 CHF", "1 450 CHF", "1 325 CHF", "CHF"),  # ARPU
        ("1'200", "1'450", "1’325.00", "CHF"),
        (1200, 1450, 1325, "CHF"),
    ],
)
def test_increase_kr_half_way_reads_like_with_like(start: Any, target: Any, value: Any, unit: str) -> None:
    assert score_one("increase", start, target, value, unit)["progress"] == pytest.approx(0.5)


def test_decreased_overshoot_is_clamped_to_one() -> None:
    assert score_one("decrease", 100, 60, 50)["progress"] == 1.0


@pytest.mark.parametrize(
    ("kind", "target", "value", "progress"),
    [
        ("at_least", 65, 68, 1.0),
        ("at_least", 65, 64, 0.0),
        ("at_least", 65, 65, 1.0),
        ("at_most", 2, 1.5, 1.0),
        ("at_most", 2, 2.5, 0.0),
    ],
)
def test_threshold_krs_are_all_or_nothing(kind: str, target: float, value: float, progress: float) -> None:
    assert score_one(kind, None, target, value)["progress"] == progress


@pytest.mark.parametrize(
    ("value", "progress"),
    [
        ("fait", 1.0),
        ("Terminé", 1.0),
        ("done", 1.0),
        ("✓", 1.0),
        (1, 1.0),
        ("100 %", 1.0),
        ("oui", 1.0),
        ("pas fait", 0.0),
        ("non", 0.0),
        ("40 %", 0.4),
        (Percent(0.25), 0.25),
    ],
)
def test_milestone_counts_done_not_done_or_its_share(value: Any, progress: float) -> None:
    assert score_one("milestone", None, None, value)["progress"] == pytest.approx(progress)


def test_objective_with_krs_at_one_zero_zero_scores_a_third() -> None:
    backend = workbook(
        objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Do 10", start=0, target=10),
            okr("MKT-KR2", "Marketing", "increase", "Do 10", start=0, target=10),
            okr("MKT-KR3", "Marketing", "increase", "Do 10", start=0, target=10),
        ),
        {"Marketing": [[END, "MKT-KR1", 10, None, ""], [END, "MKT-KR2", 0, None, ""], [END, "MKT-KR3", 0, None, ""]]},
    )
    report = run_sync(backend, END)
    assert report["objectives"][0]["progress"] == pytest.approx(0.333, abs=0.001)


def test_objective_progress_is_weighted_and_weight_zero_is_left_out() -> None:
    backend = workbook(
        objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Do 10", start=0, target=10, weight=3),
            okr("MKT-KR2", "Marketing", "increase", "Do 10", start=0, target=10, weight=1),
            okr("MKT-KR3", "Marketing", "increase", "Do 10", start=0, target=10, weight=0),
        ),
        {"Marketing": [[END, "MKT-KR1", 10, None, ""], [END, "MKT-KR2", 0, None, ""], [END, "MKT-KR3", 10, None, ""]]},
    )
    assert run_sync(backend, END)["objectives"][0]["progress"] == pytest.approx(0.75)


def test_current_is_the_latest_week_and_the_lower_row_within_a_week() -> None:
    rows = [
        [dt.date(2025, 2, 3), "MKT-KR1", 30, None, ""],
        [dt.date(2025, 2, 12), "MKT-KR1", 50, None, ""],  # later week, upper row
        [dt.date(2025, 2, 10), "MKT-KR1", 60, None, ""],  # same week, lower row: wins
        [dt.date(2025, 1, 27), "MKT-KR1", 90, None, ""],
    ]  # older week, lowest row
    backend = workbook(
        objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Get 100", start=0, target=100),
            okr("MKT-KR2", "Marketing", "increase", "Get 5", start=0, target=5),
        ),
        {"Marketing": rows},
    )
    kr = kr_of(run_sync(backend, MID), "MKT-KR1")
    assert kr["current"] == 60
    assert kr["last_checkin"] == "2025-02-10"


@pytest.mark.parametrize(
    ("confidence", "status"),
    [
        ("🟢", "green"),
        ("vert", "green"),
        ("80 %", "green"),
        ("🟡", "yellow"),
        ("79 %", "yellow"),
        ("jaune", "yellow"),
        ("50 %", "yellow"),
        ("49 %", "red"),
        ("🔴", "red"),
        ("rouge", "red"),
    ],
)
def test_status_follows_the_confidence_band_when_given(confidence: str, status: str) -> None:
    # Progress far behind pace: only the confidence can make it green.
    assert score_one("increase", 0, 100, 1, as_of=MID, confidence=confidence)["status"] == status


@pytest.mark.parametrize(
    ("value", "status"), [(45, "green"), (40, "green"), (39, "yellow"), (25, "yellow"), (24, "red")]
)
def test_status_without_confidence_follows_the_pace(value: int, status: str) -> None:
    # On 2025-02-14, 50 % of the quarter has elapsed: −10 points is green, −25 yellow, below is red.
    assert score_one("increase", 0, 100, value, as_of=MID)["status"] == status


def test_a_kr_without_check_in_has_status_none_never_green() -> None:
    backend = workbook(
        objective_with_krs(
            okr("MKT-KR1", "Marketing", "increase", "Get 100", start=0, target=100),
            okr("MKT-KR2", "Marketing", "increase", "Get 5", start=0, target=5),
        ),
        {"Marketing": [[MID, "MKT-KR2", 5, "🟢", ""]]},
    )
    report = run_sync(backend, MID)
    assert kr_of(report, "MKT-KR1")["status"] == "none"
    assert kr_of(report, "MKT-KR1")["progress"] is None
    team = report["teams"][0]
    assert team["counts"] == {"green": 1, "yellow": 0, "red": 0, "none": 1}
    # The objective is judged by the pace of its progress (the silent KR counting 0), as its team is: one
    # colour for one fact, with its KR without a check-in counted beside it.
    objective = report["objectives"][0]
    assert objective["progress"] == pytest.approx(0.5) and objective["status"] == team["status"] != "none"
    assert objective["counts"] == team["counts"]


@pytest.mark.parametrize(
    ("value", "status"), [(70, "green"), (65, "green"), (64, "yellow"), (40, "yellow"), (34, "red")]
)
def test_quarter_end_grades_by_google_convention(value: int, status: str) -> None:
    assert score_one("increase", 0, 100, value, as_of=END, confidence="🟢")["status"] == status


def test_parent_kr_sums_children_that_share_its_unit() -> None:
    okrs = [
        okr("ORG-O1", "ORG", "objective", "Grow"),
        okr("ORG-KR1", "ORG", "increase", "Get 125 leads", start=0, target=125, unit="leads"),
        okr("ORG-KR2", "ORG", "increase", "Get 40 clients", start=0, target=40, unit="clients"),
        okr("MKT-O1", "Marketing", "objective", "Be known", parent="ORG-O1"),
        okr("MKT-KR1", "Marketing", "increase", "Get 100 leads", start=0, target=100, unit="leads", parent="ORG-KR1"),
        okr("MKT-KR2", "Marketing", "increase", "Get 25 leads", start=0, target=25, unit="leads", parent="ORG-KR1"),
        okr("VEN-O1", "Ventes", "objective", "Sell", parent="ORG-O1"),
        okr(
            "VEN-KR1",
            "Ventes",
            "increase",
            "Sign 40 deals",
            start=0,
            target=40,
            unit="deals",
            parent="ORG-KR2",
            weight=1,
        ),
        okr(
            "VEN-KR2",
            "Ventes",
            "increase",
            "Get 10 pilots",
            start=0,
            target=10,
            unit="pilots",
            parent="ORG-KR2",
            weight=3,
        ),
    ]
    backend = workbook(
        okrs,
        {
            "Marketing": [[MID, "MKT-KR1", 40, None, ""], [MID, "MKT-KR2", 10, None, ""]],
            "Ventes": [[MID, "VEN-KR1", 20, None, ""], [MID, "VEN-KR2", 0, None, ""]],
        },
    )
    report = run_sync(backend, MID)
    assert kr_of(report, "ORG-KR1")["current"] == 50
    assert kr_of(report, "ORG-KR1")["progress"] == pytest.approx(0.4)
    # Other units: the weighted mean of the children's progress, (0.5 × 1 + 0 × 3) / 4.
    assert kr_of(report, "ORG-KR2")["progress"] == pytest.approx(0.125)
    org_objective = report["objectives"][0]
    assert org_objective["id"] == "ORG-O1"
    assert org_objective["progress"] == pytest.approx((0.4 + 0.125) / 2)


def test_objective_without_krs_rolls_up_its_child_objectives() -> None:
    okrs = [
        okr("ORG-O1", "ORG", "objective", "Grow"),
        okr("MKT-O1", "Marketing", "objective", "Be known", parent="ORG-O1"),
        okr("MKT-KR1", "Marketing", "increase", "Get 10", start=0, target=10),
        okr("MKT-KR2", "Marketing", "increase", "Get 10", start=0, target=10),
        okr("VEN-O1", "Ventes", "objective", "Sell", parent="ORG-O1"),
        okr("VEN-KR1", "Ventes", "increase", "Sign 10", start=0, target=10),
        okr("VEN-KR2", "Ventes", "increase", "Sign 10", start=0, target=10),
    ]
    backend = workbook(
        okrs,
        {
            "Marketing": [[END, "MKT-KR1", 10, None, ""], [END, "MKT-KR2", 10, None, ""]],
            "Ventes": [[END, "VEN-KR1", 0, None, ""], [END, "VEN-KR2", 5, None, ""]],
        },
    )
    report = run_sync(backend, END)
    objectives = {o["id"]: o for o in report["objectives"]}
    assert objectives["ORG-O1"]["progress"] == pytest.approx((1.0 + 0.25) / 2)
    # Graded at quarter end like every level (0.625 reads 0.6: yellow), the same colour as the organisation.
    assert objectives["ORG-O1"]["status"] == report["org"]["status"] == "yellow"
    assert report["org"]["progress"] == pytest.approx(0.625)
    teams = {t["team"]: t for t in report["teams"]}
    assert teams["Marketing"]["progress"] == 1.0
    assert teams["Ventes"]["progress"] == 0.25


def test_expected_is_the_elapsed_share_of_the_quarter() -> None:
    report = run_sync(workbook([]), dt.date(2025, 2, 14))
    assert report["workbook"]["elapsed"] == pytest.approx(45 / 90)
    assert run_sync(workbook([]), dt.date(2024, 12, 1))["workbook"]["elapsed"] == 0.0
    assert run_sync(workbook([]), dt.date(2025, 6, 1))["workbook"]["elapsed"] == 1.0
