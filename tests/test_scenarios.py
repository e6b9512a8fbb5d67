"""Slider scenarios and aggregation bundles, checked against numbers worked out by hand."""

from __future__ import annotations

import dataclasses
import io

import pandas as pd
import pytest

from retention_core import scenarios
from retention_core.dataset import Dataset, activity_periods, aggregate
from retention_core.exports import to_csv_bytes, to_xlsx_bytes


def test_cost_scenario_without_changes_is_the_cafe_example():
    result = scenarios.cost_scenario({"team": 5000, "tools": 900, "engagement": 2500}, 700)
    assert result.total == 8400
    assert result.per_customer == pytest.approx(12.0)
    assert result.change == 0
    assert result.cac_band == pytest.approx((60.0, 300.0))  # 5 × 12 and 25 × 12


def test_cost_scenario_applies_relative_changes_per_category_and_a_new_customer_count():
    # Team halved, engagement doubled: 2,500 + 900 + 5,000 = 8,400 over 600 customers = 14.00 (+16.7 % vs 12.00).
    result = scenarios.cost_scenario({"team": 5000, "tools": 900, "engagement": 2500}, 600,
                                     {"team": -0.5, "engagement": 1.0}, baseline_active_customers=700)
    assert result.amounts == {"team": 2500, "tools": 900, "engagement": 5000}
    assert result.per_customer == pytest.approx(14.0)
    assert result.change == pytest.approx(14 / 12 - 1)


def clv_inputs(**changes) -> scenarios.ClvInputs:
    base = dict(periods_per_year=1, gross_margin=0.5, annual_discount_rate=0.10, retention_rate=0.9, horizon_years=1,
                revenue_per_customer=100.0, average_order_value=25.0, purchase_frequency=4.0,
                retention_cost_per_customer=10.0, acquisition_cost=100.0)
    return scenarios.ClvInputs(**{**base, **changes})


def test_clv_scenario_by_hand():
    result = scenarios.clv_scenario(clv_inputs())
    assert result.margin_per_period == 50  # 100 × 0.5
    assert result.margin_multiple_clv == pytest.approx(225.0)  # 50 · 0.9 / (1.1 − 0.9)
    assert result.finite_horizon_clv == pytest.approx(50 * 0.9 / 1.1)  # one year only
    assert result.simple_clv == pytest.approx(500.0)  # 25 × 0.5 × 4 orders × 10 years
    assert result.expected_lifetime_years == pytest.approx(10.0)
    assert result.lifetime_retention_cost == pytest.approx(45.0)  # 10 · 0.9 / 0.2
    assert result.clv_gap == pytest.approx(180.0)
    assert result.net_value == pytest.approx(80.0)
    assert result.break_even_retention_spend == pytest.approx(50 - 100 * 0.2 / 0.9)
    assert result.clv_to_cac == pytest.approx(2.25)


def test_quarterly_clv_converts_the_annual_discount_rate_and_counts_lifetime_in_years():
    result = scenarios.clv_scenario(clv_inputs(periods_per_year=4, annual_discount_rate=0.0, retention_rate=0.75))
    assert result.discount_rate_per_period == 0
    assert result.expected_lifetime_years == pytest.approx(1.0)  # 1 / 0.25 = 4 quarters
    assert result.margin_multiple_clv == pytest.approx(50 * 0.75 / 0.25)


def profit_inputs(**changes) -> scenarios.ProfitInputs:
    base = dict(profits_by_tenure=(100.0, 200.0, 300.0), annual_retention_rate=0.9, uplift_points=0.05,
                annual_discount_rate=0.0, acquisition_cost=0.0, horizon_years=None)
    return scenarios.ProfitInputs(**{**base, **changes})


def test_reichheld_verdict_names_the_reasons_when_below_the_band():
    inputs = profit_inputs(profits_by_tenure=(100.0, 100.0), annual_retention_rate=0.5, annual_discount_rate=0.2)
    verdict = scenarios.reichheld_verdict(inputs, scenarios.profit_scenario(inputs))
    assert verdict.position == "below"
    assert verdict.reasons == ("short_lifetime", "flat_profits", "high_discount")


def test_reichheld_verdict_is_undefined_when_value_before_is_not_positive():
    inputs = profit_inputs(acquisition_cost=1e6)
    assert scenarios.reichheld_verdict(inputs, scenarios.profit_scenario(inputs)).position == "undefined"


def test_uplift_curve_starts_at_no_change_and_stops_before_full_retention():
    curve = scenarios.uplift_curve(profit_inputs(annual_retention_rate=0.95), steps=5)
    assert curve["relative_change"].iloc[0] == 0
    assert curve["uplift_points"].iloc[-1] == pytest.approx(0.04)  # 99 % − 95 %
    assert curve["relative_change"].is_monotonic_increasing


def test_customer_base_grows_as_retention_plus_acquisition_to_the_power_of_years():
    growth = scenarios.customer_base_growth(0.8, 0.3, 0.05, 2)
    assert growth["without_uplift"].tolist() == pytest.approx([1.0, 1.1, 1.21])
    assert growth["with_uplift"].tolist() == pytest.approx([1.0, 1.15, 1.15 ** 2])


