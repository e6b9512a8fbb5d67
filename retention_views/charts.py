"""Plotly figure builders: small frames or result dataclasses in, ``go.Figure`` out.

Every chart has a translated title and axis titles with units, locale separators (``1.234,5`` in German) and
the palette below, so the pages look alike. Percent axes receive fractions and format them as percent. Each
builder writes its traces and layout settings as dicts and makes the figure in one ``go.Figure`` call
(:func:`_figure`).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks, metrics
from retention_core.predictive import PredictiveClvSummary
from retention_core.revenue import RevenueRetention
from retention_views.i18n import format_money, format_percent, format_period, t
from retention_views.page_results import COST_CATEGORIES, ClvResult, CostScenario

PALETTE = {
    "primary": "#1f5f8b",
    "secondary": "#e07b39",
    "good": "#2a9d8f",
    "bad": "#c8553d",
    "neutral": "#8d99ae",
    "band": "rgba(42, 157, 143, 0.15)",
    "team": "#1f5f8b",
    "tools": "#8ab6d6",
    "engagement": "#e07b39",
}
SCENARIO_COLOURS = ("#1f5f8b", "#e07b39", "#2a9d8f", "#8d99ae")  # A, B, then any further ones
SEPARATORS = {"de": ",.", "en": ".,"}
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "CHF": "CHF", "GBP": "£"}


def _money_axis(lang: str, currency: str) -> dict:
    symbol = CURRENCY_SYMBOLS[currency]
    if lang == "de":
        return {"ticksuffix": f"\u00a0{symbol}", "tickformat": ",.0f"}
    return {"tickprefix": symbol if len(symbol) == 1 else f"{symbol}\u00a0", "tickformat": ",.0f"}


GRID = "#ebf0f8"
"""Grid and axis-line colour of Plotly's "plotly_white" look, written into each figure's axes by :func:`_figure`:
giving every figure the whole template instead re-validates it (about 13 ms a figure, most of a page rerun).
Untemplated parts follow the renderer's default (Streamlit's chart theme in the app, Plotly's in the exported
report)."""


def _figure(traces: list[dict], title: str, lang: str, x_title: str = "", y_title: str = "", *,
            xaxis: Mapping | None = None, yaxis: Mapping | None = None, **layout) -> go.Figure:
    """``traces`` (Plotly trace dicts) in the house style, built in one ``go.Figure`` call.

    The style is the translated title, the locale's separators, white background, the legend above the plot and
    ``GRID`` on both axes with the axis titles. ``xaxis`` / ``yaxis`` are the chart's own axis settings (tick
    format, range ...); ``layout`` any further layout settings (``height``, ``shapes``, ``barmode`` ...): a dict
    given for a styled one (``legend``, ``margin``) is merged into it, as ``update_layout`` would, anything else
    replaces the style's value.

    Why one call: Plotly validates the whole figure once when it is constructed from dicts, but again on every
    ``update_layout`` / ``update_xaxes`` / ``add_shape`` / ``add_annotation`` afterwards, and a trace object
    (``go.Bar``) is validated once when made and again when put into the figure. A small bar chart took 14 ms
    with update calls and 2 ms in one call, with the same ``to_plotly_json()``; a CLV slider rerun builds five.
    The charts here have one x and one y axis; a chart with more (``yaxis2``) needs the grid styling in each.
    """
    grid = {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True}
    style = {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "separators": SEPARATORS[lang],
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 90, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        "hovermode": "x unified",
        "height": 380,
        "xaxis": {**(xaxis or {}), "title": {"text": x_title}, **grid},
        "yaxis": {**(yaxis or {}), "title": {"text": y_title}, **grid, "zerolinewidth": 2},
    }
    for key, value in layout.items():
        style[key] = {**style[key], **value} if isinstance(value, dict) and key in style else value
    return go.Figure(data=traces, layout=style)


_ANNOTATION_ANCHORS = {"top": ("center", "bottom"), "top right": ("left", "top"), "top left": ("right", "top")}


def _vline(x: float, colour: str, dash: str | None = None, width: float = 2, text: str | None = None,
           position: str = "top right") -> tuple[dict, dict | None]:
    """A vertical line over the whole plot height at ``x``, labelled at the top as Plotly's ``add_vline`` does:
    the shape and its annotation (None without ``text``), to put into a figure's ``shapes`` and ``annotations``.

    Given as layout entries: ``add_vline`` looks up every axis of the figure first and validates the figure again,
    which costs more than the rest of a small chart (a CLV slider rerun builds several).
    """
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
             "line": {"color": colour, "width": width, "dash": dash}}
    if text is None:
        return shape, None
    xanchor, yanchor = _ANNOTATION_ANCHORS[position]
    return shape, {"x": x, "xref": "x", "y": 1, "yref": "paper", "text": text, "showarrow": False,
                   "xanchor": xanchor, "yanchor": yanchor}


def period_labels(starts: pd.Series | list, period: str, lang: str) -> list[str]:
    """Readable period names: ``Q3 2024`` / ``Jul 2024`` / ``2024``."""
    return [format_period(pd.Timestamp(start), period, lang) for start in starts]


def retention_trend_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention and churn rate by period as two lines on a percent axis."""
    x = period_labels(trend["period_start"], period, lang)
    lines = [
        dict(type="scatter", x=x, y=trend["retention_rate"], name=t("kpi_retention_rate", lang),
             mode="lines+markers", line={"color": PALETTE["good"], "width": 3}),
        dict(type="scatter", x=x, y=trend["churn_rate"], name=t("kpi_churn_rate", lang), mode="lines+markers",
             line={"color": PALETTE["bad"], "width": 3}),
    ]
    return _figure(lines, t("chart_retention_trend", lang), lang, t("axis_period", lang), t("axis_percent", lang),
                   yaxis={"tickformat": ".0%", "rangemode": "tozero"})


