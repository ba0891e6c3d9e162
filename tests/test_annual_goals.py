"""Annual goals: feasibility, milestones, current value from the KRs serving a goal or typed, progress, status."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.engine import evaluate
from sync.model import Percent
from sync.parsing import is_blank, parse_number
from sync.stages.annual_goals import GoalsOutcome, assess
from sync.stages.goal_rows import figure
from sync.template import catalog
from tests.builders import okr, workbook

AS_OF = dt.date(2025, 2, 14)  # half of 2025-Q1 elapsed
INPUTS = [c.key for c in catalog.columns("goals", "fr") if not c.computed]
MONEY = {
    "fr": {"cost": "2 845 $", "budget": "200 000 $", "2M": "2 M$", "3M": "3 M$", "K": "+{} K$", "typed": "2 060 000 $"},
    "en": {"cost": "$2,845", "budget": "$200,000", "2M": "$2M", "3M": "$3M", "K": "+${}K", "typed": "$2,060,000"},
}
LOCALE = {"fr": "fr_CA", "en": "en_US"}


def goal(id: str = "OA1", **cells: Any) -> dict[str, Any]:
    """A row of the goals tab as people type it (blank where not given)."""
    return {**dict.fromkeys(INPUTS), "id": id, "goal": f"{id} goal", **cells}


def clients_goal(lang: str, **cells: Any) -> dict[str, Any]:
    """The seeds' goal: 150 new B2B clients, 25/35/45/45 a quarter, at 2 845 $ each against 200 000 $."""
    return goal(**{**dict(unit="clients", baseline=0, target=150, q1=25, q2=35, q3=45, q4=45,
                          unit_cost=MONEY[lang]["cost"], budget=MONEY[lang]["budget"]), **cells})


def revenue_goal(lang: str, **cells: Any) -> dict[str, Any]:
    """The seeds' revenue goal: 2 M$ to 3 M$ in +150 K$, +250 K$, +300 K$, +300 K$."""
    k = MONEY[lang]["K"]
    return goal("OA2", **{**dict(unit="$", baseline=MONEY[lang]["2M"], target=MONEY[lang]["3M"], q1=k.format(150),
                                 q2=k.format(250), q3=k.format(300), q4=k.format(300)), **cells})


def okr_rows(goal_named: str = "OA1", clients: Any = 11) -> tuple[list[dict[str, Any]], dict[str, list[list[Any]]]]:
    """An organisation objective naming a goal, its clients KR fed by a sales KR, and a leads KR."""
    okrs = [
        okr("ORG-O1", "ORG", "objective", "Win manufacturing", annual_goal=goal_named),
        okr("ORG-KR1", "ORG", "increase", "Sign 40 clients", start=0, target=40, unit="clients"),
        okr("ORG-KR2", "ORG", "increase", "Get 125 leads", start=0, target=125, unit="leads"),
        okr("VEN-O1", "Ventes", "objective", "Convert", parent="ORG-O1", annual_goal=goal_named),
        okr("VEN-KR1", "Ventes", "increase", "Sign 40 clients", start=0, target=40, unit="Clients ",
            parent="ORG-KR1"),
        okr("VEN-KR2", "Ventes", "decrease", "Cycle 45 to 35 days", start=45, target=35, unit="jours"),
    ]
    checkins = {"Ventes": [[dt.date(2025, 2, 10), "VEN-KR1", clients, "🟢"], [dt.date(2025, 2, 10), "VEN-KR2", 40,
                                                                              "🟢"]]}
    return okrs, checkins


def outcome(rows: list[dict[str, Any]], lang: str = "fr", quarter: str = "2025-Q1", as_of: dt.date = AS_OF,
            okrs: list[dict[str, Any]] | None = None, checkins: dict[str, list[list[Any]]] | None = None
            ) -> GoalsOutcome:
    """The stage over these goal rows, in a workbook evaluated through the engine (its OKRs scored as of the day)."""
    backend = workbook(okrs or [], checkins, lang=lang, quarter=quarter)
    ev = evaluate(backend.read(), "test", as_of)
    frame = pd.DataFrame([{"row": i, **r} for i, r in enumerate(rows, start=2)])
    tab = catalog.tab_name("goals", lang)
    return assess(frame, tab, ev.workbook.okrs, ev.rows, ev.krs, ev.workbook.settings, as_of)


