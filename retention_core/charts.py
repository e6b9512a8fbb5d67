"""Plotly figure builders: small frames or result dataclasses in, ``go.Figure`` out.

Every chart has a translated title and axis titles with units, locale separators (``1.234,5`` in German) and
the palette below, so the pages look alike. Percent axes receive fractions and format them as percent.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from retention_core import benchmarks, metrics
from retention_core.i18n import format_money, format_percent, format_period, t
from retention_core.predictive import PredictiveClvSummary
from retention_core.scenarios import COST_CATEGORIES, ClvResult, CostScenario

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
"""Grid and axis-line colour of Plotly's "plotly_white" look, set directly on each figure: giving every figure the
whole template instead re-validates it (about 13 ms a figure, most of a page rerun). Untemplated parts follow the
renderer's default (Streamlit's chart theme in the app, Plotly's in the exported report)."""


def _styled(figure: go.Figure, title: str, lang: str, x_title: str = "", y_title: str = "") -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=SEPARATORS[lang],
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        hovermode="x unified",
        height=380,
    )
    figure.update_xaxes(title_text=x_title, gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, automargin=True)
    figure.update_yaxes(title_text=y_title, gridcolor=GRID, linecolor=GRID, zerolinecolor=GRID, zerolinewidth=2,
                        automargin=True)
    return figure


_ANNOTATION_ANCHORS = {"top": ("center", "bottom"), "top right": ("left", "top"), "top left": ("right", "top")}


def _vline(figure: go.Figure, x: float, colour: str, dash: str | None = None, width: float = 2,
           text: str | None = None, position: str = "top right") -> None:
    """A vertical line over the whole plot height at ``x``, labelled at the top as Plotly's ``add_vline`` does.

    Set as one shape and one annotation: ``add_vline`` looks up every axis of the figure first, which costs more
    than the rest of a small chart (a CLV slider rerun builds several).
    """
    figure.add_shape(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                     line={"color": colour, "width": width, "dash": dash})
    if text is not None:
        xanchor, yanchor = _ANNOTATION_ANCHORS[position]
        figure.add_annotation(x=x, xref="x", y=1, yref="paper", text=text, showarrow=False, xanchor=xanchor,
                              yanchor=yanchor)


def period_labels(starts: pd.Series | list, period: str, lang: str) -> list[str]:
    """Readable period names: ``Q3 2024`` / ``Jul 2024`` / ``2024``."""
    return [format_period(pd.Timestamp(start), period, lang) for start in starts]


def retention_trend_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention and churn rate by period as two lines on a percent axis."""
    x = period_labels(trend["period_start"], period, lang)
    figure = go.Figure([
        go.Scatter(x=x, y=trend["retention_rate"], name=t("kpi_retention_rate", lang), mode="lines+markers",
                   line={"color": PALETTE["good"], "width": 3}),
        go.Scatter(x=x, y=trend["churn_rate"], name=t("kpi_churn_rate", lang), mode="lines+markers",
                   line={"color": PALETTE["bad"], "width": 3}),
    ])
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _styled(figure, t("chart_retention_trend", lang), lang, t("axis_period", lang), t("axis_percent", lang))


def cost_stack_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention spend per period stacked by category (team, tools, engagement)."""
    x = period_labels(costs["period_start"], period, lang)
    figure = go.Figure([
        go.Bar(x=x, y=costs[category], name=t(f"category_short_{category}", lang), marker_color=PALETTE[category])
        for category in COST_CATEGORIES
    ])
    figure.update_layout(barmode="stack")
    figure.update_yaxes(**_money_axis(lang, currency))
    return _styled(figure, t("chart_cost_stack", lang), lang, t("axis_period", lang),
                   t("axis_money", lang, currency=currency))


