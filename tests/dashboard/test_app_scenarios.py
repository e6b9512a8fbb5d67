"""Consultant mode through the real frame: links set the widgets, tampered links fall back with a notice, saved
scenarios are compared and loaded back. Expected numbers are the café example worked out by hand:
(5,000 + 900 + 2,500) / 700 = 12.00 per customer; team +10 %: 8,900 / 700 = 12.71; over 900 customers: 9.89.
"""

from __future__ import annotations

import pandas as pd
import pytest
from apptest_support import APP, metric_value, open_page
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from retention_views import text_keys
from retention_views.texts import template
from retention_views.url_params import PARAMS

pytestmark = pytest.mark.slow  # whole-page AppTests; the quick run has the smoke test of every page (test_app.py)

COST_PER_CUSTOMER = "Bindungskosten je aktivem Kunden"


def open_link(params: dict[str, str], page: str | None = None) -> AppTest:
    """Open the app as a browser opens a shared link: query parameters before the first run."""
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    app.run()  # the browser's "painted" after the first run (dashboard.first_paint): the run that draws the charts
    assert not app.exception, app.exception
    if page:
        app.switch_page(page).run()
        assert not app.exception, app.exception
    return app


def test_a_link_sets_the_widgets_and_the_numbers_follow():
    app = open_link({"cost_mode": "typed", "cost_change_team": "0.1", "cost_active_typed": "900"},
                    "app_pages/retention_cost.py")
    assert app.button_group(key="cost_mode").value == "typed"
    assert app.select_slider(key="cost_change_team").value == 10.0
    assert app.text_input(key="cost_active_typed").value == "900"
    assert metric_value(app, COST_PER_CUSTOMER) == "9,89\u00a0€"  # 8,900 / 900 = 9.888…
    assert not app.info  # nothing was ignored


def test_a_link_picks_the_overview_period():
    app = open_link({"overview_period": "2024-07-01"})
    assert app.select_slider(key="overview_period").value == pd.Timestamp("2024-07-01")
    assert not app.info


def test_a_link_sets_language_and_what_if_values_on_other_pages():
    app = open_link({"app_lang": "en", "clv_gross_margin": "0.5", "clv_horizon": "12", "app_period": "year"},
                    "app_pages/clv.py")
    assert app.title[0].value == "CLV & gap"
    assert app.select_slider(key="clv_gross_margin").value == 50.0
    assert app.slider(key="clv_horizon").value == 12
    assert app.button_group(key="app_period").value == "year"


def test_a_tampered_link_falls_back_to_the_defaults_and_says_what_was_ignored():
    app = open_link({"app_lang": "xx", "clv_horizon": "banana", "cost_mode": "typed", "cost_typed_active": "-5",
                     "cost_change_team": "1e999", "overview_period": "1999-01-01", "profit_tenure": "<script>",
                     "clv_gross_margin": "0.4"})
    notice = " ".join(info.value for info in app.info)
    for name in ("Sprache", "CLV: Horizont (Jahre)", "Bindungskosten: aktive Kunden (eingegeben)",
                 "Was-wäre-wenn: Team", "Überblick: Zeitraum", "Gewinn je Kundenjahr"):
        assert name in notice
    assert "Bruttomarge" not in notice  # the valid value is kept
    assert app.title[0].value == "Überblick"  # German, the default language
    params = dict(app.query_params)
    assert params == {"cost_mode": "typed", "clv_gross_margin": "0.4"}  # ignored values left the URL
    app.switch_page("app_pages/retention_cost.py").run()
    assert not app.exception
    assert metric_value(app, COST_PER_CUSTOMER) == "12,00\u00a0€"  # café defaults: 8,400 / 700
    assert not app.info  # the notice is shown once


