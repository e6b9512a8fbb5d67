"""The Gamma-Gamma spend model (retention_core.models.gamma_gamma): its likelihood against a numerical mixture,
parameter recovery, the published CDNOW fit (Fader & Hardie 2013), shrinkage to the population mean, bad data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from published_estimates import CDNOW_GAMMA_GAMMA, PUBLISHED_TOLERANCE, RECOVERY_TOLERANCE
from scipy import integrate, stats

from retention_core.models import GammaGammaFit, fit_gamma_gamma, gamma_gamma_expected_spend, gamma_gamma_log_likelihood


# ---------------------------------------------------------------------------------------------------------------
# Likelihoods against slow references
# ---------------------------------------------------------------------------------------------------------------


def test_gamma_gamma_log_likelihood_matches_numerical_mixture():
    # Reference: integrate the gamma(px, rate nu x) density of a mean of x spends over nu ~ gamma(q, rate gamma).
    p, q, gamma = 4.0, 3.0, 20.0
    frequency, monetary = [1, 3, 6], [25.0, 8.0, 40.0]

    def mixture(x: int, z: float) -> float:
        def integrand(nu: float) -> float:
            return stats.gamma.pdf(z, p * x, scale=1 / (nu * x)) * stats.gamma.pdf(nu, q, scale=1 / gamma)

        return integrate.quad(integrand, 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]

    expected = [math.log(mixture(x, z)) for x, z in zip(frequency, monetary, strict=True)]
    fast = gamma_gamma_log_likelihood(GammaGammaFit(p=p, q=q, gamma=gamma), frequency, monetary)
    assert fast == pytest.approx(expected, rel=1e-8)


# ---------------------------------------------------------------------------------------------------------------
# Parameter recovery from simulated data (fixed seeds)
# ---------------------------------------------------------------------------------------------------------------


def test_fit_gamma_gamma_recovers_simulated_parameters():
    rng = np.random.default_rng(2013)
    p, q, gamma, n = 6.0, 4.0, 15.0, 5_000
    frequency = 1 + rng.poisson(2.0, n)
    nu = rng.gamma(q, 1 / gamma, n)
    monetary = rng.gamma(p * frequency, 1 / (nu * frequency))  # mean of x gamma(p, rate nu) spends
    fit = fit_gamma_gamma(np.concatenate([frequency, [0, 2]]), np.concatenate([monetary, [0.0, -5.0]]))
    assert fit.converged, fit.message
    assert (fit.n_customers, fit.n_excluded) == (n, 1)  # x = 0 is ignored, x = 2 with spend -5 is excluded
    assert fit.p == pytest.approx(p, rel=RECOVERY_TOLERANCE)
    assert fit.q == pytest.approx(q, rel=RECOVERY_TOLERANCE)
    assert fit.gamma == pytest.approx(gamma, rel=RECOVERY_TOLERANCE)


# ---------------------------------------------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------------------------------------------


def test_cdnow_gamma_gamma_matches_fader_hardie_2013_on_calibration_period(cdnow_split):
    fit = fit_gamma_gamma(cdnow_split["frequency"], cdnow_split["monetary"])
    assert fit.converged, fit.message
    assert (fit.n_customers, fit.n_excluded) == (946, 0)
    for name in ("p", "q", "gamma"):
        assert getattr(fit, name) == pytest.approx(getattr(CDNOW_GAMMA_GAMMA, name), rel=PUBLISHED_TOLERANCE), name
    assert fit.log_likelihood == pytest.approx(-4055.92, abs=0.05)  # as in the CLVTools test suite


# ---------------------------------------------------------------------------------------------------------------
# Model identities
# ---------------------------------------------------------------------------------------------------------------


def test_expected_spend_shrinks_towards_population_mean():
    fit = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
    population = 6.25 * 15.44 / 2.74
    spend = gamma_gamma_expected_spend(fit, [0, 1, 10], [0.0, 100.0, 100.0])
    assert spend[0] == pytest.approx(population)
    assert spend[1] == pytest.approx((2.74 * population + 6.25 * 100) / (6.25 + 2.74))
    assert population < spend[1] < spend[2] < 100
    with pytest.raises(ValueError, match=r"with q <= 1 the population mean spend p \* gamma / \(q - 1\) does not exist"):
        gamma_gamma_expected_spend(GammaGammaFit(p=1.0, q=0.8, gamma=5.0), 0, 0.0)


# ---------------------------------------------------------------------------------------------------------------
# Bad data: clear errors for invalid input, converged=False for unidentifiable data
# ---------------------------------------------------------------------------------------------------------------


def test_fit_gamma_gamma_with_too_few_spenders_reports_instead_of_raising():
    fit = fit_gamma_gamma([0, 3, 2], [0.0, 10.0, 0.0])
    assert (fit.converged, fit.n_customers, fit.n_excluded) == (False, 1, 1)
    assert math.isnan(fit.p)
    with pytest.raises(ValueError, match="same length"):
        fit_gamma_gamma([1, 2, 3], [1.0, 2.0])