def cost_per_customer_chart(costs: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer over time."""
    x = period_labels(costs["period_start"], period, lang)
    figure = go.Figure(go.Scatter(
        x=x, y=costs["cost_per_active_customer"], mode="lines+markers", name=t("kpi_retention_cost_per_customer", lang),
        line={"color": PALETTE["primary"], "width": 3},
    ))
    figure.update_yaxes(rangemode="tozero", **_money_axis(lang, currency))
    return _styled(figure, t("chart_cost_per_customer", lang), lang, t("axis_period", lang),
                   t("axis_money_per_customer", lang, currency=currency))


def cac_band_chart(per_customer: float, band: tuple[float, float], cac: float | None, lang: str,
                   currency: str) -> go.Figure:
    """Retention cost per customer against CAC, with the "acquiring is 5–25× dearer" band shaded."""
    low, high = band
    names = [t("label_retention_cost_short", lang), t("label_cac_short", lang)]
    values = [per_customer, cac if cac is not None else 0.0]
    figure = go.Figure(go.Bar(
        x=values, y=names, orientation="h", marker_color=[PALETTE["primary"], PALETTE["secondary"]],
        text=[format_money(value, lang, currency) for value in values], textposition="outside",
    ))
    figure.add_vrect(x0=low, x1=high, fillcolor=PALETTE["band"], line_width=0, layer="below")
    figure.add_annotation(x=low, y=1.0, xref="x", yref="paper", yanchor="bottom", xanchor="left", showarrow=False,
                          text=t("band_cac_multiple", lang, low=int(benchmarks.CAC_MULTIPLE_BAND[0]),
                                 high=int(benchmarks.CAC_MULTIPLE_BAND[1])))
    figure.update_xaxes(range=[0, max(high, values[1]) * 1.15], **_money_axis(lang, currency))
    figure = _styled(figure, t("chart_cac_band", lang), lang, t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(height=300, hovermode=False, showlegend=False)
    return figure


def clv_comparison_chart(result: ClvResult, lang: str, currency: str) -> go.Figure:
    """The three CLV estimates side by side."""
    names = [t("clv_simple", lang), t("clv_margin_multiple", lang), t("clv_finite", lang)]
    values = [result.simple_clv, result.margin_multiple_clv, result.finite_horizon_clv]
    figure = go.Figure(go.Bar(
        x=names, y=values, marker_color=[PALETTE["neutral"], PALETTE["primary"], PALETTE["good"]],
        text=[format_money(value, lang, currency) for value in values], textposition="outside",
    ))
    figure.update_yaxes(**_money_axis(lang, currency))
    figure = _styled(figure, t("chart_clv_comparison", lang), lang, "",
                     t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(showlegend=False, hovermode=False)
    return figure


def clv_waterfall_chart(result: ClvResult, lang: str, currency: str) -> go.Figure:
    """CLV → minus lifetime retention cost → minus CAC → net value per customer."""
    steps = [
        ("CLV", result.margin_multiple_clv, "absolute"),
        (t("label_minus_retention_cost", lang), -result.lifetime_retention_cost, "relative"),
        (t("label_minus_cac", lang), -result.acquisition_cost, "relative"),
        (t("label_net_value", lang), result.net_value, "total"),
    ]
    figure = go.Figure(go.Waterfall(
        x=[name for name, _, _ in steps], y=[value for _, value, _ in steps],
        measure=[measure for _, _, measure in steps],
        text=[format_money(value, lang, currency) for _, value, _ in steps], textposition="outside",
        increasing={"marker": {"color": PALETTE["good"]}}, decreasing={"marker": {"color": PALETTE["bad"]}},
        totals={"marker": {"color": PALETTE["primary"]}}, connector={"line": {"color": PALETTE["neutral"]}},
    ))
    figure.update_yaxes(**_money_axis(lang, currency))
    figure = _styled(figure, t("chart_clv_waterfall", lang), lang, "",
                     t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(showlegend=False, hovermode=False)
    return figure


def clv_cac_chart(ratio: float | None, lang: str) -> go.Figure:
    """CLV : CAC as a bar against the 3 : 1 rule of thumb."""
    value = ratio or 0.0
    rule = benchmarks.CLV_TO_CAC_RULE
    colour = PALETTE["good"] if value >= rule else PALETTE["bad"]
    figure = go.Figure(go.Bar(x=[value], y=["CLV : CAC"], orientation="h", marker_color=colour,
                              text=[f"{value:.1f} : 1".replace(".", "," if lang == "de" else ".")],
                              textposition="outside"))
    _vline(figure, rule, PALETTE["neutral"], "dash", text=t("band_clv_cac_rule", lang), position="top")
    figure.update_xaxes(range=[0, max(rule, value) * 1.25])
    figure = _styled(figure, t("chart_clv_cac", lang), lang, t("axis_ratio", lang))
    figure.update_layout(height=220, showlegend=False, hovermode=False)
    return figure


def uplift_curve_chart(curve: pd.DataFrame, current_points: float, lang: str) -> go.Figure:
    """Relative profit increase against the retention uplift, with Reichheld's 25–95 % at 5 pp marked."""
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    figure = go.Figure(go.Scatter(
        x=curve["uplift_points"] * 100, y=curve["relative_change"], mode="lines",
        name=t("label_your_business", lang), line={"color": PALETTE["primary"], "width": 3},
    ))
    figure.add_trace(go.Scatter(
        x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers", name=t("band_reichheld", lang),
        line={"color": PALETTE["secondary"], "width": 8}, opacity=0.6,
    ))
    _vline(figure, current_points * 100, PALETTE["neutral"], "dot")
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(ticksuffix=" pp")
    return _styled(figure, t("chart_uplift_curve", lang), lang, t("axis_uplift_points", lang),
                   t("axis_profit_increase", lang))


def base_growth_chart(growth: pd.DataFrame, lang: str) -> go.Figure:
    """Customer base relative to today, with and without the uplift."""
    figure = go.Figure([
        go.Scatter(x=growth["year"], y=growth["without_uplift"], name=t("label_without_uplift", lang),
                   mode="lines+markers", line={"color": PALETTE["neutral"], "width": 3}),
        go.Scatter(x=growth["year"], y=growth["with_uplift"], name=t("label_with_uplift", lang),
                   mode="lines+markers", line={"color": PALETTE["good"], "width": 3}),
    ])
    figure.update_yaxes(tickformat=".0%")
    figure.update_xaxes(dtick=1)
    return _styled(figure, t("chart_base_growth", lang), lang, t("axis_years", lang),
                   t("axis_base_vs_today", lang))


def profit_by_tenure_chart(profits: pd.DataFrame, lang: str, currency: str) -> go.Figure:
    """Profit per retained customer by year of customer age."""
    figure = go.Figure(go.Bar(x=profits["tenure"], y=profits["profit"], marker_color=PALETTE["primary"],
                              text=[format_money(value, lang, currency, 0) for value in profits["profit"]],
                              textposition="outside"))
    figure.update_yaxes(**_money_axis(lang, currency))
    figure.update_xaxes(dtick=1)
    figure = _styled(figure, t("chart_profit_by_tenure", lang), lang, t("axis_customer_year", lang),
                     t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(showlegend=False, hovermode=False)
    return figure


def cohort_heatmap(matrix: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Cohort retention: cohorts by first-purchase period × periods since first purchase, shaded by share."""
    labels = period_labels(matrix.index, period, lang)
    text = [[format_percent(value, lang, 0) if pd.notna(value) else "" for value in row]
            for row in matrix.to_numpy()]
    figure = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype=float), x=[str(column) for column in matrix.columns], y=labels, text=text,
        texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1, colorbar={"tickformat": ".0%"},
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
    ))
    figure.update_yaxes(autorange="reversed", type="category")
    figure = _styled(figure, t("chart_cohort_heatmap", lang), lang, t("axis_periods_since", lang, period=t(
        f"period_plural_{period}", lang)), t("axis_cohort", lang))
    figure.update_layout(height=max(380, 26 * len(labels) + 120), hovermode="closest")
    return figure


def cohort_curves_chart(cohorts: pd.DataFrame, average: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Retention curve of each cohort, with the pooled average in bold."""
    figure = go.Figure()
    for cohort_start, rows in cohorts.groupby("cohort_start"):
        figure.add_trace(go.Scatter(
            x=rows["periods_since"], y=rows["retention"], mode="lines", name=period_labels([cohort_start], period,
                                                                                          lang)[0],
            line={"width": 1}, opacity=0.45, showlegend=False,
        ))
    figure.add_trace(go.Scatter(x=average["periods_since"], y=average["retention"], mode="lines+markers",
                                name=t("label_average", lang), line={"color": PALETTE["secondary"], "width": 4}))
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02])
    return _styled(figure, t("chart_cohort_curves", lang), lang, t("axis_periods_since", lang, period=t(
        f"period_plural_{period}", lang)), t("axis_share_active", lang))


def cohort_revenue_chart(revenue: pd.DataFrame, period: str, lang: str, currency: str) -> go.Figure:
    """Total revenue of each cohort, stacked by periods since first purchase."""
    labels = period_labels(revenue.index, period, lang)
    figure = go.Figure([
        go.Bar(x=labels, y=revenue[column].fillna(0.0), name=str(column), showlegend=False,
               marker_color=PALETTE["primary"], opacity=max(0.25, 1.0 - 0.08 * int(column)))
        for column in revenue.columns
    ])
    figure.update_layout(barmode="stack")
    figure.update_yaxes(**_money_axis(lang, currency))
    figure = _styled(figure, t("chart_cohort_revenue", lang), lang, t("axis_cohort", lang),
                     t("axis_money", lang, currency=currency))
    figure.update_layout(hovermode="closest")
    return figure


def nps_chart(trend: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """NPS by period (points −100…+100) with the number of answers in the hover."""
    figure = go.Figure(go.Bar(
        x=period_labels(trend["period_start"], period, lang), y=trend["nps"],
        marker_color=[PALETTE["good"] if value >= 0 else PALETTE["bad"] for value in trend["nps"]],
        customdata=trend["responses"], hovertemplate="%{x}: %{y:.0f} (n = %{customdata})<extra></extra>",
    ))
    figure.update_yaxes(range=[-100, 100])
    figure = _styled(figure, t("chart_nps", lang), lang, t("axis_period", lang), t("axis_nps_points", lang))
    figure.update_layout(showlegend=False, hovermode="closest")
    return figure


def industry_benchmark_chart(annual_retention: float | None, lang: str) -> go.Figure:
    """Typical annual retention by industry as ranges, with the user's measured annual retention as a line."""
    industries = benchmarks.INDUSTRY_RETENTION
    names = [t(f"industry_{industry.key}", lang) for industry in industries]
    figure = go.Figure(go.Bar(
        y=names, x=[max(industry.high - industry.low, 0.01) for industry in industries],
        base=[industry.low for industry in industries], orientation="h", marker_color=PALETTE["neutral"],
        customdata=[industry.source for industry in industries],
        hovertemplate="%{y}: %{base:.0%}–%{x:.0%}<br>%{customdata}<extra></extra>", name=t("label_industry", lang),
    ))
    if annual_retention is not None:
        _vline(figure, annual_retention, PALETTE["secondary"], width=3, position="top",
               text=f"{t('label_your_business', lang)}: {format_percent(annual_retention, lang)}")
    figure.update_xaxes(tickformat=".0%", range=[0.4, 1.0])
    figure = _styled(figure, t("chart_industry_benchmark", lang), lang, t("axis_annual_retention", lang))
    figure.update_layout(showlegend=False, hovermode="closest", height=300)
    return figure


# --- predictive models (BG/NBD + Gamma-Gamma, sBG) ------------------------------------------------------------


def _binned_bars(histogram: pd.DataFrame, colour: str, lang: str) -> go.Bar:
    """Bars of a precomputed histogram (``bin_start, bin_end, customers``): a figure of 40 numbers, not one per
    customer, whatever the number of customers."""
    return go.Bar(x=(histogram["bin_start"] + histogram["bin_end"]) / 2, y=histogram["customers"],
                  width=0.95 * (histogram["bin_end"] - histogram["bin_start"]), marker_color=colour,
                  name=t("axis_customers", lang))


def predictive_clv_histogram(result: PredictiveClvSummary, lang: str, currency: str) -> go.Figure:
    """How predicted CLV is spread over the customers, with the mean and the median marked."""
    figure = go.Figure(_binned_bars(result.clv_histogram, PALETTE["primary"], lang))
    for value, key, colour, position in ((result.mean_clv, "label_mean", PALETTE["secondary"], "top right"),
                                         (result.median_clv, "label_median", PALETTE["good"], "top left")):
        _vline(figure, value, colour, "dash", text=f"{t(key, lang)}: {format_money(value, lang, currency, 0)}",
               position=position)
    figure.update_xaxes(**_money_axis(lang, currency))
    figure = _styled(figure, t("chart_predictive_clv", lang, months=round(result.horizon_months)), lang,
                     t("axis_predicted_clv", lang, currency=currency), t("axis_customers", lang))
    figure.update_layout(showlegend=False, hovermode="closest", bargap=0.05)
    return figure


def probability_alive_histogram(result: PredictiveClvSummary, lang: str) -> go.Figure:
    """How many customers the BG/NBD thinks are still active, in 5-point bins of P(alive)."""
    figure = go.Figure(_binned_bars(result.alive_histogram, PALETTE["good"], lang))
    mean = result.mean_probability_alive
    _vline(figure, mean, PALETTE["secondary"], "dash", position="top left",
           text=f"{t('label_mean', lang)}: {format_percent(mean, lang, 0)}")
    figure.update_xaxes(tickformat=".0%", range=[0, 1.02])
    figure = _styled(figure, t("chart_probability_alive", lang), lang, t("axis_probability_alive", lang),
                     t("axis_customers", lang))
    figure.update_layout(showlegend=False, hovermode="closest", bargap=0.05)
    return figure


def calibration_holdout_chart(holdout: pd.DataFrame, holdout_weeks: int, lang: str) -> go.Figure:
    """Actual against BG/NBD-predicted repeat purchases in the holdout weeks, by purchases in calibration.

    One point per group of customers with 0, 1, ..., 6, 7+ repeat purchases in the calibration part (Fader, Hardie
    & Lee 2005, Fig. 4); the hover shows how many customers each point averages.
    """
    hover = "%{x}: %{y:.2f} (n = %{customdata})<extra>%{fullData.name}</extra>"
    figure = go.Figure([
        go.Scatter(x=holdout["label"], y=holdout["actual"], name=t("label_actual", lang), mode="lines+markers",
                   line={"color": PALETTE["primary"], "width": 3}, customdata=holdout["customers"],
                   hovertemplate=hover),
        go.Scatter(x=holdout["label"], y=holdout["predicted"], name=t("label_predicted_bg_nbd", lang),
                   mode="lines+markers", line={"color": PALETTE["secondary"], "width": 3, "dash": "dash"},
                   customdata=holdout["customers"], hovertemplate=hover),
    ])
    figure.update_xaxes(type="category")
    figure.update_yaxes(rangemode="tozero")
    figure = _styled(figure, t("chart_calibration_holdout", lang, weeks=holdout_weeks), lang,
                     t("axis_calibration_purchases", lang), t("axis_holdout_purchases", lang, weeks=holdout_weeks))
    figure.update_layout(hovermode="closest")
    return figure


def cohort_projection_chart(curves: pd.DataFrame, period: str, lang: str) -> go.Figure:
    """Each cohort's observed retention (solid) and its sBG projection (dashed); the pooled curve in bold.

    ``curves`` is :func:`retention_core.predictive.project_cohorts`: pooled rows have no ``cohort_start``. A
    projection starts at its cohort's last observed point so the two lines join.
    """
    figure = go.Figure()
    pooled = curves["cohort_start"].isna()
    for cohort_start, rows in curves[~pooled].groupby("cohort_start"):
        name = period_labels([cohort_start], period, lang)[0]
        _add_projection(figure, rows, (name, name), {"color": PALETTE["primary"], "width": 1}, 0.35, False)
    average = t("label_average", lang)
    _add_projection(figure, curves[pooled], (f"{average} · {t('label_observed', lang)}",
                                             f"{average} · {t('label_projected_sbg', lang)}"),
                    {"color": PALETTE["secondary"], "width": 4}, 1.0, True)
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02])
    figure = _styled(figure, t("chart_cohort_projection", lang), lang, t("axis_periods_since", lang, period=t(
        f"period_plural_{period}", lang)), t("axis_share_active", lang))
    figure.update_layout(hovermode="closest")
    return figure


