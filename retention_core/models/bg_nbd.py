"""The BG/NBD model of repeat purchases in a non-contractual setting (customers can leave silently).

Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to the Pareto/NBD Model",
Marketing Science 24(2), 275-284 (cited below as FHL 2005), and the note Fader, Hardie & Lee (2008), "Computing
P(alive) Using the BG/NBD Model" (brucehardie.com, note 021). Inputs are the ``frequency``, ``recency`` and ``T``
of a customer summary (:mod:`.summaries`); fitted ``alpha`` is in the time unit of the data it was fitted on.

Forecasts refuse a fit that did not converge and never return NaN or infinity: where a formula has a removable
singularity (a = 1) its limit is returned; where the answer is too large for floating point they raise
``ValueError`` saying so. No NumPy warning escapes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from retention_core.models.scipy_on_first_use import special

from retention_core.models.fitting import (
    NO_FIT,
    checked_parameters,
    customer_arrays,
    describe_parameters,
    distinct_rows,
    minimise,
    require_finite,
    same_length_vectors,
    weighted_objective,
)

__all__ = [
    "BG_NBD_PARAMETERS",
    "BgNbdFit",
    "bg_nbd_conditional_expected_purchases",
    "bg_nbd_expected_purchases",
    "bg_nbd_expected_purchases_if_alive",
    "bg_nbd_log_likelihood",
    "bg_nbd_probability_alive",
    "bg_nbd_purchase_probability",
    "conditional_expected_unchecked",
    "fit_bg_nbd",
]

BG_NBD_PARAMETERS = ("r", "alpha", "a", "b")
"""The parameters of :class:`BgNbdFit`, in FHL 2005's order (the names checked before every forecast)."""
#: Within this distance of a = 1 the BG/NBD expectations are read from a cubic through a = 1 ± δ and 1 ± 2δ
#: (δ = this distance) instead of their formula, whose factor 1/(a − 1) times a bracket near 0 loses digits there
#: (at a − 1 = 1e-12 the third digit). The expectations are analytic in a, so the cubic's error is of order δ⁴.
_A_NEAR_ONE = 1e-3


@dataclass(frozen=True)
class BgNbdFit:
    """BG/NBD parameters (FHL 2005): purchase rate lambda ~ Gamma(shape r, rate alpha), dropout p ~ Beta(a, b).

    ``alpha`` is in the time unit of the summary it was fitted on (r / alpha = mean purchase rate per time unit).
    ``log_likelihood`` is the maximised eq. (6) log-likelihood summed over customers; it depends on the time unit.
    Build one by hand (``BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426)``) to predict from published values.
    """

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float = NO_FIT
    converged: bool = True
    message: str = ""
    n_customers: int = 0