def cost_stack_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention spend per period stacked by category (team, tools, engagement)."""
    x = period_labels(costs["period_start"], period, lang)
    bars = [dict(type="bar", x=x, y=costs[category], name=t(f"category_short_{category}", lang),
                 marker={"color": PALETTE[category]})
            for category in COST_CATEGORIES]
    return _figure(bars, t("chart_cost_stack", lang), lang, t("axis_period", lang),
                   t("axis_money", lang, currency=currency), yaxis=_money_axis(lang, currency), barmode="stack")


def cost_per_customer_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer over time; periods marked ``warm_up`` (the customer base still being
    built from the data's first orders, :func:`scenarios.cost_items_wide`) are left out of the line and shown as
    grey open markers named as such, so their inflated cost does not read as a real drop."""
    labels = period_labels(costs["period_start"], period, lang)
    warm_up = costs["warm_up"].to_numpy(dtype=bool) if "warm_up" in costs else np.zeros(len(costs), dtype=bool)
    values = costs["cost_per_active_customer"].to_numpy(dtype="float64")
    line = dict(type="scatter", x=labels, y=np.where(warm_up, np.nan, values), mode="lines+markers",
                name=t("kpi_retention_cost_per_customer", lang), line={"color": PALETTE["primary"], "width": 3},
                showlegend=False)  # the title names it; the legend only explains the warm-up markers
    traces = [line]
    if warm_up.any():
        traces.append(dict(type="scatter", x=labels, y=np.where(warm_up, values, np.nan), mode="markers",
                           name=t("label_warm_up", lang), marker={"color": PALETTE["neutral"], "symbol": "circle-open",
                                                                   "size": 9}))
    return _figure(traces, t("chart_cost_per_customer", lang), lang, t("axis_period", lang),
                   t("axis_money_per_customer", lang, currency=currency),
                   yaxis={"rangemode": "tozero", **_money_axis(lang, currency)})


def cac_band_chart(per_customer: float, band: tuple[float, float], cac: float | None, lang: str,
                   currency: str, cac_label: str = "label_cac_short") -> go.Figure:
    """Retention cost per customer against CAC, with the "acquiring is 5–25× dearer" band shaded.

    An unknown CAC (None) gets no bar: the chart then shows the retention cost and the band alone. ``cac_label`` is
    the i18n key naming the CAC (the period's, or a typed one)."""
    low, high = band
    names = [t("label_retention_cost_short", lang)] + ([t(cac_label, lang)] if cac is not None else [])
    values = [per_customer] + ([cac] if cac is not None else [])
    bars = dict(type="bar", x=values, y=names, orientation="h",
                marker={"color": [PALETTE["primary"], PALETTE["secondary"]][:len(values)]},
                text=[format_money(value, lang, currency) for value in values], textposition="outside")
    shaded = {"type": "rect", "xref": "x", "yref": "y domain", "x0": low, "x1": high, "y0": 0, "y1": 1,
              "fillcolor": PALETTE["band"], "line": {"width": 0}, "layer": "below"}  # what add_vrect sets
    label = {"x": low, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom", "xanchor": "left",
             "showarrow": False, "text": t("band_cac_multiple", lang, low=int(benchmarks.CAC_MULTIPLE_BAND[0]),
                                           high=int(benchmarks.CAC_MULTIPLE_BAND[1]))}
    return _figure([bars], t("chart_cac_band", lang), lang, t("axis_money_per_customer", lang, currency=currency),
                   xaxis={"range": [0, max(high, *values) * 1.15], **_money_axis(lang, currency)},
                   shapes=[shaded], annotations=[label], height=300, hovermode=False, showlegend=False)


