"""How sure we are: the Poisson bootstrap of the annual basis, the intervals it gives, and their coverage.

The propagation tests give three replicate bases whose CLVs are worked out by hand in the test; the coverage test
draws data sets from a known geometric retention and counts how often the 80 % interval holds the true CLV.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from retention_core import intervals, queries

from hand_orders import three_years_orders
from retention_core.customer_value import AnnualBasis, annual_basis
from retention_core.dataset import Dataset, aggregate
from retention_core.intervals import BasisReplicates, Interval, percentile_interval
from retention_views import page_results, whatif

AS_OF = pd.Timestamp("2024-12-31")


def basis(**changes: object) -> AnnualBasis:
    """A basis with 100 buyers in P of whom 60 came back, 150 buyers in L, 20,000 revenue in 450 occasions."""
    values = dict(as_of=AS_OF, first_order=pd.Timestamp("2022-12-01"), previous_year_buyers=100, retained_buyers=60,
                  buyers=150, first_time_buyers=90, revenue=20_000.0, occasions=450, repeat_buyers=80,
                  retention_spend=1_500.0, acquisition_spend=4_500.0)
    return AnnualBasis(**{**values, **changes})


def clv_values(measured: AnnualBasis, **changes: object) -> dict:
    """The CLV page's values at the measured defaults of ``measured`` (margin 30 %, discount 10 %, 5 years)."""
    values = {"clv_gross_margin": 0.3, "clv_discount_rate": 0.1,
              "clv_annual_retention": whatif.measured_retention(measured), "clv_horizon": 5,
              "clv_retention_cost_year": whatif.MEASURED_KEYS["clv_retention_cost_year"](measured),
              "clv_cac": whatif.MEASURED_KEYS["clv_cac"](measured)}
    return {**values, **changes}


# --- the percentile interval ---------------------------------------------------------------------------------------


def test_the_interval_is_the_middle_share_of_the_replicates():
    # 1 … 5: the 25 % and 75 % quantiles (linear interpolation) are 2 and 4
    interval = percentile_interval([5.0, 1.0, 3.0, 2.0, 4.0], level=0.5)
    assert (interval.low, interval.high, interval.defined, interval.replicates) == (2.0, 4.0, 5, 5)


def test_replicates_without_a_value_are_left_out_and_too_few_give_no_interval():
    assert percentile_interval([None, 1.0, 3.0], level=0.5) == Interval(1.5, 2.5, 0.5, 2, 3)
    assert percentile_interval([None, None, 3.0]) is None
    assert percentile_interval([]) is None


def test_each_row_of_replicates_gets_its_own_bounds_at_once():
    # row 1: 1 … 5 → 2 and 4 at 50 %; row 2: 1, 3, 2 defined of five (NaN, inf are none) → 1.5 and 2.5;
    # row 3: one of five defined → none
    low, high = intervals.percentile_bounds(np.array([[5.0, 1.0, 3.0, 2.0, 4.0],
                                                      [np.nan, 1.0, 3.0, np.inf, 2.0],
                                                      [np.nan, np.nan, 3.0, np.nan, np.nan]]), level=0.5)
    assert low[:2].tolist() == [2.0, 1.5] and high[:2].tolist() == [4.0, 2.5]
    assert np.isnan(low[2]) and np.isnan(high[2])
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        intervals.percentile_bounds(np.ones((1, 3)), level=1.0)


def test_a_level_outside_zero_and_one_is_refused():
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        percentile_interval([1.0, 2.0], level=80)


def test_an_interval_wider_than_half_its_figure_is_wide():
    interval = Interval(low=80.0, high=130.0, level=0.8, defined=200, replicates=200)
    assert interval.is_wide(90.0) and not interval.is_wide(110.0)
    assert interval.is_wide(None) and interval.is_wide(0.0)


# --- the Poisson bootstrap --------------------------------------------------------------------------------------


def test_nps_of_answers_that_all_agree_has_no_spread():
    # 20 promoters: every resample is 20 promoters, NPS +100, so the interval is one point and is not shown
    interval = intervals.nps_interval(20, 0, 0)
    assert (interval.low, interval.high) == (100.0, 100.0)
    assert intervals.informative(interval, 100.0) is None


