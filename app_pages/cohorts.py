"""Cohorts: retention heatmap by first-purchase period, NRR per cohort, retention curves, revenue per cohort.

Each slider and what it moves is a fragment (``cohort_retention_after``, ``cohort_projection``): a slider reruns
its own block alone, not the heatmap, the curves or the frame.
"""

import streamlit as st

from dashboard import inputs, revenue_views, run_counts, shown_data, sidebar, widgets
from retention_core import models
from retention_views import charts, page_results, text_keys

s = sidebar.settings()
aggs = shown_data.current_aggregates(with_fits=False)  # no BG/NBD or Gamma-Gamma model on this page
run_counts.count_run("cohorts_page")
widgets.header("cohorts", s)
plan = inputs.plan(s)

average = page_results.average_retention_curve(aggs)
if "cohort_periods_since" not in plan.specs:
    st.warning(s.t("warning_too_few_periods"))
    st.stop()


@st.fragment(key="cohort_retention_after")
def retention_after() -> None:
    """The periods slider and the average share of a cohort still buying that many periods later."""
    run_counts.count_run("cohort_retention_after")
    periods_since = inputs.slider(inputs.plan(s), "cohort_periods_since",
                                  s.t("cohort_periods_since", period=s.t(text_keys.PERIOD_PLURAL[s.period])))
    widgets.metric("cohort_retention_after", "fraction", page_results.retention_after(aggs, periods_since), s,
                   "cohort_retention_after_help")


@st.fragment(key="cohort_projection")
def projection_block() -> None:
    """The projection's length slider and the projected retention of the cohorts."""
    run_counts.count_run("cohort_projection")
    periods_ahead = inputs.slider(inputs.plan(s), "cohort_project_periods",
                                  s.t("cohort_project_periods", period=s.t(text_keys.PERIOD_PLURAL[s.period])))
    projection = shown_data.cohort_projection(aggs, periods_ahead)
    if projection.empty:
        st.info(s.t("predictive_cohort_unavailable", minimum=models.MIN_COHORT_PERIODS),
                icon=":material/info:")
    else:
        widgets.chart(shown_data.figure(aggs, "cohort_projection", lambda: charts.cohort_projection_chart(
            projection, s.period, s.lang), periods_ahead), s)
        st.caption(s.t("predictive_cohort_caption", minimum=models.MIN_COHORT_PERIODS))


retention_after()
widgets.chart(shown_data.figure(aggs, "cohort_heatmap", lambda: charts.cohort_heatmap(
    page_results.cohort_matrix(aggs), s.period, s.lang)), s)
revenue_views.cohort_section(aggs, s)
left, right = st.columns(2)
with left:
    widgets.chart(shown_data.figure(aggs, "cohort_curves", lambda: charts.cohort_curves_chart(
        aggs.cohorts, average, s.period, s.lang)), s)
with right:
    widgets.chart(shown_data.figure(aggs, "cohort_revenue", lambda: charts.cohort_revenue_chart(
        page_results.cohort_matrix(aggs, "revenue"), s.period, s.lang, s.currency)), s)
    st.caption(s.t("cohort_revenue_note"))

st.subheader(s.t("predictive_cohort_title"))
projection_block()
