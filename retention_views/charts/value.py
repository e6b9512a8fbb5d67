"""The CLV and Retention → profit pages' charts: the CLV estimates, the CLV gap waterfall, CLV : CAC, the uplift
curve, the customer base's growth and the profit by customer year."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks
from retention_views.charts.common import PALETTE, figure, money_axis, step_labels, vline
from retention_views.formats import format_interval_range, format_money
from retention_views.page_results.clv import ClvResult
from retention_views.texts import translator


def clv_comparison_chart(result: ClvResult, lang: str, currency: str,
                         intervals: Mapping[str, object | None] | None = None) -> go.Figure:
    """The three CLV estimates side by side (an unknown one is left out), each with its 80 % interval as an error
    bar when ``intervals`` (by :class:`ClvResult` field name, objects with ``low`` and ``high``) gives one."""
    tr = translator(lang)
    shown = [(tr(key), value, colour, field) for key, value, colour, field in (
        ("clv_simple", result.simple_clv, PALETTE["neutral"], "simple_clv"),
        ("clv_margin_multiple", result.margin_multiple_clv, PALETTE["primary"], "margin_multiple_clv"),
        ("clv_finite", result.finite_horizon_clv, PALETTE["good"], "finite_horizon_clv")) if value is not None]
    names, values, colours, fields = ([item[index] for item in shown] for index in range(4))
    bars = dict(type="bar", x=names, y=values, marker={"color": colours},
                text=[format_money(value, lang, currency) for value in values], textposition="outside")
    spans = [(intervals or {}).get(field) for field in fields]
    error = error_bars(values, [None if span is None else (span.low, span.high) for span in spans])
    if error is not None:
        bars.update(error_y=error, textposition="inside", insidetextanchor="middle")  # clear of the error bar
    return figure([bars], tr("chart_clv_comparison"), lang, "",
                  tr("axis_money_per_customer", currency=currency), yaxis=money_axis(lang, currency),
                  showlegend=False, hovermode=False)


def error_bars(values: Sequence[float | None], bounds: Sequence[tuple[float, float] | None],
               width: int = 8) -> dict | None:
    """Plotly ``error_y`` from each bar's value to its interval's (low, high) (none where the value or its interval
    is missing); None when no bar has an interval."""
    if all(bound is None for bound in bounds):
        return None
    pairs = list(zip(values, bounds, strict=True))
    return dict(type="data", symmetric=False, color=PALETTE["neutral"], thickness=1.5, width=width,
                array=[0.0 if bound is None or value is None else max(0.0, bound[1] - value) for value, bound in pairs],
                arrayminus=[0.0 if bound is None or value is None else max(0.0, value - bound[0])
                            for value, bound in pairs])


def clv_waterfall_chart(result: ClvResult, lang: str, currency: str) -> go.Figure:
    """CLV → minus lifetime retention cost = CLV gap → minus CAC = net value, per new customer.

    A step whose amount is unknown (no retention cost, no CAC) is left out, and so is every total after it: an
    unknown amount is never drawn as 0."""
    tr = translator(lang)
    steps = [(tr("clv_margin_multiple"), result.margin_multiple_clv, "absolute")]
    if result.lifetime_retention_cost is not None:
        steps += [(tr("label_minus_retention_cost"), -result.lifetime_retention_cost, "relative"),
                  (tr("kpi_clv_gap"), result.clv_gap, "total")]
        if result.acquisition_cost is not None:
            steps += [(tr("label_minus_cac"), -result.acquisition_cost, "relative"),
                      (tr("label_net_value"), result.net_value, "total")]
    waterfall = dict(
        type="waterfall", x=step_labels([name for name, _, _ in steps]), y=[value for _, value, _ in steps],
        measure=[measure for _, _, measure in steps],
        text=[format_money(value, lang, currency) for _, value, _ in steps], textposition="outside",
        increasing={"marker": {"color": PALETTE["good"]}}, decreasing={"marker": {"color": PALETTE["bad"]}},
        totals={"marker": {"color": PALETTE["primary"]}}, connector={"line": {"color": PALETTE["neutral"]}},
    )
    return figure([waterfall], tr("chart_clv_waterfall"), lang, "",
                  tr("axis_money_per_customer", currency=currency), yaxis=money_axis(lang, currency),
                  showlegend=False, hovermode=False)


def clv_cac_chart(ratio: float, lang: str) -> go.Figure:
    """CLV : CAC as a bar against the 3 : 1 rule of thumb (only for a known ratio: without a CAC there is none)."""
    tr = translator(lang)
    value = ratio
    rule = benchmarks.CLV_TO_CAC_RULE
    colour = PALETTE["good"] if value >= rule else PALETTE["bad"]
    bar = dict(type="bar", x=[value], y=["CLV : CAC"], orientation="h", marker={"color": colour},
               text=[f"{value:.1f} : 1".replace(".", "," if lang == "de" else ".")], textposition="outside")
    line, label = vline(rule, PALETTE["neutral"], "dash", text=tr("band_clv_cac_rule"), position="top")
    return figure([bar], tr("chart_clv_cac"), lang, tr("axis_ratio"),
                  xaxis={"range": [min(0, value) * 1.25, max(rule, value) * 1.25]}, shapes=[line], annotations=[label],
                  height=220,
                  showlegend=False, hovermode=False)


def in_percent(curves: Sequence[pd.DataFrame]) -> bool:
    """Whether uplift curves can be drawn as relative change: only when every point of every curve has one (near a
    customer value of zero a percentage means nothing, and the curves are drawn in money instead)."""
    return all(curve["relative_change"].notna().all() for curve in curves)


def light(colour: str, opacity: float = 0.18) -> str:
    """A ``#rrggbb`` colour as a light ``rgba`` fill (an interval band behind the line of that colour)."""
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