def clv_comparison_chart(result: ClvResult, lang: str, currency: str,
                         intervals: Mapping[str, object | None] | None = None) -> go.Figure:
    """The three CLV estimates side by side (an unknown one is left out), each with its 80 % interval as an error
    bar when ``intervals`` (by :class:`ClvResult` field name, objects with ``low`` and ``high``) gives one."""
    shown = [(t(key, lang), value, colour, field) for key, value, colour, field in (
        ("clv_simple", result.simple_clv, PALETTE["neutral"], "simple_clv"),
        ("clv_margin_multiple", result.margin_multiple_clv, PALETTE["primary"], "margin_multiple_clv"),
        ("clv_finite", result.finite_horizon_clv, PALETTE["good"], "finite_horizon_clv")) if value is not None]
    names, values, colours, fields = ([item[index] for item in shown] for index in range(4))
    bars = dict(type="bar", x=names, y=values, marker={"color": colours},
                text=[format_money(value, lang, currency) for value in values], textposition="outside")
    spans = [(intervals or {}).get(field) for field in fields]
    if any(span is not None for span in spans):
        bars["error_y"] = dict(type="data", symmetric=False, color=PALETTE["neutral"], thickness=1.5, width=8,
                               array=[0.0 if span is None else max(0.0, span.high - value)
                                      for span, value in zip(spans, values, strict=True)],
                               arrayminus=[0.0 if span is None else max(0.0, value - span.low)
                                           for span, value in zip(spans, values, strict=True)])
        bars.update(textposition="inside", insidetextanchor="middle")  # clear of the error bar at the top
    return _figure([bars], t("chart_clv_comparison", lang), lang, "",
                   t("axis_money_per_customer", lang, currency=currency), yaxis=_money_axis(lang, currency),
                   showlegend=False, hovermode=False)


def clv_waterfall_chart(result: ClvResult, lang: str, currency: str) -> go.Figure:
    """CLV → minus lifetime retention cost = CLV gap → minus CAC = net value, per new customer.

    A step whose amount is unknown (no retention cost, no CAC) is left out, and so is every total after it: an
    unknown amount is never drawn as 0."""
    steps = [(t("clv_margin_multiple", lang), result.margin_multiple_clv, "absolute")]
    if result.lifetime_retention_cost is not None:
        steps += [(t("label_minus_retention_cost", lang), -result.lifetime_retention_cost, "relative"),
                  (t("kpi_clv_gap", lang), result.clv_gap, "total")]
        if result.acquisition_cost is not None:
            steps += [(t("label_minus_cac", lang), -result.acquisition_cost, "relative"),
                      (t("label_net_value", lang), result.net_value, "total")]
    waterfall = dict(
        type="waterfall", x=[name for name, _, _ in steps], y=[value for _, value, _ in steps],
        measure=[measure for _, _, measure in steps],
        text=[format_money(value, lang, currency) for _, value, _ in steps], textposition="outside",
        increasing={"marker": {"color": PALETTE["good"]}}, decreasing={"marker": {"color": PALETTE["bad"]}},
        totals={"marker": {"color": PALETTE["primary"]}}, connector={"line": {"color": PALETTE["neutral"]}},
    )
    return _figure([waterfall], t("chart_clv_waterfall", lang), lang, "",
                   t("axis_money_per_customer", lang, currency=currency), yaxis=_money_axis(lang, currency),
                   showlegend=False, hovermode=False)


def clv_cac_chart(ratio: float, lang: str) -> go.Figure:
    """CLV : CAC as a bar against the 3 : 1 rule of thumb (only for a known ratio: without a CAC there is none)."""
    value = ratio
    rule = benchmarks.CLV_TO_CAC_RULE
    colour = PALETTE["good"] if value >= rule else PALETTE["bad"]
    bar = dict(type="bar", x=[value], y=["CLV : CAC"], orientation="h", marker={"color": colour},
               text=[f"{value:.1f} : 1".replace(".", "," if lang == "de" else ".")], textposition="outside")
    line, label = _vline(rule, PALETTE["neutral"], "dash", text=t("band_clv_cac_rule", lang), position="top")
    return _figure([bar], t("chart_clv_cac", lang), lang, t("axis_ratio", lang),
                   xaxis={"range": [min(0, value) * 1.25, max(rule, value) * 1.25]}, shapes=[line], annotations=[label],
                   height=220,
                   showlegend=False, hovermode=False)


def _in_percent(curves: Sequence[pd.DataFrame]) -> bool:
    """Whether uplift curves can be drawn as relative change: only when every point of every curve has one (near a
    customer value of zero a percentage means nothing, and the curves are drawn in money instead)."""
    return all(curve["relative_change"].notna().all() for curve in curves)


