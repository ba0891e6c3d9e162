"""Reading numbers people type as text, the way they mean them in the workbook's locale."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import get_group_symbol, parse_decimal


@dataclass(frozen=True)
class Number:
    """A number read from a cell; a percentage is held as a fraction ("25 %" -> 0.25)."""

    value: float
    percent: bool


@dataclass(frozen=True)
class TextNumber:
    """A number read from text, and whether it came bare (no currency, unit or multiplier)."""

    value: Decimal
    percent: bool
    plain: bool


# After its own locale, a French workbook reads the European and Swiss styles its users also write
# (`1.200,50`, `1’200.50`) and only then en_US; an English one reads en_US, then those styles
# (`1 200,5`). The first locale that reads a text wins, so an ambiguous `1,200` follows the workbook.
_FALLBACKS = {
    "fr": ("de_DE", "de_CH", "en_US"),
    "en": ("en_US", "fr_FR", "de_DE", "de_CH"),
}
_OTHER_FALLBACKS = ("fr_FR", "de_DE", "de_CH", "en_US")

_SPACES = "\u0020\u00a0\u202f\u2009\u2007\u200a\t"
_APOSTROPHES = "'\u2019\u2018\u02bc\u00b4`"
_GROUP_LIKE = re.compile(f"[{_SPACES}{_APOSTROPHES}]")
_MULTIPLIERS = {"k": 3, "K": 3, "M": 6, "Md": 9, "Mds": 9, "G": 9, "B": 9, "Mrd": 9}
_CURRENCY = r"(?:(?:US|CA|C)?\$|€|£|(?i:chf|cad|usd|eur))"
_SIGN = "[-+\u2212]"
_NUMBER_RE = re.compile(
    rf"""
    (?P<sign1>{_SIGN})?\s*
    (?:(?P<cur1>{_CURRENCY})\s*)?
    (?P<sign2>{_SIGN})?\s*
    (?P<core>[.,]?\d(?:[\d.,\s{_APOSTROPHES}]*\d)?)
    \s*(?:(?P<mult>Mds|Mrd|Md|[kKMGB])(?![^\W\d_]))?
    \s*(?P<cur2>{_CURRENCY})?
    \s*(?P<pct>%)?
    \s*(?P<unit>[^\W\d_](?:[^\W\d_]|[\s'’./-])*)?
    """,
    re.VERBOSE,
)
# Longer text is prose, not a number; the bound also keeps the regex's backtracking cheap.
_MAX_LEN = 100


@lru_cache(maxsize=256)
def locales_for(locale: str) -> tuple[str, ...]:
    """The locales a typed number is tried in: the workbook's first, then the fallbacks."""
    try:
        own: str | None = str(Locale.parse((locale or "").replace("-", "_")))
    except (ValueError, TypeError, UnknownLocaleError):
        own = None
    lang = own.split("_")[0] if own else ""
    chain = (own, *_FALLBACKS.get(lang, _OTHER_FALLBACKS))
    return tuple(dict.fromkeys(c for c in chain if c))


@lru_cache(maxsize=64)
def _babel_locale(locale: str) -> tuple[Locale, str]:
    # Babel re-reads a locale given by name, and its symbols, on every call: a third of the time.
    parsed = Locale.parse(locale)
    return parsed, get_group_symbol(parsed)


def fold(text: str) -> str:
    """Text lower-cased, without accents, emoji variation selectors or repeated spaces, for lookups."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\ufe0f", ""))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("’", "'").split())


def _read_core(core: str, locales: tuple[str, ...]) -> Decimal | None:
    if core.isdecimal():
        return Decimal(core)
    for locale in locales:
        # People type any space or apostrophe as a thousands separator; Babel only knows the locale's own.
        babel_locale, group = _babel_locale(locale)
        candidate = _GROUP_LIKE.sub(group, core)
        try:
            return parse_decimal(candidate, babel_locale, strict=True)
        except (ValueError, ArithmeticError):
            continue
    return None


@lru_cache(maxsize=1 << 16)
def parse_text_number(text: str, locale: str) -> TextNumber | None:
    """The number in typed text (currency, unit words, k/M/Md and % allowed), None when it is none."""
    text = text.strip()
    if not text or len(text) > _MAX_LEN:
        return None
    match = _NUMBER_RE.fullmatch(text)
    if match is None or (match["sign1"] and match["sign2"]):
        return None
    locales = locales_for(locale)
    if match["cur1"] and match["cur1"].endswith("$"):
        # `$2,845`: a dollar sign before the number is the English way to write it, even in a French sheet.
        locales = tuple(dict.fromkeys(("en_US", *locales)))
    value = _read_core(match["core"], locales)
    if value is None:
        return None
    try:
        if match["mult"]:
            value = value.scaleb(_MULTIPLIERS[match["mult"]])
        if match["pct"]:
            value = value / 100
        if (match["sign1"] or match["sign2"] or "+") != "+":
            value = -value
    except InvalidOperation:
        return None
    plain = not (match["mult"] or match["unit"] or match["cur1"] or match["cur2"])
    return TextNumber(value, match["pct"] is not None, plain)
