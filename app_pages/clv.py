"""CLV & gap: a new customer's value three ways, the CLV gap, net value after CAC, break-even spend and CLV : CAC.

The sliders and the figures they move are one fragment (``clv_what_if``): a slider reruns it alone, not the frame,
the sidebar or the forecast's charts. Margin, discount rate and horizon also move the forecast, so they rerun its
fragment (``clv_forecast``) too; the P(alive) histogram depends on no slider and runs only with the whole page. The
top customers and the holdout check are built only while their expanders are open. The customer list is on the
Segments page (the whole business or any segment's customers).
"""

import streamlit as st

from dashboard import inputs, run_counts, shown_data, sidebar, widgets
from retention_core import models
from retention_views import charts, text_keys, whatif
from retention_views.formats import format_number, format_with_interval

s = sidebar.settings()
aggs = shown_data.current_aggregates()
run_counts.count_run("clv_page")
widgets.header("clv", s)

if "clv_annual_retention" not in inputs.plan(s).specs:
    st.warning(s.t("warning_no_orders"))
    st.stop()
basis = aggs.basis
btyd = aggs.predictive
FORECAST_FRAGMENTS = () if btyd.reason else ("clv_what_if", "clv_forecast")


def forecast_for(values: dict) -> models.PredictiveClvSummary:
    """The predictive summary at the scenario's margin, discount rate and horizon (kept in the session)."""
    return shown_data.predictive_forecast(aggs, values["clv_gross_margin"], values["clv_discount_rate"],
                                          horizon_months=12 * values["clv_horizon"])


