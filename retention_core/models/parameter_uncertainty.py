"""How sure the BG/NBD + Gamma-Gamma forecast is: the parameters' sampling error carried to the mean predictive CLV.

The fitted parameters are maximum-likelihood estimates, so their sampling distribution is asymptotically normal
around the estimate with the inverse of the observed information as covariance (the Hessian of the negative
log-likelihood at the maximum). It is taken on the optimiser's log scale (log r, log alpha, ...), where it is closer
to normal and every draw stays positive. The BG/NBD and the Gamma-Gamma are fitted separately and the model assumes
spend independent of the purchase process, so the covariance is block-diagonal.

:func:`predictive_uncertainty` runs once per data set, beside the fit (:func:`~.btyd.fit_predictive_models`):
it draws :data:`~retention_core.intervals.REPLICATES` parameter sets (seed :data:`~retention_core.intervals.SEED`)
and carries each to the month-by-month sum of expected margin-free spend, C(k) = Σᵢ E[spend]ᵢ · P(alive)ᵢ ·
E[Y(k months) | alive]ᵢ, and to the mean P(alive). Recomputing the 2F1 of every customer for every draw would cost
the forecast basis two hundred times; instead the log of each C(k) and the log-odds of the mean P(alive) are
linearised in the log-parameters (central differences, step :data:`STEP`; the first-order delta method, applied to
draws so that the result keeps the positive, skewed shape of the figures), on at most :data:`EVALUATION_CUSTOMERS`
customers and at :data:`GRID_MONTHS`, interpolated between. A slider move is then one product of a replicates ×
months matrix with the month weights of the discount rate and horizon (:meth:`PredictiveUncertainty.clv_factors`);
the margin cancels out of the ratio. :func:`expected_purchases_interval` does the same for the holdout forecast.

What it covers: the parameters' sampling error given the model. What it does not: model error (purchase or
dropout processes that are not BG/NBD, spend that depends on frequency) and the choice of margin, rate and horizon.

References: Fader, Hardie & Lee (2005), Marketing Science 24(2) (BG/NBD, eq. 6 and 10); Fader & Hardie (2013),
note 025 (Gamma-Gamma); Efron & Tibshirani (1993), An Introduction to the Bootstrap, §6.5 (the parametric
bootstrap); Casella & Berger (2002), Statistical Inference, §10.1.3 (asymptotic normality of the MLE, the delta
method).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from retention_core.models.scipy_on_first_use import special

from retention_core.intervals import LEVEL, REPLICATES, SEED, Interval, percentile_interval
from retention_core.models.bg_nbd import (
    BgNbdFit,
    _bg_nbd_terms,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases_if_alive,
    bg_nbd_probability_alive,
)
from retention_core.models.fitting import distinct_rows
from retention_core.models.gamma_gamma import GammaGammaFit, _gamma_gamma_terms, gamma_gamma_expected_spend
from retention_core.models.summaries import DAYS_PER_YEAR, days_per_unit

__all__ = [
    "EVALUATION_CUSTOMERS",
    "GRID_MONTHS",
    "STEP",
    "PredictiveUncertainty",
    "bg_nbd_information",
    "expected_purchases_interval",
    "gamma_gamma_information",
    "observed_information",
    "parameter_deviations",
    "predictive_uncertainty",
]

STEP = 1e-3
"""Step of the central differences on the log scale (a relative change of 0.1 % of a parameter)."""

EVALUATION_CUSTOMERS = 10_000
"""The customers the linearisation is made on (a seeded sample of the fit's customers beyond this many): the
draws change the forecast by a share, and a share is measured well on this many."""

GRID_MONTHS = (1, 2, 3, 4, 6, 9, 12, 18, 24, 36, 48, 60, 84, 120, 180, 240)
"""The horizons, in months, at which C(k) and its derivatives are evaluated; months between are interpolated
linearly (C grows smoothly with the horizon)."""


def observed_information(gradient: Callable[[np.ndarray], np.ndarray], log_params: np.ndarray,
                         step: float = STEP) -> np.ndarray:
    """The observed information: the Hessian of the negative log-likelihood at ``log_params``, numerically.

    Definition: I_jk = ∂²(−ln L)/∂θ_j∂θ_k at the estimate, θ the log-parameters.
    Formula: I[:, k] = (g(θ + h e_k) − g(θ − h e_k)) / (2h), then (I + Iᵀ) / 2, g = ∇(−ln L) (analytic).
    Units: per unit of log-parameter squared. Reference: Casella & Berger (2002), §10.1.3.
    """
    theta = np.asarray(log_params, dtype="float64")
    columns = []
    for k in range(theta.size):
        shift = np.zeros_like(theta)
        shift[k] = step
        columns.append((gradient(theta + shift) - gradient(theta - shift)) / (2 * step))
    hessian = np.column_stack(columns)
    return (hessian + hessian.T) / 2


def bg_nbd_information(fit: BgNbdFit, frequency: object, recency: object, T: object) -> np.ndarray:
    """The 4 × 4 observed information of a BG/NBD fit in (log r, log alpha, log a, log b), FHL 2005 eq. (6) summed
    over the customers it was fitted on (see :func:`observed_information`)."""
    x, t_x, big_t = (np.asarray(values, dtype="float64") for values in (frequency, recency, T))
    (ux, ut_x, ut), weights, _ = distinct_rows(x, t_x, big_t)
    levels = np.unique(ux, return_inverse=True)

    def gradient(theta: np.ndarray) -> np.ndarray:
        jacobian = _bg_nbd_terms(*np.exp(theta), ux, ut_x, ut, gradient=True, levels=levels)[1]
        return -(jacobian @ weights)

    return observed_information(gradient, np.log([fit.r, fit.alpha, fit.a, fit.b]))


def gamma_gamma_information(fit: GammaGammaFit, frequency: object, monetary: object) -> np.ndarray:
    """The 3 × 3 observed information of a Gamma-Gamma fit in (log p, log q, log gamma), on the repeat customers
    with a positive mean spend (those it is fitted on; Fader & Hardie 2013)."""
    x, z = np.asarray(frequency, dtype="float64"), np.asarray(monetary, dtype="float64")
    usable = (x > 0) & (z > 0)
    (ux, uz), weights, _ = distinct_rows(x[usable], z[usable])
    levels = np.unique(ux, return_inverse=True)

    def gradient(theta: np.ndarray) -> np.ndarray:
        jacobian = _gamma_gamma_terms(*np.exp(theta), ux, uz, gradient=True, levels=levels)[1]
        return -(jacobian @ weights)

    return observed_information(gradient, np.log([fit.p, fit.q, fit.gamma]))


def parameter_deviations(information: np.ndarray, draws: int = REPLICATES, seed: int = SEED) -> np.ndarray:
    """Draws of θ* − θ̂ from the asymptotic normal distribution of the estimate, N(0, I⁻¹) (draws × parameters).

    Formula: δ = Z Lᵀ with L Lᵀ = I⁻¹ (Cholesky), Z standard normal (seeded). Units: log-parameters.
    Raises ``ValueError`` when the information is not positive definite (the likelihood is flat in some direction:
    the data do not pin the parameters down, and no interval can be given).
    """
    try:
        root = np.linalg.cholesky(np.linalg.inv(information))
    except np.linalg.LinAlgError as error:
        raise ValueError("the observed information is not positive definite") from error
    return np.random.default_rng(seed).standard_normal((draws, information.shape[0])) @ root.T


def _grid_expectations(bg_fit: BgNbdFit, ux: np.ndarray, ut: np.ndarray, month: float) -> np.ndarray:
    """E[Y(k months) | alive, x, T] for each distinct (x, T) (rows) and k in :data:`GRID_MONTHS` (columns)."""
    return np.column_stack([bg_nbd_expected_purchases_if_alive(bg_fit, months * month, ux, ut)
                            for months in GRID_MONTHS])


@dataclass(frozen=True, eq=False)
class PredictiveUncertainty:
    """The parameter draws of one fit carried to the mean predictive CLV and the mean P(alive).

    ``purchase_value[k − 1]``: C(k) at the estimate for k = 1 … :attr:`months`; ``replicate_purchase_value``: C(k)
    per draw (draws × months), both over the evaluation customers, currency × purchases.
    ``alive_log_odds_shifts``: per draw, logit(mean P(alive) at the draw) − logit(at the estimate).
    """

    purchase_value: np.ndarray
    replicate_purchase_value: np.ndarray
    alive_log_odds_shifts: np.ndarray

    @property
    def months(self) -> int:
        """The longest horizon held, in months."""
        return self.purchase_value.size

    def clv_factors(self, annual_discount_rate: float, horizon_months: int) -> np.ndarray:
        """Per draw: the mean predictive CLV at the draw over the CLV at the estimate (a ratio; margin-free).

        Formula: Σₖ C*(k) wₖ / Σₖ Ĉ(k) wₖ over k = 1 … H, with wₖ = vₖ − vₖ₊₁ (v_(H+1) = 0) and
        vₖ = (1 + rate)^(−k/12): each month's purchases discounted from its end, as
        :meth:`~.forecast.ForecastBasis.discounted_purchases`. NaN for every draw at a horizon of 0 months.
        """
        if not 0 <= horizon_months <= self.months or not float(horizon_months).is_integer():
            raise ValueError(f"horizon_months must be a whole number from 0 to {self.months}, got {horizon_months!r}")
        horizon = int(horizon_months)
        if horizon == 0:
            return np.full(self.replicate_purchase_value.shape[0], np.nan)
        factors = (1 + annual_discount_rate) ** (-np.arange(1, horizon + 1, dtype="float64") / 12)
        weights = factors - np.append(factors[1:], 0.0)
        return (self.replicate_purchase_value[:, :horizon] @ weights) / (self.purchase_value[:horizon] @ weights)

    def clv_interval(self, mean_clv: float, annual_discount_rate: float, horizon_months: int,
                     level: float = LEVEL) -> Interval | None:
        """The ``level`` interval of the mean predictive CLV ``mean_clv`` (currency) from the parameters' sampling
        error alone: ``mean_clv`` times the percentile interval of :meth:`clv_factors`."""
        return percentile_interval(mean_clv * self.clv_factors(annual_discount_rate, horizon_months), level)

    def alive_interval(self, mean_probability_alive: float, level: float = LEVEL) -> Interval | None:
        """The ``level`` interval of the mean P(alive) (a fraction): expit(logit(mean) + shift) over the draws."""
        if not 0 < mean_probability_alive < 1:
            return None
        return percentile_interval(special.expit(special.logit(mean_probability_alive) + self.alive_log_odds_shifts),
                                   level)


def predictive_uncertainty(bg_fit: BgNbdFit, gg_fit: GammaGammaFit, fit_summary: pd.DataFrame,
                           evaluation_summary: pd.DataFrame, time_unit: str, draws: int = REPLICATES,
                           seed: int = SEED) -> PredictiveUncertainty | None:
    """Parameter draws of two converged fits carried to C(k) and the mean P(alive) (see the module docstring).

    Definition: θ* = θ̂ + δ, δ ~ N(0, I⁻¹) (:func:`parameter_deviations`, I block-diagonal from
    :func:`bg_nbd_information` on ``fit_summary`` and :func:`gamma_gamma_information`); then
    ln C*(k) = ln Ĉ(k) + ∇ln Ĉ(k) · δ and logit Ā* = logit Â + ∇logit Â · δ, the gradients by central differences
    on ``evaluation_summary`` at :data:`GRID_MONTHS`, interpolated linearly to every month up to 240.
    Units: ``fit_summary`` and ``evaluation_summary`` (``frequency, recency, T, monetary``) in ``time_unit``.
    None when the information is not positive definite. Reference: FHL 2005; Fader & Hardie 2013; Casella &
    Berger (2002), §10.1.3 and Theorem 5.5.24 (the delta method).
    """
    information = np.zeros((7, 7))
    information[:4, :4] = bg_nbd_information(bg_fit, fit_summary["frequency"], fit_summary["recency"],
                                             fit_summary["T"])
    information[4:, 4:] = gamma_gamma_information(gg_fit, fit_summary["frequency"], fit_summary["monetary"])
    try:
        deviations = parameter_deviations(information, draws, seed)
    except ValueError:
        return None
    x, t_x, big_t = (evaluation_summary[column].to_numpy(dtype="float64") for column in ("frequency", "recency", "T"))
    monetary = np.maximum(evaluation_summary["monetary"].to_numpy(dtype="float64"), 0.0)
    month = (DAYS_PER_YEAR / 12) / days_per_unit(time_unit)
    theta = np.log([bg_fit.r, bg_fit.alpha, bg_fit.a, bg_fit.b, gg_fit.p, gg_fit.q, gg_fit.gamma])

    (ux, ut), _, group = distinct_rows(x, big_t)
    expectations_at_estimate = _grid_expectations(bg_fit, ux, ut, month)

    def at(log_params: np.ndarray) -> tuple[np.ndarray, float]:
        """C(k) at the grid months and the mean P(alive) at the log-parameters (the Gamma-Gamma ones change only
        the spend: the estimate's expectations are kept for them)."""
        values = np.exp(log_params)
        bg_draw, gg_draw = BgNbdFit(*values[:4]), GammaGammaFit(*values[4:])
        alive = bg_nbd_probability_alive(bg_draw, x, t_x, big_t)
        spend_alive = gamma_gamma_expected_spend(gg_draw, x, monetary) * alive
        weight = np.bincount(group, weights=spend_alive, minlength=ux.size)
        same_bg = np.array_equal(log_params[:4], theta[:4])
        expectations = expectations_at_estimate if same_bg else _grid_expectations(bg_draw, ux, ut, month)
        return weight @ expectations, float(alive.mean())

    sums, _ = at(theta)
    log_gradient, odds_gradient = np.empty((len(GRID_MONTHS), 7)), np.empty(7)
    for k in range(7):
        shift = np.zeros(7)
        shift[k] = STEP
        (up, alive_up), (down, alive_down) = at(theta + shift), at(theta - shift)
        log_gradient[:, k] = (np.log(up) - np.log(down)) / (2 * STEP)
        odds_gradient[k] = (special.logit(alive_up) - special.logit(alive_down)) / (2 * STEP)
    every_month = np.arange(1, GRID_MONTHS[-1] + 1, dtype="float64")
    estimate = np.interp(every_month, GRID_MONTHS, sums)
    shifts = deviations @ log_gradient.T  # draws × grid
    replicate = np.vstack([np.interp(every_month, GRID_MONTHS, sums * np.exp(row)) for row in shifts])
    return PredictiveUncertainty(purchase_value=estimate, replicate_purchase_value=replicate,
                                 alive_log_odds_shifts=deviations @ odds_gradient)



def expected_purchases_interval(fit: BgNbdFit, frequency: object, recency: object, T: object, duration: float,
                                draws: int = REPLICATES, seed: int = SEED, level: float = LEVEL) -> Interval | None:
    """The ``level`` interval of the expected repeat purchases of the customers over the next ``duration`` (in the
    fit's time unit) from the BG/NBD parameters' sampling error: the holdout forecast's interval.

    Definition: Y(θ) = Σᵢ E[Y(duration) | xᵢ, t_xᵢ, Tᵢ; θ] (FHL 2005 eq. 10), θ the log-parameters fitted on the
    same customers; ln Y(θ*) = ln Y(θ̂) + ∇ln Y · δ, δ ~ N(0, I⁻¹) (:func:`bg_nbd_information`,
    :func:`parameter_deviations`), the gradient by central differences. Units: purchases.
    None when the information is not positive definite. Reference: FHL 2005; Casella & Berger (2002), §10.1.3.
    """
    x, t_x, big_t = (np.asarray(values, dtype="float64") for values in (frequency, recency, T))
    try:
        deviations = parameter_deviations(bg_nbd_information(fit, x, t_x, big_t), draws, seed)
    except ValueError:
        return None
    theta = np.log([fit.r, fit.alpha, fit.a, fit.b])

    def total(log_params: np.ndarray) -> float:
        return float(bg_nbd_conditional_expected_purchases(BgNbdFit(*np.exp(log_params)), duration, x, t_x,
                                                           big_t).sum())

    estimate, gradient = total(theta), np.empty(4)
    for k in range(4):
        shift = np.zeros(4)
        shift[k] = STEP
        gradient[k] = (math.log(total(theta + shift)) - math.log(total(theta - shift))) / (2 * STEP)
    return percentile_interval(estimate * np.exp(deviations @ gradient), level)
