"""Retention → profit: the "5 % more retention, 25–95 % more profit" simulator on the user's own numbers."""

import streamlit as st

from dashboard import state, widgets
from retention_core import benchmarks, charts, scenarios
from retention_core.i18n import format_number, format_percent, t

s = state.settings()
aggs = state.current_aggregates()
widgets.header("profit", s)

baseline = scenarios.measured_baseline(aggs)
if baseline.annual_retention_rate is None:
    st.warning(t("warning_too_few_periods", s.lang))
    st.stop()
assumptions = state.assumptions(aggs)

left, right = st.columns(2)
retention = widgets.percent_slider(t("profit_retention", s.lang), 0.0, 0.99, min(round(baseline.annual_retention_rate, 3),
                                   0.99), "profit_retention", step=0.005, help=t("profit_retention_help", s.lang),
                                   container=left)
top = scenarios.max_uplift_points(retention)
uplift = widgets.percent_slider(t("profit_uplift", s.lang), 0.0, top, min(benchmarks.REICHHELD_UPLIFT_POINTS, top),
                                "profit_uplift", step=0.005, help=t("profit_uplift_help", s.lang), container=left)
discount = widgets.percent_slider(t("clv_discount_rate", s.lang), 0.0, 0.30, assumptions.annual_discount_rate,
                                  "profit_discount_rate", step=0.005, container=right)
horizon = right.selectbox(t("profit_horizon", s.lang), (None, 5, 10, 20), key="profit_horizon",
                          format_func=lambda years: t("profit_horizon_unlimited", s.lang) if years is None
                          else t("label_years", s.lang, years=years))
cac = right.number_input(t("label_your_cac", s.lang), min_value=0.0, value=round(baseline.acquisition_cost or 0.0, 2),
                         step=5.0, key="profit_cac")

st.caption(t("profit_tenure_intro", s.lang, margin=format_percent(assumptions.gross_margin, s.lang)))
editor_column, tenure_chart_column = st.columns([2, 3])
profits = editor_column.data_editor(
    scenarios.default_profits_by_tenure(aggs, assumptions.gross_margin), key="profit_tenure", hide_index=True,
    disabled=("tenure", "revenue_per_customer"), num_rows="fixed",
    column_config={"tenure": t("label_customer_year_short", s.lang),
                   "revenue_per_customer": st.column_config.NumberColumn(t("label_revenue_per_customer", s.lang),
                                                                         format="%.2f"),
                   "profit": st.column_config.NumberColumn(t("label_profit_per_customer", s.lang), format="%.2f")},
)
with tenure_chart_column:
    widgets.chart(charts.profit_by_tenure_chart(profits, s.lang, s.currency), s)

inputs = scenarios.ProfitInputs(profits_by_tenure=tuple(profits["profit"]), annual_retention_rate=retention,
                                uplift_points=uplift, annual_discount_rate=discount, acquisition_cost=cac,
                                horizon_years=horizon)
result = scenarios.profit_scenario(inputs)

cards = st.columns(4)
widgets.metric("profit_value_before", "money", result.value_before, s, "profit_value_help", container=cards[0])
widgets.metric("profit_value_after", "money", result.value_after, s, "profit_value_help", container=cards[1])
widgets.metric("profit_relative_change", "fraction", result.relative_change, s, "profit_relative_change_help",
               container=cards[2])
cards[3].metric(t("profit_lifetime", s.lang), t("label_years_range", s.lang,
                                                before=format_number(result.lifetime_before, s.lang, 1),
                                                after=format_number(result.lifetime_after, s.lang, 1)), border=True)
st.markdown(t("profit_churn_sentence", s.lang, retention_before=format_percent(result.retention_before, s.lang),
              retention_after=format_percent(result.retention_after, s.lang),
              churn_before=format_percent(result.churn_before, s.lang),
              churn_after=format_percent(result.churn_after, s.lang),
              cut=format_percent(result.churn_reduction, s.lang, 0)))

verdict = scenarios.reichheld_verdict(inputs, result)
low, high = benchmarks.REICHHELD_PROFIT_BAND
message = t(f"verdict_{verdict.position}", s.lang, low=format_percent(low, s.lang, 0), high=format_percent(high, s.lang, 0))
reasons = " ".join(t(f"reason_{reason}", s.lang) for reason in verdict.reasons)
(st.success if verdict.position == "inside" else st.info)(f"{message} {reasons}".strip())

curve_column, growth_column = st.columns(2)
with curve_column:
    widgets.chart(charts.uplift_curve_chart(scenarios.uplift_curve(inputs), uplift, s.lang), s)
with growth_column:
    years = st.slider(t("profit_growth_years", s.lang), 1, 10, 5, key="profit_growth_years")
    growth = scenarios.customer_base_growth(retention, scenarios.annual_acquisition_rate(baseline), uplift, years)
    widgets.chart(charts.base_growth_chart(growth, s.lang), s)