def uplift_curve_chart(curve: pd.DataFrame, current_points: float, lang: str, currency: str) -> go.Figure:
    """Profit increase against the retention uplift, with Reichheld's 25–95 % at 5 pp marked.

    In percent of the customer value before the uplift; where that value is too close to zero for a percentage
    (``relative_change`` missing), in money per new customer, without the band."""
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    current, _ = _vline(current_points * 100, PALETTE["neutral"], "dot")
    if not _in_percent([curve]):
        line = dict(type="scatter", x=curve["uplift_points"] * 100, y=curve["value_change"], mode="lines",
                    name=t("label_your_business", lang), line={"color": PALETTE["primary"], "width": 3})
        return _figure([line], t("chart_uplift_curve_money", lang), lang, t("axis_uplift_points", lang),
                       t("axis_money_per_customer", lang, currency=currency), xaxis={"ticksuffix": " pp"},
                       yaxis={"rangemode": "tozero", **_money_axis(lang, currency)}, shapes=[current])
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    lines = [
        dict(type="scatter", x=curve["uplift_points"] * 100, y=curve["relative_change"], mode="lines",
             name=t("label_your_business", lang), line={"color": PALETTE["primary"], "width": 3}),
        dict(type="scatter", x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers",
             name=t("band_reichheld", lang), line={"color": PALETTE["secondary"], "width": 8}, opacity=0.6),
    ]
    return _figure(lines, t("chart_uplift_curve", lang), lang, t("axis_uplift_points", lang),
                   t("axis_profit_increase", lang), xaxis={"ticksuffix": " pp"},
                   yaxis={"tickformat": ".0%", "rangemode": "tozero"}, shapes=[current])


def base_growth_chart(growth: pd.DataFrame, lang: str) -> go.Figure:
    """Customer base relative to today, with and without the uplift."""
    lines = [
        dict(type="scatter", x=growth["year"], y=growth["without_uplift"], name=t("label_without_uplift", lang),
             mode="lines+markers", line={"color": PALETTE["neutral"], "width": 3}),
        dict(type="scatter", x=growth["year"], y=growth["with_uplift"], name=t("label_with_uplift", lang),
             mode="lines+markers", line={"color": PALETTE["good"], "width": 3}),
    ]
    return _figure(lines, t("chart_base_growth", lang), lang, t("axis_years", lang), t("axis_base_vs_today", lang),
                   xaxis={"dtick": 1}, yaxis={"tickformat": ".0%"})


def profit_by_tenure_chart(profits: pd.DataFrame, lang: str, currency: str) -> go.Figure:
    """Profit per retained customer by year of customer age."""
    bars = dict(type="bar", x=profits["tenure"], y=profits["profit"], marker={"color": PALETTE["primary"]},
                text=[format_money(value, lang, currency, 0) for value in profits["profit"]], textposition="outside")
    return _figure([bars], t("chart_profit_by_tenure", lang), lang, t("axis_customer_year", lang),
                   t("axis_money_per_customer", lang, currency=currency), xaxis={"dtick": 1},
                   yaxis=_money_axis(lang, currency), showlegend=False, hovermode=False)