def test_nps_interval_of_an_even_split_is_the_normal_spread_of_a_mean_of_plus_and_minus_one():
    # 50 promoters, 50 detractors: each answer scores +1 or −1 (variance 1), the NPS is 100 × their mean, whose
    # standard error is 100 × 1/√100 = 10 points; 80 % of a normal lies within ±1.28 sd, so about −12.8…+12.8
    interval = intervals.nps_interval(50, 0, 50)
    assert -16 < interval.low < -9.5 and 9.5 < interval.high < 16
    assert interval.replicates == intervals.REPLICATES and interval.defined == intervals.REPLICATES


def test_nps_interval_narrows_with_more_answers_and_is_none_without_any():
    few, many = intervals.nps_interval(30, 10, 10), intervals.nps_interval(300, 100, 100)
    assert many.high - many.low < (few.high - few.low) / 2
    assert few.contains(40.0) and many.contains(40.0)
    assert intervals.nps_interval(0, 0, 0) is None


def test_nps_interval_refuses_negative_counts():
    with pytest.raises(ValueError, match="answer counts must not be negative, got 3, -1, 2"):
        intervals.nps_interval(3, -1, 2)


def test_poisson_weights_have_mean_and_variance_one():
    weights = intervals.poisson_weights(np.random.default_rng(1), 100, 10_000).astype(float)
    assert weights.mean() == pytest.approx(1.0, abs=0.005)  # standard error 0.001
    assert weights.var() == pytest.approx(1.0, abs=0.01)
    assert (weights == 0).mean() == pytest.approx(math.exp(-1), abs=0.003)


def test_bootstrap_sums_are_weighted_sums_whatever_the_chunk():
    values = np.column_stack([np.ones(1_000), np.arange(1_000.0)])
    whole = intervals.bootstrap_sums(values, replicates=50, seed=3, chunk=10_000)
    assert whole.shape == (50, 2)
    assert whole[:, 0].mean() == pytest.approx(1_000, rel=0.02)  # Σ weights ~ Poisson(1000): sd 32, mean of 50
    assert whole[:, 1].mean() == pytest.approx(499_500, rel=0.03)
    assert np.array_equal(whole, intervals.bootstrap_sums(values, replicates=50, seed=3, chunk=10_000))


def test_bootstrap_sums_refuse_a_flat_list():
    with pytest.raises(ValueError, match="must be a table"):
        intervals.bootstrap_sums(np.ones(5))


@pytest.fixture(scope="module")
def sample_aggs(sample_quarterly):
    return sample_quarterly  # aggregate()'s defaults: quarters, a 12-month window


def test_replicates_resample_the_customers_and_keep_the_spend(sample_aggs, sample_dataset):
    aggs = sample_aggs
    replicates = aggs.basis_replicates
    assert len(replicates) == intervals.REPLICATES
    rates = replicates.measured(whatif.measured_retention)
    assert rates.std() > 0 and abs(rates.mean() - aggs.basis.retention_rate) < 0.01
    assert all(replicate.retention_spend == aggs.basis.retention_spend for replicate in replicates.bases)
    assert all(replicate.as_of == aggs.basis.as_of for replicate in replicates.bases)
    tenures = queries.customer_tenure_revenue(sample_dataset.transactions, "year", max_tenure=intervals.TENURE_YEARS)
    again = intervals.basis_replicates(aggs.customers, aggs.basis, customer_tenures=intervals.customer_tenure_positions(
        aggs.customers["customer_id"], tenures))
    assert again.bases == replicates.bases  # seeded: the same data gives the same intervals
    np.testing.assert_array_equal(again.tenure_revenue_per_active, replicates.tenure_revenue_per_active)
    # the tenure years ride on the basis's draw: the basis alone gives the same replicates
    assert intervals.basis_replicates(aggs.customers, aggs.basis).bases == replicates.bases