def _bg_nbd_terms(
    r: float, alpha: float, a: float, b: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray,
    gradient: bool = False, levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-row log-likelihood of FHL 2005 eq. (6) and, optionally, its gradient in (log r, log alpha, log a, log b).

    ln L = ln G(r+x) - ln G(r) + r ln alpha + ln[ B(a, b+x)/B(a,b) (alpha+T)^-(r+x)
           + 1{x>0} B(a+1, b+x-1)/B(a,b) (alpha+t_x)^-(r+x) ].

    The log-gamma, log-beta and digamma terms depend on x alone, so they are evaluated once per distinct x (a few
    hundred values for many thousand rows; the same numbers, elementwise, as once per row). ``levels``:
    ``np.unique(x, return_inverse=True)``, when the caller evaluates the same x many times (an optimiser).
    """
    values_x, at = levels if levels is not None else np.unique(x, return_inverse=True)
    repeat = x > 0
    repeat_x = values_x > 0
    log_beta_ab = special.betaln(a, b)
    base = (special.gammaln(r + values_x) - special.gammaln(r))[at] + r * np.log(alpha)
    log_alpha_big_t = np.log(alpha + big_t)
    still_alive = (special.betaln(a, b + values_x) - log_beta_ab)[at] - (r + x) * log_alpha_big_t
    dropped_by_x = np.full_like(values_x, -np.inf)
    dropped_by_x[repeat_x] = special.betaln(a + 1, b + values_x[repeat_x] - 1) - log_beta_ab
    dropped = np.full_like(x, -np.inf)
    dropped[repeat] = dropped_by_x[at[repeat]] - (r + x[repeat]) * np.log(alpha + t_x[repeat])
    mixture = np.logaddexp(still_alive, dropped)
    log_likelihood = base + mixture
    if not gradient:
        return log_likelihood, None
    weight_alive = np.exp(still_alive - mixture)
    weight_dropped = 1.0 - weight_alive
    psi = special.digamma
    psi_r_x = psi(r + values_x)[at]
    psi_a_b_x = psi(a + b + values_x)[at]
    psi_b_x = psi(b + values_x)[at]
    psi_b_dropped = psi(np.where(repeat_x, b + values_x - 1, b))[at]  # placeholder b where x = 0 (weight 0)
    d_r = (
        psi_r_x - psi(r) + np.log(alpha)
        - weight_alive * log_alpha_big_t - weight_dropped * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - weight_alive * (r + x) / (alpha + big_t) - weight_dropped * (r + x) / (alpha + t_x)
    d_a = weight_alive * (psi(a + b) - psi_a_b_x) + weight_dropped * (
        psi(a + 1) - psi(a) + psi(a + b) - psi_a_b_x
    )
    d_b = weight_alive * (psi_b_x - psi_a_b_x - psi(b) + psi(a + b)) + weight_dropped * (
        psi_b_dropped - psi_a_b_x - psi(b) + psi(a + b)
    )
    jacobian = np.vstack([d_r * r, d_alpha * alpha, d_a * a, d_b * b])
    return log_likelihood, jacobian


def bg_nbd_log_likelihood(fit: BgNbdFit, frequency: object, recency: object, T: object) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood, FHL 2005 eq. (6), at the parameters of ``fit``.

    L(r, alpha, a, b | x, t_x, T) = B(a, b+x)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + 1{x>0} B(a+1, b+x-1)/B(a, b) * G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)).
    It is a density in time, so its value depends on the time unit of recency and T.
    """
    r, alpha, a, b = checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS, forecast=False)
    x, t_x, big_t = customer_arrays(frequency, recency, T)
    with np.errstate(all="ignore"):
        return _bg_nbd_terms(r, alpha, a, b, x, t_x, big_t)[0]