def codes(result: GoalsOutcome, row: int = 0) -> list[str]:
    return [p.code for p in result.goals[row].problems]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_150_clients_at_2845_against_a_200000_budget_make_70_the_realistic_target(lang: str) -> None:
    result = outcome([clients_goal(lang)], lang)

    [problem] = [p for p in result.problems if p.code == "goal_unfeasible"]
    locale = LOCALE[lang]
    assert problem.severity == "warning"
    assert problem.tab == catalog.tab_name("goals", lang) and problem.row == 2
    assert problem.message == catalog.message(
        "goals.goal_unfeasible", lang, realistic="70 clients", budget=MONEY[lang]["budget"],
        unit_cost=MONEY[lang]["cost"], target="150 clients", span="150",
        needed={"fr": f"{figure(426750, locale)} $", "en": "$426,750"}[lang])
    assert problem.message.startswith({"fr": "Objectif réaliste : 70 clients", "en": "Realistic target: 70 clients"}
                                      [lang])
    [item] = result.report
    assert (item["feasible"], item["realistic_target"]) == (False, 70)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_budget_given_as_numbers_is_written_in_the_workbooks_digits(lang: str) -> None:
    result = outcome([clients_goal(lang, unit_cost=2845, budget=200000)], lang)

    [problem] = [p for p in result.problems if p.code == "goal_unfeasible"]
    assert figure(200000, LOCALE[lang]) in problem.message and "70 clients" in problem.message
    # French groups digits with a (narrow) no-break space, as Babel's CLDR data has it.
    assert " ".join(figure(200000, LOCALE[lang]).replace("\u202f", " ").split()) == {"fr": "200 000",
                                                                                     "en": "200,000"}[lang]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_budget_that_covers_the_target_gives_no_warning(lang: str) -> None:
    result = outcome([clients_goal(lang, budget=500000)], lang)

    assert "goal_unfeasible" not in codes(result)
    assert result.report[0]["feasible"] is True and result.report[0]["realistic_target"] is None


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_uneven_milestones_that_add_up_to_the_target_pass(lang: str) -> None:
    result = outcome([revenue_goal(lang, actual=MONEY[lang]["typed"]), clients_goal(lang, budget=None, actual=10)],
                     lang)

    assert codes(result, 0) == [] and codes(result, 1) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_milestones_that_do_not_add_up_are_flagged_with_both_numbers(lang: str) -> None:
    row = revenue_goal(lang, q4=MONEY[lang]["K"].format(200), actual=MONEY[lang]["typed"])
    result = outcome([row], lang)

    [problem] = result.goals[0].problems
    assert (problem.code, problem.severity) == ("milestones_sum", "warning")
    assert problem.column == {"fr": "Jalon T1", "en": "Q1 milestone"}[lang]
    locale = LOCALE[lang]
    assert figure(900000, locale) in problem.message and figure(1000000, locale) in problem.message


def test_blank_milestones_are_no_error() -> None:
    result = outcome([goal(unit="clients", target=150, q1=25, actual=10)])

    assert codes(result) == []
    assert result.values["progress_quarter"] == [Percent(0.4)]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_current_is_the_baseline_plus_what_the_serving_krs_gained(lang: str) -> None:
    okrs, checkins = okr_rows()
    result = outcome([clients_goal(lang, budget=None, baseline=5, target=155)], lang, okrs=okrs,
                     checkins=checkins)

    # VEN-KR1 feeds ORG-KR1, which serves the goal too: its 11 clients count once; leads and days not at all.
    assert result.values["current"] == [16]
    assert result.report[0]["current"] == 16
    assert codes(result) == []


