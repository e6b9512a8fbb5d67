"""One translation table for every visible text, German and English, and locale-aware number formatting.

Texts are looked up by key with :func:`t`; placeholders use ``str.format`` names (``{rows}``). Numbers, money and
percentages are formatted with Babel in the language's locale (``1.234,56 €`` in German, ``€1,234.56`` in
English). The core computes in fractions; :func:`format_percent` is where a fraction becomes a percentage.
"""

from __future__ import annotations

import math

from babel.numbers import format_currency, format_decimal
from babel.numbers import format_percent as _babel_percent

LANGUAGES = ("de", "en")
LOCALES = {"de": "de_DE", "en": "en_US"}
CURRENCIES = ("EUR", "USD", "CHF", "GBP")

TEXTS: dict[str, dict[str, str]] = {
    # --- data problems (loading / validation) --- begin
    # --- data problems (loading / validation) --- end
}


def t(key: str, lang: str, **params: object) -> str:
    """The text for ``key`` in ``lang`` with ``params`` filled in; a missing key raises ``KeyError``."""
    text = TEXTS[key][lang]
    return text.format(**params) if params else text


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, lang: str, digits: int = 0) -> str:
    """``value`` with the locale's grouping and decimal mark, ``digits`` decimals; ``–`` when missing."""
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES[lang])


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
