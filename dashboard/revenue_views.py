"""The revenue-retention blocks of the Overview and Cohorts pages: NRR and GRR cards, the revenue bridge, their
trend and the revenue cohorts (:mod:`retention_core.revenue` computes; this module lays the results out)."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard import run_counts, shown_data, widgets
from dashboard.sidebar import Settings
from retention_core import revenue
from retention_core.dataset import Aggregates
from retention_views import charts, page_results, text_keys
from retention_views.formats import format_day, format_money, format_period


def period_fragments(aggs: Aggregates) -> tuple[str, ...]:
    """The keys of the revenue-retention fragments that follow the Overview's period (none without a bridge)."""
    return ("overview_revenue_cards", "overview_revenue_bridge") if revenue.available(aggs) else ()


def overview_section(aggs: Aggregates, chosen_period: Callable[[], pd.Timestamp], s: Settings) -> None:
    """Revenue retention of the Overview's period: four cards, the bridge from the period before, the NRR / GRR
    trend with its reference lines, and what the figures mean.

    The cards and the bridge follow the period slider: each is a fragment (:func:`period_fragments`) that the
    slider reruns, reading the period from ``chosen_period()``. The trend, the notes under it and the definitions
    depend on no slider and run only with the whole page."""
    st.subheader(s.t("revenue_title"))
    st.caption(s.t("revenue_intro"))
    if not revenue.available(aggs):
        st.info(s.t("revenue_unavailable"), icon=":material/info:")
        return
    _period_cards(aggs, chosen_period, s)
    left, right = st.columns(2)
    with left:
        _period_bridge(aggs, chosen_period, s)
    with right:
        widgets.chart(shown_data.figure(aggs, "revenue_retention", lambda: charts.revenue_retention_chart(
            revenue.retention_trend(aggs), aggs.period, s.lang)), s, key="overview_revenue_trend")
    if aggs.period == "year":
        st.caption(s.t("revenue_benchmark_note_year"))
    else:
        st.caption(s.t("revenue_benchmark_note_period", period=s.t(text_keys.PERIOD_NOUN[aggs.period])))
    with st.expander(s.t("revenue_definitions_title"), icon=":material/functions:"):
        st.markdown(s.t("revenue_definitions"))


@st.fragment(key="overview_revenue_cards")
def _period_cards(aggs: Aggregates, chosen_period: Callable[[], pd.Timestamp], s: Settings) -> None:
    """The period's NRR, GRR and revenue cards against the period before, and what the reader must know of them."""
    run_counts.count_run("overview_revenue")
    period_start = chosen_period()
    table = revenue.bridge_table(aggs)  # every period's bridge, read for this period and the one before
    widgets.kpi_cards(page_results.revenue_retention_kpis(aggs, period_start, table), s)
    for note in _notes(aggs, revenue.period_retention(aggs, period_start, table), s):
        st.caption(note)


@st.fragment(key="overview_revenue_bridge")
def _period_bridge(aggs: Aggregates, chosen_period: Callable[[], pd.Timestamp], s: Settings) -> None:
    """The revenue bridge from the period before to the chosen one (kept per period, language and currency)."""
    run_counts.count_run("overview_revenue_bridge")
    period_start = chosen_period()
    widgets.chart(shown_data.figure(aggs, "revenue_bridge", lambda: charts.revenue_bridge_chart(
        revenue.period_retention(aggs, period_start), aggs.period, s.lang, s.currency), period_start), s,
        key="overview_revenue_bridge")


def _notes(aggs: Aggregates, bridge: revenue.RevenueRetention, s: Settings) -> list[str]:
    """What the reader must know about this period's figures: undefined, provisional, returns outside the bridge."""
    notes = []
    if bridge.nrr is None and bridge.previous_start is not None:
        notes.append(s.t("revenue_no_start"))
    if bridge.previous_start is not None and not bridge.complete:
        period = format_period(bridge.period_start, aggs.period, s.lang)
        notes.append(s.t("revenue_incomplete_note", period=period, start=format_day(aggs.data_start, s.lang),
                         end=format_day(aggs.data_end, s.lang)))
    if bridge.returns_without_order:
        notes.append(s.t("revenue_returns_note",
                         returns=format_money(bridge.returns_without_order, s.lang, s.currency),
                         ending=format_money(bridge.ending_revenue, s.lang, s.currency),
                         total=format_money(bridge.ending_revenue + bridge.returns_without_order, s.lang, s.currency)))
    return notes


def cohort_section(aggs: Aggregates, s: Settings) -> None:
    """The revenue cohorts beside the head-count ones: NRR of each first-order cohort from period to period."""
    st.subheader(s.t("cohort_nrr_title"))
    if not revenue.available(aggs):
        st.info(s.t("revenue_unavailable"), icon=":material/info:")
        return
    widgets.chart(shown_data.figure(aggs, "cohort_nrr", lambda: charts.cohort_nrr_heatmap(
        revenue.cohort_nrr_matrix(aggs.revenue, aggs.period), aggs.period, s.lang)), s, key="cohort_nrr_heatmap")
    st.caption(s.t("cohort_nrr_note"))
