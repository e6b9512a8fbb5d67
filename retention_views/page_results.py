"""Slider assumptions -> frozen results: everything a page shows, computed from pre-aggregated data.

Every function here takes an :class:`~retention_core.dataset.Aggregates` bundle (small frames) and plain
assumption values from widgets, calls the formulas in :mod:`retention_core.metrics`, and returns frozen
dataclasses or small frames. Pages only render what comes back; a slider move never touches raw rows.

Units: per-period rates (the Overview's CRR and churn) are fractions per analysis period (month, quarter or year);
customer value (CLV page, Retention → profit) is on the annual basis of :mod:`retention_core.customer_value`, so
its rates are per year and its money per customer-year or per new customer; ``*_years`` are years.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from retention_core import benchmarks, metrics, revenue
from retention_core.columns import CATEGORIES
from retention_core.customer_value import AnnualBasis
from retention_core.dataset import MONTHS_PER_PERIOD, Aggregates

COST_CATEGORIES = CATEGORIES  # team, tools, engagement: the data contract's cost categories
DEFAULT_GROSS_MARGIN = 0.30
DEFAULT_ANNUAL_DISCOUNT_RATE = 0.08


@dataclass(frozen=True)
class Assumptions:
    """What the data cannot tell: gross margin (fraction of revenue) and the annual discount rate."""

    gross_margin: float = DEFAULT_GROSS_MARGIN
    annual_discount_rate: float = DEFAULT_ANNUAL_DISCOUNT_RATE


def default_assumptions(aggs: Aggregates) -> Assumptions:
    """The data's own revenue-weighted margin when the transactions carry one, else the default 30 %."""
    margin = aggs.gross_margin if aggs.gross_margin is not None else DEFAULT_GROSS_MARGIN
    return Assumptions(gross_margin=round(margin, 2))


# --- periods --------------------------------------------------------------------------------------------------


def data_end(aggs: Aggregates) -> pd.Timestamp:
    """Date of the last order in the data (kept with the aggregates after the first look)."""
    return aggs.data_end


def period_end(period_start: pd.Timestamp | pd.Series, period: str) -> pd.Timestamp | pd.Series:
    """Last day of the period that starts on ``period_start`` (a date, or a Series of dates: one end each)."""
    start = period_start if isinstance(period_start, pd.Series) else pd.Timestamp(period_start)
    return start + pd.DateOffset(months=MONTHS_PER_PERIOD[period]) - pd.Timedelta(days=1)


