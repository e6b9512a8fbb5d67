"""Revenue retention (Umsatzbindung): net and gross revenue retention and the revenue bridge between periods.

Customer retention counts heads; these figures count money. For a period P of the analysis grid (month, quarter
or year, as for every period KPI) and the period before it, P − 1:

* A customer counts in a period when they **bought** in it (placed an order, a row with amount ≥ 0) — the same
  "active" as everywhere in the dashboard. Their revenue there is their **net revenue**: orders less returns, as in
  every revenue figure of the dashboard.
* The **revenue bridge** from P − 1 to P: starting revenue (what P − 1's buyers spent in P − 1) + new (customers
  whose first order is in P) + reactivated (bought in P, not in P − 1, ordered before) + expansion − contraction
  (customers who bought in both: the rise or fall of their revenue) − churned (P − 1's revenue of its buyers who did
  not buy in P) = ending revenue (what P's buyers spent in P). Every euro of a buyer lands in exactly one line, so
  the bridge closes to the cent, and P's ending revenue is P + 1's starting revenue.
* **NRR** = what P − 1's buyers spent in P ÷ what they spent in P − 1; **GRR** the same with each customer's
  revenue capped at its P − 1 value (no expansion). Both are fractions per period of the grid. Yearly figures are
  year over year on the yearly grid, never compounded from shorter periods.

Edge cases, decided here and shown in the app:

* **Returns in a period without an order** (returns only): that customer did not buy in the period, so they are
  no buyer there. A buyer of P − 1 who only returns goods in P has churned (all of their P − 1 revenue is churned
  revenue) and counts 0, not less, in NRR and GRR. The returns themselves stay outside the bridge as
  ``returns_without_order``; the period's net revenue (as on the other pages) is ending + returns without order.
* **Bought in P − 1 with net revenue 0** (everything returned): a buyer of P − 1 with starting revenue 0; buying
  again in P is expansion from 0, not buying is churn of 0 €. A buyer whose returns of earlier purchases exceed the
  period's orders has a negative revenue there and counts with it.
* **The first period** of the data has no period before it: no starting revenue, no NRR or GRR ("–").
* **No revenue in P − 1** (starting revenue ≤ 0): NRR and GRR are undefined, shown as "–", never 0 or infinite.

The per-period and per-cohort sums come from one SQL pass over the orders (``sql/customer_period_flows.sql`` and
``sql/revenue_bridge.sql``, via :func:`retention_core.queries.revenue_bridge`); everything here works on those
small tables.

References:

* SaaS Capital, "B2B SaaS Retention Benchmarks" (annual survey, 2019–2023): net revenue retention = revenue now
  from the customers of a year ago ÷ their revenue then; gross revenue retention the same with each customer's
  revenue set no higher than before.
* The revenue movements new, expansion, contraction, churn and reactivation as ChartMogul and Baremetrics show
  them for recurring revenue (MRR movements).
* Seed article 003, "Umsatzbindung": revenue retention as the share of revenue kept from existing customers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention_core.dataset import MONTHS_PER_PERIOD, Aggregates

MONEY = ("starting_revenue", "new_revenue", "reactivated_revenue", "expansion_revenue", "contraction_revenue",
         "churned_revenue", "ending_revenue", "returns_without_order")
"""The money columns of a bridge, in the data's currency (:func:`retention_core.queries.revenue_bridge`)."""

COUNTS = ("starting_customers", "new_customers", "reactivated_customers", "expanding_customers",
          "contracting_customers", "churned_customers", "ending_customers")
"""The customer counts beside them."""

STEPS = (("new_revenue", 1), ("reactivated_revenue", 1), ("expansion_revenue", 1), ("contraction_revenue", -1),
         ("churned_revenue", -1))
"""The lines between starting and ending revenue and the sign each adds with."""

COMPLETE_SLACK = pd.Timedelta(days=7)
"""A period counts as observed to its end when the data reaches within this of it (as the baseline's periods)."""


# --- formulas -------------------------------------------------------------------------------------------------


