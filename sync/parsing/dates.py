"""Reading dates people type as text, and spreadsheet date serials."""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_date_format, get_day_names, get_month_names

from .numbers import fold

SERIAL_EPOCH = dt.date(1899, 12, 30)
# A check-in, a quarter or a deadline falls in these years; a serial outside them is a plain number.
SERIAL_MIN = (dt.date(1990, 1, 1) - SERIAL_EPOCH).days
SERIAL_MAX = (dt.date(2101, 1, 1) - SERIAL_EPOCH).days
# Any date outside is treated as unreadable: it is a typo, and it would not fit datetime64[ns].
FIRST_YEAR, LAST_YEAR = 1900, 2199

_TIME = r"(?:[t ]+\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:z|[+-]\d{2}:?\d{2})?)?"
_ISO_RE = re.compile(rf"(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_NUMERIC_RE = re.compile(rf"(\d{{1,2}})([-/.])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}")
_WORD = r"([^\W\d_]+)\.?"
_DAY = r"(\d{1,2})(?:er|e|st|nd|rd|th)?"
_DAY_MONTH_YEAR_RE = re.compile(rf"{_DAY}[\s/.-]*{_WORD}[\s/.,-]*(\d{{4}}|\d{{2}})")
_MONTH_DAY_YEAR_RE = re.compile(rf"{_WORD}[\s/.-]*{_DAY},?[\s/.,-]*(\d{{4}})")
_WEEKDAY_RE = re.compile(r"([^\W\d_]+)\.?,?\s+(.*)")
_MAX_LEN = 60


def _languages(locale: str) -> tuple[str, ...]:
    try:
        own = Locale.parse((locale or "").replace("-", "_")).language
    except (ValueError, TypeError, UnknownLocaleError):
        own = "en"
    return tuple(dict.fromkeys(("fr", "en", own)))


@lru_cache(maxsize=32)
def _months(locale: str) -> dict[str, int]:
    """Every unambiguous way to write a month, folded, in French, English and the locale's language."""
    # Babel's names in every width and context, plus their prefixes of 3 letters or more (`fév`,
    # `sept`), since people abbreviate freely; a prefix shared by two months (`jui`) is dropped.
    candidates: dict[str, set[int]] = {}
    for lang in _languages(locale):
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, lang).items():
                    folded = fold(name).rstrip(".")
                    for end in range(min(3, len(folded)), len(folded) + 1):
                        candidates.setdefault(folded[:end], set()).add(month)
    return {word: months.pop() for word, months in candidates.items() if len(months) == 1}


@lru_cache(maxsize=32)
def _weekdays(locale: str) -> frozenset[str]:
    names: set[str] = set()
    for lang in _languages(locale):
        for width in ("wide", "abbreviated"):
            names.update(fold(n).rstrip(".") for n in get_day_names(width, "format", lang).values())
    return frozenset(names)


@lru_cache(maxsize=32)
def month_first(locale: str) -> bool:
    """Whether the locale writes the month before the day in short dates (en_US `1/13/25`)."""
    try:
        pattern = get_date_format("short", locale=(locale or "").replace("-", "_")).pattern
    except (ValueError, TypeError, UnknownLocaleError):
        return False
    return pattern.lstrip().startswith("M")


def _year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        # Two-digit years follow Python's %y pivot: 00-68 is 20xx, 69-99 is 19xx.
        year += 2000 if year <= 68 else 1900
    return year


def make_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist or falls outside the years the product handles."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def serial_to_date(serial: float) -> dt.date | None:
    """The date of a spreadsheet serial number (days since 1899-12-30), None outside 1990-2100."""
    if not math.isfinite(serial) or not SERIAL_MIN <= serial < SERIAL_MAX:
        return None
    return SERIAL_EPOCH + dt.timedelta(days=math.floor(serial))


def _numeric(first: int, second: int, year: int, locale: str) -> dt.date | None:
    day, month = (second, first) if month_first(locale) else (first, second)
    if month > 12 and day <= 12:
        # The other order is the only possible reading (`01/13/2025` in a French sheet).
        day, month = month, day
    return make_date(year, month, day)


def _named(folded: str, locale: str) -> dt.date | None:
    months = _months(locale)
    if (match := _DAY_MONTH_YEAR_RE.fullmatch(folded)) and match[2] in months:
        return make_date(_year(match[3]), months[match[2]], int(match[1]))
    if (match := _MONTH_DAY_YEAR_RE.fullmatch(folded)) and match[1] in months:
        return make_date(_year(match[3]), months[match[1]], int(match[2]))
    return None


@lru_cache(maxsize=1 << 14)
def parse_text_date(text: str, locale: str) -> dt.date | None:
    """The date written in text (ISO, numeric in the locale's order, or with a month name), or None."""
    if len(text) > _MAX_LEN:
        return None
    folded = fold(text)
    if match := _ISO_RE.fullmatch(folded):
        return make_date(int(match[1]), int(match[3]), int(match[4]))
    if match := _NUMERIC_RE.fullmatch(folded):
        return _numeric(int(match[1]), int(match[3]), _year(match[4]), locale)
    if found := _named(folded, locale):
        return found
    # A leading weekday is tried last: `mar` is both Tuesday in French and March in English.
    weekday = _WEEKDAY_RE.fullmatch(folded)
    if weekday and weekday[1] in _weekdays(locale):
        return _named(weekday[2], locale)
    return None
