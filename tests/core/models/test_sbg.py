"""The shifted-beta-geometric model (retention_core.models.sbg): its likelihood against Fader & Hardie's recursion,
parameter recovery, the published High End / Regular fits (Fader & Hardie 2007), its identities (survival, DEL,
DERL) and its errors on bad data."""

from __future__ import annotations

import math

import numpy as np
import pytest
from published_estimates import PUBLISHED_TOLERANCE, RECOVERY_TOLERANCE

from retention_core.models import (
    SbgFit,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
    fit_shifted_beta_geometric,
    sbg_churn_probability,
    sbg_log_likelihood,
    sbg_retention_rate,
    sbg_survival,
)


# ---------------------------------------------------------------------------------------------------------------
# Likelihoods against slow references
# ---------------------------------------------------------------------------------------------------------------


def test_sbg_log_likelihood_matches_recursion_of_fader_hardie_2007():
    # FH 2007 compute P(T=t) by recursion: P(T=1) = alpha/(alpha+beta), P(T=t) = (beta+t-2)/(alpha+beta+t-1) P(T=t-1).
    alpha, beta, survival = 0.7, 1.2, [0.631, 0.468, 0.382, 0.326]
    churn, surviving, reference, previous = alpha / (alpha + beta), 1.0, 0.0, 1.0
    for t, active in enumerate(survival, start=1):
        if t > 1:
            churn *= (beta + t - 2) / (alpha + beta + t - 1)
        surviving -= churn
        reference += 1000 * (previous - active) * math.log(churn)
        previous = active
    reference += 1000 * survival[-1] * math.log(surviving)
    assert sbg_log_likelihood(SbgFit(alpha, beta), survival, cohort_size=1000) == pytest.approx(reference, rel=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# Parameter recovery from simulated data (fixed seeds)
# ---------------------------------------------------------------------------------------------------------------


def test_fit_shifted_beta_geometric_recovers_simulated_parameters():
    rng = np.random.default_rng(2007)
    alpha, beta, n = 0.7, 1.2, 20_000
    lifetime = rng.geometric(rng.beta(alpha, beta, n))  # period in which each customer cancels
    survival = [(lifetime > t).mean() for t in range(1, 11)]
    fit = fit_shifted_beta_geometric(survival, cohort_size=n)
    assert fit.converged, fit.message
    assert fit.alpha == pytest.approx(alpha, rel=RECOVERY_TOLERANCE)
    assert fit.beta == pytest.approx(beta, rel=RECOVERY_TOLERANCE)


# ---------------------------------------------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------------------------------------------


# Fader & Hardie (2007), "How to Project Customer Retention", J. Interactive Marketing 21(1), Table 1 / Fig. 1:
# percent of a 1,000-customer cohort surviving years 1..7 (year 0 = 100 left out); fitted to these 7 years the
# paper reports High End alpha = 0.668, beta = 3.806 and Regular alpha = 0.704, beta = 1.182.
HIGH_END = [0.869, 0.743, 0.653, 0.593, 0.551, 0.517, 0.491]
REGULAR = [0.631, 0.468, 0.382, 0.326, 0.289, 0.262, 0.241]


@pytest.mark.parametrize(
    ("survival", "alpha", "beta"), [(HIGH_END, 0.668, 3.806), (REGULAR, 0.704, 1.182)], ids=["high_end", "regular"]
)
def test_sbg_reproduces_fader_hardie_2007_estimates(survival, alpha, beta):
    fit = fit_shifted_beta_geometric(survival, cohort_size=1000)
    assert fit.converged, fit.message
    assert fit.alpha == pytest.approx(alpha, rel=PUBLISHED_TOLERANCE)
    assert fit.beta == pytest.approx(beta, rel=PUBLISHED_TOLERANCE)
    assert sbg_survival(fit, np.arange(1, 8)) == pytest.approx(survival, abs=0.02)


# ---------------------------------------------------------------------------------------------------------------
# Model identities
# ---------------------------------------------------------------------------------------------------------------


def test_sbg_survival_is_the_product_of_retention_rates():
    fit = SbgFit(alpha=0.704, beta=1.182)
    t = np.arange(1, 13)
    assert sbg_survival(fit, 0) == pytest.approx(1.0)
    assert sbg_survival(fit, t) == pytest.approx(np.cumprod(sbg_retention_rate(fit, t)), rel=1e-12)
    assert np.all(np.diff(sbg_retention_rate(fit, t)) > 0)
    assert sbg_churn_probability(fit, t) == pytest.approx(-np.diff(sbg_survival(fit, np.arange(0, 13))), rel=1e-10)


@pytest.mark.parametrize("periods_survived", [0, 1, 4])
def test_derl_equals_its_discounted_survival_series(periods_survived):
    # FH 2010: DERL(d | n-1 renewals) = sum_{t>=n} S(t | T > n-1) / (1+d)^(t-n), with n - 1 = periods_survived.
    fit, d = SbgFit(alpha=0.668, beta=3.806), 0.10
    n = periods_survived + 1
    t = np.arange(n, n + 3000)
    series = np.sum(sbg_survival(fit, t) / sbg_survival(fit, n - 1) / (1 + d) ** (t - n))
    assert discounted_expected_residual_lifetime(fit, d, periods_survived) == pytest.approx(series, rel=1e-9)


def test_del_is_one_plus_discounted_derl_of_a_new_customer():
    fit, d = SbgFit(alpha=0.704, beta=1.182), 0.10
    assert discounted_expected_lifetime(fit, d) == pytest.approx(
        1 + discounted_expected_residual_lifetime(fit, d, 0) / (1 + d), rel=1e-12
    )


# ---------------------------------------------------------------------------------------------------------------
# Bad data: clear errors for invalid input, converged=False for unidentifiable data
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("survival", "cohort_size", "message"),
    [
        ([86.9, 74.3], 1000, "not percent"),
        ([0.8, 0.9], 1000, "must not increase"),
        ([0.8], 1000, "at least 2 periods"),
        ([0.8, 0.7], 0, "cohort_size must be > 0"),
    ],
)
def test_fit_shifted_beta_geometric_rejects_invalid_curves(survival, cohort_size, message):
    with pytest.raises(ValueError, match=message):
        fit_shifted_beta_geometric(survival, cohort_size=cohort_size)


def test_sbg_valuation_rejects_invalid_rates_and_periods():
    fit = SbgFit(alpha=0.7, beta=1.2)
    with pytest.raises(ValueError, match="per-period fraction"):
        discounted_expected_residual_lifetime(fit, 10, 0)
    with pytest.raises(ValueError, match="periods_survived must be a whole number"):
        discounted_expected_residual_lifetime(fit, 0.1, -1)
    with pytest.raises(ValueError, match="t must be finite and >= 1"):
        sbg_retention_rate(fit, 0)