def test_adding_the_tenure_years_leaves_the_basis_replicates_as_they_were_above_the_exact_size(sample_aggs,
                                                                                               sample_dataset):
    # the sample's 4,000 customers through the normal sums (exact_up_to=100): the basis's sums are drawn first
    tenures = intervals.customer_tenure_positions(sample_aggs.customers["customer_id"], queries.customer_tenure_revenue(
        sample_dataset.transactions, "year"))
    alone = intervals.ReplicateColumns.of(sample_aggs.customers, sample_aggs.basis)
    joint = intervals.ReplicateColumns.of(sample_aggs.customers, sample_aggs.basis, tenures, intervals.TENURE_YEARS)
    assert joint.customer_count > joint.basis_count == alone.customer_count  # customers with tenure rows only
    for exact_up_to in (100, 100_000):
        basis_sums = intervals.replicate_sums(alone, exact_up_to=exact_up_to)
        joint_sums = intervals.replicate_sums(joint, exact_up_to=exact_up_to)
        np.testing.assert_allclose(joint_sums[:, :7], basis_sums, rtol=1e-12)
        # and the tenure years' sums vary around the data's own: year 1's revenue within a few per cent
        data = joint.part(0, joint.customer_count).sum(axis=0)
        assert abs(joint_sums[:, 7].mean() / data[7] - 1) < 0.02
        assert joint_sums[:, 7].std() > 0


# --- propagation: three replicates in, three CLVs out ---------------------------------------------------------------


def test_three_replicates_give_three_clvs_worked_out_by_hand():
    measured = basis()
    # replicates: retention 50/100, 66/110, 63/90; revenue per buyer 20,000/150, 18,000/120, 24,000/160
    replicates = BasisReplicates((
        basis(previous_year_buyers=100, retained_buyers=50, buyers=150, revenue=20_000.0),
        basis(previous_year_buyers=110, retained_buyers=66, buyers=120, revenue=18_000.0),
        basis(previous_year_buyers=90, retained_buyers=63, buyers=160, revenue=24_000.0),
    ))
    # margin multiple CLV = m (1 + i) / (1 + i − r), m = 0.3 × revenue per buyer, i = 0.1:
    #   0.3 × 133.333 × 1.1 / 0.6 = 73.3333;  0.3 × 150 × 1.1 / 0.5 = 99;  0.3 × 150 × 1.1 / 0.4 = 123.75
    clvs = [73.33333333, 99.0, 123.75]
    arrays = page_results.clv_scenario_replicates(
        whatif.clv_inputs(measured, clv_values(measured)), replicates.measured(whatif.measured_retention),
        replicates.measured(lambda b: b.revenue_per_buyer), np.nan, np.nan, np.nan, np.nan)
    assert arrays["margin_multiple_clv"] == pytest.approx(clvs)
    # the 80 % interval of three values: 10 % and 90 % quantiles, 73.33 + 0.2 × 25.67 and 99 + 0.8 × 24.75
    interval = whatif.clv_intervals(measured, replicates, clv_values(measured))["margin_multiple_clv"]
    assert (interval.low, interval.high) == pytest.approx((78.4667, 118.8))
    # retention cost per customer-year 1,500 / buyers to the cent, as its field shows it: 10, 12.50, 9.38;
    # lifetime retention cost = c (1 + i) / (1 + i − r)
    costs = whatif.clv_intervals(measured, replicates, clv_values(measured))["lifetime_retention_cost"]
    lifetime_costs = sorted([10 * 1.1 / 0.6, 12.5 * 1.1 / 0.5, 9.38 * 1.1 / 0.4])  # 18.33, 25.795, 27.5
    assert costs.low == pytest.approx(lifetime_costs[0] + 0.2 * (lifetime_costs[1] - lifetime_costs[0]))
    assert costs.high == pytest.approx(lifetime_costs[1] + 0.8 * (lifetime_costs[2] - lifetime_costs[1]))


def test_a_typed_in_value_carries_no_uncertainty_of_its_own():
    measured = basis()
    replicates = BasisReplicates((basis(retained_buyers=50), basis(retained_buyers=70), basis(retained_buyers=64)))
    typed = whatif.clv_intervals(measured, replicates, clv_values(measured, clv_annual_retention=0.5, clv_cac=40.0))
    assert typed["expected_lifetime_years"].low == typed["expected_lifetime_years"].high == pytest.approx(2.0)
    assert typed["acquisition_cost"].low == typed["acquisition_cost"].high == 40.0
    left = whatif.clv_intervals(measured, replicates, clv_values(measured))
    assert left["expected_lifetime_years"].high - left["expected_lifetime_years"].low > 0.5  # 2.0 … 3.33 years


