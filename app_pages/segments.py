"""Segments: one dimension's segments side by side with the whole business, where the value is, where one more
point of retention pays most, and NPS tied to value.

The dimension picker reruns the page (a new dimension's bases are made once and kept); the CLV page's margin and
discount-rate sliders, the table and the charts are one fragment (``segments_what_if``): a slider reruns it alone
and reads the figures off the kept bases, and the customer list's fragment with it while the list is open (its CLV
column moves, no refit).
At the end, the customers behind the numbers: a segment picker and the customer list of the chosen row
(``segments_customers_of``; picking a segment reruns it alone).
"""

import streamlit as st

from dashboard import customer_list, inputs, run_counts, shown_data, sidebar, widgets
from dashboard import segments as segment_data
from retention_views import charts, page_results
from retention_views.formats import format_money

s = sidebar.settings()
aggs = shown_data.current_aggregates()
run_counts.count_run("segments_page")
widgets.header("segments", s)

if aggs.basis is None or "clv_horizon" not in inputs.plan(s).specs:
    st.warning(s.t("segments_no_basis"))
    st.stop()
offered = segment_data.dimensions(aggs)
dimension = segment_data.picker(offered, s)
if segment_data.only_summary(offered):
    st.caption(s.t("segments_only_summary"))
has_ids = segment_data.survey_has_ids(shown_data.shown_dataset())
# margin and discount rate also move the customer list's CLV column (when there is a model and the list is open)
LIST_FRAGMENTS = () if aggs.predictive is None or aggs.predictive.reason else customer_list.reruns_while_open(
    "segments_what_if")


@st.fragment(key="segments_what_if")
def what_if() -> None:
    """Margin and discount rate, the segment table with its notes, the two charts and the NPS groups' value; on a
    dimension's first view the table and the value chart come first without the segments' intervals (and, while
    the forecast is still to be made, with the predictive column "computing …") and get them at the end: on a
    large upload those take seconds."""
    run_counts.count_run("segments_what_if")
    plan = inputs.plan(s)
    left, right = st.columns(2)
    margin = inputs.percent_slider(plan, "clv_gross_margin", s.t("clv_gross_margin"), left,
                                   help=s.t("clv_gross_margin_help"), lang=s.lang, reruns=LIST_FRAGMENTS)
    discount = inputs.percent_slider(plan, "clv_discount_rate", s.t("clv_discount_rate"), right,
                                     help=s.t("clv_discount_rate_help"), lang=s.lang, reruns=LIST_FRAGMENTS)
    values = {**plan.values, "clv_gross_margin": margin, "clv_discount_rate": discount}
    waits = segment_data.waiting(aggs, dimension)  # made last: the table and charts come first
    view = segment_data.view(aggs, dimension, values, s, with_predictive=segment_data.PREDICTIVE not in waits,
                             with_intervals=segment_data.INTERVALS not in waits)

    st.subheader(s.t("segments_table_title"))
    st.caption(s.t("segments_table_caption") + " " + s.t("segments_settings_caption", years=values["clv_horizon"])
               + " " + s.t("segments_table_interval_caption"))
    table_slot, pending_note = st.empty(), st.empty()
    with table_slot:
        segment_data.table(view.table, s, key="segments_table_pending" if waits else "segments_table",
                           pending=segment_data.PREDICTIVE in waits)
    if segment_data.INTERVALS in waits:
        pending_note.caption(s.t("segments_intervals_pending"))
    for note in view.notes:
        st.caption(note)
    if view.pooled:
        st.caption(widgets.message("segments_pooled_labels", s.lang) + " " + widgets.plain(", ".join(view.pooled)))

    placed = charts.placeable(view.table)
    chart_slot = st.empty()
    if placed.empty:
        st.info(s.t("segments_chart_none"), icon=":material/info:")
    else:
        with chart_slot.container():
            widgets.chart(charts.segment_value_chart(view.table, s.lang, s.currency), s)
        st.caption(s.t("segments_chart_value_caption"))
        if placed["net_value"].isna().any():
            st.caption(s.t("segments_chart_unknown_net_note"))
        left_out = charts.not_placeable(view.table)
        if left_out:
            st.caption(widgets.message("segments_chart_unplaced", s.lang, segments=", ".join(left_out)))
    unplaced = charts.unplaced(view.uplift)
    if view.uplift["value_change"].notna().any():
        widgets.chart(charts.segment_uplift_chart(view.uplift, s.lang, s.currency), s)
        st.caption(s.t("segments_uplift_caption"))
    else:
        st.info(s.t("segments_uplift_none"), icon=":material/info:")
    if unplaced:
        st.caption(widgets.message("segments_uplift_unplaced", s.lang, segments=", ".join(unplaced)))

    nps_value(None if segment_data.INTERVALS in waits else view, values)
    if waits:  # now the intervals and the forecast: the table again, complete, and the chart with its error bars
        view = segment_data.view(aggs, dimension, values, s)
        with table_slot:
            segment_data.table(view.table, s, key="segments_table")
        if segment_data.INTERVALS in waits and not placed.empty:
            with chart_slot.container():
                widgets.chart(charts.segment_value_chart(view.table, s.lang, s.currency), s)
        pending_note.empty()


def nps_value(view, values: dict) -> None:
    """The NPS groups' value side by side and what a detractor costs (or why there is nothing to show); ``view``:
    the page's view if complete (None while its intervals wait), read when it is the NPS groups' own."""
    st.subheader(s.t("segments_nps_title"))
    if not has_ids:
        st.info(s.t("segments_nps_no_ids" if aggs.nps is not None else "segments_nps_no_survey"),
                icon=":material/info:")
        return
    st.caption(s.t("segments_nps_intro"))
    nps = page_results.nps_value(view if view is not None and dimension == segment_data.NPS_GROUP
                                 else segment_data.view(aggs, segment_data.NPS_GROUP, values, s,
                                                        with_predictive=False))
    segment_data.table(nps.table, s, key="segments_nps_table", columns=page_results.NPS_COLUMNS)
    if nps.detractor_cost is None:
        st.caption(s.t("segments_nps_cost_unknown"))
    else:
        key = "segments_nps_detractor_cost" if nps.detractor_cost >= 0 else "segments_nps_detractor_worth_more"
        st.markdown(s.t(key, difference=format_money(abs(nps.detractor_cost), s.lang, s.currency),
                        detractor=format_money(nps.detractor_clv, s.lang, s.currency),
                        promoter=format_money(nps.promoter_clv, s.lang, s.currency)))


@st.fragment(key="segments_customers_of")
def customers_of() -> None:
    """The segment picker and the customer list of the chosen row (the whole business by default)."""
    st.subheader(s.t("segments_customers_title"))
    chosen = segment_data.segment_picker(aggs, dimension, s)
    customer_list.customer_list(s, aggs, segment_data.labels(aggs, dimension), segment=chosen.labels,
                                dimension=dimension)


what_if()
customers_of()
