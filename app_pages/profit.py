"""Retention → profit: the "5 % more retention, 25–95 % more profit" simulator on the user's own numbers."""

import streamlit as st

from dashboard import scenario, state, widgets
from retention_core import benchmarks, charts, scenarios
from retention_core.i18n import format_number, format_percent, t

s = state.settings()
aggs = state.current_aggregates()
widgets.header("profit", s)

plan = scenario.plan(s)

if "profit_retention" not in plan.specs:
    st.warning(t("warning_too_few_periods", s.lang))
    st.stop()
baseline = scenarios.measured_baseline(aggs)
assumptions = scenario.assumptions(plan)

left, right = st.columns(2)
retention = scenario.percent_slider(plan, "profit_retention", t("profit_retention", s.lang), left,
                                    help=t("profit_retention_help", s.lang), lang=s.lang)
uplift = scenario.percent_slider(plan, "profit_uplift", t("profit_uplift", s.lang), left,
                                 help=t("profit_uplift_help", s.lang), lang=s.lang)
discount = scenario.percent_slider(plan, "profit_discount_rate", t("clv_discount_rate", s.lang), right,
                                   lang=s.lang)
horizon = scenario.choice(plan, "profit_horizon", t("profit_horizon", s.lang), "selectbox", right,
                          format_func=lambda years: t("profit_horizon_unlimited", s.lang) if years is None
                          else t("label_years", s.lang, years=years))
cac = scenario.number_input(plan, "profit_cac", t("label_your_cac", s.lang), right, lang=s.lang)

st.caption(t("profit_tenure_intro", s.lang, margin=format_percent(assumptions.gross_margin, s.lang)))
editor_column, tenure_chart_column = st.columns([2, 3])
profits = scenario.profits_fields(plan, aggs, assumptions.gross_margin, editor_column, lang=s.lang,
                                 currency=s.currency)
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
    years = scenario.slider(plan, "profit_growth_years", t("profit_growth_years", s.lang))
    growth = scenarios.customer_base_growth(retention, scenarios.annual_acquisition_rate(baseline), uplift, years)
    widgets.chart(charts.base_growth_chart(growth, s.lang), s)
