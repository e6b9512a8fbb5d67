"""The shifted-beta-geometric (sBG) model of retention in a contractual setting (customers cancel at a renewal).

* Fader & Hardie (2007), "How to Project Customer Retention", Journal of Interactive Marketing 21(1), 76-90
  (FH 2007): the model, its likelihood and the survival and retention curves.
* Fader & Hardie (2010), "Customer-Base Valuation in a Contractual Setting: The Perils of Ignoring Heterogeneity",
  Marketing Science 29(1), 85-93 (FH 2010): discounted expected (residual) lifetime.

Forecasts refuse a fit that did not converge; where the answer does not exist (an infinite lifetime) or is too large
for floating point they raise ``ValueError`` saying so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from retention_core.models.scipy_on_first_use import special

from retention_core.models.fitting import (
    NO_FIT,
    checked_parameters,
    describe_parameters,
    float_vector,
    minimise,
    require_finite,
)

__all__ = [
    "SBG_PARAMETERS",
    "SbgFit",
    "discounted_expected_lifetime",
    "discounted_expected_residual_lifetime",
    "fit_shifted_beta_geometric",
    "sbg_churn_probability",
    "sbg_log_likelihood",
    "sbg_retention_rate",
    "sbg_survival",
]

SBG_PARAMETERS = ("alpha", "beta")
"""The parameters of :class:`SbgFit` (checked before every forecast)."""


@dataclass(frozen=True)
class SbgFit:
    """Shifted-beta-geometric parameters (FH 2007): per-period churn probability theta ~ Beta(alpha, beta).

    One period is the renewal period of the data it was fitted on (e.g. a year of annual contracts).
    """

    alpha: float
    beta: float
    log_likelihood: float = NO_FIT
    converged: bool = True
    message: str = ""
    n_periods: int = 0
    cohort_size: float = 0.0


def _survival_counts(survival: object, cohort_size: float) -> tuple[np.ndarray, float]:
    """Customers lost in periods 1..n and still active after period n, from survival fractions."""
    values = float_vector("survival", survival)
    if values.size < 2:
        raise ValueError("survival needs at least 2 periods to identify alpha and beta")
    if np.any(values > 1) or np.any(values < 0):
        raise ValueError("survival must be fractions between 0 and 1 (not percent)")
    if np.any(np.diff(values) > 1e-12):
        raise ValueError("survival must not increase from one period to the next")
    if not (math.isfinite(cohort_size) and cohort_size > 0):
        raise ValueError(f"cohort_size must be > 0, got {cohort_size!r}")
    lost = cohort_size * -np.diff(np.concatenate([[1.0], values]))
    return np.maximum(lost, 0.0), cohort_size * float(values[-1])


def _sbg_terms(alpha: float, beta: float, lost: np.ndarray, active: float) -> tuple[float, np.ndarray]:
    """sBG log-likelihood and its gradient in (log alpha, log beta)."""
    t = np.arange(1, lost.size + 1, dtype="float64")
    n = float(lost.size)
    psi = special.digamma
    log_beta_ab = special.betaln(alpha, beta)
    log_churn = special.betaln(alpha + 1, beta + t - 1) - log_beta_ab
    log_survive = special.betaln(alpha, beta + n) - log_beta_ab
    value = float(lost @ log_churn + active * log_survive)
    d_ab_alpha, d_ab_beta = psi(alpha) - psi(alpha + beta), psi(beta) - psi(alpha + beta)
    d_alpha = lost @ (psi(alpha + 1) - psi(alpha + beta + t) - d_ab_alpha) + active * (
        psi(alpha) - psi(alpha + beta + n) - d_ab_alpha
    )
    d_beta = lost @ (psi(beta + t - 1) - psi(alpha + beta + t) - d_ab_beta) + active * (
        psi(beta + n) - psi(alpha + beta + n) - d_ab_beta
    )
    return value, np.array([d_alpha * alpha, d_beta * beta])


def sbg_log_likelihood(fit: SbgFit, survival: object, cohort_size: float = 1000) -> float:
    """sBG log-likelihood of a cohort's survival curve (FH 2007).

    LL(alpha, beta) = sum_{t=1..n} n_t ln P(T=t) + n_active ln S(n), with n_t = cohort_size (S_(t-1) - S_t) lost
    in period t (S_0 = 1), n_active = cohort_size * S_n, and P(T=t), S(t) as in :func:`sbg_churn_probability`
    and :func:`sbg_survival`.
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS, forecast=False)
    lost, active = _survival_counts(survival, float(cohort_size))
    with np.errstate(all="ignore"):
        return _sbg_terms(alpha, beta, lost, active)[0]


def fit_shifted_beta_geometric(survival: object, cohort_size: float = 1000) -> SbgFit:
    """Maximum-likelihood sBG fit to a cohort's survival curve (FH 2007).

    ``survival[i]`` is the fraction of the cohort still active at the end of period i+1 (leave out the 1.0 at
    t = 0); fractions, not percent; at least two periods. ``cohort_size`` turns fractions into the counts of the
    likelihood (the cohort's real size gives the correct likelihood; 1000 reproduces FH 2007's worked example).
    """
    lost, active = _survival_counts(survival, float(cohort_size))
    total = float(cohort_size)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = _sbg_terms(*np.exp(log_params), lost, active)
        return -value / total, -gradient / total

    log_params, converged, message = minimise(objective, np.zeros(2), 2)
    alpha, beta = np.exp(log_params)
    with np.errstate(all="ignore"):
        log_likelihood = _sbg_terms(alpha, beta, lost, active)[0]
    return SbgFit(float(alpha), float(beta), log_likelihood, converged, message, int(lost.size), total)


