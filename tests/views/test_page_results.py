"""Slider scenarios and aggregation bundles, checked against numbers worked out by hand."""

from __future__ import annotations

import dataclasses
import io

import numpy as np
import pandas as pd
import pytest

from retention_core.dataset import Dataset, activity_periods, aggregate
from retention_views import page_results
from retention_views.exports import to_csv_bytes, to_xlsx_bytes


def test_cost_scenario_without_changes_is_the_cafe_example():
    result = page_results.cost_scenario({"team": 5000, "tools": 900, "engagement": 2500}, 700)
    assert result.total == 8400
    assert result.per_customer == pytest.approx(12.0)
    assert result.change == 0
    assert result.cac_band == pytest.approx((60.0, 300.0))  # 5 × 12 and 25 × 12


def test_cost_scenario_applies_relative_changes_per_category_and_a_new_customer_count():
    # Team halved, engagement doubled: 2,500 + 900 + 5,000 = 8,400 over 600 customers = 14.00 (+16.7 % vs 12.00).
    result = page_results.cost_scenario({"team": 5000, "tools": 900, "engagement": 2500}, 600,
                                     {"team": -0.5, "engagement": 1.0}, baseline_active_customers=700)
    assert result.amounts == {"team": 2500, "tools": 900, "engagement": 5000}
    assert result.per_customer == pytest.approx(14.0)
    assert result.change == pytest.approx(14 / 12 - 1)


def clv_inputs(**changes) -> page_results.ClvInputs:
    base = dict(gross_margin=0.5, annual_discount_rate=0.10, retention_rate=0.9, horizon_years=1,
                revenue_per_customer=100.0, average_order_value=25.0, purchase_frequency=4.0,
                retention_cost_per_customer=10.0, acquisition_cost=100.0)
    return page_results.ClvInputs(**{**base, **changes})


def test_clv_scenario_by_hand():
    result = page_results.clv_scenario(clv_inputs())
    assert result.margin_per_year == 50  # 100 per customer-year × 0.5
    assert result.margin_multiple_clv == pytest.approx(275.0)  # 50 · 1.1 / (1.1 − 0.9)
    assert result.finite_horizon_clv == pytest.approx(50.0)  # one year only: the first, certain one
    assert result.simple_clv == pytest.approx(500.0)  # 25 × 0.5 × 4 orders × 10 years
    assert result.expected_lifetime_years == pytest.approx(10.0)
    assert result.lifetime_retention_cost == pytest.approx(55.0)  # 10 · 1.1 / 0.2
    assert result.clv_gap == pytest.approx(220.0)
    assert result.net_value == pytest.approx(120.0)
    assert result.break_even_retention_spend == pytest.approx(50 - 100 * 0.2 / 1.1)
    assert result.clv_to_cac == pytest.approx(2.75)


def test_simple_clv_is_at_least_the_margin_multiple_which_is_at_least_the_finite_horizon():
    result = page_results.clv_scenario(clv_inputs(horizon_years=5))
    assert result.simple_clv >= result.margin_multiple_clv >= result.finite_horizon_clv
    # the finite horizon by hand: 50 · (1 + 0.9/1.1 + (0.9/1.1)² + (0.9/1.1)³ + (0.9/1.1)⁴)
    assert result.finite_horizon_clv == pytest.approx(sum(50 * (0.9 / 1.1) ** t for t in range(5)))


def test_one_time_buyers_are_worth_one_years_margin_in_every_form():
    # retention 0: revenue per customer-year 100 = 25 per order × 4 orders, × 0.5 margin = 50
    result = page_results.clv_scenario(clv_inputs(retention_rate=0.0, horizon_years=5))
    assert result.simple_clv == result.margin_multiple_clv == result.finite_horizon_clv == pytest.approx(50.0)
    assert result.lifetime_retention_cost == pytest.approx(10.0)  # one year's retention spend
    assert result.break_even_retention_spend == pytest.approx(50 - 100)  # no division by r