def _add_projection(figure: go.Figure, rows: pd.DataFrame, names: tuple[str, str], line: dict, opacity: float,
                    legend: bool) -> None:
    """One curve: observed rows solid, projected rows dashed from the last observed point on."""
    observed = rows[rows["kind"] == "observed"]
    projected = pd.concat([observed.tail(1), rows[rows["kind"] == "projected"]])
    figure.add_trace(go.Scatter(x=observed["periods_since"], y=observed["retention"], mode="lines", line=line,
                                opacity=opacity, name=names[0], showlegend=legend))
    if len(projected) > 1:
        figure.add_trace(go.Scatter(x=projected["periods_since"], y=projected["retention"], mode="lines",
                                    line={**line, "dash": "dash"}, opacity=opacity, name=names[1],
                                    showlegend=legend))


# --- scenario comparison ------------------------------------------------------------------------------------------


def _plain(name: str) -> str:
    """A user's scenario name as Plotly text: ``<`` and ``&`` escaped, so Plotly's HTML-like tags stay text."""
    return html.escape(str(name), quote=False)


def _scenario_colour(index: int) -> str:
    return SCENARIO_COLOURS[index % len(SCENARIO_COLOURS)]


def uplift_curves_chart(curves: Mapping[str, pd.DataFrame], lang: str) -> go.Figure:
    """The profit-increase curves of several scenarios in one figure (name -> :func:`scenarios.uplift_curve`),
    with Reichheld's 25–95 % at 5 pp marked."""
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    reference = benchmarks.REICHHELD_UPLIFT_POINTS
    figure = go.Figure([
        go.Scatter(x=curve["uplift_points"] * 100, y=curve["relative_change"], mode="lines", name=_plain(name),
                   line={"color": _scenario_colour(index), "width": 3, "dash": "solid" if index == 0 else "dash"})
        for index, (name, curve) in enumerate(curves.items())
    ])
    figure.add_trace(go.Scatter(
        x=[reference * 100, reference * 100], y=[low, high], mode="lines+markers", name=t("band_reichheld", lang),
        line={"color": PALETTE["neutral"], "width": 8}, opacity=0.5,
    ))
    figure.update_yaxes(tickformat=".0%", rangemode="tozero")
    figure.update_xaxes(ticksuffix=" pp")
    figure = _styled(figure, t("chart_uplift_curve", lang), lang, t("axis_uplift_points", lang),
                     t("axis_profit_increase", lang))
    figure.update_layout(legend={"y": -0.3, "yanchor": "top"}, margin={"t": 50, "b": 10}, height=440)
    return figure


