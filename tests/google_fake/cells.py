"""Cell values as Sheets stores and renders them: USER_ENTERED parsing in the spreadsheet's locale,
effective values, FORMATTED_VALUE / UNFORMATTED_VALUE / FORMULA rendering and date serials.

Deliberately independent of the product's own parsers, so the fake cannot share their bugs.
"""

from __future__ import annotations

import ast
import datetime as dt
import operator
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from babel.dates import get_date_format
from babel.numbers import get_decimal_symbol, get_group_symbol

EPOCH = dt.date(1899, 12, 30)
DATE_TYPES = ("DATE", "DATE_TIME", "TIME")
_SPACES = " \u00a0\u202f"
_CURRENCIES = "$€£"


@cache
def symbols(locale: str) -> tuple[str, str]:
    """(decimal separator, group separator) of a locale, e.g. fr_CA → (',', nbsp)."""
    try:
        return get_decimal_symbol(locale), get_group_symbol(locale)
    except Exception:  # an unknown locale reads like en_US
        return ".", ","


@cache
def day_first(locale: str) -> bool:
    """Whether d/m/y is read day first (fr_*, en_GB, de_*…) rather than month first (en_US)."""
    if locale.startswith("fr"):
        return True
    try:
        pattern = get_date_format("short", locale).pattern
    except Exception:
        return False
    return pattern.lower().index("d") < pattern.lower().index("m") if "d" in pattern.lower() else True


def to_serial(day: dt.date) -> int:
    """A date → Sheets' serial number (days since 1899-12-30)."""
    return (day - EPOCH).days


def from_serial(serial: float) -> dt.datetime:
    """A serial number → datetime."""
    return dt.datetime.combine(EPOCH, dt.time()) + dt.timedelta(days=float(serial))


def parse_number(text: str, locale: str) -> float | None:
    """`1 200,5` (fr), `1,200.5` (en), `-3` → float; None when the text is not a plain number here."""
    decimal, group = symbols(locale)
    groups = _SPACES if group in _SPACES else group
    body = text.strip()
    sign = -1.0 if body.startswith("-") else 1.0
    body = body.lstrip("+-")
    pattern = rf"\d{{1,3}}(?:[{re.escape(groups)}]\d{{3}})+|\d+"
    match = re.fullmatch(rf"({pattern})?(?:{re.escape(decimal)}(\d+))?", body)
    if not body or not match or not (match.group(1) or match.group(2)):
        return None
    integer = re.sub(rf"[{re.escape(groups)}]", "", match.group(1) or "0")
    return sign * float(f"{integer}.{match.group(2) or 0}")


def _date(text: str, locale: str) -> tuple[int, str] | None:
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        y, m, d = (int(g) for g in iso.groups())
        pattern = "yyyy-mm-dd"
    else:
        other = re.fullmatch(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})", text)
        if not other:
            return None
        first, sep, second, year = other.groups()
        y = int(year)
        d, m = (int(first), int(second)) if day_first(locale) else (int(second), int(first))
        pattern = f"dd{sep}mm{sep}yyyy" if day_first(locale) else f"m{sep}d{sep}yyyy"
    try:
        return to_serial(dt.date(y, m, d)), pattern
    except ValueError:
        return None