@st.fragment(key="clv_what_if")
def what_if() -> None:
    """The sliders, the three CLVs, the CLV gap and the predictive estimate beside them."""
    run_counts.count_run("clv_what_if")
    plan = inputs.plan(s)
    widgets.basis_caption(basis, s)
    left, right = st.columns(2)
    margin = inputs.percent_slider(plan, "clv_gross_margin", s.t("clv_gross_margin"), left,
                                   help=s.t("clv_gross_margin_help"), lang=s.lang,
                                   reruns=FORECAST_FRAGMENTS)
    discount = inputs.percent_slider(plan, "clv_discount_rate", s.t("clv_discount_rate"), left,
                                     help=s.t("clv_discount_rate_help"), lang=s.lang,
                                     reruns=FORECAST_FRAGMENTS)
    retention = inputs.percent_slider(plan, "clv_annual_retention",
                                      s.t("clv_annual_retention"), right,
                                      help=s.t("clv_annual_retention_help"), lang=s.lang)
    horizon = inputs.slider(plan, "clv_horizon", s.t("clv_horizon"), right, reruns=FORECAST_FRAGMENTS)
    cost_column, cac_column = st.columns(2)
    cost_label = s.t("clv_retention_cost_year")
    cost = inputs.number_input(plan, "clv_retention_cost_year", cost_label, cost_column,
                               help=s.t("clv_retention_cost_year_help"), lang=s.lang,
                               placeholder=s.t("field_not_measured"))
    cac = inputs.number_input(plan, "clv_cac", s.t("label_cac_year"),
                              cac_column, help=s.t("label_cac_year_help"), lang=s.lang,
                              placeholder=s.t("field_not_measured"))
    widgets.unknown_inputs(basis, {"retention": retention, "cost": cost, "cac": cac}, s)
    values = {**plan.values, "clv_gross_margin": margin, "clv_discount_rate": discount,
              "clv_annual_retention": retention, "clv_horizon": horizon, "clv_retention_cost_year": cost,
              "clv_cac": cac}
    result = whatif.clv_result(basis, values)
    sure = whatif.clv_intervals(basis, aggs.basis_replicates, values)

    cards = st.columns(3)
    widgets.metric("clv_simple", "money", result.simple_clv, s, "clv_simple_help", container=cards[0],
                   interval=sure.get("simple_clv"))
    widgets.metric("clv_margin_multiple", "money", result.margin_multiple_clv, s, "clv_margin_multiple_help",
                   container=cards[1], interval=sure.get("margin_multiple_clv"))
    widgets.metric("clv_finite", "money", result.finite_horizon_clv, s, "clv_finite_help", container=cards[2],
                   interval=sure.get("finite_horizon_clv"))
    widgets.interval_sentence("interval_clv_sentence", "money", result.margin_multiple_clv,
                              sure.get("margin_multiple_clv"), s)
    if result.expected_lifetime_years is not None:
        st.markdown(s.t("clv_why_differ", lifetime=format_number(result.expected_lifetime_years, s.lang, 1),
                        horizon=horizon, margin=widgets.format_value("money", result.margin_per_year, s)))
        widgets.chart(charts.clv_comparison_chart(result, s.lang, s.currency, sure), s)

    st.subheader(s.t("clv_gap_title"))
    st.caption(s.t("clv_gap_intro"))
    gap_cards = st.columns(4)
    widgets.metric("label_lifetime_retention_cost", "money", result.lifetime_retention_cost, s,
                   "label_lifetime_retention_cost_help", container=gap_cards[0],
                   interval=sure.get("lifetime_retention_cost"))
    widgets.metric("kpi_clv_gap", "money", result.clv_gap, s, "kpi_clv_gap_help", container=gap_cards[1],
                   interval=sure.get("clv_gap"))
    widgets.metric("label_net_value", "money", result.net_value, s, "label_net_value_help", container=gap_cards[2],
                   interval=sure.get("net_value"))
    widgets.metric("label_break_even", "money", result.break_even_retention_spend, s,
                   "label_break_even_help" if cac is not None else "label_break_even_no_cac_help",
                   container=gap_cards[3], interval=sure.get("break_even_retention_spend"))
    if result.margin_multiple_clv is not None:
        chart_left, chart_right = st.columns([3, 2])
        with chart_left:
            widgets.chart(charts.clv_waterfall_chart(result, s.lang, s.currency), s)
        with chart_right:
            widgets.metric("kpi_clv_to_cac", "ratio", result.clv_to_cac, s, "kpi_clv_to_cac_help",
                           interval=sure.get("clv_to_cac"))
            if result.clv_to_cac is None:
                st.info(s.t("clv_cac_unknown"), icon=":material/info:")
            else:
                widgets.chart(charts.clv_cac_chart(result.clv_to_cac, s.lang), s)

    st.subheader(s.t("predictive_title"))
    st.caption(s.t("predictive_intro"))
    if btyd.reason:
        st.info(s.t("predictive_unavailable", reason=s.t(text_keys.PREDICTIVE_REASON[btyd.reason],
                                                         **models.reason_params(btyd))), icon=":material/info:")
    else:
        forecast = forecast_for({"clv_gross_margin": margin, "clv_discount_rate": discount, "clv_horizon": horizon})
        estimate_cards = st.columns(3)
        widgets.metric("clv_simple", "money", result.simple_clv, s, "clv_simple_help", container=estimate_cards[0],
                       interval=sure.get("simple_clv"))
        widgets.metric("clv_margin_multiple", "money", result.margin_multiple_clv, s, "clv_margin_multiple_help",
                       container=estimate_cards[1], interval=sure.get("margin_multiple_clv"))
        widgets.metric("predictive_mean_clv", "money", forecast.mean_clv, s, "predictive_mean_clv_help",
                       container=estimate_cards[2], interval=forecast.mean_clv_interval,
                       interval_help_key="interval_help_predictive")
        st.markdown(s.t("predictive_why_differ", horizon=horizon,
                        median=widgets.format_value("money", forecast.median_clv, s)))
        thin = widgets.thin_data_text(forecast.mean_clv_interval, forecast.mean_clv, s, btyd.customers,
                                      btyd.repeaters)
        st.caption(" ".join([s.t("predictive_fitted_on", customers=format_number(btyd.customers, s.lang),
                                 repeaters=format_number(btyd.repeaters, s.lang)), *([thin] if thin else [])]))
        if btyd.fit_customers < btyd.customers:
            st.caption(s.t("predictive_fitted_on_sample", sample=format_number(btyd.fit_customers, s.lang)))
        if btyd.gamma_gamma_excluded:
            st.caption(s.t("predictive_gamma_gamma_excluded", excluded=format_number(btyd.gamma_gamma_excluded,
                                                                                      s.lang)))