def _periods(name: str, t: object, minimum: float) -> np.ndarray:
    values = np.asarray(t, dtype="float64")
    if not np.all(np.isfinite(values)) or np.any(values < minimum):
        raise ValueError(f"{name} must be finite and >= {minimum:g}")
    return values


def sbg_churn_probability(fit: SbgFit, t: object) -> np.ndarray:
    """Probability that a new customer churns in period t (t = 1, 2, ...), FH 2007.

    P(T = t | alpha, beta) = B(alpha+1, beta+t-1) / B(alpha, beta).
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS)
    t = _periods("t", t, 1)
    with np.errstate(all="ignore"):
        churn = np.minimum(np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta)), 1.0)
    # (rounding past 1 at extreme alpha, beta clipped)
    return require_finite("P(T = t)", churn, describe_parameters(fit, SBG_PARAMETERS))


def sbg_survival(fit: SbgFit, t: object) -> np.ndarray:
    """Fraction of a cohort still active after t periods, FH 2007: S(t | alpha, beta) = B(alpha, beta+t)/B(alpha, beta).

    S(0) = 1; ``t`` in periods of the fitted data, vectorised.
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS)
    t = _periods("t", t, 0)
    with np.errstate(all="ignore"):
        survival = np.minimum(np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta)), 1.0)
    # (rounding past 1 at extreme alpha, beta clipped)
    return require_finite("S(t)", survival, describe_parameters(fit, SBG_PARAMETERS))


def sbg_retention_rate(fit: SbgFit, t: object) -> np.ndarray:
    """Retention rate of period t, r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1), FH 2007 (t >= 1).

    It rises with t: the customers most likely to churn leave first (sorting under heterogeneity).
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS)
    t = _periods("t", t, 1)
    with np.errstate(all="ignore"):
        rate = (beta + t - 1) / (alpha + beta + t - 1)
    return require_finite("r_t", rate, describe_parameters(fit, SBG_PARAMETERS))


def _discount_factor(discount_rate: float) -> float:
    if not (math.isfinite(discount_rate) and 0 <= discount_rate <= 1):
        raise ValueError(f"discount_rate must be a per-period fraction between 0 and 1, got {discount_rate!r}")
    return 1.0 / (1.0 + discount_rate)


def discounted_expected_lifetime(fit: SbgFit, discount_rate: float) -> float:
    """Discounted expected lifetime of a new customer, in periods, FH 2010.

    DEL(d | alpha, beta) = sum_{t>=0} S(t) / (1+d)^t = 2F1(1, beta; alpha+beta; 1/(1+d)),
    i.e. the present value of one payment per period alive, the first at acquisition (t = 0) undiscounted.
    ``discount_rate`` d is per period of the fit (a fraction). Without discounting (d = 0) the sum is the expected
    lifetime, which is infinite when alpha <= 1 (the series 2F1(.; .; 1) diverges): ``ValueError`` then, as for a
    value too large to compute.
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS)
    z = _discount_factor(discount_rate)
    _finite_lifetime(alpha, discount_rate)
    with np.errstate(all="ignore"):
        value = special.hyp2f1(1.0, beta, alpha + beta, z)
    return float(require_finite("the discounted expected lifetime", np.asarray(value),
                                describe_parameters(fit, SBG_PARAMETERS)))


def _finite_lifetime(alpha: float, discount_rate: float) -> None:
    """``ValueError`` when the undiscounted expected (residual) lifetime is infinite: d = 0 and alpha <= 1."""
    if discount_rate == 0 and alpha <= 1:
        raise ValueError(f"without discounting the expected lifetime is infinite when alpha <= 1 (got alpha="
                         f"{alpha:.6g}): too many customers never churn; use a discount rate > 0")


def discounted_expected_residual_lifetime(fit: SbgFit, discount_rate: float, periods_survived: int = 0) -> float:
    """Discounted expected residual lifetime of a customer who has renewed ``periods_survived`` times, FH 2010.

    In FH 2010's notation a customer with n-1 renewals, valued just before the next (n-th) renewal decision:
        DERL(d | alpha, beta, n-1 renewals) = sum_{t>=n} S(t | T > n-1) / (1+d)^(t-n)
            = (beta+n-1)/(alpha+beta+n-1) * 2F1(1, beta+n; alpha+beta+n; 1/(1+d)),
    with n - 1 = ``periods_survived``. It counts expected future payments (one per period alive): the next
    renewal's payment undiscounted, later ones discounted per period. ``discount_rate`` d is per period of the
    fit (a fraction). Multiply by the payment per period for a residual value; DEL = 1 + DERL(0) / (1+d).
    At d = 0 with alpha <= 1 the residual lifetime is infinite: ``ValueError``, as for a fit that did not converge.
    """
    alpha, beta = checked_parameters("sBG", fit, SBG_PARAMETERS)
    z = _discount_factor(discount_rate)
    if (isinstance(periods_survived, bool) or not isinstance(periods_survived, (int, float, np.number))
            or not math.isfinite(periods_survived) or periods_survived < 0
            or periods_survived != int(periods_survived)):
        raise ValueError(f"periods_survived must be a whole number >= 0, got {periods_survived!r}")
    _finite_lifetime(alpha, discount_rate)
    n = int(periods_survived) + 1
    with np.errstate(all="ignore"):
        value = (beta + n - 1) / (alpha + beta + n - 1) * special.hyp2f1(1.0, beta + n, alpha + beta + n, z)
    return float(require_finite("the discounted expected residual lifetime", np.asarray(value),
                                describe_parameters(fit, SBG_PARAMETERS)))