def test_the_vectorised_figures_are_those_of_each_replicate_computed_alone(sample_aggs):
    aggs = sample_aggs
    values = whatif.resolve(aggs, {}).values
    replicates = BasisReplicates(aggs.basis_replicates.bases[:20])
    inputs = whatif.clv_inputs(aggs.basis, values)
    arrays = page_results.clv_scenario_replicates(
        inputs, replicates.measured(whatif.measured_retention), replicates.measured(lambda b: b.revenue_per_buyer),
        replicates.measured(lambda b: b.average_order_value), replicates.measured(lambda b: b.purchase_frequency),
        replicates.measured(whatif.MEASURED_KEYS["clv_retention_cost_year"]),
        replicates.measured(whatif.MEASURED_KEYS["clv_cac"]))
    profit = whatif.profit_inputs(aggs, values)
    profit_arrays = page_results.profit_scenario_replicates(
        profit, replicates.measured(whatif.measured_retention), replicates.measured(whatif.MEASURED_KEYS["profit_cac"]))
    for index, replicate in enumerate(replicates.bases):
        varied = whatif.replicate_values(aggs.basis, replicate, values)
        alone = whatif.clv_result(replicate, varied)
        for name, array in arrays.items():
            assert array[index] == pytest.approx(getattr(alone, name)), name
        uplift = page_results.profit_scenario(dataclasses.replace(
            profit, annual_retention_rate=varied["profit_retention"], acquisition_cost=varied["profit_cac"]))
        for name, array in profit_arrays.items():
            assert array[index] == pytest.approx(getattr(uplift, name)), name


def test_the_profit_interval_holds_the_increase_shown(sample_aggs):
    aggs = sample_aggs
    values = whatif.resolve(aggs, {}).values
    result = whatif.profit_result(aggs, values).result
    found = whatif.profit_intervals(aggs, values)
    for name in ("value_before", "value_after", "value_change", "relative_change"):
        assert found[name].low < getattr(result, name) < found[name].high, name


def test_without_replicates_no_figure_has_an_interval():
    assert whatif.clv_intervals(basis(), BasisReplicates(()), clv_values(basis())) == {}


# --- coverage by simulation --------------------------------------------------------------------------------------


def simulated_customers(rng: np.random.Generator, retention: float, previous_buyers: int, new_buyers: float,
                        mean_revenue: float) -> pd.DataFrame:
    """A customer summary: ``previous_buyers`` bought in P (each back in L with probability ``retention``,
    geometric retention), Poisson(``new_buyers``) first bought in L; revenue in L per buyer Gamma(2, mean / 2)."""
    came_back = rng.random(previous_buyers) < retention
    new = rng.poisson(new_buyers)
    buyers = int(came_back.sum()) + new
    revenue = np.zeros(previous_buyers + new)
    bought = np.concatenate([came_back, np.ones(new, dtype=bool)])
    revenue[bought] = rng.gamma(2.0, mean_revenue / 2.0, buyers)
    in_p, in_l = pd.Timestamp("2023-06-30"), AS_OF
    return pd.DataFrame({
        "first_order": [pd.Timestamp("2023-01-02")] * previous_buyers + [in_l] * new,
        "last_order": np.where(bought, in_l, in_p),
        "ordered_previous_year": np.concatenate([np.ones(previous_buyers, dtype=bool), np.zeros(new, dtype=bool)]),
        "revenue_last_year": revenue,
        "occasions_last_year": np.where(bought, 3, 0),
    })


