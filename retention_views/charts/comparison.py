"""The Scenarios page's charts: several scenarios in one figure, each in its colour and under its (escaped) name."""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks, metrics
from retention_views import text_keys
from retention_views.charts.common import PALETTE, SCENARIO_COLOURS, figure, money_axis, step_labels
from retention_views.charts.value import band_traces, drawable, error_bars, in_percent
from retention_views.formats import format_money
from retention_views.page_results.clv import ClvResult
from retention_views.page_results.costs import COST_CATEGORIES, CostScenario
from retention_views.texts import translator


def _plain(name: str) -> str:
    """A user's scenario name as Plotly text: ``<`` and ``&`` escaped, so Plotly's HTML-like tags stay text."""
    return html.escape(str(name), quote=False)


def _scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def uplift_curves_chart(curves: Mapping[str, pd.DataFrame], lang: str, currency: str,
                        bands: Mapping[str, pd.DataFrame | None] | None = None) -> go.Figure:
    """The profit-increase curves of several scenarios in one figure (name ->
    :func:`~retention_views.page_results.profit.uplift_curve`), with Reichheld's 25–95 % at 5 pp marked; in money per
    new customer, without the band, when a curve has no percentage (see
    :func:`~retention_views.charts.value.uplift_curve_chart`).

    ``bands`` (name -> :func:`~retention_views.page_results.profit.uplift_curve_band`) adds each scenario's 80 %
    interval as a light band in its colour behind its line, grouped with the line in the legend (a click on the
    scenario hides both) and showing its range on hover; a band with a hole is left out."""
    tr = translator(lang)
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    percent = in_percent(list(curves.values()))
    column = "relative_change" if percent else "value_change"
    bounds = ("relative_low", "relative_high") if percent else ("value_low", "value_high")
    lines = []
    for index, (name, curve) in enumerate(curves.items()):
        band = (bands or {}).get(name)
        if drawable(band, bounds):
            shaded = band_traces(band["uplift_points"] * 100, band[bounds[0]], band[bounds[1]],
                                 "fraction" if percent else "money", _scenario_colour(index),
                                 tr("label_interval_band"), lang, currency, legendgroup=str(index))
            lines += [*shaded[:1], {**shaded[1], "showlegend": False}]
        lines.append(dict(type="scatter", x=curve["uplift_points"] * 100, y=curve[column], mode="lines",
                          name=_plain(name), legendgroup=str(index),
                          line={"color": _scenario_colour(index), "width": 3,
                                "dash": "solid" if index == 0 else "dash"}))
    layout = {"legend": {"y": -0.3, "yanchor": "top"}, "margin": {"t": 50, "b": 10}, "height": 440}
    if not percent:
        return figure(lines, tr("chart_uplift_curve_money"), lang, tr("axis_uplift_points"),
                      tr("axis_money_per_customer", currency=currency), xaxis={"ticksuffix": " pp"},
                      yaxis={"rangemode": "tozero", **money_axis(lang, currency)}, **layout)
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    lines.append(dict(type="scatter", x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers",
                      name=tr("band_reichheld"), line={"color": PALETTE["neutral"], "width": 8}, opacity=0.5))
    return figure(lines, tr("chart_uplift_curve"), lang, tr("axis_uplift_points"),
                  tr("axis_profit_increase"), xaxis={"ticksuffix": " pp"},
                  yaxis={"tickformat": ".0%", "rangemode": "tozero"}, **layout)


def _negative(value: float | None) -> float | None:
    return None if value is None else -value


CLV_STEP_KPIS = ("clv_margin_multiple", "label_lifetime_retention_cost", "kpi_clv_gap", None, "label_net_value")
"""The key of the :class:`~retention_views.whatif.ScenarioKpi` whose interval each CLV step shows (the CAC step
has none among the KPIs); the retention cost is drawn negative, so is its interval."""


def clv_steps_chart(results: Mapping[str, ClvResult], lang: str, currency: str,
                    intervals: Mapping[str, Mapping[str, object | None]] | None = None) -> go.Figure:
    """The CLV gap steps of several scenarios as grouped bars: CLV, − lifetime retention cost, CLV gap, − CAC, net
    value (an unknown step of a scenario has no bar and no label).

    ``intervals`` (name -> KPI key -> interval with ``low`` and ``high``, e.g. each scenario's
    :class:`~retention_views.whatif.ScenarioKpi` intervals) adds each step's 80 % interval as an error bar
    (:data:`CLV_STEP_KPIS`)."""
    tr = translator(lang)
    steps = step_labels([tr("clv_margin_multiple"), tr("label_minus_retention_cost"), tr("kpi_clv_gap"),
                         tr("label_minus_cac"), tr("label_net_value")])
    bars = []
    for index, (name, result) in enumerate(results.items()):
        values = [result.margin_multiple_clv, _negative(result.lifetime_retention_cost), result.clv_gap,
                  _negative(result.acquisition_cost), result.net_value]
        known = (intervals or {}).get(name, {})
        spans = [None if key is None else known.get(key) for key in CLV_STEP_KPIS]
        bounds = [None if span is None else (span.low, span.high) for span in spans]
        if bounds[1] is not None:
            bounds[1] = (-bounds[1][1], -bounds[1][0])
        bar = dict(type="bar", x=steps, y=values, name=_plain(name), marker={"color": _scenario_colour(index)},
                   text=["" if value is None else format_money(value, lang, currency, 0) for value in values],
                   textposition="outside")
        error = error_bars(values, bounds, width=6)
        if error is not None:
            bar.update(error_y=error, textposition="inside", insidetextanchor="middle")  # clear of the error bar
        bars.append(bar)
    return figure(bars, tr("chart_clv_waterfall"), lang, "",
                  tr("axis_money_per_customer", currency=currency), yaxis=money_axis(lang, currency),
                  barmode="group", hovermode="closest")


def cost_per_customer_compare_chart(costs: Mapping[str, CostScenario], lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer of several scenarios, stacked by category (team, tools, engagement)."""
    tr = translator(lang)
    names = [_plain(name) for name in costs]
    bars = [
        dict(type="bar", x=names, y=[metrics.retention_cost_per_customer(cost.amounts[category], cost.active_customers)
                                     for cost in costs.values()],
             name=tr(text_keys.CATEGORY_SHORT[category]), marker={"color": PALETTE[category]})
        for category in COST_CATEGORIES
    ]
    totals = dict(
        type="scatter", x=names, y=[cost.per_customer for cost in costs.values()], mode="text", showlegend=False,
        text=[format_money(cost.per_customer, lang, currency) for cost in costs.values()], textposition="top center",
    )
    return figure([*bars, totals], tr("chart_cost_compare"), lang, "",
                  tr("axis_money_per_customer", currency=currency),
                  yaxis={"rangemode": "tozero", **money_axis(lang, currency)}, barmode="stack", hovermode="closest")
