"""Percentages as people read them: half-up to a whole percent, the way the sheet's `0 %` format shows them."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_percent


def whole_share(value: float | None) -> Decimal | None:
    """A share rounded half-up to a whole percent, as Decimal (0.525 → 0.53); None when there is none.

    The sheet holds a share rounded to 4 decimals (`history.pct`) and displays it half-up; Python's round()
    and babel's default both round half to even (0.525 → 52 %), so every text goes through here instead.
    """
    if value is None or not math.isfinite(float(value)):
        return None
    held = Decimal(repr(round(float(value), 4)))
    return (held * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 100


def percent_text(value: float | None, locale: str, missing: str = "—") -> str:
    """A share as the locale writes a whole percentage (`53 %` in fr_CA, `53%` in en_US); `missing` without one."""
    share = whole_share(value)
    return missing if share is None else format_percent(share, locale=locale)