def _finite(name: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite amount, got {value!r}")
    return number


def _not_negative(name: str, value: float) -> float:
    number = _finite(name, value)
    if number < 0:
        raise ValueError(f"{name} is a sum of increases or decreases and cannot be negative, got {value!r}")
    return number


def net_revenue_retention(starting_revenue: float, expansion_revenue: float, contraction_revenue: float,
                          churned_revenue: float) -> float | None:
    """Net revenue retention (NRR) from one period to the next.

    What the customers who bought in the previous period spend in this one, as a share of what they spent then:
    upsells count, new and reactivated customers do not. Above 1 the existing customers grow revenue by themselves.

    Formula: NRR = (S + E − C − L) / S   (S = starting revenue, E = expansion, C = contraction, L = churned revenue)

    Units: fraction of the starting revenue per period of the grid (1.05 = 105 %); None when S ≤ 0 (no revenue in
    the previous period: undefined, never 0 or infinite).

    Reference: SaaS Capital, "B2B SaaS Retention Benchmarks" (net retention = revenue now from the customers of a
    year ago / their revenue then); MRR movements as in ChartMogul and Baremetrics.
    """
    start = _finite("starting_revenue", starting_revenue)
    expansion = _not_negative("expansion_revenue", expansion_revenue)
    contraction = _not_negative("contraction_revenue", contraction_revenue)
    churned = _finite("churned_revenue", churned_revenue)
    if start <= 0:
        return None
    return (start + expansion - contraction - churned) / start


def gross_revenue_retention(starting_revenue: float, contraction_revenue: float,
                            churned_revenue: float) -> float | None:
    """Gross revenue retention (GRR) from one period to the next.

    What the customers who bought in the previous period still spend, each counted at most at their previous
    amount: Σ min(revenue now, revenue before) over them, as a share of the starting revenue. Expansion cannot
    lift it, so it shows what is lost to churn and to customers who buy less; it is at most 1.

    Formula: GRR = (S − C − L) / S = Σ min(r_P, r_P−1) / Σ r_P−1   (C = contraction, L = churned revenue)

    Units: fraction of the starting revenue per period of the grid (0.9 = 90 %); None when S ≤ 0.

    Reference: SaaS Capital, "B2B SaaS Retention Benchmarks" (gross retention: each customer's revenue set no
    higher than a year before).
    """
    start = _finite("starting_revenue", starting_revenue)
    contraction = _not_negative("contraction_revenue", contraction_revenue)
    churned = _finite("churned_revenue", churned_revenue)
    if start <= 0:
        return None
    return (start - contraction - churned) / start


def bridge_ending(starting_revenue: float, new_revenue: float, reactivated_revenue: float, expansion_revenue: float,
                  contraction_revenue: float, churned_revenue: float) -> float:
    """Ending revenue that the revenue bridge adds up to.

    Formula: ending = starting + new + reactivated + expansion − contraction − churned

    Units: money of one period, in the data's currency.

    Reference: the MRR bridge ("MRR movements") of ChartMogul and Baremetrics, on net revenue per period.
    """
    return (_finite("starting_revenue", starting_revenue) + _finite("new_revenue", new_revenue)
            + _finite("reactivated_revenue", reactivated_revenue)
            + _not_negative("expansion_revenue", expansion_revenue)
            - _not_negative("contraction_revenue", contraction_revenue) - _finite("churned_revenue", churned_revenue))


# --- the bridge per period and per cohort ---------------------------------------------------------------------


def bridge_by_period(cells: pd.DataFrame, period_starts: Sequence) -> pd.DataFrame:
    """The revenue bridge of every period: :func:`retention_core.queries.revenue_bridge` summed over the cohorts.

    ``period_starts``: every period of the data in order (``Aggregates.activity["period_start"]``); a period
    without a buyer in it or before it gets zeros. Columns: ``period_start``, :data:`MONEY`, :data:`COUNTS`,
    ``has_previous`` (False for the first period) and ``nrr``, ``grr`` (fractions; NaN where undefined: the first
    period, or no starting revenue).
    """
    starts = pd.DatetimeIndex(pd.to_datetime(list(period_starts)), name="period_start")
    summed = cells.groupby("period_start")[[*MONEY, *COUNTS]].sum()
    summed.index = pd.DatetimeIndex(summed.index)
    frame = summed.reindex(starts, fill_value=0).reset_index()
    frame[list(COUNTS)] = frame[list(COUNTS)].astype("int64")
    frame["has_previous"] = np.arange(len(frame)) > 0
    frame["nrr"] = [_or_nan(net_revenue_retention(row.starting_revenue, row.expansion_revenue,
                                                  row.contraction_revenue, row.churned_revenue))
                    if row.has_previous else np.nan for row in frame.itertuples(index=False)]
    frame["grr"] = [_or_nan(gross_revenue_retention(row.starting_revenue, row.contraction_revenue,
                                                    row.churned_revenue))
                    if row.has_previous else np.nan for row in frame.itertuples(index=False)]
    return frame


def _or_nan(value: float | None) -> float:
    return np.nan if value is None else value


def cohort_revenue_retention(cells: pd.DataFrame, period: str) -> pd.DataFrame:
    """NRR and GRR of each first-order cohort from each period to the next, for the cohort's buyers alone.

    The same formulas as for all customers (:func:`net_revenue_retention`, :func:`gross_revenue_retention`), on the
    cohort's lines of the bridge: of what the cohort's buyers of the previous period spent then, which share they
    spend now. Columns: ``cohort_start``, ``periods_since`` (1 = the period after the cohort's first; 0 has no
    previous period and is left out), ``starting_revenue``, ``nrr``, ``grr`` (NaN without starting revenue).
    """
    cohorts = cells[cells["cohort_index"].notna()]
    cohorts = cohorts[cohorts["period_index"] > cohorts["cohort_index"]]
    rows = [{
        "cohort_start": pd.Timestamp(row.cohort_start),
        "periods_since": int(row.period_index - row.cohort_index),
        "starting_revenue": float(row.starting_revenue),
        "nrr": _or_nan(net_revenue_retention(row.starting_revenue, row.expansion_revenue, row.contraction_revenue,
                                             row.churned_revenue)),
        "grr": _or_nan(gross_revenue_retention(row.starting_revenue, row.contraction_revenue, row.churned_revenue)),
    } for row in cohorts.itertuples(index=False)]
    frame = pd.DataFrame(rows, columns=["cohort_start", "periods_since", "starting_revenue", "nrr", "grr"])
    frame.attrs["period"] = period
    return frame.sort_values(["cohort_start", "periods_since"], ignore_index=True)


def cohort_nrr_matrix(cells: pd.DataFrame, period: str) -> pd.DataFrame:
    """:func:`cohort_revenue_retention`'s NRR as a matrix: every cohort as a row (one without a later period yet
    has no values), periods since the first as columns (1, 2, ...)."""
    long = cohort_revenue_retention(cells, period)
    cohorts = pd.DatetimeIndex(sorted(cells.loc[cells["cohort_index"].notna(), "cohort_start"].unique()),
                               name="cohort_start")
    matrix = long.pivot(index="cohort_start", columns="periods_since", values="nrr")
    return matrix.reindex(cohorts)


# --- page results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevenueRetention:
    """The revenue bridge of one period and its NRR and GRR (None where undefined), in the data's currency.

    ``complete``: both periods are observed from their first to their last day (the data neither starts after
    P − 1 began nor ends before P is over); otherwise the figures are of partly observed periods.
    """

    period_start: pd.Timestamp
    previous_start: pd.Timestamp | None
    starting_revenue: float
    new_revenue: float
    reactivated_revenue: float
    expansion_revenue: float
    contraction_revenue: float
    churned_revenue: float
    ending_revenue: float
    returns_without_order: float
    starting_customers: int
    new_customers: int
    reactivated_customers: int
    expanding_customers: int
    contracting_customers: int
    churned_customers: int
    ending_customers: int
    nrr: float | None
    grr: float | None
    complete: bool

    @property
    def gap(self) -> float:
        """Ending revenue less what the bridge's lines add up to; 0 up to the floating point of the sums."""
        return self.ending_revenue - bridge_ending(self.starting_revenue, self.new_revenue, self.reactivated_revenue,
                                                   self.expansion_revenue, self.contraction_revenue,
                                                   self.churned_revenue)


def available(aggs: Aggregates) -> bool:
    """Whether ``aggs`` hold the revenue bridge (an aggregates folder written before it was added does not)."""
    return aggs.revenue is not None


def bridge_table(aggs: Aggregates) -> pd.DataFrame:
    """:func:`bridge_by_period` of ``aggs`` with ``complete`` per period (see :class:`RevenueRetention`)."""
    if aggs.revenue is None:
        raise ValueError("these aggregates hold no revenue bridge; aggregate the data again to get one")
    frame = bridge_by_period(aggs.revenue, aggs.activity["period_start"])
    starts = frame["period_start"]
    months = pd.DateOffset(months=MONTHS_PER_PERIOD[aggs.period])
    observed_from = starts.shift(1) >= aggs.data_start.normalize()
    observed_to = (starts + months - pd.Timedelta(days=1)) <= aggs.data_end + COMPLETE_SLACK
    frame["complete"] = (frame["has_previous"] & observed_from & observed_to).to_numpy()
    return frame


def period_retention(aggs: Aggregates, period_start: pd.Timestamp,
                     table: pd.DataFrame | None = None) -> RevenueRetention:
    """The bridge, NRR and GRR of the period starting ``period_start`` (ValueError for a period not in the data).

    ``table``: :func:`bridge_table` of ``aggs`` where the caller has it already (it reads several periods), so it
    is not computed again."""
    table = bridge_table(aggs) if table is None else table
    position = np.flatnonzero(table["period_start"] == pd.Timestamp(period_start))
    if not len(position):
        raise ValueError(f"no period starts on {pd.Timestamp(period_start):%Y-%m-%d}")
    row = table.iloc[int(position[0])]
    previous = table["period_start"].iloc[int(position[0]) - 1] if position[0] > 0 else None
    return RevenueRetention(
        period_start=pd.Timestamp(row["period_start"]),
        previous_start=None if previous is None else pd.Timestamp(previous),
        **{name: float(row[name]) for name in MONEY},
        **{name: int(row[name]) for name in COUNTS},
        nrr=None if pd.isna(row["nrr"]) else float(row["nrr"]),
        grr=None if pd.isna(row["grr"]) else float(row["grr"]),
        complete=bool(row["complete"]),
    )


def retention_trend(aggs: Aggregates) -> pd.DataFrame:
    """NRR and GRR per period from the second period on (``period_start``, ``nrr``, ``grr``, ``complete``)."""
    table = bridge_table(aggs)
    return table.loc[table["has_previous"], ["period_start", "nrr", "grr", "complete"]].reset_index(drop=True)
