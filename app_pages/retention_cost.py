"""Retention cost: spend by category, cost per active customer over time, and a live what-if.

Everything under the header is one fragment (``cost_what_if``): its controls rerun it alone, not the frame or the
sidebar.
"""

import streamlit as st

from dashboard import inputs, run_counts, shown_data, sidebar, widgets
from retention_views import charts, page_results, text_keys, whatif
from retention_views.formats import format_period

s = sidebar.settings()
aggs = shown_data.current_aggregates(with_fits=False)  # no BG/NBD or Gamma-Gamma model on this page
run_counts.count_run("retention_cost_page")
widgets.header("retention_cost", s)


@st.fragment(key="cost_what_if")
def what_if() -> None:
    """The cost source (data or typed), the spend charts, the what-if sliders and the cost they give."""
    run_counts.count_run("cost_what_if")
    plan = inputs.plan(s)
    mode = inputs.choice(plan, "cost_mode", s.t("cost_mode"), "segmented_control",
                         format_func=lambda code: s.t(text_keys.COST_MODE[code]))
    values = {**plan.values, "cost_mode": mode}

    if mode == "data":
        costs = page_results.cost_items_wide(aggs)
        left, right = st.columns(2)
        with left:
            widgets.chart(charts.cost_stack_chart(costs, s.period, s.lang, s.currency), s)
        with right:
            widgets.chart(charts.cost_per_customer_chart(costs, s.period, s.lang, s.currency), s)
        values["cost_period"] = inputs.choice(plan, "cost_period", s.t("cost_period"), "select_slider",
                                              format_func=lambda start: format_period(start, s.period, s.lang))
    else:
        if aggs.costs is None:
            widgets.missing_sheet("retention_costs", s)
        st.caption(s.t("cost_typed_intro"))
        columns = st.columns(4)
        for index, category in enumerate(page_results.COST_CATEGORIES):
            values[f"cost_typed_{category}"] = inputs.number_input(
                plan, f"cost_typed_{category}", s.t(text_keys.CATEGORY[category]), columns[index], lang=s.lang)
        values["cost_typed_active"] = inputs.number_input(plan, "cost_typed_active",
                                                          s.t("label_active_customers_typed"), columns[3],
                                                          lang=s.lang)

    st.subheader(s.t("cost_whatif"))
    slider_columns = st.columns(4)
    for index, category in enumerate(page_results.COST_CATEGORIES):
        values[f"cost_change_{category}"] = inputs.percent_slider(
            plan, f"cost_change_{category}", s.t(text_keys.CATEGORY[category]), slider_columns[index], lang=s.lang)
    values[f"cost_active_{mode}"] = inputs.number_input(plan, f"cost_active_{mode}",
                                                        s.t("label_active_customers_whatif"),
                                                        slider_columns[3],
                                                        lang=s.lang)
    if mode == "typed":
        values["cost_typed_cac"] = inputs.number_input(plan, "cost_typed_cac", s.t("label_your_cac"),
                                                       lang=s.lang, placeholder=s.t("field_not_measured"))
    outcome = whatif.cost_result(aggs, values)
    result = outcome.scenario

    metric_columns = st.columns(3)
    widgets.metric("label_total_retention_cost", "money", result.total, s, container=metric_columns[0])
    widgets.metric("kpi_retention_cost_per_customer", "money", result.per_customer, s,
                   help_key="kpi_retention_cost_per_customer_help",
                   delta=widgets.format_delta("relative", result.change, s), container=metric_columns[1],
                   lower_is_better=True)
    metric_columns[2].metric(s.t("label_cac_band"), widgets.format_range("money", result.cac_band, s),
                             help=s.t("label_cac_band_help"), border=True)
    widgets.chart(charts.cac_band_chart(result.per_customer, result.cac_band, outcome.cac, s.lang, s.currency,
                                        "kpi_acquisition_cost" if mode == "data" else "label_cac_short"), s)
    if outcome.cac is None:
        st.caption(s.t("cost_cac_unknown_data" if mode == "data" else "cost_cac_unknown_typed"))


what_if()
