"""Retention → profit: the "5 % more retention, 25–95 % more profit" simulator on the user's own numbers.

The simulator is one fragment (``profit_what_if``): its sliders and fields rerun it alone, not the frame or the
sidebar; the base-growth chart with its own slider is a fragment inside it (``profit_growth``).
"""

import streamlit as st

from dashboard import inputs, run_counts, shown_data, sidebar, widgets
from retention_core import benchmarks
from retention_views import charts, page_results, text_keys, whatif
from retention_views.formats import format_number, format_percent

#: The verdict's reasons that explain a result off Reichheld's band, listed once after "Warum:" / "Why:".
CAUSES = ("short_lifetime", "flat_profits", "high_discount", "long_lifetime")

s = sidebar.settings()
aggs = shown_data.current_aggregates(with_fits=False)  # no BG/NBD or Gamma-Gamma model on this page
run_counts.count_run("profit_page")
widgets.header("profit", s)

if "profit_retention" not in inputs.plan(s).specs:
    st.warning(s.t("warning_no_customer_year"))
    st.stop()
basis = aggs.basis


@st.fragment(key="profit_growth")
def base_growth(retention: float, uplift: float) -> None:
    """The growth slider and the customer base it gives, at the simulator's retention and uplift."""
    run_counts.count_run("profit_growth")
    years = inputs.slider(inputs.plan(s), "profit_growth_years", s.t("profit_growth_years"))
    if basis.acquisition_rate is None:
        st.info(s.t("profit_growth_unknown"), icon=":material/info:")
    else:
        growth = page_results.customer_base_growth(retention, basis.acquisition_rate, uplift, years)
        widgets.chart(charts.base_growth_chart(growth, s.lang), s)
        st.caption(s.t("profit_growth_assumes", rate=format_percent(basis.acquisition_rate, s.lang, 0),
                       growth=format_percent(growth["without_uplift"].iloc[-1] - 1, s.lang, 0), years=years))


@st.fragment(key="profit_what_if")
def what_if() -> None:
    """The simulator: sliders, profit per customer year, the value before and after, the verdict and the curve."""
    run_counts.count_run("profit_what_if")
    plan = inputs.plan(s)
    assumptions = inputs.assumptions(plan)

    left, right = st.columns(2)
    retention = inputs.percent_slider(plan, "profit_retention",
                                      s.t("profit_retention"), left,
                                      help=s.t("profit_retention_help"), lang=s.lang)
    uplift = inputs.percent_slider(plan, "profit_uplift", s.t("profit_uplift"), left,
                                   help=s.t("profit_uplift_help"), lang=s.lang)
    discount = inputs.percent_slider(plan, "profit_discount_rate", s.t("clv_discount_rate"), right,
                                     lang=s.lang)
    horizon = inputs.choice(plan, "profit_horizon", s.t("profit_horizon"), "selectbox", right,
                            format_func=lambda years: s.t("profit_horizon_unlimited") if years is None
                            else s.t("label_years", years=years))
    cac = inputs.number_input(plan, "profit_cac", s.t("label_cac_year"),
                              right, help=s.t("profit_cac_help"), lang=s.lang,
                              placeholder=s.t("field_not_included"))

    st.caption(s.t("profit_tenure_intro", margin=format_percent(assumptions.gross_margin, s.lang)))
    editor_column, tenure_chart_column = st.columns([2, 3])
    profits = inputs.profits_fields(plan, aggs, assumptions.gross_margin, editor_column, lang=s.lang,
                                     currency=s.currency)
    with tenure_chart_column:
        widgets.chart(charts.profit_by_tenure_chart(profits, s.lang, s.currency), s)

    if retention is None:
        widgets.unknown_inputs(basis, {"retention": None}, s)
        return
    values = {**plan.values, "profit_retention": retention, "profit_uplift": uplift,
              "profit_discount_rate": discount, "profit_horizon": horizon, "profit_cac": cac,
              "profit_tenure": whatif.edited_profits(profits, aggs, assumptions.gross_margin)}
    outcome = whatif.profit_result(aggs, values)
    sure = whatif.profit_intervals(aggs, values)
    band = whatif.profit_curve_band(aggs, values)
    result = outcome.result
    before_key, after_key = text_keys.PROFIT_VALUE[cac is not None]
    cards = st.columns(4)
    widgets.metric(before_key, "money", result.value_before, s, "profit_value_help",
                   container=cards[0], interval=sure.get("value_before"))
    widgets.metric(after_key, "money", result.value_after, s, "profit_value_help",
                   delta=widgets.format_delta("money", result.value_change, s), container=cards[1],
                   interval=sure.get("value_after"))
    widgets.metric("profit_relative_change", "fraction", result.relative_change, s, "profit_relative_change_help",
                   container=cards[2], interval=sure.get("relative_change"))
    cards[3].metric(s.t("profit_lifetime"), s.t("label_years_range",
                                                before=format_number(result.lifetime_before, s.lang, 1),
                                                after=format_number(result.lifetime_after, s.lang, 1)), border=True)
    if result.relative_change is not None:
        widgets.interval_sentence("interval_profit_sentence", "fraction", result.relative_change,
                                  sure.get("relative_change"), s)
    else:
        widgets.interval_sentence("interval_profit_sentence", "money", result.value_change,
                                  sure.get("value_change"), s)
    st.caption(s.t("profit_differs_from_clv"))
    st.markdown(s.t("profit_churn_sentence", retention_before=format_percent(result.retention_before, s.lang),
                    retention_after=format_percent(result.retention_after, s.lang),
                    churn_before=format_percent(result.churn_before, s.lang),
                    churn_after=format_percent(result.churn_after, s.lang),
                    cut=format_percent(result.churn_reduction, s.lang, 0)))

    verdict = outcome.verdict
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    message = s.t(text_keys.VERDICT[verdict.position], low=format_percent(low, s.lang, 0),
                  high=format_percent(high, s.lang, 0), points=format_number(verdict.uplift_points * 100, s.lang, 1),
                  change=format_percent(verdict.relative_change, s.lang),
                  money=widgets.format_value("money", verdict.value_change, s))
    texts = {reason: s.t(text_keys.VERDICT_REASON[reason], points=format_number(verdict.uplift_points * 100, s.lang, 1))
             for reason in verdict.reasons}
    causes = [text for reason, text in texts.items() if reason in CAUSES]
    reasons = " ".join([text for reason, text in texts.items() if reason not in CAUSES]
                       + ([s.t("verdict_why", causes=" ".join(causes))] if causes else []))
    (st.success if verdict.position == "inside" else st.info)(f"{message} {reasons}".strip())

    curve_column, growth_column = st.columns(2)
    with curve_column:
        widgets.chart(charts.uplift_curve_chart(outcome.curve, uplift, s.lang, s.currency, band), s)
    with growth_column:
        base_growth(retention, uplift)


what_if()
