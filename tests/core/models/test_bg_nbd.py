"""The BG/NBD model (retention_core.models.bg_nbd): its likelihood against a slow reference, parameter recovery
from simulations, the published CDNOW fit and worked example (Fader, Hardie & Lee 2005), its identities and its
errors on bad data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from published_estimates import CDNOW_BG_NBD, PUBLISHED_TOLERANCE, RECOVERY_TOLERANCE
from scipy import special
from simulated_btyd import simulate_bg_nbd

from retention_core.models import (
    BgNbdFit,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases,
    bg_nbd_log_likelihood,
    bg_nbd_probability_alive,
    bg_nbd_purchase_probability,
    fit_bg_nbd,
)


# ---------------------------------------------------------------------------------------------------------------
# Likelihoods against slow references
# ---------------------------------------------------------------------------------------------------------------


def _log_beta(u: float, v: float) -> float:
    return math.lgamma(u) + math.lgamma(v) - math.lgamma(u + v)


def _slow_bg_nbd_log_likelihood(r, alpha, a, b, frequency, recency, T):
    """FHL 2005 eq. (6) written out term by term, one customer at a time."""
    total = 0.0
    for x, t_x, big_t in zip(frequency, recency, T, strict=True):
        nbd = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
        still_alive = math.exp(_log_beta(a, b + x) - _log_beta(a, b) + nbd - (r + x) * math.log(alpha + big_t))
        dropped = 0.0
        if x > 0:
            dropped = math.exp(_log_beta(a + 1, b + x - 1) - _log_beta(a, b) + nbd - (r + x) * math.log(alpha + t_x))
        total += math.log(still_alive + dropped)
    return total


def test_bg_nbd_log_likelihood_matches_slow_reference():
    frequency, recency, T = [0, 1, 2, 5, 0], [0.0, 3.5, 10.0, 20.0, 0.0], [12.0, 30.0, 25.0, 20.0, 1.0]
    fit = BgNbdFit(r=0.6, alpha=3.0, a=0.9, b=2.2)
    fast = bg_nbd_log_likelihood(fit, frequency, recency, T).sum()
    assert fast == pytest.approx(_slow_bg_nbd_log_likelihood(0.6, 3.0, 0.9, 2.2, frequency, recency, T), rel=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Parameter recovery from simulated data (fixed seeds)
# ---------------------------------------------------------------------------------------------------------------


def test_fit_bg_nbd_recovers_simulated_parameters():
    rng = np.random.default_rng(20050301)
    truth = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
    fit = fit_bg_nbd(*simulate_bg_nbd(10_000, **truth, rng=rng))
    assert fit.converged, fit.message
    assert fit.n_customers == 10_000
    for name, value in truth.items():
        assert getattr(fit, name) == pytest.approx(value, rel=RECOVERY_TOLERANCE), name


# ---------------------------------------------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------------------------------------------


def test_cdnow_bg_nbd_matches_fader_hardie_lee_2005(cdnow_split):
    assert len(cdnow_split) == 2357
    assert int((cdnow_split["frequency"] == 0).sum()) == 1411  # FHL 2005: 1,411 made no repeat purchase
    fit = fit_bg_nbd(cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"])
    assert fit.converged, fit.message
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fit, name) == pytest.approx(getattr(CDNOW_BG_NBD, name), rel=PUBLISHED_TOLERANCE), name
    assert fit.log_likelihood == pytest.approx(-9582.4, abs=0.1)


def test_conditional_expectation_reproduces_fhl_2005_worked_example():
    # FHL 2005, Sec. 4: a customer with x = 2, t_x = 30.43, T = 38.86 weeks is expected to make 1.226 purchases
    # in the next 39 weeks.
    expected = bg_nbd_conditional_expected_purchases(CDNOW_BG_NBD, 39, 2, 30.43, 38.86)
    assert expected[0] == pytest.approx(1.226, abs=0.001)


def test_cdnow_holdout_forecast_tracks_actual_purchases(cdnow_split):
    fit = fit_bg_nbd(cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"])
    duration = float(cdnow_split["holdout_duration"].iloc[0])
    assert duration == 39.0
    predicted = bg_nbd_conditional_expected_purchases(
        fit, duration, cdnow_split["frequency"], cdnow_split["recency"], cdnow_split["T"]
    )
    actual = cdnow_split["holdout_frequency"]
    # 1,882 actual holdout repeat purchase days; the model predicts about 1,653 (-12 %), so assert within 15 %.
    assert actual.sum() == 1882
    assert predicted.sum() == pytest.approx(actual.sum(), rel=0.15)
    by_frequency = (
        cdnow_split.assign(predicted=predicted, group=cdnow_split["frequency"].clip(upper=7))
        .groupby("group")[["holdout_frequency", "predicted"]]
        .mean()
    )
    assert by_frequency["predicted"].is_monotonic_increasing
    assert by_frequency["holdout_frequency"].is_monotonic_increasing
    assert by_frequency["predicted"].to_numpy() == pytest.approx(by_frequency["holdout_frequency"], rel=0.3)


# ---------------------------------------------------------------------------------------------------------------
# Model identities
# ---------------------------------------------------------------------------------------------------------------


def test_purchase_probabilities_sum_to_one_and_to_the_expected_count():
    t = 39.0
    n = np.arange(0, 400)
    probabilities = bg_nbd_purchase_probability(CDNOW_BG_NBD, t, n)
    assert probabilities.sum() == pytest.approx(1.0, abs=1e-9)
    assert (n * probabilities).sum() == pytest.approx(bg_nbd_expected_purchases(CDNOW_BG_NBD, t), rel=1e-9)


def test_new_customer_conditional_expectation_is_the_unconditional_one():
    t = np.array([1.0, 13.0, 52.0])
    conditional = [bg_nbd_conditional_expected_purchases(CDNOW_BG_NBD, step, 0, 0, 0)[0] for step in t]
    assert conditional == pytest.approx(bg_nbd_expected_purchases(CDNOW_BG_NBD, t), rel=1e-10)


def test_conditional_expectation_stays_finite_for_heavy_buyers_and_long_horizons():
    # Direct eq. (10) with scipy's 2F1(r+x, b+x; a+b+x-1; z) returns NaN for x = 600 over five years (in days);
    # the Euler-transformed form agrees with it where it works and stays finite and increasing in t.
    fit = BgNbdFit(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
    x, t_x, big_t = np.array([1.0, 10.0, 600.0]), np.array([600.0, 690.0, 690.0]), np.full(3, 700.0)
    r, alpha, a, b, t = fit.r, fit.alpha, fit.a, fit.b, 365.0
    head = ((alpha + big_t) / (alpha + big_t + t)) ** (r + x)
    series = special.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + big_t + t))
    direct = (a + b + x - 1) / (a - 1) * (1 - head * series)
    direct *= bg_nbd_probability_alive(fit, x, t_x, big_t)
    assert bg_nbd_conditional_expected_purchases(fit, t, x, t_x, big_t)[:2] == pytest.approx(direct[:2], rel=1e-9)
    horizons = [365.0, 1826.0, 5000.0]
    heavy = [bg_nbd_conditional_expected_purchases(fit, step, 600, 690.0, 700.0)[0] for step in horizons]
    assert np.all(np.isfinite(heavy)) and np.all(np.diff(heavy) > 0)


def test_probability_alive_is_one_without_repeat_and_falls_with_silence():
    fit = CDNOW_BG_NBD
    alive = bg_nbd_probability_alive(fit, [0, 2, 2], [0.0, 30.0, 5.0], [38.0, 38.0, 38.0])
    assert alive[0] == 1.0
    # By hand: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) with x = 2, t_x = 30, T = 38.
    odds = 0.793 / (2.426 + 1) * ((4.414 + 38) / (4.414 + 30)) ** 2.243
    assert alive[1] == pytest.approx(1 / (1 + odds), rel=1e-12)
    assert alive[2] < alive[1]


# ---------------------------------------------------------------------------------------------------------------
# Bad data: clear errors for invalid input, converged=False for unidentifiable data
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("frequency", "recency", "T", "message"),
    [
        ([1, 2], [1.0], [2.0, 3.0], "same length"),
        ([-1], [0.0], [2.0], "whole numbers >= 0"),
        ([1.5], [1.0], [2.0], "whole numbers >= 0"),
        ([1], [3.0], [2.0], "recency must not exceed T"),
        ([0], [1.0], [2.0], "recency must be 0 where frequency is 0"),
        ([1], [-1.0], [2.0], "recency and T must be >= 0"),
        ([1], [float("nan")], [2.0], "recency must be finite"),
        ([[1, 2]], [[1.0, 1.0]], [[2.0, 2.0]], "one-dimensional"),
    ],
)
def test_fit_bg_nbd_rejects_invalid_summaries(frequency, recency, T, message):
    with pytest.raises(ValueError, match=message):
        fit_bg_nbd(frequency, recency, T)


def test_fit_bg_nbd_without_repeat_purchases_reports_instead_of_raising():
    fit = fit_bg_nbd([0, 0, 0], [0.0, 0.0, 0.0], [5.0, 6.0, 7.0])
    assert not fit.converged
    assert "not identified" in fit.message
    assert math.isnan(fit.r)


def test_fit_bg_nbd_flags_a_parameter_at_its_bound():
    # Everyone buys at a steady pace to the very end: no sign of dropout, so a/b runs to zero.
    frequency = np.full(300, 10)
    fit = fit_bg_nbd(frequency, np.full(300, 40.0), np.full(300, 40.0))
    assert not fit.converged
    assert "bound" in fit.message
