"""Overview: the KPI cards of one period against the previous one, the retention trend, and revenue retention."""

import streamlit as st

from dashboard import revenue_views, scenario, state, widgets
from retention_core import charts, scenarios
from retention_core.i18n import format_period, t

s = state.settings()
aggs = state.current_aggregates()
widgets.header("overview", s)
plan = scenario.plan(s)

if "overview_period" not in plan.specs:
    st.warning(t("warning_too_few_periods", s.lang))
    st.stop()
period_start = scenario.choice(plan, "overview_period", t("overview_period", s.lang), "select_slider",
                               format_func=lambda start: format_period(start, s.period, s.lang))
assumptions = scenario.assumptions(plan)
st.caption(t("overview_assumptions", s.lang, margin=widgets.format_value("fraction", assumptions.gross_margin, s),
                     discount=widgets.format_value("fraction", assumptions.annual_discount_rate, s)))
widgets.kpi_cards(scenarios.overview_kpis(aggs, period_start, assumptions), s)
widgets.chart(charts.retention_trend_chart(scenarios.retention_trend(aggs), s.period, s.lang), s)
widgets.chart(charts.industry_benchmark_chart(scenarios.measured_baseline(aggs).annual_retention_rate, s.lang), s)
st.caption(t("overview_benchmark_note", s.lang))
revenue_views.overview_section(aggs, period_start, s)
for sheet in ("retention_costs", "acquisition", "nps"):
    if sheet not in aggs.sheets:
        widgets.missing_sheet(sheet, s)