@st.fragment(key="clv_forecast")
def forecast_part(part: str) -> None:
    """The forecast's CLV histogram (``part="histogram"``) or its top customers (``"top"``); both call sites rerun
    together when margin, discount rate or horizon move."""
    run_counts.count_run("clv_forecast")
    if part == "histogram":
        forecast = forecast_for(inputs.plan(s).values)
        widgets.chart(charts.predictive_clv_histogram(forecast, s.lang, s.currency), s)
        note = charts.predictive_clv_histogram_note(forecast, s.lang, s.currency)
        if note:
            st.caption(note)
        return
    # the table is built and sent only while its expander is open; opening it reruns this fragment alone
    box = st.expander(s.t("predictive_top_title"), key="clv_top_open", on_change="rerun",
                      icon=":material/format_list_numbered:")
    if not box.open:
        return
    run_counts.count_run("clv_top_customers")
    forecast = forecast_for(inputs.plan(s).values)
    top_customers = widgets.localized(forecast.top_customers, {
        "frequency": ("number", 0), "monetary": ("number", 2), "expected_purchases": ("number", 1),
        "probability_alive": ("percent", 1), "clv": ("number", 2)}, s)
    box.dataframe(top_customers, hide_index=True, column_config={
        "customer_id": s.t("predictive_column_customer"),
        "frequency": s.t("predictive_column_repeat_purchases"),
        "monetary": s.t("predictive_column_mean_spend", currency=s.currency),
        "expected_purchases": s.t("predictive_column_expected_purchases"),
        "probability_alive": s.t("predictive_column_probability_alive"),
        "clv": s.t("predictive_column_clv", currency=s.currency),
    })


@st.fragment(key="clv_holdout")
def holdout_check() -> None:
    """The BG/NBD's holdout check, built and sent only while its expander is open (opening reruns this alone)."""
    box = st.expander(s.t("predictive_holdout_title"), key="clv_holdout_open", on_change="rerun",
                      icon=":material/fact_check:")
    if not box.open:
        return
    run_counts.count_run("clv_holdout")
    if btyd.holdout is None:
        box.info(s.t("predictive_holdout_unavailable", reason=s.t(text_keys.PREDICTIVE_REASON[btyd.holdout_reason],
                                                                  **models.reason_params(btyd))),
                 icon=":material/info:")
        return
    with box:
        widgets.chart(shown_data.figure(aggs, "calibration_holdout", lambda: charts.calibration_holdout_chart(
            btyd.holdout, btyd.holdout_weeks, s.lang)), s)
    box.markdown(s.t("predictive_holdout_judge", weeks=btyd.holdout_weeks,
                     predicted=format_with_interval("count", btyd.holdout_predicted, btyd.holdout_predicted_interval,
                                                    s.lang, s.currency),
                     actual=widgets.format_value("count", btyd.holdout_actual, s),
                     error=widgets.format_delta("relative", btyd.holdout_error, s)))


what_if()
if not btyd.reason:
    run_counts.count_run("clv_predictive")
    histogram_left, histogram_right = st.columns(2)
    with histogram_left:
        forecast_part("histogram")
    with histogram_right:  # P(alive) depends on the fit alone, not on margin, discount rate or horizon
        widgets.chart(shown_data.figure(aggs, "probability_alive", lambda: charts.probability_alive_histogram(
            forecast_for(inputs.plan(s).values), s.lang)), s)
    forecast_part("top")
    holdout_check()