def test_links_that_crashed_every_page_fall_back_and_name_what_was_ignored():
    # issue 24: "+-5" passed the digit check and then raised from int() in the frame, on every page
    app = open_link({"cost_typed_active": "+-5", "clv_horizon": "+-5", "cohort_project_periods": "²",
                     "profit_tenure": "²:5", "clv_gross_margin": "0.4"})
    notice = " ".join(info.value for info in app.info)
    for key in ("cost_typed_active", "clv_horizon", "cohort_project_periods", "profit_tenure"):
        assert template(text_keys.PARAM[key], "de") in notice
    assert dict(app.query_params) == {"clv_gross_margin": "0.4"}
    app.switch_page("app_pages/cohorts.py").run()
    assert not app.exception, app.exception
    assert app.slider(key="cohort_project_periods").value == 4  # the default


PAGES = ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "scenarios", "data")
LINK_TEXT = st.text(max_size=12) | st.from_regex(r"[+\-]{0,2}[0-9.:,e²]{0,8}", fullmatch=True) | st.sampled_from(
    ["none", "2024-07-01", "1e308", "-0", "nan", "1:1e308", "0.99", "36", "1000000000"])


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(link=st.fixed_dictionaries({key: LINK_TEXT for key in PARAMS}), page=st.sampled_from(PAGES))
def test_no_link_value_of_any_parameter_crashes_any_page(link, page):
    """Arbitrary text in every parameter at once, opened on any page: the page renders, and every parameter either
    holds its value in the URL or is named in the notice."""
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in link.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, app.exception
    notice = " ".join(info.value for info in app.info)
    app.switch_page(f"app_pages/{page}.py").run()
    assert not app.exception, (page, app.exception)
    notice += " ".join(info.value for info in app.info)
    lang = app.session_state["app_lang"]
    for key in PARAMS:
        assert key in app.query_params or template(text_keys.PARAM[key], lang) in notice or key not in link, key


def test_moving_a_slider_writes_it_to_the_url_and_moving_it_back_removes_it():
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    app.select_slider(key="cost_change_team").set_value(10.0).run()
    assert app.query_params["cost_mode"] == "typed"
    assert app.query_params["cost_change_team"] == "0.1"
    app.select_slider(key="cost_change_team").set_value(0.0).run()
    assert "cost_change_team" not in app.query_params


def test_a_value_survives_a_visit_to_another_page():
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    app.select_slider(key="cost_change_team").set_value(10.0).run()
    app.switch_page("app_pages/overview.py").run()
    app.switch_page("app_pages/retention_cost.py").run()
    assert not app.exception
    assert metric_value(app, COST_PER_CUSTOMER) == "12,71\u00a0€"


def save_scenario(app: AppTest, name: str) -> AppTest:
    app.text_input(key="scenario_save_name").input(name)
    next(button for button in app.button if button.label == "Speichern").click().run()
    assert not app.exception, app.exception
    return app


def test_scenarios_page_compares_a_saved_scenario_with_the_current_settings():
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    save_scenario(app, "Café heute")
    assert any("Café heute" in success.value for success in app.success)
    app.select_slider(key="cost_change_team").set_value(10.0).run()
    app.switch_page("app_pages/scenarios.py").run()
    assert not app.exception
    app.selectbox(key="scenarios_a").set_value("Café heute").run()
    app.selectbox(key="scenarios_b").select_index(0).run()  # the current settings
    assert not app.exception
    # B = current (team +10 %): 12.71; A = saved: 12.00; B − A = +0.71 (+5.95 %, i.e. 500 / 8,400).
    card = next(metric for metric in app.metric if metric.label == COST_PER_CUSTOMER)
    assert card.value == "12,71\u00a0€"
    assert card.delta == "+0,71\u00a0€"
    table = app.dataframe[0].value
    row = table[table["kpi"] == COST_PER_CUSTOMER].iloc[0]
    assert (row["a"], row["b"], row["difference"], row["relative"]) == (
        "12,00\u00a0€", "12,71\u00a0€", "+0,71\u00a0€", "6,0\u00a0%")


def team_plus_ten_saved_and_moved_on():
    """The typed cost page with "Team plus zehn" (+10 % team) saved, the team slider then moved to −50 %, and the
    Scenarios page open."""
    app = open_page("app_pages/retention_cost.py")
    app.button_group(key="cost_mode").set_value("typed").run()
    app.select_slider(key="cost_change_team").set_value(10.0).run()
    save_scenario(app, "Team plus zehn")
    app.select_slider(key="cost_change_team").set_value(-50.0).run()
    app.switch_page("app_pages/scenarios.py").run()
    return app


