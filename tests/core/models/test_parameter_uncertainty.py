"""The predictive interval (retention_core.models.parameter_uncertainty): the observed information against second
differences of the likelihood, the draws, the month weights worked out by hand, the linearisation against the
forecast recomputed at a draw, the intervals on the sample's CLV summary, and the coverage by simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from simulated_btyd import simulate_summary

from retention_core.models import (
    BgNbdFit,
    GammaGammaFit,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_log_likelihood,
    calibration_holdout_split,
    fit_bg_nbd,
    fit_gamma_gamma,
)
from retention_core.models.clv import predictive_clv, predictive_clv_summary
from retention_core.models.parameter_uncertainty import (
    GRID_MONTHS,
    PredictiveUncertainty,
    bg_nbd_information,
    expected_purchases_interval,
    gamma_gamma_information,
    observed_information,
    parameter_deviations,
    predictive_uncertainty,
)

# --- the observed information --------------------------------------------------------------------------------------


def test_the_information_of_a_quadratic_is_its_matrix():
    # −ln L = ½ θᵀ A θ has the gradient A θ and the Hessian A, whatever the point
    matrix = np.array([[4.0, 1.0], [1.0, 3.0]])
    information = observed_information(lambda theta: matrix @ theta, np.array([0.7, -0.2]))
    np.testing.assert_allclose(information, matrix, atol=1e-9)


def test_the_bg_nbd_information_is_the_second_difference_of_the_log_likelihood(sample_models):
    summary = sample_models.summary
    fit = sample_models.bg_nbd
    theta, step = np.log([fit.r, fit.alpha, fit.a, fit.b]), 1e-3

    def nll(log_params):  # the negative log-likelihood
        return -bg_nbd_log_likelihood(BgNbdFit(*np.exp(log_params)), summary["frequency"], summary["recency"],
                                      summary["T"]).sum()

    # the (r, b) entry from the likelihood's values alone, without its gradient
    up, right = np.eye(4)[0] * step, np.eye(4)[3] * step
    mixed = (nll(theta + up + right) - nll(theta + up - right) - nll(theta - up + right)
             + nll(theta - up - right)) / (4 * step**2)
    information = bg_nbd_information(fit, summary["frequency"], summary["recency"], summary["T"])
    assert information[0, 3] == pytest.approx(mixed, rel=1e-3)
    assert np.all(np.linalg.eigvalsh(information) > 0)  # a maximum


def test_the_gamma_gamma_information_leaves_out_customers_the_fit_leaves_out(sample_models):
    summary = sample_models.summary
    fit = sample_models.gamma_gamma
    with_others = gamma_gamma_information(fit, np.r_[summary["frequency"], 0, 3], np.r_[summary["monetary"], 0, -5])
    np.testing.assert_allclose(with_others, gamma_gamma_information(fit, summary["frequency"], summary["monetary"]))


# --- the draws -----------------------------------------------------------------------------------------------------


def test_the_draws_have_the_inverse_information_as_covariance_and_a_fixed_seed():
    information = np.array([[4.0, 1.0], [1.0, 2.0]])
    draws = parameter_deviations(information, draws=40_000, seed=1)
    np.testing.assert_allclose(np.cov(draws.T), np.linalg.inv(information), atol=0.01)
    np.testing.assert_array_equal(parameter_deviations(information, 5, 27), parameter_deviations(information, 5, 27))


def test_a_flat_likelihood_gives_no_draws():
    with pytest.raises(ValueError, match="the observed information is not positive definite"):
        parameter_deviations(np.array([[1.0, 0.0], [0.0, -1.0]]))


# --- the slider values on the draws, by hand -------------------------------------------------------------------------

THREE_DRAWS = PredictiveUncertainty(
    purchase_value=np.array([1.0, 2.0, 3.0]),
    replicate_purchase_value=np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.5, 1.0, 1.5]]),
    alive_log_odds_shifts=np.array([0.0, math.log(3), -math.log(3)]),
)


def test_without_discounting_the_factor_is_the_ratio_at_the_horizon():
    # rate 0: every weight but the horizon's is v_k − v_(k+1) = 0, the horizon's is 1
    np.testing.assert_allclose(THREE_DRAWS.clv_factors(0.0, 3), [1.0, 2.0, 0.5])
    np.testing.assert_allclose(THREE_DRAWS.clv_factors(0.0, 2), [1.0, 2.0, 0.5])


def test_discounting_weighs_each_month_from_its_end():
    replicate = np.array([[1.0, 3.0], [1.0, 2.0], [1.0, 2.0]])
    uncertainty = PredictiveUncertainty(np.array([1.0, 2.0]), replicate, np.zeros(3))
    v1, v2 = 1.1 ** (-1 / 12), 1.1 ** (-2 / 12)
    # month 1 bought 1 (at v1), month 2 bought 2 in the first draw and 1 at the estimate (at v2)
    expected = (1 * v1 + 2 * v2) / (1 * v1 + 1 * v2)
    np.testing.assert_allclose(uncertainty.clv_factors(0.1, 2), [expected, 1.0, 1.0])


def test_the_clv_interval_is_the_figure_times_the_middle_of_the_factors():
    # factors 1, 2, 0.5 times 100: 50, 100, 200; their 25 % and 75 % quantiles are 75 and 150
    interval = THREE_DRAWS.clv_interval(100.0, 0.0, 3, level=0.5)
    assert (interval.low, interval.high) == pytest.approx((75.0, 150.0))


def test_the_alive_interval_shifts_the_log_odds():
    # log odds 0, ln 3, −ln 3 around 0.5 are 0.5, 0.75 and 0.25: quartiles 0.375 and 0.625
    interval = THREE_DRAWS.alive_interval(0.5, level=0.5)
    assert (interval.low, interval.high) == pytest.approx((0.375, 0.625))
    assert THREE_DRAWS.alive_interval(0.0) is None


def test_a_horizon_beyond_the_months_held_is_refused():
    with pytest.raises(ValueError, match="horizon_months must be a whole number from 0 to 3"):
        THREE_DRAWS.clv_factors(0.1, 4)
    assert np.all(np.isnan(THREE_DRAWS.clv_factors(0.1, 0)))


# --- the linearisation and the sample ------------------------------------------------------------------------------


def test_the_linearised_forecast_agrees_with_the_forecast_recomputed_at_a_draw(sample_models):
    bg, gg, summary = sample_models.bg_nbd, sample_models.gamma_gamma, sample_models.summary
    uncertainty = predictive_uncertainty(bg, gg, summary, summary, "W", draws=3, seed=5)
    information = np.zeros((7, 7))
    information[:4, :4] = bg_nbd_information(bg, summary["frequency"], summary["recency"], summary["T"])
    information[4:, 4:] = gamma_gamma_information(gg, summary["frequency"], summary["monetary"])
    drawn = np.exp(np.log([bg.r, bg.alpha, bg.a, bg.b, gg.p, gg.q, gg.gamma])
                   + parameter_deviations(information, draws=3, seed=5)[0])
    for months in (12, 60):
        at_draw = predictive_clv(BgNbdFit(*drawn[:4]), GammaGammaFit(*drawn[4:]), summary, months, 0.0, 1.0)
        at_estimate = predictive_clv(bg, gg, summary, months, 0.0, 1.0)
        exact = at_draw["clv"].sum() / at_estimate["clv"].sum()
        assert months in GRID_MONTHS
        assert uncertainty.clv_factors(0.0, months)[0] == pytest.approx(exact, rel=2e-3)


def test_the_sample_summary_carries_intervals_around_its_means(sample_models):
    assert sample_models.uncertainty is not None
    summary = predictive_clv_summary(sample_models, 0.3, 0.1, 36)
    assert summary.mean_clv_interval.contains(summary.mean_clv)
    assert summary.mean_probability_alive_interval.contains(summary.mean_probability_alive)
    doubled = summary.at_margin(0.6).mean_clv_interval
    assert (doubled.low, doubled.high) == pytest.approx((2 * summary.mean_clv_interval.low,
                                                         2 * summary.mean_clv_interval.high))
    longer = predictive_clv_summary(sample_models, 0.3, 0.1, 120).mean_clv_interval
    assert longer.high / longer.low > summary.mean_clv_interval.high / summary.mean_clv_interval.low
    assert predictive_clv_summary(sample_models, 0.3, 0.1, 36.5).mean_clv_interval is None  # no whole month


def test_the_holdout_forecast_carries_the_calibration_fits_interval(sample_models, sample_transactions):
    split = calibration_holdout_split(sample_transactions, sample_models.calibration_end,
                                      sample_models.observation_end, "W")
    fit = fit_bg_nbd(split["frequency"], split["recency"], split["T"])
    duration = float(split["holdout_duration"].iloc[0])
    interval = expected_purchases_interval(fit, split["frequency"], split["recency"], split["T"], duration)
    shown = sample_models.holdout_predicted_interval
    assert (shown.low, shown.high) == pytest.approx((interval.low, interval.high))
    assert interval.contains(sample_models.holdout_predicted)
    # a longer holdout is less sure, relatively
    longer = expected_purchases_interval(fit, split["frequency"], split["recency"], split["T"], 4 * duration)
    total = bg_nbd_conditional_expected_purchases(fit, 4 * duration, split["frequency"], split["recency"],
                                                  split["T"]).sum()
    assert (longer.high - longer.low) / total > (interval.high - interval.low) / sample_models.holdout_predicted


# --- coverage by simulation ----------------------------------------------------------------------------------------

TRUE_BG_NBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
TRUE_GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "gamma": 15.0}
DATA_SETS = 200
CUSTOMERS = 1_000


@pytest.mark.slow
def test_the_80_percent_interval_covers_the_true_mean_clv_in_about_8_of_10_data_sets():
    """The true value is the mean CLV of the simulated customers at the true parameters (12 months, 10 % a year):
    the figure whose uncertainty comes from the parameters alone. Coverage of 200 data sets is Binomial(200, 0.8)
    / 200 when the interval is right: standard deviation √(0.8 · 0.2 / 200) ≈ 0.028, so 0.8 ± 3 sd = 0.72 … 0.88
    fails a right interval once in 370 runs (it is seeded: it passes or fails every time)."""
    rng = np.random.default_rng(2005)
    truth_bg, truth_gg = BgNbdFit(**TRUE_BG_NBD), GammaGammaFit(**TRUE_GAMMA_GAMMA)
    covered = 0
    for _ in range(DATA_SETS):
        summary = simulate_summary(CUSTOMERS, TRUE_BG_NBD, TRUE_GAMMA_GAMMA, rng)
        bg = fit_bg_nbd(summary["frequency"], summary["recency"], summary["T"])
        gg = fit_gamma_gamma(summary["frequency"], summary["monetary"])
        true_mean = predictive_clv(truth_bg, truth_gg, summary, 12, 0.1, 1.0)["clv"].mean()
        estimate = predictive_clv(bg, gg, summary, 12, 0.1, 1.0)["clv"].mean()
        interval = predictive_uncertainty(bg, gg, summary, summary, "W").clv_interval(estimate, 0.1, 12)
        covered += interval.contains(true_mean)
    assert 0.72 <= covered / DATA_SETS <= 0.88
