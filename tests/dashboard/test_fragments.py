"""Fragments keep a slider's rerun to the block it changes (issue 30): the frame, the sidebar, a page's prologue and
the blocks a slider cannot change do not run again, and the URL and saved scenarios still follow every step.

Each step is driven as the browser sends it: a rerun of the widget's fragment (``run_fragment``), whose widget
callbacks may name other fragments to rerun with it. ``run_counts.count_run`` counts each block's runs in the session.
"""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_support import block_runs, german_number, metric_value, open_page, run_fragment, titled_charts
from streamlit.testing.v1 import AppTest

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)


def step(app: AppTest, key: str, value: float, fragment: str) -> dict[str, int]:
    """Move the select slider or slider ``key`` to ``value`` inside ``fragment``; return the runs it caused."""
    before = block_runs(app)
    widgets = [widget for widget in (*app.select_slider, *app.slider) if widget.key == key]
    assert widgets, f"no slider {key!r}"
    widgets[0].set_value(value)
    run_fragment(app, fragment)
    after = block_runs(app)
    return {block: after[block] - before.get(block, 0) for block in after if after[block] != before.get(block, 0)}


def test_a_clv_retention_step_reruns_the_what_if_block_and_not_the_predictive_section():
    app = open_page("app_pages/clv.py")
    simple_before = german_number(metric_value(app, "Einfacher CLV"))
    assert step(app, "clv_annual_retention", 80.0, "clv_what_if") == {"clv_what_if": 1}
    assert german_number(metric_value(app, "Einfacher CLV")) > simple_before  # the cards did follow the slider
    assert app.query_params["clv_annual_retention"] == "0.8"


def test_a_clv_margin_step_reruns_the_forecast_too_but_not_the_frame_or_the_holdout_check():
    app = open_page("app_pages/clv.py")
    label = "CLV (BG/NBD + Gamma-Gamma), Mittelwert"
    step(app, "clv_gross_margin", 25.0, "clv_what_if")
    quarter = german_number(metric_value(app, label))
    # the histogram and the top-customer table are the forecast's two call sites; the page, the P(alive) histogram
    # and the holdout check (clv_predictive) and the frame do not run
    assert step(app, "clv_gross_margin", 50.0, "clv_what_if") == {"clv_what_if": 1, "clv_forecast": 2}
    assert german_number(metric_value(app, label)) == pytest.approx(2 * quarter, abs=0.011)  # cards rounded to cents
    assert app.query_params["clv_gross_margin"] == "0.5"


def test_the_top_customers_and_the_holdout_check_are_built_only_once_opened():
    app = open_page("app_pages/clv.py")
    runs = block_runs(app)
    assert "clv_top_customers" not in runs and "clv_holdout" not in runs and not app.dataframe
    app.session_state["clv_top_open"] = True  # what opening the expander does (AppTest cannot click it)
    app.session_state["clv_holdout_open"] = True
    app.run()
    assert not app.exception, app.exception
    assert block_runs(app)["clv_top_customers"] == 1 and block_runs(app)["clv_holdout"] == 1
    assert len(app.dataframe[0].value) == 10
    assert any(markdown.value.startswith("**So lesen Sie den Test:**") for markdown in app.markdown)
    # open, they still do not run again on a retention step; a margin step rebuilds the table, not the check
    assert step(app, "clv_annual_retention", 80.0, "clv_what_if") == {"clv_what_if": 1}
    assert step(app, "clv_gross_margin", 50.0, "clv_what_if") == {"clv_what_if": 1, "clv_forecast": 2,
                                                                   "clv_top_customers": 1}


def test_a_step_inside_a_fragment_is_saved_with_the_scenario_and_kept_on_other_pages():
    app = open_page("app_pages/clv.py")
    step(app, "clv_annual_retention", 80.0, "clv_what_if")
    assert app.session_state["scenario_values"]["clv_annual_retention"] == 0.8
    app.run()  # AppTest keeps only the fragment's elements after its rerun; the browser still shows the sidebar
    app.text_input(key="scenario_save_name").input("Achtzig")
    next(button for button in app.button if button.label == "Speichern").click().run()
    assert not app.exception, app.exception
    assert app.session_state["scenario_saved"]["Achtzig"]["clv_annual_retention"] == 0.8
    app.switch_page("app_pages/overview.py").run()
    assert app.query_params["clv_annual_retention"] == "0.8"  # the frame mirrors the whole scenario again
    app.switch_page("app_pages/clv.py").run()
    assert app.select_slider(key="clv_annual_retention").value == 80.0


def test_a_profit_step_reruns_the_simulator_alone_and_the_growth_slider_only_its_chart():
    app = open_page("app_pages/profit.py")
    assert step(app, "profit_uplift", 10.0, "profit_what_if") == {"profit_what_if": 1, "profit_growth": 1}
    assert app.query_params["profit_uplift"] == "0.1"
    assert step(app, "profit_growth_years", 3, "profit_growth") == {"profit_growth": 1}
    assert app.query_params["profit_growth_years"] == "3"


def test_the_other_pages_sliders_rerun_their_own_block_alone():
    app = open_page("app_pages/loyalty.py")
    assert step(app, "loyalty_cli_recommend", 9.0, "loyalty_cli") == {"loyalty_cli": 1}
    app.switch_page("app_pages/cohorts.py").run()
    assert step(app, "cohort_project_periods", 6, "cohort_projection") == {"cohort_projection": 1}
    app.run()  # AppTest's tree holds only the last fragment's elements; the browser keeps the whole page
    assert step(app, "cohort_periods_since", 2, "cohort_retention_after") == {"cohort_retention_after": 1}
    app.switch_page("app_pages/retention_cost.py").run()
    assert step(app, "cost_change_team", 10.0, "cost_what_if") == {"cost_what_if": 1}
    assert app.query_params["cost_change_team"] == "0.1"


def test_an_overview_period_step_reruns_its_cards_and_the_revenue_bridge_and_not_the_rest_of_the_page():
    app = open_page("app_pages/overview.py")
    cards_before = [metric.value for metric in app.metric]
    assert "Umsatzbrücke Q3 2024 → Q4 2024" in titled_charts(app)
    assert app.select_slider(key="overview_period").value == pd.Timestamp("2024-10-01")  # the sample's last quarter
    assert step(app, "overview_period", pd.Timestamp("2024-07-01"), "overview_period_cards") == {
        "overview_period_cards": 1, "overview_revenue": 1, "overview_revenue_bridge": 1}
    cards_after = [metric.value for metric in app.metric]  # AppTest keeps the fragments' elements only
    assert cards_after[0] != cards_before[0]  # the cards did follow the slider, and the bridge; the trends not sent
    assert list(titled_charts(app)) == ["Umsatzbrücke Q2 2024 → Q3 2024"]
    assert app.query_params["overview_period"] == "2024-07-01"
