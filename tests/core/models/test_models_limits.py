"""The models' promise at the edges: a finite, documented answer or a ValueError that says what is wrong.

BG/NBD at a = 1 (the expectations' 0/0), fits that did not converge handed on to a forecast, negative mean spend in
Gamma-Gamma, an infinite sBG lifetime, overflow at extreme parameters, and empty, returns-only, one-customer and
one-day data. The a = 1 limit is checked against two independent forms of it: the integral over the dropout
probability p and the series of the limit (derived in ``retention_core.models.bg_nbd._expected_if_alive``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, special

from retention_core import models
from retention_core.models import (
    BgNbdFit,
    GammaGammaFit,
    SbgFit,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases,
    bg_nbd_expected_purchases_if_alive,
    bg_nbd_log_likelihood,
    bg_nbd_probability_alive,
    bg_nbd_purchase_probability,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
    fit_bg_nbd,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    predictive_clv,
    rfm_summary,
    sbg_churn_probability,
    sbg_retention_rate,
    sbg_survival,
)

R, ALPHA, B = 0.243, 4.414, 2.426  # CDNOW's r, alpha, b (FHL 2005), with a set to 1


def expected_by_integral(t: float, x: float = 0.0, big_t: float = 0.0, a: float = 1.0, b: float = B) -> float:
    """E[Y(t) | alive, x, T] as the mean of (1/p)(1 - ((alpha+T)/(alpha+T+p t))^(r+x)) over p ~ Beta(a, b+x): the
    expectation given lambda and p, (1/p)(1 - exp(-lambda p t)), over lambda ~ Gamma(r+x, alpha+T) and p (FHL 2005)."""
    def integrand(p: float) -> float:
        if p == 0:
            return (R + x) * t / (ALPHA + big_t)
        return -math.expm1(-(R + x) * math.log1p(p * t / (ALPHA + big_t))) / p

    value, _ = integrate.quad(integrand, 0, 1, weight="alg", wvar=(a - 1, b + x - 1), epsabs=0, epsrel=1e-12,
                              limit=200)
    return value / special.beta(a, b + x)


def limit_by_integral(t: float, x: float = 0.0, big_t: float = 0.0) -> float:
    """:func:`expected_by_integral` at a = 1."""
    return expected_by_integral(t, x, big_t, a=1.0)


def limit_by_series(t: float, x: float = 0.0, big_t: float = 0.0, terms: int = 4000) -> float:
    """The same at a = 1 as (b+x) [ln((alpha+T+t)/(alpha+T)) - sum_n (b-r)_n/(b+x)_n z^n/n], z = t/(alpha+T+t)."""
    z = t / (ALPHA + big_t + t)
    n = np.arange(1, terms + 1)
    log_ratio = special.gammaln(B - R + n) - special.gammaln(B - R) - special.gammaln(B + x + n) + special.gammaln(B + x)
    return (B + x) * (math.log((ALPHA + big_t + t) / (ALPHA + big_t)) - float(np.sum(np.exp(log_ratio) * z**n / n)))


# --- BG/NBD at a = 1 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [1.0, 4.0, 39.0, 78.0])
def test_expected_purchases_at_a_equal_one_is_the_limit_of_the_formula(t):
    at_one = bg_nbd_expected_purchases(BgNbdFit(R, ALPHA, 1.0, B), [t])[0]
    assert at_one == pytest.approx(limit_by_integral(t), rel=1e-9)
    if t <= 4:  # z <= 0.48: the series converges in a few thousand terms
        assert at_one == pytest.approx(limit_by_series(t), rel=1e-9)


@pytest.mark.parametrize("offset", [1e-12, -1e-12, 1e-9, 1e-6, -1e-4, 9.9e-4])
def test_expected_purchases_near_a_equal_one_stay_as_exact_as_elsewhere(offset):
    # the formula alone loses digits here (at a - 1 = 1e-12 the third); within 1e-3 of 1 the value is continuous
    near = bg_nbd_expected_purchases(BgNbdFit(R, ALPHA, 1.0 + offset, B), [39.0])[0]
    assert near == pytest.approx(limit_by_integral(39.0), rel=max(abs(offset) * 2, 1e-9))
    a = 1.0 + offset  # and equal to the integral at that a: the mean of (1/p)(1 - (alpha/(alpha+p t))^r) over Beta(a, b)
    direct, _ = integrate.quad(lambda p: -math.expm1(-R * math.log1p(p * 39.0 / ALPHA)) / p * p ** (a - 1)
                               * (1 - p) ** (B - 1) / special.beta(a, B), 0, 1, epsabs=0, epsrel=1e-12, limit=200)
    assert near == pytest.approx(direct, rel=1e-8)


def test_the_formula_and_its_limit_meet_at_the_edge_of_the_interpolated_range():
    inside = bg_nbd_expected_purchases(BgNbdFit(R, ALPHA, 1 + 0.999e-3, B), [39.0])[0]
    outside = bg_nbd_expected_purchases(BgNbdFit(R, ALPHA, 1 + 1.001e-3, B), [39.0])[0]
    assert inside == pytest.approx(outside, rel=1e-5)  # the slope in a over 2e-6, nothing more


@pytest.mark.parametrize(("a", "b"), [(0.5, 0.5), (0.3, 0.7), (0.9, 0.1), (1.0, 1e-3), (1.0, 2e-3), (1.0005, 1e-3),
                                    (1.0, 1e-6)])
def test_expected_purchases_where_a_plus_b_is_one_are_the_limit_too(a, b):
    # there 2F1(r, b; a+b-1; z) has its pole at c = a+b-1 = 0, which the factor a+b-1 cancels; with a = 1 as well
    # (b tiny) the two limits meet
    fit = BgNbdFit(R, ALPHA, a, b)
    assert bg_nbd_expected_purchases(fit, [39.0])[0] == pytest.approx(expected_by_integral(39.0, a=a, b=b), rel=1e-8)
    new_customer = bg_nbd_expected_purchases_if_alive(fit, 39.0, [0, 3], [20.0, 20.0])
    assert new_customer == pytest.approx([expected_by_integral(39.0, x, 20.0, a=a, b=b) for x in (0, 3)], rel=1e-8)


def test_conditional_expectations_at_a_equal_one_are_finite_and_the_limit():
    fit = BgNbdFit(R, ALPHA, 1.0, B)
    x, t_x, big_t = np.array([0, 2, 7]), np.array([0.0, 30.0, 35.0]), np.array([39.0, 39.0, 39.0])
    if_alive = bg_nbd_expected_purchases_if_alive(fit, 39.0, x, big_t)
    expected = [limit_by_integral(39.0, float(xi), 39.0) for xi in x]
    assert if_alive == pytest.approx(expected, rel=1e-9)
    conditional = bg_nbd_conditional_expected_purchases(fit, 39.0, x, t_x, big_t)
    assert conditional == pytest.approx(if_alive * bg_nbd_probability_alive(fit, x, t_x, big_t), rel=1e-12)
    summary = pd.DataFrame({"frequency": x, "recency": t_x, "T": big_t, "monetary": [0.0, 20.0, 35.0]})
    clv = predictive_clv(fit, GammaGammaFit(6.25, 3.74, 15.44), summary, 12, 0.1, 0.3, "W")["clv"]
    assert np.all(np.isfinite(clv)) and np.all(clv > 0)


# --- fits that cannot forecast -----------------------------------------------------------------------------------

NOT_CONVERGED = BgNbdFit(0.2, 4.0, 0.8, 2.4, converged=False, message="a parameter ran to its bound")
SUMMARY = pd.DataFrame({"frequency": [0, 2], "recency": [0.0, 10.0], "T": [20.0, 20.0], "monetary": [0.0, 30.0]})


@pytest.mark.parametrize("forecast", [
    lambda fit: bg_nbd_expected_purchases(fit, 39),
    lambda fit: bg_nbd_purchase_probability(fit, 39, 2),
    lambda fit: bg_nbd_probability_alive(fit, [2], [10], [20]),
    lambda fit: bg_nbd_conditional_expected_purchases(fit, 39, [2], [10], [20]),
    lambda fit: bg_nbd_expected_purchases_if_alive(fit, 39, [2], [20]),
    lambda fit: predictive_clv(fit, GammaGammaFit(6.25, 3.74, 15.44), SUMMARY, 12, 0.1, 0.3, "W"),
], ids=["E[X]", "P(X=n)", "P(alive)", "E[Y|x]", "E[Y|alive]", "clv"])
def test_a_bg_nbd_fit_that_did_not_converge_cannot_forecast(forecast):
    with pytest.raises(ValueError, match=r"the BG/NBD fit did not converge \(a parameter ran to its bound\); it "
                                         r"cannot be used to forecast"):
        forecast(NOT_CONVERGED)


def test_a_fit_without_estimates_is_refused_by_name_not_computed_as_nan():
    no_repeat = fit_bg_nbd([0, 0], [0.0, 0.0], [5.0, 6.0])  # converged=False, NaN parameters
    with pytest.raises(ValueError, match="the BG/NBD fit did not converge .*not identified"):
        bg_nbd_expected_purchases(no_repeat, 10)
    for bad, shown in ((BgNbdFit(-1.0, 4.0, 0.8, 2.4), "r=-1.0"), (BgNbdFit(0.2, math.inf, 0.8, 2.4), "alpha=inf"),
                       (BgNbdFit(0.2, 4.0, 0.0, 2.4), "a=0.0")):
        with pytest.raises(ValueError, match=f"BG/NBD parameters must be finite numbers > 0, got {shown}"):
            bg_nbd_probability_alive(bad, [1], [1.0], [2.0])
        with pytest.raises(ValueError, match="BG/NBD parameters must be finite numbers > 0"):
            bg_nbd_log_likelihood(bad, [1], [1.0], [2.0])


def test_gamma_gamma_refuses_a_failed_fit_negative_spend_and_a_missing_population_mean():
    failed = fit_gamma_gamma([2], [10.0])  # one repeat customer: not identified
    with pytest.raises(ValueError, match="the Gamma-Gamma fit did not converge .*not identified"):
        gamma_gamma_expected_spend(failed, [2], [10.0])
    fit = GammaGammaFit(6.25, 3.74, 15.44)
    with pytest.raises(ValueError, match=r"monetary must be >= 0 for customers with repeat purchases .*got -5 at "
                                         r"position 1"):
        gamma_gamma_expected_spend(fit, [0, 2], [0.0, -5.0])
    with pytest.raises(ValueError, match=r"p \* x \+ q > 1 for every customer, got p=0.5, q=0.5"):
        gamma_gamma_expected_spend(GammaGammaFit(0.5, 0.5, 1.0), [0, 1], [0.0, 10.0])
    # a customer without repeat purchases has no mean spend of their own: whatever is given, the population mean
    assert gamma_gamma_expected_spend(fit, [0], [-5.0])[0] == pytest.approx(6.25 * 15.44 / 2.74)


def test_a_customer_whose_returns_outweigh_their_repeat_purchases_counts_with_mean_spend_zero():
    fit, spend = BgNbdFit(R, ALPHA, 0.793, B), GammaGammaFit(6.25, 3.74, 15.44)
    negative = predictive_clv(fit, spend, SUMMARY.assign(monetary=[0.0, -12.0]), 12, 0.1, 0.3, "W")
    zero = predictive_clv(fit, spend, SUMMARY.assign(monetary=[0.0, 0.0]), 12, 0.1, 0.3, "W")
    assert negative["clv"].tolist() == zero["clv"].tolist()
    assert negative["expected_spend"].iloc[1] == pytest.approx(6.25 * 15.44 / (6.25 * 2 + 3.74 - 1))  # p gamma/(px+q-1)


def test_an_sbg_fit_that_did_not_converge_cannot_project_or_value():
    failed = SbgFit(0.7, 1.2, converged=False, message="a parameter ran to its bound")
    for forecast in (lambda: sbg_survival(failed, 3), lambda: sbg_retention_rate(failed, 3),
                     lambda: sbg_churn_probability(failed, 3), lambda: discounted_expected_lifetime(failed, 0.1),
                     lambda: discounted_expected_residual_lifetime(failed, 0.1, 2)):
        with pytest.raises(ValueError, match=r"the sBG fit did not converge \(a parameter ran to its bound\)"):
            forecast()


def test_an_undiscounted_sbg_lifetime_is_finite_only_for_alpha_above_one():
    # FH 2010: sum_t S(t) = 2F1(1, beta; alpha+beta; 1) = (alpha+beta-1)/(alpha-1) for alpha > 1, infinite otherwise
    assert discounted_expected_lifetime(SbgFit(2.0, 3.0), 0.0) == pytest.approx(4.0, rel=1e-12)
    for lifetime in (lambda fit: discounted_expected_lifetime(fit, 0.0),
                     lambda fit: discounted_expected_residual_lifetime(fit, 0.0, 3)):
        with pytest.raises(ValueError, match=r"without discounting the expected lifetime is infinite when alpha <= 1 "
                                             r"\(got alpha=0.668\)"):
            lifetime(SbgFit(0.668, 3.806))
    with pytest.raises(ValueError, match="periods_survived must be a whole number >= 0, got inf"):
        discounted_expected_residual_lifetime(SbgFit(2.0, 3.0), 0.1, math.inf)


def test_values_too_large_for_floating_point_are_a_value_error_not_infinity():
    with pytest.raises(ValueError, match=r"E\[spend\] is not a finite number at p=6.25, q=3.74, gamma=15.44"):
        gamma_gamma_expected_spend(GammaGammaFit(6.25, 3.74, 15.44), [1e300], [1e300])
    with pytest.raises(ValueError, match=r"E\[X\(t\)\] is not a finite number at r=1e\+08, alpha=1e-08"):
        bg_nbd_expected_purchases(BgNbdFit(1e8, 1e-8, 1e8, 1e-8), 39)
    with pytest.raises(ValueError, match="horizon must be a number of months from 0 to 1200, got 10000000.0"):
        predictive_clv(BgNbdFit(R, ALPHA, 0.793, B), GammaGammaFit(6.25, 3.74, 15.44), SUMMARY, 1e7, 0.1, 0.3, "W")
    with pytest.raises(ValueError, match="n must be whole numbers >= 0"):
        bg_nbd_purchase_probability(BgNbdFit(R, ALPHA, 0.793, B), 39, math.inf)


# --- data at the edges -------------------------------------------------------------------------------------------


def orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({"customer_id": pd.Series([row[0] for row in rows], dtype="str"),
                         "order_date": pd.to_datetime([row[1] for row in rows]),
                         "amount": [row[2] for row in rows]})


def test_empty_and_returns_only_data_have_no_customers_and_no_fit():
    returns_only = orders([("a", "2024-01-05", -20.0), ("b", "2024-02-01", -5.0)])
    for transactions in (returns_only, returns_only.iloc[:0]):
        summary = rfm_summary(transactions)
        assert summary.empty
        with pytest.raises(ValueError, match="fit_bg_nbd needs at least one customer"):
            fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
        fitted = models.fit_predictive_models(transactions)
        assert (fitted.reason, fitted.customers) == ("too_few_customers", 0)
        with pytest.raises(ValueError, match="the predictive models are not usable: too_few_customers"):
            models.predictive_clv_summary(fitted, 0.3, 0.1, 12)


def test_one_day_of_orders_gives_a_fit_that_says_so_and_cannot_forecast():
    one_day = orders([("a", "2024-03-01", 10.0), ("b", "2024-03-01", 12.0), ("a", "2024-03-01", 4.0)])
    summary = rfm_summary(one_day)
    assert summary["T"].tolist() == [0.0, 0.0]  # observation ends on the day of the orders
    fit = fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
    assert not fit.converged and "no observation time" in fit.message
    with pytest.raises(ValueError, match="the BG/NBD fit did not converge"):
        bg_nbd_conditional_expected_purchases(fit, 4, summary["frequency"], summary["recency"], summary["T"])


def test_a_single_customer_is_too_few_for_the_predictive_clv():
    single = orders([("a", "2024-01-05", 20.0), ("a", "2024-03-01", 30.0), ("a", "2024-05-10", 25.0)])
    fitted = models.fit_predictive_models(single)
    assert (fitted.reason, fitted.customers, fitted.repeaters) == ("too_few_customers", 1, 1)
    with pytest.raises(ValueError, match="the predictive models are not usable: too_few_customers"):
        models.predictive_clv_scenario(fitted, 0.3, 0.1, 12)
    with pytest.raises(ValueError, match="the predictive models are not usable: too_few_customers"):
        models.forecast_basis(fitted)


# --- extreme but legal values: finite and in range, or a ValueError that says why --------------------------------

positive = st.floats(min_value=1e-6, max_value=1e6).filter(lambda value: value > 0)
extreme_fit = st.builds(BgNbdFit, r=positive, alpha=positive, a=positive, b=positive)
history = st.tuples(st.integers(0, 10_000), st.floats(0, 1e5), st.floats(0, 1e5)).map(
    lambda row: (row[0], 0.0 if row[0] == 0 else min(row[1], row[2]), row[2]))
EXTREME = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def finite_or_refused(compute, low: float = 0.0, high: float = math.inf) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning escapes either
        try:
            values = np.asarray(compute(), dtype="float64")
        except ValueError as error:
            assert "is not a finite number at" in str(error)
            return
    assert np.all(np.isfinite(values))
    assert np.all(values >= low - 1e-9 * max(1.0, abs(low))) and np.all(values <= high * (1 + 1e-9))


@pytest.mark.slow
@EXTREME
@given(fit=extreme_fit, t=st.floats(0, 1e6), customer=history)
def test_bg_nbd_forecasts_at_extreme_parameters_are_finite_and_in_range_or_refused(fit, t, customer):
    x, t_x, big_t = customer
    finite_or_refused(lambda: bg_nbd_expected_purchases(fit, t))
    finite_or_refused(lambda: bg_nbd_purchase_probability(fit, t, [0, 1, 5]), high=1.0)
    finite_or_refused(lambda: bg_nbd_probability_alive(fit, x, t_x, big_t), high=1.0)
    finite_or_refused(lambda: bg_nbd_conditional_expected_purchases(fit, t, x, t_x, big_t))
    finite_or_refused(lambda: bg_nbd_expected_purchases_if_alive(fit, t, x, big_t))


@pytest.mark.slow
@EXTREME
@given(p=positive, q=positive, gamma=positive, x=st.integers(0, 10_000), z=st.floats(0, 1e12))
def test_gamma_gamma_spend_at_extreme_parameters_is_finite_or_refused(p, q, gamma, x, z):
    fit = GammaGammaFit(p, q, gamma)
    try:
        spend = gamma_gamma_expected_spend(fit, x, z)
    except ValueError as error:
        assert "p * x + q > 1" in str(error) or "is not a finite number at" in str(error)
        return
    assert np.isfinite(spend[0]) and spend[0] >= 0


@pytest.mark.slow
@EXTREME
@given(alpha=positive, beta=positive, t=st.floats(0, 1e9), discount=st.floats(0, 1))
def test_sbg_at_extreme_parameters_is_finite_and_in_range_or_refused(alpha, beta, t, discount):
    fit = SbgFit(alpha, beta)
    finite_or_refused(lambda: sbg_survival(fit, t), high=1.0)
    finite_or_refused(lambda: sbg_retention_rate(fit, max(t, 1.0)), high=1.0)
    finite_or_refused(lambda: sbg_churn_probability(fit, max(t, 1.0)), high=1.0)
    try:
        value = discounted_expected_lifetime(fit, discount)
    except ValueError as error:
        assert "infinite when alpha <= 1" in str(error) or "is not a finite number at" in str(error)
    else:
        assert math.isfinite(value) and value >= 1 - 1e-9  # the first payment, at acquisition, is certain
