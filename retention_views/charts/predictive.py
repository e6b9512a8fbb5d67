"""The predictive models' charts on the CLV page (BG/NBD + Gamma-Gamma): predicted CLV and P(alive) over the
customers, and the calibration/holdout check."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from retention_core.models import PredictiveClvSummary
from retention_views.charts.common import PALETTE, figure, money_axis, vline
from retention_views.formats import format_interval_range, format_money, format_percent
from retention_views.texts import t, translator


def _binned_bars(histogram: pd.DataFrame, colour: str, lang: str) -> dict:
    """Bars of a precomputed histogram (``bin_start, bin_end, customers``): a figure of 40 numbers, not one per
    customer, whatever the number of customers."""
    return dict(type="bar", x=(histogram["bin_start"] + histogram["bin_end"]) / 2, y=histogram["customers"],
                width=0.95 * (histogram["bin_end"] - histogram["bin_start"]), marker={"color": colour},
                name=t("axis_customers", lang))


def predictive_clv_histogram(result: PredictiveClvSummary, lang: str, currency: str) -> go.Figure:
    """How predicted CLV is spread over the customers, with the mean and the median marked.

    When the histogram ends in an open-ended bin (a few customers worth a lot, above the 99th percentile), that bin
    stands as a grey bar one bin-width right of the others, labelled "≥ 1.234 €"; a mean or median beyond the
    shown range is marked on it. A log axis would show every customer too, but an owner reads its bins of unequal
    width as unequal numbers of customers; equal bins and one labelled "the rest" read at a glance."""
    tr = translator(lang)
    histogram = result.clv_histogram
    open_ended = bool(histogram["open_ended"].iloc[-1]) if len(histogram) else False
    shown = histogram[~histogram["open_ended"]]
    traces = [_binned_bars(shown, PALETTE["primary"], lang)]
    annotations, end = [], None
    if open_ended:
        last = histogram.iloc[-1]
        width = float(shown["bin_end"].iloc[-1] - shown["bin_start"].iloc[-1])
        centre, end = float(last["bin_start"]) + 1.5 * width, float(last["bin_start"]) + 2 * width
        start_text = format_money(last["bin_start"], lang, currency, 0)
        traces.append(dict(type="bar", x=[centre], y=[int(last["customers"])], width=0.95 * width,
                           marker={"color": PALETTE["neutral"]},
                           hovertemplate=tr("clv_overflow_hover", customers=int(last["customers"]), value=start_text,
                                            largest=format_money(last["bin_end"], lang, currency, 0))
                           + "<extra></extra>"))
        # the label ends at the bar's right edge, over the gap left of it: past the edge a phone would cut it
        annotations.append({"x": end, "xref": "x", "y": int(last["customers"]), "yref": "y", "showarrow": False,
                            "text": tr("clv_overflow_bin", value=start_text), "xanchor": "right",
                            "yanchor": "bottom", "font": {"color": PALETTE["neutral"]}})
    marks = [vline(value if end is None else min(value, end), colour, "dash",
                   text=f"{tr(key)}: {format_money(value, lang, currency, 0)}", position=position)
             for value, key, colour, position in ((result.mean_clv, "label_mean", PALETTE["secondary"], "top right"),
                                                  (result.median_clv, "label_median", PALETTE["good"], "top left"))]
    annotations += [label for _, label in marks]
    return figure(traces, tr("chart_predictive_clv", months=round(result.horizon_months)), lang,
                  tr("axis_predicted_clv", currency=currency), tr("axis_customers"),
                  xaxis=money_axis(lang, currency), shapes=[line for line, _ in marks],
                  annotations=annotations, showlegend=False, hovermode="closest", bargap=0.05)


def predictive_clv_histogram_note(result: PredictiveClvSummary, lang: str, currency: str) -> str | None:
    """The sentence under the histogram that names its open-ended last bin: how many customers it holds, from
    which value, and the largest; None when the histogram has none."""
    histogram = result.clv_histogram
    if not len(histogram) or not histogram["open_ended"].iloc[-1]:
        return None
    last = histogram.iloc[-1]
    return t("clv_overflow_note", lang, customers=int(last["customers"]),
             value=format_money(last["bin_start"], lang, currency, 0),
             largest=format_money(last["bin_end"], lang, currency, 0))


def probability_alive_histogram(result: PredictiveClvSummary, lang: str) -> go.Figure:
    """How many customers the BG/NBD thinks are still active, in 5-point bins of P(alive); the mean is marked with
    its 80 % interval from the parameters' uncertainty, when there is one."""
    tr = translator(lang)
    bars = _binned_bars(result.alive_histogram, PALETTE["good"], lang)
    mean, sure = result.mean_probability_alive, result.mean_probability_alive_interval
    shown = format_percent(mean, lang, 0)
    if sure is not None:
        bounds = format_interval_range("fraction", sure.low, sure.high, lang, "")
        shown = tr("interval_value", value=shown, range=bounds)
    line, label = vline(mean, PALETTE["secondary"], "dash", position="top left", text=f"{tr('label_mean')}: {shown}")
    return figure([bars], tr("chart_probability_alive"), lang, tr("axis_probability_alive"),
                  tr("axis_customers"),
                  xaxis={"tickformat": ".0%", "range": [0, 1.02]}, shapes=[line], annotations=[label],
                  showlegend=False, hovermode="closest", bargap=0.05)


def calibration_holdout_chart(holdout: pd.DataFrame, holdout_weeks: int, lang: str) -> go.Figure:
    """Actual against BG/NBD-predicted repeat purchases in the holdout weeks, by purchases in calibration.

    One point per group of customers with 0, 1, ..., 6, 7+ repeat purchases in the calibration part (Fader, Hardie
    & Lee 2005, Fig. 4); the hover shows how many customers each point averages.
    """
    tr = translator(lang)
    hover = "%{x}: %{y:.2f} (n = %{customdata})<extra>%{fullData.name}</extra>"
    lines = [
        dict(type="scatter", x=holdout["label"], y=holdout["actual"], name=tr("label_actual"),
             mode="lines+markers", line={"color": PALETTE["primary"], "width": 3}, customdata=holdout["customers"],
             hovertemplate=hover),
        dict(type="scatter", x=holdout["label"], y=holdout["predicted"], name=tr("label_predicted_bg_nbd"),
             mode="lines+markers", line={"color": PALETTE["secondary"], "width": 3, "dash": "dash"},
             customdata=holdout["customers"], hovertemplate=hover),
    ]
    return figure(lines, tr("chart_calibration_holdout", weeks=holdout_weeks), lang,
                  tr("axis_calibration_purchases"), tr("axis_holdout_purchases", weeks=holdout_weeks),
                  xaxis={"type": "category"}, yaxis={"rangemode": "tozero"}, hovermode="closest")
