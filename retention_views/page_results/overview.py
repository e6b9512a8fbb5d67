"""The Overview's cards and trend: per-period KPIs with the previous period's values, and the revenue-retention
cards."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retention_core import metrics, revenue
from retention_core.dataset import Aggregates
from retention_views.page_results.periods import measurable_periods, period_facts, previous_period


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


REVENUE_KPI_FIELDS = (
    ("net_revenue_retention", "nrr", "fraction", False),
    ("gross_revenue_retention", "grr", "fraction", False),
    ("churned_revenue", "churned_revenue", "money", True),
    ("expansion_revenue", "expansion_revenue", "money", False),
)
"""The revenue-retention cards: i18n name (``kpi_<name>``), :class:`RevenueRetention` field, kind, lower is better."""


def revenue_retention_kpis(aggs: Aggregates, period_start: pd.Timestamp,
                           table: pd.DataFrame | None = None) -> tuple[Kpi, ...]:
    """The revenue-retention cards of ``period_start`` with the previous period's values for the change
    (``table``: :func:`revenue.bridge_table` of ``aggs`` where the caller has it)."""
    table = revenue.bridge_table(aggs) if table is None else table
    current = revenue.period_retention(aggs, period_start, table)
    before = None if current.previous_start is None else revenue.period_retention(aggs, current.previous_start, table)
    return tuple(
        Kpi(name, kind, getattr(current, field), None if before is None else getattr(before, field), lower)
        for name, field, kind, lower in REVENUE_KPI_FIELDS
    )
