"""Reading the answers of a check-in: confidence and milestone, as words, percentages or fractions."""

from __future__ import annotations

import math
from functools import cache, lru_cache

from ..template import catalog
from .numbers import fold, parse_text_number

UNRECOGNISED = "unrecognised"
OUT_OF_RANGE = "out_of_range"
Confidence = tuple[float | None, str | None]
# Longer text is a comment, not an answer; the bound also keeps big-integer arithmetic away.
_MAX_TEXT = 100


def _keys(words: list[str]) -> list[str]:
    # `hors-piste` and `hors piste` are the same answer.
    return [k for w in words for k in {fold(w), fold(w).replace(" ", "-")}]


@cache
def _confidence_words() -> dict[str, float]:
    words = catalog.template()["words"]
    bands = words["confidence_band_value"]
    return {k: float(bands[band]) for band, ws in words["confidence_words"].items() for k in _keys(ws)}


@cache
def _milestone_words() -> dict[str, float]:
    words = catalog.template()["words"]
    return {**dict.fromkeys(_keys(words["not_done"]), 0.0), **dict.fromkeys(_keys(words["done"]), 1.0)}


@cache
def _longest_first() -> list[str]:
    return sorted(_confidence_words(), key=len, reverse=True)


def confidence_of(value: float, percent: bool) -> Confidence:
    """The confidence a number stands for: a share, a percentage, or a bare 0-100 figure."""
    if not math.isfinite(value):
        return None, UNRECOGNISED
    if percent or 0 <= value <= 1:
        return (value, None) if 0 <= value <= 1 else (None, OUT_OF_RANGE)
    # A bare 80 is a percentage typed without its sign.
    return (value / 100, None) if 1 < value <= 100 else (None, OUT_OF_RANGE)


def _typed_confidence(text: str, locale: str) -> Confidence:
    if (fraction := _fraction(text)) is not None:
        return confidence_of(fraction, percent=True) if math.isfinite(fraction) else (None, UNRECOGNISED)
    found = parse_text_number(text, locale)
    if found is None or not found.plain:
        return None, UNRECOGNISED
    return confidence_of(float(found.value), found.percent)


def _fraction(text: str) -> float | None:
    numerator, slash, denominator = text.partition("/")
    if not slash or not numerator.strip().isdecimal() or not denominator.strip().isdecimal():
        return None
    return int(numerator) / int(denominator) if int(denominator) else math.nan


@lru_cache(maxsize=1 << 14)
def text_confidence(text: str, locale: str) -> Confidence:
    """The confidence typed in text: a word or emoji of the template, a figure, or both."""
    key = fold(text)
    if not key:
        # A lone accent or emoji selector folds to nothing, yet someone typed it: an answer to correct, not a blank.
        return (None, UNRECOGNISED) if text.strip() else (None, None)
    if len(key) > _MAX_TEXT:
        return None, UNRECOGNISED
    words = _confidence_words()
    if key in words:
        return words[key], None
    for word in _longest_first():
        # `🟢 85 %`: the figure is more precise than the band, so it wins.
        if key.startswith(word) and (rest := key[len(word) :].strip(" :()")):
            value, error = _typed_confidence(rest, locale)
            if error != UNRECOGNISED:
                return value, error
    return _typed_confidence(text, locale)


def milestone_of(value: float, percent: bool) -> float | None:
    """The share of a milestone a number stands for, None when it cannot be one."""
    if 0 <= value <= 1:
        return value
    return value / 100 if not percent and 1 < value <= 100 else None


@lru_cache(maxsize=1 << 14)
def text_milestone(text: str, locale: str) -> float | None:
    """The milestone answer typed in text: a done / not-done word of the template, or a figure."""
    key = fold(text)
    if key in (words := _milestone_words()):
        return words[key]
    found = parse_text_number(text, locale)
    if found is None or not found.plain:
        return None
    return milestone_of(float(found.value), found.percent)
