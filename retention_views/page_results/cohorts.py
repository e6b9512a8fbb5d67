"""The Cohorts page: retention by cohort and period since the first purchase, and the pooled curve."""

from __future__ import annotations

import pandas as pd

from retention_core.dataset import Aggregates


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
