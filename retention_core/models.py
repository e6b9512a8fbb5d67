"""Buy-till-you-die and contractual retention models, fitted by maximum likelihood.

Non-contractual setting (customers can leave silently):

* BG/NBD purchase counts: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way: An Alternative to
  the Pareto/NBD Model", Marketing Science 24(2), 275-284 (cited below as FHL 2005), and the note Fader, Hardie &
  Lee (2008), "Computing P(alive) Using the BG/NBD Model" (brucehardie.com, note 021).
* Gamma-Gamma spend per purchase: Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
  (brucehardie.com, note 025), building on Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for
  Customer Base Analysis", Journal of Marketing Research 42(4).

Contractual setting (customers cancel a subscription at a renewal):

* shifted-beta-geometric (sBG): Fader & Hardie (2007), "How to Project Customer Retention", Journal of Interactive
  Marketing 21(1), 76-90 (FH 2007).
* discounted expected residual lifetime: Fader & Hardie (2010), "Customer-Base Valuation in a Contractual Setting:
  The Perils of Ignoring Heterogeneity", Marketing Science 29(1), 85-93 (FH 2010).

Conventions. A customer summary has one row per customer: ``frequency`` x = repeat purchase days (distinct
purchase days - 1), ``recency`` t_x = time from the first to the last purchase day, ``T`` = time from the first
purchase day to the end of observation, ``monetary`` = mean spend of the repeat purchase days. Times are in one time
unit: "D" (days), "W" (weeks = days / 7) or "M" (months = days / 30.4375, the mean Gregorian month). Fitted
parameters that carry time (BG/NBD ``alpha``) are in the unit of the data they were fitted on; rates are fractions.

All likelihoods are computed in log space (``gammaln``, ``betaln``), vectorised over customers; identical rows are
aggregated with weights before fitting. Parameters are optimised on the log scale with L-BFGS-B (analytic
gradients) and a Nelder-Mead fallback. A fit never raises on data it accepted: when the optimiser fails or a
parameter runs to its bound, the result says ``converged=False`` with a ``message``. Invalid input (wrong shapes,
negative counts, recency > T, percent instead of fractions) raises ``ValueError``.

Forecasts (expected purchases, P(alive), spend, survival, CLV) refuse a fit that did not converge or has a parameter
that is not a finite number > 0, and never return NaN or infinity: where a formula has a removable singularity (the
BG/NBD at a = 1) its limit is returned; where the answer does not exist or is too large for floating point (an
infinite lifetime, overflow at extreme parameters) they raise ``ValueError`` saying so. No NumPy warning escapes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, special

from retention_core import queries

__all__ = [
    "DAYS_PER_YEAR",
    "MAX_HORIZON_MONTHS",
    "MIN_CUSTOMERS",
    "MIN_HISTORY_DAYS",
    "MIN_REPEAT_CUSTOMERS",
    "TIME_UNIT_DAYS",
    "BgNbdFit",
    "GammaGammaFit",
    "SbgFit",
    "assess_btyd_data",
    "bg_nbd_conditional_expected_purchases",
    "bg_nbd_expected_purchases",
    "bg_nbd_log_likelihood",
    "bg_nbd_expected_purchases_if_alive",
    "bg_nbd_probability_alive",
    "bg_nbd_purchase_probability",
    "btyd_summary",
    "calibration_holdout_split",
    "check_clv_inputs",
    "discounted_expected_lifetime",
    "discounted_expected_residual_lifetime",
    "fit_bg_nbd",
    "fit_gamma_gamma",
    "fit_shifted_beta_geometric",
    "gamma_gamma_expected_spend",
    "gamma_gamma_log_likelihood",
    "predictive_clv",
    "rfm_summary",
    "sbg_churn_probability",
    "sbg_log_likelihood",
    "sbg_retention_rate",
    "sbg_survival",
]

TIME_UNIT_DAYS = {"D": 1.0, "W": 7.0, "M": 30.4375}
"""Days per time unit of a customer summary; a month is the mean Gregorian month, 365.25 / 12 days."""

DAYS_PER_YEAR = 365.25

MIN_CUSTOMERS = 200
"""Fewer customers than this and BTYD estimates are too noisy to show (see :func:`assess_btyd_data`)."""

MIN_REPEAT_CUSTOMERS = 50
"""Fewer customers with a repeat purchase than this and the dropout and spend parameters are not identified."""

MIN_HISTORY_DAYS = 56
"""An observation window shorter than eight weeks cannot separate slow buyers from lost ones."""

MAX_HORIZON_MONTHS = 1200
"""The longest CLV horizon :func:`predictive_clv` accepts: a hundred years (the dashboard offers twenty)."""

_LOG_BOUND = math.log(1e8)  # parameters live in [1e-8, 1e8] on the optimiser's (rescaled) scale
_NO_FIT = float("nan")
#: Within this distance of a = 1 the BG/NBD expectations are read from a cubic through a = 1 ± δ and 1 ± 2δ
#: (δ = this distance) instead of their formula, whose factor 1/(a − 1) times a bracket near 0 loses digits there
#: (at a − 1 = 1e-12 the third digit). The expectations are analytic in a, so the cubic's error is of order δ⁴.
_A_NEAR_ONE = 1e-3
#: Largest gradient component (of the mean negative log-likelihood in log-parameters) at which a L-BFGS-B run that
#: stopped in its line search counts as converged (see :func:`_minimise`).
_STATIONARY_GRADIENT = 1e-6
#: Likelihood evaluations per parameter after which the Nelder-Mead fallback of :func:`_minimise` gives up. From the
#: L-BFGS-B estimate, or half a unit away on the log scale, it converges in 300-550 evaluations for the BG/NBD and
#: 200-350 for Gamma-Gamma (CDNOW). Where the likelihood does not let it settle (a model the data do not identify),
#: it would otherwise run for minutes on a 100,000-customer sample; then the fit reports that it did not converge.
_NELDER_MEAD_EVALUATIONS = 300


# ---------------------------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------------------------


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
    log_likelihood: float = _NO_FIT
    converged: bool = True
    message: str = ""
    n_customers: int = 0


@dataclass(frozen=True)
class GammaGammaFit:
    """Gamma-Gamma spend parameters (Fader & Hardie 2013): z ~ Gamma(p, nu), nu ~ Gamma(shape q, rate gamma).

    ``gamma`` is in currency units; the population mean spend per purchase is ``p * gamma / (q - 1)`` (q > 1).
    ``n_customers`` customers with a repeat purchase and positive mean spend were used; ``n_excluded`` repeat
    customers with non-positive mean spend were left out.
    """

    p: float
    q: float
    gamma: float
    log_likelihood: float = _NO_FIT
    converged: bool = True
    message: str = ""
    n_customers: int = 0
    n_excluded: int = 0


@dataclass(frozen=True)
class SbgFit:
    """Shifted-beta-geometric parameters (FH 2007): per-period churn probability theta ~ Beta(alpha, beta).

    One period is the renewal period of the data it was fitted on (e.g. a year of annual contracts).
    """

    alpha: float
    beta: float
    log_likelihood: float = _NO_FIT
    converged: bool = True
    message: str = ""
    n_periods: int = 0
    cohort_size: float = 0.0


# ---------------------------------------------------------------------------------------------------------------
# Customer summaries (DuckDB)
# ---------------------------------------------------------------------------------------------------------------


def _unit_days(time_unit: str) -> float:
    if time_unit not in TIME_UNIT_DAYS:
        raise ValueError(f"time_unit must be one of {', '.join(TIME_UNIT_DAYS)}, got {time_unit!r}")
    return TIME_UNIT_DAYS[time_unit]


def _as_date(value: object, name: str) -> dt.date:
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be a date, got {value!r}") from error
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date, got {value!r}")
    return stamp.date()


def _transactions_for_sql(transactions: queries.Table) -> queries.Table:
    if isinstance(transactions, queries.TableSource):
        return transactions  # its engine casts the canonical columns to their types
    missing = [column for column in ("customer_id", "order_date", "amount") if column not in transactions.columns]
    if missing:
        raise ValueError(f"transactions lack the column(s) {', '.join(missing)}")
    if not pd.api.types.is_datetime64_any_dtype(transactions["order_date"]):
        raise ValueError("transactions.order_date must be datetime64; parse dates before summarising")
    if not pd.api.types.is_numeric_dtype(transactions["amount"]):
        raise ValueError("transactions.amount must be numeric")
    return transactions[["customer_id", "order_date", "amount"]]


def rfm_summary(
    transactions: queries.Table, observation_end: object = None, time_unit: str = "W",
    engine: queries.Engine | None = None,
) -> pd.DataFrame:
    """One row per customer: ``customer_id, frequency, recency, T, monetary`` in the BTYD convention (FHL 2005).

    ``frequency`` x = number of repeat purchase days (distinct purchase days - 1); ``recency`` t_x = time from the
    first to the last purchase day; ``T`` = time from the first purchase day to ``observation_end`` (default: the
    last order date in the data); ``monetary`` = mean net spend of the repeat purchase days, the first day's spend
    excluded, 0 for customers without a repeat. Times are in ``time_unit``: "D" days, "W" weeks (days / 7),
    "M" months (days / 30.4375). Several orders on one date are one purchase; returns on that date are netted.
    Dates with only returns are not purchases. Orders after ``observation_end`` are ignored. Computed by
    ``engine`` as part of :func:`queries.customer_summary` (``sql/customer_summary.sql``, default embedded DuckDB)
    and taken from it by :func:`btyd_summary`; the time unit is recorded in ``result.attrs["time_unit"]``.
    """
    unit_days = _unit_days(time_unit)
    frame = _transactions_for_sql(transactions)
    end = None if observation_end is None else _as_date(observation_end, "observation_end")
    return btyd_summary(queries.customer_summary(frame, engine, observation_end=end, unit_days=unit_days), time_unit)


BTYD_COLUMNS = ("customer_id", "frequency", "recency", "T", "monetary")


def btyd_summary(customers: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """The BTYD columns of a :func:`queries.customer_summary` made with ``unit_days`` of ``time_unit``.

    Keeps the customers with a purchase day (``frequency`` not missing), in their order, as :func:`rfm_summary`
    returns them; ``frequency`` is a whole number and the time unit is recorded in ``result.attrs["time_unit"]``.
    """
    _unit_days(time_unit)
    buyers = customers["frequency"].notna()
    summary = customers.loc[buyers, list(BTYD_COLUMNS)] if not buyers.all() else customers[list(BTYD_COLUMNS)]
    summary = summary.astype({"frequency": "int64"}).reset_index(drop=True)
    summary.attrs["time_unit"] = time_unit
    return summary


def calibration_holdout_split(
    transactions: queries.Table, calibration_end: object, observation_end: object, time_unit: str = "W",
    engine: queries.Engine | None = None,
) -> pd.DataFrame:
    """Calibration summary plus each customer's actual repeat purchases in the holdout window (FHL 2005, Sec. 4).

    Rows: customers whose first purchase day is on or before ``calibration_end``, with ``frequency, recency, T,
    monetary`` as in :func:`rfm_summary` at ``calibration_end``. Added columns: ``holdout_frequency`` = purchase
    days in (calibration_end, observation_end], ``holdout_monetary`` = their mean net spend (0 without one), and
    ``holdout_duration`` = length of the window in ``time_unit``, the ``t`` to pass to
    :func:`bg_nbd_conditional_expected_purchases` for the forecast of ``holdout_frequency``.
    """
    unit_days = _unit_days(time_unit)
    calibration_day = _as_date(calibration_end, "calibration_end")
    observation_day = _as_date(observation_end, "observation_end")
    if observation_day <= calibration_day:
        raise ValueError(
            f"observation_end ({observation_day}) must be after calibration_end ({calibration_day})"
        )
    summary = rfm_summary(transactions, observation_end=calibration_day, time_unit=time_unit, engine=engine)
    holdout = queries.run_sql(
        "holdout_purchases",
        {"calibration_end": calibration_day, "observation_end": observation_day},
        engine,
        transactions=_transactions_for_sql(transactions),
    )
    result = summary.merge(holdout, on="customer_id", how="left")
    result["holdout_frequency"] = result["holdout_frequency"].fillna(0).astype("int64")
    result["holdout_monetary"] = result["holdout_monetary"].fillna(0.0).astype("float64")
    result["holdout_duration"] = (observation_day - calibration_day).days / unit_days
    result.attrs["time_unit"] = time_unit
    return result


def assess_btyd_data(summary: pd.DataFrame, time_unit: str | None = None) -> str | None:
    """Why a customer summary is unsuitable for BTYD models, as a plain key, or None when it is suitable.

    Keys, checked in this order: "too_few_customers" (fewer than :data:`MIN_CUSTOMERS` customers),
    "too_few_repeaters" (fewer than :data:`MIN_REPEAT_CUSTOMERS` customers with a repeat purchase),
    "short_history" (the longest ``T`` is shorter than :data:`MIN_HISTORY_DAYS` days). ``time_unit`` defaults to
    ``summary.attrs["time_unit"]`` and then to "W". The UI falls back to closed-form formulas for any key.
    """
    missing = [column for column in ("frequency", "T") if column not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {', '.join(missing)}")
    unit_days = _unit_days(time_unit or summary.attrs.get("time_unit", "W"))
    if len(summary) < MIN_CUSTOMERS:
        return "too_few_customers"
    if int((summary["frequency"] > 0).sum()) < MIN_REPEAT_CUSTOMERS:
        return "too_few_repeaters"
    if float(summary["T"].max()) * unit_days < MIN_HISTORY_DAYS:
        return "short_history"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Validation and optimisation helpers
# ---------------------------------------------------------------------------------------------------------------


def _vector(name: str, values: object) -> np.ndarray:
    array = np.asarray(values, dtype="float64")
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite (no NaN or infinity)")
    return array


def _same_length(names: str, *values: object) -> list[np.ndarray]:
    """Float vectors of equal length; single numbers (0-d) are repeated to that length."""
    arrays = [_vector(name, value) for name, value in zip(names.split(", "), values, strict=True)]
    lengths = {array.size for array, value in zip(arrays, values, strict=True) if np.ndim(value) != 0}
    if len(lengths) > 1:
        sizes = ", ".join(str(array.size) for array in arrays)
        raise ValueError(f"{names} must have the same length, got {sizes}")
    return [np.array(array) for array in np.broadcast_arrays(*arrays)]


def _customer_arrays(frequency: object, recency: object, T: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated float arrays (x, t_x, T) of a BTYD summary."""
    x, t_x, big_t = _same_length("frequency, recency, T", frequency, recency, T)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers >= 0 (repeat purchase days)")
    if np.any(t_x < 0) or np.any(big_t < 0):
        raise ValueError("recency and T must be >= 0")
    if np.any(t_x > big_t * (1 + 1e-9) + 1e-12):
        raise ValueError("recency must not exceed T (last purchase after the end of observation)")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 where frequency is 0 (no repeat purchase)")
    return x, t_x, big_t


