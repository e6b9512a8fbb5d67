"""One business's data, prepared, and its aggregates for one analysis period.

Data flows one way: upload bytes -> :func:`retention_core.loading.read_table` -> ``map_columns`` -> ``prepare_sheet``
-> :class:`Dataset` -> :func:`aggregate` (all DuckDB work, once per data set and period) -> :class:`Aggregates`,
a bundle of small frames that every page and slider works from. Nothing after :func:`aggregate` reads raw rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from retention_core import queries
from retention_core.predictive import PredictiveModels, fit_predictive_models

PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
ACTIVITY_MONTHS = (3, 6, 12)


@dataclass(frozen=True)
class Dataset:
    """The four canonical sheets of one business; only ``transactions`` is required.

    ``key`` identifies the content (a hash of the uploaded bytes or of the sample files) and is what caches are
    keyed by; ``name`` is shown to the user. A sheet may also be a :class:`~retention_core.engines.TableSource`
    (orders read by path, never loaded into pandas), which :func:`aggregate` hands to its engine.
    """

    transactions: queries.Table
    retention_costs: pd.DataFrame | None = None
    acquisition: pd.DataFrame | None = None
    nps: pd.DataFrame | None = None
    key: str = ""
    name: str = ""


@dataclass(frozen=True)
class Aggregates:
    """Small per-period and per-customer tables of one :class:`Dataset` for one analysis period.

    ``activity`` is :func:`queries.period_activity`; ``costs`` is :func:`queries.retention_cost_per_active_customer`
    (None without a cost sheet); ``cost_items`` is :func:`queries.cost_by_period`; ``acquisition`` is
    :func:`queries.acquisition_by_period` (None without an acquisition sheet); ``cohorts`` is
    :func:`queries.cohort_retention`; ``tenure`` is :func:`queries.revenue_by_tenure` by year of customer age;
    ``nps`` is :func:`queries.nps_by_period` (None without survey answers); ``customers`` is
    :func:`queries.customer_summary`. ``gross_margin`` is the revenue-weighted margin of the data, None when the
    transactions carry no margin column. ``predictive`` holds the BG/NBD and Gamma-Gamma fits
    (:func:`retention_core.predictive.fit_predictive_models`), fitted here once so sliders never refit.
    """

    period: str
    activity_months: int
    activity: pd.DataFrame
    cohorts: pd.DataFrame
    tenure: pd.DataFrame
    customers: pd.DataFrame
    costs: pd.DataFrame | None = None
    cost_items: pd.DataFrame | None = None
    acquisition: pd.DataFrame | None = None
    nps: pd.DataFrame | None = None
    gross_margin: float | None = None
    has_products: bool = False
    sheets: tuple[str, ...] = field(default=())
    predictive: PredictiveModels | None = None

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]


def activity_periods(period: str, activity_months: int) -> int:
    """How many periods of ``period`` an activity window of ``activity_months`` spans (at least one)."""
    if activity_months not in ACTIVITY_MONTHS:
        raise ValueError(f"activity_months must be one of {ACTIVITY_MONTHS}, got {activity_months!r}")
    return max(1, activity_months // MONTHS_PER_PERIOD[queries.check_period(period)])


def content_key(*parts: bytes) -> str:
    """A short hash of raw file contents, used to key caches by content (never by file name)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:32]


def weighted_gross_margin(transactions: queries.Table, engine: queries.Engine | None = None) -> float | None:
    """Revenue-weighted gross margin of the orders (a fraction), None when there is no margin column.

    Definition: gross profit over revenue across all orders with a known margin and positive amount.
    Formula: Σ amount·margin / Σ amount. Units: fraction. Summed by ``engine`` (``sql/transaction_totals.sql``).
    """
    if "gross_margin" not in transactions.columns:
        return None
    totals = queries.transaction_totals(transactions, engine)
    revenue = totals["margin_revenue"]
    if pd.isna(revenue) or revenue <= 0:
        return None
    return float(totals["gross_profit"] / revenue)


def aggregate(
    dataset: Dataset, period: str = "quarter", activity_months: int = 12, engine: queries.Engine | None = None
) -> Aggregates:
    """All DuckDB aggregation of ``dataset`` for ``period``: run once, then every page works from the result.

    ``activity_months``: a customer counts as active (in the customer base) at a period's end when they ordered
    within that many months; a customer without an order for longer counts as lost. ``engine`` runs the SQL
    (default: embedded DuckDB; see :mod:`retention_core.engines`); the sheets may then be path sources.
    """
    window = activity_periods(period, activity_months)
    transactions = dataset.transactions
    costs = dataset.retention_costs
    acquisition = dataset.acquisition
    sheets = ("transactions",) + tuple(
        name for name in ("retention_costs", "acquisition", "nps") if getattr(dataset, name) is not None
    )
    return Aggregates(
        period=period,
        activity_months=activity_months,
        activity=queries.period_activity(transactions, period, window, engine),
        cohorts=queries.cohort_retention(transactions, period, engine),
        tenure=queries.revenue_by_tenure(transactions, "year", engine),
        customers=queries.customer_summary(transactions, engine),
        costs=None if costs is None else queries.retention_cost_per_active_customer(
            costs, transactions, period, window, engine
        ),
        cost_items=None if costs is None else queries.cost_by_period(costs, period, engine),
        acquisition=None if acquisition is None else queries.acquisition_by_period(
            acquisition, transactions, period, engine
        ),
        nps=None if dataset.nps is None else queries.nps_by_period(dataset.nps, period, engine),
        gross_margin=weighted_gross_margin(transactions, engine),
        has_products="product" in transactions.columns,
        sheets=sheets,
        predictive=fit_predictive_models(transactions, engine),
    )
