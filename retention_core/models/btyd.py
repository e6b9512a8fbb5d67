"""BG/NBD and Gamma-Gamma fitted once to one data set, with the calibration/holdout check, ready for forecasts.

:func:`fit_predictive_models` turns one transaction log into a :class:`PredictiveModels` bundle: the weekly
customer summary, the BG/NBD and Gamma-Gamma fits on the full history, and a calibration/holdout check. It runs
once per data set (inside :func:`retention_core.dataset.aggregate`, which takes an earlier fit of the same data
to skip it); slider moves only evaluate the stored fits (:mod:`.clv`, with a :class:`~.forecast.ForecastBasis`).
Fits on more than :data:`FIT_CUSTOMERS` customers use a seeded random sample of that many (predictions are still
made for every customer). ``reason`` keys (:data:`REASONS`) say why the fits cannot be used; the UI turns them into
text with :func:`reason_params`.

References: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2) (FHL
2005, BG/NBD, Fig. 4 for the holdout check); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value"
(note 025).

Units: times in weeks inside the bundle, margins and shares fractions, money in the data's currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import duckdb
import numpy as np
import pandas as pd

from retention_core import queries
from retention_core.engines import Engine, Table
from retention_core.intervals import LEVEL, REPLICATES, Interval
from retention_core.models.bg_nbd import BgNbdFit, bg_nbd_conditional_expected_purchases, fit_bg_nbd
from retention_core.models.forecast import basis_from_fits, customer_values
from retention_core.models.gamma_gamma import GammaGammaFit, fit_gamma_gamma
from retention_core.models.parameter_uncertainty import (
    EVALUATION_CUSTOMERS,
    PredictiveUncertainty,
    expected_purchases_interval,
    predictive_uncertainty,
)
from retention_core.models.summaries import (
    MIN_CUSTOMERS,
    MIN_HISTORY_DAYS,
    MIN_REPEAT_CUSTOMERS,
    assess_btyd_data,
    calibration_holdout_split,
    rfm_summary,
)

__all__ = [
    "CALIBRATION_GROUPS",
    "FIT_CUSTOMERS",
    "HOLDOUT_SHARE",
    "MAX_HOLDOUT_WEEKS",
    "REASONS",
    "TIME_UNIT",
    "PredictiveModels",
    "fit_predictive_models",
    "fit_sample",
    "holdout_length_weeks",
    "reason_params",
    "with_uncertainty",
]

TIME_UNIT = "W"
"""The customer summary is in weeks, the unit of FHL 2005."""

HOLDOUT_SHARE = 1 / 3
"""The holdout is the last third of the history (FHL 2005 use 39 of 78 weeks; a third keeps more to fit on)."""

MAX_HOLDOUT_WEEKS = 52
"""A year of holdout is enough to judge the fit; longer histories keep the extra weeks for calibration."""

CALIBRATION_GROUPS = 8
"""Holdout plot groups by repeat purchases in calibration: 0, 1, ..., 6 and 7+ (FHL 2005, Fig. 4)."""

FIT_CUSTOMERS = 100_000
"""Larger customer bases are fitted on a seeded random sample of this many customers: the parameters' sampling
error is then a few percent at most, and the fit's time stops growing with the customer base."""

FIT_SAMPLE_SEED = 20050401

REASONS = (
    "invalid_data",
    "too_few_customers",
    "too_few_repeaters",
    "short_history",
    "bg_nbd_failed",
    "gamma_gamma_failed",
    "predictions_not_finite",
    "not_stored",
)
"""Every ``reason`` / ``holdout_reason`` key; the UI shows ``predictive_reason_<key>`` and the simple formulas."""

_CHECK_HORIZON_MONTHS = 12


