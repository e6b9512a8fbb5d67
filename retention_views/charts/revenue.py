"""Revenue retention charts: the revenue bridge of a period, NRR and GRR over time, NRR by cohort."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks
from retention_core.revenue import RevenueRetention
from retention_views import text_keys
from retention_views.charts.common import PALETTE, figure, money_axis, period_labels
from retention_views.formats import format_money, format_percent
from retention_views.texts import translator


def revenue_bridge_chart(bridge: RevenueRetention, period: str, lang: str, currency: str) -> go.Figure:
    """The revenue bridge of one period as a waterfall: starting revenue, + new, + reactivated, + expansion,
    − contraction, − churned, = ending revenue; the hover names how many customers each step counts."""
    tr = translator(lang)
    previous, current = (period_labels([start], period, lang)[0]
                         for start in (bridge.previous_start or bridge.period_start, bridge.period_start))
    steps = [
        (tr("revenue_bridge_starting", period=previous), bridge.starting_revenue, "absolute",
         bridge.starting_customers),
        (tr("revenue_bridge_new"), bridge.new_revenue, "relative", bridge.new_customers),
        (tr("revenue_bridge_reactivated"), bridge.reactivated_revenue, "relative", bridge.reactivated_customers),
        (tr("revenue_bridge_expansion"), bridge.expansion_revenue, "relative", bridge.expanding_customers),
        (tr("revenue_bridge_contraction"), -bridge.contraction_revenue, "relative",
         bridge.contracting_customers),
        (tr("revenue_bridge_churned"), -bridge.churned_revenue, "relative", bridge.churned_customers),
        (tr("revenue_bridge_ending", period=current), bridge.ending_revenue, "total", bridge.ending_customers),
    ]
    customers = tr("revenue_bridge_customers")
    waterfall = dict(
        type="waterfall", x=[name for name, *_ in steps], y=[value for _, value, _, _ in steps],
        measure=[measure for _, _, measure, _ in steps],
        text=[format_money(value, lang, currency, 0) for _, value, _, _ in steps], textposition="outside",
        customdata=[count for *_, count in steps],
        hovertemplate="%{x}: %{text}<br>%{customdata:,} " + customers + "<extra></extra>",
        increasing={"marker": {"color": PALETTE["good"]}}, decreasing={"marker": {"color": PALETTE["bad"]}},
        totals={"marker": {"color": PALETTE["primary"]}}, connector={"line": {"color": PALETTE["neutral"]}},
    )
    return figure([waterfall], tr("chart_revenue_bridge", previous=previous, period=current), lang, "",
                  tr("axis_money", currency=currency), yaxis=money_axis(lang, currency), showlegend=False,
                  hovermode="closest", margin={"t": 50, "b": 10}, height=440)


def revenue_retention_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NRR and GRR by period with the 100 % line (existing customers keep their revenue) and, on the yearly grid
    only, the typical annual GRR of subscription businesses with its source; both reference lines are legend
    entries, so no label covers a point. Points of partly observed periods are drawn hollow."""
    tr = translator(lang)
    x = period_labels(trend["period_start"], period, lang)
    symbols = ["circle" if complete else "circle-open" for complete in trend["complete"]]
    lines = [
        dict(type="scatter", x=x, y=trend[column], name=tr(key), mode="lines+markers",
             line={"color": PALETTE[colour], "width": 3}, marker={"symbol": symbols, "size": 9},
             hovertemplate="%{y:.1%}")
        for column, key, colour in (("nrr", "kpi_net_revenue_retention", "primary"),
                                    ("grr", "kpi_gross_revenue_retention", "secondary"))
    ]
    references = [(benchmarks.NRR_HOLDS_REVENUE, tr("band_nrr_holds"), "dash", PALETTE["neutral"])]
    if period == "year":
        references.append((benchmarks.SUBSCRIPTION_GRR, tr("band_subscription_grr", value=format_percent(
            benchmarks.SUBSCRIPTION_GRR, lang, 0)), "dot", PALETTE["good"]))
    lines += [dict(type="scatter", x=[x[0], x[-1]] if x else [], y=[level, level], name=name, mode="lines",
                   line={"color": colour, "width": 2, "dash": dash}, hoverinfo="skip")
              for level, name, dash, colour in references]
    values = pd.concat([trend["nrr"], trend["grr"]]).dropna()
    top = max(1.15, float(values.max()) * 1.08) if len(values) else 1.15
    return figure(lines, tr("chart_revenue_retention"), lang, tr("axis_period"),
                  tr("axis_revenue_retention"), xaxis={"type": "category"},
                  yaxis={"tickformat": ".0%", "range": [0, top]}, legend={"y": -0.25, "yanchor": "top"},
                  margin={"t": 50, "b": 10}, height=440)


def cohort_nrr_heatmap(matrix: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NRR of each first-order cohort from period to period: cohorts × periods since the first purchase, red
    below 100 % (the cohort's buyers spend less than before), green above."""
    tr = translator(lang)
    labels = period_labels(matrix.index, period, lang)
    text = [[format_percent(value, lang, 0) if pd.notna(value) else "" for value in row]
            for row in matrix.to_numpy()]
    heatmap = dict(
        type="heatmap", z=matrix.to_numpy(dtype=float), x=[str(column) for column in matrix.columns], y=labels,
        text=text, texttemplate="%{text}", zmin=0, zmax=2,
        colorscale=[[0.0, PALETTE["bad"]], [0.5, "#f7f7f7"], [1.0, PALETTE["good"]]],
        colorbar={"tickformat": ".0%"}, hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    )
    return figure([heatmap], tr("chart_cohort_nrr"), lang,
                  tr("axis_periods_since", period=tr(text_keys.PERIOD_PLURAL[period])), tr("axis_cohort"),
                  yaxis={"autorange": "reversed", "type": "category"}, height=max(380, 26 * len(labels) + 120),
                  hovermode="closest")
