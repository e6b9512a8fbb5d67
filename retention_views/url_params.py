"""A scenario as URL query parameters: one spec per setting, text in, typed value within bounds out.

A scenario is every what-if input of the dashboard (sliders, number fields, choices) plus the sidebar settings,
keyed by the widget key it belongs to (``clv_gross_margin``). In the URL each value is plain text: fractions stay
fractions (``clv_gross_margin=0.35`` is a 35 % margin), money is a number in the data's currency, periods are ISO
dates (``overview_period=2024-07-01``), the profit table holds only the edited profits (``profit_tenure=1:12.5,3:40``).

Everything here is pure. A value that is not of the right type, outside its bounds or not one of the offered
choices raises :class:`ParamError` naming the parameter, and nothing else: numbers are read only in their ASCII
notation (``12``, ``-0.5``, ``1e3``), so text such as ``+-5``, ``²`` or ``１２`` is refused by the parser rather than
by an error of ``int`` or ``float``. :func:`parse_query`, the one way a link's parameters are read, turns a whole
query string into the values it accepts and the keys it rejected and never raises, so a tampered link falls back
to the defaults (named in the notice) instead of failing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from retention_core.ingest import CATEGORIES
from retention_core.dataset import ACTIVITY_MONTHS
from retention_core.queries import PERIODS
from retention_views.formats import CURRENCIES
from retention_views.page_results.segments import SEGMENT_DIMENSIONS
from retention_views.texts import LANGUAGES

MAX_MONEY = 1e9  # per customer or per period; far above any real figure, keeps absurd links out
MAX_CUSTOMERS = 100_000_000
MAX_TEXT_LENGTH = 200  # longer query values are rejected before parsing
MAX_TENURE_YEARS = 50
KINDS = ("fraction", "number", "integer", "choice", "date", "profits", "text")


class ParamError(ValueError):
    """A query parameter that cannot be used: wrong type, out of bounds, or not an offered choice."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


@dataclass(frozen=True)
class ParamSpec:
    """One scenario setting: its widget key, kind, bounds or choices, and whether a saved scenario keeps it.

    ``kind`` is one of :data:`KINDS`. ``low``/``high`` bound numbers (fractions for ``fraction``); ``step`` is the
    widget's step, values are rounded to its precision; ``options`` are the allowed choices (their text form is
    ``str(option)``, ``None`` is written ``none``); ``text`` is free text (a data value such as a segment's name:
    checked against the data where it is used, shown as text, never as Markdown). ``what_if`` is False for display
    settings (language, currency) that a saved scenario does not carry.
    """

    key: str
    kind: str
    low: float | None = None
    high: float | None = None
    step: float | None = None
    options: tuple = ()
    what_if: bool = True


def _specs() -> tuple[ParamSpec, ...]:
    money = {"kind": "number", "low": 0.0, "high": MAX_MONEY}
    return (
        ParamSpec("app_lang", "choice", options=LANGUAGES, what_if=False),
        ParamSpec("app_currency", "choice", options=CURRENCIES, what_if=False),
        ParamSpec("app_period", "choice", options=PERIODS),
        ParamSpec("app_activity_months", "choice", options=ACTIVITY_MONTHS),
        ParamSpec("overview_period", "date"),
        ParamSpec("cost_mode", "choice", options=("data", "typed")),
        ParamSpec("cost_period", "date"),
        *(ParamSpec(f"cost_typed_{category}", **money) for category in CATEGORIES),
        ParamSpec("cost_typed_active", "integer", 1, MAX_CUSTOMERS),
        *(ParamSpec(f"cost_change_{category}", "fraction", -0.5, 1.0, 0.05) for category in CATEGORIES),
        ParamSpec("cost_active_data", "integer", 1, MAX_CUSTOMERS),
        ParamSpec("cost_active_typed", "integer", 1, MAX_CUSTOMERS),
        ParamSpec("cost_typed_cac", **money),
        ParamSpec("clv_gross_margin", "fraction", 0.0, 1.0, 0.01),
        ParamSpec("clv_discount_rate", "fraction", 0.0, 0.30, 0.005),
        ParamSpec("clv_annual_retention", "fraction", 0.0, 0.99, 0.005),
        ParamSpec("clv_horizon", "integer", 1, 20),
        ParamSpec("clv_retention_cost_year", **money),
        ParamSpec("clv_cac", **money),
        ParamSpec("profit_retention", "fraction", 0.0, 0.99, 0.005),
        ParamSpec("profit_uplift", "fraction", 0.0, 0.10, 0.005),
        ParamSpec("profit_discount_rate", "fraction", 0.0, 0.30, 0.005),
        ParamSpec("profit_horizon", "choice", options=(None, 5, 10, 20)),
        ParamSpec("profit_cac", **money),
        ParamSpec("profit_tenure", "profits", -MAX_MONEY, MAX_MONEY),
        ParamSpec("profit_growth_years", "integer", 1, 10),
        ParamSpec("cohort_periods_since", "integer", 1, 600),
        ParamSpec("cohort_project_periods", "integer", 1, 36),
        *(ParamSpec(f"loyalty_cli_{question}", "number", 0.0, 10.0, 0.1)
          for question in ("recommend", "repurchase", "try_new")),
        ParamSpec("segments_dimension", "choice", options=SEGMENT_DIMENSIONS, what_if=False),
        ParamSpec("segments_segment", "text", what_if=False),
    )


