"""The Cohorts page's charts: the retention heatmap, the cohort curves, revenue by cohort and the sBG projection."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from retention_views import text_keys
from retention_views.charts.common import PALETTE, figure, money_axis, period_labels
from retention_views.formats import format_percent
from retention_views.texts import translator


def cohort_heatmap(matrix: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Cohort retention: cohorts by first-purchase period × periods since first purchase, shaded by share."""
    tr = translator(lang)
    labels = period_labels(matrix.index, period, lang)
    text = [[format_percent(value, lang, 0) if pd.notna(value) else "" for value in row]
            for row in matrix.to_numpy()]
    heatmap = dict(
        type="heatmap", z=matrix.to_numpy(dtype=float), x=[str(column) for column in matrix.columns], y=labels,
        text=text, texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1, colorbar={"tickformat": ".0%"},
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    )
    return figure([heatmap], tr("chart_cohort_heatmap"), lang,
                  tr("axis_periods_since", period=tr(text_keys.PERIOD_PLURAL[period])), tr("axis_cohort"),
                  yaxis={"autorange": "reversed", "type": "category"}, height=max(380, 26 * len(labels) + 120),
                  hovermode="closest")


def cohort_curves_chart(cohorts: pd.DataFrame, average: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention curve of each cohort, with the pooled average in bold."""
    tr = translator(lang)
    lines = [dict(type="scatter", x=rows["periods_since"], y=rows["retention"], mode="lines",
                  name=period_labels([cohort_start], period, lang)[0], line={"width": 1}, opacity=0.45,
                  showlegend=False)
             for cohort_start, rows in cohorts.groupby("cohort_start")]
    lines.append(dict(type="scatter", x=average["periods_since"], y=average["retention"], mode="lines+markers",
                      name=tr("label_average"), line={"color": PALETTE["secondary"], "width": 4}))
    return figure(lines, tr("chart_cohort_curves"), lang,
                  tr("axis_periods_since", period=tr(text_keys.PERIOD_PLURAL[period])),
                  tr("axis_share_active"), yaxis={"tickformat": ".0%", "range": [0, 1.02]})


def cohort_revenue_chart(revenue: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Total revenue of each cohort, stacked by periods since first purchase."""
    tr = translator(lang)
    labels = period_labels(revenue.index, period, lang)
    bars = [dict(type="bar", x=labels, y=revenue[column].fillna(0.0), name=str(column), showlegend=False,
                 marker={"color": PALETTE["primary"]}, opacity=max(0.25, 1.0 - 0.08 * int(column)))
            for column in revenue.columns]
    return figure(bars, tr("chart_cohort_revenue"), lang, tr("axis_cohort"),
                  tr("axis_money", currency=currency), yaxis=money_axis(lang, currency), barmode="stack",
                  hovermode="closest")


def cohort_projection_chart(curves: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Each cohort's observed retention (solid) and its sBG projection (dashed); the pooled curve in bold.

    ``curves`` is :func:`retention_core.models.project_cohorts`: pooled rows have no ``cohort_start``, and each
    curve's observed rows come before its projected ones. A projection starts at its cohort's last observed point
    so the two lines join. The curves are cut into traces as NumPy arrays: per-cohort pandas selections and Plotly's
    checks of pandas columns would take most of the chart's time.
    """
    tr = translator(lang)
    since, retention = curves["periods_since"].to_numpy(), curves["retention"].to_numpy()
    projected = (curves["kind"] == "projected").to_numpy()
    lines = []
    for cohort_start, rows in sorted(curves.groupby("cohort_start").indices.items()):  # NaT (pooled) left out
        name = period_labels([cohort_start], period, lang)[0]
        lines += _projection(since[rows], retention[rows], projected[rows], (name, name),
                             {"color": PALETTE["primary"], "width": 1}, 0.35, False)
    pooled = curves["cohort_start"].isna().to_numpy()
    average = tr("label_average")
    names = (f"{average} · {tr('label_observed')}", f"{average} · {tr('label_projected_sbg')}")
    lines += _projection(since[pooled], retention[pooled], projected[pooled], names,
                         {"color": PALETTE["secondary"], "width": 4}, 1.0, True)
    return figure(lines, tr("chart_cohort_projection"), lang,
                  tr("axis_periods_since", period=tr(text_keys.PERIOD_PLURAL[period])),
                  tr("axis_share_active"), yaxis={"tickformat": ".0%", "range": [0, 1.02]}, hovermode="closest")


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
