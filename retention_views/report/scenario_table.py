"""One scenario as a table: its inputs and results (and the segment table) as rows, and its downloads' file name.

:func:`scenario_frame` is what the CSV and XLSX downloads hold (:mod:`retention_views.exports` makes them safe to
open) and what the HTML report (:mod:`~retention_views.report.document`) shows; each value is formatted as the
pages show it.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from retention_core.intervals import informative
from retention_views import text_keys
from retention_views.formats import (
    format_interval_range,
    format_kind,
    format_money,
    format_number,
    format_percent,
    format_period,
)
from retention_views.page_results.segments import TABLE_COLUMNS, SegmentView, dimension_name
from retention_views.texts import translator
from retention_views.url_params import MAX_MONEY, PARAMS
from retention_views.whatif.comparison import outcome_kpis
from retention_views.whatif.outcomes import Outcome


def format_param(key: str, value: object, lang: str, currency: str, period: str) -> str:
    """One scenario value as the pages show it: percent, money, counts, period names, translated choices."""
    tr = translator(lang)
    spec = PARAMS[key]
    if key == "profit_uplift":  # percentage points, as the slider's help says
        return f"{format_number(value * 100, lang, 1)} pp"
    if spec.kind == "fraction":
        return format_percent(value, lang)
    if spec.kind == "number" and spec.high == MAX_MONEY:
        return format_money(value, lang, currency)
    if spec.kind == "number":
        return format_number(value, lang, 1)
    if spec.kind == "integer":
        return format_number(value, lang)
    if spec.kind == "date":
        return format_period(value, period, lang)
    if spec.kind == "profits":
        return "; ".join(f"{year}: {format_money(profit, lang, currency)}" for year, profit in sorted(value.items())) \
            or tr("report_profits_unchanged")
    named = {"app_lang": lambda: {"de": "Deutsch", "en": "English"}[value],
             "app_period": lambda: tr(text_keys.PERIOD[value]),
             "app_activity_months": lambda: tr("sidebar_activity_months", months=value),
             "cost_mode": lambda: tr(text_keys.COST_MODE[value]),
             "segments_dimension": lambda: tr(f"segments_dimension_{value}"),
             "profit_horizon": lambda: tr("profit_horizon_unlimited") if value is None
             else tr("label_years", years=value)}
    return named[key]() if key in named else str(value)


#: Inputs a cost mode does not use: with a cost sheet the typed-in café figures, typed in the sheet's period.
_UNUSED_IN_COST_MODE = {
    "data": ("cost_typed_team", "cost_typed_tools", "cost_typed_engagement", "cost_typed_active", "cost_active_typed",
             "cost_typed_cac"),
    "typed": ("cost_period", "cost_active_data"),
}


def scenario_frame(name: str, values: Mapping[str, object], outcome: Outcome, lang: str, currency: str,
                   period: str, segments: SegmentView | None = None) -> pd.DataFrame:
    """Inputs and results of one scenario as rows: section, item, raw value (fractions, money as numbers), shown;
    a result measured with uncertainty also has its 80 % interval as shown and raw (low, high), else they are empty.
    With ``segments`` (the Segments page's view at the scenario's margin and discount rate) the segment table
    follows, one row per segment and figure (:func:`segment_rows`).

    The first row carries the scenario's name. Raw values are what a spreadsheet should compute with; ``shown`` is
    the text the dashboard displays. Column headers are translated. Inputs the scenario's cost mode does not use
    (the typed-in figures when a cost sheet is used, and the sheet's period when they are typed in) are left out.
    """
    tr = translator(lang)
    rows = [(tr("report_section_scenario"), tr("scenario_name"), name, name)]
    unused = _UNUSED_IN_COST_MODE.get(values.get("cost_mode"), ())
    for key, value in values.items():
        if key not in PARAMS or key == "app_lang" or key in unused:
            continue
        raw = value
        if isinstance(value, dict):
            raw = format_param(key, value, lang, currency, period)
        elif isinstance(value, pd.Timestamp):
            raw = value.strftime("%Y-%m-%d")
        elif value is None:
            raw = ""
        rows.append((tr("report_section_input"), tr(text_keys.PARAM[key]), raw,
                     format_param(key, value, lang, currency, period)))
    rows = [(*row, "", None, None) for row in rows]
    for kpi in outcome_kpis(outcome):
        sure = informative(kpi.interval, kpi.value)
        rows.append((tr("report_section_result"), tr(kpi.key), kpi.value,
                     format_kind(kpi.kind, kpi.value, lang, currency),
                     "" if sure is None else format_interval_range(kpi.kind, sure.low, sure.high, lang, currency),
                     None if sure is None else sure.low, None if sure is None else sure.high))
    if segments is not None:
        rows += segment_rows(segments, lang, currency)
    columns = [tr("report_column_section"), tr("report_column_item"), tr("report_column_value"),
               tr("report_column_shown"), tr("report_column_interval"), tr("report_column_low"),
               tr("report_column_high")]
    return pd.DataFrame(rows, columns=columns)


def segment_rows(view: SegmentView, lang: str, currency: str) -> list[tuple]:
    """The segment table of ``view`` as rows of :func:`scenario_frame`: section "Segmente: <dimension>", item
    "<segment>: <figure>", the raw value (empty where unknown, never 0) and the value as the page shows it."""
    tr = translator(lang)
    section = tr("report_section_segments", dimension=dimension_name(view.dimension, lang))
    rows = []
    table = view.table
    for position, record in enumerate(table.itertuples(index=False)):
        for column, kind in TABLE_COLUMNS:
            value = getattr(record, column)
            known = pd.notna(value)
            low, high = ((table[f"{column}_low"].iloc[position], table[f"{column}_high"].iloc[position])
                         if f"{column}_low" in table.columns else (None, None))
            sure = known and pd.notna(low) and pd.notna(high)
            rows.append((section, f"{record.segment}: {tr(f'segments_column_{column}', currency=currency)}",
                         float(value) if known else None, format_kind(kind, value, lang, currency),
                         format_interval_range(kind, low, high, lang, currency) if sure else "",
                         float(low) if sure else None, float(high) if sure else None))
    return rows


def file_stem(name: str) -> str:
    """A safe file name stem from a scenario name: letters, digits, ``-`` and ``_`` only, at most 40 characters."""
    stem = "".join(char if char.isascii() and (char.isalnum() or char in "-_") else "_" for char in name.strip())
    stem = "_".join(part for part in stem.split("_") if part)[:40]
    return stem or "scenario"