def band_traces(x: Sequence[float], low: Sequence[float], high: Sequence[float], kind: str, colour: str,
                name: str, lang: str, currency: str, legendgroup: str | None = None) -> list[dict]:
    """An interval band as two line traces without visible edges, the upper filled down to the lower
    (``fill="tonexty"``); hovering the band shows its range (``80 %: 18,0–44,0 %``). ``kind`` is the values'
    format (``fraction`` or ``money``). Put the traces before the line they belong to, so the line is drawn on top.
    """
    tr = translator(lang)
    edge = {"color": "rgba(0, 0, 0, 0)", "width": 0}
    group = {"legendgroup": legendgroup} if legendgroup else {}
    ranges = [tr("interval_level", range=format_interval_range(kind, bottom, top, lang, currency))
              for bottom, top in zip(low, high, strict=True)]
    return [
        dict(type="scatter", x=list(x), y=list(low), mode="lines", line=edge, showlegend=False, hoverinfo="skip",
             **group),
        dict(type="scatter", x=list(x), y=list(high), mode="lines", line=edge, fill="tonexty",
             fillcolor=light(colour), name=name, text=ranges, hovertemplate="%{text}<extra></extra>", **group),
    ]


def drawable(band: pd.DataFrame | None, columns: tuple[str, str]) -> bool:
    """Whether ``band`` has both bounds at every uplift (a band with holes would fill across them)."""
    return band is not None and not band.empty and band[list(columns)].notna().all().all()


def uplift_curve_chart(curve: pd.DataFrame, current_points: float, lang: str, currency: str,
                       band: pd.DataFrame | None = None) -> go.Figure:
    """Profit increase against the retention uplift, with Reichheld's 25–95 % at 5 pp marked.

    In percent of the customer value before the uplift; where that value is too close to zero for a percentage
    (``relative_change`` missing), in money per new customer, without the band. ``band``
    (:func:`~retention_views.page_results.profit.uplift_curve_band`) adds the 80 % interval as a light band behind
    the line where it has both bounds at every uplift."""
    tr = translator(lang)
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    current, _ = vline(current_points * 100, PALETTE["neutral"], "dot")
    percent = in_percent([curve])
    bounds = ("relative_low", "relative_high") if percent else ("value_low", "value_high")
    shaded = []
    if drawable(band, bounds):
        shaded = band_traces(band["uplift_points"] * 100, band[bounds[0]], band[bounds[1]],
                             "fraction" if percent else "money", PALETTE["primary"], tr("label_interval_band"),
                             lang, currency)
    if not percent:
        line = dict(type="scatter", x=curve["uplift_points"] * 100, y=curve["value_change"], mode="lines",
                    name=tr("label_your_business"), line={"color": PALETTE["primary"], "width": 3})
        return figure([*shaded, line], tr("chart_uplift_curve_money"), lang, tr("axis_uplift_points"),
                      tr("axis_money_per_customer", currency=currency), xaxis={"ticksuffix": " pp"},
                      yaxis={"rangemode": "tozero", **money_axis(lang, currency)}, shapes=[current])
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    lines = [
        *shaded,
        dict(type="scatter", x=curve["uplift_points"] * 100, y=curve["relative_change"], mode="lines",
             name=tr("label_your_business"), line={"color": PALETTE["primary"], "width": 3}),
        dict(type="scatter", x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers",
             name=tr("band_reichheld"), line={"color": PALETTE["secondary"], "width": 8}, opacity=0.6),
    ]
    return figure(lines, tr("chart_uplift_curve"), lang, tr("axis_uplift_points"),
                  tr("axis_profit_increase"), xaxis={"ticksuffix": " pp"},
                  yaxis={"tickformat": ".0%", "rangemode": "tozero"}, shapes=[current])


def base_growth_chart(growth: pd.DataFrame, lang: str) -> go.Figure:
    """Customer base relative to today, with and without the uplift."""
    tr = translator(lang)
    lines = [
        dict(type="scatter", x=growth["year"], y=growth["without_uplift"], name=tr("label_without_uplift"),
             mode="lines+markers", line={"color": PALETTE["neutral"], "width": 3}),
        dict(type="scatter", x=growth["year"], y=growth["with_uplift"], name=tr("label_with_uplift"),
             mode="lines+markers", line={"color": PALETTE["good"], "width": 3}),
    ]
    return figure(lines, tr("chart_base_growth"), lang, tr("axis_years"), tr("axis_base_vs_today"),
                  xaxis={"dtick": 1}, yaxis={"tickformat": ".0%"})


def profit_by_tenure_chart(profits: pd.DataFrame, lang: str, currency: str) -> go.Figure:
    """Profit per retained customer by year of customer age."""
    tr = translator(lang)
    bars = dict(type="bar", x=profits["tenure"], y=profits["profit"], marker={"color": PALETTE["primary"]},
                text=[format_money(value, lang, currency, 0) for value in profits["profit"]], textposition="outside")
    return figure([bars], tr("chart_profit_by_tenure"), lang, tr("axis_customer_year"),
                  tr("axis_money_per_customer", currency=currency), xaxis={"dtick": 1},
                  yaxis=money_axis(lang, currency), showlegend=False, hovermode=False)
