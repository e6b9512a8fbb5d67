"""Scenarios completed with the data's defaults, their results, A/B differences and scenario names, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_views import whatif
from retention_views.whatif import ScenarioKpi




def test_an_empty_scenario_resolves_to_the_measured_defaults(tiny_aggregates):
    resolved = whatif.resolve(tiny_aggregates, {})
    values = resolved.values
    assert resolved.rejected == ()
    assert values["clv_gross_margin"] == 0.30  # no margin column: the default 30 %
    # nine months of orders: annual retention, retention cost and CAC are not measured: empty, not 0
    assert values["clv_annual_retention"] is None
    assert values["clv_retention_cost_year"] is None and values["clv_cac"] is None and values["cost_typed_cac"] is None
    assert "profit_retention" not in values  # no customer has been observed for a full year yet
    assert values["cost_mode"] == "typed"  # no cost sheet: only the typed-in café
    assert values["overview_period"] == pd.Timestamp("2024-07-01")
    assert values["cohort_periods_since"] == 2  # min(4 quarters a year, the 2 quarters observed)
    assert resolved.defaults == values
    assert whatif.resolve(whatif.data_facts(tiny_aggregates), {}) == resolved  # the facts a session keeps give the same


@pytest.fixture(scope="module")
def sample_aggs(sample_quarterly):
    return sample_quarterly


def test_a_default_follows_the_value_it_depends_on(sample_aggs):
    resolved = whatif.resolve(sample_aggs, {"clv_discount_rate": 0.1, "profit_retention": 0.97})
    assert resolved.values["profit_discount_rate"] == 0.1  # the profit page starts at the CLV page's rate
    assert resolved.defaults["profit_uplift"] == 0.02  # only 2 points left to 99 %
    assert resolved.specs["profit_uplift"].high == pytest.approx(0.02)


def test_values_the_data_cannot_take_fall_back_to_the_default_and_are_named(tiny_aggregates, sample_aggs):
    resolved = whatif.resolve(tiny_aggregates, {"cost_mode": "data", "overview_period": pd.Timestamp("2024-01-01"),
                                     "cohort_periods_since": 3, "clv_horizon": "ten"})
    assert set(resolved.rejected) == {"cost_mode", "overview_period", "cohort_periods_since", "clv_horizon"}
    assert resolved.values["cost_mode"] == "typed"
    assert resolved.values["overview_period"] == pd.Timestamp("2024-07-01")  # Q1 is the warm-up quarter
    assert resolved.values["clv_horizon"] == 5
    resolved = whatif.resolve(sample_aggs, {"profit_retention": 0.9, "profit_uplift": 0.1,
                                            "profit_tenure": {7: 10.0}})
    assert resolved.rejected == ("profit_uplift", "profit_tenure")  # the sample lists customer years 1 and 2
    assert resolved.values["profit_uplift"] == 0.05  # 0.9 + 0.1 would pass 99 %
    assert resolved.values["profit_retention"] == 0.9  # valid values stay
    assert resolved.values["profit_tenure"] == {}


def test_the_typed_cafe_costs_twelve_per_customer_and_the_what_if_moves_it(tiny_aggregates):
    values = whatif.resolve(tiny_aggregates, {}).values
    assert whatif.evaluate(tiny_aggregates, values).cost.scenario.per_customer == pytest.approx(8400 / 700)
    changed = whatif.resolve(tiny_aggregates, {"cost_change_team": 0.1, "cost_active_typed": 800}).values
    # (5,500 + 900 + 2,500) / 800 = 11.125
    assert whatif.evaluate(tiny_aggregates, changed).cost.scenario.per_customer == pytest.approx(11.125)


def test_the_clv_of_a_scenario_uses_its_margin_retention_and_discount(tiny_aggregates):
    values = whatif.resolve(tiny_aggregates, {"clv_discount_rate": 0.0, "clv_gross_margin": 0.5,
                                              "clv_annual_retention": 0.75}).values
    clv = whatif.evaluate(tiny_aggregates, values).clv
    # the last 12 months hold every order: 280 net revenue over 4 buyers × 0.5 = 35 per customer-year;
    # CLV = 35 · (1 + 0) / (1 + 0 − 0.75) = 140
    assert clv.margin_per_year == pytest.approx(35.0)
    assert clv.margin_multiple_clv == pytest.approx(140.0)
    assert clv.net_value is None and clv.clv_gap is None  # no cost or acquisition sheet: unknown, not zero


def test_without_a_measured_retention_no_customer_value_is_shown(tiny_aggregates):
    clv = whatif.evaluate(tiny_aggregates, whatif.resolve(tiny_aggregates, {}).values).clv
    assert clv.margin_multiple_clv is None and clv.simple_clv is None and clv.finite_horizon_clv is None


def test_edited_profits_go_into_the_table_and_only_they_come_back(sample_aggs):
    default = whatif.profits_table(sample_aggs, 0.3, {})
    edited = whatif.profits_table(sample_aggs, 0.3, {2: 99.0})
    assert edited.loc[edited["tenure"] == 2, "profit"].item() == 99.0
    assert edited.loc[edited["tenure"] == 1, "profit"].item() == default.loc[default["tenure"] == 1, "profit"].item()
    assert whatif.edited_profits(edited, sample_aggs, 0.3) == {2: 99.0}
    assert whatif.edited_profits(default, sample_aggs, 0.3) == {}


def test_compare_gives_b_minus_a_and_the_relative_change():
    a = (ScenarioKpi("clv_margin_multiple", "money", 200.0), ScenarioKpi("profit_relative_change", "fraction", 0.10),
         ScenarioKpi("kpi_clv_to_cac", "ratio", None), ScenarioKpi("label_net_value", "money", 0.0))
    b = (ScenarioKpi("clv_margin_multiple", "money", 250.0), ScenarioKpi("profit_relative_change", "fraction", 0.15),
         ScenarioKpi("kpi_clv_to_cac", "ratio", 3.0), ScenarioKpi("label_net_value", "money", -20.0))
    table = whatif.compare(a, b).set_index("key")
    assert table.loc["clv_margin_multiple", "difference"] == 50.0
    assert table.loc["clv_margin_multiple", "relative"] == 0.25  # 50 / 200
    assert table.loc["profit_relative_change", "difference"] == pytest.approx(0.05)  # 5 percentage points
    assert table.loc["kpi_clv_to_cac", "difference"] is None
    assert table.loc["label_net_value", "difference"] == -20.0
    assert table.loc["label_net_value", "relative"] is None  # A is zero


def test_compare_refuses_lists_of_different_kpis():
    with pytest.raises(ValueError, match="cannot compare 'clv_simple' with 'clv_finite'"):
        whatif.compare((ScenarioKpi("clv_simple", "money", 1.0),), (ScenarioKpi("clv_finite", "money", 1.0),))


def test_a_saved_scenario_keeps_what_if_values_but_not_language_or_currency():
    kept = whatif.what_if_values({"app_lang": "en", "app_currency": "USD", "app_period": "month",
                                  "clv_gross_margin": 0.4, "unknown": 1})
    assert kept == {"app_period": "month", "clv_gross_margin": 0.4}


def test_scenario_names_are_trimmed_and_must_be_short_and_not_empty():
    assert whatif.clean_name("  Marge   35 %\n") == "Marge 35 %"
    assert whatif.clean_name("=cmd|' /C calc'!A0") == "=cmd|' /C calc'!A0"  # escaped where shown, not here
    with pytest.raises(whatif.ScenarioNameError, match="needs a name") as empty:
        whatif.clean_name("   ")
    assert empty.value.key == "scenario_name_empty"
    with pytest.raises(whatif.ScenarioNameError, match="at most 60 characters, got 61"):
        whatif.clean_name("x" * 61)


def test_the_cost_page_compares_with_the_typed_cac_or_none(tiny_aggregates):
    defaults = whatif.resolve(tiny_aggregates, {}).values
    assert whatif.evaluate(tiny_aggregates, defaults).cost.cac is None  # nothing typed: unknown
    typed = whatif.resolve(tiny_aggregates, {"cost_typed_cac": 150.0}).values
    assert whatif.evaluate(tiny_aggregates, typed).cost.cac == 150.0


def test_the_uplift_band_at_the_chosen_uplift_is_the_profit_cards_interval(sample_aggs):
    values = whatif.resolve(sample_aggs, {}).values
    band = whatif.profit_curve_band(sample_aggs, values)
    card = whatif.profit_intervals(sample_aggs, values)["relative_change"]
    curve = whatif.profit_result(sample_aggs, values).curve
    at = band["uplift_points"].sub(values["profit_uplift"]).abs().idxmin()
    assert band["uplift_points"][at] == pytest.approx(values["profit_uplift"])  # 5 pp is a step of the curve
    assert (band["relative_low"][at], band["relative_high"][at]) == pytest.approx((card.low, card.high))
    # the band holds the curve from the first step on (at 0 pp it is the line itself)
    assert (band["relative_low"] <= curve["relative_change"] + 1e-12).all()
    assert (curve["relative_change"] <= band["relative_high"] + 1e-12).all()
    assert band["relative_high"].iloc[-1] > band["relative_low"].iloc[-1]


def test_each_input_says_whether_the_sample_measured_it_or_assumes_it(sample_aggs):
    resolved = whatif.resolve(sample_aggs, {})
    source = {key: whatif.input_source(resolved, key, {}) for key in resolved.values}
    assert source["clv_annual_retention"] == source["profit_retention"] == "measured"  # from the orders
    assert source["clv_discount_rate"] == source["profit_discount_rate"] == "assumed"  # a preset
    assert source["profit_uplift"] == "assumed"  # Reichheld's benchmark
    assert {source[f"loyalty_cli_{question}"] for question in whatif.CLI_DEFAULTS} == {"assumed"}  # presets, no survey
    assert source["cost_typed_team"] == "assumed"  # the café example
    assert source["clv_horizon"] is None and source["cohort_periods_since"] is None  # a choice of view: no marker
    assert source["cost_change_team"] is None  # the what-if lever itself, at no change
    assert source["clv_gross_margin"] == "measured"  # the sample's margin column


def test_a_set_value_is_theirs_a_preset_assumed_and_an_empty_input_unmarked(tiny_aggregates, sample_aggs):
    resolved = whatif.resolve(sample_aggs, {"clv_discount_rate": 0.1})
    assert whatif.input_source(resolved, "clv_discount_rate", {"clv_discount_rate": 0.1}) == "yours"
    retention = resolved.defaults["clv_annual_retention"]  # put back at the measured value: measured again
    assert whatif.input_source(resolved, "clv_annual_retention", {"clv_annual_retention": retention}) == "measured"
    unmeasured = whatif.resolve(tiny_aggregates, {})  # nine months: retention and CAC not measured
    assert whatif.input_source(unmeasured, "clv_annual_retention", {}) is None  # at "—": nothing assumed yet
    assert whatif.input_source(unmeasured, "clv_discount_rate", {}) == "assumed"  # a preset
    assert unmeasured.defaults["clv_cac"] is None  # an amount without a preset: the field is empty, no marker
    assert whatif.input_source(unmeasured, "clv_cac", {}) is None
    assert whatif.input_source(unmeasured, "clv_cac", {"clv_cac": 80.0}) == "yours"