PARAMS: dict[str, ParamSpec] = {spec.key: spec for spec in _specs()}
RETIRED_KEYS = ("clv_retention_rate", "clv_retention_cost")
"""Parameters of older links whose meaning changed: the CLV page's retention and retention cost were per analysis
period and are now per year (``clv_annual_retention``, ``clv_retention_cost_year``). A link that still carries
one is read without it and the notice names it, so a quarterly rate is never taken for an annual one."""
SIDEBAR_KEYS = ("app_lang", "app_currency", "app_period", "app_activity_months")
WHAT_IF_KEYS = tuple(key for key, spec in PARAMS.items() if spec.what_if)


@dataclass(frozen=True)
class ParsedQuery:
    """What :func:`parse_query` accepted (typed values by key) and the keys it rejected, in URL order."""

    values: dict
    rejected: tuple[str, ...]


#: A decimal number as a link writes it: ASCII digits, an optional sign, point and exponent.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
#: A whole number as a link writes it: ASCII digits with an optional sign.
_WHOLE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)


def _finite(key: str, text: str) -> float:
    text = text.strip()
    if _NOT_FINITE.fullmatch(text):
        raise ParamError(key, f"{text!r} is not a finite number")
    if not _DECIMAL.fullmatch(text):
        raise ParamError(key, f"{text!r} is not a number")
    number = float(text)  # cannot fail on text of that shape; a huge exponent gives inf, caught here
    if not math.isfinite(number):
        raise ParamError(key, f"{text!r} is not a finite number")
    return number


def _whole(key: str, text: str, what: str) -> int:
    """``text`` as an int if it is written as a whole number (ASCII digits, optional sign), else ParamError."""
    text = text.strip()
    if not _WHOLE.fullmatch(text):
        raise ParamError(key, f"{text!r} is not {what}")
    return int(text)


def step_decimals(step: float) -> int:
    """Decimals a step needs: 0.005 -> 3, 0.01 -> 2, 0.1 -> 1, 1 -> 0."""
    return len(f"{step:.9f}".rstrip("0").partition(".")[2])


def snap(spec: ParamSpec, value: float) -> float:
    """``value`` rounded to the precision of the spec's step (a slider shows no finer values); as is without one."""
    if spec.step is None:
        return value
    return round(value, step_decimals(spec.step))


def check_value(spec: ParamSpec, value: object) -> object:
    """``value`` if it is valid for ``spec`` (type, bounds, choices), else :class:`ParamError`.

    Use :func:`narrowed` first when the data narrows the bounds (an uplift above 99 % retention, a period that is
    not in the data). Numbers are returned as ``float`` (``int`` for ``integer``), rounded to the step's precision.
    """
    key = spec.key
    if spec.kind == "text":
        return _free_text(key, value)
    if spec.kind == "choice":
        if value not in spec.options:
            raise ParamError(key, f"{value!r} is not one of {', '.join(map(_text, spec.options))}")
        return value
    if spec.kind == "date":
        if spec.options and pd.Timestamp(value) not in [pd.Timestamp(option) for option in spec.options]:
            raise ParamError(key, f"{_text(value)} is not a period of the data")
        return pd.Timestamp(value)
    if spec.kind == "profits":
        return {int(year): _bounded(replace(spec, kind="number"), profit) for year, profit in dict(value).items()}
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(key, f"{value!r} is not a number")
    if spec.kind == "integer":
        if float(value) != int(value):
            raise ParamError(key, f"{value!r} is not a whole number")
        return int(_bounded(spec, int(value)))
    return float(snap(spec, _bounded(spec, float(value))))


def _bounded(spec: ParamSpec, value: float) -> float:
    if not math.isfinite(value):
        raise ParamError(spec.key, f"{value!r} is not a finite number")
    if spec.low is not None and value < spec.low:
        raise ParamError(spec.key, f"{_text(value)} is below the lowest allowed value {_text(spec.low)}")
    if spec.high is not None and value > spec.high + 1e-9:
        raise ParamError(spec.key, f"{_text(value)} is above the highest allowed value {_text(spec.high)}")
    return value


def narrowed(spec: ParamSpec, low: float | None = None, high: float | None = None,
             options: tuple | None = None) -> ParamSpec:
    """``spec`` with bounds the data sets tighter (never wider than the spec's own) or the data's choices."""
    changes: dict = {}
    if low is not None:
        changes["low"] = low if spec.low is None else max(spec.low, low)
    if high is not None:
        changes["high"] = high if spec.high is None else min(spec.high, high)
    if options is not None:
        changes["options"] = tuple(options)
    return replace(spec, **changes)


