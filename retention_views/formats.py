"""Numbers, money, percentages, periods and dates as each language writes them, formatted with Babel.

Money and percentages follow the language's locale (``1.234,56 €`` / ``€1,234.56``, ``90,5 %`` / ``90.5%``). The
core computes in fractions; :func:`format_percent` is where a fraction becomes a percentage. A missing value is ``–``.
"""

from __future__ import annotations

import math

import pandas as pd
from babel.dates import format_date
from babel.numbers import NumberFormatError, format_currency, format_decimal, get_currency_symbol, parse_decimal
from babel.numbers import format_percent as _babel_percent

from retention_views.texts import t

LOCALES = {"de": "de_DE", "en": "en_US"}
CURRENCIES = ("EUR", "USD", "CHF", "GBP")


def format_period(period_start: object, period: str, lang: str) -> str:
    """A period's name: ``Q3 2024`` for quarters, ``Jul 2024`` / ``Juli 2024`` for months, ``2024`` for years."""
    start = pd.Timestamp(period_start)
    if period == "quarter":
        return f"Q{start.quarter} {start.year}"
    if period == "month":
        return format_date(start.date(), "MMM yyyy", locale=LOCALES[lang])
    return str(start.year)


def format_day(day: object, lang: str) -> str:
    """A day as the language writes it: ``31.12.2024`` / ``Dec 31, 2024``; ``–`` when missing."""
    if day is None or pd.isna(day):
        return "–"
    return format_date(pd.Timestamp(day).date(), "medium", locale=LOCALES[lang])


_DATE_CODES = {"de": {"%d": "TT", "%m": "MM", "%Y": "JJJJ", "%y": "JJ", "%H": "hh", "%M": "mm", "%S": "ss"},
               "en": {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%y": "YY", "%H": "hh", "%M": "mm", "%S": "ss"}}


def format_date_pattern(date_format: str | None, lang: str) -> str:
    """A strptime format as people write it: ``%d.%m.%Y`` -> ``TT.MM.JJJJ`` (German) / ``DD.MM.YYYY``."""
    if not date_format:
        return "–"
    for code, letters in _DATE_CODES[lang].items():
        date_format = date_format.replace(code, letters)
    return date_format


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, lang: str, digits: int = 0) -> str:
    """``value`` with the locale's grouping and decimal mark, ``digits`` decimals; ``–`` when missing."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


_IGNORED_IN_NUMBERS = str.maketrans("", "", " \u00a0\u202f€$£¥")


def parse_number(text: str, lang: str) -> float:
    """A number as the language writes it (``2.500,50`` in German, ``2,500.50`` in English) as a float.

    Grouping marks must sit between groups of three digits (Babel's strict parsing), so a text that the other
    language would read differently is refused, not guessed: ``2.50`` in German (250? 2,50?). Spaces and the
    signs € $ £ ¥ are ignored. ValueError when the text is not a finite number.
    """
    cleaned = str(text).translate(_IGNORED_IN_NUMBERS)
    try:
        number = parse_decimal(cleaned, locale=LOCALES[lang], strict=True)
    except NumberFormatError as error:
        raise ValueError(f"{text!r} is not a number in {lang}") from error
    if not number.is_finite():
        raise ValueError(f"{text!r} is not a finite number")
    return float(number)


def format_money(value: float | None, lang: str, currency: str, digits: int = 2) -> str:
    """``value`` as money in ``currency`` for the language's locale (``12,00 €`` / ``€12.00``)."""
    if _missing(value):
        return "–"
    decimals = "." + "0" * digits if digits else ""
    pattern = f"#,##0{decimals}\u00a0¤" if lang == "de" else f"¤#,##0{decimals}"
    return format_currency(value, currency, format=pattern, locale=LOCALES[lang], currency_digits=False)


def format_percent(fraction: float | None, lang: str, digits: int = 1) -> str:
    """A fraction (0.905) as a percentage in the locale (``90,5 %`` / ``90.5%``)."""
    if _missing(fraction):
        return "–"
    decimals = "." + "0" * digits if digits else ""
    pattern = f"#,##0{decimals}\u00a0%" if lang == "de" else f"#,##0{decimals}%"
    return _babel_percent(fraction, format=pattern, locale=LOCALES[lang])


def format_interval_range(kind: str, low: float, high: float, lang: str, currency: str) -> str:
    """An interval's bounds as one range in the kind's format: ``142–177 €`` / ``€142–177``, ``56,9–59,6 %``,
    ``1,8–2,0 : 1``. Money has whole units when the range is at least 10 wide, else cents; a negative lower bound
    is written out (``-20 € bis 40 €`` / ``-€20 to €40``) so that the minus and the dash cannot be confused."""
    if kind == "money":
        digits = 0 if high - low >= 10 else 2
        if low < 0:
            joint = " bis " if lang == "de" else " to "
            return format_money(low, lang, currency, digits) + joint + format_money(high, lang, currency, digits)
        symbol = get_currency_symbol(currency, locale=LOCALES[lang])
        numbers = f"{format_number(low, lang, digits)}–{format_number(high, lang, digits)}"
        return f"{numbers}\u00a0{symbol}" if lang == "de" else f"{symbol}{numbers}"
    joint = "–" if low >= 0 else (" bis " if lang == "de" else " to ")
    if kind == "fraction":
        sign = "\u00a0%" if lang == "de" else "%"
        return f"{format_number(low * 100, lang, 1)}{joint}{format_number(high * 100, lang, 1)}{sign}"
    if kind == "ratio":
        return f"{format_number(low, lang, 1)}{joint}{format_number(high, lang, 1)} : 1"
    digits = 1 if kind == "score" else 0
    return f"{format_number(low, lang, digits)}{joint}{format_number(high, lang, digits)}"


def format_with_interval(kind: str, value: float | None, interval: object | None, lang: str, currency: str) -> str:
    """A value with its 80 % interval: ``159,71 € (80 %: 142–177 €)``; the value alone without an interval
    (``interval`` has ``low`` and ``high``, e.g. :class:`retention_core.intervals.Interval`)."""
    text = format_kind(kind, value, lang, currency)
    if interval is None or _missing(value):
        return text
    return t("interval_value", lang, value=text,
             range=format_interval_range(kind, interval.low, interval.high, lang, currency))


def format_kind(kind: str, value: float | None, lang: str, currency: str) -> str:
    """A value by its kind: ``count`` grouped, ``fraction`` as percent, ``money`` in the currency, ``ratio`` as
    ``x : 1``, ``score`` with one decimal, anything else (NPS points) as a whole number; ``–`` when missing."""
    if _missing(value):
        return "–"
    if kind == "count":
        return format_number(value, lang)
    if kind == "fraction":
        return format_percent(value, lang)
    if kind == "money":
        return format_money(value, lang, currency)
    if kind == "ratio":
        return f"{format_number(value, lang, 1)} : 1"
    if kind == "score":
        return format_number(value, lang, 1)
    return format_number(value, lang, 0)
