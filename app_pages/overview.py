"""Overview: the KPI cards of one period against the previous one, customer value over the last 12 months, the
retention trend, and revenue retention.

The period slider and what it moves are fragments: the slider with the period's KPI cards
(``overview_period_cards``) and, further down, the period's revenue-retention cards and bridge
(:func:`dashboard.revenue_views.period_fragments`). A slider step reruns these and nothing else: not the frame, the
customer value over 12 months or the trend charts, which no slider changes.
"""

import streamlit as st

from dashboard import inputs, revenue_views, run_counts, shown_data, sidebar, widgets
from retention_views import charts, page_results, whatif
from retention_views.formats import format_day, format_period

s = sidebar.settings()
aggs = shown_data.current_aggregates(with_fits=False)  # no model on this page: the first view does not wait for one
run_counts.count_run("overview_page")
widgets.header("overview", s)
plan = inputs.plan(s)

if "overview_period" not in plan.specs:
    st.warning(s.t("warning_too_few_periods"))
    st.stop()
PERIOD_FRAGMENTS = ("overview_period_cards", *revenue_views.period_fragments(aggs))


@st.fragment(key="overview_period_cards")
def period_cards() -> None:
    """The period slider and the KPI cards of that period against the one before."""
    run_counts.count_run("overview_period_cards")
    period_start = inputs.choice(inputs.plan(s), "overview_period", s.t("overview_period"), "select_slider",
                                 reruns=PERIOD_FRAGMENTS,
                                 format_func=lambda start: format_period(start, s.period, s.lang))
    widgets.kpi_cards(page_results.overview_kpis(aggs, period_start), s)


period_cards()
basis = aggs.basis
if basis is not None:
    st.subheader(s.t("overview_value_title", end=format_day(basis.as_of, s.lang)))
    assumptions = inputs.assumptions(plan)
    st.caption(s.t("overview_value_intro",
                   margin=widgets.format_value("fraction", assumptions.gross_margin, s),
                   discount=widgets.format_value("fraction", assumptions.annual_discount_rate, s)))
    widgets.basis_caption(basis, s)
    widgets.kpi_cards(whatif.customer_value_kpis(basis, plan, aggs.basis_replicates), s, per_row=3, labels=None)
    measured = {"retention": basis.retention_rate}  # a missing sheet is named below, with the period figures
    if "retention_costs" in aggs.sheets:
        measured["cost"] = basis.retention_cost_per_customer
    if "acquisition" in aggs.sheets:
        measured["cac"] = basis.acquisition_cost
    widgets.unknown_inputs(basis, measured, s)
widgets.chart(shown_data.figure(aggs, "retention_trend", lambda: charts.retention_trend_chart(
    page_results.retention_trend(aggs), s.period, s.lang)), s)
widgets.chart(shown_data.figure(aggs, "industry_benchmark", lambda: charts.industry_benchmark_chart(
    None if basis is None else basis.retention_rate, s.lang)), s)
st.caption(s.t("overview_benchmark_note"))
revenue_views.overview_section(aggs, lambda: inputs.plan(s).values["overview_period"], s)
for sheet in ("retention_costs", "acquisition", "nps"):
    if sheet not in aggs.sheets:
        widgets.missing_sheet(sheet, s)
