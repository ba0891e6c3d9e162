"""The parsing stage: numbers, dates, confidence and milestones as people type them, in both languages."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, localcontext

import numpy as np
import pandas as pd
import pytest
from babel.dates import format_date
from babel.numbers import format_decimal
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sync.model import Percent
from sync.parsing import (
    Number,
    is_blank,
    locales_for,
    parse_confidence,
    parse_confidences,
    parse_date,
    parse_dates,
    parse_milestone,
    parse_milestones,
    parse_number,
    parse_numbers,
)
from sync.parsing.answers import OUT_OF_RANGE, UNRECOGNISED
from sync.parsing.dates import FIRST_YEAR, LAST_YEAR
from sync.template import catalog

NNBSP, NBSP = "\u202f", "\u00a0"
LOCALES = ["fr_CA", "fr_FR", "fr_CH", "en_US", "en_CA"]
D = dt.date


# --- numbers ---------------------------------------------------------------------------------------

NUMBERS = [
    # the design's examples, in a French workbook
    ("1 200", "fr_CA", 1200, False),
    ("1 200,5", "fr_CA", 1200.5, False),
    ("1'200", "fr_CH", 1200, False),
    ("1’200.50", "fr_CH", 1200.5, False),
    ("1.200,50", "fr_FR", 1200.5, False),
    ("25 %", "fr_CA", 0.25, True),
    ("0,25", "fr_CA", 0.25, False),
    ("3,5 M$", "fr_CA", 3_500_000, False),
    ("150 K$", "fr_CA", 150_000, False),
    ("150k", "fr_FR", 150_000, False),
    ("2 845 $", "fr_CA", 2845, False),
    ("$2,845", "fr_CA", 2845, False),
    ("1 450 CHF", "fr_CH", 1450, False),
    ("€1.200,50", "fr_FR", 1200.5, False),
    ("45 jours", "fr_CA", 45, False),
    # separators and signs
    (f"1{NBSP}200", "fr_CA", 1200, False),
    (f"1{NNBSP}200,5", "fr_FR", 1200.5, False),
    (f"21,5{NBSP}%", "fr_CA", 0.215, True),
    ("-12,5", "fr_CA", -12.5, False),
    ("−3", "fr_FR", -3, False),
    ("+5", "fr_CA", 5, False),
    ("- 1 200 $", "fr_CA", -1200, False),
    ("28", "fr_CA", 28, False),
    ("1,5", "fr_CA", 1.5, False),
    ("1,200", "fr_CA", 1.2, False),
    ("12.5", "fr_CA", 12.5, False),
    ("1 200.50", "fr_CA", 1200.5, False),
    ("CHF 1'450.50", "fr_CH", 1450.5, False),
    ("3 Md€", "fr_FR", 3e9, False),
    ("125 leads", "fr_CA", 125, False),
    ("28 nouveaux clients", "fr_CA", 28, False),
    # an English workbook
    ("1,200", "en_US", 1200, False),
    ("1,200.5", "en_CA", 1200.5, False),
    ("1 200", "en_US", 1200, False),
    ("$2,845", "en_US", 2845, False),
    ("2 845 $", "en_CA", 2845, False),
    ("-$1,200.50", "en_US", -1200.5, False),
    ("1.200,50", "en_US", 1200.5, False),
    ("1’200.50", "en_US", 1200.5, False),
    ("1,5", "en_US", 1.5, False),
    ("12.5", "en_US", 12.5, False),
    ("25%", "en_US", 0.25, True),
    ("150k", "en_US", 150_000, False),
    ("3.5M", "en_CA", 3_500_000, False),
    ("2B", "en_US", 2e9, False),
    ("150 kg", "en_US", 150, False),
]


@pytest.mark.parametrize(("text", "locale", "value", "percent"), NUMBERS)
def test_typed_number_reads_as_meant(text: str, locale: str, value: float, percent: bool) -> None:
    assert parse_number(text, locale) == Number(pytest.approx(value), percent)


@pytest.mark.parametrize("text", ["abc", "12 abc 34", "1,2,3,4,5", "", "-", "   ", "%", "k", "$", "1.2.3"])
@pytest.mark.parametrize("locale", ["fr_CA", "en_US"])
def test_text_that_is_not_a_number_reads_as_none(text: str, locale: str) -> None:
    assert parse_number(text, locale) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (Percent(0.215), Number(0.215, True)),
        (42, Number(42.0, False)),
        (2.5, Number(2.5, False)),
        (True, None),
        (D(2025, 1, 20), None),
        (None, None),
        (math.nan, None),
        (math.inf, None),
        (10**400, None),
    ],
)
def test_stored_cell_reads_as_its_number(cell: object, expected: Number | None) -> None:
    assert parse_number(cell, "fr_CA") == expected


def test_french_workbook_tries_swiss_and_german_styles_before_english() -> None:
    assert locales_for("fr_CA") == ("fr_CA", "de_DE", "de_CH", "en_US")
    assert locales_for("fr-FR")[0] == "fr_FR"


def test_english_workbook_tries_english_first() -> None:
    assert locales_for("en_US")[0] == "en_US"
    assert locales_for("en_CA")[:2] == ("en_CA", "en_US")


def test_unknown_locale_still_has_fallbacks() -> None:
    assert locales_for("zz_ZZ") and locales_for("")


@given(st.integers(-(10**9), 10**9), st.sampled_from(LOCALES))
@settings(deadline=None)  # the first call loads Babel's locale data
def test_number_formatted_by_the_locale_reads_back(cents: int, locale: str) -> None:
    value = Decimal(cents) / 100
    assert parse_number(format_decimal(value, locale=locale), locale) == Number(float(value), False)


# --- dates -----------------------------------------------------------------------------------------

DATES = [
    ("2025-01-20", "fr_CA", D(2025, 1, 20)),
    ("2025-01-20 14:30", "en_US", D(2025, 1, 20)),
    ("2025-01-20T14:30:00Z", "fr_FR", D(2025, 1, 20)),
    ("13/01/2025", "fr_FR", D(2025, 1, 13)),
    ("13-01-2025", "fr_CA", D(2025, 1, 13)),
    ("13.01.2025", "fr_CH", D(2025, 1, 13)),
    ("13/01/25", "fr_FR", D(2025, 1, 13)),
    ("05/01/2025", "fr_FR", D(2025, 1, 5)),
    ("01/13/2025", "en_US", D(2025, 1, 13)),
    ("05/01/2025", "en_US", D(2025, 5, 1)),
    ("05/01/2025", "en_CA", D(2025, 1, 5)),
    ("13/01/2025", "en_US", D(2025, 1, 13)),
    ("01/13/2025", "fr_CA", D(2025, 1, 13)),
    ("13 janv. 2025", "fr_CA", D(2025, 1, 13)),
    ("13 janvier 2025", "fr_FR", D(2025, 1, 13)),
    ("1er février 2025", "fr_CA", D(2025, 2, 1)),
    ("13 fév 2025", "fr_CA", D(2025, 2, 13)),
    ("lundi 13 janvier 2025", "fr_FR", D(2025, 1, 13)),
    ("Jan 13, 2025", "en_US", D(2025, 1, 13)),
    ("January 13 2025", "en_CA", D(2025, 1, 13)),
    ("13 Jan 2025", "en_CA", D(2025, 1, 13)),
    ("Monday, January 13, 2025", "en_US", D(2025, 1, 13)),
    ("13 janvier 2025", "en_US", D(2025, 1, 13)),
    ("Jan 13, 2025", "fr_CA", D(2025, 1, 13)),
]


@pytest.mark.parametrize(("text", "locale", "expected"), DATES)
def test_typed_date_reads_as_meant(text: str, locale: str, expected: dt.date) -> None:
    assert parse_date(text, locale) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2025", "2025-02-30", "13/13/2025", "janvier 2025", "bientôt", "", "  ", "0001-01-01"]
)
@pytest.mark.parametrize("locale", ["fr_CA", "en_US"])
def test_impossible_or_unreadable_date_reads_as_none(text: str, locale: str) -> None:
    assert parse_date(text, locale) is None


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (D(2025, 1, 20), D(2025, 1, 20)),
        (dt.datetime(2025, 1, 20, 14, 30), D(2025, 1, 20)),
        (pd.Timestamp("2025-01-20 14:30"), D(2025, 1, 20)),
        (45677, D(2025, 1, 20)),
        (45677.75, D(2025, 1, 20)),
        (12, None),
        (Percent(0.5), None),
        (True, None),
        (None, None),
        (pd.NaT, None),
    ],
)
def test_stored_cell_reads_as_its_date(cell: object, expected: dt.date | None) -> None:
    assert parse_date(cell, "fr_CA") == expected


@given(st.dates(D(1990, 1, 1), D(2068, 12, 31)), st.sampled_from([*LOCALES, "en_GB"]))
@settings(max_examples=60, deadline=None)
def test_date_formatted_by_the_locale_reads_back(day: dt.date, locale: str) -> None:
    for form in ("short", "medium", "long", "full"):
        assert parse_date(format_date(day, form, locale=locale), locale) == day


# --- confidence --------------------------------------------------------------------------------------

CONFIDENCES = [
    ("Vert", "fr_CA", 0.9),
    (" JAUNE ", "fr_CA", 0.65),
    ("rouge", "fr_FR", 0.25),
    ("🟢", "fr_CA", 0.9),
    ("🟡", "en_US", 0.65),
    ("🔴", "en_US", 0.25),
    ("green", "en_US", 0.9),
    ("On Track", "en_US", 0.9),
    ("a risque", "fr_CA", 0.65),
    ("hors-piste", "fr_CA", 0.25),
    ("green", "fr_CA", 0.9),
    ("vert", "en_US", 0.9),
    ("80 %", "fr_CA", 0.8),
    ("80%", "en_US", 0.8),
    ("0,8", "fr_CA", 0.8),
    ("0.8", "en_US", 0.8),
    ("0.8", "fr_CA", 0.8),
    ("80", "fr_CA", 0.8),
    ("4/5", "fr_CA", 0.8),
    ("🟢 85 %", "fr_CA", 0.85),
    ("🟡70%", "en_US", 0.7),
    (Percent(0.7), "fr_CA", 0.7),
    (0.8, "fr_CA", 0.8),
    (80, "en_US", 0.8),
    (1, "en_US", 1.0),
]


@pytest.mark.parametrize(("cell", "locale", "expected"), CONFIDENCES)
def test_confidence_reads_as_its_share(cell: object, locale: str, expected: float) -> None:
    value, error = parse_confidence(cell, locale)
    assert (value, error) == (pytest.approx(expected), None)


@pytest.mark.parametrize(
    ("cell", "error"),
    [
        ("-10 %", "out_of_range"),
        ("120 %", "out_of_range"),
        ("150", "out_of_range"),
        ("6/5", "out_of_range"),
        (Percent(1.2), "out_of_range"),
        (-1, "out_of_range"),
        ("🟢 -5 %", "out_of_range"),
        ("abc", "unrecognised"),
        ("🟢 bof", "unrecognised"),
        ("80 $", "unrecognised"),
        ("5/0", "unrecognised"),
        (True, "unrecognised"),
        (D(2025, 1, 1), "unrecognised"),
    ],
)
def test_confidence_that_cannot_be_one_says_why(cell: object, error: str) -> None:
    assert parse_confidence(cell, "fr_CA") == (None, error)


@pytest.mark.parametrize("cell", [None, "", "   ", math.nan])
def test_blank_confidence_is_no_answer_and_no_error(cell: object) -> None:
    assert parse_confidence(cell, "en_US") == (None, None)


def test_every_template_confidence_word_reads_as_its_band() -> None:
    words = catalog.template()["words"]
    for band, listed in words["confidence_words"].items():
        band_value = words["confidence_band_value"][band]
        for word in listed:
            assert parse_confidence(f" {word.upper()} ", "fr_CA") == (band_value, None)


# --- milestones ------------------------------------------------------------------------------------

MILESTONES = [
    ("fait", 1.0),
    ("Terminé", 1.0),
    ("TERMINEE", 1.0),
    ("done", 1.0),
    ("✓", 1.0),
    ("✔️", 1.0),
    ("non", 0.0),
    ("À faire", 0.0),
    ("not done", 0.0),
    ("100 %", 1.0),
    ("50 %", 0.5),
    ("1", 1.0),
    ("0", 0.0),
    (Percent(0.4), 0.4),
    (0.5, 0.5),
    (1, 1.0),
    (0, 0.0),
    (50, 0.5),
    (True, 1.0),
    (False, 0.0),
    ("peut-être", None),
    ("150 %", None),
    (Percent(1.5), None),
    (-1, None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("cell", "expected"), MILESTONES)
def test_milestone_reads_as_done_share(cell: object, expected: float | None) -> None:
    assert parse_milestone(cell, "fr_CA") == expected


def test_every_template_milestone_word_reads() -> None:
    words = catalog.template()["words"]
    assert all(parse_milestone(w.upper(), "en_US") == 1.0 for w in words["done"])
    assert all(parse_milestone(w.upper(), "en_US") == 0.0 for w in words["not_done"])


# --- blanks and columns ----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", [None, "", f" {NBSP}\t", math.nan, pd.NA, pd.NaT])
def test_blank_cells_are_none_empty_or_spaces(cell: object) -> None:
    assert is_blank(cell)


@pytest.mark.parametrize("cell", ["x", 0, Percent(0), False, D(2025, 1, 1)])
def test_filled_cells_are_not_blank(cell: object) -> None:
    assert not is_blank(cell)


MIXED = pd.Series(
    ["1 200", 28, Percent(0.25), None, "abc", "1 200", D(2025, 1, 20), "25 %", True, math.nan],
    index=range(10, 20),
    dtype=object,
)


def test_number_column_reads_like_each_cell() -> None:
    frame = parse_numbers(MIXED, "fr_CA")
    assert list(frame.columns) == ["value", "percent"] and list(frame.index) == list(MIXED.index)
    assert frame["value"].tolist()[:3] == [1200.0, 28.0, 0.25]
    assert frame["percent"].tolist()[:3] == [False, False, True]
    assert frame["value"].isna().tolist()[3:5] == [True, True]


def test_date_column_is_datetime64_at_midnight() -> None:
    cells = pd.Series([dt.datetime(2025, 1, 20, 14, 30), 45677, "13/01/2025", "bientôt", None])
    dates = parse_dates(cells, "fr_CA")
    assert dates.dtype == np.dtype("datetime64[ns]")
    assert dates.tolist()[:3] == [pd.Timestamp(d) for d in ("2025-01-20", "2025-01-20", "2025-01-13")]
    assert dates.isna().tolist() == [False, False, False, True, True]


def test_confidence_column_has_value_and_error() -> None:
    frame = parse_confidences(pd.Series(["vert", "120 %", "bof", None, 80]), "fr_CA")
    assert frame["error"].dtype == object
    assert frame["error"].tolist() == [None, "out_of_range", "unrecognised", None, None]
    assert frame["value"].tolist()[0] == 0.9 and frame["value"].tolist()[4] == 0.8


def test_columns_of_plain_dtypes_and_empty_columns_read() -> None:
    assert parse_numbers(pd.Series([1.5, np.nan]), "en_US")["value"].tolist()[0] == 1.5
    assert parse_dates(pd.Series([45677.0]), "en_US").tolist() == [pd.Timestamp("2025-01-20")]
    assert parse_milestones(pd.Series(["fait", "non"], dtype="string"), "fr_CA").tolist() == [1.0, 0.0]
    assert parse_dates(pd.Series(pd.to_datetime(["2025-01-20 10:00"])), "en_US").tolist() == [
        pd.Timestamp("2025-01-20")
    ]
    empty = pd.Series([], dtype=object)
    assert len(parse_numbers(empty, "fr_CA")) == len(parse_dates(empty, "fr_CA")) == 0
    assert len(parse_confidences(empty, "fr_CA")) == len(parse_milestones(empty, "fr_CA")) == 0


def _floats_or_nan(values: pd.Series) -> list[object]:
    return ["nan" if math.isnan(v) else v for v in values.tolist()]


def test_a_column_of_repeated_texts_and_stored_numbers_reads_cell_by_cell() -> None:
    column = pd.Series(["1 200", "1 200", "45 jours", 1.5, Percent(0.2), "1,5", "vert"] * 1000, dtype=object)

    read = parse_numbers(column, "fr_CA")

    assert read.index.equals(column.index)
    assert _floats_or_nan(read["value"]) == [1200.0, 1200.0, 45.0, 1.5, 0.2, 1.5, "nan"] * 1000
    # A stored number is taken as it is held (1.5 stays 1.5, a stored percentage stays one), never re-read as text.
    assert read["percent"].tolist() == [False, False, False, False, True, False, False] * 1000


# --- properties ------------------------------------------------------------------------------------

locales = st.sampled_from([*LOCALES, "", "de_DE", "zz_ZZ"])
DIGIT = re.compile(r"\d")
typed_numbers = st.from_regex(
    r"[-+]?[$€]?\d{1,3}([ ,.'’\u00a0\u202f]\d{3}){0,2}([.,]\d{1,2})? ?(%|k|M|\$|CHF|jours)?", fullmatch=True
)
cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    typed_numbers,
    st.sampled_from(["🟢 85 %", "vert", "fait", "13/01/2025", "Jan 13, 2025", "4/5", " ", "nan"]),
    st.floats(),
    st.floats(-1000, 1000).map(Percent),
    st.integers(),
    st.integers(30_000, 80_000),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


def _canonical(value: float, locale: str) -> str:
    """The number as the workbook's own locale writes it, every digit kept (Babel's default context has 28)."""
    with localcontext() as context:
        context.prec = 400
        return format_decimal(Decimal(repr(value)), locale=locales_for(locale)[0], decimal_quantization=False)


def _answers(text: str, locale: str) -> tuple[object, ...]:
    return (parse_number(text, locale), parse_date(text, locale), parse_confidence(text, locale),
            parse_milestone(text, locale), is_blank(text))


@given(st.one_of(st.text(), typed_numbers), locales)
@example("\u00a8", "fr_CA")  # a lone diaeresis, which folds to nothing: once read as a blank confidence
@example("\ufe0f", "en_US")
@settings(max_examples=300)
def test_any_text_reads_as_a_figure_only_from_digits_and_each_answer_in_its_range(text: str, locale: str) -> None:
    number, day, (confidence, error), milestone, blank = _answers(text, locale)
    if not DIGIT.search(text):
        assert number is None and day is None  # no figure is invented from letters
    if number is not None:
        assert math.isfinite(number.value)
        assert number.percent == ("%" in text)  # a percentage only where a % sign was typed
        if abs(number.value) < 1e15 and not number.percent:
            # Whatever a text reads as, the locale's own way of writing that number reads the same.
            assert parse_number(_canonical(number.value, locale), locale) == Number(number.value, False)
    assert day is None or FIRST_YEAR <= day.year <= LAST_YEAR
    # A confidence cell is blank, or read as a share, or explained by an error code: never silently dropped.
    if blank:
        assert (confidence, error) == (None, None) and milestone is None
    elif confidence is None:
        assert error in {UNRECOGNISED, OUT_OF_RANGE}
    else:
        assert 0 <= confidence <= 1 and error is None
    assert milestone is None or 0 <= milestone <= 1
    # Spaces around what a person typed change nothing.
    assert _answers(f" \u00a0{text}\t ", locale) == _answers(text, locale)


@given(cells, locales)
def test_any_cell_reads_within_range_and_a_stored_number_as_itself(cell: object, locale: str) -> None:
    value, error = parse_confidence(cell, locale)
    assert (value is None) or (0 <= value <= 1 and error is None)
    assert (value, error) != (None, None) or is_blank(cell)
    share = parse_milestone(cell, locale)
    assert share is None or 0 <= share <= 1
    if isinstance(cell, float) and not isinstance(cell, Percent | bool) and math.isfinite(cell):
        assert parse_number(cell, locale) == Number(cell, False)
    if isinstance(cell, Percent) and math.isfinite(cell):
        assert parse_number(cell, locale) == Number(float(cell), True)
    if isinstance(cell, dt.date) and not isinstance(cell, dt.datetime) and FIRST_YEAR <= cell.year <= LAST_YEAR:
        assert parse_date(cell, locale) == cell


def _same(vector_value: float, scalar_value: float | None) -> bool:
    return math.isnan(vector_value) if scalar_value is None else vector_value == scalar_value


@given(st.lists(cells, max_size=25), locales)
@settings(max_examples=80, deadline=None)
def test_columns_agree_with_the_scalar_parsers(values: list[object], locale: str) -> None:
    column = pd.Series(values, dtype=object)
    numbers, dates = parse_numbers(column, locale), parse_dates(column, locale)
    confidences, milestones = parse_confidences(column, locale), parse_milestones(column, locale)
    for i, cell in enumerate(values):
        number = parse_number(cell, locale)
        assert _same(numbers["value"].iloc[i], number and number.value)
        assert numbers["percent"].iloc[i] == (number is not None and number.percent)
        day = parse_date(cell, locale)
        assert dates.iloc[i] == pd.Timestamp(day) if day else pd.isna(dates.iloc[i])
        value, error = parse_confidence(cell, locale)
        assert _same(confidences["value"].iloc[i], value) and confidences["error"].iloc[i] == error
        assert _same(milestones.iloc[i], parse_milestone(cell, locale))