@pytest.mark.slow
def test_eighty_percent_intervals_hold_the_true_margin_multiple_clv_in_eight_of_ten_data_sets():
    # Known truth: r = 0.6, mean revenue per buyer 100, margin 30 %, i = 10 %: CLV = 30 × 1.1 / 0.5 = 66.
    # 250 data sets: the count of covering intervals is Binomial(250, 0.8), standard deviation 6.3 (2.5 points);
    # the test accepts 0.8 ± 3 standard deviations, 72.4 % … 87.6 % (a correct method fails it about 3 times in
    # 1,000; an interval of half the right width covers about 50 %, of twice the width about 99 %).
    rng = np.random.default_rng(2027)
    true_clv, runs, covered = 0.3 * 100 * 1.1 / (1.1 - 0.6), 250, 0
    for run in range(runs):
        customers = simulated_customers(rng, retention=0.6, previous_buyers=300, new_buyers=200.0,
                                        mean_revenue=100.0)
        measured = annual_basis(customers)
        replicates = intervals.basis_replicates(customers, measured, seed=run)
        found = whatif.clv_intervals(measured, replicates, clv_values(measured))["margin_multiple_clv"]
        covered += found.contains(true_clv)
    assert 0.724 <= covered / runs <= 0.876, covered / runs


# --- formatting ---------------------------------------------------------------------------------------------------


def interval(low: float, high: float) -> Interval:
    return Interval(low=low, high=high, level=0.8, defined=200, replicates=200)


@pytest.mark.parametrize(("lang", "expected"), [
    ("de", "159,71\u00a0€ (80\u00a0%: 142–177\u00a0€)"),
    ("en", "€159.71 (80%: €142–177)"),
])
def test_money_shows_with_its_interval_in_whole_units_when_the_range_is_wide(lang, expected):
    from retention_views.formats import format_with_interval
    assert format_with_interval("money", 159.71, interval(142.2, 176.9), lang, "EUR") == expected


@pytest.mark.parametrize(("kind", "value", "bounds", "lang", "expected"), [
    ("money", 5.5, (5.1, 6.02), "de", "5,50\u00a0€ (80\u00a0%: 5,10–6,02\u00a0€)"),  # narrower than 10: cents
    ("money", 10.0, (-20.4, 40.2), "en", "€10.00 (80%: -€20 to €40)"),  # a negative bound: no dash after a minus
    ("money", 10.0, (-20.4, 40.2), "de", "10,00\u00a0€ (80\u00a0%: -20\u00a0€ bis 40\u00a0€)"),
    ("fraction", 0.201, (0.19, 0.213), "de", "20,1\u00a0% (80\u00a0%: 19,0–21,3\u00a0%)"),
    ("fraction", 0.201, (0.19, 0.213), "en", "20.1% (80%: 19.0–21.3%)"),
    ("ratio", 1.877, (1.81, 1.95), "de", "1,9 : 1 (80\u00a0%: 1,8–2,0 : 1)"),
    ("ratio", 1.877, (1.81, 1.95), "en", "1.9 : 1 (80%: 1.8–2.0 : 1)"),
])
def test_each_kind_shows_its_interval_in_the_languages_format(kind, value, bounds, lang, expected):
    from retention_views.formats import format_with_interval
    assert format_with_interval(kind, value, interval(*bounds), lang, "EUR") == expected


def test_a_missing_value_or_interval_shows_without_one():
    from retention_views.formats import format_with_interval
    assert format_with_interval("money", None, interval(1.0, 2.0), "de", "EUR") == "–"
    assert format_with_interval("money", 3.0, None, "en", "EUR") == "€3.00"


def test_few_customers_give_a_wide_interval_and_many_a_narrow_one():
    # the same business, 20 or 2,000 customers bought in P: the interval shrinks about with 1 / √n
    rng = np.random.default_rng(5)
    widths = {}
    for previous in (20, 2_000):
        customers = simulated_customers(rng, retention=0.6, previous_buyers=previous, new_buyers=previous * 0.7,
                                        mean_revenue=100.0)
        measured = annual_basis(customers)
        clv = whatif.clv_result(measured, clv_values(measured)).margin_multiple_clv
        found = whatif.clv_intervals(measured, intervals.basis_replicates(customers, measured),
                                     clv_values(measured))["margin_multiple_clv"]
        widths[previous] = (found.high - found.low) / clv
        assert found.is_wide(clv) == (previous == 20)
    assert 5 < widths[20] / widths[2_000] < 20  # √100 = 10