@dataclass(frozen=True)
class PredictiveModels:
    """BG/NBD and Gamma-Gamma fits of one data set, ready for slider scenarios (FHL 2005; Fader & Hardie 2013).

    ``summary``: one row per customer, ``customer_id, frequency, recency, T, monetary`` in weeks as of
    ``observation_end`` (the last order date), see :func:`rfm_summary`. ``bg_nbd`` and ``gamma_gamma``
    are fitted on that full history (of :func:`fit_sample` of the customers when there are more than
    :data:`FIT_CUSTOMERS`). ``holdout``: the calibration/holdout check, one row per group of repeat
    purchases in calibration (0 ... 6, 7+): ``calibration_frequency`` (7 means 7 or more), ``label``,
    ``customers``, ``actual`` and ``predicted`` mean repeat purchases per customer in the ``holdout_weeks`` after
    ``calibration_end`` (BG/NBD fitted on the calibration part only; FHL 2005 eq. 10 and Fig. 4).
    ``holdout_actual`` / ``holdout_predicted`` are the totals over all calibration customers;
    ``holdout_predicted_low`` / ``_high`` the 80 % interval of ``holdout_predicted`` from the calibration fit's
    parameter uncertainty (:func:`~.parameter_uncertainty.expected_purchases_interval`), None without one.

    ``reason`` is None when the fits can be used, else a key of :data:`REASONS` saying why not (then the fits may be
    None and the UI uses the simple formulas); ``holdout_reason`` likewise for the holdout check alone.
    Counts: ``customers`` in the summary, ``repeaters`` with at least one repeat purchase,
    ``gamma_gamma_excluded`` repeaters left out of the spend model for a non-positive mean spend;
    ``fit_customers`` customers the fits were made on (all of them up to :data:`FIT_CUSTOMERS`, else a sample).
    ``uncertainty``: the parameters' sampling error carried to the mean predictive CLV and P(alive)
    (:func:`~.parameter_uncertainty.predictive_uncertainty`), None when the fits are not usable or the likelihood
    does not pin the parameters down.
    """

    summary: pd.DataFrame
    bg_nbd: BgNbdFit | None = None
    gamma_gamma: GammaGammaFit | None = None
    holdout: pd.DataFrame | None = None
    observation_end: pd.Timestamp | None = None
    calibration_end: pd.Timestamp | None = None
    holdout_weeks: int = 0
    holdout_actual: float | None = None
    holdout_predicted: float | None = None
    holdout_predicted_low: float | None = None
    holdout_predicted_high: float | None = None
    reason: str | None = None
    holdout_reason: str | None = None
    customers: int = 0
    repeaters: int = 0
    gamma_gamma_excluded: int = 0
    time_unit: str = TIME_UNIT
    fit_customers: int = 0
    uncertainty: PredictiveUncertainty | None = None

    @property
    def usable(self) -> bool:
        """True when the CLV fits can be shown (``reason`` is None)."""
        return self.reason is None

    @property
    def holdout_predicted_interval(self) -> Interval | None:
        """The 80 % interval of ``holdout_predicted`` (:data:`~retention_core.intervals.LEVEL`), None without one."""
        if self.holdout_predicted_low is None or self.holdout_predicted_high is None:
            return None
        return Interval(self.holdout_predicted_low, self.holdout_predicted_high, LEVEL, REPLICATES, REPLICATES)

    @property
    def holdout_error(self) -> float | None:
        """Relative error of the predicted total holdout purchases: (predicted - actual) / actual, a fraction."""
        if self.holdout_actual is None or self.holdout_predicted is None or self.holdout_actual <= 0:
            return None
        return (self.holdout_predicted - self.holdout_actual) / self.holdout_actual


def reason_params(fitted: PredictiveModels) -> dict[str, int]:
    """The numbers the ``predictive_reason_*`` texts may name: the data's counts and the models' minimums.

    ``customers``, ``repeaters`` (customers with a repeat purchase), ``minimum_customers``
    (:data:`MIN_CUSTOMERS`), ``minimum_repeaters`` (:data:`MIN_REPEAT_CUSTOMERS`) and
    ``minimum_weeks`` (:data:`MIN_HISTORY_DAYS` in whole weeks).
    """
    return {
        "customers": fitted.customers,
        "repeaters": fitted.repeaters,
        "minimum_customers": MIN_CUSTOMERS,
        "minimum_repeaters": MIN_REPEAT_CUSTOMERS,
        "minimum_weeks": MIN_HISTORY_DAYS // 7,
    }


def holdout_length_weeks(history_weeks: float) -> int:
    """Holdout length in whole weeks: a third of the history, at most :data:`MAX_HOLDOUT_WEEKS`.

    Definition: floor(history / 3) capped at 52 weeks; 0 when the history is shorter than three weeks.
    Units: weeks in, whole weeks out. Reference: FHL 2005, Sec. 4 (calibration and holdout periods).
    """
    return max(0, min(MAX_HOLDOUT_WEEKS, math.floor(history_weeks * HOLDOUT_SHARE)))


def _bg_nbd_reason(fit: BgNbdFit) -> str | None:
    parameters = (fit.r, fit.alpha, fit.a, fit.b)
    if not fit.converged or not all(math.isfinite(value) and value > 0 for value in parameters):
        return "bg_nbd_failed"
    return None


def _gamma_gamma_reason(fit: GammaGammaFit) -> str | None:
    parameters = (fit.p, fit.q, fit.gamma)
    if not fit.converged or not all(math.isfinite(value) and value > 0 for value in parameters):
        return "gamma_gamma_failed"
    if fit.q <= 1:  # the population mean spend p * gamma / (q - 1) does not exist
        return "gamma_gamma_failed"
    return None