def parse_value(spec: ParamSpec, text: str) -> object:
    """The typed value of one query parameter's text, checked with :func:`check_value`; else :class:`ParamError`.

    ``fraction``/``number``: a finite decimal with a dot (``0.35``); ``integer``: digits; ``choice``: the option's
    text (``quarter``, ``12``, ``none``); ``date``: ``YYYY-MM-DD``; ``profits``: ``year:profit`` pairs separated by
    commas (``1:12.5,3:40``), each year at most once; ``text``: the text as it is (spaces kept), not blank, at most
    :data:`MAX_TEXT_LENGTH` characters, without control characters.
    """
    key = spec.key
    if not isinstance(text, str):
        raise ParamError(key, f"{text!r} is not text")
    raw, text = text, text.strip()
    if not text:
        raise ParamError(key, "is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise ParamError(key, f"is longer than {MAX_TEXT_LENGTH} characters")
    if spec.kind == "text":
        return check_value(spec, raw)
    if spec.kind == "choice":
        by_text = {_text(option): option for option in spec.options}
        if text not in by_text:
            raise ParamError(key, f"{text!r} is not one of {', '.join(by_text)}")
        return by_text[text]
    if spec.kind == "date":
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
                raise ValueError(text)
            date = pd.Timestamp(pd.to_datetime(text, format="%Y-%m-%d"))
        except (ValueError, OverflowError):
            raise ParamError(key, f"{text!r} is not a date like 2024-07-01") from None
        return check_value(spec, date)
    if spec.kind == "profits":
        return check_value(spec, _profits(key, text))
    if spec.kind == "integer":
        return check_value(spec, _whole(key, text, "a whole number"))
    return check_value(spec, _finite(key, text))


#: Control characters (line breaks, tabs, NUL, escape sequences) and lone surrogates: no data value a link names.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _free_text(key: str, value: object) -> str:
    """``value`` if it is text a link may carry (:func:`parse_value`, ``text``), else :class:`ParamError`."""
    if not isinstance(value, str):
        raise ParamError(key, f"{value!r} is not text")
    if not value.strip():
        raise ParamError(key, "is empty")
    if len(value) > MAX_TEXT_LENGTH:
        raise ParamError(key, f"is longer than {MAX_TEXT_LENGTH} characters")
    if _CONTROL.search(value):
        raise ParamError(key, "holds a control character")
    return value


def _profits(key: str, text: str) -> dict[int, float]:
    profits: dict[int, float] = {}
    for pair in text.split(","):
        year, separator, profit = pair.partition(":")
        if not separator or not re.fullmatch(r"[0-9]+", year.strip(), re.ASCII):
            raise ParamError(key, f"{pair!r} is not a pair like 3:40")
        tenure = int(year)
        if not 1 <= tenure <= MAX_TENURE_YEARS:
            raise ParamError(key, f"customer year {tenure} is not between 1 and {MAX_TENURE_YEARS}")
        if tenure in profits:
            raise ParamError(key, f"customer year {tenure} is given twice")
        profits[tenure] = _finite(key, profit)
    return profits


def _text(value: object) -> str:
    """The URL text of a value: ``none`` for None, ISO dates, integers without ``.0``, up to 9 decimals."""
    if value is None:
        return "none"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        return f"{value:.9f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def format_value(spec: ParamSpec, value: object) -> str:
    """The URL text of a typed value; :func:`parse_value` reads it back to the same value."""
    if spec.kind == "profits":
        return ",".join(f"{year}:{_text(float(profit))}" for year, profit in sorted(dict(value).items()))
    if spec.kind == "date":
        return _text(pd.Timestamp(value))
    return _text(value)


def parse_query(params: Mapping[str, str | list[str]]) -> ParsedQuery:
    """Accept the known parameters whose value is valid; reject the rest of the known ones by key. Never raises.

    Unknown parameters (``embed``, tracking tags) are not part of a scenario and are left alone; a repeated
    parameter counts with its last value, as ``st.query_params`` shows it. Parameters of :data:`RETIRED_KEYS` are
    rejected whatever their value. :func:`parse_value` raises only :class:`ParamError` (a property test throws
    arbitrary text at every parameter), which rejects the key.
    """
    values: dict = {}
    rejected: list[str] = []
    for key, raw in params.items():
        if key in RETIRED_KEYS:
            rejected.append(key)
            continue
        spec = PARAMS.get(key)
        if spec is None:
            continue
        text = raw[-1] if isinstance(raw, list) and raw else raw
        try:
            values[key] = parse_value(spec, text if isinstance(text, str) else "")
        except ParamError:
            rejected.append(key)
    return ParsedQuery(values=values, rejected=tuple(rejected))


def to_query(values: Mapping[str, object]) -> dict[str, str]:
    """The query parameters of a scenario's known values, in the order of :data:`PARAMS`."""
    return {key: format_value(spec, values[key]) for key, spec in PARAMS.items() if key in values}