def test_unknown_inputs_leave_their_figures_unknown_never_zero():
    no_retention = page_results.clv_scenario(clv_inputs(retention_rate=None))
    assert no_retention.margin_per_year == 50
    assert no_retention.margin_multiple_clv is None and no_retention.simple_clv is None
    assert no_retention.clv_gap is None and no_retention.net_value is None
    no_cost = page_results.clv_scenario(clv_inputs(retention_cost_per_customer=None))
    assert no_cost.margin_multiple_clv == pytest.approx(275.0)
    assert no_cost.lifetime_retention_cost is None and no_cost.clv_gap is None and no_cost.net_value is None
    no_cac = page_results.clv_scenario(clv_inputs(acquisition_cost=None))
    assert no_cac.clv_gap == pytest.approx(220.0)
    assert no_cac.net_value is None and no_cac.clv_to_cac is None and no_cac.acquisition_cost is None
    assert no_cac.break_even_retention_spend == pytest.approx(50.0)  # where the CLV gap reaches zero: m
    assert page_results.clv_scenario(clv_inputs(acquisition_cost=0.0)).clv_to_cac is None  # no ratio to 0


def test_retention_at_99_percent_and_a_negative_margin_still_give_numbers():
    high = page_results.clv_scenario(clv_inputs(retention_rate=0.99, annual_discount_rate=0.0))
    assert high.margin_multiple_clv == pytest.approx(50 / 0.01)
    losing = page_results.clv_scenario(clv_inputs(revenue_per_customer=-20.0, average_order_value=-5.0))
    assert losing.margin_multiple_clv == pytest.approx(-10 * 1.1 / 0.2)
    assert losing.simple_clv == pytest.approx(-5 * 0.5 * 4 * 10)


def profit_inputs(**changes) -> page_results.ProfitInputs:
    base = dict(profits_by_tenure=(100.0, 200.0, 300.0), annual_retention_rate=0.9, uplift_points=0.05,
                annual_discount_rate=0.0, acquisition_cost=None, horizon_years=None)
    return page_results.ProfitInputs(**{**base, **changes})


def test_flat_profits_are_worth_the_margin_multiple_clv_minus_cac():
    inputs = profit_inputs(profits_by_tenure=(50.0,), annual_retention_rate=0.6, annual_discount_rate=0.08,
                           acquisition_cost=30.0)
    clv = page_results.clv_scenario(clv_inputs(revenue_per_customer=100.0, retention_rate=0.6,
                                            annual_discount_rate=0.08, acquisition_cost=30.0))
    assert page_results.profit_scenario(inputs).value_before == pytest.approx(clv.margin_multiple_clv - 30.0)


def test_reichheld_verdict_names_the_reasons_when_below_the_band():
    inputs = profit_inputs(profits_by_tenure=(100.0, 100.0), annual_retention_rate=0.5, annual_discount_rate=0.2)
    verdict = page_results.reichheld_verdict(inputs)
    assert verdict.position == "below"
    assert verdict.reasons == ("short_lifetime", "flat_profits", "high_discount")


def test_reichheld_verdict_judges_the_computed_five_points_never_a_rescaled_ten():
    # flat profit 100, i = 0: V(r) = 100 / (1 − r). 71 % → 76 %: 344.83 → 416.67 = +20.8 %, below the band;
    # +10 points (81 %: 526.32, +52.6 %) rescaled to 5 would have read +26.3 %, "inside"
    inputs = profit_inputs(profits_by_tenure=(100.0,), annual_retention_rate=0.71, uplift_points=0.10)
    verdict = page_results.reichheld_verdict(inputs)
    assert verdict.uplift_points == 0.05
    assert verdict.relative_change == pytest.approx((1 / 0.24) / (1 / 0.29) - 1)  # 0.2083…
    assert verdict.position == "below"
    assert verdict.value_change == pytest.approx(100 / 0.24 - 100 / 0.29)


def test_near_a_customer_value_of_zero_the_verdict_is_in_money():
    # value before CAC 100 / 0.5 = 200; CAC 190 leaves 10 (5 % of 200): a percentage would read +100 % and more
    inputs = profit_inputs(profits_by_tenure=(100.0,), annual_retention_rate=0.5, acquisition_cost=190.0)
    verdict = page_results.reichheld_verdict(inputs)
    assert verdict.position == "absolute" and verdict.reasons == ("near_zero",)
    assert verdict.relative_change is None
    assert verdict.value_change == pytest.approx(100 / 0.45 - 200)
    assert page_results.reichheld_verdict(profit_inputs(acquisition_cost=1e6)).position == "absolute"


def test_the_verdict_stops_below_99_percent_retention():
    capped = page_results.reichheld_verdict(profit_inputs(annual_retention_rate=0.96))
    assert capped.uplift_points == pytest.approx(0.03) and "capped" in capped.reasons
    assert page_results.reichheld_verdict(profit_inputs(annual_retention_rate=0.99)).position == "no_room"