def cohort_heatmap(matrix: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Cohort retention: cohorts by first-purchase period × periods since first purchase, shaded by share."""
    labels = period_labels(matrix.index, period, lang)
    text = [[format_percent(value, lang, 0) if pd.notna(value) else "" for value in row]
            for row in matrix.to_numpy()]
    heatmap = dict(
        type="heatmap", z=matrix.to_numpy(dtype=float), x=[str(column) for column in matrix.columns], y=labels,
        text=text, texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1, colorbar={"tickformat": ".0%"},
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    )
    return _figure([heatmap], t("chart_cohort_heatmap", lang), lang,
                   t("axis_periods_since", lang, period=t(f"period_plural_{period}", lang)), t("axis_cohort", lang),
                   yaxis={"autorange": "reversed", "type": "category"}, height=max(380, 26 * len(labels) + 120),
                   hovermode="closest")


def cohort_curves_chart(cohorts: pd.DataFrame, average: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention curve of each cohort, with the pooled average in bold."""
    lines = [dict(type="scatter", x=rows["periods_since"], y=rows["retention"], mode="lines",
                  name=period_labels([cohort_start], period, lang)[0], line={"width": 1}, opacity=0.45,
                  showlegend=False)
             for cohort_start, rows in cohorts.groupby("cohort_start")]
    lines.append(dict(type="scatter", x=average["periods_since"], y=average["retention"], mode="lines+markers",
                      name=t("label_average", lang), line={"color": PALETTE["secondary"], "width": 4}))
    return _figure(lines, t("chart_cohort_curves", lang), lang,
                   t("axis_periods_since", lang, period=t(f"period_plural_{period}", lang)),
                   t("axis_share_active", lang), yaxis={"tickformat": ".0%", "range": [0, 1.02]})


def cohort_revenue_chart(revenue: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Total revenue of each cohort, stacked by periods since first purchase."""
    labels = period_labels(revenue.index, period, lang)
    bars = [dict(type="bar", x=labels, y=revenue[column].fillna(0.0), name=str(column), showlegend=False,
                 marker={"color": PALETTE["primary"]}, opacity=max(0.25, 1.0 - 0.08 * int(column)))
            for column in revenue.columns]
    return _figure(bars, t("chart_cohort_revenue", lang), lang, t("axis_cohort", lang),
                   t("axis_money", lang, currency=currency), yaxis=_money_axis(lang, currency), barmode="stack",
                   hovermode="closest")


def nps_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NPS by period (points −100…+100) with the number of answers in the hover."""
    bars = dict(type="bar", x=period_labels(trend["period_start"], period, lang), y=trend["nps"],
                marker={"color": [PALETTE["good"] if value >= 0 else PALETTE["bad"] for value in trend["nps"]]},
                customdata=trend["responses"], hovertemplate="%{x}: %{y:.0f} (n = %{customdata})<extra></extra>")
    return _figure([bars], t("chart_nps", lang), lang, t("axis_period", lang), t("axis_nps_points", lang),
                   yaxis={"range": [-100, 100]}, showlegend=False, hovermode="closest")


def industry_benchmark_chart(annual_retention: float | None, lang: str) -> go.Figure:
    """Typical annual retention by industry as ranges, with the user's measured annual retention as a line."""
    industries = benchmarks.INDUSTRY_RETENTION
    names = [t(f"industry_{industry.key}", lang) for industry in industries]
    ranges = dict(
        type="bar", y=names, x=[max(industry.high - industry.low, 0.01) for industry in industries],
        base=[industry.low for industry in industries], orientation="h", marker={"color": PALETTE["neutral"]},
        customdata=[industry.source for industry in industries],
        hovertemplate="%{y}: %{base:.0%}–%{x:.0%}<br>%{customdata}<extra></extra>", name=t("label_industry", lang),
    )
    yours = {}
    if annual_retention is not None:
        line, label = _vline(annual_retention, PALETTE["secondary"], width=3, position="top",
                             text=f"{t('label_your_business', lang)}: {format_percent(annual_retention, lang)}")
        yours = {"shapes": [line], "annotations": [label]}
    return _figure([ranges], t("chart_industry_benchmark", lang), lang, t("axis_annual_retention", lang),
                   xaxis={"tickformat": ".0%", "range": [0.4, 1.0]}, showlegend=False, hovermode="closest",
                   height=300, **yours)


# --- revenue retention (NRR, GRR, revenue bridge) --------------------------------------------------------------


def revenue_bridge_chart(bridge: RevenueRetention, period: str, lang: str, currency: str) -> go.Figure:
    """The revenue bridge of one period as a waterfall: starting revenue, + new, + reactivated, + expansion,
    − contraction, − churned, = ending revenue; the hover names how many customers each step counts."""
    previous, current = (period_labels([start], period, lang)[0]
                         for start in (bridge.previous_start or bridge.period_start, bridge.period_start))
    steps = [
        (t("revenue_bridge_starting", lang, period=previous), bridge.starting_revenue, "absolute",
         bridge.starting_customers),
        (t("revenue_bridge_new", lang), bridge.new_revenue, "relative", bridge.new_customers),
        (t("revenue_bridge_reactivated", lang), bridge.reactivated_revenue, "relative", bridge.reactivated_customers),
        (t("revenue_bridge_expansion", lang), bridge.expansion_revenue, "relative", bridge.expanding_customers),
        (t("revenue_bridge_contraction", lang), -bridge.contraction_revenue, "relative",
         bridge.contracting_customers),
        (t("revenue_bridge_churned", lang), -bridge.churned_revenue, "relative", bridge.churned_customers),
        (t("revenue_bridge_ending", lang, period=current), bridge.ending_revenue, "total", bridge.ending_customers),
    ]
    customers = t("revenue_bridge_customers", lang)
    waterfall = dict(
        type="waterfall", x=[name for name, *_ in steps], y=[value for _, value, _, _ in steps],
        measure=[measure for _, _, measure, _ in steps],
        text=[format_money(value, lang, currency, 0) for _, value, _, _ in steps], textposition="outside",
        customdata=[count for *_, count in steps],
        hovertemplate="%{x}: %{text}<br>%{customdata:,} " + customers + "<extra></extra>",
        increasing={"marker": {"color": PALETTE["good"]}}, decreasing={"marker": {"color": PALETTE["bad"]}},
        totals={"marker": {"color": PALETTE["primary"]}}, connector={"line": {"color": PALETTE["neutral"]}},
    )
    return _figure([waterfall], t("chart_revenue_bridge", lang, previous=previous, period=current), lang, "",
                   t("axis_money", lang, currency=currency), yaxis=_money_axis(lang, currency), showlegend=False,
                   hovermode="closest", margin={"t": 50, "b": 10}, height=440)


def revenue_retention_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NRR and GRR by period with the 100 % line (existing customers keep their revenue) and, on the yearly grid
    only, the typical annual GRR of subscription businesses with its source; both reference lines are legend
    entries, so no label covers a point. Points of partly observed periods are drawn hollow."""
    x = period_labels(trend["period_start"], period, lang)
    symbols = ["circle" if complete else "circle-open" for complete in trend["complete"]]
    lines = [
        dict(type="scatter", x=x, y=trend[column], name=t(f"kpi_{name}", lang), mode="lines+markers",
             line={"color": PALETTE[colour], "width": 3}, marker={"symbol": symbols, "size": 9},
             hovertemplate="%{y:.1%}")
        for column, name, colour in (("nrr", "net_revenue_retention", "primary"),
                                     ("grr", "gross_revenue_retention", "secondary"))
    ]
    references = [(benchmarks.NRR_HOLDS_REVENUE, t("band_nrr_holds", lang), "dash", PALETTE["neutral"])]
    if period == "year":
        references.append((benchmarks.SUBSCRIPTION_GRR, t("band_subscription_grr", lang, value=format_percent(
            benchmarks.SUBSCRIPTION_GRR, lang, 0)), "dot", PALETTE["good"]))
    lines += [dict(type="scatter", x=[x[0], x[-1]] if x else [], y=[level, level], name=name, mode="lines",
                   line={"color": colour, "width": 2, "dash": dash}, hoverinfo="skip")
              for level, name, dash, colour in references]
    values = pd.concat([trend["nrr"], trend["grr"]]).dropna()
    top = max(1.15, float(values.max()) * 1.08) if len(values) else 1.15
    return _figure(lines, t("chart_revenue_retention", lang), lang, t("axis_period", lang),
                   t("axis_revenue_retention", lang), xaxis={"type": "category"},
                   yaxis={"tickformat": ".0%", "range": [0, top]}, legend={"y": -0.25, "yanchor": "top"},
                   margin={"t": 50, "b": 10}, height=440)


def cohort_nrr_heatmap(matrix: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NRR of each first-order cohort from period to period: cohorts × periods since the first purchase, red
    below 100 % (the cohort's buyers spend less than before), green above."""
    labels = period_labels(matrix.index, period, lang)
    text = [[format_percent(value, lang, 0) if pd.notna(value) else "" for value in row]
            for row in matrix.to_numpy()]
    heatmap = dict(
        type="heatmap", z=matrix.to_numpy(dtype=float), x=[str(column) for column in matrix.columns], y=labels,
        text=text, texttemplate="%{text}", zmin=0, zmax=2,
        colorscale=[[0.0, PALETTE["bad"]], [0.5, "#f7f7f7"], [1.0, PALETTE["good"]]],
        colorbar={"tickformat": ".0%"}, hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    )
    return _figure([heatmap], t("chart_cohort_nrr", lang), lang,
                   t("axis_periods_since", lang, period=t(f"period_plural_{period}", lang)), t("axis_cohort", lang),
                   yaxis={"autorange": "reversed", "type": "category"}, height=max(380, 26 * len(labels) + 120),
                   hovermode="closest")


# --- predictive models (BG/NBD + Gamma-Gamma, sBG) ------------------------------------------------------------


def _binned_bars(histogram: pd.DataFrame, colour: str, lang: str) -> dict:
    """Bars of a precomputed histogram (``bin_start, bin_end, customers``): a figure of 40 numbers, not one per
    customer, whatever the number of customers."""
    return dict(type="bar", x=(histogram["bin_start"] + histogram["bin_end"]) / 2, y=histogram["customers"],
                width=0.95 * (histogram["bin_end"] - histogram["bin_start"]), marker={"color": colour},
                name=t("axis_customers", lang))


def predictive_clv_histogram(result: PredictiveClvSummary, lang: str, currency: str) -> go.Figure:
    """How predicted CLV is spread over the customers, with the mean and the median marked."""
    bars = _binned_bars(result.clv_histogram, PALETTE["primary"], lang)
    marks = [_vline(value, colour, "dash", text=f"{t(key, lang)}: {format_money(value, lang, currency, 0)}",
                    position=position)
             for value, key, colour, position in ((result.mean_clv, "label_mean", PALETTE["secondary"], "top right"),
                                                  (result.median_clv, "label_median", PALETTE["good"], "top left"))]
    return _figure([bars], t("chart_predictive_clv", lang, months=round(result.horizon_months)), lang,
                   t("axis_predicted_clv", lang, currency=currency), t("axis_customers", lang),
                   xaxis=_money_axis(lang, currency), shapes=[line for line, _ in marks],
                   annotations=[label for _, label in marks], showlegend=False, hovermode="closest", bargap=0.05)


def probability_alive_histogram(result: PredictiveClvSummary, lang: str) -> go.Figure:
    """How many customers the BG/NBD thinks are still active, in 5-point bins of P(alive)."""
    bars = _binned_bars(result.alive_histogram, PALETTE["good"], lang)
    mean = result.mean_probability_alive
    line, label = _vline(mean, PALETTE["secondary"], "dash", position="top left",
                         text=f"{t('label_mean', lang)}: {format_percent(mean, lang, 0)}")
    return _figure([bars], t("chart_probability_alive", lang), lang, t("axis_probability_alive", lang),
                   t("axis_customers", lang),
                   xaxis={"tickformat": ".0%", "range": [0, 1.02]}, shapes=[line], annotations=[label],
                   showlegend=False, hovermode="closest", bargap=0.05)


def calibration_holdout_chart(holdout: pd.DataFrame, holdout_weeks: int, lang: str) -> go.Figure:
    """Actual against BG/NBD-predicted repeat purchases in the holdout weeks, by purchases in calibration.

    One point per group of customers with 0, 1, ..., 6, 7+ repeat purchases in the calibration part (Fader, Hardie
    & Lee 2005, Fig. 4); the hover shows how many customers each point averages.
    """
    hover = "%{x}: %{y:.2f} (n = %{customdata})<extra>%{fullData.name}</extra>"
    lines = [
        dict(type="scatter", x=holdout["label"], y=holdout["actual"], name=t("label_actual", lang),
             mode="lines+markers", line={"color": PALETTE["primary"], "width": 3}, customdata=holdout["customers"],
             hovertemplate=hover),
        dict(type="scatter", x=holdout["label"], y=holdout["predicted"], name=t("label_predicted_bg_nbd", lang),
             mode="lines+markers", line={"color": PALETTE["secondary"], "width": 3, "dash": "dash"},
             customdata=holdout["customers"], hovertemplate=hover),
    ]
    return _figure(lines, t("chart_calibration_holdout", lang, weeks=holdout_weeks), lang,
                   t("axis_calibration_purchases", lang), t("axis_holdout_purchases", lang, weeks=holdout_weeks),
                   xaxis={"type": "category"}, yaxis={"rangemode": "tozero"}, hovermode="closest")


def cohort_projection_chart(curves: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Each cohort's observed retention (solid) and its sBG projection (dashed); the pooled curve in bold.

    ``curves`` is :func:`retention_core.predictive.project_cohorts`: pooled rows have no ``cohort_start``, and each
    curve's observed rows come before its projected ones. A projection starts at its cohort's last observed point
    so the two lines join. The curves are cut into traces as NumPy arrays: per-cohort pandas selections and Plotly's
    checks of pandas columns took most of the 110 ms that the chart took for 22 cohorts.
    """
    since, retention = curves["periods_since"].to_numpy(), curves["retention"].to_numpy()
    projected = (curves["kind"] == "projected").to_numpy()
    lines = []
    for cohort_start, rows in sorted(curves.groupby("cohort_start").indices.items()):  # NaT (pooled) left out
        name = period_labels([cohort_start], period, lang)[0]
        lines += _projection(since[rows], retention[rows], projected[rows], (name, name),
                             {"color": PALETTE["primary"], "width": 1}, 0.35, False)
    pooled = curves["cohort_start"].isna().to_numpy()
    average = t("label_average", lang)
    names = (f"{average} · {t('label_observed', lang)}", f"{average} · {t('label_projected_sbg', lang)}")
    lines += _projection(since[pooled], retention[pooled], projected[pooled], names,
                         {"color": PALETTE["secondary"], "width": 4}, 1.0, True)
    return _figure(lines, t("chart_cohort_projection", lang), lang,
                   t("axis_periods_since", lang, period=t(f"period_plural_{period}", lang)),
                   t("axis_share_active", lang), yaxis={"tickformat": ".0%", "range": [0, 1.02]}, hovermode="closest")


def _projection(since: np.ndarray, retention: np.ndarray, projected: np.ndarray, names: tuple[str, str], line: dict,
                opacity: float, legend: bool) -> list[dict]:
    """One curve as traces: observed points solid, projected points dashed from the last observed point on."""
    observed = ~projected
    lines = [dict(type="scatter", x=since[observed], y=retention[observed], mode="lines", line=line,
                  opacity=opacity, name=names[0], showlegend=legend)]
    if projected.any():
        last = np.flatnonzero(observed)[-1:]
        ahead = np.concatenate([last, np.flatnonzero(projected)])
        lines.append(dict(type="scatter", x=since[ahead], y=retention[ahead], mode="lines",
                          line={**line, "dash": "dash"}, opacity=opacity, name=names[1], showlegend=legend))
    return lines


# --- scenario comparison ------------------------------------------------------------------------------------------


def _plain(name: str) -> str:
    """A user's scenario name as Plotly text: ``<`` and ``&`` escaped, so Plotly's HTML-like tags stay text."""
    return html.escape(str(name), quote=False)


def _scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def uplift_curves_chart(curves: Mapping[str, pd.DataFrame], lang: str, currency: str) -> go.Figure:
    """The profit-increase curves of several scenarios in one figure (name -> :func:`scenarios.uplift_curve`),
    with Reichheld's 25–95 % at 5 pp marked; in money per new customer, without the band, when a curve has no
    percentage (see :func:`uplift_curve_chart`)."""
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    percent = _in_percent(list(curves.values()))
    column = "relative_change" if percent else "value_change"
    lines = [
        dict(type="scatter", x=curve["uplift_points"] * 100, y=curve[column], mode="lines",
             name=_plain(name),
             line={"color": _scenario_colour(index), "width": 3, "dash": "solid" if index == 0 else "dash"})
        for index, (name, curve) in enumerate(curves.items())
    ]
    layout = {"legend": {"y": -0.3, "yanchor": "top"}, "margin": {"t": 50, "b": 10}, "height": 440}
    if not percent:
        return _figure(lines, t("chart_uplift_curve_money", lang), lang, t("axis_uplift_points", lang),
                       t("axis_money_per_customer", lang, currency=currency), xaxis={"ticksuffix": " pp"},
                       yaxis={"rangemode": "tozero", **_money_axis(lang, currency)}, **layout)
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    lines.append(dict(type="scatter", x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers",
                      name=t("band_reichheld", lang), line={"color": PALETTE["neutral"], "width": 8}, opacity=0.5))
    return _figure(lines, t("chart_uplift_curve", lang), lang, t("axis_uplift_points", lang),
                   t("axis_profit_increase", lang), xaxis={"ticksuffix": " pp"},
                   yaxis={"tickformat": ".0%", "rangemode": "tozero"}, **layout)


def _negative(value: float | None) -> float | None:
    return None if value is None else -value


def clv_steps_chart(results: Mapping[str, ClvResult], lang: str, currency: str) -> go.Figure:
    """The CLV gap steps of several scenarios as grouped bars: CLV, − lifetime retention cost, CLV gap, − CAC, net
    value (an unknown step of a scenario has no bar and no label)."""
    steps = [t("clv_margin_multiple", lang), t("label_minus_retention_cost", lang), t("kpi_clv_gap", lang),
             t("label_minus_cac", lang), t("label_net_value", lang)]
    bars = []
    for index, (name, result) in enumerate(results.items()):
        values = [result.margin_multiple_clv, _negative(result.lifetime_retention_cost), result.clv_gap,
                  _negative(result.acquisition_cost), result.net_value]
        bars.append(dict(type="bar", x=steps, y=values, name=_plain(name), marker={"color": _scenario_colour(index)},
                         text=["" if value is None else format_money(value, lang, currency, 0) for value in values],
                         textposition="outside"))
    return _figure(bars, t("chart_clv_waterfall", lang), lang, "",
                   t("axis_money_per_customer", lang, currency=currency), yaxis=_money_axis(lang, currency),
                   barmode="group", hovermode="closest")


def cost_per_customer_compare_chart(costs: Mapping[str, CostScenario], lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer of several scenarios, stacked by category (team, tools, engagement)."""
    names = [_plain(name) for name in costs]
    bars = [
        dict(type="bar", x=names, y=[metrics.retention_cost_per_customer(cost.amounts[category], cost.active_customers)
                                     for cost in costs.values()],
             name=t(f"category_short_{category}", lang), marker={"color": PALETTE[category]})
        for category in COST_CATEGORIES
    ]
    totals = dict(
        type="scatter", x=names, y=[cost.per_customer for cost in costs.values()], mode="text", showlegend=False,
        text=[format_money(cost.per_customer, lang, currency) for cost in costs.values()], textposition="top center",
    )
    return _figure([*bars, totals], t("chart_cost_compare", lang), lang, "",
                   t("axis_money_per_customer", lang, currency=currency),
                   yaxis={"rangemode": "tozero", **_money_axis(lang, currency)}, barmode="stack", hovermode="closest")