@pytest.fixture
def tiny_dataset() -> Dataset:
    """A: Q1, Q2, Q3; B: Q1 only; C: Q2, Q3; D: Q3. Products: A buys two kinds."""
    orders = pd.DataFrame({
        "customer_id": pd.array(["A", "A", "A", "B", "C", "C", "D"], dtype="str"),
        "order_date": pd.to_datetime(["2024-01-05", "2024-04-05", "2024-07-05", "2024-02-01", "2024-05-01",
                                      "2024-08-01", "2024-09-30"]),
        "amount": [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0],
        "product": pd.array(["Espresso", "Filter", "Espresso", "Abo", "Abo", "Abo", "Abo"], dtype="str"),
    })
    return Dataset(transactions=orders, key="tiny", name="tiny")


def test_baseline_pools_complete_periods_by_hand(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    # Q2: S = {A, B} = 2, N = {C}, E = {A, C}: lost B. Q3: S = 2, N = {D}, E = {A, C, D}.
    baseline = scenarios.measured_baseline(aggs)
    assert baseline.periods_used == 2
    assert baseline.retention_rate == pytest.approx((2 - 1 + 3 - 1) / (2 + 2))  # Σ(E − N) / ΣS = 3 / 4
    assert baseline.revenue_per_customer == pytest.approx((70 + 160) / (2 + 3))
    assert baseline.average_order_value == pytest.approx(230 / 5)


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_period_ends_of_a_column_are_those_of_each_date(period):
    starts = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2023-12-01", "2024-01-31"]))
    expected = [scenarios.period_end(start, period) for start in starts]
    assert scenarios.period_end(starts, period).tolist() == expected
    assert scenarios.period_end(pd.Timestamp("2024-01-01"), period) == pd.Timestamp(
        {"month": "2024-01-31", "quarter": "2024-03-31", "year": "2024-12-31"}[period])


def test_the_data_end_is_the_last_order_and_is_looked_up_once(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    assert scenarios.data_end(aggs) == pd.Timestamp("2024-09-30")  # D's order
    assert "data_end" in vars(aggs)  # kept: the next rerun does not scan the customers again
    # a last period observed for less than a week before the data ends is not complete
    later = dataclasses.replace(aggs, customers=aggs.customers.assign(last_order=pd.Timestamp("2024-09-20")))
    assert scenarios.data_end(later) == pd.Timestamp("2024-09-20")
    assert scenarios.complete_periods(later)["period_start"].max() == pd.Timestamp("2024-04-01")
    assert scenarios.complete_periods(aggs)["period_start"].max() == pd.Timestamp("2024-07-01")


def test_loyalty_facts_count_repeaters_and_multi_product_customers(tiny_dataset):
    facts = scenarios.loyalty_facts(aggregate(tiny_dataset, "quarter", 3))
    assert facts.customers == 4
    assert facts.repeat_purchase_rate == pytest.approx(2 / 4)  # A and C
    assert facts.upsell_rate == pytest.approx(1 / 4)  # A bought two products
    assert facts.upsell_ratio == pytest.approx(1 / 3)
    assert facts.nps is None


def test_overview_kpis_compare_with_the_previous_period(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    kpis = {kpi.key: kpi for kpi in scenarios.overview_kpis(aggs, pd.Timestamp("2024-07-01"),
                                                             scenarios.Assumptions())}
    assert kpis["active_customers"].value == 3 and kpis["active_customers"].previous == 2
    assert kpis["retention_rate"].value == pytest.approx(1.0)  # (3 − 1) / 2
    assert kpis["retention_rate"].delta == pytest.approx(0.5)  # previous (2 − 1) / 2
    assert kpis["retention_cost_per_customer"].value is None  # no cost sheet


def test_activity_window_is_a_whole_number_of_periods():
    assert activity_periods("month", 12) == 12
    assert activity_periods("quarter", 12) == 4
    assert activity_periods("year", 3) == 1
    with pytest.raises(ValueError, match="activity_months must be one of"):
        activity_periods("quarter", 5)


HOSTILE = pd.DataFrame({
    "=x": ['=HYPERLINK("http://evil.example","klick")', "+1+1", "@SUM(1)", "\t=1", "Müller"],
    "amount": [-12.5, 1.0, 2.0, 3.0, 4.0],
})


def test_csv_export_neutralises_formulas_but_keeps_negative_numbers():
    text = to_csv_bytes(HOSTILE, "en").decode("utf-8-sig")
    back = pd.read_csv(io.StringIO(text))
    assert list(back.columns) == ["'=x", "amount"]
    assert back["'=x"].tolist()[:4] == ["'=HYPERLINK(\"http://evil.example\",\"klick\")", "'+1+1", "'@SUM(1)", "'\t=1"]
    assert back["'=x"].iloc[4] == "Müller"
    assert back["amount"].iloc[0] == -12.5


def test_xlsx_export_writes_user_strings_as_text_cells():
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(HOSTILE))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=1, max_row=6)]
    assert all(cell.data_type == "s" for cell in cells)
    assert cells[0].value == "'=x" and cells[2].value == "'+1+1"
    assert sheet.cell(row=2, column=2).value == -12.5