def test_uplift_curve_starts_at_no_change_and_stops_before_full_retention():
    curve = page_results.uplift_curve(profit_inputs(annual_retention_rate=0.95), steps=5)
    assert curve["relative_change"].iloc[0] == 0 and curve["value_change"].iloc[0] == 0
    assert curve["uplift_points"].iloc[-1] == pytest.approx(0.04)  # 99 % − 95 %
    assert curve["relative_change"].is_monotonic_increasing


def test_the_uplift_band_is_the_percentile_interval_of_three_replicate_curves():
    # one profit of 100 a year, no discounting, no CAC: V = 100 / (1 − r), so the relative increase at +u is
    # (1 − r) / (1 − r − u) − 1 = u / (1 − r − u). Replicates r = 0.5, 0.6, 0.8; shown 80 %: uplifts 0, 5, 10 pp
    inputs = profit_inputs(profits_by_tenure=(100.0,), annual_retention_rate=0.8)
    band = page_results.uplift_curve_band(inputs, np.array([0.5, 0.6, 0.8]), np.full(3, np.nan), steps=3)
    assert band["uplift_points"].tolist() == pytest.approx([0.0, 0.05, 0.10])
    # at 0 pp nothing changes in any replicate
    assert band.iloc[0][["relative_low", "relative_high", "value_low", "value_high"]].tolist() == [0, 0, 0, 0]
    # at 5 pp: 0.05/0.45 = 0.1111, 0.05/0.35 = 0.1429, 0.05/0.15 = 0.3333; the 10 % and 90 % quantiles of three
    # values lie 0.2 and 1.8 steps up the sorted list
    at_five = [0.05 / 0.45, 0.05 / 0.35, 0.05 / 0.15]
    assert band["relative_low"].iloc[1] == pytest.approx(at_five[0] + 0.2 * (at_five[1] - at_five[0]))  # 0.1175
    assert band["relative_high"].iloc[1] == pytest.approx(at_five[1] + 0.8 * (at_five[2] - at_five[1]))  # 0.2952
    # at 10 pp: 0.1/0.4 = 0.25, 0.1/0.3 = 0.3333, 0.1/0.1 = 1.0; in money 100/0.4 − 200 = 50, 100/0.3 − 250 = 83.33,
    # 100/0.1 − 500 = 500
    assert band["relative_low"].iloc[2] == pytest.approx(0.25 + 0.2 * (0.1 / 0.3 - 0.25))
    assert band["relative_high"].iloc[2] == pytest.approx(0.1 / 0.3 + 0.8 * (1.0 - 0.1 / 0.3))
    assert band["value_low"].iloc[2] == pytest.approx(50 + 0.2 * (250 / 3 - 50))
    assert band["value_high"].iloc[2] == pytest.approx(250 / 3 + 0.8 * (500 - 250 / 3))


def test_the_uplift_band_is_missing_where_the_replicates_give_no_percentage():
    # CAC 190 against 100 / (1 − r): at r = 0.5 the value before is 10, 5 % of 200, too little for a percentage
    inputs = profit_inputs(profits_by_tenure=(100.0,), annual_retention_rate=0.5, acquisition_cost=190.0)
    band = page_results.uplift_curve_band(inputs, np.array([0.5, 0.5, 0.6]), np.full(3, 190.0), steps=2)
    assert band["relative_low"].isna().all() and band["relative_high"].isna().all()
    # two of three replicates have no percentage (fewer than half defined: no interval); in money the change at
    # 10 pp is 100/0.4 − 100/0.5 = 50 twice and 100/0.3 − 100/0.4 = 83.33 once
    assert band["value_high"].iloc[1] == pytest.approx(50 + 0.8 * (250 / 3 - 50))  # 76.67


def test_customer_base_grows_as_retention_plus_acquisition_to_the_power_of_years():
    growth = page_results.customer_base_growth(0.8, 0.3, 0.05, 2)
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


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_period_ends_of_a_column_are_those_of_each_date(period):
    starts = pd.Series(pd.to_datetime(["2024-01-01", "2024-02-01", "2023-12-01", "2024-01-31"]))
    expected = [page_results.period_end(start, period) for start in starts]
    assert page_results.period_end(starts, period).tolist() == expected
    assert page_results.period_end(pd.Timestamp("2024-01-01"), period) == pd.Timestamp(
        {"month": "2024-01-31", "quarter": "2024-03-31", "year": "2024-12-31"}[period])