def measurable_periods(aggs: Aggregates) -> pd.DataFrame:
    """Rows of ``aggs.activity`` past the warm-up of the activity window, where rates mean something.

    In the first periods of the data the customer base is still filling up: with a 12-month window nobody can
    have been lost before a year has passed, so retention would read 100 %. Those periods are left out.
    """
    activity = aggs.activity
    warm_up = max(1, aggs.activity_months * aggs.periods_per_year // 12)
    keep = (np.arange(len(activity)) >= warm_up) & (activity["customers_start"] > 0).to_numpy()
    return activity[keep]


def complete_periods(aggs: Aggregates) -> pd.DataFrame:
    """:func:`measurable_periods` without a last period that ends after the last order (only partly observed)."""
    measurable = measurable_periods(aggs)
    ends = period_end(measurable["period_start"], aggs.period)
    return measurable[(ends <= data_end(aggs) + pd.Timedelta(days=7)).to_numpy()]


def period_options(aggs: Aggregates) -> list[pd.Timestamp]:
    """The periods a user can pick on the Overview: the measurable ones (see :func:`measurable_periods`)."""
    return [pd.Timestamp(start) for start in measurable_periods(aggs)["period_start"]]


# --- overview -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodFacts:
    """The KPIs of one period; ``None`` where the data needed for a KPI is missing (e.g. no cost sheet).

    ``active_customers`` is the customer base at the period's end (E: ordered within the activity window);
    ``new_customers`` the customers whose first order falls in the period; ``buyers`` the customers with an order
    in the period; ``returning_buyer_share`` the share of those buyers who had ordered in an earlier period. ``acquisition_cost`` is the period's own CAC (acquisition spend of the period ÷ its new
    customers), not the annual one customer value uses.
    """

    period_start: pd.Timestamp
    active_customers: int
    new_customers: int
    buyers: int
    lost_customers: int
    retention_rate: float | None
    churn_rate: float | None
    returning_buyer_share: float | None
    revenue_per_customer: float | None
    retention_cost_per_customer: float | None
    acquisition_cost: float | None
    nps: float | None


def _row(frame: pd.DataFrame | None, period_start: pd.Timestamp) -> pd.Series | None:
    if frame is None:
        return None
    rows = frame[frame["period_start"] == period_start]
    return None if rows.empty else rows.iloc[0]


def _number(row: pd.Series | None, column: str) -> float | None:
    if row is None or pd.isna(row[column]):
        return None
    return float(row[column])


def period_facts(aggs: Aggregates, period_start: pd.Timestamp) -> PeriodFacts:
    """All per-period Overview KPIs for the period starting ``period_start``.

    CRR = (E − N) / S and churn = lost / S with the activity window's customer base (S, N, E of
    :func:`queries.period_activity`); returning-buyer share = buyers who had ordered in an earlier period ÷ buyers;
    revenue and retention cost per active customer = the period's net revenue or retention spend
    ÷ E; CAC = the period's acquisition spend ÷ its new customers. Customer value is not a period figure: see
    :func:`retention_views.whatif.customer_value_kpis`.
    """
    activity = _row(aggs.activity, period_start)
    if activity is None:
        raise ValueError(f"no period starts on {period_start:%Y-%m-%d}")
    start = int(activity["customers_start"])
    end = int(activity["customers_end"])
    new = int(activity["new_customers"])
    lost = int(activity["lost_customers"])
    buyers = int(activity["active_customers"])
    retention = metrics.retention_rate(start, new, end) if start > 0 else None
    churn = metrics.churn_rate(start, lost) if start > 0 else None
    returning = metrics.returning_buyer_share(int(activity["returning_customers"]), buyers) if buyers > 0 else None
    revenue_per_customer = metrics.revenue_per_customer(float(activity["revenue"]), end) if end > 0 else None
    return PeriodFacts(
        period_start=pd.Timestamp(period_start),
        active_customers=end,
        new_customers=int(activity["first_time_customers"]),
        buyers=buyers,
        lost_customers=lost,
        retention_rate=retention,
        churn_rate=churn,
        returning_buyer_share=returning,
        revenue_per_customer=revenue_per_customer,
        retention_cost_per_customer=_number(_row(aggs.costs, period_start), "cost_per_active_customer"),
        acquisition_cost=_number(_row(aggs.acquisition, period_start), "cac"),
        nps=nps_for_period(aggs, period_start),
    )


@dataclass(frozen=True)
class Kpi:
    """One Overview card: i18n ``key``, ``kind`` (count, fraction, money, ratio, points) and this/previous value.

    ``previous`` is the value of the previous measurable period (None for a figure that is not per period);
    ``interval`` the value's 80 % interval (:class:`retention_core.intervals.Interval`) for a figure measured on
    the annual basis, else None."""

    key: str
    kind: str
    value: float | None
    previous: float | None = None
    lower_is_better: bool = False
    interval: object | None = None

    @property
    def delta(self) -> float | None:
        """Change against the previous period, in the KPI's own unit (fractions: percentage points as fraction)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


KPI_FIELDS = (
    ("active_customers", "count", False),
    ("new_customers", "count", False),
    ("retention_rate", "fraction", False),
    ("churn_rate", "fraction", True),
    ("returning_buyer_share", "fraction", False),
    ("revenue_per_customer", "money", False),
    ("retention_cost_per_customer", "money", True),
    ("acquisition_cost", "money", True),
    ("nps", "points", False),
)


def overview_kpis(aggs: Aggregates, period_start: pd.Timestamp) -> tuple[Kpi, ...]:
    """The Overview's per-period cards for ``period_start``, with the previous measurable period's values for
    the change (none for the first measurable period: a warm-up period is never compared with)."""
    current = period_facts(aggs, period_start)
    before_start = previous_period(aggs, period_start)
    before = None if before_start is None else period_facts(aggs, before_start)
    return tuple(
        Kpi(name, kind, getattr(current, name), None if before is None else getattr(before, name), lower)
        for name, kind, lower in KPI_FIELDS
    )


def nps_for_period(aggs: Aggregates, period_start: pd.Timestamp) -> float | None:
    """NPS of the survey answers given in the period, None without answers."""
    row = _row(aggs.nps, period_start)
    if row is None or int(row["responses"]) == 0:
        return None
    return metrics.nps_from_counts(int(row["promoters"]), int(row["passives"]), int(row["detractors"]))


def previous_period(aggs: Aggregates, period_start: pd.Timestamp) -> pd.Timestamp | None:
    """Start of the measurable period before ``period_start`` (see :func:`measurable_periods`), None for the first:
    the warm-up periods before it are never compared with."""
    starts = period_options(aggs)
    start = pd.Timestamp(period_start)
    if start not in starts:
        return None
    index = starts.index(start)
    return None if index == 0 else starts[index - 1]


def retention_trend(aggs: Aggregates) -> pd.DataFrame:
    """Retention and churn rate per period (fractions), for the measurable periods."""
    activity = measurable_periods(aggs)
    rows = [
        {
            "period_start": row.period_start,
            "retention_rate": metrics.retention_rate(row.customers_start, row.new_customers, row.customers_end),
            "churn_rate": metrics.churn_rate(row.customers_start, row.lost_customers),
        }
        for row in activity.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=["period_start", "retention_rate", "churn_rate"])


# --- retention cost -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostScenario:
    """Retention spend of one period after the user's changes, and what it means per active customer."""

    amounts: Mapping[str, float]
    total: float
    active_customers: int
    per_customer: float
    baseline_per_customer: float | None
    change: float | None
    cac_band: tuple[float, float]


def period_costs(aggs: Aggregates, period_start: pd.Timestamp) -> tuple[dict[str, float], int]:
    """Cost per category and active customers of one period, from the cost sheet."""
    row = _row(aggs.costs, period_start)
    if row is None:
        raise ValueError(f"no retention costs for the period starting {period_start:%Y-%m-%d}")
    return {category: float(row[category]) for category in COST_CATEGORIES}, int(row["active_customers"])


def cost_scenario(
    amounts: Mapping[str, float],
    active_customers: int,
    changes: Mapping[str, float] | None = None,
    baseline_active_customers: int | None = None,
) -> CostScenario:
    """Retention cost per active customer after changing each category by a relative amount.

    ``changes`` maps a category to a relative change (−0.5 = halve it, +1.0 = double it); ``active_customers``
    is the customer count to spread the spend over. The baseline is the unchanged spend over
    ``baseline_active_customers`` (defaults to ``active_customers``). With no changes this is the café example:
    5,000 + 900 + 2,500 over 700 customers = 12.00 per customer.
    """
    changes = changes or {}
    adjusted = {category: amount * (1.0 + changes.get(category, 0.0)) for category, amount in amounts.items()}
    total = metrics.total_retention_cost(adjusted)
    per_customer = metrics.retention_cost_per_customer(total, active_customers)
    baseline = metrics.retention_cost_per_customer(
        metrics.total_retention_cost(amounts), baseline_active_customers or active_customers
    )
    low, high = benchmarks.CAC_MULTIPLE_BAND
    return CostScenario(
        amounts=adjusted,
        total=total,
        active_customers=active_customers,
        per_customer=per_customer,
        baseline_per_customer=baseline,
        change=(per_customer - baseline) / baseline if baseline > 0 else None,
        cac_band=(per_customer * low, per_customer * high),
    )


def cost_items_wide(aggs: Aggregates) -> pd.DataFrame:
    """Retention cost per period with one column per category (for the stacked bar chart), and ``warm_up``.

    ``warm_up`` marks the periods whose activity window (the ``activity_months`` before the period's end) begins
    before the data's first order: their customer base is still being built from the first orders, not measured,
    so their cost per active customer is too high (a café with three months of history counts only three months'
    buyers as its base). Definition: period end − activity window < start of the period of the first order.
    """
    if aggs.costs is None:
        raise ValueError("no retention cost sheet in this data set")
    wide = aggs.costs[["period_start", *COST_CATEGORIES, "retention_cost", "active_customers",
                       "cost_per_active_customer"]]
    period_end = pd.to_datetime(wide["period_start"]) + pd.DateOffset(months=MONTHS_PER_PERIOD[aggs.period])
    window_start = period_end - pd.DateOffset(months=aggs.activity_months)
    first_period = aggs.data_start.to_period({"month": "M", "quarter": "Q", "year": "Y"}[aggs.period]).start_time
    return wide.assign(warm_up=(window_start < first_period).to_numpy())


# --- CLV ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClvInputs:
    """Inputs of the CLV page, all on the annual basis (:mod:`retention_core.customer_value`).

    ``retention_rate`` is annual retention (None: unknown, then no CLV can be computed); ``revenue_per_customer``,
    ``average_order_value`` and ``purchase_frequency`` are per customer-year (net revenue in the last 12 months ÷
    buyers, ÷ purchase occasions, occasions ÷ buyers); ``retention_cost_per_customer`` is per customer-year and
    ``acquisition_cost`` per new customer, each None when unknown (never taken as zero).
    """

    gross_margin: float
    annual_discount_rate: float
    retention_rate: float | None
    horizon_years: int
    revenue_per_customer: float
    average_order_value: float | None
    purchase_frequency: float
    retention_cost_per_customer: float | None
    acquisition_cost: float | None


@dataclass(frozen=True)
class ClvResult:
    """The value of a new customer three ways, the CLV gap and what is left after acquisition cost.

    Every value is per new customer in the data's currency; None where an input is unknown: the CLVs without
    retention, the lifetime retention cost and the CLV gap without a retention cost, the net value and CLV : CAC
    without a CAC (or with a CAC of 0, for the ratio).
    """

    margin_per_year: float
    expected_lifetime_years: float | None
    simple_clv: float | None
    margin_multiple_clv: float | None
    finite_horizon_clv: float | None
    lifetime_retention_cost: float | None
    acquisition_cost: float | None
    clv_gap: float | None
    net_value: float | None
    break_even_retention_spend: float | None
    clv_to_cac: float | None


def clv_defaults(basis: AnnualBasis, assumptions: Assumptions, horizon_years: int = 5) -> ClvInputs:
    """CLV inputs as measured on the annual basis; what the data does not give stays None."""
    return ClvInputs(
        gross_margin=assumptions.gross_margin,
        annual_discount_rate=assumptions.annual_discount_rate,
        retention_rate=basis.retention_rate,
        horizon_years=horizon_years,
        revenue_per_customer=basis.revenue_per_buyer or 0.0,
        average_order_value=basis.average_order_value,
        purchase_frequency=basis.purchase_frequency or 0.0,
        retention_cost_per_customer=basis.retention_cost_per_customer,
        acquisition_cost=basis.acquisition_cost,
    )


def clv_scenario(inputs: ClvInputs) -> ClvResult:
    """The value of a new customer on the annual basis, first customer year certain (Farris et al. 2010 §5.3):

    - simple CLV = average order value × gross margin × purchases per year × 1 / (1 − r), undiscounted;
    - margin-multiple CLV = m · (1 + i) / (1 + i − r), m = revenue per customer-year × gross margin;
    - finite-horizon CLV = Σₜ₌₀ᴺ⁻¹ m · rᵗ / (1 + i)ᵗ over ``horizon_years``;
    - lifetime retention cost = c · (1 + i) / (1 + i − r); CLV gap = margin-multiple CLV − lifetime retention
      cost; net value = CLV gap − CAC; CLV : CAC = margin-multiple CLV / CAC;
    - break-even retention spend c* = m − CAC · (1 + i − r) / (1 + i) (m without a CAC).

    Simple ≥ margin multiple ≥ finite horizon for a positive margin. A customer who never comes back (r = 0) is
    worth one year's margin in every form.
    """
    i = inputs.annual_discount_rate
    r = inputs.retention_rate
    margin = inputs.revenue_per_customer * inputs.gross_margin
    cac, cost = inputs.acquisition_cost, inputs.retention_cost_per_customer
    if r is None:
        return ClvResult(margin_per_year=margin, expected_lifetime_years=None, simple_clv=None,
                         margin_multiple_clv=None, finite_horizon_clv=None, lifetime_retention_cost=None,
                         acquisition_cost=cac, clv_gap=None, net_value=None, break_even_retention_spend=None,
                         clv_to_cac=None)
    lifetime = metrics.expected_lifetime(1.0 - r)
    clv = metrics.margin_multiple_clv(margin, r, i)
    lifetime_cost = None if cost is None else metrics.lifetime_retention_cost(cost, r, i)
    gap = None if lifetime_cost is None else metrics.clv_gap(clv, lifetime_cost)
    simple = None
    if inputs.average_order_value is not None:
        simple = metrics.simple_clv(inputs.average_order_value * inputs.gross_margin, inputs.purchase_frequency,
                                    lifetime)
    return ClvResult(
        margin_per_year=margin,
        expected_lifetime_years=lifetime,
        simple_clv=simple,
        margin_multiple_clv=clv,
        finite_horizon_clv=metrics.finite_horizon_clv([margin] * inputs.horizon_years, r, i),
        lifetime_retention_cost=lifetime_cost,
        acquisition_cost=cac,
        clv_gap=gap,
        net_value=None if gap is None or cac is None else metrics.net_value(gap, cac),
        break_even_retention_spend=metrics.break_even_retention_spend(margin, r, i, cac or 0.0),
        clv_to_cac=metrics.clv_to_cac(clv, cac) if cac else None,
    )



def _nan(value: float | None) -> float:
    return np.nan if value is None else float(value)


def clv_scenario_replicates(inputs: ClvInputs, retention_rate: np.ndarray, revenue_per_customer: np.ndarray,
                            average_order_value: np.ndarray, purchase_frequency: np.ndarray,
                            retention_cost_per_customer: np.ndarray, acquisition_cost: np.ndarray
                            ) -> dict[str, np.ndarray]:
    """:func:`clv_scenario` over replicates at once: the same formulas on arrays, one entry per replicate.

    The gross margin, discount rate and horizon are ``inputs``'s; the arrays (or scalars, broadcast) give each
    replicate's annual retention, revenue per customer-year, average order value, purchases per year, retention
    cost per customer-year and CAC, NaN where unknown (a result is NaN where :func:`clv_scenario` gives None).
    Returns :class:`ClvResult` field name → array. Retention must lie in [0, 0.99] (the what-if pages' range).
    """
    i, g = inputs.annual_discount_rate, inputs.gross_margin
    r = np.asarray(retention_rate, dtype=float)
    margin = np.asarray(revenue_per_customer, dtype=float) * g
    cac = np.asarray(acquisition_cost, dtype=float)
    cost = np.asarray(retention_cost_per_customer, dtype=float)
    multiple = (1.0 + i) / (1.0 + i - r)
    lifetime = 1.0 / (1.0 - r)
    clv = margin * multiple
    q = r / (1.0 + i)
    finite = margin * sum(q**year for year in range(inputs.horizon_years))
    lifetime_cost = cost * multiple
    gap = clv - lifetime_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((cac > 0) & np.isfinite(cac), clv / np.where(cac > 0, cac, 1.0), np.nan)
    known_cac = np.where(np.isnan(cac), 0.0, cac)
    shape = np.broadcast(r, margin, cac, cost).shape
    return {
        "margin_per_year": np.broadcast_to(margin, shape),
        "expected_lifetime_years": np.broadcast_to(lifetime, shape),
        "simple_clv": np.broadcast_to(np.asarray(average_order_value, dtype=float) * g
                                      * np.asarray(purchase_frequency, dtype=float) * lifetime, shape),
        "margin_multiple_clv": np.broadcast_to(clv, shape),
        "finite_horizon_clv": np.broadcast_to(finite, shape),
        "lifetime_retention_cost": np.broadcast_to(lifetime_cost, shape),
        "acquisition_cost": np.broadcast_to(cac, shape),
        "clv_gap": np.broadcast_to(gap, shape),
        "net_value": np.broadcast_to(gap - cac, shape),
        "break_even_retention_spend": np.broadcast_to(margin - known_cac * (1.0 + i - r) / (1.0 + i), shape),
        "clv_to_cac": np.broadcast_to(ratio, shape),
    }

# --- retention -> profit --------------------------------------------------------------------------------------


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


def default_profits_by_tenure(aggs: Aggregates, gross_margin: float, max_years: int = 5) -> pd.DataFrame:
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



def tenure_profit_values(profits_by_tenure: tuple[float, ...], retention_rate: np.ndarray, discount_rate: float,
                         acquisition_cost: np.ndarray, horizon_years: int | None) -> np.ndarray:
    """:func:`metrics.tenure_profit_value` for an array of retention rates (and CACs): the same sum on arrays.

    Formula: V = Σₜ₌₁ᴴ pₜ · r^(t−1) / (1 + i)^(t−1) − AC (pₜ = pₙ for t > n; the tail in closed form for H = ∞).
    Units: currency per new customer. Retention must be below 1 + i for H = ∞ (the pages keep it ≤ 99 %).
    """
    profits = np.asarray(profits_by_tenure, dtype=float)
    r = np.asarray(retention_rate, dtype=float)[..., None]
    i, n = discount_rate, profits.size
    q = r / (1.0 + i)
    if horizon_years is None:
        listed = np.sum(profits * q ** np.arange(n), axis=-1)
        tail = profits[-1] * q[..., 0] ** n * (1.0 + i) / (1.0 + i - r[..., 0])
        return listed + tail - acquisition_cost
    kept = profits[:horizon_years]
    value = np.sum(kept * q ** np.arange(kept.size), axis=-1)
    if horizon_years > n:
        value = value + profits[-1] * np.sum(q ** np.arange(n, horizon_years), axis=-1)
    return value - acquisition_cost


def profit_scenario_replicates(inputs: ProfitInputs, retention_rate: np.ndarray, acquisition_cost: np.ndarray
                               ) -> dict[str, np.ndarray]:
    """:func:`profit_scenario` over replicates at once: each replicate's retention (NaN: none) and CAC (NaN: none
    given, values before acquisition cost), the uplift of ``inputs`` capped where less room is left below 99 %
    (as the slider would be). Returns :class:`metrics.UpliftResult` field name → array (relative change NaN
    where it means nothing, as None there)."""
    r = np.asarray(retention_rate, dtype=float)
    cac = np.where(np.isnan(np.asarray(acquisition_cost, dtype=float)), 0.0, acquisition_cost)
    after = r + np.minimum(inputs.uplift_points, np.maximum(0.0, MAX_RETENTION - r))
    before_value = tenure_profit_values(inputs.profits_by_tenure, r, inputs.annual_discount_rate, cac,
                                        inputs.horizon_years)
    after_value = tenure_profit_values(inputs.profits_by_tenure, after, inputs.annual_discount_rate, cac,
                                       inputs.horizon_years)
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


# --- cohorts --------------------------------------------------------------------------------------------------


def cohort_matrix(aggs: Aggregates, value: str = "retention") -> pd.DataFrame:
    """Cohorts as rows (period of first purchase), periods since first purchase as columns, ``value`` in cells."""
    return aggs.cohorts.pivot(index="cohort_start", columns="periods_since", values=value).sort_index()


def average_retention_curve(aggs: Aggregates) -> pd.DataFrame:
    """Share of a cohort active k periods after its first, pooled over the cohorts observed that long."""
    grouped = aggs.cohorts.groupby("periods_since")[["active_customers", "cohort_size"]].sum()
    curve = grouped["active_customers"] / grouped["cohort_size"]
    return curve.rename("retention").reset_index()


def retention_after(aggs: Aggregates, periods_since: int) -> float:
    """Pooled share of customers still buying ``periods_since`` periods after their first purchase."""
    curve = average_retention_curve(aggs)
    rows = curve[curve["periods_since"] == periods_since]
    if rows.empty:
        raise ValueError(f"no cohort is observed {periods_since} periods after its first purchase")
    return float(rows["retention"].iloc[0])


# --- loyalty --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoyaltyFacts:
    """Loyalty metrics over all customers in the data; ``None`` where the needed column or sheet is missing.

    ``customers`` counts the customers with at least one order (a customer whose rows are all returns is none).
    """

    customers: int
    repeat_purchase_rate: float | None
    upsell_rate: float | None
    upsell_ratio: float | None
    nps: float | None
    promoters: int
    passives: int
    detractors: int


def loyalty_facts(aggs: Aggregates) -> LoyaltyFacts:
    """Repeat-purchase rate, upsell rate and ratio and NPS over the whole data.

    Repeat-purchase rate = customers with two or more purchase occasions (distinct order days, or order ids) ÷
    customers, so a basket of two lines on one day is one purchase; upsell = customers who bought two or more
    distinct products ÷ customers.
    """
    customers = aggs.customers[aggs.customers["occasions"] > 0]
    total = len(customers)
    repeaters = int((customers["occasions"] >= 2).sum())
    upsell_rate = upsell_ratio = None
    if aggs.has_products and total > 0:
        multi = int((customers["distinct_products"] >= 2).sum())
        upsell_rate = metrics.upsell_rate(multi, total)
        single = total - multi
        upsell_ratio = metrics.upsell_ratio(multi, single) if single > 0 else None
    promoters = passives = detractors = 0
    nps = None
    if aggs.nps is not None and int(aggs.nps["responses"].sum()) > 0:
        promoters, passives, detractors = (int(aggs.nps[column].sum()) for column in
                                           ("promoters", "passives", "detractors"))
        nps = metrics.nps_from_counts(promoters, passives, detractors)
    return LoyaltyFacts(
        customers=total,
        repeat_purchase_rate=metrics.repeat_purchase_rate(repeaters, total) if total > 0 else None,
        upsell_rate=upsell_rate,
        upsell_ratio=upsell_ratio,
        nps=nps,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


def nps_trend(aggs: Aggregates) -> pd.DataFrame:
    """NPS per period (points) for periods with answers."""
    if aggs.nps is None:
        raise ValueError("no NPS survey in this data set")
    answered = aggs.nps[aggs.nps["responses"] > 0]
    scores = [metrics.nps_from_counts(int(row.promoters), int(row.passives), int(row.detractors))
              for row in answered.itertuples(index=False)]
    return pd.DataFrame({"period_start": answered["period_start"].to_numpy(), "nps": scores,
                         "responses": answered["responses"].to_numpy()})


REVENUE_KPI_FIELDS = (
    ("net_revenue_retention", "nrr", "fraction", False),
    ("gross_revenue_retention", "grr", "fraction", False),
    ("churned_revenue", "churned_revenue", "money", True),
    ("expansion_revenue", "expansion_revenue", "money", False),
)
"""The revenue-retention cards: i18n name (``kpi_<name>``), :class:`RevenueRetention` field, kind, lower is better."""


def revenue_retention_kpis(aggs: Aggregates, period_start: pd.Timestamp) -> tuple[Kpi, ...]:
    """The revenue-retention cards of ``period_start`` with the previous period's values for the change."""
    current = revenue.period_retention(aggs, period_start)
    before = None if current.previous_start is None else revenue.period_retention(aggs, current.previous_start)
    return tuple(
        Kpi(name, kind, getattr(current, field), None if before is None else getattr(before, field), lower)
        for name, field, kind, lower in REVENUE_KPI_FIELDS
    )