def test_above_the_exact_size_the_normal_sums_give_the_intervals_the_drawn_weights_give():
    rng = np.random.default_rng(9)
    customers = simulated_customers(rng, retention=0.6, previous_buyers=40_000, new_buyers=25_000.0,
                                    mean_revenue=100.0)
    columns = intervals.basis_columns(customers, annual_basis(customers))
    drawn = intervals.bootstrap_sums(columns, replicates=400, seed=1, exact_up_to=len(columns))
    normal = intervals.bootstrap_sums(columns, replicates=400, seed=1, exact_up_to=len(columns) - 1)
    # retention (retained ÷ previous buyers) and revenue per buyer: the same 80 % intervals to within 15 % of
    # their width (400 replicates: each bound's own standard error is about 6 % of the width)
    for numerator, denominator in ((1, 0), (4, 2)):
        bounds = [np.quantile(sums[:, numerator] / sums[:, denominator], [0.1, 0.9]) for sums in (drawn, normal)]
        width = bounds[0][1] - bounds[0][0]
        assert np.abs(bounds[0] - bounds[1]).max() < 0.15 * width


def test_the_weighted_columns_sum_to_the_basis_itself(sample_aggs):
    # every weight 1 gives the data back: the columns' sums are the measured basis
    sums = intervals.basis_columns(sample_aggs.customers, sample_aggs.basis).sum(axis=0)
    measured = sample_aggs.basis
    assert sums.tolist() == pytest.approx([getattr(measured, name) for name in intervals.REPLICATE_COLUMNS])


def test_a_vs_b_says_whether_the_difference_is_larger_than_the_uncertainty(sample_aggs):
    values = whatif.resolve(sample_aggs, {}).values
    a = whatif.outcome_kpis(whatif.evaluate(sample_aggs, values))
    # B: 2 points more annual retention typed in (certain), everything else measured
    moved = {**values, "clv_annual_retention": values["clv_annual_retention"] + 0.02}
    b = whatif.outcome_kpis(whatif.evaluate(sample_aggs, moved))
    same = whatif.compare(a, a).set_index("key")
    table = whatif.compare(a, b).set_index("key")
    assert same.loc["clv_margin_multiple", "beyond_uncertainty"] is None  # no difference at all: nothing to judge
    # the CLVs' own 80 % intervals overlap (about ±5 € around 144 € and 151 €), but on the same resamples the CLV
    # of B is higher in every one: the paired difference is larger than the uncertainty
    row = table.loc["clv_margin_multiple"]
    assert row["difference"] > 0 and row["beyond_uncertainty"] is True
    assert row["difference_interval"].low > 0
    assert table.loc["kpi_retention_cost_per_customer", "beyond_uncertainty"] is None  # not on the annual basis


def test_the_clv_chart_draws_each_interval_as_an_error_bar():
    from retention_views import charts
    measured = basis()
    result = whatif.clv_result(measured, clv_values(measured))
    sure = {"margin_multiple_clv": Interval(result.margin_multiple_clv - 10, result.margin_multiple_clv + 5, 0.8,
                                            200, 200)}
    bars = charts.clv_comparison_chart(result, "en", "EUR", sure).data[0]
    assert list(bars.error_y.array) == pytest.approx([0.0, 5.0, 0.0])  # simple, margin multiple, finite
    assert list(bars.error_y.arrayminus) == pytest.approx([0.0, 10.0, 0.0])
    assert charts.clv_comparison_chart(result, "en", "EUR").data[0].error_y.array is None


# --- the tenure profits, resampled with the same weights ------------------------------------------------------------