def test_a_typed_achieved_value_wins_over_the_krs() -> None:
    okrs, checkins = okr_rows()
    result = outcome([clients_goal("fr", budget=None, actual="20 clients")], okrs=okrs, checkins=checkins)

    assert result.values["current"] == [20]


def test_a_goal_no_kr_serves_says_to_type_its_value() -> None:
    okrs, checkins = okr_rows(goal_named="")
    result = outcome([clients_goal("fr", budget=None)], okrs=okrs, checkins=checkins)

    [problem] = result.goals[0].problems
    assert problem.code == "goal_no_kr" and "Réalisé (saisi)" in problem.message
    assert result.values["current"] == [None] and result.values["status"] == ["Aucun"]


def test_serving_krs_without_check_ins_leave_the_goal_without_a_value_and_without_a_warning() -> None:
    okrs, _ = okr_rows()
    result = outcome([clients_goal("fr", budget=None)], okrs=okrs)

    assert result.values["current"] == [None] and codes(result) == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_progress_over_the_year_and_through_the_quarters_milestone(lang: str) -> None:
    result = outcome([revenue_goal(lang, actual=MONEY[lang]["typed"])], lang)

    # 2 060 000 $: 60 K$ of the year's 1 M$, 60 K$ of the first quarter's 150 K$; half the quarter elapsed.
    assert result.values["current"] == [2060000]
    assert result.values["progress_year"] == [Percent(0.06)]
    assert result.values["progress_quarter"] == [Percent(0.4)]
    assert result.values["status"] == [catalog.word("status", "green", lang)]  # pace -10 points: still green
    assert result.report[0]["status"] == "green"


def test_the_second_quarter_starts_from_the_first_ones_milestone() -> None:
    # Q2 runs from 2 150 000 $ to 2 400 000 $; 2 275 000 $ is half of it, on 2025-05-16 (half of Q2 elapsed).
    result = outcome([revenue_goal("fr", actual="2 275 000 $")], quarter="2025-Q2", as_of=dt.date(2025, 5, 16))

    assert result.values["progress_quarter"] == [Percent(0.5)]
    assert result.values["progress_year"] == [Percent(0.275)]
    assert result.values["status"] == ["Vert"]


def test_a_goal_behind_its_milestone_is_red() -> None:
    result = outcome([revenue_goal("fr", actual="2 010 000 $")])

    assert result.values["status"] == ["Rouge"]


@pytest.mark.parametrize(("commitment", "verdict"), [("Engagé", "Jaune"), ("", "Jaune"), ("Aspirationnel", "Vert")])
def test_at_quarter_end_a_committed_goal_is_expected_at_its_whole_milestone(commitment: str, verdict: str) -> None:
    # 120 K$ of the quarter's 150 K$: 0.8, a success for an aspirational goal, 20 points short for a committed one.
    row = revenue_goal("fr", actual="2 120 000 $", commitment=commitment)
    result = outcome([row], as_of=dt.date(2025, 3, 31))

    assert result.values["progress_quarter"] == [Percent(0.8)]
    assert result.values["status"] == [verdict]