def user_entered(
    raw: Any, locale: str, *, parse: bool
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """A value from a ValueRange → (userEnteredValue or None to clear, numberFormat to set or None).

    `parse` is valueInputOption USER_ENTERED: formulas, numbers, percentages, currencies and dates are
    read as a person typing them in this locale; RAW keeps every string a string.
    """
    if isinstance(raw, bool):
        return {"boolValue": raw}, None
    if isinstance(raw, int | float):
        return {"numberValue": raw}, None
    text = str(raw)
    if text == "":
        return None, None
    if not parse:
        return {"stringValue": text}, None
    if text.startswith("="):
        return {"formulaValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.upper() in ("TRUE", "FALSE") or (locale.startswith("fr") and text.upper() in ("VRAI", "FAUX")):
        return {"boolValue": text.upper() in ("TRUE", "VRAI")}, None
    stripped = text.strip()
    percent = re.fullmatch(rf"(.+?)[{_SPACES}]?%", stripped)
    if percent and (number := parse_number(percent.group(1), locale)) is not None:
        decimals = len(percent.group(1).replace(symbols(locale)[0], ".").partition(".")[2])
        pattern = "0%" if decimals == 0 else "0." + "0" * decimals + "%"
        return {"numberValue": round(number / 100, 12)}, {"type": "PERCENT", "pattern": pattern}
    currency = re.fullmatch(
        rf"([{_CURRENCIES}])[{_SPACES}]?(.+)|(.+?)[{_SPACES}]?([{_CURRENCIES}])", stripped
    )
    if currency:
        symbol = currency.group(1) or currency.group(4)
        amount = currency.group(2) or currency.group(3)
        if (number := parse_number(amount, locale)) is not None:
            pattern = f"[${symbol}]#,##0.00" if currency.group(1) else f"#,##0.00 [${symbol}]"
            return {"numberValue": number}, {"type": "CURRENCY", "pattern": pattern}
    if (number := parse_number(stripped, locale)) is not None:
        return {"numberValue": int(number) if number.is_integer() else number}, None
    if (day := _date(stripped, locale)) is not None:
        return {"numberValue": day[0]}, {"type": "DATE", "pattern": day[1]}
    return {"stringValue": text}, None


_OPS: dict[type, Callable[..., float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}


def _arith(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return float(_OPS[type(node.op)](_arith(node.left), _arith(node.right)))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return float(_OPS[type(node.op)](_arith(node.operand)))
    raise ValueError("not arithmetic")


ERROR_TEXT = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "#N/A",
}


def effective_value(entered: dict[str, Any] | None) -> dict[str, Any] | None:
    """The computed value: literals as entered; formulas evaluated when they are arithmetic, TRUE(),
    FALSE() or NA(); any other formula is an #ERROR! (the fake has no spreadsheet engine)."""
    if not entered or "formulaValue" not in entered:
        return entered
    body = entered["formulaValue"][1:].strip()
    if body.upper() in ("TRUE()", "FALSE()", "TRUE", "FALSE"):
        return {"boolValue": body.upper().startswith("TRUE")}
    if body.upper() == "NA()":
        return {"errorValue": {"type": "N_A", "message": "Value not available."}}
    try:
        value = _arith(ast.parse(body.replace("^", "**"), mode="eval").body)
    except ZeroDivisionError:
        return {
            "errorValue": {"type": "DIVIDE_BY_ZERO", "message": "Function DIVIDE parameter 2 cannot be zero."}
        }
    except (SyntaxError, ValueError):
        return {"errorValue": {"type": "ERROR", "message": "The fake only evaluates arithmetic formulas."}}
    return {"numberValue": int(value) if value.is_integer() else value}


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def format_number(value: float, number_format: dict[str, Any] | None, locale: str) -> str:
    """Render a number the way its numberFormat and the locale show it (dates, percents, decimals)."""
    decimal, group = symbols(locale)
    kind = (number_format or {}).get("type")
    pattern = (number_format or {}).get("pattern", "")
    if kind in DATE_TYPES:
        return format_date(value, pattern or "yyyy-mm-dd")
    if kind == "PERCENT":
        value *= 100
    places = len(re.search(r"\.([0#]*)", pattern).group(1)) if "." in pattern else None  # type: ignore[union-attr]
    if places is None and kind in ("PERCENT", "NUMBER", "CURRENCY") and pattern:
        places = 0
    if places is None and kind == "PERCENT":
        places = 2
    if places is None:
        text = format(_plain(value), ".15g") if isinstance(_plain(value), float) else str(_plain(value))
        text = text.replace(".", decimal)
    else:
        text = f"{value:,.{places}f}" if "," in pattern else f"{value:.{places}f}"
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    if kind == "PERCENT":
        return text + "%"
    if kind == "CURRENCY":
        symbol = re.search(r"\[\$(.)", pattern)
        mark = symbol.group(1) if symbol else "$"
        return f"{mark}{text}" if pattern.startswith("[$") else f"{text} {mark}"
    return text


def format_date(serial: float, pattern: str) -> str:
    """Render a date serial with a Sheets date pattern (yyyy, yy, mm, m, dd, d)."""
    when = from_serial(serial)
    tokens = {
        "yyyy": f"{when.year:04d}",
        "yy": f"{when.year % 100:02d}",
        "mm": f"{when.month:02d}",
        "m": str(when.month),
        "dd": f"{when.day:02d}",
        "d": str(when.day),
    }
    return re.sub(r"yyyy|yy|mm|m|dd|d", lambda m: tokens[m.group(0)], pattern.lower())


def formatted_value(cell: dict[str, Any], locale: str) -> str | None:
    """CellData.formattedValue: the effective value rendered with the cell's number format."""
    value = effective_value(cell.get("userEnteredValue"))
    if not value:
        return None
    if "stringValue" in value:
        return str(value["stringValue"])
    if "boolValue" in value:
        words = ("VRAI", "FAUX") if locale.startswith("fr") else ("TRUE", "FALSE")
        return words[0] if value["boolValue"] else words[1]
    if "errorValue" in value:
        return ERROR_TEXT[value["errorValue"]["type"]]
    number_format = cell.get("userEnteredFormat", {}).get("numberFormat")
    return format_number(float(value["numberValue"]), number_format, locale)


def render(cell: dict[str, Any] | None, value_option: str, date_option: str, locale: str) -> Any:
    """One cell as values.get returns it for a valueRenderOption / dateTimeRenderOption; "" if empty."""
    if not cell or not cell.get("userEnteredValue"):
        return ""
    entered = cell["userEnteredValue"]
    if value_option == "FORMATTED_VALUE":
        return formatted_value(cell, locale) or ""
    if value_option == "FORMULA" and "formulaValue" in entered:
        return entered["formulaValue"]
    value = effective_value(entered) or {}
    if "numberValue" in value:
        number_format = cell.get("userEnteredFormat", {}).get("numberFormat") or {}
        if date_option == "FORMATTED_STRING" and number_format.get("type") in DATE_TYPES:
            return format_number(float(value["numberValue"]), number_format, locale)
        return _plain(value["numberValue"])
    if "errorValue" in value:
        return ERROR_TEXT[value["errorValue"]["type"]]
    return next(iter(value.values()))
