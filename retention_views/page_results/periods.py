"""The periods a page can show and one period's facts, shared by the Overview, the Retention cost page and the
what-if results.

Per-period rates are fractions per analysis period (month, quarter or year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention_core import metrics
from retention_core.dataset import MONTHS_PER_PERIOD, Aggregates


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


@dataclass(frozen=True)
class PeriodFacts:
    """The KPIs of one period; ``None`` where the data needed for a KPI is missing (e.g. no cost sheet).

    ``active_customers`` is the customer base at the period's end (E: ordered within the activity window);
    ``new_customers`` the customers whose first order falls in the period; ``buyers`` the customers with an order
    in the period; ``returning_buyer_share`` the share of those buyers who had ordered in an earlier period.
    ``acquisition_cost`` is the period's own CAC (acquisition spend of the period ÷ its new customers), not the
    annual one customer value uses.
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


def period_row(frame: pd.DataFrame | None, period_start: pd.Timestamp) -> pd.Series | None:
    """The row of a per-period frame (activity, costs, acquisition, NPS) for ``period_start``; None without one."""
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
    :func:`retention_views.whatif.outcomes.customer_value_kpis`.
    """
    activity = period_row(aggs.activity, period_start)
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
        retention_cost_per_customer=_number(period_row(aggs.costs, period_start), "cost_per_active_customer"),
        acquisition_cost=_number(period_row(aggs.acquisition, period_start), "cac"),
        nps=nps_for_period(aggs, period_start),
    )


def nps_for_period(aggs: Aggregates, period_start: pd.Timestamp) -> float | None:
    """NPS of the survey answers given in the period, None without answers."""
    row = period_row(aggs.nps, period_start)
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