def test_loading_a_saved_scenario_puts_it_back_into_the_widgets():
    app = team_plus_ten_saved_and_moved_on()
    app.selectbox(key="scenarios_a").set_value("Team plus zehn").run()
    app.button(key="scenarios_load_a").click().run()
    assert not app.exception
    assert app.query_params["cost_change_team"] == "0.1"
    app.switch_page("app_pages/retention_cost.py").run()
    assert app.select_slider(key="cost_change_team").value == 10.0
    assert metric_value(app, COST_PER_CUSTOMER) == "12,71\u00a0€"


@pytest.mark.parametrize("lang", ["de", "en"])
def test_scenarios_page_renders_with_its_exports_in_both_languages(lang):
    app = open_page("app_pages/scenarios.py", lang)
    assert app.title[0].value == {"de": "Szenarien", "en": "Scenarios"}[lang]
    labels = [button.label for button in app.get("download_button")]
    assert {"CSV", "Excel (.xlsx)"} <= set(labels)
    assert any("HTML" in label for label in labels)
    assert any("PNG" in label for label in labels) or any("PNG" in info.value for info in app.info)


def test_an_empty_name_is_not_saved_and_the_user_is_told():
    app = open_page("app_pages/overview.py")
    save_scenario(app, "   ")
    assert any("Namen" in error.value for error in app.error)
    assert not app.success
    app.switch_page("app_pages/scenarios.py").run()
    assert app.selectbox(key="scenarios_a").options == ["Aktuelle Einstellungen"]


def test_settings_survive_a_change_of_language():
    app = open_page("app_pages/profit.py")
    app.selectbox(key="app_activity_months").set_value(6).run()
    app.selectbox(key="profit_horizon").set_value(10).run()
    app.button_group(key="app_lang").set_value("en").run()
    assert not app.exception
    assert app.selectbox(key="app_activity_months").value == 6
    assert app.selectbox(key="profit_horizon").value == 10
    assert app.query_params["app_activity_months"] == "6" and app.query_params["app_lang"] == "en"


def test_the_unlimited_horizon_is_shown_as_chosen_not_as_an_empty_choice():
    app = open_page("app_pages/profit.py")
    horizon = app.selectbox(key="profit_horizon")
    assert horizon.value is not None and horizon.options[0] == "unbegrenzt"  # None would show the placeholder
    assert "profit_horizon" not in app.query_params and not app.exception


def test_every_page_and_the_scenarios_survive_a_one_order_upload():
    app = open_page("app_pages/data.py")
    app.file_uploader(key="data_file_transactions").set_value(
        ("eine.csv", "Kundennummer;Bestelldatum;Betrag\nK1;05.01.2024;10,00\n".encode(), "text/csv")).run()
    app.button(key="data_use").click().run()
    save_scenario(app, "Eine Bestellung")
    for page in ("overview", "retention_cost", "clv", "profit", "cohorts", "loyalty", "scenarios"):
        app.switch_page(f"app_pages/{page}.py").run()
        assert not app.exception, (page, app.exception)
    assert metric_value(app, COST_PER_CUSTOMER) == "12,00\u00a0€"  # the typed-in café, no cost sheet


def test_a_saved_scenario_is_exported_without_loading_it_into_the_controls(monkeypatch):
    from dashboard import comparison

    exported = []
    monkeypatch.setattr(comparison, "to_csv_bytes", lambda frame, lang: exported.append(frame) or b"")
    app = team_plus_ten_saved_and_moved_on()
    app.selectbox(key="scenarios_export_choice").set_value("Team plus zehn").run()
    assert not app.exception, app.exception
    frame = exported[-1]
    shown = dict(zip(frame.iloc[:, 1], frame.iloc[:, 3]))
    assert frame.iloc[0, 2] == "Team plus zehn"
    assert shown[COST_PER_CUSTOMER] == "12,71\u00a0€"  # (5.500 + 900 + 2.500) / 700, the saved +10 %
    assert app.query_params["cost_change_team"] == "-0.5"  # the controls keep what the user set