def _holdout_groups(split: pd.DataFrame, fit: BgNbdFit) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency 0 ... 6, 7+ (FHL 2005, Fig. 4)."""
    duration = float(split["holdout_duration"].iloc[0])
    predicted = bg_nbd_conditional_expected_purchases(
        fit, duration, split["frequency"], split["recency"], split["T"]
    )
    top = CALIBRATION_GROUPS - 1
    frame = pd.DataFrame({
        "calibration_frequency": np.minimum(split["frequency"].to_numpy(dtype="int64"), top),
        "actual": split["holdout_frequency"].to_numpy(dtype="float64"),
        "predicted": predicted,
    })
    grouped = frame.groupby("calibration_frequency").agg(
        customers=("actual", "size"), actual=("actual", "mean"), predicted=("predicted", "mean")
    ).reset_index()
    grouped.insert(1, "label", [f"{value}+" if value == top else str(value)
                                for value in grouped["calibration_frequency"]])
    return grouped


def _holdout_check(
    transactions: Table, first_order: pd.Timestamp, observation_end: pd.Timestamp,
    engine: Engine | None = None,
) -> dict:
    """Calibration/holdout fields of :class:`PredictiveModels`; never raises on data problems."""
    weeks = holdout_length_weeks((observation_end - first_order).days / 7)
    if weeks < 1:
        return {"holdout_reason": "short_history"}
    calibration_end = observation_end - pd.Timedelta(weeks=weeks)
    fields = {"calibration_end": calibration_end, "holdout_weeks": weeks}
    split = fit_sample(calibration_holdout_split(transactions, calibration_end, observation_end, TIME_UNIT,
                                                 engine))  # a path source arrives unsampled
    reason = assess_btyd_data(split, TIME_UNIT)
    if reason is not None:
        return {**fields, "holdout_reason": reason}
    fit = fit_bg_nbd(split["frequency"], split["recency"], split["T"])
    reason = _bg_nbd_reason(fit)
    if reason is not None:
        return {**fields, "holdout_reason": reason}
    try:
        groups = _holdout_groups(split, fit)
    except ValueError:  # a forecast that is not finite
        return {**fields, "holdout_reason": "predictions_not_finite"}
    interval = expected_purchases_interval(fit, split["frequency"], split["recency"], split["T"],
                                           float(split["holdout_duration"].iloc[0]))
    return {
        **fields,
        "holdout": groups,
        "holdout_actual": float((groups["actual"] * groups["customers"]).sum()),
        "holdout_predicted": float((groups["predicted"] * groups["customers"]).sum()),
        "holdout_predicted_low": None if interval is None else interval.low,
        "holdout_predicted_high": None if interval is None else interval.high,
    }


def fit_sample(summary: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """``summary`` itself up to ``limit`` rows (default :data:`FIT_CUSTOMERS`), else a seeded random sample of
    ``limit`` rows in their order."""
    limit = FIT_CUSTOMERS if limit is None else limit
    if len(summary) <= limit:
        return summary
    rows = np.sort(np.random.default_rng(FIT_SAMPLE_SEED).choice(len(summary), size=limit, replace=False))
    return summary.iloc[rows]


def _rows_of(ids: pd.Series, wanted_ids: pd.Series) -> np.ndarray:
    """Boolean mask of the rows whose id is one of ``wanted_ids``.

    Whole-number codes 0 … n − 1 (:func:`retention_core.dataset.aggregate` gives them from 100,000 rows on) are
    looked up in a table of n flags, several times faster than hashing them (``isin``).
    """
    if ids.dtype.kind not in "iu" or wanted_ids.dtype.kind not in "iu" or ids.empty:
        return ids.isin(wanted_ids).to_numpy()
    lowest, highest = int(ids.min()), int(ids.max())
    if lowest < 0 or highest >= 2 * len(ids):
        return ids.isin(wanted_ids).to_numpy()
    chosen = np.zeros(highest + 1, dtype=bool)
    wanted = wanted_ids.to_numpy()
    chosen[wanted[(wanted >= 0) & (wanted < len(chosen))]] = True
    return chosen[ids.to_numpy()]


def fit_predictive_models(
    transactions: Table, engine: Engine | None = None, *, summary: pd.DataFrame | None = None,
    totals: pd.Series | None = None,
) -> PredictiveModels:
    """Fit BG/NBD (FHL 2005) and Gamma-Gamma (Fader & Hardie 2013) to a transaction log; never raises on data.

    Definition: the weekly customer summary as of the last order date (``frequency`` = repeat purchase days,
    ``recency`` and ``T`` in weeks, ``monetary`` = mean spend of the repeat days) is checked with
    :func:`assess_btyd_data`; when suitable, BG/NBD is fitted by maximum likelihood (FHL 2005 eq. 6) and
    Gamma-Gamma on the repeaters with positive mean spend. For the holdout check the history from the first to the
    last order date is split: the last third (at most 52 whole weeks, :func:`holdout_length_weeks`) is the
    holdout, BG/NBD is refitted on the calibration part and its conditional expectation (FHL 2005 eq. 10) is
    compared with the actual repeat purchases per calibration-frequency group (FHL 2005, Fig. 4). With more than
    :data:`FIT_CUSTOMERS` customers, both fits and the holdout check use a seeded random sample of that many
    customers (:func:`fit_sample`); forecasts cover every customer.

    Fallback: invalid columns or types give ``reason="invalid_data"``; unsuitable data give the key from
    :func:`assess_btyd_data`; a fit that does not converge (or Gamma-Gamma with q <= 1, where the mean
    spend does not exist) gives ``bg_nbd_failed`` / ``gamma_gamma_failed``; non-finite 12-month forecasts (of the
    customers the models were fitted on) give ``predictions_not_finite``. A failed holdout check sets only
    ``holdout_reason``. ``engine`` runs the SQL (default: embedded DuckDB). Units: weeks inside, money in the
    currency of ``amount``.

    ``summary`` (the weekly :func:`rfm_summary` of ``transactions``, e.g. from
    :func:`btyd_summary` of the customer summary) and ``totals`` (:func:`queries.transaction_totals`) save
    their queries when the caller already has them.
    """
    if summary is not None and summary.attrs.get("time_unit") != TIME_UNIT:
        raise ValueError(f"summary must be in time unit {TIME_UNIT!r}, got {summary.attrs.get('time_unit')!r}")
    try:
        if summary is None:
            summary = rfm_summary(transactions, time_unit=TIME_UNIT, engine=engine)
    except (ValueError, duckdb.Error):
        return PredictiveModels(summary=pd.DataFrame(), reason="invalid_data", holdout_reason="invalid_data")
    repeaters = int((summary["frequency"] > 0).sum())
    counts = {"customers": len(summary), "repeaters": repeaters}
    reason = assess_btyd_data(summary, TIME_UNIT)
    if reason is not None:
        return PredictiveModels(summary=summary, reason=reason, holdout_reason=reason, **counts)
    if totals is None:
        totals = queries.transaction_totals(transactions, engine)
    observation_end = pd.Timestamp(totals["last_order_date"]).normalize()
    first_order = pd.Timestamp(totals["first_order_date"]).normalize()
    sample = fit_sample(summary)
    bg_fit = fit_bg_nbd(sample["frequency"], sample["recency"], sample["T"])
    gg_fit = fit_gamma_gamma(sample["frequency"], sample["monetary"])
    reason = _bg_nbd_reason(bg_fit) or _gamma_gamma_reason(gg_fit)
    if reason is None:
        try:  # the models refuse to forecast where a value is not finite
            check = basis_from_fits(bg_fit, gg_fit, sample, _CHECK_HORIZON_MONTHS, TIME_UNIT)
            finite = all(np.all(np.isfinite(values))
                         for values in customer_values(check, 1.0, 0.0, _CHECK_HORIZON_MONTHS))
        except ValueError:
            finite = False
        if not finite:
            reason = "predictions_not_finite"
    if len(sample) < len(summary) and isinstance(transactions, pd.DataFrame):  # less SQL; else sampled after it
        transactions = transactions[_rows_of(transactions["customer_id"], sample["customer_id"])]
    try:
        holdout = _holdout_check(transactions, first_order, observation_end, engine)
    except (ValueError, duckdb.Error):
        holdout = {"holdout_reason": "invalid_data"}
    return with_uncertainty(PredictiveModels(
        summary=summary, bg_nbd=bg_fit, gamma_gamma=gg_fit, observation_end=observation_end, reason=reason,
        gamma_gamma_excluded=gg_fit.n_excluded, fit_customers=len(sample), **counts, **holdout,
    ))


def with_uncertainty(fitted: PredictiveModels) -> PredictiveModels:
    """``fitted`` with its ``uncertainty`` (:func:`~.parameter_uncertainty.predictive_uncertainty` on the customers
    the fits were made on, :func:`fit_sample`, and a sample of :data:`EVALUATION_CUSTOMERS` of them): made once per
    data set, with the fit or when a stored fit is read, so a slider move only weighs its months. Unchanged when
    the fits are not usable."""
    if fitted.reason is not None or fitted.bg_nbd is None or fitted.gamma_gamma is None:
        return fitted
    sample = fit_sample(fitted.summary)
    return replace(fitted, uncertainty=predictive_uncertainty(
        fitted.bg_nbd, fitted.gamma_gamma, sample, fit_sample(sample, EVALUATION_CUSTOMERS), fitted.time_unit))
