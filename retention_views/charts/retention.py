"""Retention and loyalty over time: the Overview's retention trend and industry benchmark, the Loyalty page's NPS."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks
from retention_views import text_keys
from retention_views.charts.common import PALETTE, figure, period_labels, vline
from retention_views.formats import format_percent
from retention_views.texts import translator


def retention_trend_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention and churn rate by period as two lines on a percent axis."""
    tr = translator(lang)
    x = period_labels(trend["period_start"], period, lang)
    lines = [
        dict(type="scatter", x=x, y=trend["retention_rate"], name=tr("kpi_retention_rate"),
             mode="lines+markers", line={"color": PALETTE["good"], "width": 3}),
        dict(type="scatter", x=x, y=trend["churn_rate"], name=tr("kpi_churn_rate"), mode="lines+markers",
             line={"color": PALETTE["bad"], "width": 3}),
    ]
    return figure(lines, tr("chart_retention_trend"), lang, tr("axis_period"), tr("axis_percent"),
                  yaxis={"tickformat": ".0%", "rangemode": "tozero"})


def nps_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NPS by period (points −100…+100) with the number of answers in the hover."""
    tr = translator(lang)
    bars = dict(type="bar", x=period_labels(trend["period_start"], period, lang), y=trend["nps"],
                marker={"color": [PALETTE["good"] if value >= 0 else PALETTE["bad"] for value in trend["nps"]]},
                customdata=trend["responses"], hovertemplate="%{x}: %{y:.0f} (n = %{customdata})<extra></extra>")
    return figure([bars], tr("chart_nps"), lang, tr("axis_period"), tr("axis_nps_points"),
                  yaxis={"range": [-100, 100]}, showlegend=False, hovermode="closest")


def industry_benchmark_chart(annual_retention: float | None, lang: str) -> go.Figure:
    """Typical annual retention by industry as ranges, with the user's measured annual retention as a line."""
    tr = translator(lang)
    industries = benchmarks.INDUSTRY_RETENTION
    names = [tr(text_keys.INDUSTRY[industry.key]) for industry in industries]
    ranges = dict(
        type="bar", y=names, x=[max(industry.high - industry.low, 0.01) for industry in industries],
        base=[industry.low for industry in industries], orientation="h", marker={"color": PALETTE["neutral"]},
        customdata=[industry.source for industry in industries],
        hovertemplate="%{y}: %{base:.0%}–%{x:.0%}<br>%{customdata}<extra></extra>", name=tr("label_industry"),
    )
    yours = {}
    if annual_retention is not None:
        line, label = vline(annual_retention, PALETTE["secondary"], width=3, position="top",
                            text=f"{tr('label_your_business')}: {format_percent(annual_retention, lang)}")
        yours = {"shapes": [line], "annotations": [label]}
    return figure([ranges], tr("chart_industry_benchmark"), lang, tr("axis_annual_retention"),
                  xaxis={"tickformat": ".0%", "range": [0.4, 1.0]}, showlegend=False, hovermode="closest",
                  height=300, **yours)
