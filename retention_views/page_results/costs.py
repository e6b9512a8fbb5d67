"""The Retention cost page: spend per category of a period, the what-if after relative changes, and the cost
per active customer over time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from retention_core import benchmarks, metrics
from retention_core.ingest import CATEGORIES
from retention_core.dataset import MONTHS_PER_PERIOD, Aggregates
from retention_views.page_results.periods import period_row

COST_CATEGORIES = CATEGORIES  # team, tools, engagement: the data contract's cost categories


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
    row = period_row(aggs.costs, period_start)
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
