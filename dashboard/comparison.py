"""The Scenarios page's comparison: evaluate a saved or the current scenario, show A against B, exports.

Numbers come from :mod:`retention_views.whatif` (results and differences) and :mod:`retention_views.report`
(tables, HTML, PNG); this module only lays them out and offers the downloads.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard import saved_scenarios, shown_data, widgets
from dashboard import segments as segment_data
from dashboard.sidebar import Settings
from retention_views import charts, page_results, report, text_keys, whatif
from retention_views.exports import to_csv_bytes, to_xlsx_bytes
from retention_views.formats import format_interval_range, format_percent

CURRENT = None  # the choice "current settings" among the saved scenarios' names


@dataclass(frozen=True)
class Evaluated:
    """One scenario ready to show: its label, the period it was made for, and its results."""

    label: str
    period: str
    outcome: whatif.Outcome


def label(name: str | None, s: Settings) -> str:
    """What a choice is called: the saved name, or "current settings"."""
    return s.t("scenarios_current") if name is CURRENT else name


def choices() -> list[str | None]:
    """Current settings first, then the saved scenarios in the order they were saved."""
    return [CURRENT, *saved_scenarios.saved()]


def evaluate(name: str | None, s: Settings) -> Evaluated:
    """Results of the saved scenario ``name`` (or the current settings) on the data shown, for its own period."""
    values = saved_scenarios.snapshot(s) if name is CURRENT else saved_scenarios.saved()[name]
    aggs = shown_data.aggregates_for(values["app_period"], values["app_activity_months"])
    resolved = whatif.resolve(shown_data.facts_for(values["app_period"], values["app_activity_months"]), values)
    return Evaluated(label=label(name, s), period=values["app_period"],
                     outcome=whatif.evaluate(aggs, resolved.values))


def comparison(first: Evaluated, second: Evaluated, s: Settings) -> None:
    """Headline cards (B with its change against A) and the full table of both scenarios' results."""
    table = whatif.compare(whatif.outcome_kpis(first.outcome), whatif.outcome_kpis(second.outcome))
    headline = table[table["key"].isin(("kpi_retention_cost_per_customer", "clv_margin_multiple", "label_net_value",
                                        "profit_relative_change"))]
    st.caption(widgets.message("scenarios_cards_caption", s.lang, name=second.label))
    for column, row in zip(st.columns(len(headline)), headline.itertuples(index=False)):
        column.metric(s.t(row.key), widgets.format_value(row.kind, row.b, s),
                      delta=widgets.format_delta(row.kind, row.difference, s), border=True,
                      delta_color="inverse" if row.lower_is_better else "normal",
                      help=s.t("scenarios_delta_help"))
    rows = [{
        "kpi": s.t(row.key),
        "a": widgets.format_value(row.kind, row.a, s),
        "b": widgets.format_value(row.kind, row.b, s),
        "difference": widgets.format_delta(row.kind, row.difference, s) or "±0",
        "relative": "–" if row.relative is None else format_percent(row.relative, s.lang),
        "difference_interval": _difference_range(row.kind, row.difference_interval, s),
        "beyond_uncertainty": "–" if row.beyond_uncertainty is None
        else s.t("scenarios_beyond_yes" if row.beyond_uncertainty else "scenarios_beyond_no"),
    } for row in table.itertuples(index=False)]
    st.dataframe(rows, hide_index=True, height="content", key="scenarios_table", column_config={
        "kpi": s.t("scenarios_column_kpi"),
        "a": f"A: {first.label}",
        "b": f"B: {second.label}",
        "difference": s.t("scenarios_column_difference"),
        "relative": s.t("scenarios_column_relative"),
        "difference_interval": st.column_config.TextColumn(s.t("scenarios_column_difference_interval"),
                                                           help=s.t("scenarios_column_difference_interval_help")),
        "beyond_uncertainty": s.t("scenarios_column_beyond"),
    })


def _difference_range(kind: str, interval: object | None, s: Settings) -> str:
    """The 80 % interval of B − A as text; fractions differ in percentage points (``1,0–2,5 pp``)."""
    if interval is None:
        return "–"
    if kind == "fraction":
        return format_interval_range("score", interval.low * 100, interval.high * 100, s.lang, s.currency) + " pp"
    return format_interval_range(kind, interval.low, interval.high, s.lang, s.currency)


def comparison_charts(first: Evaluated, second: Evaluated, s: Settings) -> None:
    """The uplift curves, the CLV steps and the cost per customer of A and B, each pair in one figure."""
    names = (f"A: {first.label}", f"B: {second.label}")
    pairs = tuple(zip(names, (first.outcome, second.outcome)))
    left, right = st.columns(2)
    with left:
        if all(outcome.profit is not None for _, outcome in pairs):
            widgets.chart(charts.uplift_curves_chart({name: outcome.profit.curve for name, outcome in pairs},
                                                     s.lang, s.currency,
                                                     {name: outcome.profit_band for name, outcome in pairs}),
                          s, key="scenarios_uplift_chart")
    with right:
        if all(outcome.clv is not None and outcome.clv.margin_multiple_clv is not None for _, outcome in pairs):
            sure = {name: {kpi.key: kpi.interval for kpi in whatif.outcome_kpis(outcome)} for name, outcome in pairs}
            widgets.chart(charts.clv_steps_chart({name: outcome.clv for name, outcome in pairs}, s.lang,
                                                 s.currency, sure), s, key="scenarios_clv_chart")
    widgets.chart(charts.cost_per_customer_compare_chart({name: outcome.cost.scenario for name, outcome in pairs},
                                                         s.lang, s.currency), s, key="scenarios_cost_chart")
    if first.period != second.period:
        st.caption(s.t("scenarios_periods_differ"))