def fit_bg_nbd(frequency: object, recency: object, T: object) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit, FHL 2005 eq. (6), to one customer summary (x, t_x, T).

    Identical (x, t_x, T) rows are aggregated with weights; times are rescaled by their mean for the optimiser and
    ``alpha`` is scaled back, so it is in the time unit of the input. Without any repeat purchase the dropout
    process is not identified: the result has NaN parameters and ``converged=False``.
    """
    x, t_x, big_t = customer_arrays(frequency, recency, T)
    n_customers = int(x.size)
    if n_customers == 0:
        raise ValueError("fit_bg_nbd needs at least one customer")
    if not np.any(x > 0) or not np.any(big_t > 0):
        return BgNbdFit(
            NO_FIT, NO_FIT, NO_FIT, NO_FIT, NO_FIT, False,
            "no repeat purchases (or no observation time): the BG/NBD is not identified", n_customers,
        )
    scale = float(np.mean(big_t))
    (ux, ut_x, ut), weights, _ = distinct_rows(x, t_x / scale, big_t / scale)
    total = weights.sum()
    levels = np.unique(ux, return_inverse=True)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(log_params)
        values, jacobian = _bg_nbd_terms(r, alpha, a, b, ux, ut_x, ut, gradient=True, levels=levels)
        return weighted_objective(values, jacobian, weights, total)

    rate = max(float(np.sum(x)) / float(np.sum(big_t / scale)), 1e-6)
    start = np.log([1.0, 1.0 / rate, 1.0, 3.0])
    log_params, converged, message = minimise(objective, start, 4)
    r, alpha_scaled, a, b = np.exp(log_params)
    alpha = alpha_scaled * scale
    (vx, vt_x, vt), weights_original, _ = distinct_rows(x, t_x, big_t)
    with np.errstate(all="ignore"):
        log_likelihood = float(weights_original @ _bg_nbd_terms(r, alpha, a, b, vx, vt_x, vt)[0])
    if converged and not (math.isfinite(log_likelihood) and math.isfinite(alpha)):
        converged, message = False, f"{message}; the likelihood is not finite at the estimate in the data's units"
    return BgNbdFit(float(r), float(alpha), float(a), float(b), log_likelihood, converged, message, n_customers)


def _time_array(name: str, t: object) -> np.ndarray:
    values = np.asarray(t, dtype="float64")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"{name} must be finite and >= 0")
    return values


def bg_nbd_expected_purchases(fit: BgNbdFit, t: object) -> np.ndarray:
    """Expected repeat purchases of a new customer in (0, t], E[X(t)], FHL 2005 eq. (7).

    E[X(t)] = (a+b-1)/(a-1) * [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))], t in the fit's time
    unit; vectorised over ``t``; the bracket is evaluated after Euler's transformation (``_euler_head_series``).
    At a = 1 the formula is 0/0, and where a + b = 1 it is 0 times a pole; its limit is returned there (see
    :func:`_expected_if_alive` and :func:`_alive_formula`).
    Raises ``ValueError`` for a fit that did not converge and where the value is not finite.
    """
    r, alpha, a, b = checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS)
    t = _time_array("t", t)
    with np.errstate(all="ignore"):
        value = _expected_if_alive(r, alpha, a, b, 0.0, t, 0.0)
    return require_finite("E[X(t)]", np.where(t == 0, 0.0, value), describe_parameters(fit, BG_NBD_PARAMETERS))


def _expected_if_alive(
    r: float, alpha: float, a: float, b: float, x: np.ndarray | float, t: np.ndarray | float,
    big_t: np.ndarray | float,
) -> np.ndarray:
    """E[Y(t) | alive, x, T] = (a+b+x-1)/(a-1) * [1 - head series] (FHL 2005 eq. 10 without P(alive); eq. 7 at
    x = T = 0), also at and near a = 1.

    At a = 1 the factor 1/(a-1) meets a bracket that is 0; the expectation itself is analytic in a there. Its value,
    from Euler's form of the bracket with e = a - 1 -> 0 (2F1(b+e-r, e; b+x+e; z) = 1 + e sum_n (b-r)_n/((b+x)_n n) z^n
    + O(e^2)), is
        E[Y(t) | alive, x, T] at a = 1 = (b+x) * [ln((alpha+T+t)/(alpha+T)) - sum_{n>=1} (b-r)_n/(b+x)_n z^n/n],
    z = t/(alpha+T+t); equivalently (b+x) * int_0^1 (1 - ((alpha+T)/(alpha+T+p t))^(r+x)) / p * (1-p)^(b+x-1) dp,
    the expectation (1/p)(1 - e^(-lambda p t)) over lambda ~ Gamma(r+x, alpha+T) and p ~ Beta(1, b+x). Within
    :data:`_A_NEAR_ONE` of a = 1 the value is read from the cubic through four points around it instead: as exact as
    the formula elsewhere (about 1e-11 relative), where the formula itself would lose digits to cancellation.
    """
    if abs(a - 1) >= _A_NEAR_ONE:
        return _alive_formula(r, alpha, a, b, x, t, big_t)
    nodes = 1 + _A_NEAR_ONE * np.array([-2.0, -1.0, 1.0, 2.0])
    result = 0.0
    for index, node in enumerate(nodes):
        others = np.delete(nodes, index)
        weight = float(np.prod((a - others) / (node - others)))  # Lagrange's basis polynomial at a
        result = result + weight * _alive_formula(r, alpha, node, b, x, t, big_t)
    return np.asarray(result, dtype="float64")


def _alive_formula(
    r: float, alpha: float, a: float, b: float, x: np.ndarray | float, t: np.ndarray | float,
    big_t: np.ndarray | float,
) -> np.ndarray:
    """(a+b+x-1)/(a-1) * [1 - head series] for a != 1, also where c = a+b+x-1 is 0 (x = 0 and a + b = 1).

    There 2F1(c-r, a-1; c; z) has a pole that the factor c cancels: c 2F1(c-r, a-1; c; z) -> -r (a-1) z
    2F1(1-r, a; 2; z) as c -> 0 (the series term by term), so the value is r z (1-z)^(a-1) 2F1(1-r, a; 2; z), used
    where |c| < 1e-9 (away from 0 the formula is accurate: the factor c meets a 2F1 of size 1/c, no cancellation).
    """
    c = a + b + x - 1
    value = c / (a - 1) * (1 - _euler_head_series(r, alpha, a, b, x, t, big_t))
    pole = np.abs(c) < 1e-9
    if np.any(pole):
        z = t / (alpha + big_t + t)
        value = np.where(pole, r * z * (1 - z) ** (a - 1) * special.hyp2f1(1 - r, a, 2.0, z), value)
    return value


def _euler_head_series(
    r: float, alpha: float, a: float, b: float, x: np.ndarray | float, t: np.ndarray | float,
    big_t: np.ndarray | float,
) -> np.ndarray:
    """((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; z) with z = t/(alpha+T+t), via Euler's transformation.

    2F1(A, B; C; z) = (1-z)^(C-A-B) 2F1(C-A, C-B; C; z) turns the product into
    (1-z)^(a-1) 2F1(a+b-1-r, a-1; a+b+x-1; z), whose series stays well-behaved for large x and z near 1 where
    scipy's direct evaluation returns NaN (Fader & Hardie 2013, "Overcoming the BG/NBD Model's #NUM! Error
    Problem", note 027). With x = T = 0 it is the bracket of FHL 2005 eq. (7).
    """
    log_one_minus_z = np.log(alpha + big_t) - np.log(alpha + big_t + t)
    z = t / (alpha + big_t + t)
    return np.exp((a - 1) * log_one_minus_z) * special.hyp2f1(a + b - 1 - r, a - 1, a + b + x - 1, z)


def bg_nbd_purchase_probability(fit: BgNbdFit, t: object, n: object) -> np.ndarray:
    """Probability that a new customer makes exactly n repeat purchases in (0, t], P(X(t) = n), FHL 2005 eq. (8).

    P(X(t)=n) = B(a, b+n)/B(a, b) * G(r+n)/(G(r) n!) (alpha/(alpha+t))^r (t/(alpha+t))^n
        + 1{n>0} B(a+1, b+n-1)/B(a, b) * [1 - (alpha/(alpha+t))^r sum_{j<n} G(r+j)/(G(r) j!) (t/(alpha+t))^j].
    The bracket is the upper tail of a negative binomial, computed as the regularised incomplete beta
    I_{t/(alpha+t)}(n, r). ``t`` and ``n`` broadcast.
    """
    r, alpha, a, b = checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS)
    t = _time_array("t", t)
    n = np.asarray(n, dtype="float64")
    if not np.all(np.isfinite(n)) or np.any(n < 0) or np.any(n != np.round(n)):
        raise ValueError("n must be whole numbers >= 0")
    t, n = np.broadcast_arrays(t, n)
    log_beta_ab = special.betaln(a, b)
    with np.errstate(all="ignore"):
        log_p = np.log(alpha) - np.log(alpha + t)
        log_q = np.where(t > 0, np.log(t) - np.log(alpha + t), -np.inf)
        log_nb = special.gammaln(r + n) - special.gammaln(r) - special.gammaln(n + 1) + r * log_p
        log_nb = log_nb + np.where(n > 0, n * log_q, 0.0)
        alive = np.exp(special.betaln(a, b + n) - log_beta_ab + log_nb)
        tail = special.betainc(np.maximum(n, 1), r, t / (alpha + t))
        dropped = np.where(n > 0, np.exp(special.betaln(a + 1, np.maximum(b + n - 1, b)) - log_beta_ab) * tail, 0.0)
        probability = np.clip(alive + dropped, 0.0, 1.0)  # log-beta differences at extreme a, b round past 1
    return require_finite("P(X(t) = n)", probability, describe_parameters(fit, BG_NBD_PARAMETERS))


def bg_nbd_probability_alive(fit: BgNbdFit, frequency: object, recency: object, T: object) -> np.ndarray:
    """Probability that a customer with history (x, t_x, T) is still active at T (Fader, Hardie & Lee 2008 note).

    P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); customers without a repeat
    purchase cannot have dropped out under the BG/NBD, so their P(alive) is 1.
    """
    r, alpha, a, b = checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS)
    x, t_x, big_t = customer_arrays(frequency, recency, T)
    with np.errstate(all="ignore"):
        log_odds_dead = (
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
        alive = special.expit(-log_odds_dead)
    return require_finite("P(alive)", np.where(x > 0, alive, 1.0), describe_parameters(fit, BG_NBD_PARAMETERS))


def bg_nbd_conditional_expected_purchases(
    fit: BgNbdFit, t: float, frequency: object, recency: object, T: object
) -> np.ndarray:
    """Expected purchases in (T, T+t] of a customer with history (x, t_x, T), E[Y(t) | x, t_x, T], FHL 2005 eq. (10).

    E[Y(t)|x, t_x, T] = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
        / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
    The denominator is 1 / P(alive); the 2F1 term is evaluated after Euler's transformation (see
    ``_euler_head_series``), which keeps it finite for heavy buyers and long horizons. ``t`` is a scalar in the
    fit's time unit; the result has one value per customer. Distinct (x, t_x, T) rows are evaluated once.
    """
    checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS)
    if np.ndim(t) != 0:
        raise ValueError("t must be a single number (the forecast horizon in the fit's time unit)")
    t_value = float(_time_array("t", t))
    x, t_x, big_t = customer_arrays(frequency, recency, T)
    (ux, ut_x, ut), _, inverse = distinct_rows(x, t_x, big_t)
    values = require_finite("E[Y(t) | x, t_x, T]", conditional_expected_unchecked(fit, t_value, ux, ut_x, ut),
                     describe_parameters(fit, BG_NBD_PARAMETERS))
    return values[inverse]


def bg_nbd_expected_purchases_if_alive(fit: BgNbdFit, t: float, frequency: object, T: object) -> np.ndarray:
    """Expected purchases in (T, T+t] of a customer with x repeat purchases who is still alive at T, FHL 2005 eq. (10)
    without its P(alive) factor.

    E[Y(t) | alive, x, T] = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))].
    It does not depend on the recency t_x, so E[Y(t)|x, t_x, T] = this * :func:`bg_nbd_probability_alive`, and a
    forecast over many horizons needs it only once per distinct (x, T). ``t`` is a scalar in the fit's time unit.
    """
    r, alpha, a, b = checked_parameters("BG/NBD", fit, BG_NBD_PARAMETERS)
    if np.ndim(t) != 0:
        raise ValueError("t must be a single number (the forecast horizon in the fit's time unit)")
    t_value = float(_time_array("t", t))
    x, big_t = same_length_vectors("frequency, T", frequency, T)
    if t_value == 0:
        return np.zeros_like(x)
    with np.errstate(all="ignore"):
        values = _expected_if_alive(r, alpha, a, b, x, t_value, big_t)
    return require_finite("E[Y(t) | alive, x, T]", values, describe_parameters(fit, BG_NBD_PARAMETERS))


def conditional_expected_unchecked(
    fit: BgNbdFit, t: float, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray
) -> np.ndarray:
    """FHL 2005 eq. (10) on validated arrays (see :func:`bg_nbd_conditional_expected_purchases`)."""
    if t == 0:
        return np.zeros_like(x)
    r, alpha, a, b = fit.r, fit.alpha, fit.a, fit.b
    with np.errstate(all="ignore"):
        alive_value = _expected_if_alive(r, alpha, a, b, x, t, big_t)
        log_odds_dead = (
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
        probability_alive = np.where(x > 0, special.expit(-log_odds_dead), 1.0)
    return alive_value * probability_alive
