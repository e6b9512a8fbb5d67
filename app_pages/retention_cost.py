"""Retention cost: spend by category, cost per active customer over time, and a live what-if."""

import streamlit as st

from dashboard import state, widgets
from retention_core import charts, scenarios
from retention_core.i18n import format_period, t

s = state.settings()
aggs = state.current_aggregates()
widgets.header("retention_cost", s)

modes = ("data", "typed") if aggs.costs is not None else ("typed",)
mode = st.segmented_control(t("cost_mode", s.lang), modes, default=modes[0], required=True, key="cost_mode",
                            format_func=lambda code: t(f"cost_mode_{code}", s.lang))

if mode == "data":
    costs = scenarios.cost_items_wide(aggs)
    left, right = st.columns(2)
    with left:
        widgets.chart(charts.cost_stack_chart(costs, s.period, s.lang, s.currency), s)
    with right:
        widgets.chart(charts.cost_per_customer_chart(costs, s.period, s.lang, s.currency), s)
    options = list(costs["period_start"])
    period_start = st.select_slider(t("cost_period", s.lang), options=options, value=options[-1], key="cost_period",
                                    format_func=lambda start: format_period(start, s.period, s.lang))
    amounts, active = scenarios.period_costs(aggs, period_start)
    cac = scenarios.period_facts(aggs, period_start, state.assumptions(aggs)).acquisition_cost
else:
    st.caption(t("cost_typed_intro", s.lang))
    columns = st.columns(4)
    amounts = {
        category: columns[index].number_input(t(f"category_{category}", s.lang), min_value=0.0, value=default,
                                              step=100.0, key=f"cost_typed_{category}")
        for index, (category, default) in enumerate(zip(scenarios.COST_CATEGORIES, (5000.0, 900.0, 2500.0)))
    }
    active = columns[3].number_input(t("label_active_customers", s.lang), min_value=1, value=700, step=10,
                                     key="cost_typed_active")
    cac = None

st.subheader(t("cost_whatif", s.lang))
slider_columns = st.columns(4)
changes = {
    category: widgets.percent_slider(t(f"category_{category}", s.lang), -0.5, 1.0, 0.0, key=f"cost_change_{category}",
                                     step=0.05, container=slider_columns[index])
    for index, category in enumerate(scenarios.COST_CATEGORIES)
}
scenario_active = slider_columns[3].number_input(t("label_active_customers", s.lang), min_value=1, value=int(active),
                                                 step=10, key=f"cost_active_{mode}")
result = scenarios.cost_scenario(amounts, int(scenario_active), changes, baseline_active_customers=int(active))

metric_columns = st.columns(3)
widgets.metric("label_total_retention_cost", "money", result.total, s, container=metric_columns[0])
widgets.metric("kpi_retention_cost_per_customer", "money", result.per_customer, s,
               help_key="kpi_retention_cost_per_customer_help",
               delta=widgets.format_delta("relative", result.change, s), container=metric_columns[1],
               lower_is_better=True)
metric_columns[2].metric(t("label_cac_band", s.lang), widgets.format_range("money", result.cac_band, s),
                         help=t("label_cac_band_help", s.lang), border=True)
if mode == "typed":
    cac = st.number_input(t("label_your_cac", s.lang), min_value=0.0, value=0.0, step=10.0, key="cost_typed_cac") or None
widgets.chart(charts.cac_band_chart(result.per_customer, result.cac_band, cac, s.lang, s.currency), s)
