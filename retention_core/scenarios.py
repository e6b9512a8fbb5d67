"""Slider assumptions -> frozen results: everything a page shows, computed from pre-aggregated data.

Every function here takes an :class:`~retention_core.dataset.Aggregates` bundle (small frames) and plain
assumption values from widgets, calls the formulas in :mod:`retention_core.metrics`, and returns frozen
dataclasses or small frames. Pages only render what comes back; a slider move never touches raw rows.

Units: rates are fractions per analysis period (month, quarter or year) unless a name says ``annual``; money is
in the data's currency; ``*_years`` are years.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from retention_core import benchmarks, metrics
from retention_core.columns import CATEGORIES
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
    """The KPIs of one period; ``None`` where the data needed for a KPI is missing (e.g. no cost sheet)."""

    period_start: pd.Timestamp
    active_customers: int
    new_customers: int
    lost_customers: int
    retention_rate: float | None
    churn_rate: float | None
    repeat_purchase_rate: float | None
    revenue_per_customer: float | None
    retention_cost_per_customer: float | None
    clv: float | None
    clv_gap: float | None
    acquisition_cost: float | None
    clv_to_cac: float | None
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


def period_facts(aggs: Aggregates, period_start: pd.Timestamp, assumptions: Assumptions) -> PeriodFacts:
    """All Overview KPIs for the period starting ``period_start``.

    CLV is the margin-multiple CLV of this period's numbers: margin per active customer per period
    (revenue ÷ active customers × gross margin), this period's retention rate and the annual discount rate
    converted to the period; the CLV gap subtracts the lifetime retention cost (this period's retention cost
    per active customer over the same expected lifetime).
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
    repeat = metrics.repeat_purchase_rate(int(activity["repeat_customers"]), buyers) if buyers > 0 else None
    revenue_per_customer = metrics.revenue_per_customer(float(activity["revenue"]), end) if end > 0 else None
    cost_per_customer = _number(_row(aggs.costs, period_start), "cost_per_active_customer")
    cac = _number(_row(aggs.acquisition, period_start), "cac")
    discount = metrics.period_discount_rate(assumptions.annual_discount_rate, aggs.periods_per_year)
    clv = gap = ratio = None
    if retention is not None and revenue_per_customer is not None and retention < 1 + discount:
        clv = metrics.retention_clv(revenue_per_customer * assumptions.gross_margin, retention, discount)
        if cost_per_customer is not None:
            lifetime_cost = metrics.lifetime_retention_cost(cost_per_customer, retention, discount)
            gap = metrics.clv_gap(clv, lifetime_cost)
        if cac:
            ratio = metrics.clv_to_cac(clv, cac)
    return PeriodFacts(
        period_start=pd.Timestamp(period_start),
        active_customers=end,
        new_customers=new,
        lost_customers=lost,
        retention_rate=retention,
        churn_rate=churn,
        repeat_purchase_rate=repeat,
        revenue_per_customer=revenue_per_customer,
        retention_cost_per_customer=cost_per_customer,
        clv=clv,
        clv_gap=gap,
        acquisition_cost=cac,
        clv_to_cac=ratio,
        nps=nps_for_period(aggs, period_start),
    )


@dataclass(frozen=True)
class Kpi:
    """One Overview card: i18n ``key``, ``kind`` (count, fraction, money, ratio, points) and this/previous value."""

    key: str
    kind: str
    value: float | None
    previous: float | None
    lower_is_better: bool = False

    @property
    def delta(self) -> float | None:
        """Change against the previous period, in the KPI's own unit (fractions: percentage points as fraction)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


KPI_FIELDS = (
    ("active_customers", "count", False),
    ("retention_rate", "fraction", False),
    ("churn_rate", "fraction", True),
    ("repeat_purchase_rate", "fraction", False),
    ("revenue_per_customer", "money", False),
    ("retention_cost_per_customer", "money", True),
    ("clv", "money", False),
    ("clv_gap", "money", False),
    ("acquisition_cost", "money", True),
    ("clv_to_cac", "ratio", False),
    ("nps", "points", False),
)


def overview_kpis(aggs: Aggregates, period_start: pd.Timestamp, assumptions: Assumptions) -> tuple[Kpi, ...]:
    """The Overview cards for ``period_start`` with the previous period's values for the change."""
    current = period_facts(aggs, period_start, assumptions)
    before_start = previous_period(aggs, period_start)
    before = None if before_start is None else period_facts(aggs, before_start, assumptions)
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
    """Start of the period before ``period_start`` in the data, None for the first."""
    starts = list(aggs.activity["period_start"])
    index = starts.index(pd.Timestamp(period_start))
    return None if index == 0 else pd.Timestamp(starts[index - 1])


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