def scenario_figures(evaluated: Evaluated, s: Settings) -> dict:
    """The current scenario's charts as the pages draw them, by file stem, for the PNG and HTML exports."""
    outcome = evaluated.outcome
    cost = outcome.cost.scenario
    figures = {"retention_cost": charts.cac_band_chart(
        cost.per_customer, cost.cac_band, outcome.cost.cac, s.lang, s.currency,
        "kpi_acquisition_cost" if outcome.cost.mode == "data" else "label_cac_short")}
    if outcome.clv is not None and outcome.clv.margin_multiple_clv is not None:
        figures["clv_waterfall"] = charts.clv_waterfall_chart(outcome.clv, s.lang, s.currency)
    if outcome.profit is not None:
        figures["uplift_curve"] = charts.uplift_curve_chart(outcome.profit.curve, outcome.values["profit_uplift"],
                                                            s.lang, s.currency, outcome.profit_band)
    if outcome.revenue is not None:
        figures["revenue_bridge"] = charts.revenue_bridge_chart(outcome.revenue, evaluated.period, s.lang, s.currency)
    return figures


def exports(s: Settings) -> None:
    """Download the current settings or any saved scenario (without loading it into the controls) as CSV, XLSX, an
    offline HTML report and its charts as PNG."""
    options = choices()
    choice = st.selectbox(s.t("scenarios_export_which"), options, key="scenarios_export_choice",
                          format_func=lambda option: label(option, s))
    if choice not in options:  # a scenario removed since it was picked
        choice = CURRENT
    name = label(choice, s) if choice is not CURRENT else st.text_input(
        s.t("scenarios_export_name"), value=s.t("scenarios_current"), max_chars=whatif.MAX_NAME_LENGTH,
        key="scenarios_export_name")
    values = saved_scenarios.snapshot(s) if choice is CURRENT else saved_scenarios.saved()[choice]
    current = evaluate(choice, s)
    settings = {"app_currency": s.currency, "app_period": current.period,
                "app_activity_months": values["app_activity_months"]}
    segments = segment_data.export_view(shown_data.aggregates_for(current.period, values["app_activity_months"]),
                                        current.outcome.values, s)
    frame = report.scenario_frame(name, {**settings, **current.outcome.values}, current.outcome, s.lang,
                                  s.currency, current.period, segments)
    stem = report.file_stem(name)
    columns = st.columns(4)
    columns[0].download_button(s.t("download_scenario_csv"), to_csv_bytes(frame, s.lang),
                               file_name=f"{stem}.csv", mime="text/csv", key="scenarios_csv",
                               icon=":material/download:", on_click="ignore")
    columns[1].download_button(s.t("download_scenario_xlsx"), lambda: to_xlsx_bytes(frame, "scenario"),
                               file_name=f"{stem}.xlsx", key="scenarios_xlsx", icon=":material/download:",
                               mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                               on_click="ignore")
    figures = scenario_figures(current, s)
    if segments is not None:
        st.caption(s.t("scenarios_export_segments", dimension=page_results.dimension_name(segments.dimension, s.lang)))
        if not charts.placeable(segments.table).empty:
            figures["segments_value"] = charts.segment_value_chart(segments.table, s.lang, s.currency)
        if segments.uplift["value_change"].notna().any():
            figures["segments_uplift"] = charts.segment_uplift_chart(segments.uplift, s.lang, s.currency)
    subtitle = s.t("report_subtitle", data=shown_data.dataset_name(s.lang),
                   period=s.t(text_keys.PERIOD[current.period]))
    columns[2].download_button(
        s.t("download_report_html"),
        lambda: report.html_report(name, subtitle, frame, list(figures.values()), s.lang, segments=segments,
                                   currency=s.currency).encode("utf-8"),
        file_name=f"{stem}.html", mime="text/html", key="scenarios_html", icon=":material/description:",
        on_click="ignore")
    reason = report.png_unavailable()
    if reason:
        columns[3].info(s.t(reason), icon=":material/image_not_supported:")
    else:
        columns[3].download_button(s.t("download_charts_png"), lambda: _png_zip(figures, s),
                                   file_name=f"{stem}_charts.zip", mime="application/zip", key="scenarios_png",
                                   icon=":material/image:", on_click="ignore")


def _png_zip(figures: dict, s: Settings) -> bytes:
    """The charts as PNGs in a ZIP; if rendering fails after all, a ZIP with a note saying why, never a crash."""
    try:
        return report.figures_zip(figures)
    except report.PngUnavailable as error:
        return report.note_zip(s.t(error.key))