def _aggregate(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """Distinct rows of equal-length columns, their counts, and the index of each input row's distinct row."""
    order = np.lexsort(columns[::-1])
    ordered = [column[order] for column in columns]
    new_row = np.ones(order.size, dtype=bool)
    if order.size > 1:
        new_row[1:] = np.any(np.diff(np.vstack(ordered), axis=1) != 0, axis=0)
    group = np.cumsum(new_row) - 1
    inverse = np.empty(order.size, dtype="int64")
    inverse[order] = group
    counts = np.bincount(group).astype("float64")
    return [column[new_row] for column in ordered], counts, inverse


def _parameters(model: str, fit: object, names: tuple[str, ...], forecast: bool = True) -> tuple[float, ...]:
    """The parameters ``names`` of ``fit`` as floats; ``ValueError`` unless each is a finite number > 0 and, for a
    forecast, the fit converged (a fit that did not converge has no estimate to forecast from)."""
    if forecast and not getattr(fit, "converged", True):
        message = getattr(fit, "message", "") or "no message"
        raise ValueError(f"the {model} fit did not converge ({message}); it cannot be used to forecast")
    values = tuple(float(getattr(fit, name)) for name in names)
    bad = [f"{name}={value!r}" for name, value in zip(names, values, strict=True)
           if not (math.isfinite(value) and value > 0)]
    if bad:
        raise ValueError(f"{model} parameters must be finite numbers > 0, got {', '.join(bad)}")
    return values


def _finite(what: str, values: np.ndarray, parameters: str) -> np.ndarray:
    """``values`` when all are finite; else ``ValueError``: the inputs are beyond what floating point evaluates."""
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} is not a finite number at {parameters} for these inputs: the parameters or times "
                         "are too extreme to evaluate")
    return values


