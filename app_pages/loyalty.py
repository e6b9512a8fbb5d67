"""Loyalty: repeat-purchase rate, upsell rate and ratio, NPS over time, and the Customer Loyalty Index.

The Customer Loyalty Index with its three sliders is a fragment (``loyalty_cli``): a slider reruns it alone.
"""

import streamlit as st

from dashboard import inputs, run_counts, shown_data, sidebar, widgets
from retention_core import metrics
from retention_views import charts, page_results, text_keys

s = sidebar.settings()
aggs = shown_data.current_aggregates(with_fits=False)  # no BG/NBD or Gamma-Gamma model on this page
run_counts.count_run("loyalty_page")
widgets.header("loyalty", s)
plan = inputs.plan(s)

facts = page_results.loyalty_facts(aggs)
st.caption(s.t("loyalty_scope"))
cards = st.columns(4)
widgets.metric("kpi_repeat_purchase_rate", "fraction", facts.repeat_purchase_rate, s, "loyalty_repeat_help",
               container=cards[0])
widgets.metric("loyalty_upsell_rate", "fraction", facts.upsell_rate, s, "loyalty_upsell_rate_help", container=cards[1])
widgets.metric("loyalty_upsell_ratio", "ratio", facts.upsell_ratio, s, "loyalty_upsell_ratio_help", container=cards[2])
widgets.metric("loyalty_nps", "points", facts.nps, s, "kpi_nps_help", container=cards[3], interval=facts.nps_interval,
               interval_help_key="interval_help_nps")
if not aggs.has_products:
    st.info(s.t("loyalty_no_products"), icon=":material/info:")
if aggs.nps is None:
    widgets.missing_sheet("nps", s)
else:
    widgets.chart(charts.nps_chart(page_results.nps_trend(aggs), s.period, s.lang), s)



@st.fragment(key="loyalty_cli")
def loyalty_index() -> None:
    """The Customer Loyalty Index from the three mean answers on the sliders."""
    run_counts.count_run("loyalty_cli")
    plan = inputs.plan(s)
    st.subheader(s.t("loyalty_cli_title"))
    st.caption(s.t("loyalty_cli_intro"))
    columns = st.columns(3)
    means = [inputs.decimal_slider(plan, f"loyalty_cli_{question}",  # presets: no sheet measures these answers
                                   s.t(text_keys.LOYALTY_QUESTION[question]),
                                   columns[index], lang=s.lang)
             for index, question in enumerate(("recommend", "repurchase", "try_new"))]
    widgets.metric("loyalty_cli", "score", metrics.customer_loyalty_index([means[0]], [means[1]], [means[2]]), s,
                   "loyalty_cli_help")


loyalty_index()