def test_without_this_quarters_milestone_the_year_decides() -> None:
    # No Q1 milestone: 10 of 150 clients is 7 % of the year against 12.5 % expected (half of a quarter in four).
    result = outcome([goal(unit="clients", target=150, q2=50, actual=10)])

    assert result.values["progress_quarter"] == [None]
    assert result.values["status"] == ["Vert"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_an_objective_naming_an_unknown_goal_gets_a_note(lang: str) -> None:
    okrs, checkins = okr_rows(goal_named="OA9")
    result = outcome([clients_goal(lang, budget=None)], lang, okrs=okrs, checkins=checkins)

    tab = catalog.tab_name("goals", lang)
    note = catalog.message("okr.unknown_annual_goal", lang, goal="OA9", tab=tab)
    assert result.okr_notes == {"ORG-O1": [note], "VEN-O1": [note]}


def test_an_objective_naming_a_goal_whose_row_has_an_error_is_not_told_the_goal_is_unknown() -> None:
    okrs, checkins = okr_rows()
    result = outcome([clients_goal("fr", target=None)], okrs=okrs, checkins=checkins)

    assert codes(result) == ["goal_target_missing"] and result.okr_notes == {}


def test_a_kr_naming_a_goal_is_told_to_name_it_on_its_objective() -> None:
    okrs, checkins = okr_rows()
    okrs[1]["annual_goal"] = "OA1"
    result = outcome([clients_goal("fr", budget=None)], okrs=okrs, checkins=checkins)

    assert list(result.okr_notes) == ["ORG-KR1"] and "OA1" in result.okr_notes["ORG-KR1"][0]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_unreadable_figures_say_which_cell_and_what_to_write(lang: str) -> None:
    result = outcome([clients_goal(lang, target="150 K$?", q2="beaucoup")], lang)

    target, milestone = result.goals[0].problems
    labels = {c.key: c.label for c in catalog.columns("goals", lang)}
    assert (target.code, target.severity, target.column) == ("goal_not_number", "error", labels["target"])
    assert (milestone.code, milestone.severity, milestone.column) == ("goal_not_number", "warning", labels["q2"])
    assert "150 K$?" in target.message and "beaucoup" in milestone.message
    assert result.values["current"] == [None] and result.values["status"] == [None]


def test_ids_commitment_and_department_are_checked() -> None:
    rows = [clients_goal("fr", budget=None, actual=1, commitment="Aspirational", department="Ventes"),
            clients_goal("fr", budget=None, actual=1, commitment="peut-être", department="Finance"),
            clients_goal("fr", id="", budget=None, actual=1)]
    result = outcome(rows)

    assert codes(result, 0) == [] and result.report[0]["commitment"] == "aspirational"
    assert codes(result, 1) == ["goal_duplicate_id", "goal_commitment_unknown", "goal_unknown_department"]
    assert codes(result, 2) == ["goal_id_missing"]
    assert [g["id"] for g in result.report] == ["OA1"]


def test_the_org_section_lists_each_goal_with_its_progress_and_status() -> None:
    result = outcome([revenue_goal("fr", actual=MONEY["fr"]["typed"])])

    assert result.org_section == [
        ["Objectifs annuels"],
        ["Objectif annuel", "Année", "Jalon 2025-T1", "Statut"],
        ["OA2 — OA2 goal", Percent(0.06), Percent(0.4), "Vert"],
    ]


SAMPLES = st.sampled_from(["", " ", "150", "2 845 $", "+150 K$", "3,5 M$", "150 K$?", "-0", "1e308", "NaN", "∞",
                           "Engagé", "Aspirational", "OA1", "Organisation", "12 %", "0,5"])
CELL = st.one_of(st.text(max_size=12), SAMPLES, st.none(), st.integers(-10**6, 10**6),
                 st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.dates())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries({k: CELL for k in INPUTS}), min_size=1, max_size=5),
       st.sampled_from(["fr", "en"]))
def test_any_typed_goal_rows_never_raise_and_every_problem_is_explained(rows: list[dict[str, Any]],
                                                                        lang: str) -> None:
    result = outcome(rows, lang)

    assert len(result.goals) == len(rows)
    assert all(len(v) == len(rows) for v in result.values.values())
    for problem in result.problems:
        assert problem.code and problem.message, problem
    labels = {c.key: c.label for c in catalog.columns("goals", lang)}
    figures = ("baseline", "target", "q1", "q2", "q3", "q4", "unit_cost", "budget", "actual")
    for i, row in enumerate(rows):
        # Every typed figure that is no number is named in its row, with what to write instead.
        unreadable = {labels[k] for k in figures if not is_blank(row[k]) and parse_number(row[k], LOCALE[lang]) is None}
        said = {p.column for p in result.goals[i].problems if p.code == "goal_not_number"}
        assert said == unreadable, (row, result.goals[i].problems)
        if result.values["current"][i] is not None:
            assert result.values["status"][i] is not None
