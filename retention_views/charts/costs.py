"""The Retention cost page's charts: spend by category, cost per active customer over time, cost against CAC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks
from retention_views import text_keys
from retention_views.charts.common import PALETTE, figure, money_axis, period_labels
from retention_views.formats import format_money
from retention_views.page_results.costs import COST_CATEGORIES
from retention_views.texts import translator


def cost_stack_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention spend per period stacked by category (team, tools, engagement)."""
    tr = translator(lang)
    x = period_labels(costs["period_start"], period, lang)
    bars = [dict(type="bar", x=x, y=costs[category], name=tr(text_keys.CATEGORY_SHORT[category]),
                 marker={"color": PALETTE[category]})
            for category in COST_CATEGORIES]
    return figure(bars, tr("chart_cost_stack"), lang, tr("axis_period"),
                  tr("axis_money", currency=currency), yaxis=money_axis(lang, currency), barmode="stack")


def cost_per_customer_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer over time; periods marked ``warm_up`` (the customer base still being
    built from the data's first orders, :func:`~retention_views.page_results.costs.cost_items_wide`) are left out
    of the line and shown as grey open markers named as such, so their inflated cost does not read as a real drop."""
    tr = translator(lang)
    labels = period_labels(costs["period_start"], period, lang)
    warm_up = costs["warm_up"].to_numpy(dtype=bool) if "warm_up" in costs else np.zeros(len(costs), dtype=bool)
    values = costs["cost_per_active_customer"].to_numpy(dtype="float64")
    line = dict(type="scatter", x=labels, y=np.where(warm_up, np.nan, values), mode="lines+markers",
                name=tr("kpi_retention_cost_per_customer"), line={"color": PALETTE["primary"], "width": 3},
                showlegend=False)  # the title names it; the legend only explains the warm-up markers
    traces = [line]
    if warm_up.any():
        traces.append(dict(type="scatter", x=labels, y=np.where(warm_up, values, np.nan), mode="markers",
                           name=tr("label_warm_up"), marker={"color": PALETTE["neutral"], "symbol": "circle-open",
                                                              "size": 9}))
    return figure(traces, tr("chart_cost_per_customer"), lang, tr("axis_period"),
                  tr("axis_money_per_customer", currency=currency),
                  yaxis={"rangemode": "tozero", **money_axis(lang, currency)})


def cac_band_chart(per_customer: float, band: tuple[float, float], cac: float | None, lang: str,
                   currency: str, cac_label: str = "label_cac_short") -> go.Figure:
    """Retention cost per customer against CAC, with the "acquiring is 5–25× dearer" band shaded.

    An unknown CAC (None) gets no bar: the chart then shows the retention cost and the band alone. ``cac_label`` is
    the i18n key naming the CAC (the period's, or a typed one)."""
    tr = translator(lang)
    low, high = band
    names = [tr("label_retention_cost_short")] + ([tr(cac_label)] if cac is not None else [])
    values = [per_customer] + ([cac] if cac is not None else [])
    bars = dict(type="bar", x=values, y=names, orientation="h",
                marker={"color": [PALETTE["primary"], PALETTE["secondary"]][:len(values)]},
                text=[format_money(value, lang, currency) for value in values], textposition="outside")
    shaded = {"type": "rect", "xref": "x", "yref": "y domain", "x0": low, "x1": high, "y0": 0, "y1": 1,
              "fillcolor": PALETTE["band"], "line": {"width": 0}, "layer": "below"}  # what add_vrect sets
    label = {"x": low, "y": 1.0, "xref": "x", "yref": "paper", "yanchor": "bottom", "xanchor": "left",
             "showarrow": False, "text": tr("band_cac_multiple", low=int(benchmarks.CAC_MULTIPLE_BAND[0]),
                                            high=int(benchmarks.CAC_MULTIPLE_BAND[1]))}
    return figure([bars], tr("chart_cac_band"), lang, tr("axis_money_per_customer", currency=currency),
                  xaxis={"range": [0, max(high, *values) * 1.15], **money_axis(lang, currency)},
                  shapes=[shaded], annotations=[label], height=300, hovermode=False, showlegend=False)
