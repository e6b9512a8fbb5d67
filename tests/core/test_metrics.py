"""Hand-checkable examples and published worked examples for retention_core.metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from retention_core.metrics import (
    UpliftResult,
    acquisition_cost_per_customer,
    acquisition_rate,
    annual_retention_rate,
    break_even_retention_spend,
    churn_rate,
    clv_gap,
    clv_to_cac,
    convert_retention_rate,
    customer_base_multiple,
    customer_loyalty_index,
    expected_lifetime,
    finite_horizon_clv,
    lifetime_retention_cost,
    margin_multiple,
    margin_multiple_clv,
    margin_per_customer_year,
    net_promoter_score,
    net_value,
    new_customer_margin_multiple,
    nps_from_counts,
    period_discount_rate,
    purchase_frequency,
    repeat_purchase_rate,
    retention_cost_per_customer,
    returning_buyer_share,
    retention_rate,
    retention_uplift,
    revenue_per_customer,
    simple_clv,
    tenure_profit_value,
    total_retention_cost,
    upsell_rate,
    upsell_ratio,
)

# ---------------------------------------------------------------------------------------------------------------
# Retention cost
# ---------------------------------------------------------------------------------------------------------------


def test_cafe_retention_cost_is_8400_over_700_active_customers():
    # Seed article 000, café "The Daily Grind", one quarter:
    # 5,000 (team) + 900 (software) + 2,500 (programme) = 8,400; 8,400 / 700 active customers = 12.00
    total = total_retention_cost({"team": 5_000, "software": 900, "programme": 2_500})
    assert total == 8_400.0
    assert retention_cost_per_customer(total, 700) == pytest.approx(12.00)


def test_no_cost_items_means_no_retention_cost():
    assert total_retention_cost({}) == 0.0


def test_acquisition_cost_is_spend_over_new_customers():
    # 6,000 spent on ads / 150 new customers = 40 per new customer
    assert acquisition_cost_per_customer(6_000, 150) == pytest.approx(40.0)


# ---------------------------------------------------------------------------------------------------------------
# Customer counts
# ---------------------------------------------------------------------------------------------------------------


def test_retention_rate_subtracts_new_customers_from_the_end_count():
    # S = 100 at start, N = 20 won, E = 110 at end: (110 − 20) / 100 = 0.90
    assert retention_rate(100, 20, 110) == pytest.approx(0.90)


def test_retention_rate_is_one_when_every_start_customer_stays():
    # (120 − 20) / 100 = 1.0
    assert retention_rate(100, 20, 120) == 1.0


def test_churn_is_lost_over_start_customers():
    # 10 lost of 100 at start = 0.10, the complement of a 0.90 retention rate
    assert churn_rate(100, 10) == pytest.approx(0.10)
    assert churn_rate(100, 10) == pytest.approx(1 - retention_rate(100, 20, 110))


@pytest.mark.parametrize(
    ("start", "new", "expected"),
    [
        (100, 20, 0.2),  # 20 / 100
        (10, 25, 2.5),  # 25 / 10: a young business can more than double its base
    ],
)
def test_acquisition_rate_is_new_over_start_customers(start, new, expected):
    assert acquisition_rate(start, new) == pytest.approx(expected)


def test_repeat_purchase_rate_is_repeat_over_all_customers():
    # 30 of 120 customers bought more than once: 30 / 120 = 0.25 (the seed's 25 %, as a fraction)
    assert repeat_purchase_rate(30, 120) == pytest.approx(0.25)


def test_returning_buyers_are_the_buyers_who_had_bought_before_over_all_buyers():
    # 120 of a quarter's 200 buyers had ordered in an earlier quarter
    assert returning_buyer_share(120, 200) == pytest.approx(0.6)
    with pytest.raises(ValueError, match=r"returning_buyers \(5\) cannot exceed buyers \(4\)"):
        returning_buyer_share(5, 4)


def test_upsell_rate_is_upsold_over_all_customers():
    # 15 / 60 = 0.25
    assert upsell_rate(15, 60) == pytest.approx(0.25)


def test_upsell_ratio_compares_multi_with_single_product_customers_and_may_exceed_one():
    # 30 multi-product / 20 single-product = 1.5
    assert upsell_ratio(30, 20) == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("r", "a", "periods", "expected"),
    [
        (0.9, 0.2, 2, 1.21),  # (0.9 + 0.2)^2 = 1.1^2
        (0.8, 0.1, 1, 0.9),  # the base shrinks by 10 % a period
        (0.8, 0.1, 0, 1.0),  # no periods, no change
    ],
)
def test_customer_base_multiplies_by_retention_plus_acquisition_each_period(r, a, periods, expected):
    assert customer_base_multiple(r, a, periods) == pytest.approx(expected)


def test_customer_base_multiple_matches_the_retention_identity():
    # one period from S = 100 with r = 0.9 and N = 20 ends at E = 0.9 · 100 + 20 = 110
    r = retention_rate(100, 20, 110)
    a = acquisition_rate(100, 20)
    assert 100 * customer_base_multiple(r, a, 1) == pytest.approx(110)


# ---------------------------------------------------------------------------------------------------------------
# Survey scores
# ---------------------------------------------------------------------------------------------------------------


def test_nps_is_promoters_minus_detractors_over_all_answers():
    # promoters 10, 10, 9, 9, 9 (P = 5); passives 8, 7; detractors 6, 2, 0 (D = 3); n = 10
    # (5 − 3) / 10 × 100 = 20 points
    assert net_promoter_score([10, 10, 9, 9, 9, 8, 7, 6, 2, 0]) == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("answer", "points"),
    [(10, 100.0), (9, 100.0), (8, 0.0), (7, 0.0), (6, -100.0), (0, -100.0)],
)
def test_nps_groups_answers_at_the_9_and_6_boundaries(answer, points):
    assert net_promoter_score([answer]) == points


def test_nps_accepts_whole_number_floats_and_arrays():
    # answers read from a CSV often arrive as 9.0; same answers as the 20-point example above
    answers = np.array([10, 10, 9, 9, 9, 8, 7, 6, 2, 0], dtype=float)
    assert net_promoter_score(answers) == pytest.approx(20.0)


def test_nps_from_counts_matches_nps_from_answers():
    # 70 promoters, 20 passives, 10 detractors: (70 − 10) / 100 × 100 = 60 points
    assert nps_from_counts(70, 20, 10) == pytest.approx(60.0)
    assert nps_from_counts(5, 2, 3) == pytest.approx(net_promoter_score([10, 10, 9, 9, 9, 8, 7, 6, 2, 0]))


def test_loyalty_index_is_the_mean_of_the_three_question_means():
    # means 9 ([8, 10]), 6 ([6]) and 6 ([3, 6, 9]): (9 + 6 + 6) / 3 = 7
    assert customer_loyalty_index([8, 10], [6], [3, 6, 9]) == pytest.approx(7.0)


def test_loyalty_index_weighs_each_question_equally_whatever_its_number_of_answers():
    # means 10, 4 and 1: (10 + 4 + 1) / 3 = 5; pooling all five answers would give (10 + 4 + 1 + 1 + 1) / 5 = 3.4
    assert customer_loyalty_index([10], [4], [1, 1, 1]) == pytest.approx(5.0)


# ---------------------------------------------------------------------------------------------------------------
# Revenue, frequency and simple customer value
# ---------------------------------------------------------------------------------------------------------------


def test_revenue_per_customer_is_revenue_over_customers():
    # 10,000 / 400 = 25
    assert revenue_per_customer(10_000, 400) == pytest.approx(25.0)


def test_revenue_per_customer_is_negative_when_returns_exceed_sales():
    # a quarter with 300 sold and 500 returned over 4 customers: −200 / 4 = −50
    assert revenue_per_customer(-200, 4) == pytest.approx(-50.0)


def test_margin_per_customer_year_is_margin_times_revenue_over_buyers():
    # 0.42 × 444,297.84 / 2,813 buyers (the sample's 2024) = 66.336…
    assert margin_per_customer_year(444_297.84, 2_813, 0.42) == pytest.approx(0.42 * 444_297.84 / 2_813)
    # returns exceeding sales: 0.5 × −100 / 4 = −12.5
    assert margin_per_customer_year(-100, 4, 0.5) == pytest.approx(-12.5)


def test_annual_retention_is_the_share_of_last_years_buyers_who_buy_again():
    # the sample: 1,878 bought in 2023, 1,096 of them again in 2024
    assert annual_retention_rate(1_096, 1_878) == pytest.approx(0.5836, abs=1e-4)
    # customers who never buy twice: 0
    assert annual_retention_rate(0, 3_000) == 0.0


def test_purchase_frequency_is_orders_over_customers():
    # 1,000 orders / 400 customers = 2.5 orders per customer
    assert purchase_frequency(1_000, 400) == pytest.approx(2.5)


def test_simple_clv_is_purchase_value_times_frequency_times_lifespan():
    # seed 001: customer value = 25 per purchase × 4 purchases a year = 100 a year; × 3 years = 300
    assert simple_clv(25, 4, 3) == pytest.approx(300.0)
    # a negative margin per purchase (returns exceed sales) gives a negative value, not an error
    assert simple_clv(-2.5, 4, 2) == pytest.approx(-20.0)


@pytest.mark.parametrize(("churn", "periods"), [(0.25, 4.0), (0.1, 10.0), (1.0, 1.0)])
def test_expected_lifetime_is_one_over_churn(churn, periods):
    assert expected_lifetime(churn) == pytest.approx(periods)


# ---------------------------------------------------------------------------------------------------------------
# Discounted lifetime value
# ---------------------------------------------------------------------------------------------------------------


# Gupta & Lehmann (2003), "Customers as Assets", J. Interactive Marketing 17(1): margin multiple table,
# retention 60–90 % against discount rate 10–16 %, printed to two decimals.
@pytest.mark.parametrize(
    ("r", "i", "published"),
    [
        (0.6, 0.10, 1.20), (0.7, 0.10, 1.75), (0.8, 0.10, 2.67), (0.9, 0.10, 4.50),
        (0.6, 0.12, 1.15), (0.7, 0.12, 1.67), (0.8, 0.12, 2.50), (0.9, 0.12, 4.09),
        (0.6, 0.14, 1.11), (0.7, 0.14, 1.59), (0.8, 0.14, 2.35), (0.9, 0.14, 3.75),
        (0.6, 0.16, 1.07), (0.7, 0.16, 1.52), (0.8, 0.16, 2.22), (0.9, 0.16, 3.46),
    ],
)  # fmt: skip
def test_margin_multiple_reproduces_the_gupta_lehmann_table(r, i, published):
    assert round(margin_multiple(r, i), 2) == published


def test_margin_multiple_is_the_limit_of_the_discounted_survival_sum():
    # Σₜ 0.9^t / 1.12^t over 2,000 periods ≈ 0.9 / 0.22
    explicit = sum(0.9**t / 1.12**t for t in range(1, 2_001))
    assert margin_multiple(0.9, 0.12) == pytest.approx(explicit)


def test_a_new_customers_multiple_counts_the_first_year_as_certain():
    # (1 + 0.12) / (1 + 0.12 − 0.9) = 1.12 / 0.22 = 5.0909… = 1 + Gupta & Lehmann's 4.0909…
    assert new_customer_margin_multiple(0.9, 0.12) == pytest.approx(1.12 / 0.22)
    assert new_customer_margin_multiple(0.9, 0.12) == pytest.approx(1 + margin_multiple(0.9, 0.12))
    # a customer who never comes back is worth exactly one year's margin
    assert new_customer_margin_multiple(0.0, 0.08) == pytest.approx(1.0)


def test_margin_multiple_clv_is_the_margin_times_the_new_customers_multiple():
    # Farris et al. §5.3 with the initial margin: 100 × 1.12 / 0.22 = 509.09…; at i = 0, r = 0.5: 100 / 0.5 = 200
    assert margin_multiple_clv(100, 0.9, 0.12) == pytest.approx(509.0909, abs=1e-4)
    assert margin_multiple_clv(100, 0.5, 0.0) == pytest.approx(200.0)
    # the explicit sum Σₜ₌₀ 100 · 0.9ᵗ / 1.12ᵗ
    explicit = sum(100 * 0.9**t / 1.12**t for t in range(0, 3_000))
    assert margin_multiple_clv(100, 0.9, 0.12) == pytest.approx(explicit)
    # one-time buyers: one year's margin
    assert margin_multiple_clv(66.34, 0.0, 0.08) == pytest.approx(66.34)


def test_finite_horizon_clv_counts_the_first_year_and_discounts_each_surviving_one():
    # i = 0: 100 + 100 · 0.5 = 150; minus AC 20 = 130
    assert finite_horizon_clv([100, 100], 0.5, 0.0) == pytest.approx(150.0)
    assert finite_horizon_clv([100, 100], 0.5, 0.0, acquisition_cost=20) == pytest.approx(130.0)
    # r = 1, i = 0.25: 125 + 156.25 / 1.25 = 125 + 125 = 250
    assert finite_horizon_clv([125, 156.25], 1.0, 0.25) == pytest.approx(250.0)
    # one year: the first year's margin alone, whatever the retention
    assert finite_horizon_clv([80], 0.9, 0.1) == pytest.approx(80.0)


def test_finite_horizon_clv_multiplies_yearly_retention_rates_into_survival():
    # survival 1, 0.5, then 0.5 · 0.8 = 0.4: 100 + 100 · 0.5 + 100 · 0.4 = 190
    assert finite_horizon_clv([100, 100, 100], [0.5, 0.8], 0.0) == pytest.approx(190.0)


def test_finite_horizon_clv_allows_a_loss_year():
    # −50 + 100 · 0.5 = 0
    assert finite_horizon_clv([-50, 100], 0.5, 0.0) == pytest.approx(0.0)


def test_finite_horizon_clv_approaches_the_margin_multiple_clv_over_a_long_horizon():
    assert finite_horizon_clv([10.0] * 2_000, 0.9, 0.12) == pytest.approx(margin_multiple_clv(10, 0.9, 0.12))


# ---------------------------------------------------------------------------------------------------------------
# Tenure-dependent profit (Reichheld & Sasser 1990)
# ---------------------------------------------------------------------------------------------------------------


def test_tenure_value_counts_the_first_period_as_certain():
    # i = 0, r = 0.8, three periods: 10 + 20 · 0.8 + 30 · 0.64 = 10 + 16 + 19.2 = 45.2
    assert tenure_profit_value([10, 20, 30], 0.8, 0.0, horizon_periods=3) == pytest.approx(45.2)


def test_tenure_value_discounts_period_t_by_one_plus_i_to_the_t_minus_one():
    # i = 0.1, r = 0.8: the first profit at the start, undiscounted: 10 + 20 · 0.8 / 1.1 + 30 · 0.64 / 1.21
    expected = 10 + 20 * 0.8 / 1.1 + 30 * 0.64 / 1.21
    assert tenure_profit_value([10, 20, 30], 0.8, 0.1, horizon_periods=3) == pytest.approx(expected)


def test_a_flat_profit_is_worth_the_margin_multiple_clv_minus_the_acquisition_cost():
    # the simulator and the CLV page agree when profit does not grow with tenure: 50 · 1.08 / (1.08 − 0.6) − 30
    assert tenure_profit_value([50], 0.6, 0.08, acquisition_cost=30) == pytest.approx(
        margin_multiple_clv(50, 0.6, 0.08) - 30)
    assert tenure_profit_value([50, 50, 50], 0.6, 0.08, acquisition_cost=30) == pytest.approx(
        50 * 1.08 / 0.48 - 30)


def test_a_shorter_horizon_truncates_the_profit_list():
    # r = 0.5, i = 0, two periods: 10 + 20 · 0.5 = 20
    assert tenure_profit_value([10, 20, 30], 0.5, 0.0, horizon_periods=2) == pytest.approx(20.0)


def test_a_longer_horizon_repeats_the_last_profit():
    # r = 0.5, i = 0, four periods: 10 + 20 · 0.5 + 20 · 0.25 + 20 · 0.125 = 10 + 10 + 5 + 2.5 = 27.5
    assert tenure_profit_value([10, 20], 0.5, 0.0, horizon_periods=4) == pytest.approx(27.5)
    # r = 1, i = 0 (no decay at all): 10 + 20 + 20 + 20 = 70
    assert tenure_profit_value([10, 20], 1.0, 0.0, horizon_periods=4) == pytest.approx(70.0)


def test_infinite_tenure_value_of_a_flat_profit_is_a_geometric_series():
    # 10 · (1 + 0.5 + 0.25 + …) = 10 / (1 − 0.5) = 20
    assert tenure_profit_value([10], 0.5, 0.0) == pytest.approx(20.0)


def test_infinite_tenure_value_matches_a_long_explicit_sum():
    profits, r, i, acquisition = [-5.0, 10.0, 20.0, 35.0], 0.8, 0.1, 15.0
    explicit = -acquisition
    for t in range(1, 3_001):
        profit = profits[min(t, len(profits)) - 1]
        explicit += profit * r ** (t - 1) / (1 + i) ** (t - 1)
    assert tenure_profit_value(profits, r, i, acquisition_cost=acquisition) == pytest.approx(explicit)


def test_no_horizon_equals_a_very_long_horizon():
    profits = [-5.0, 10.0, 20.0, 35.0]
    assert tenure_profit_value(profits, 0.85, 0.1, horizon_periods=5_000) == pytest.approx(
        tenure_profit_value(profits, 0.85, 0.1)
    )


# ---------------------------------------------------------------------------------------------------------------
# Retention uplift
# ---------------------------------------------------------------------------------------------------------------


def test_uplift_values_before_and_after_by_hand():
    # profits 10, 20, 30 over three periods, i = 0, acquisition cost 40
    # r = 0.8: 10 + 20 · 0.8 + 30 · 0.64 − 40 = 45.2 − 40 = 5.2
    # r = 0.9: 10 + 20 · 0.9 + 30 · 0.81 − 40 = 52.3 − 40 = 12.3
    # relative change (12.3 − 5.2) / 5.2 = 1.365…: ten points more retention more than doubles the profit
    result = retention_uplift([10, 20, 30], 0.8, 0.1, 0.0, acquisition_cost=40, horizon_periods=3)
    assert isinstance(result, UpliftResult)
    assert result.retention_before == 0.8
    assert result.retention_after == pytest.approx(0.9)
    assert result.value_before == pytest.approx(5.2)
    assert result.value_after == pytest.approx(12.3)
    assert result.value_change == pytest.approx(7.1)
    assert result.relative_change == pytest.approx(7.1 / 5.2)


def test_five_points_from_90_percent_halves_churn():
    # churn 0.10 → 0.05: 1 − 0.05 / 0.10 = 0.5; lifetime 1 / 0.10 = 10 → 1 / 0.05 = 20 periods
    result = retention_uplift([100], 0.90, 0.05, 0.1)
    assert result.churn_before == pytest.approx(0.10)
    assert result.churn_after == pytest.approx(0.05)
    assert result.churn_reduction == pytest.approx(0.5, rel=1e-12)
    assert result.lifetime_before == pytest.approx(10.0)
    assert result.lifetime_after == pytest.approx(20.0)


def test_reichheld_style_uplift_raises_value_more_than_retention():
    # profit grows with tenure and the customer costs 60 to win: 5 points of retention (0.80 → 0.85)
    # at i = 0.1 raise the value by more than 5 % (the loyalty effect)
    result = retention_uplift([-20, 30, 40, 50], 0.80, 0.05, 0.1, acquisition_cost=60)
    by_hand_before = tenure_profit_value([-20, 30, 40, 50], 0.80, 0.1, acquisition_cost=60)
    assert result.value_before == pytest.approx(by_hand_before)
    assert result.relative_change > 0.25


def test_relative_change_is_none_when_the_customer_is_not_worth_anything_before():
    # r = 0.5, i = 0: 10 / (1 − 0.5) − 100 = −80, so a relative change has no meaning
    result = retention_uplift([10], 0.5, 0.1, 0.0, acquisition_cost=100)
    assert result.value_before == pytest.approx(-80.0)
    assert result.gross_value_before == pytest.approx(20.0)
    assert result.relative_change is None
    assert result.value_change == pytest.approx(10 / 0.4 - 20)  # the change in money still counts: 5


def test_relative_change_is_none_near_zero_and_given_from_a_tenth_of_the_profit_value_on():
    # profit value before CAC 10 / 0.5 = 20. CAC 19 leaves 1 (5 % of 20): +5 would read +500 %, so no percentage
    near_zero = retention_uplift([10], 0.5, 0.1, 0.0, acquisition_cost=19)
    assert near_zero.value_before == pytest.approx(1.0)
    assert near_zero.relative_change is None
    # CAC 18 leaves 2, exactly 10 % of 20: (25 − 18 − 2) / 2 = 2.5
    at_threshold = retention_uplift([10], 0.5, 0.1, 0.0, acquisition_cost=18)
    assert at_threshold.relative_change == pytest.approx(2.5)


def test_uplift_to_full_retention_gives_infinite_lifetime():
    # 0.95 + 0.05 = 1: nobody leaves, churn falls by 100 %
    result = retention_uplift([100], 0.95, 0.05, 0.1)
    assert result.retention_after == 1.0
    assert result.lifetime_after == math.inf
    assert result.churn_reduction == pytest.approx(1.0)


def test_uplift_overshooting_one_by_rounding_noise_lands_on_one():
    result = retention_uplift([100], 0.95, 0.05 + 1e-13, 0.1)
    assert result.retention_after == 1.0


def test_churn_reduction_is_none_when_retention_is_already_full():
    result = retention_uplift([100], 1.0, 0.0, 0.1)
    assert result.churn_reduction is None
    assert result.lifetime_before == math.inf


# ---------------------------------------------------------------------------------------------------------------
# Retention spend against customer value
# ---------------------------------------------------------------------------------------------------------------


def test_lifetime_retention_cost_uses_the_new_customers_multiple():
    # 12 per customer-year × 1.1 / (1 + 0.1 − 0.8) = 12 × 11/3 = 44
    assert lifetime_retention_cost(12, 0.8, 0.1) == pytest.approx(44.0)
    # a customer who never comes back costs one year's retention spend
    assert lifetime_retention_cost(12, 0.0, 0.1) == pytest.approx(12.0)


def test_clv_gap_is_clv_minus_lifetime_retention_cost():
    # 100 − 32 = 68
    assert clv_gap(100, 32) == pytest.approx(68.0)


def test_net_value_is_the_clv_gap_minus_the_acquisition_cost():
    # 68 − 70 = −2
    assert net_value(68, 70) == pytest.approx(-2.0)


@pytest.mark.parametrize(("clv", "cac", "ratio"), [(300, 100, 3.0), (-50, 100, -0.5)])
def test_clv_to_cac_is_value_over_acquisition_cost(clv, cac, ratio):
    assert clv_to_cac(clv, cac) == pytest.approx(ratio)


def test_break_even_spend_sets_net_value_to_zero():
    # m = 50, r = 0.8, i = 0.1, AC = 60: c* = 50 − 60 · 0.3 / 1.1 = 50 − 16.3636… = 33.6363…
    spend = break_even_retention_spend(50, 0.8, 0.1, acquisition_cost=60)
    assert spend == pytest.approx(50 - 60 * 0.3 / 1.1)
    gap = clv_gap(margin_multiple_clv(50, 0.8, 0.1), lifetime_retention_cost(spend, 0.8, 0.1))
    assert net_value(gap, 60) == pytest.approx(0.0, abs=1e-9)


def test_break_even_spend_exists_at_zero_retention():
    # one-time buyers: (m − c) · 1 − AC = 0 at c* = m − AC = 50 − 60 = −10
    assert break_even_retention_spend(50, 0.0, 0.1, acquisition_cost=60) == pytest.approx(-10.0)


def test_break_even_spend_is_negative_when_even_zero_spend_loses_money():
    # m = 5: 5 − 16.36… = −11.36…
    assert break_even_retention_spend(5, 0.8, 0.1, acquisition_cost=60) == pytest.approx(5 - 60 * 0.3 / 1.1)


def test_break_even_spend_is_the_margin_without_acquisition_cost():
    assert break_even_retention_spend(50, 0.8, 0.1) == pytest.approx(50.0)


# ---------------------------------------------------------------------------------------------------------------
# Converting rates between period lengths
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annual", "per_year", "per_period"),
    [
        (0.21, 2, 0.10),  # √1.21 − 1
        (0.10, 1, 0.10),  # a year is a year
        (0.0, 12, 0.0),
    ],
)
def test_period_discount_rate_compounds_back_to_the_annual_rate(annual, per_year, per_period):
    assert period_discount_rate(annual, per_year) == pytest.approx(per_period)


def test_monthly_discount_rate_compounds_to_the_annual_rate():
    monthly = period_discount_rate(0.12, 12)
    assert (1 + monthly) ** 12 == pytest.approx(1.12)


@pytest.mark.parametrize(
    ("r", "from_k", "to_k", "expected"),
    [
        (0.9, 4, 1, 0.6561),  # quarterly 0.9 → annual 0.9^4
        (0.6561, 1, 4, 0.9),  # and back
        (0.81, 1, 2, 0.9),  # annual 0.81 → half-yearly √0.81
    ],
)
def test_retention_rate_converts_between_period_lengths(r, from_k, to_k, expected):
    assert convert_retention_rate(r, from_k, to_k) == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------------------------
# Validation: one case per distinct message
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("function", "args", "message"),
    [
        # shared helpers
        (churn_rate, ("100", 10), r"start_customers must be a number, got '100'"),
        (churn_rate, (True, 0), r"start_customers must be a number, got True"),
        (churn_rate, (100, math.nan), r"lost_customers must be a finite number, got nan"),
        (margin_multiple_clv, (math.inf, 0.9, 0.1), r"margin_per_year must be a finite number, got inf"),
        (churn_rate, (100, -1), r"lost_customers must be >= 0, got -1"),
        (retention_cost_per_customer, (8_400, 0), r"active_customers must be > 0, got 0"),
        (margin_multiple, (90, 0.1), r"retention_rate must be a fraction between 0 and 1 \(0\.9 = 90 %\), got 90"),
        (margin_multiple, (0.9, -1), r"discount_rate must be > -1, got -1"),
        (churn_rate, (100, 120), r"lost_customers \(120\) cannot exceed start_customers \(100\)"),
        (margin_multiple, (1.0, 0.0), r"retention_rate must be < 1 \+ discount_rate .* got retention_rate=1, "),
        (tenure_profit_value, ([10], 0.9, 0.1, 0.0, 2.5), r"horizon_periods must be a whole number of periods"),
        (tenure_profit_value, ([10], 0.9, 0.1, 0.0, 0), r"horizon_periods must be >= 1, got 0"),
        (finite_horizon_clv, (5.0, 0.9, 0.1), r"margins must be a sequence of numbers, got 5\.0"),
        (finite_horizon_clv, (["a"], 0.9, 0.1), r"margins must contain only numbers"),
        (finite_horizon_clv, ([], 0.9, 0.1), r"margins must contain at least one value"),
        (finite_horizon_clv, ([1, math.nan], 0.9, 0.1), r"margins must contain only finite numbers, got nan at position 1"),
        (net_promoter_score, ([9, 11],), r"scores must be between 0 and 10, got 11 at position 1"),
        # function-specific
        (total_retention_cost, ([5_000, 900],), r"costs must be a mapping of cost item to amount"),
        (total_retention_cost, ({"team": -5},), r"cost item 'team' must be >= 0, got -5"),
        (retention_rate, (100, 20, 10), r"end_customers \(10\) must be >= new_customers \(20\)"),
        (retention_rate, (100, 0, 120), r"retained customers .* = 120 cannot exceed start_customers \(100\)"),
        (net_promoter_score, ([9, 8.5],), r"scores must be whole numbers from 0 to 10, got 8\.5 at position 1"),
        (nps_from_counts, (0, 0, 0), r"promoters \+ passives \+ detractors must be > 0, got 0"),
        (customer_loyalty_index, ([8], [], [7]), r"repurchase must contain at least one value"),
        (expected_lifetime, (0,), r"churn_rate must be > 0 for a finite lifetime, got 0"),
        (finite_horizon_clv, ([1, 2], [0.9, 0.8], 0.1), r"retention_rate has 2 values but margins has 2"),
        (finite_horizon_clv, ([1, 2, 3], [0.9, 1.2], 0.1), r"retention_rate must be between 0 and 1, got 1\.2"),
        (retention_uplift, ([10], 0.9, 0.15, 0.1), r"would raise retention_rate 0\.9 to 1\.05, above 1; the maximum possible uplift is 0\.1$"),
        (break_even_retention_spend, (50, 1.0, 0.0), r"retention_rate must be < 1 \+ discount_rate"),
        (annual_retention_rate, (10, 0), r"previous_year_buyers must be > 0, got 0"),
        (annual_retention_rate, (12, 10), r"retained_buyers \(12\) cannot exceed previous_year_buyers \(10\)"),
        (margin_per_customer_year, (100, 10, 1.5), r"gross_margin must be a fraction between 0 and 1"),
        (net_value, (100, -5), r"acquisition_cost must be >= 0, got -5"),
        (clv_to_cac, (300, 0), r"acquisition_cost must be > 0, got 0"),
        (upsell_ratio, (30, 0), r"single_product_customers must be > 0, got 0"),
        (convert_retention_rate, (0.9, 0, 1), r"from_periods_per_year must be > 0, got 0"),
    ],
)  # fmt: skip
def test_invalid_input_is_rejected_with_a_message_naming_it(function, args, message):
    with pytest.raises(ValueError, match=message):
        function(*args)


def test_numpy_scalars_appear_as_plain_numbers_in_messages():
    with pytest.raises(ValueError, match=r"active_customers must be > 0, got 0$"):
        retention_cost_per_customer(100.0, np.int64(0))


def test_infinite_horizon_needs_retention_below_one_plus_discount_rate():
    # the finite horizon is fine at r = 1, i = 0 (70 above); only the infinite sum diverges
    with pytest.raises(ValueError, match=r"for the infinite-horizon sum to converge"):
        tenure_profit_value([10, 20], 1.0, 0.0)