def clv_steps_chart(results: Mapping[str, ClvResult], lang: str, currency: str) -> go.Figure:
    """The CLV gap steps of several scenarios as grouped bars: CLV, − lifetime retention cost, − CAC, net value."""
    steps = ["CLV", t("label_minus_retention_cost", lang), t("label_minus_cac", lang), t("label_net_value", lang)]
    figure = go.Figure()
    for index, (name, result) in enumerate(results.items()):
        values = [result.margin_multiple_clv, -result.lifetime_retention_cost, -result.acquisition_cost,
                  result.net_value]
        figure.add_trace(go.Bar(x=steps, y=values, name=_plain(name), marker_color=_scenario_colour(index),
                                text=[format_money(value, lang, currency, 0) for value in values],
                                textposition="outside"))
    figure.update_layout(barmode="group")
    figure.update_yaxes(**_money_axis(lang, currency))
    figure = _styled(figure, t("chart_clv_waterfall", lang), lang, "",
                     t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(hovermode="closest")
    return figure


def cost_per_customer_compare_chart(costs: Mapping[str, CostScenario], lang: str, currency: str) -> go.Figure:
    """Retention cost per active customer of several scenarios, stacked by category (team, tools, engagement)."""
    names = [_plain(name) for name in costs]
    figure = go.Figure([
        go.Bar(x=names, y=[metrics.retention_cost_per_customer(cost.amounts[category], cost.active_customers)
                           for cost in costs.values()],
               name=t(f"category_short_{category}", lang), marker_color=PALETTE[category])
        for category in COST_CATEGORIES
    ])
    figure.add_trace(go.Scatter(
        x=names, y=[cost.per_customer for cost in costs.values()], mode="text", showlegend=False,
        text=[format_money(cost.per_customer, lang, currency) for cost in costs.values()], textposition="top center",
    ))
    figure.update_layout(barmode="stack")
    figure.update_yaxes(rangemode="tozero", **_money_axis(lang, currency))
    figure = _styled(figure, t("chart_cost_compare", lang), lang, "",
                     t("axis_money_per_customer", lang, currency=currency))
    figure.update_layout(hovermode="closest")
    return figure
