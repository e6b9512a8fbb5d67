"""The closed-form metrics keep their promise at the edges of floating point: a finite result or a ValueError.

Valid but huge inputs (1e308, a divisor of 5e-324, an integer beyond the largest float) used to come back as
infinity, or escape as OverflowError or a NumPy warning.
"""

from __future__ import annotations

import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retention_core import metrics

HUGE, TINY = 1e308, 5e-324


@pytest.mark.parametrize(("name", "call"), [
    ("total_retention_cost", lambda: metrics.total_retention_cost({"team": HUGE, "tools": HUGE})),
    ("retention_cost_per_customer", lambda: metrics.retention_cost_per_customer(HUGE, TINY)),
    ("acquisition_cost_per_customer", lambda: metrics.acquisition_cost_per_customer(HUGE, TINY)),
    ("acquisition_rate", lambda: metrics.acquisition_rate(TINY, HUGE)),
    ("upsell_ratio", lambda: metrics.upsell_ratio(HUGE, TINY)),
    ("customer_base_multiple", lambda: metrics.customer_base_multiple(0.9, 1e10, 1e10)),
    ("revenue_per_customer", lambda: metrics.revenue_per_customer(HUGE, TINY)),
    ("purchase_frequency", lambda: metrics.purchase_frequency(HUGE, TINY)),
    ("simple_clv", lambda: metrics.simple_clv(HUGE, HUGE, 2.0)),
    ("expected_lifetime", lambda: metrics.expected_lifetime(TINY)),
    ("margin_multiple_clv", lambda: metrics.margin_multiple_clv(HUGE, 0.9, 0.0)),
    ("tenure_profit_value", lambda: metrics.tenure_profit_value([HUGE, HUGE], 0.99, 0.0)),
    ("tenure_profit_value", lambda: metrics.retention_uplift([HUGE], 0.5, 0.4, 0.0)),
    ("lifetime_retention_cost", lambda: metrics.lifetime_retention_cost(HUGE, 0.99, 0.0)),
    ("clv_gap", lambda: metrics.clv_gap(-HUGE, HUGE)),
    ("clv_to_cac", lambda: metrics.clv_to_cac(HUGE, TINY)),
    ("break_even_retention_spend", lambda: metrics.break_even_retention_spend(-HUGE, 0.0, 0.0, HUGE)),
    ("period_discount_rate", lambda: metrics.period_discount_rate(HUGE, TINY)),
])
def test_a_result_too_large_for_floating_point_is_a_value_error_naming_the_function(name, call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=f"^{name}: the inputs are too large for a finite result"):
            call()


def test_an_integer_beyond_the_largest_float_is_not_a_finite_number():
    with pytest.raises(ValueError, match="margin_per_year must be a finite number, got 1000000000"):
        metrics.margin_multiple_clv(10**400, 0.9, 0.1)


def test_nps_counts_that_add_up_past_floating_point_are_refused():
    with pytest.raises(ValueError, match="promoters \\+ passives \\+ detractors must be a finite number, got inf"):
        metrics.nps_from_counts(HUGE, HUGE, 0)


def test_a_discounted_sum_whose_discount_overflows_is_its_limit_zero_not_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # (1 + i)^t overflows from t = 2 on: those terms are 0; the first year is certain, the second 0.9 / (1 + 1e300)
        assert metrics.finite_horizon_clv([1.0] * 2000, 0.9, 1e300) == 1.0 + 0.9e-300


def test_lifetimes_stay_infinite_at_full_retention_as_documented():
    result = metrics.retention_uplift([10.0], 0.95, 0.05, 0.1)
    assert result.lifetime_after == math.inf and math.isfinite(result.value_after)


def test_the_guard_keeps_each_functions_name_and_docstring():
    assert metrics.margin_multiple.__name__ == "margin_multiple"
    assert "Gupta & Lehmann" in metrics.margin_multiple.__doc__


finite = st.floats(allow_nan=False, allow_infinity=False)
fraction = st.floats(0, 1)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(margin=finite, retention=fraction, discount=st.floats(-0.99, 1e6), cost=st.floats(0, 1e308),
       count=st.floats(0, 1e308))
def test_the_customer_value_formulas_give_a_finite_number_or_a_value_error(margin, retention, discount, cost, count):
    calls = [
        lambda: metrics.margin_multiple_clv(margin, retention, discount),
        lambda: metrics.lifetime_retention_cost(cost, retention, discount),
        lambda: metrics.break_even_retention_spend(margin, retention, discount, cost),
        lambda: metrics.clv_gap(margin, cost),
        lambda: metrics.clv_to_cac(margin, count),
        lambda: metrics.retention_cost_per_customer(cost, count),
        lambda: metrics.finite_horizon_clv([margin, margin / 2], retention, discount, cost),
        lambda: metrics.tenure_profit_value([margin, margin], retention, discount, cost),
        lambda: metrics.retention_uplift([margin], retention / 2, retention / 2, discount, cost),
        lambda: metrics.period_discount_rate(discount, count),
        lambda: metrics.customer_base_multiple(retention, cost, count),
    ]
    for call in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                result = call()
            except ValueError:
                continue
        values = [result] if isinstance(result, float) else [result.value_before, result.value_after]
        assert all(math.isfinite(value) for value in values)