# --- measured baseline ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    """Per-period averages of the last complete periods, pooled (sums over sums), for the what-if pages.

    ``retention_rate`` is Σ(E − N) / ΣS; ``revenue_per_customer`` Σrevenue / ΣE; ``purchase_frequency``
    Σorders / ΣE; ``retention_cost_per_customer`` Σcost / ΣE; ``acquisition_cost`` Σspend / Σnew;
    ``acquisition_rate`` ΣN / ΣS — all per period of ``period``.
    """

    period: str
    periods_per_year: int
    periods_used: int
    retention_rate: float | None
    acquisition_rate: float | None
    revenue_per_customer: float | None
    average_order_value: float | None
    purchase_frequency: float | None
    retention_cost_per_customer: float | None
    acquisition_cost: float | None

    @property
    def annual_retention_rate(self) -> float | None:
        if self.retention_rate is None:
            return None
        return metrics.convert_retention_rate(self.retention_rate, self.periods_per_year, 1)


def measured_baseline(aggs: Aggregates, last_periods: int | None = None) -> Baseline:
    """Pool the last ``last_periods`` complete periods (default: one year's worth) into a :class:`Baseline`."""
    count = last_periods or aggs.periods_per_year
    used = complete_periods(aggs).tail(count)
    start, new, end = (int(used[column].sum()) for column in ("customers_start", "new_customers", "customers_end"))
    orders, revenue = int(used["orders"].sum()), float(used["revenue"].sum())
    starts = set(used["period_start"])
    cost_per_customer = cac = None
    if aggs.costs is not None:
        costs = aggs.costs[aggs.costs["period_start"].isin(starts)]
        if end > 0 and not costs.empty:
            cost_per_customer = metrics.retention_cost_per_customer(float(costs["retention_cost"].sum()), end)
    if aggs.acquisition is not None:
        acquisition = aggs.acquisition[aggs.acquisition["period_start"].isin(starts)]
        new_customers = float(acquisition["new_customers"].sum())
        if new_customers > 0:
            cac = metrics.acquisition_cost_per_customer(float(acquisition["acquisition_spend"].sum()), new_customers)
    return Baseline(
        period=aggs.period,
        periods_per_year=aggs.periods_per_year,
        periods_used=len(used),
        retention_rate=metrics.retention_rate(start, new, end) if start > 0 else None,
        acquisition_rate=metrics.acquisition_rate(start, new) if start > 0 else None,
        revenue_per_customer=metrics.revenue_per_customer(revenue, end) if end > 0 else None,
        average_order_value=metrics.revenue_per_customer(revenue, orders) if orders > 0 else None,
        purchase_frequency=metrics.purchase_frequency(orders, end) if end > 0 else None,
        retention_cost_per_customer=cost_per_customer,
        acquisition_cost=cac,
    )


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
    """Retention cost per period with one column per category (for the stacked bar chart)."""
    if aggs.costs is None:
        raise ValueError("no retention cost sheet in this data set")
    return aggs.costs[["period_start", *COST_CATEGORIES, "retention_cost", "active_customers",
                       "cost_per_active_customer"]]


# --- CLV ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClvInputs:
    """Slider values of the CLV page. Rates and money are per analysis period, except where named annual."""

    periods_per_year: int
    gross_margin: float
    annual_discount_rate: float
    retention_rate: float
    horizon_years: int
    revenue_per_customer: float
    average_order_value: float
    purchase_frequency: float
    retention_cost_per_customer: float
    acquisition_cost: float


@dataclass(frozen=True)
class ClvResult:
    """The three CLV estimates side by side and the CLV gap waterfall, per customer."""

    margin_per_period: float
    discount_rate_per_period: float
    expected_lifetime_years: float
    simple_clv: float
    margin_multiple_clv: float
    finite_horizon_clv: float
    lifetime_retention_cost: float
    acquisition_cost: float
    clv_gap: float
    net_value: float
    break_even_retention_spend: float
    clv_to_cac: float | None


def clv_defaults(aggs: Aggregates, assumptions: Assumptions, horizon_years: int = 5) -> ClvInputs:
    """CLV page inputs from the measured baseline; unknown costs default to zero (and the page says so)."""
    baseline = measured_baseline(aggs)
    if baseline.retention_rate is None or baseline.revenue_per_customer is None:
        raise ValueError("not enough complete periods to measure retention")
    return ClvInputs(
        periods_per_year=aggs.periods_per_year,
        gross_margin=assumptions.gross_margin,
        annual_discount_rate=assumptions.annual_discount_rate,
        retention_rate=baseline.retention_rate,
        horizon_years=horizon_years,
        revenue_per_customer=baseline.revenue_per_customer,
        average_order_value=baseline.average_order_value or 0.0,
        purchase_frequency=baseline.purchase_frequency or 0.0,
        retention_cost_per_customer=baseline.retention_cost_per_customer or 0.0,
        acquisition_cost=baseline.acquisition_cost or 0.0,
    )


def clv_scenario(inputs: ClvInputs) -> ClvResult:
    """Simple, margin-multiple and finite-horizon CLV, the CLV gap and the break-even retention spend.

    - simple CLV: margin per order × orders per period × expected lifetime 1 / (1 − r), undiscounted;
    - margin-multiple CLV: m · r / (1 + i − r), discounted, margin at the end of each period survived;
    - finite-horizon CLV: the same sum stopped after ``horizon_years``;
    - CLV gap = margin-multiple CLV − lifetime retention cost; net value = CLV gap − CAC.
    """
    i = metrics.period_discount_rate(inputs.annual_discount_rate, inputs.periods_per_year)
    r = inputs.retention_rate
    margin = inputs.revenue_per_customer * inputs.gross_margin
    lifetime = metrics.expected_lifetime(1.0 - r)
    clv = metrics.retention_clv(margin, r, i)
    horizon = inputs.horizon_years * inputs.periods_per_year
    lifetime_cost = metrics.lifetime_retention_cost(inputs.retention_cost_per_customer, r, i)
    gap = metrics.clv_gap(clv, lifetime_cost)
    cac = inputs.acquisition_cost
    return ClvResult(
        margin_per_period=margin,
        discount_rate_per_period=i,
        expected_lifetime_years=lifetime / inputs.periods_per_year,
        simple_clv=metrics.simple_clv(inputs.average_order_value * inputs.gross_margin, inputs.purchase_frequency,
                                      lifetime),
        margin_multiple_clv=clv,
        finite_horizon_clv=metrics.finite_horizon_clv([margin] * horizon, r, i),
        lifetime_retention_cost=lifetime_cost,
        acquisition_cost=cac,
        clv_gap=gap,
        net_value=gap - cac,
        break_even_retention_spend=metrics.break_even_retention_spend(margin, r, i, cac),
        clv_to_cac=metrics.clv_to_cac(clv, cac) if cac > 0 else None,
    )


# --- retention -> profit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfitInputs:
    """Slider values of the Retention → profit simulator; everything per year."""

    profits_by_tenure: tuple[float, ...]
    annual_retention_rate: float
    uplift_points: float
    annual_discount_rate: float
    acquisition_cost: float
    horizon_years: int | None


@dataclass(frozen=True)
class Verdict:
    """Where the user's profit increase falls against Reichheld's 25–95 % band, and why (i18n keys)."""

    position: str
    reasons: tuple[str, ...]


MIN_CUSTOMERS_PER_TENURE = 30


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
    """Customer value before and after the retention uplift (Reichheld & Sasser 1990 logic)."""
    return metrics.retention_uplift(
        list(inputs.profits_by_tenure), inputs.annual_retention_rate, inputs.uplift_points,
        inputs.annual_discount_rate, inputs.acquisition_cost, inputs.horizon_years,
    )


def max_uplift_points(annual_retention_rate: float, limit: float = 0.10) -> float:
    """The largest uplift the slider may offer: up to ``limit`` but never past 99 % retention."""
    return max(0.0, min(limit, 0.99 - annual_retention_rate))


def uplift_curve(inputs: ProfitInputs, steps: int = 21) -> pd.DataFrame:
    """Relative profit increase for uplifts from 0 to the largest possible (≤ 10 pp), in ``steps`` points."""
    top = max_uplift_points(inputs.annual_retention_rate)
    rows = []
    for points in np.linspace(0.0, top, steps):
        result = profit_scenario(replace(inputs, uplift_points=float(points)))
        rows.append({"uplift_points": float(points), "relative_change": result.relative_change})
    return pd.DataFrame(rows, columns=["uplift_points", "relative_change"])


def customer_base_growth(
    annual_retention_rate: float, annual_acquisition_rate: float, uplift_points: float, years: int
) -> pd.DataFrame:
    """Customer base relative to today after each year, without and with the uplift: (r + a)^years."""
    rows = [
        {
            "year": year,
            "without_uplift": metrics.customer_base_multiple(annual_retention_rate, annual_acquisition_rate, year),
            "with_uplift": metrics.customer_base_multiple(
                annual_retention_rate + uplift_points, annual_acquisition_rate, year
            ),
        }
        for year in range(years + 1)
    ]
    return pd.DataFrame(rows)


def annual_acquisition_rate(baseline: Baseline) -> float:
    """New customers per existing customer per year, from the per-period rate (compounded with retention)."""
    if baseline.acquisition_rate is None or baseline.retention_rate is None:
        return 0.0
    k = baseline.periods_per_year
    growth = (baseline.retention_rate + baseline.acquisition_rate) ** k
    return max(0.0, growth - metrics.convert_retention_rate(baseline.retention_rate, k, 1))


def reichheld_verdict(inputs: ProfitInputs, result: metrics.UpliftResult) -> Verdict:
    """Compare the result with the published 25–95 % band and name the likely reasons when outside it.

    Reasons (i18n keys): ``short_lifetime`` (expected lifetime under 3 years), ``flat_profits`` (last year's
    profit less than 1.5 × the first year's), ``high_discount`` (annual discount rate above 12 %),
    ``acquisition_cost`` (value before the uplift not positive, so a relative change is meaningless),
    ``long_lifetime`` (over 10 years: survival changes compound for long).
    """
    low, high = benchmarks.REICHHELD_PROFIT_BAND
    if result.relative_change is None:
        return Verdict("undefined", ("acquisition_cost",))
    scaled = result.relative_change * benchmarks.REICHHELD_UPLIFT_POINTS / inputs.uplift_points \
        if inputs.uplift_points > 0 else 0.0
    profits = inputs.profits_by_tenure
    if low <= scaled <= high:
        return Verdict("inside", ())
    if scaled < low:
        reasons = tuple(
            reason for reason, applies in (
                ("short_lifetime", result.lifetime_before < 3),
                ("flat_profits", profits[-1] < 1.5 * profits[0]),
                ("high_discount", inputs.annual_discount_rate > 0.12),
            ) if applies
        )
        return Verdict("below", reasons)
    return Verdict("above", ("long_lifetime",) if result.lifetime_before > 10 else ())


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
    """Loyalty metrics over all customers in the data; ``None`` where the needed column or sheet is missing."""

    customers: int
    repeat_purchase_rate: float
    upsell_rate: float | None
    upsell_ratio: float | None
    nps: float | None
    promoters: int
    passives: int
    detractors: int


def loyalty_facts(aggs: Aggregates) -> LoyaltyFacts:
    """Repeat-purchase rate (customers with 2+ orders), upsell rate and ratio (2+ distinct products), NPS."""
    customers = aggs.customers
    total = len(customers)
    repeaters = int((customers["orders"] >= 2).sum())
    upsell_rate = upsell_ratio = None
    if aggs.has_products:
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
        repeat_purchase_rate=metrics.repeat_purchase_rate(repeaters, total),
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