def test_three_weightings_give_tenure_profits_worked_out_by_hand():
    # three_years_orders (tests/hand_orders.py), data end 2024-12-31; each customer's years of life, by hand:
    #   A first 2022-02-01: year 1 (to 2023-02-01) 7; year 2 (to 2024-02-01) 8; year 3 not over by the end
    #   B first 2023-05-01: year 1 15 - 5 = 10 (the return on 2024-02-01 falls in it)
    #   C first 2023-01-10: year 1 12          D first 2022-01-01: year 1 9; years 2 and 3 without an order
    #   E first 2024-05-05: no whole year      F first 2022-03-03: year 1 4; year 2 without an order
    aggs = aggregate(Dataset(transactions=three_years_orders(), key="hand", name="hand"), "year", 12)
    tenures = intervals.customer_tenure_positions(
        aggs.customers["customer_id"],
        queries.customer_tenure_revenue(three_years_orders(), "year", max_tenure=intervals.TENURE_YEARS))
    columns = intervals.ReplicateColumns.of(aggs.customers, aggs.basis, tenures, tenure_years=2)
    table = columns.part(0, columns.customer_count)
    # the basis's customers first (D bought neither in P nor in L), then those with tenure rows only
    assert aggs.customers["customer_id"].take(columns.customers).tolist() == list("ABCEFD")
    assert table[:, 7:9].tolist() == [[7, 8], [10, 0], [12, 0], [0, 0], [4, 0], [9, 0]]  # revenue, years 1 and 2
    assert table[:, 9:11].tolist() == [[1, 1], [1, 0], [1, 0], [0, 0], [1, 0], [1, 0]]  # active, years 1 and 2
    weights = np.array([[1, 1, 1, 1, 1, 1],   # the data itself
                        [2, 0, 1, 0, 1, 1],   # A twice, B and E left out
                        [1, 3, 1, 1, 2, 0]])  # B three times, F twice, D left out
    replicates = intervals.replicates_from_sums(aggs.basis, weights @ table, tenure_years=2)
    # year 1: (7 + 10 + 12 + 9 + 4) / 5 = 8.4; (14 + 12 + 9 + 4) / 5 = 7.8; (7 + 30 + 12 + 8) / 7 = 57 / 7
    # year 2: only A is active: 8 / 1 = 8; 16 / 2 = 8; 8 / 1 = 8
    assert replicates.revenue_per_active_customer(1) == pytest.approx([8.4, 7.8, 57 / 7])
    assert replicates.revenue_per_active_customer(2) == pytest.approx([8.0, 8.0, 8.0])
    assert replicates.revenue_per_active_customer(3) is None
    # the same weights give the basis: buyers in P (A, B, C) 3, 3, 5; of them back in L (A, C) 2, 3, 2
    assert [(b.previous_year_buyers, b.retained_buyers) for b in replicates.bases] == [(3, 2), (3, 3), (5, 2)]
    # the first weighting is the data: its tenure figures are the tenure table's
    measured = aggs.tenure.set_index("tenure")["revenue_per_active_customer"]
    assert [measured[1], measured[2]] == pytest.approx([8.4, 8.0])
    # profits at a 50 % margin; year 1 typed in as 5, it stays 5 in every replicate
    table = pd.DataFrame({"tenure": [1, 2], "profit": [4.2, 4.0]})  # as shown: the data's (fewer than 30 customers)
    np.testing.assert_allclose(page_results.profits_by_tenure_replicates(table, replicates, 0.5, {}),
                               [[4.2, 4.0], [3.9, 4.0], [28.5 / 7, 4.0]])
    # carried through: value before = p₁ + p₂ · r at r = 50 %, no discount, 2 years: 4.2 + 2, 3.9 + 2, 28.5 / 7 + 2
    inputs = page_results.ProfitInputs((4.2, 4.0), 0.5, 0.0, 0.0, None, 2)
    profits = page_results.profits_by_tenure_replicates(table, replicates, 0.5, {})
    carried = page_results.profit_scenario_replicates(inputs, np.full(3, 0.5), np.full(3, np.nan),
                                                      profits_by_tenure=profits)
    np.testing.assert_allclose(carried["value_before"], [6.2, 5.9, 28.5 / 7 + 2])
    typed = table.assign(profit=[5.0, 4.0])
    assert page_results.profits_by_tenure_replicates(typed, replicates, 0.5, {1: 5.0})[:, 0].tolist() == [5.0] * 3