def _describe(fit: object, names: tuple[str, ...]) -> str:
    return ", ".join(f"{name}={float(getattr(fit, name)):.6g}" for name in names)


_BG_NBD = ("r", "alpha", "a", "b")
_GAMMA_GAMMA = ("p", "q", "gamma")
_SBG = ("alpha", "beta")


Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def _weighted_objective(
    values: np.ndarray, jacobian: np.ndarray, weights: np.ndarray, total: float
) -> tuple[float, np.ndarray]:
    """Mean negative log-likelihood of weighted distinct rows and its gradient: -sum(w * l) / n, -(J @ w) / n.

    Summed with ``einsum``, not BLAS (``@``): a product of this size woke OpenBLAS's threads at every evaluation,
    and on the project's 2-core machine that slowed the optimiser's own steps too. Measured: the BG/NBD +
    Gamma-Gamma fits with the holdout check of 10 M rows took 0.72–0.89 s instead of 0.98–1.52 s, with parameters
    equal to 12 digits.
    """
    return -float(np.einsum("i,i", weights, values)) / total, -np.einsum("ij,j", jacobian, weights) / total


def _minimise(objective: Objective, start: np.ndarray, n_params: int) -> tuple[np.ndarray, bool, str]:
    """Minimise a mean negative log-likelihood over log-parameters; never raises.

    L-BFGS-B with the analytic gradient first; Nelder-Mead from the best point so far when that fails. A
    L-BFGS-B run whose line search stops while every gradient component is within :data:`_STATIONARY_GRADIENT`
    of zero has found the optimum as well as the float rounding of the likelihood allows (Nelder-Mead then only
    confirms the same point, in a few hundred evaluations): it counts as converged. Nelder-Mead stops after
    :data:`_NELDER_MEAD_EVALUATIONS` evaluations per parameter.
    Returns (log-parameters, converged, message); converged is False when a parameter sits on its bound.
    """
    bounds = [(-_LOG_BOUND, _LOG_BOUND)] * n_params

    def safe(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = objective(log_params)
        if not np.isfinite(value) or not np.all(np.isfinite(gradient)):
            return 1e10, np.zeros(n_params)
        return value, gradient

    best, converged, message = np.asarray(start, dtype="float64"), False, "not started"
    with np.errstate(all="ignore"):
        try:
            result = optimize.minimize(
                safe, best, jac=True, method="L-BFGS-B", bounds=bounds,
                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
            )
            best, converged, message = result.x, bool(result.success), f"L-BFGS-B: {result.message}"
            if not converged and np.all(np.abs(result.jac) <= _STATIONARY_GRADIENT):
                converged, message = True, f"{message} (gradient within {_STATIONARY_GRADIENT:g} of zero)"
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
            message = f"L-BFGS-B failed: {error}"
        if not converged:
            try:
                result = optimize.minimize(
                    lambda log_params: safe(log_params)[0], best, method="Nelder-Mead", bounds=bounds,
                    options={"maxfev": _NELDER_MEAD_EVALUATIONS * n_params, "xatol": 1e-9, "fatol": 1e-13},
                )
                best, converged = result.x, bool(result.success)
                message = f"{message}; Nelder-Mead: {result.message}"
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as error:
                message = f"{message}; Nelder-Mead failed: {error}"
        value = safe(best)[0]
    if not np.isfinite(value) or value >= 1e10:
        return best, False, f"{message}; the likelihood is not finite at the estimate"
    if np.any(np.abs(best) > _LOG_BOUND - 1e-3):
        return best, False, f"{message}; a parameter ran to its bound (the data do not identify the model)"
    return best, converged, message


# ---------------------------------------------------------------------------------------------------------------
# BG/NBD (Fader, Hardie & Lee 2005)
# ---------------------------------------------------------------------------------------------------------------


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
    r, alpha, a, b = _parameters("BG/NBD", fit, _BG_NBD, forecast=False)
    x, t_x, big_t = _customer_arrays(frequency, recency, T)
    with np.errstate(all="ignore"):
        return _bg_nbd_terms(r, alpha, a, b, x, t_x, big_t)[0]


def fit_bg_nbd(frequency: object, recency: object, T: object) -> BgNbdFit:
    """Maximum-likelihood BG/NBD fit, FHL 2005 eq. (6), to one customer summary (x, t_x, T).

    Identical (x, t_x, T) rows are aggregated with weights; times are rescaled by their mean for the optimiser and
    ``alpha`` is scaled back, so it is in the time unit of the input. Without any repeat purchase the dropout
    process is not identified: the result has NaN parameters and ``converged=False``.
    """
    x, t_x, big_t = _customer_arrays(frequency, recency, T)
    n_customers = int(x.size)
    if n_customers == 0:
        raise ValueError("fit_bg_nbd needs at least one customer")
    if not np.any(x > 0) or not np.any(big_t > 0):
        return BgNbdFit(
            _NO_FIT, _NO_FIT, _NO_FIT, _NO_FIT, _NO_FIT, False,
            "no repeat purchases (or no observation time): the BG/NBD is not identified", n_customers,
        )
    scale = float(np.mean(big_t))
    (ux, ut_x, ut), weights, _ = _aggregate(x, t_x / scale, big_t / scale)
    total = weights.sum()
    levels = np.unique(ux, return_inverse=True)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        r, alpha, a, b = np.exp(log_params)
        values, jacobian = _bg_nbd_terms(r, alpha, a, b, ux, ut_x, ut, gradient=True, levels=levels)
        return _weighted_objective(values, jacobian, weights, total)

    rate = max(float(np.sum(x)) / float(np.sum(big_t / scale)), 1e-6)
    start = np.log([1.0, 1.0 / rate, 1.0, 3.0])
    log_params, converged, message = _minimise(objective, start, 4)
    r, alpha_scaled, a, b = np.exp(log_params)
    alpha = alpha_scaled * scale
    (vx, vt_x, vt), weights_original, _ = _aggregate(x, t_x, big_t)
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
    r, alpha, a, b = _parameters("BG/NBD", fit, _BG_NBD)
    t = _time_array("t", t)
    with np.errstate(all="ignore"):
        value = _expected_if_alive(r, alpha, a, b, 0.0, t, 0.0)
    return _finite("E[X(t)]", np.where(t == 0, 0.0, value), _describe(fit, _BG_NBD))


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
    r, alpha, a, b = _parameters("BG/NBD", fit, _BG_NBD)
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
    return _finite("P(X(t) = n)", probability, _describe(fit, _BG_NBD))


def bg_nbd_probability_alive(fit: BgNbdFit, frequency: object, recency: object, T: object) -> np.ndarray:
    """Probability that a customer with history (x, t_x, T) is still active at T (Fader, Hardie & Lee 2008 note).

    P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); customers without a repeat
    purchase cannot have dropped out under the BG/NBD, so their P(alive) is 1.
    """
    r, alpha, a, b = _parameters("BG/NBD", fit, _BG_NBD)
    x, t_x, big_t = _customer_arrays(frequency, recency, T)
    with np.errstate(all="ignore"):
        log_odds_dead = (
            np.log(a) - np.log(np.maximum(b + x - 1, 1e-300))
            + (r + x) * (np.log(alpha + big_t) - np.log(alpha + t_x))
        )
        alive = special.expit(-log_odds_dead)
    return _finite("P(alive)", np.where(x > 0, alive, 1.0), _describe(fit, _BG_NBD))


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
    _parameters("BG/NBD", fit, _BG_NBD)
    if np.ndim(t) != 0:
        raise ValueError("t must be a single number (the forecast horizon in the fit's time unit)")
    t_value = float(_time_array("t", t))
    x, t_x, big_t = _customer_arrays(frequency, recency, T)
    (ux, ut_x, ut), _, inverse = _aggregate(x, t_x, big_t)
    values = _finite("E[Y(t) | x, t_x, T]", _conditional_expected(fit, t_value, ux, ut_x, ut),
                     _describe(fit, _BG_NBD))
    return values[inverse]


def bg_nbd_expected_purchases_if_alive(fit: BgNbdFit, t: float, frequency: object, T: object) -> np.ndarray:
    """Expected purchases in (T, T+t] of a customer with x repeat purchases who is still alive at T, FHL 2005 eq. (10)
    without its P(alive) factor.

    E[Y(t) | alive, x, T] = (a+b+x-1)/(a-1) * [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))].
    It does not depend on the recency t_x, so E[Y(t)|x, t_x, T] = this * :func:`bg_nbd_probability_alive`, and a
    forecast over many horizons needs it only once per distinct (x, T). ``t`` is a scalar in the fit's time unit.
    """
    r, alpha, a, b = _parameters("BG/NBD", fit, _BG_NBD)
    if np.ndim(t) != 0:
        raise ValueError("t must be a single number (the forecast horizon in the fit's time unit)")
    t_value = float(_time_array("t", t))
    x, big_t = _same_length("frequency, T", frequency, T)
    if t_value == 0:
        return np.zeros_like(x)
    with np.errstate(all="ignore"):
        values = _expected_if_alive(r, alpha, a, b, x, t_value, big_t)
    return _finite("E[Y(t) | alive, x, T]", values, _describe(fit, _BG_NBD))


def _conditional_expected(
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


# ---------------------------------------------------------------------------------------------------------------
# Gamma-Gamma (Fader & Hardie 2013)
# ---------------------------------------------------------------------------------------------------------------


def _spend_arrays(frequency: object, monetary: object) -> tuple[np.ndarray, np.ndarray]:
    x, z = _same_length("frequency, monetary", frequency, monetary)
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must be whole numbers >= 0 (repeat purchase days)")
    return x, z


def _gamma_gamma_terms(
    p: float, q: float, gamma: float, x: np.ndarray, z: np.ndarray, gradient: bool = False,
    levels: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log density of the mean spend z of x purchases and its gradient in (log p, log q, log gamma).

    ln f = ln G(px+q) - ln G(px) - ln G(q) + q ln gamma + (px-1) ln z + px ln x - (px+q) ln(gamma + x z).

    As in :func:`_bg_nbd_terms`, the log-gamma, digamma and ln x terms are evaluated once per distinct x
    (``levels``: ``np.unique(x, return_inverse=True)``, computed here when not given).
    """
    values_x, at = levels if levels is not None else np.unique(x, return_inverse=True)
    px_by_value = p * values_x
    px = px_by_value[at]
    log_x = np.log(values_x)[at]
    log_z = np.log(z)
    log_total = np.log(gamma + x * z)
    values = (
        special.gammaln(px_by_value + q)[at] - special.gammaln(px_by_value)[at] - special.gammaln(q)
        + q * np.log(gamma) + (px - 1) * log_z + px * log_x - (px + q) * log_total
    )
    if not gradient:
        return values, None
    psi = special.digamma
    psi_px_q = psi(px_by_value + q)[at]
    d_p = x * (psi_px_q - psi(px_by_value)[at] + log_z + log_x - log_total)
    d_q = psi_px_q - psi(q) + np.log(gamma) - log_total
    d_gamma = q / gamma - (px + q) / (gamma + x * z)
    return values, np.vstack([d_p * p, d_q * q, d_gamma * gamma])


def gamma_gamma_log_likelihood(fit: GammaGammaFit, frequency: object, monetary: object) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of mean spend z over x purchases (Fader & Hardie 2013).

    f(z | p, q, gamma; x) = G(px+q)/(G(px) G(q)) * gamma^q x^(px) z^(px-1) / (gamma + x z)^(px+q),
    for x >= 1 and z > 0 (other customers get NaN). Depends on the currency unit of z.
    """
    p, q, gamma = _parameters("Gamma-Gamma", fit, _GAMMA_GAMMA, forecast=False)
    x, z = _spend_arrays(frequency, monetary)
    usable = (x > 0) & (z > 0)
    values = np.full_like(x, np.nan)
    with np.errstate(all="ignore"):
        values[usable] = _gamma_gamma_terms(p, q, gamma, x[usable], z[usable])[0]
    return values


def fit_gamma_gamma(frequency: object, monetary: object) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit (Fader & Hardie 2013) on customers with at least one repeat purchase.

    ``monetary`` is each customer's mean spend over their ``frequency`` repeat purchases (the first purchase
    excluded). Customers with x = 0 are ignored; repeat customers with mean spend <= 0 are excluded and counted
    in ``n_excluded``. Spend is rescaled by its mean for the optimiser and ``gamma`` scaled back, so it is in the
    currency unit of the input. With fewer than two usable customers the result has NaN parameters and
    ``converged=False``.
    """
    x, z = _spend_arrays(frequency, monetary)
    repeat = x > 0
    usable = repeat & (z > 0)
    n_customers, n_excluded = int(usable.sum()), int((repeat & ~usable).sum())
    if n_customers < 2:
        return GammaGammaFit(
            _NO_FIT, _NO_FIT, _NO_FIT, _NO_FIT, False,
            "fewer than two repeat customers with positive spend: the Gamma-Gamma model is not identified",
            n_customers, n_excluded,
        )
    x, z = x[usable], z[usable]
    scale = float(np.mean(z))
    (ux, uz), weights, _ = _aggregate(x, z / scale)
    total = weights.sum()
    levels = np.unique(ux, return_inverse=True)

    def objective(log_params: np.ndarray) -> tuple[float, np.ndarray]:
        p, q, gamma = np.exp(log_params)
        values, jacobian = _gamma_gamma_terms(p, q, gamma, ux, uz, gradient=True, levels=levels)
        return _weighted_objective(values, jacobian, weights, total)

    start = np.log([2.0, 3.0, 1.0])  # population mean p * gamma / (q - 1) = 1 = the rescaled mean spend
    log_params, converged, message = _minimise(objective, start, 3)
    p, q, gamma_scaled = np.exp(log_params)
    gamma = gamma_scaled * scale
    with np.errstate(all="ignore"):
        log_likelihood = float(np.sum(_gamma_gamma_terms(p, q, gamma, x, z)[0]))
    if converged and not (math.isfinite(log_likelihood) and math.isfinite(gamma)):
        converged, message = False, f"{message}; the likelihood is not finite at the estimate in the data's units"
    return GammaGammaFit(
        float(p), float(q), float(gamma), log_likelihood, converged, message, n_customers, n_excluded
    )


def gamma_gamma_expected_spend(fit: GammaGammaFit, frequency: object, monetary: object) -> np.ndarray:
    """Expected spend per future purchase given x repeat purchases with mean spend z (Fader & Hardie 2013).

    E[M | p, q, gamma, z, x] = p (gamma + x z) / (p x + q - 1)
        = (q-1)/(px+q-1) * p gamma/(q-1) + px/(px+q-1) * z,
    a weighted average of the population mean p gamma/(q-1) and the customer's own mean. For x = 0 this is the
    population mean, which needs q > 1. Currency units of ``monetary``.

    Raises ``ValueError`` for a fit that did not converge, for a negative mean spend of a customer with repeat
    purchases (the model describes spend per purchase, which is positive; returns that outweigh a customer's
    purchases are outside it), where p x + q - 1 <= 0 (for x = 0: q <= 1, no population mean exists) and where the
    value overflows.
    """
    p, q, gamma = _parameters("Gamma-Gamma", fit, _GAMMA_GAMMA)
    x, z = _spend_arrays(frequency, monetary)
    negative = (x > 0) & (z < 0)
    if np.any(negative):
        position = int(np.flatnonzero(negative)[0])
        raise ValueError(f"monetary must be >= 0 for customers with repeat purchases (the Gamma-Gamma model "
                         f"describes positive spend), got {z[position]:g} at position {position}")
    z = np.where(x > 0, z, 0.0)
    denominator = p * x + q - 1
    if np.any(denominator <= 0):
        raise ValueError(f"the expected spend needs p * x + q > 1 for every customer, got p={p:.6g}, q={q:.6g}: "
                         "with q <= 1 the population mean spend p * gamma / (q - 1) does not exist")
    with np.errstate(all="ignore"):
        spend = p * (gamma + x * z) / denominator
    return _finite("E[spend]", spend, _describe(fit, _GAMMA_GAMMA))


# ---------------------------------------------------------------------------------------------------------------
# Customer lifetime value from BG/NBD + Gamma-Gamma
# ---------------------------------------------------------------------------------------------------------------


def check_clv_inputs(horizon: float, discount_rate: float, margin: float) -> None:
    """Raise ``ValueError`` unless ``horizon`` (months) is between 0 and :data:`MAX_HORIZON_MONTHS` and the annual
    ``discount_rate`` and the ``margin`` are fractions between 0 and 1: the inputs of :func:`predictive_clv` and of
    the scenarios built on it."""
    if not (math.isfinite(horizon) and 0 <= horizon <= MAX_HORIZON_MONTHS):
        raise ValueError(f"horizon must be a number of months from 0 to {MAX_HORIZON_MONTHS}, got {horizon!r}")
    if not (math.isfinite(discount_rate) and 0 <= discount_rate <= 1):
        raise ValueError(f"discount_rate must be an annual fraction between 0 and 1, got {discount_rate!r}")
    if not (math.isfinite(margin) and 0 <= margin <= 1):
        raise ValueError(f"margin must be a fraction between 0 and 1, got {margin!r}")


def predictive_clv(
    bg_fit: BgNbdFit,
    gg_fit: GammaGammaFit,
    summary: pd.DataFrame,
    horizon: float,
    discount_rate: float,
    margin: float,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Discounted expected margin per customer over the next ``horizon`` months (Fader, Hardie & Lee 2005, JMR).

    Units: ``horizon`` in MONTHS; ``discount_rate`` is an ANNUAL rate (fraction, e.g. 0.10); ``margin`` is the
    gross margin as a fraction of spend. The summary's time unit comes from ``time_unit`` or
    ``summary.attrs["time_unit"]`` (set by :func:`rfm_summary`), and must be the unit ``bg_fit`` was fitted in.

    Steps are calendar months of 30.4375 days: with t_k = k months expressed in the summary's unit
    (the last step is partial when ``horizon`` is not whole) and monthly rate d = (1 + discount_rate)^(1/12) - 1,
        clv = margin * E[spend] * sum_k (E[Y(t_k)|x, t_x, T] - E[Y(t_(k-1))|x, t_x, T]) / (1 + d)^(t_k in months),
    so each month's expected purchases are discounted from the end of that month. E[Y] is FHL 2005 eq. (10),
    E[spend] is :func:`gamma_gamma_expected_spend`. (Unlike lifetimes, where the rate is per period of the
    frequency data, the annual rate here is converted to the step length.)

    Returns a DataFrame, one row per summary row: ``customer_id`` (when the summary has it),
    ``expected_purchases`` = E[Y(horizon)] undiscounted, ``discounted_purchases``, ``expected_spend``,
    ``probability_alive``, ``clv`` (currency).

    A customer whose repeat purchases net to less than zero (returns) counts with a mean spend of 0: the spend model
    then expects p gamma / (p x + q - 1) per purchase, the population's mean weighted by the population's share.
    Raises ``ValueError`` for a fit that did not converge and where a value is not finite.
    """
    _parameters("BG/NBD", bg_fit, _BG_NBD)
    _parameters("Gamma-Gamma", gg_fit, _GAMMA_GAMMA)
    missing = [column for column in ("frequency", "recency", "T", "monetary") if column not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {', '.join(missing)}")
    unit = time_unit or summary.attrs.get("time_unit")
    if unit is None:
        raise ValueError("time_unit is unknown: pass time_unit= or a summary made by rfm_summary")
    unit_days = _unit_days(unit)
    check_clv_inputs(horizon, discount_rate, margin)

    x, t_x, big_t = _customer_arrays(summary["frequency"], summary["recency"], summary["T"])
    spend = gamma_gamma_expected_spend(gg_fit, x, np.maximum(summary["monetary"].to_numpy(dtype="float64"), 0.0))
    (ux, ut_x, ut), _, inverse = _aggregate(x, t_x, big_t)
    month_in_units = (DAYS_PER_YEAR / 12) / unit_days
    month_ends = np.minimum(np.arange(1, math.ceil(horizon - 1e-12) + 1, dtype="float64"), horizon)
    previous = np.zeros_like(ux)
    discounted = np.zeros_like(ux)
    for months in month_ends:
        current = _conditional_expected(bg_fit, months * month_in_units, ux, ut_x, ut)
        discounted += (current - previous) / (1 + discount_rate) ** (months / 12)
        previous = current
    _finite("E[Y(t) | x, t_x, T]", previous, _describe(bg_fit, _BG_NBD))
    alive = bg_nbd_probability_alive(bg_fit, ux, ut_x, ut)
    result = pd.DataFrame(
        {
            "expected_purchases": previous[inverse],
            "discounted_purchases": discounted[inverse],
            "expected_spend": spend,
            "probability_alive": alive[inverse],
        },
        index=summary.index,
    )
    result["clv"] = margin * result["expected_spend"] * result["discounted_purchases"]
    _finite("the CLV", result["clv"].to_numpy(), _describe(bg_fit, _BG_NBD) + ", " + _describe(gg_fit, _GAMMA_GAMMA))
    if "customer_id" in summary.columns:
        result.insert(0, "customer_id", summary["customer_id"])
    return result


# ---------------------------------------------------------------------------------------------------------------
# Shifted-beta-geometric (Fader & Hardie 2007, 2010)
# ---------------------------------------------------------------------------------------------------------------


def _survival_counts(survival: object, cohort_size: float) -> tuple[np.ndarray, float]:
    """Customers lost in periods 1..n and still active after period n, from survival fractions."""
    values = _vector("survival", survival)
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
    alpha, beta = _parameters("sBG", fit, _SBG, forecast=False)
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

    log_params, converged, message = _minimise(objective, np.zeros(2), 2)
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
    alpha, beta = _parameters("sBG", fit, _SBG)
    t = _periods("t", t, 1)
    with np.errstate(all="ignore"):
        churn = np.minimum(np.exp(special.betaln(alpha + 1, beta + t - 1) - special.betaln(alpha, beta)), 1.0)
    return _finite("P(T = t)", churn, _describe(fit, _SBG))  # (rounding past 1 at extreme alpha, beta clipped)


def sbg_survival(fit: SbgFit, t: object) -> np.ndarray:
    """Fraction of a cohort still active after t periods, FH 2007: S(t | alpha, beta) = B(alpha, beta+t)/B(alpha, beta).

    S(0) = 1; ``t`` in periods of the fitted data, vectorised.
    """
    alpha, beta = _parameters("sBG", fit, _SBG)
    t = _periods("t", t, 0)
    with np.errstate(all="ignore"):
        survival = np.minimum(np.exp(special.betaln(alpha, beta + t) - special.betaln(alpha, beta)), 1.0)
    return _finite("S(t)", survival, _describe(fit, _SBG))  # (rounding past 1 at extreme alpha, beta clipped)


def sbg_retention_rate(fit: SbgFit, t: object) -> np.ndarray:
    """Retention rate of period t, r_t = S(t)/S(t-1) = (beta+t-1)/(alpha+beta+t-1), FH 2007 (t >= 1).

    It rises with t: the customers most likely to churn leave first (sorting under heterogeneity).
    """
    alpha, beta = _parameters("sBG", fit, _SBG)
    t = _periods("t", t, 1)
    with np.errstate(all="ignore"):
        rate = (beta + t - 1) / (alpha + beta + t - 1)
    return _finite("r_t", rate, _describe(fit, _SBG))


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
    alpha, beta = _parameters("sBG", fit, _SBG)
    z = _discount_factor(discount_rate)
    _finite_lifetime(alpha, discount_rate)
    with np.errstate(all="ignore"):
        value = special.hyp2f1(1.0, beta, alpha + beta, z)
    return float(_finite("the discounted expected lifetime", np.asarray(value), _describe(fit, _SBG)))


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
    alpha, beta = _parameters("sBG", fit, _SBG)
    z = _discount_factor(discount_rate)
    if (isinstance(periods_survived, bool) or not isinstance(periods_survived, (int, float, np.number))
            or not math.isfinite(periods_survived) or periods_survived < 0
            or periods_survived != int(periods_survived)):
        raise ValueError(f"periods_survived must be a whole number >= 0, got {periods_survived!r}")
    _finite_lifetime(alpha, discount_rate)
    n = int(periods_survived) + 1
    with np.errstate(all="ignore"):
        value = (beta + n - 1) / (alpha + beta + n - 1) * special.hyp2f1(1.0, beta + n, alpha + beta + n, z)
    return float(_finite("the discounted expected residual lifetime", np.asarray(value), _describe(fit, _SBG)))