def test_the_data_end_is_the_last_order_and_is_looked_up_once(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    assert page_results.data_end(aggs) == pd.Timestamp("2024-09-30")  # D's order
    assert "data_end" in vars(aggs)  # kept: the next rerun does not scan the customers again
    # a last period observed for less than a week before the data ends is not complete
    later = dataclasses.replace(aggs, customers=aggs.customers.assign(last_order=pd.Timestamp("2024-09-20")))
    assert page_results.data_end(later) == pd.Timestamp("2024-09-20")
    assert page_results.complete_periods(later)["period_start"].max() == pd.Timestamp("2024-04-01")
    assert page_results.complete_periods(aggs)["period_start"].max() == pd.Timestamp("2024-07-01")


def test_loyalty_facts_count_repeaters_and_multi_product_customers(tiny_dataset):
    facts = page_results.loyalty_facts(aggregate(tiny_dataset, "quarter", 3))
    assert facts.customers == 4
    assert facts.repeat_purchase_rate == pytest.approx(2 / 4)  # A and C
    assert facts.upsell_rate == pytest.approx(1 / 4)  # A bought two products
    assert facts.upsell_ratio == pytest.approx(1 / 3)
    assert facts.nps is None


def test_overview_kpis_compare_with_the_previous_period(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    kpis = {kpi.key: kpi for kpi in page_results.overview_kpis(aggs, pd.Timestamp("2024-07-01"))}
    assert kpis["active_customers"].value == 3 and kpis["active_customers"].previous == 2
    assert kpis["new_customers"].value == 1  # D's first order
    assert kpis["retention_rate"].value == pytest.approx(1.0)  # (3 − 1) / 2
    assert kpis["retention_rate"].delta == pytest.approx(0.5)  # previous (2 − 1) / 2
    assert kpis["retention_cost_per_customer"].value is None  # no cost sheet
    assert kpis["acquisition_cost"].value is None  # no acquisition sheet: unknown, not 0


def test_the_first_measurable_period_is_never_compared_with_a_warm_up_period(tiny_dataset):
    aggs = aggregate(tiny_dataset, "quarter", 3)
    assert page_results.period_options(aggs)[0] == pd.Timestamp("2024-04-01")  # Q1 is the warm-up quarter
    assert page_results.previous_period(aggs, pd.Timestamp("2024-04-01")) is None
    kpis = page_results.overview_kpis(aggs, pd.Timestamp("2024-04-01"))
    assert all(kpi.previous is None and kpi.delta is None for kpi in kpis)


def test_returning_buyers_are_the_periods_buyers_who_had_ordered_before(tiny_dataset):
    # Q3: A (since Q1) and C (since Q2) had ordered before, D buys for the first time: 2 of 3 buyers
    facts = page_results.period_facts(aggregate(tiny_dataset, "quarter", 3), pd.Timestamp("2024-07-01"))
    assert facts.buyers == 3
    assert facts.returning_buyer_share == pytest.approx(2 / 3)


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
    assert cells[0].value == "=x" and cells[2].value == "+1+1"  # as written, with Excel's quote prefix: text
    assert all(cell.quotePrefix for cell in cells[:5])
    assert sheet.cell(row=2, column=2).value == -12.5


def test_periods_whose_activity_window_reaches_before_the_first_order_are_warm_up():
    # Orders from 5 Jan 2024; a 6-month window: Q1 (window from 1 Oct 2023) and Q2 (from 1 Jan 2024 ... the end of
    # Q2 is 1 Jul, window start 1 Jan = the first day of data: measured) -> only Q1 is warm-up.
    from retention_core.dataset import Dataset, aggregate
    from retention_views import charts

    orders = pd.DataFrame({"customer_id": pd.array(["A", "B", "A"], dtype="str"),
                           "order_date": pd.to_datetime(["2024-01-05", "2024-04-02", "2024-07-03"]),
                           "amount": [10.0, 20.0, 30.0]})
    costs = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01"]),
                          "category": ["team", "team", "team"], "amount": [90.0, 90.0, 90.0]})
    aggs = aggregate(Dataset(transactions=orders, retention_costs=costs, key="warm", name="warm"), "quarter", 6)
    wide = page_results.cost_items_wide(aggs)
    assert wide["warm_up"].tolist() == [True, False, False]
    figure = charts.cost_per_customer_chart(wide, "quarter", "de", "EUR")
    line, warm_up = figure.data
    assert np.isnan(line.y[0]) and line.y[1] == pytest.approx(45.0)  # 90 / 2 customers (A and B in the window)
    assert warm_up.y[0] == pytest.approx(90.0) and warm_up.name.startswith("Anlaufphase")
