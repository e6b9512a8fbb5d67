"""Predictive CLV (BG/NBD + Gamma-Gamma) and sBG cohort projections, prepared once and scenario-ready.

:func:`fit_predictive_models` turns one transaction log into a :class:`PredictiveModels` bundle: the weekly
customer summary, the BG/NBD and Gamma-Gamma fits on the full history, and a calibration/holdout check. It runs
once per data set (inside :func:`retention_core.dataset.aggregate`, which takes an earlier fit of the same data
to skip it); slider moves call :func:`predictive_clv_summary` or :func:`predictive_clv_scenario`, which only
evaluate the stored fits; given a :class:`ForecastBasis` (:func:`forecast_basis`, made once per data set), the part
of every forecast that depends on neither margin, discount rate nor horizon, a slider move is a matrix-vector
product.
Fits on more than :data:`FIT_CUSTOMERS` customers use a seeded random sample of that many (predictions are still
made for every customer). :func:`project_cohorts` fits the
shifted-beta-geometric model to the cohort table; :func:`fit_cohorts` keeps those fits, so a page projects any
number of periods ahead without refitting.

References: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2) (FHL
2005, BG/NBD, Fig. 4 for the holdout check); Fader, Hardie & Lee (2005), "RFM and CLV", JMR 42(4) (CLV from
BG/NBD + Gamma-Gamma); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note 025); Fader & Hardie
(2007), "How to Project Customer Retention", Journal of Interactive Marketing 21(1) (FH 2007, sBG).

Units: times in weeks inside the bundle, horizons in months, discount rates annual, margins and shares fractions,
money in the data's currency.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from retention_core import models, queries

if TYPE_CHECKING:  # dataset.py imports this module to fill Aggregates.predictive
    from retention_core.dataset import Aggregates

__all__ = [
    "CALIBRATION_GROUPS",
    "FIT_CUSTOMERS",
    "MAX_FORECAST_MONTHS",
    "HOLDOUT_SHARE",
    "MAX_HOLDOUT_WEEKS",
    "MIN_COHORT_PERIODS",
    "REASONS",
    "TOP_CUSTOMERS",
    "CohortCurve",
    "CohortFits",
    "ForecastBasis",
    "PredictiveClvResult",
    "PredictiveClvSummary",
    "PredictiveModels",
    "fit_cohorts",
    "fit_predictive_models",
    "fit_sample",
    "forecast_basis",
    "holdout_length_weeks",
    "predictive_clv_scenario",
    "predictive_clv_summary",
    "project_cohorts",
    "reason_params",
]

TIME_UNIT = "W"
"""The customer summary is in weeks, the unit of FHL 2005."""

HOLDOUT_SHARE = 1 / 3
"""The holdout is the last third of the history (FHL 2005 use 39 of 78 weeks; a third keeps more to fit on)."""

MAX_HOLDOUT_WEEKS = 52
"""A year of holdout is enough to judge the fit; longer histories keep the extra weeks for calibration."""

CALIBRATION_GROUPS = 8
"""Holdout plot groups by repeat purchases in calibration: 0, 1, ..., 6 and 7+ (FHL 2005, Fig. 4)."""

TOP_CUSTOMERS = 10

FIT_CUSTOMERS = 100_000
"""Larger customer bases are fitted on a seeded random sample of this many customers: the parameters' sampling
error is then a few percent at most, and a fit on 3.6 M customers would take a minute instead of a second."""

FIT_SAMPLE_SEED = 20050401

FORECAST_THREADS = min(4, os.cpu_count() or 1)
"""Threads that evaluate the months of a :class:`ForecastBasis` (2F1 calls, most of its cost) in parallel."""

MAX_FORECAST_MONTHS = 240
"""The longest horizon the :class:`ForecastBasis` holds (the CLV page's 20 years); longer ones are computed
directly (:func:`models.predictive_clv`)."""

HISTOGRAM_BINS = 40
ALIVE_BIN_WIDTH = 0.05

FINE_BINS_PER_BIN = 100
""":func:`clv_distribution` sorts the values into this many fine bins per histogram bin and then looks at the
values of single fine bins only, instead of partitioning every customer."""

_DISTRIBUTION_CHUNK = 1 << 18
""":func:`clv_distribution` scales the values to fine bins this many at a time, into an int16 array of bins: at 3.6 M
customers 7 MB of new memory instead of 58 MB of float and int32 temporaries. A new (discount, horizon) pair on the
CLV page computes one distribution, and on a host that hands freed memory back, touching new memory is slow."""

MIN_COHORT_PERIODS = 3
"""A cohort needs this many observed periods after its first (periods_since >= 1) for its own sBG fit."""

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


@dataclass(frozen=True, eq=False)
class ForecastBasis:
    """The margin-, discount- and horizon-free part of the BG/NBD + Gamma-Gamma forecast of every customer.

    FHL 2005 eq. (10) factors as E[Y(t)|x, t_x, T] = P(alive | x, t_x, T) * E[Y(t) | alive, x, T], and the second
    factor depends only on (x, T). ``cumulative[g, k - 1]`` is E[Y(k months) | alive, x, T] for the g-th distinct
    (x, T) and k = 1 ... :attr:`months` (usually :data:`MAX_FORECAST_MONTHS`); per customer (rows of
    ``PredictiveModels.summary``): ``group`` (row of ``cumulative``), ``probability_alive`` and
    ``expected_spend`` (Gamma-Gamma, currency).
    """

    cumulative: np.ndarray
    group: np.ndarray
    probability_alive: np.ndarray
    expected_spend: np.ndarray

    @property
    def months(self) -> int:
        """The longest horizon the basis holds, in months."""
        return self.cumulative.shape[1]

    def spend_alive(self, rows: np.ndarray | None = None) -> np.ndarray:
        """E[spend] * P(alive) per customer (or per customer at ``rows``), a new array: a customer's CLV is margin *
        this * the discounted purchases of its (x, T) group. Not kept: 29 MB at 3.6 M customers, and a slider
        move reads only :attr:`_groups` and :attr:`_entries`."""
        if rows is None:
            return self.expected_spend * self.probability_alive
        return self.expected_spend[rows] * self.probability_alive[rows]

    @functools.cached_property
    def alive_histogram(self) -> pd.DataFrame:
        """P(alive) in bins of :data:`ALIVE_BIN_WIDTH`, the same for every scenario."""
        return _alive_histogram(self.probability_alive)

    @functools.cached_property
    def mean_probability_alive(self) -> float:
        """The mean P(alive) over the customers, the same for every scenario."""
        return float(self.probability_alive.mean())

    @functools.cached_property
    def _groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per (x, T) group: the sum, the smallest and the largest :meth:`spend_alive` of its customers."""
        size, spend_alive = self.cumulative.shape[0], self.spend_alive()
        smallest, largest = np.full(size, np.inf), np.full(size, -np.inf)
        np.minimum.at(smallest, self.group, spend_alive)
        np.maximum.at(largest, self.group, spend_alive)
        return np.bincount(self.group, weights=spend_alive, minlength=size), smallest, largest

    def total_clv(self, gross_margin: float, discounted: np.ndarray) -> float:
        """The sum of :meth:`clv` over the customers, in currency, from one value per (x, T) group:
        margin * sum_g discounted_g * (sum of E[spend] * P(alive) in group g)."""
        return float(discounted @ self._groups[0]) * gross_margin

    @functools.cached_property
    def _entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The customers as entries of the CLV distribution: ``group``, ``spend_alive`` per entry, ``rows`` (the
        customer of each of the first ``rows.size`` entries) and ``counts`` (the customers of each later entry).

        In a group of several customers who all have the same E[spend] * P(alive) (the one-time buyers of one T: 61 %
        of the customers of the 10 M-row benchmark) every customer has the same CLV in every scenario, so the group
        is one entry that counts its customers; every other customer is an entry of its own (3.6 M customers,
        1.4 M entries there).
        """
        _, smallest, largest = self._groups
        sizes = np.bincount(self.group, minlength=smallest.size)
        alike = (smallest == largest) & (sizes > 1)
        rows = np.flatnonzero(~alike[self.group])
        groups = np.flatnonzero(alike)
        counts = sizes[groups]
        return (np.concatenate([self.group[rows], groups]), np.concatenate([self.spend_alive(rows), smallest[groups]]),
                rows, counts)

    def clv_distribution(self, gross_margin: float, discounted: np.ndarray, bins: int,
                         top: int) -> tuple[pd.DataFrame, float, np.ndarray]:
        """:func:`clv_distribution` of :meth:`clv` without an array of every customer's CLV: the values are made
        a chunk of entries (:attr:`_entries`) at a time and again for the few the median and the top values need.
        The range comes from the groups: a group's values grow with E[spend] * P(alive), so its smallest and largest
        are those of its customers with the smallest and largest."""
        group, spend_alive, rows, counts = self._entries
        _, smallest, largest = self._groups
        ends = np.concatenate([discounted * smallest, discounted * largest])
        if gross_margin != 1.0:
            ends *= gross_margin

        def chunk(start: int, stop: int, out: np.ndarray) -> np.ndarray:
            # the group codes are always in range: "clip" skips the bounds check that "raise" makes
            values = np.take(discounted, group[start:stop], out=out, mode="clip")
            values *= spend_alive[start:stop]
            if gross_margin != 1.0:
                values *= gross_margin
            return values

        def at(positions: np.ndarray) -> np.ndarray:  # the same products as clv() makes for the entries' customers
            values = discounted[group[positions]]
            values *= spend_alive[positions]
            if gross_margin != 1.0:
                values *= gross_margin
            return values

        def customers(positions: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
            single = positions < rows.size
            found, owners = rows[positions[single]], np.flatnonzero(single)
            if single.all():
                return found, owners
            owner_of_group = np.full(smallest.size, -1)
            owner_of_group[group[positions[~single]]] = np.flatnonzero(~single)
            members = np.flatnonzero(owner_of_group[self.group] >= 0)  # one pass, however many groups
            member_owners = owner_of_group[self.group[members]]
            order = np.argsort(member_owners, kind="stable")  # by entry, each entry's customers in index order
            sorted_owners = member_owners[order]
            starts = np.flatnonzero(np.r_[True, sorted_owners[1:] != sorted_owners[:-1]])
            rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
            kept = order[rank < limit]
            return np.concatenate([found, members[kept]]), np.concatenate([owners, member_owners[kept]])

        return _distribution(group.size, float(ends.min()), float(ends.max()), chunk, at, bins, top,
                             counted=(rows.size, counts), customers=customers)

    def clv(self, gross_margin: float, discounted: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per customer (or per customer at ``rows``): margin * E[spend] * P(alive) * ``discounted`` of its (x, T)
        group (one value per group, the first result of :meth:`discounted_purchases`), in currency."""
        values = self.spend_alive(rows)
        values *= discounted[self.group if rows is None else self.group[rows]]
        if gross_margin != 1.0:
            values *= gross_margin
        return values

    def discounted_purchases(self, annual_discount_rate: float, horizon_months: int) -> tuple[np.ndarray, np.ndarray]:
        """Per distinct (x, T): expected purchases if alive in the horizon, discounted and undiscounted.

        Each month's purchases are discounted from the month's end by (1 + rate)^(k/12), as
        :func:`models.predictive_clv` does: sum_k (C_k - C_(k-1)) v_k with v_k = (1 + rate)^(-k/12), summed by
        parts as sum_k C_k (v_k - v_(k+1)) + C_H v_H, so no matrix of monthly increments is built.
        """
        if horizon_months == 0:
            empty = np.zeros(self.cumulative.shape[0])
            return empty, empty
        factors = (1 + annual_discount_rate) ** (-np.arange(1, horizon_months + 1, dtype="float64") / 12)
        weights = factors - np.append(factors[1:], 0.0)
        window = self.cumulative[:, :horizon_months]
        return window @ weights, window[:, -1].copy()


def forecast_basis(fitted: PredictiveModels, months: int = MAX_FORECAST_MONTHS) -> ForecastBasis:
    """The :class:`ForecastBasis` of a usable fit for horizons up to ``months`` (FHL 2005 eq. 10; Fader & Hardie
    2013). It costs one 2F1 evaluation per distinct (x, T) and month (59 k pairs for the 3.6 M customers of 10 M
    rows: about 3 s for 240 months on two cores), so it is made once, when a page first needs a forecast, and kept
    with the data set. A customer whose repeat purchases net to less than zero counts with a mean spend of 0, as in
    :func:`models.predictive_clv`."""
    if fitted.reason is not None:
        raise ValueError(f"the predictive models are not usable: {fitted.reason}")
    return _basis(fitted.bg_nbd, fitted.gamma_gamma, fitted.summary, months, fitted.time_unit)


def _basis(bg_fit: models.BgNbdFit, gg_fit: models.GammaGammaFit, summary: pd.DataFrame, months: int,
           time_unit: str) -> ForecastBasis:
    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary["recency"].to_numpy(dtype="float64")
    big_t = summary["T"].to_numpy(dtype="float64")
    # distinct (x, T) by hashing each pair as one complex number x + iT: several times faster than sorting them
    group, pairs = pd.factorize(x + 1j * big_t)
    ux, ut = pairs.real.copy(), pairs.imag.copy()
    month = (models.DAYS_PER_YEAR / 12) / models.TIME_UNIT_DAYS[time_unit]
    cumulative = np.empty((ux.size, months))

    def fill(index: int) -> None:
        cumulative[:, index] = models.bg_nbd_expected_purchases_if_alive(bg_fit, (index + 1) * month, ux, ut)

    with ThreadPoolExecutor(FORECAST_THREADS) as pool:  # SciPy's 2F1 lets go of the GIL: the months run in parallel
        list(pool.map(fill, range(months)))
    monetary = np.maximum(summary["monetary"].to_numpy(dtype="float64"), 0.0)  # returns beyond purchases: 0
    return ForecastBasis(
        cumulative=cumulative,
        group=group.astype(np.intp, copy=False),  # NumPy gathers with native indices twice as fast as with int32
        probability_alive=models.bg_nbd_probability_alive(bg_fit, x, t_x, big_t),
        expected_spend=models.gamma_gamma_expected_spend(gg_fit, x, monetary),
    )


@dataclass(frozen=True)
class PredictiveModels:
    """BG/NBD and Gamma-Gamma fits of one data set, ready for slider scenarios (FHL 2005; Fader & Hardie 2013).

    ``summary``: one row per customer, ``customer_id, frequency, recency, T, monetary`` in weeks as of
    ``observation_end`` (the last order date), see :func:`models.rfm_summary`. ``bg_nbd`` and ``gamma_gamma``
    are fitted on that full history (of :func:`fit_sample` of the customers when there are more than
    :data:`FIT_CUSTOMERS`). ``holdout``: the calibration/holdout check, one row per group of repeat
    purchases in calibration (0 ... 6, 7+): ``calibration_frequency`` (7 means 7 or more), ``label``,
    ``customers``, ``actual`` and ``predicted`` mean repeat purchases per customer in the ``holdout_weeks`` after
    ``calibration_end`` (BG/NBD fitted on the calibration part only; FHL 2005 eq. 10 and Fig. 4).
    ``holdout_actual`` / ``holdout_predicted`` are the totals over all calibration customers.

    ``reason`` is None when the fits can be used, else a key of :data:`REASONS` saying why not (then the fits may be
    None and the UI uses the simple formulas); ``holdout_reason`` likewise for the holdout check alone.
    Counts: ``customers`` in the summary, ``repeaters`` with at least one repeat purchase,
    ``gamma_gamma_excluded`` repeaters left out of the spend model for a non-positive mean spend;
    ``fit_customers`` customers the fits were made on (all of them up to :data:`FIT_CUSTOMERS`, else a sample).
    """

    summary: pd.DataFrame
    bg_nbd: models.BgNbdFit | None = None
    gamma_gamma: models.GammaGammaFit | None = None
    holdout: pd.DataFrame | None = None
    observation_end: pd.Timestamp | None = None
    calibration_end: pd.Timestamp | None = None
    holdout_weeks: int = 0
    holdout_actual: float | None = None
    holdout_predicted: float | None = None
    reason: str | None = None
    holdout_reason: str | None = None
    customers: int = 0
    repeaters: int = 0
    gamma_gamma_excluded: int = 0
    time_unit: str = TIME_UNIT
    fit_customers: int = 0

    @property
    def usable(self) -> bool:
        """True when the CLV fits can be shown (``reason`` is None)."""
        return self.reason is None

    @property
    def holdout_error(self) -> float | None:
        """Relative error of the predicted total holdout purchases: (predicted - actual) / actual, a fraction."""
        if self.holdout_actual is None or self.holdout_predicted is None or self.holdout_actual <= 0:
            return None
        return (self.holdout_predicted - self.holdout_actual) / self.holdout_actual


def reason_params(fitted: PredictiveModels) -> dict[str, int]:
    """The numbers the ``predictive_reason_*`` texts may name: the data's counts and the models' minimums.

    ``customers``, ``repeaters`` (customers with a repeat purchase), ``minimum_customers``
    (:data:`models.MIN_CUSTOMERS`), ``minimum_repeaters`` (:data:`models.MIN_REPEAT_CUSTOMERS`) and
    ``minimum_weeks`` (:data:`models.MIN_HISTORY_DAYS` in whole weeks).
    """
    return {
        "customers": fitted.customers,
        "repeaters": fitted.repeaters,
        "minimum_customers": models.MIN_CUSTOMERS,
        "minimum_repeaters": models.MIN_REPEAT_CUSTOMERS,
        "minimum_weeks": models.MIN_HISTORY_DAYS // 7,
    }


# --- fitting --------------------------------------------------------------------------------------------------


def holdout_length_weeks(history_weeks: float) -> int:
    """Holdout length in whole weeks: a third of the history, at most :data:`MAX_HOLDOUT_WEEKS`.

    Definition: floor(history / 3) capped at 52 weeks; 0 when the history is shorter than three weeks.
    Units: weeks in, whole weeks out. Reference: FHL 2005, Sec. 4 (calibration and holdout periods).
    """
    return max(0, min(MAX_HOLDOUT_WEEKS, math.floor(history_weeks * HOLDOUT_SHARE)))


def _bg_nbd_reason(fit: models.BgNbdFit) -> str | None:
    parameters = (fit.r, fit.alpha, fit.a, fit.b)
    if not fit.converged or not all(math.isfinite(value) and value > 0 for value in parameters):
        return "bg_nbd_failed"
    return None


def _gamma_gamma_reason(fit: models.GammaGammaFit) -> str | None:
    parameters = (fit.p, fit.q, fit.gamma)
    if not fit.converged or not all(math.isfinite(value) and value > 0 for value in parameters):
        return "gamma_gamma_failed"
    if fit.q <= 1:  # the population mean spend p * gamma / (q - 1) does not exist
        return "gamma_gamma_failed"
    return None


def _holdout_groups(split: pd.DataFrame, fit: models.BgNbdFit) -> pd.DataFrame:
    """Mean actual and predicted holdout purchases by calibration frequency 0 ... 6, 7+ (FHL 2005, Fig. 4)."""
    duration = float(split["holdout_duration"].iloc[0])
    predicted = models.bg_nbd_conditional_expected_purchases(
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
    transactions: queries.Table, first_order: pd.Timestamp, observation_end: pd.Timestamp,
    engine: queries.Engine | None = None,
) -> dict:
    """Calibration/holdout fields of :class:`PredictiveModels`; never raises on data problems."""
    weeks = holdout_length_weeks((observation_end - first_order).days / 7)
    if weeks < 1:
        return {"holdout_reason": "short_history"}
    calibration_end = observation_end - pd.Timedelta(weeks=weeks)
    fields = {"calibration_end": calibration_end, "holdout_weeks": weeks}
    split = fit_sample(models.calibration_holdout_split(transactions, calibration_end, observation_end, TIME_UNIT,
                                                       engine))  # a path source arrives unsampled
    reason = models.assess_btyd_data(split, TIME_UNIT)
    if reason is not None:
        return {**fields, "holdout_reason": reason}
    fit = models.fit_bg_nbd(split["frequency"], split["recency"], split["T"])
    reason = _bg_nbd_reason(fit)
    if reason is not None:
        return {**fields, "holdout_reason": reason}
    try:
        groups = _holdout_groups(split, fit)
    except ValueError:  # a forecast that is not finite
        return {**fields, "holdout_reason": "predictions_not_finite"}
    return {
        **fields,
        "holdout": groups,
        "holdout_actual": float((groups["actual"] * groups["customers"]).sum()),
        "holdout_predicted": float((groups["predicted"] * groups["customers"]).sum()),
    }


def fit_sample(summary: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """``summary`` itself up to ``limit`` rows (default :data:`FIT_CUSTOMERS`), else a seeded random sample of
    ``limit`` rows in their order."""
    limit = FIT_CUSTOMERS if limit is None else limit
    if len(summary) <= limit:
        return summary
    rows = np.sort(np.random.default_rng(FIT_SAMPLE_SEED).choice(len(summary), size=limit, replace=False))
    return summary.iloc[rows]


def _rows_of(ids: pd.Series, customers: pd.Series) -> np.ndarray:
    """Boolean mask of the rows whose id is one of ``customers``.

    Whole-number codes 0 … n − 1 (:func:`retention_core.dataset.aggregate` gives them from 100,000 rows on) are
    looked up in a table of n flags: at 10 M rows 0.05 s instead of 0.25 s for hashing them (``isin``).
    """
    if ids.dtype.kind not in "iu" or customers.dtype.kind not in "iu" or ids.empty:
        return ids.isin(customers).to_numpy()
    lowest, highest = int(ids.min()), int(ids.max())
    if lowest < 0 or highest >= 2 * len(ids):
        return ids.isin(customers).to_numpy()
    chosen = np.zeros(highest + 1, dtype=bool)
    wanted = customers.to_numpy()
    chosen[wanted[(wanted >= 0) & (wanted < len(chosen))]] = True
    return chosen[ids.to_numpy()]


def fit_predictive_models(
    transactions: queries.Table, engine: queries.Engine | None = None, *, summary: pd.DataFrame | None = None,
    totals: pd.Series | None = None,
) -> PredictiveModels:
    """Fit BG/NBD (FHL 2005) and Gamma-Gamma (Fader & Hardie 2013) to a transaction log; never raises on data.

    Definition: the weekly customer summary as of the last order date (``frequency`` = repeat purchase days,
    ``recency`` and ``T`` in weeks, ``monetary`` = mean spend of the repeat days) is checked with
    :func:`models.assess_btyd_data`; when suitable, BG/NBD is fitted by maximum likelihood (FHL 2005 eq. 6) and
    Gamma-Gamma on the repeaters with positive mean spend. For the holdout check the history from the first to the
    last order date is split: the last third (at most 52 whole weeks, :func:`holdout_length_weeks`) is the
    holdout, BG/NBD is refitted on the calibration part and its conditional expectation (FHL 2005 eq. 10) is
    compared with the actual repeat purchases per calibration-frequency group (FHL 2005, Fig. 4). With more than
    :data:`FIT_CUSTOMERS` customers, both fits and the holdout check use a seeded random sample of that many
    customers (:func:`fit_sample`); forecasts cover every customer.

    Fallback: invalid columns or types give ``reason="invalid_data"``; unsuitable data give the key from
    :func:`models.assess_btyd_data`; a fit that does not converge (or Gamma-Gamma with q <= 1, where the mean
    spend does not exist) gives ``bg_nbd_failed`` / ``gamma_gamma_failed``; non-finite 12-month forecasts (of the
    customers the models were fitted on) give ``predictions_not_finite``. A failed holdout check sets only
    ``holdout_reason``. ``engine`` runs the SQL (default: embedded DuckDB). Units: weeks inside, money in the
    currency of ``amount``.

    ``summary`` (the weekly :func:`models.rfm_summary` of ``transactions``, e.g. from
    :func:`models.btyd_summary` of the customer summary) and ``totals`` (:func:`queries.transaction_totals`) save
    their queries when the caller already has them.
    """
    if summary is not None and summary.attrs.get("time_unit") != TIME_UNIT:
        raise ValueError(f"summary must be in time unit {TIME_UNIT!r}, got {summary.attrs.get('time_unit')!r}")
    try:
        if summary is None:
            summary = models.rfm_summary(transactions, time_unit=TIME_UNIT, engine=engine)
    except (ValueError, duckdb.Error):
        return PredictiveModels(summary=pd.DataFrame(), reason="invalid_data", holdout_reason="invalid_data")
    repeaters = int((summary["frequency"] > 0).sum())
    counts = {"customers": len(summary), "repeaters": repeaters}
    reason = models.assess_btyd_data(summary, TIME_UNIT)
    if reason is not None:
        return PredictiveModels(summary=summary, reason=reason, holdout_reason=reason, **counts)
    if totals is None:
        totals = queries.transaction_totals(transactions, engine)
    observation_end = pd.Timestamp(totals["last_order_date"]).normalize()
    first_order = pd.Timestamp(totals["first_order_date"]).normalize()
    sample = fit_sample(summary)
    bg_fit = models.fit_bg_nbd(sample["frequency"], sample["recency"], sample["T"])
    gg_fit = models.fit_gamma_gamma(sample["frequency"], sample["monetary"])
    reason = _bg_nbd_reason(bg_fit) or _gamma_gamma_reason(gg_fit)
    if reason is None:
        try:  # the models refuse to forecast where a value is not finite
            check = _basis(bg_fit, gg_fit, sample, _CHECK_HORIZON_MONTHS, TIME_UNIT)
            finite = all(np.all(np.isfinite(values))
                         for values in _customer_values(check, 1.0, 0.0, _CHECK_HORIZON_MONTHS))
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
    return PredictiveModels(
        summary=summary, bg_nbd=bg_fit, gamma_gamma=gg_fit, observation_end=observation_end, reason=reason,
        gamma_gamma_excluded=gg_fit.n_excluded, fit_customers=len(sample), **counts, **holdout,
    )


# --- slider scenario ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PredictiveClvResult:
    """Predicted CLV of every current customer for one set of slider values (FHL 2005, JMR; Fader & Hardie 2013).

    ``customers``: ``customer_id, clv, probability_alive, expected_purchases`` (purchases in the horizon,
    undiscounted), one row per customer. ``top_customers``: the :data:`TOP_CUSTOMERS` highest CLVs with their
    history (``frequency`` repeat purchases so far, ``monetary`` mean repeat spend). Money in the data's currency.
    """

    gross_margin: float
    annual_discount_rate: float
    horizon_months: float
    customers: pd.DataFrame
    top_customers: pd.DataFrame
    mean_clv: float
    median_clv: float
    total_clv: float
    mean_probability_alive: float


def _customer_values(
    basis: ForecastBasis, gross_margin: float, annual_discount_rate: float, horizon_months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: clv, probability_alive and expected (undiscounted) purchases over the horizon, from the basis.

    clv = margin * E[spend] * P(alive) * sum_k ΔE[Y(k) | alive, x, T] / (1 + rate)^(k/12), the formula of
    :func:`models.predictive_clv` regrouped (FHL 2005 eq. 10; Fader & Hardie 2013).
    """
    discounted, expected = basis.discounted_purchases(annual_discount_rate, horizon_months)
    alive = basis.probability_alive
    return basis.clv(gross_margin, discounted), alive, alive * expected[basis.group]


def _uses_basis(basis: ForecastBasis | None, horizon_months: float) -> bool:
    return basis is not None and float(horizon_months).is_integer() and 0 <= horizon_months <= basis.months


def _check_scenario(fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float,
                    horizon_months: float) -> None:
    if fitted.reason is not None:
        raise ValueError(f"the predictive models are not usable: {fitted.reason}")
    models.check_clv_inputs(horizon_months, annual_discount_rate, gross_margin)


def predictive_clv_scenario(
    fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float, horizon_months: float,
    basis: ForecastBasis | None = None,
) -> PredictiveClvResult:
    """Discounted expected margin of each customer over the next ``horizon_months`` from the stored fits.

    Definition: clv = margin * E[spend per purchase] * sum over months k of the expected purchases in month k (FHL
    2005 eq. 10) discounted by (1 + annual rate)^(k / 12); see :func:`models.predictive_clv`. Nothing is refitted:
    with ``basis`` (:func:`forecast_basis` of ``fitted``) whole-month horizons it holds are read from it, others are
    computed with :func:`models.predictive_clv`. Units: ``gross_margin`` and ``annual_discount_rate`` fractions,
    ``horizon_months`` months, CLV in the data's currency; linear in the margin. Raises ``ValueError`` when
    ``fitted.reason`` is set. References: Fader, Hardie & Lee (2005), JMR 42(4); Fader & Hardie (2013), note 025.
    """
    _check_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
    if _uses_basis(basis, horizon_months):
        clv, alive, expected = _customer_values(basis, gross_margin, annual_discount_rate, int(horizon_months))
        customers = pd.DataFrame({"customer_id": fitted.summary["customer_id"].to_numpy(), "clv": clv,
                                  "probability_alive": alive, "expected_purchases": expected})
    else:
        values = models.predictive_clv(fitted.bg_nbd, fitted.gamma_gamma, fitted.summary, horizon_months,
                                       annual_discount_rate, gross_margin, fitted.time_unit)
        customers = values[["customer_id", "clv", "probability_alive", "expected_purchases"]].reset_index(drop=True)
    best = customers["clv"].nlargest(TOP_CUSTOMERS).index.to_numpy()
    return PredictiveClvResult(
        gross_margin=gross_margin,
        annual_discount_rate=annual_discount_rate,
        horizon_months=horizon_months,
        customers=customers,
        top_customers=_top_customers(fitted, best, *(customers[column].to_numpy()[best] for column in
                                                     ("clv", "probability_alive", "expected_purchases"))),
        mean_clv=float(customers["clv"].mean()),
        median_clv=float(customers["clv"].median()),
        total_clv=float(customers["clv"].sum()),
        mean_probability_alive=float(customers["probability_alive"].mean()),
    )


def _top_customers(fitted: PredictiveModels, best: np.ndarray, clv: np.ndarray, alive: np.ndarray,
                   expected_purchases: np.ndarray) -> pd.DataFrame:
    """The customers at rows ``best`` of ``fitted.summary`` (highest CLV first) with their history and their
    forecast ``clv``, ``alive`` and ``expected_purchases`` (one value per row of ``best``)."""
    # only these rows of the summary are read: converting all ids (Arrow strings) would cost more than the rest
    history = fitted.summary.iloc[best][["customer_id", "frequency", "monetary"]].reset_index(drop=True)
    return history.assign(expected_purchases=expected_purchases, probability_alive=alive, clv=clv)


@dataclass(frozen=True)
class PredictiveClvSummary:
    """What the CLV page shows of one predictive scenario, without a row per customer (FHL 2005; Fader & Hardie 2013).

    ``clv_histogram`` and ``alive_histogram``: ``bin_start, bin_end, customers``, :data:`HISTOGRAM_BINS` equal bins
    from 0 (or the lowest CLV when one is negative) to the largest CLV (see :func:`clv_distribution`), and P(alive)
    in bins of :data:`ALIVE_BIN_WIDTH`. ``top_customers`` as in :class:`PredictiveClvResult`. Every money figure is
    linear in the margin, so :meth:`at_margin` rescales a summary made at one margin to another without touching the
    customers again.
    """

    gross_margin: float
    annual_discount_rate: float
    horizon_months: float
    customers: int
    mean_clv: float
    median_clv: float
    total_clv: float
    mean_probability_alive: float
    clv_histogram: pd.DataFrame
    alive_histogram: pd.DataFrame
    top_customers: pd.DataFrame

    def at_margin(self, gross_margin: float) -> PredictiveClvSummary:
        """The same scenario at another gross margin (a fraction): CLV figures scale by the margins' ratio."""
        if gross_margin == self.gross_margin:
            return self
        if self.gross_margin <= 0:
            raise ValueError("a summary made at a zero margin cannot be rescaled")
        factor = gross_margin / self.gross_margin
        histogram = self.clv_histogram.assign(bin_start=self.clv_histogram["bin_start"] * factor,
                                              bin_end=self.clv_histogram["bin_end"] * factor)
        return replace(self, gross_margin=gross_margin, mean_clv=self.mean_clv * factor,
                       median_clv=self.median_clv * factor, total_clv=self.total_clv * factor,
                       clv_histogram=histogram, top_customers=self.top_customers.assign(
                           clv=self.top_customers["clv"] * factor))


def _histogram(values: np.ndarray, bins: int, value_range: tuple[float, float]) -> pd.DataFrame:
    """Counts in ``bins`` equal bins over ``value_range`` (NumPy's fast path for equal bins: no sorting)."""
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "customers": counts})


def _alive_histogram(values: np.ndarray) -> pd.DataFrame:
    """P(alive) in bins of :data:`ALIVE_BIN_WIDTH` from 0 to 1."""
    return _histogram(values, round(1 / ALIVE_BIN_WIDTH), (0.0, 1.0))


def clv_distribution(values: np.ndarray, bins: int, top: int) -> tuple[pd.DataFrame, float, np.ndarray]:
    """Histogram, median and the ``top`` largest of ``values`` (one predicted CLV per customer), in one pass.

    Histogram: ``bin_start, bin_end, customers`` in ``bins`` equal bins from min(0, smallest) to the largest value
    (0 to 1 when all are 0); every value is counted, the largest in the last bin. Median: as ``np.median`` (the
    mean of the two middle values for an even count; NaN when empty). Top: the indices of the ``top`` largest
    values, largest first, ties in index order. Every value gets one of ``bins`` * :data:`FINE_BINS_PER_BIN`
    fine bins; the fine bin grows with the value, so the median and the top values are read from the few fine
    bins holding those ranks. A full partition of 3.6 M values takes several times as long.
    """
    if values.size == 0:
        return _histogram(values, bins, (0.0, 1.0)), float("nan"), np.array([], dtype="int64")

    def chunk(start: int, stop: int, out: np.ndarray) -> np.ndarray:
        return values[start:stop]

    def at(rows: np.ndarray) -> np.ndarray:
        return values[rows]

    return _distribution(values.size, float(values.min()), float(values.max()), chunk, at, bins, top)


def _distribution(
    size: int, smallest: float, largest: float, chunk: Callable[[int, int, np.ndarray], np.ndarray],
    at: Callable[[np.ndarray], np.ndarray], bins: int, top: int,
    counted: tuple[int, np.ndarray] | None = None,
    customers: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, float, np.ndarray]:
    """:func:`clv_distribution` of the customers behind ``size`` entries (``size`` > 0) with values from ``smallest``
    to ``largest``, given as ``chunk(start, stop, out)``, the values of the entries at positions start ... stop - 1
    (in ``out``, a scratch array of that length, or elsewhere, left unchanged) and ``at(positions)``, the values of
    the entries at ``positions``, equal to those of ``chunk``.

    Without ``counted`` and ``customers`` each entry is one customer, its index its position. With them, the
    entries from position ``counted[0]`` on stand for ``counted[1]`` customers each, and ``customers(positions,
    limit)`` gives the indices of at most ``limit`` customers of each entry at ``positions`` (the lowest first),
    and for each the position in ``positions`` of its entry.
    """
    first, counts = counted if counted is not None else (size, np.zeros(0, dtype="int64"))
    total = first + int(counts.sum())
    lowest, highest = min(smallest, 0.0), largest
    fine = bins * FINE_BINS_PER_BIN
    if not highest > lowest or not math.isfinite(fine / (highest - lowest)):  # all equal, or a spread below 1e-300
        highest = lowest + 1.0
    scale = fine / (highest - lowest)
    index = np.empty(size, dtype=np.int16 if fine <= np.iinfo(np.int16).max else np.int32)

    def stands_for(positions: np.ndarray) -> np.ndarray:
        """How many customers each entry at ``positions`` stands for."""
        many = np.ones(positions.size, dtype="int64")
        later = positions >= first
        many[later] = counts[positions[later] - first]
        return many

    def count_part(part: range) -> np.ndarray:
        """Fine bins of the entries at positions ``part`` (whole chunks): ``index`` there, and the customers."""
        tally = np.zeros(fine, dtype="int64")
        scratch = np.empty(min(len(part), _DISTRIBUTION_CHUNK))  # small: new memory is slow on some hosts
        for start in range(part.start, part.stop, _DISTRIBUTION_CHUNK):
            stop = min(start + _DISTRIBUTION_CHUNK, part.stop)
            scaled = scratch[:stop - start]
            values = chunk(start, stop, scaled)
            if lowest < 0:
                np.subtract(values, lowest, out=scaled)
                scaled *= scale
            else:
                np.multiply(values, scale, out=scaled)
            np.minimum(scaled, fine - 1, out=scaled)
            index[start:stop] = scaled  # non-negative: the cast truncates down, to the fine bin
            if stop <= first:
                tally += np.bincount(index[start:stop], minlength=fine)
            else:  # whole numbers below 2^53 add up exactly as floats
                tally += np.bincount(index[start:stop], stands_for(np.arange(start, stop)),
                                     minlength=fine).astype("int64")
        return tally

    chunks = -(-size // _DISTRIBUTION_CHUNK)
    threads = min(FORECAST_THREADS, chunks)
    parts = [range(_DISTRIBUTION_CHUNK * (chunks * part // threads),
                   min(size, _DISTRIBUTION_CHUNK * (chunks * (part + 1) // threads))) for part in range(threads)]
    if threads == 1:
        fine_counts = count_part(parts[0])
    else:  # NumPy lets go of the GIL in these loops: the parts run in parallel
        with ThreadPoolExecutor(threads) as pool:
            fine_counts = sum(pool.map(count_part, parts))
    up_to = np.cumsum(fine_counts)  # up_to[b]: how many customers' values lie in fine bins 0 ... b
    members: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at_rank(rank: int) -> float:
        """The value at 0-based ``rank`` of the customers' ascending order."""
        home = int(np.searchsorted(up_to, rank, side="right"))
        if home not in members:
            positions = np.flatnonzero(index == home)
            values = at(positions)
            order = np.argsort(values, kind="stable")
            members[home] = values[order], np.cumsum(stands_for(positions)[order])  # ranks up to each, in the bin
        values, ends = members[home]
        return float(values[np.searchsorted(ends, rank - (int(up_to[home - 1]) if home else 0), side="right")])

    median = (at_rank((total - 1) // 2) + at_rank(total // 2)) / 2
    threshold = int(np.searchsorted(up_to, total - min(top, total), side="right"))
    candidates = np.flatnonzero(index >= threshold)
    if customers is None:
        rows, owners = candidates, np.arange(candidates.size)
    else:
        rows, owners = customers(candidates, top)
    best = rows[np.lexsort((rows, -at(candidates)[owners]))[:top]]  # largest first, ties in index order
    edges = np.linspace(lowest, highest, bins + 1)
    coarse = fine_counts.reshape(bins, FINE_BINS_PER_BIN).sum(axis=1)
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "customers": coarse}), median, best


def predictive_clv_summary(
    fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float, horizon_months: float,
    basis: ForecastBasis | None = None,
) -> PredictiveClvSummary:
    """Mean, median and total predicted CLV, its histogram, P(alive) histogram and top customers of a scenario.

    The numbers are those of :func:`predictive_clv_scenario` with the same arguments; only the per-customer table
    is left out, so a page can keep the summary (it is linear in the margin: :meth:`PredictiveClvSummary.at_margin`).
    """
    _check_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
    if _uses_basis(basis, horizon_months):  # a chunk of customers at a time, and sums over the (x, T) groups
        discounted, expected_if_alive = basis.discounted_purchases(annual_discount_rate, int(horizon_months))
        customers = basis.group.size
        clv_histogram, median, best = basis.clv_distribution(gross_margin, discounted, HISTOGRAM_BINS, TOP_CUSTOMERS)
        alive = basis.probability_alive[best]
        top = _top_customers(fitted, best, basis.clv(gross_margin, discounted, best), alive,
                             alive * expected_if_alive[basis.group[best]])
        total, mean_alive, alive_histogram = (basis.total_clv(gross_margin, discounted),
                                              basis.mean_probability_alive, basis.alive_histogram)
    else:
        result = predictive_clv_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
        clv, alive, expected = (result.customers[column].to_numpy()
                                for column in ("clv", "probability_alive", "expected_purchases"))
        customers = clv.size
        clv_histogram, median, best = clv_distribution(clv, HISTOGRAM_BINS, TOP_CUSTOMERS)
        top = _top_customers(fitted, best, clv[best], alive[best], expected[best])
        total, mean_alive, alive_histogram = float(clv.sum()), float(alive.mean()), _alive_histogram(alive)
    return PredictiveClvSummary(
        gross_margin=gross_margin,
        annual_discount_rate=annual_discount_rate,
        horizon_months=horizon_months,
        customers=int(customers),
        mean_clv=total / customers if customers else float("nan"),
        median_clv=median,
        total_clv=total,
        mean_probability_alive=mean_alive,
        clv_histogram=clv_histogram,
        alive_histogram=alive_histogram,
        top_customers=top,
    )


# --- cohorts (sBG) --------------------------------------------------------------------------------------------


def _complete_cells(cohorts: pd.DataFrame, periods_per_year: int, data_end: pd.Timestamp) -> pd.DataFrame:
    """Cohort cells whose calendar period ended by the last order date (+ a week of slack)."""
    months = 12 // periods_per_year
    ends = [pd.Timestamp(start) + pd.DateOffset(months=months * (int(since) + 1)) - pd.Timedelta(days=1)
            for start, since in zip(cohorts["cohort_start"], cohorts["periods_since"], strict=True)]
    return cohorts[np.array([end <= data_end + pd.Timedelta(days=7) for end in ends], dtype=bool)]


def _survival_curve(active: pd.Series, size: pd.Series) -> np.ndarray:
    """Running minimum of active / size, as a survival curve for the sBG."""
    return np.minimum.accumulate((active / size).to_numpy(dtype="float64"))


@dataclass(frozen=True, eq=False)  # holds NumPy arrays: compared by identity
class CohortCurve:
    """One cohort's observed survival curve (t = 1 ... n, non-increasing) and its sBG fit, None when the fit did not
    converge; ``cohort_start`` NaT for the pooled curve."""

    cohort_start: pd.Timestamp
    survival: np.ndarray
    fit: models.SbgFit | None

    def rows(self, periods_ahead: int) -> list[dict]:
        """Observed rows (t = 0 ... n) and, with a fit, projected rows (t = n+1 ... n+ahead).

        Projection: S_n * S(t) / S(n), the sBG survival beyond n given survival to n, started at the observed S_n.
        """
        rows = [{"cohort_start": self.cohort_start, "periods_since": 0, "retention": 1.0, "kind": "observed"}]
        rows += [{"cohort_start": self.cohort_start, "periods_since": index + 1, "retention": float(value),
                  "kind": "observed"} for index, value in enumerate(self.survival)]
        if periods_ahead == 0 or self.fit is None:
            return rows
        last = self.survival.size
        ahead = np.arange(last + 1, last + periods_ahead + 1)
        projected = self.survival[-1] * models.sbg_survival(self.fit, ahead) / models.sbg_survival(self.fit, last)
        rows += [{"cohort_start": self.cohort_start, "periods_since": int(since), "retention": float(value),
                  "kind": "projected"} for since, value in zip(ahead, projected, strict=True)]
        return rows


def _cohort_curve(cohort_start: pd.Timestamp, survival: np.ndarray, cohort_size: float) -> CohortCurve:
    fit = models.fit_shifted_beta_geometric(survival, cohort_size)
    return CohortCurve(cohort_start, survival, fit if fit.converged else None)


def _periods_ahead(periods_ahead: int) -> int:
    if isinstance(periods_ahead, bool) or int(periods_ahead) != periods_ahead or periods_ahead < 0:
        raise ValueError(f"periods_ahead must be a whole number >= 0, got {periods_ahead!r}")
    return int(periods_ahead)


@dataclass(frozen=True, eq=False)  # holds NumPy arrays: compared by identity
class CohortFits:
    """The sBG fit of every cohort of one :class:`~retention_core.dataset.Aggregates` and of the pooled curve
    (:func:`fit_cohorts`); :meth:`project` projects them any number of periods ahead without refitting."""

    curves: tuple[CohortCurve, ...]

    def project(self, periods_ahead: int) -> pd.DataFrame:
        """:func:`project_cohorts` from these fits."""
        ahead = _periods_ahead(periods_ahead)
        rows = [row for curve in self.curves for row in curve.rows(ahead)]
        frame = pd.DataFrame(rows, columns=["cohort_start", "periods_since", "retention", "kind"])
        frame["cohort_start"] = pd.to_datetime(frame["cohort_start"])
        return frame


def fit_cohorts(aggs: Aggregates) -> CohortFits:
    """The observed curves and sBG fits behind :func:`project_cohorts` (see there), which do not depend on how far
    ahead a page projects: a page fits once per data set and period and projects on every slider move."""
    cells = _complete_cells(aggs.cohorts, aggs.periods_per_year, aggs.data_end)
    cells = cells[cells["periods_since"] >= 1].sort_values(["cohort_start", "periods_since"])
    observed_periods = cells.groupby("cohort_start")["periods_since"].transform("size")
    cells = cells[observed_periods >= MIN_COHORT_PERIODS]
    curves = [_cohort_curve(pd.Timestamp(cohort_start),
                            _survival_curve(cohort["active_customers"], cohort["cohort_size"]),
                            float(cohort["cohort_size"].iloc[0]))
              for cohort_start, cohort in cells.groupby("cohort_start")]
    if not cells.empty:
        pooled = cells.groupby("periods_since")[["active_customers", "cohort_size"]].sum()
        curves.append(_cohort_curve(pd.NaT, _survival_curve(pooled["active_customers"], pooled["cohort_size"]),
                                    float(pooled["cohort_size"].iloc[0])))
    return CohortFits(tuple(curves))


def project_cohorts(aggs: Aggregates, periods_ahead: int) -> pd.DataFrame:
    """Observed cohort retention and its shifted-beta-geometric projection, per cohort and pooled (FH 2007).

    Definition: for each first-purchase cohort in ``aggs.cohorts`` the observed curve is the share of the cohort
    that buys in period t = 1, 2, ... after its first, over complete calendar periods only (a last period that
    ends after the last order date is left out: it would read low). That share can bounce up again (a customer
    who skips a quarter and returns), but the sBG models survival, which can only fall: a customer who has left
    never comes back. So the curve is made non-increasing with a running minimum, S_t = min(share_1 ... share_t),
    i.e. "still buying" is read as "not yet lost"; a single bad period therefore lowers the whole projection.
    Each cohort with at least :data:`MIN_COHORT_PERIODS` such periods gets its own sBG fit
    (:func:`models.fit_shifted_beta_geometric` with its real size) and is projected ``periods_ahead`` periods
    from its last observed point n with the model's survival given survival to n:
    S_t = S_n * S(t) / S(n), S(t) = B(alpha, beta + t) / B(alpha, beta) (FH 2007), i.e. the fitted retention rates
    r_t = (beta + t - 1) / (alpha + beta + t - 1) applied to the observed level, so the projection continues the
    observed line. Shorter cohorts are left out; a cohort whose fit does not converge keeps only its observed
    rows. The pooled curve (all kept cohorts' members summed per t, then the running minimum; its likelihood uses
    the number of customers observed at t = 1) is fitted and projected the same way.

    Returns ``cohort_start, periods_since, retention, kind`` with ``kind`` "observed" or "projected";
    ``retention`` is a fraction with 1.0 at periods_since 0; pooled rows have ``cohort_start`` NaT. Periods are
    those of ``aggs.period``. Reference: Fader & Hardie (2007), "How to Project Customer Retention".
    """
    return fit_cohorts(aggs).project(_periods_ahead(periods_ahead))