def test_a_weighting_without_an_active_customer_in_a_year_has_no_profit_for_it():
    sums = np.zeros((1, 7 + 2))
    sums[0, 7] = -4.0  # a return only: revenue, but no active customer
    replicates = intervals.replicates_from_sums(basis(), sums, tenure_years=1)
    assert np.isnan(replicates.revenue_per_active_customer(1)).all()
    with pytest.raises(ValueError, match="sums must have 11 columns for 2 tenure years, got 9"):
        intervals.replicates_from_sums(basis(), sums, tenure_years=2)


def test_tenure_profits_that_vary_widen_the_profit_interval(sample_aggs):
    values = whatif.resolve(sample_aggs, {}).values
    with_tenures = whatif.profit_intervals(sample_aggs, values)["value_before"]
    fixed = dataclasses.replace(sample_aggs, basis_replicates=BasisReplicates(sample_aggs.basis_replicates.bases))
    without = whatif.profit_intervals(fixed, values)["value_before"]
    assert with_tenures.high - with_tenures.low > without.high - without.low
    # a profit typed in for every year leaves only retention's uncertainty
    typed = {**values, "profit_tenure": {int(year): 50.0 for year in whatif.profits_table(
        sample_aggs, values["clv_gross_margin"], {})["tenure"]}}
    assert whatif.profit_intervals(sample_aggs, typed)["value_before"] == whatif.profit_intervals(fixed, typed)[
        "value_before"]


# --- thin data: one sentence, never a cut-off -------------------------------------------------------------------


def test_a_narrow_interval_on_many_customers_is_not_thin():
    assert intervals.thin_data(interval(90.0, 110.0), 100.0, customers=5_000, repeaters=1_000) is None
    assert intervals.thin_data(interval(90.0, 110.0), 100.0) is None  # a measured figure: no fit counts


def test_an_interval_wider_than_half_its_figure_says_the_data_are_thin():
    # 80 % interval 60–130 around 100: 70 wide, more than half of 100 (a relative standard error of about 27 %)
    thin = intervals.thin_data(interval(60.0, 130.0), 100.0, customers=5_000, repeaters=1_000)
    assert thin == intervals.ThinData("wide", {"customers": 5_000, "repeaters": 1_000})
    assert intervals.thin_data(interval(60.0, 109.0), 100.0) is None  # 49 wide: not more than half
    assert intervals.thin_data(interval(-5.0, 5.0), 0.0).reason == "wide"  # around zero any width is wide


@pytest.mark.parametrize(("customers", "repeaters", "reason"), [
    (5_000, 199, "few_repeaters"),   # fewer than 4 × 50 repeat buyers, however narrow the interval
    (799, 400, "few_customers"),     # fewer than 4 × 200 customers
    (799, 199, "few_repeaters"),     # both: the repeat buyers are named (they carry dropout and spend)
    (800, 200, None),                # four times both minimums: not thin
])
def test_a_fit_on_few_customers_or_repeat_buyers_is_thin_whatever_its_interval(customers, repeaters, reason):
    thin = intervals.thin_data(interval(95.0, 105.0), 100.0, customers=customers, repeaters=repeaters)
    assert (thin and thin.reason) == reason


def test_nothing_is_thin_without_a_figure_and_a_missing_interval_alone_says_nothing():
    assert intervals.thin_data(interval(0.0, 500.0), None, customers=10, repeaters=1) is None
    assert intervals.thin_data(None, 100.0) is None


@pytest.mark.parametrize(("reason", "lang", "expected"), [
    ("wide", "de", "Das Intervall ist breit"),
    ("wide", "en", "The interval is wide"),
    ("few_repeaters", "de", "Das Modell wurde an nur 120 Wiederkäufern angepasst"),
    ("few_repeaters", "en", "The model was fitted on only 120 repeat buyers"),
    ("few_customers", "de", "Das Modell wurde an nur 640 Kundinnen und Kunden angepasst"),
    ("few_customers", "en", "The model was fitted on only 640 customers"),
])
def test_each_thin_data_reason_has_its_sentence_in_both_languages(reason, lang, expected):
    from retention_views import text_keys
    from retention_views.texts import t
    assert t(text_keys.THIN_DATA[reason], lang, customers="640", repeaters="120").startswith(expected)
