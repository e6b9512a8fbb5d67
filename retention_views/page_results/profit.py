"""The Retention → profit page: a new customer's value before and after a retention uplift, the uplift curve,
Reichheld's verdict and the customer base's growth; everything per year."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from retention_core import benchmarks, intervals, metrics
from retention_core.dataset import Aggregates


@dataclass(frozen=True)
class ProfitInputs:
    """Inputs of the Retention → profit simulator; everything per year.

    ``acquisition_cost`` None means no CAC was given: the values are then before acquisition cost (the page says
    so next to them).
    """

    profits_by_tenure: tuple[float, ...]
    annual_retention_rate: float
    uplift_points: float
    annual_discount_rate: float
    acquisition_cost: float | None
    horizon_years: int | None


@dataclass(frozen=True)
class Verdict:
    """Where the computed result at +5 points (:data:`benchmarks.REICHHELD_UPLIFT_POINTS`, less when that would pass
    99 % retention) falls against Reichheld's 25–95 % band, and why (i18n keys).

    ``position``: ``inside``, ``below`` or ``above`` the band; ``absolute`` when the value before the uplift is
    too close to zero, or negative, for a percentage (the change is then judged in money, ``value_change``);
    ``no_room`` at 99 % retention or more. ``uplift_points`` is the uplift judged, ``relative_change`` and
    ``value_change`` its result.
    """

    position: str
    reasons: tuple[str, ...]
    uplift_points: float
    relative_change: float | None = None
    value_change: float | None = None


MIN_CUSTOMERS_PER_TENURE = 30
MAX_RETENTION = 0.99
"""The highest annual retention the what-if pages work with: at 100 % a customer would never leave and every
lifetime would be infinite."""


def default_profits_by_tenure(aggs: Aggregates, gross_margin: float,
                              max_years: int = intervals.TENURE_YEARS) -> pd.DataFrame:
    """Profit per retained customer by year of customer age: revenue per active customer × gross margin.

    Uses the customer years fully observed for at least :data:`MIN_CUSTOMERS_PER_TENURE` customers (fewer give
    noise, not a curve), up to ``max_years``; profits after the last listed year stay at the last value in the
    simulator.
    """
    observed = aggs.tenure[aggs.tenure["active_customers"] > 0]
    tenure = observed[observed["customers_observed"] >= MIN_CUSTOMERS_PER_TENURE].head(max_years)
    if tenure.empty:
        tenure = observed.head(1)
    return pd.DataFrame({
        "tenure": tenure["tenure"].astype(int).to_numpy(),
        "revenue_per_customer": tenure["revenue_per_active_customer"].to_numpy(dtype=float),
        "profit": tenure["revenue_per_active_customer"].to_numpy(dtype=float) * gross_margin,
    })


def profit_scenario(inputs: ProfitInputs) -> metrics.UpliftResult:
    """A new customer's value before and after the retention uplift (Reichheld & Sasser 1990 logic), with the
    first year's profit at the start as on the CLV page (:func:`metrics.tenure_profit_value`): with the same
    profit in every year the value before the uplift is the margin-multiple CLV minus CAC."""
    return metrics.retention_uplift(
        list(inputs.profits_by_tenure), inputs.annual_retention_rate, inputs.uplift_points,
        inputs.annual_discount_rate, inputs.acquisition_cost or 0.0, inputs.horizon_years,
    )


def tenure_profit_values(profits_by_tenure: tuple[float, ...] | np.ndarray, retention_rate: np.ndarray,
                         discount_rate: float, acquisition_cost: np.ndarray, horizon_years: int | None) -> np.ndarray:
    """:func:`metrics.tenure_profit_value` for an array of retention rates (and CACs): the same sum on arrays.

    ``profits_by_tenure``: the profits of years 1 … n, or one row of them per replicate (replicates × n, broadcast
    against ``retention_rate`` like its last axis).
    Formula: V = Σₜ₌₁ᴴ pₜ · r^(t−1) / (1 + i)^(t−1) − AC (pₜ = pₙ for t > n; the tail in closed form for H = ∞).
    Units: currency per new customer. Retention must be below 1 + i for H = ∞ (the pages keep it ≤ 99 %).
    """
    profits = np.asarray(profits_by_tenure, dtype=float)
    r = np.asarray(retention_rate, dtype=float)[..., None]
    i, n = discount_rate, profits.shape[-1]
    q = r / (1.0 + i)
    if horizon_years is None:
        listed = np.sum(profits * q ** np.arange(n), axis=-1)
        tail = profits[..., -1] * q[..., 0] ** n * (1.0 + i) / (1.0 + i - r[..., 0])
        return listed + tail - acquisition_cost
    kept = profits[..., :horizon_years]
    value = np.sum(kept * q ** np.arange(kept.shape[-1]), axis=-1)
    if horizon_years > n:
        value = value + profits[..., -1] * np.sum(q ** np.arange(n, horizon_years), axis=-1)
    return value - acquisition_cost


def profits_by_tenure_replicates(table: pd.DataFrame, replicates: intervals.BasisReplicates, gross_margin: float,
                                 edited: Mapping[int, float]) -> np.ndarray:
    """The simulator's profit by customer year on every bootstrap replicate: replicates × the rows of ``table``.

    ``table`` is the profit-by-customer-year table the simulator shows (:func:`default_profits_by_tenure` with
    the user's ``edited`` profits put in). A year the user edited keeps its typed profit in every replicate (a value
    typed in carries no uncertainty of its own); any other year is the replicate's revenue per active customer in
    that year × ``gross_margin``, as :func:`default_profits_by_tenure` computes it from the data
    (:meth:`~retention_core.intervals.BasisReplicates.revenue_per_active_customer`, the same customer weights as
    the replicate's retention), or the shown profit where that year was not resampled.
    Formula: p*ᵦₜ = (revenue per active customer in year t)*ᵦ × gross margin. Units: currency per customer year.
    """
    profits = np.tile(table["profit"].to_numpy(dtype=float), (len(replicates), 1))
    for column, tenure in enumerate(table["tenure"].astype(int)):
        revenue = replicates.revenue_per_active_customer(tenure)
        if tenure not in edited and revenue is not None:
            profits[:, column] = revenue * gross_margin
    return profits


def profit_scenario_replicates(inputs: ProfitInputs, retention_rate: np.ndarray, acquisition_cost: np.ndarray,
                               uplift_points: np.ndarray | None = None,
                               profits_by_tenure: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """:func:`profit_scenario` over replicates at once: each replicate's retention (NaN: none), CAC (NaN: none
    given, values before acquisition cost) and profits by customer year (``profits_by_tenure``, replicates ×
    years, NaN: none; None: those of ``inputs`` in every replicate), the uplift of ``inputs`` (or
    ``uplift_points``, broadcast against the replicates: a column of uplifts gives one row per uplift) capped where
    less room is left below 99 % (as the slider would be). Returns :class:`metrics.UpliftResult` field name → array
    (relative change NaN where it means nothing, as None there)."""
    profits = inputs.profits_by_tenure if profits_by_tenure is None else profits_by_tenure
    r = np.asarray(retention_rate, dtype=float)
    cac = np.where(np.isnan(np.asarray(acquisition_cost, dtype=float)), 0.0, acquisition_cost)
    uplift = inputs.uplift_points if uplift_points is None else uplift_points
    after = r + np.minimum(uplift, np.maximum(0.0, MAX_RETENTION - r))
    before_value = tenure_profit_values(profits, r, inputs.annual_discount_rate, cac, inputs.horizon_years)
    after_value = tenure_profit_values(profits, after, inputs.annual_discount_rate, cac, inputs.horizon_years)
    gross = before_value + cac
    meaningful = (gross > 0) & (before_value >= metrics.MEANINGFUL_VALUE_SHARE * gross)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(meaningful, (after_value - before_value) / before_value, np.nan)
        return {
            "retention_before": r, "retention_after": after, "value_before": before_value,
            "value_after": after_value, "value_change": after_value - before_value, "relative_change": relative,
            "gross_value_before": gross, "lifetime_before": 1.0 / (1.0 - r), "lifetime_after": 1.0 / (1.0 - after),
            "churn_before": 1.0 - r, "churn_after": 1.0 - after,
            "churn_reduction": np.where(r < 1, 1.0 - (1.0 - after) / (1.0 - r), np.nan),
        }


def max_uplift_points(annual_retention_rate: float, limit: float = 0.10) -> float:
    """The largest uplift the slider may offer: up to ``limit`` but never past 99 % retention."""
    return max(0.0, min(limit, MAX_RETENTION - annual_retention_rate))


def uplift_curve(inputs: ProfitInputs, steps: int = 21) -> pd.DataFrame:
    """Profit increase for uplifts from 0 to the largest possible (≤ 10 pp), in ``steps`` points.

    ``relative_change`` is missing (NaN) where a percentage means nothing (see :func:`metrics.retention_uplift`);
    ``value_change`` is the change in money per new customer.
    """
    top = max_uplift_points(inputs.annual_retention_rate)
    rows = []
    for points in np.linspace(0.0, top, steps):
        result = profit_scenario(replace(inputs, uplift_points=float(points)))
        rows.append({"uplift_points": float(points), "relative_change": result.relative_change,
                     "value_change": result.value_change})
    return pd.DataFrame(rows, columns=["uplift_points", "relative_change", "value_change"]).astype(float)


def uplift_curve_band(inputs: ProfitInputs, retention_rate: np.ndarray, acquisition_cost: np.ndarray,
                      profits_by_tenure: np.ndarray | None = None, steps: int = 21,
                      level: float = intervals.LEVEL) -> pd.DataFrame:
    """The ``level`` interval of :func:`uplift_curve` at each of its uplifts, over replicates of the measured
    retention, CAC and profits by customer year (as :func:`profit_scenario_replicates` takes them).

    Definition: at each uplift u of the curve, the percentile interval of the replicates' profit increase.
    Formula: [q₍₁₋ₗ₎/₂, q₍₁₊ₗ₎/₂] of {ΔV*ᵦ(u)} (:func:`intervals.percentile_bounds`, one row per uplift)
    Units: ``relative_low`` / ``relative_high`` fractions of the value before the uplift, ``value_low`` /
    ``value_high`` currency per new customer; NaN where the replicates give no interval. At the slider's uplift
    the band is the profit card's interval.
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, §13.3.
    """
    points = np.linspace(0.0, max_uplift_points(inputs.annual_retention_rate), steps)
    result = profit_scenario_replicates(inputs, retention_rate, acquisition_cost, points[:, None], profits_by_tenure)
    relative_low, relative_high = intervals.percentile_bounds(result["relative_change"], level)
    value_low, value_high = intervals.percentile_bounds(result["value_change"], level)
    return pd.DataFrame({"uplift_points": points, "relative_low": relative_low, "relative_high": relative_high,
                         "value_low": value_low, "value_high": value_high}, columns=list(BAND_COLUMNS))


BAND_COLUMNS = ("uplift_points", "relative_low", "relative_high", "value_low", "value_high")
"""The columns of :func:`uplift_curve_band`."""


def customer_base_growth(
    annual_retention_rate: float, annual_acquisition_rate: float, uplift_points: float, years: int
) -> pd.DataFrame:
    """Customer base relative to today after each year, without and with the uplift: (r + a)^years."""
    rows = [
        {
            "year": year,
            "without_uplift": metrics.customer_base_multiple(annual_retention_rate, annual_acquisition_rate, year),
            "with_uplift": metrics.customer_base_multiple(
                min(1.0, annual_retention_rate + uplift_points), annual_acquisition_rate, year
            ),
        }
        for year in range(years + 1)
    ]
    return pd.DataFrame(rows)


def reichheld_verdict(inputs: ProfitInputs) -> Verdict:
    """Judge the result at exactly +5 points against the published 25–95 % band and name the likely reasons.

    The uplift judged is :data:`benchmarks.REICHHELD_UPLIFT_POINTS`, capped so retention stays at most 99 %
    (never the slider's uplift rescaled). Where the value before the uplift is too close to zero or negative for a
    percentage (:data:`metrics.MEANINGFUL_VALUE_SHARE`), the position is ``absolute`` and the change is judged in
    money. Reasons (i18n keys): ``short_lifetime`` (expected lifetime under 3 years), ``flat_profits`` (last
    year's profit less than 1.5 × the first year's), ``high_discount`` (annual discount rate above 12 %),
    ``near_zero`` (the value before is too small for a percentage), ``long_lifetime`` (over 10 years: survival
    changes compound for long), ``capped`` (less than 5 points were possible below 99 %).
    """
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    points = round(min(benchmarks.REICHHELD_UPLIFT_POINTS, max(0.0, MAX_RETENTION - inputs.annual_retention_rate)),
                   10)
    if points <= 0:
        return Verdict("no_room", (), 0.0)
    result = profit_scenario(replace(inputs, uplift_points=points))
    capped = ("capped",) if points < benchmarks.REICHHELD_UPLIFT_POINTS else ()
    change = result.relative_change
    if change is None:
        return Verdict("absolute", ("near_zero", *capped), points, None, result.value_change)
    profits = inputs.profits_by_tenure
    if low <= change <= high:
        return Verdict("inside", capped, points, change, result.value_change)
    if change < low:
        reasons = tuple(
            reason for reason, applies in (
                ("short_lifetime", result.lifetime_before < 3),
                ("flat_profits", profits[-1] < 1.5 * profits[0]),
                ("high_discount", inputs.annual_discount_rate > 0.12),
            ) if applies
        )
        return Verdict("below", reasons + capped, points, change, result.value_change)
    return Verdict("above", (("long_lifetime",) if result.lifetime_before > 10 else ()) + capped, points, change,
                   result.value_change)
