"""One business's data, prepared, and its aggregates for one analysis period.

Data flows one way: upload bytes -> :func:`retention_core.ingest.read_table` -> ``map_columns`` -> ``prepare_sheet``
-> :class:`Dataset` -> :func:`aggregate` (all DuckDB work, once per data set and period) -> :class:`Aggregates`,
a bundle of small frames that every page and slider works from. Nothing after :func:`aggregate` reads raw rows.

What :func:`aggregate` does differently on large data sits apart, as it changes no result: the orders coded for DuckDB
and grouped range by customer range in :mod:`retention_core.coded_orders`, the memory handed back between its steps
in :mod:`retention_core.freed_memory`. What segments need beyond the customer summary, made on first use after the
aggregation, is :class:`~retention_core.segment_inputs.SegmentInputs`.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa

from retention_core import intervals, models, queries, segments
from retention_core.ingest.contract import Problem
from retention_core.ingest.prepare import TextCodes, unusable_sheet_problems
from retention_core.customer_value import AnnualBasis, annual_basis, annual_windows
from retention_core.coded_orders import _customer_codes, _customer_summary, _decode
from retention_core.engines import DuckDBEngine, Engine, Table
from retention_core.freed_memory import _give_back_freed_memory, _give_back_working_memory
from retention_core.intervals import BasisReplicates
from retention_core.models import TIME_UNIT, PredictiveModels, fit_predictive_models
from retention_core.segment_inputs import SegmentInputs

PERIODS_PER_YEAR = {"month": 12, "quarter": 4, "year": 1}
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}
ACTIVITY_MONTHS = (3, 6, 12)

#: The steps of :func:`aggregate` in the order they run, as named to its ``progress`` callback (each has an
#: ``aggregate_step_<name>`` text in the locale files). Steps that do not apply (no cost sheet, parts reused) are
#: left out of a run.
AGGREGATE_STEPS = ("prepare", "activity", "cohorts", "costs", "acquisition", "nps", "tenure", "customers",
                   "segments", "predictive")

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: ``step`` (one of :data:`AGGREGATE_STEPS`) starts after ``done`` of ``total``
steps; a last call ``progress("done", total, total)`` ends the run."""


@dataclass(frozen=True)
class Dataset:
    """The five canonical sheets of one business; only ``transactions`` is required.

    ``customers`` is the optional customers sheet (``customer_id`` plus attributes such as ``channel``): it only
    adds segments; no whole-business figure reads it.

    ``key`` identifies the content (a hash of the uploaded bytes or of the sample files) and is what caches are
    keyed by; ``name`` is shown to the user. A sheet may also be a :class:`~retention_core.engines.TableSource`
    (orders read by path, never loaded into pandas), which :func:`aggregate` hands to its engine.
    """

    transactions: Table
    retention_costs: pd.DataFrame | None = None
    acquisition: pd.DataFrame | None = None
    nps: pd.DataFrame | None = None
    customers: pd.DataFrame | None = None
    key: str = ""
    name: str = ""
    #: the codes of the transactions' text columns that ``prepare_sheet`` found (``Prepared.codes``), reused by
    #: :func:`aggregate` for ``customer_id`` and ``product`` where they still describe the frame
    transaction_codes: Mapping[str, TextCodes] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Aggregates:
    """Small per-period and per-customer tables of one :class:`Dataset` for one analysis period.

    ``activity`` is :func:`queries.period_activity`; ``costs`` is :func:`queries.retention_cost_per_active_customer`
    (None without a cost sheet); ``cost_items`` is :func:`queries.cost_by_period`; ``acquisition`` is
    :func:`queries.acquisition_by_period` (None without an acquisition sheet); ``cohorts`` is
    :func:`queries.cohort_retention`; ``tenure`` is :func:`queries.revenue_by_tenure` by year of customer age;
    ``nps`` is :func:`queries.nps_by_period` (None without survey answers); ``customers`` is
    :func:`queries.customer_summary` without its BTYD columns (``predictive.summary`` holds those). ``gross_margin``
    is the revenue-weighted margin of the data, None when the transactions carry no margin column. ``predictive``
    holds the BG/NBD and Gamma-Gamma fits (:func:`retention_core.models.fit_predictive_models`), fitted here
    once so sliders never refit. ``rows`` counts the transaction rows aggregated, returns included (None when an
    aggregates folder does not say). ``basis`` is the annual basis of customer value
    (:class:`~retention_core.customer_value.AnnualBasis`: the last 12 months before the data's last order date and
    the 12 before), None when the customer summary lacks its columns; like ``customers`` it does not depend on the
    period or the activity window. ``revenue`` is :func:`queries.revenue_bridge`, the revenue bridge per period
    and first-order cohort (None in an aggregates folder written before it; see :mod:`retention_core.revenue`).

    What segments need (:mod:`retention_core.segments`, e.g. :func:`~retention_core.segments.dimension_bases`):
    ``retention_spend_by_segment`` and ``acquisition_by_segment`` are the cost sheets' spend in the annual basis's
    last 12 months per value of their ``segment`` column (:func:`segments.retention_spend_by_segment`,
    :func:`segments.acquisition_by_segment`; None without one); ``first_orders``, ``customer_attributes`` and
    ``customers_sheet`` are read off :class:`SegmentInputs`, made on first use (see there).
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
    rows: int | None = None
    basis: AnnualBasis | None = None
    revenue: pd.DataFrame | None = None
    retention_spend_by_segment: pd.DataFrame | None = None
    acquisition_by_segment: pd.DataFrame | None = None
    #: the first orders and the customers sheet's attributes, made on first use (:class:`SegmentInputs`)
    segment_inputs: SegmentInputs | None = field(default=None, compare=False, repr=False)
    #: bootstrap replicates of ``basis`` (:func:`retention_core.intervals.basis_replicates`), made with it once per
    #: data set with the tenure years' revenue per active customer (the same weights); empty without a basis (then no
    #: figure has an interval)
    basis_replicates: BasisReplicates = field(default_factory=lambda: BasisReplicates(()), compare=False,
                                              repr=False)

    @property
    def first_orders(self) -> pd.DataFrame | None:
        """Each customer's first order (:attr:`SegmentInputs.first_orders`); None when not known (an old folder)."""
        return None if self.segment_inputs is None else self.segment_inputs.first_orders

    @property
    def customer_attributes(self) -> pd.DataFrame | None:
        """The customers sheet's attributes (:attr:`SegmentInputs.customer_attributes`); None without the sheet."""
        return None if self.segment_inputs is None else self.segment_inputs.customer_attributes

    @property
    def customers_sheet(self) -> segments.CustomersSheetMatch | None:
        """How the customers sheet meets the orders (:attr:`SegmentInputs.match`); None without the sheet."""
        return None if self.segment_inputs is None else self.segment_inputs.match

    @property
    def periods_per_year(self) -> int:
        return PERIODS_PER_YEAR[self.period]

    @functools.cached_property
    def data_end(self) -> pd.Timestamp:
        """Date of the last order in the data, looked up once: most pages need it on every rerun, and a scan of
        ``customers`` on every rerun is noticeable with millions of customers."""
        return pd.Timestamp(self.customers["last_order"].max())

    @functools.cached_property
    def data_start(self) -> pd.Timestamp:
        """Date of the first order in the data, looked up once (see :attr:`data_end`)."""
        return pd.Timestamp(self.customers["first_order"].min())


SHEET_NAMES = ("transactions", "retention_costs", "acquisition", "nps", "customers")


def dataset_problems(dataset: Dataset) -> list[tuple[str, Problem]]:
    """Why ``dataset`` cannot be aggregated, as (sheet kind, "error" problem) pairs: a sheet without one of its
    required columns or without rows, transactions that are all returns
    (:func:`retention_core.ingest.prepare.unusable_sheet_problems`). Empty when it can."""
    return [(kind, problem) for kind in SHEET_NAMES if getattr(dataset, kind) is not None
            for problem in unusable_sheet_problems(getattr(dataset, kind), kind)]


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


def weighted_gross_margin(
    transactions: Table, engine: Engine | None = None, totals: pd.Series | None = None
) -> float | None:
    """Revenue-weighted gross margin of the orders (a fraction), None when there is no margin column.

    Definition: gross profit over revenue across all orders with a known margin and positive amount.
    Formula: Σ amount·margin / Σ amount. Units: fraction. Summed by ``engine`` (``sql/transaction_totals.sql``)
    unless ``totals`` (:func:`queries.transaction_totals` of ``transactions``) are given.
    """
    if "gross_margin" not in transactions.columns:
        return None
    if totals is None:
        totals = queries.transaction_totals(transactions, engine)
    revenue = totals["margin_revenue"]
    if pd.isna(revenue) or revenue <= 0:
        return None
    return float(totals["gross_profit"] / revenue)


def aggregate(
    dataset: Dataset,
    period: str = "quarter",
    activity_months: int = 12,
    *,
    reuse: Aggregates | None = None,
    predictive: PredictiveModels | None = None,
    fit_models: bool = True,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> Aggregates:
    """All DuckDB aggregation of ``dataset`` for ``period``: run once, then every page works from the result.

    ``activity_months``: a customer counts as active (in the customer base) at a period's end when they ordered
    within that many months; a customer without an order for longer counts as lost. ``engine`` runs the SQL
    (default: embedded DuckDB, from :data:`~retention_core.coded_orders.CODED_IDS_FROM_ROWS` rows on with a database
    of its own for each query that groups the orders, so DuckDB's working memory goes back to the system after each;
    see :mod:`retention_core.engines`); the sheets may then be path sources.

    ``reuse``: an earlier result for the same ``dataset`` (another period or activity window); its
    period-independent parts (``customers``, ``basis``, ``tenure``, ``gross_margin``, ``predictive`` and what
    segments need: ``first_orders``, ``customer_attributes`` …) are taken over instead of computed again. ``predictive``: the BG/NBD + Gamma-Gamma fits of this ``dataset``
    (:func:`fit_predictive_models`), e.g. from an earlier run; fitted here when neither gives them. Both give
    the same result as a run without them. ``fit_models=False`` leaves the fits out when neither gives them
    (``predictive`` None, no "predictive" step): for a view that shows no model, which then need not wait for them;
    :func:`predictive_models` fits them later, the same as here.
    ``progress(step, done, total)`` is called before each step that runs
    (:data:`AGGREGATE_STEPS`) and with ``"done"`` at the end, for a progress display; it must not raise.
    A ``dataset`` with :func:`dataset_problems` (a required column missing, a sheet without rows, returns only)
    raises ``ValueError`` naming them.
    """
    problems = dataset_problems(dataset)
    if problems:
        raise ValueError("the data set cannot be aggregated: " + "; ".join(
            f"{kind}: {problem.key} {dict(problem.params)}" for kind, problem in problems))
    window = activity_periods(period, activity_months)
    costs = dataset.retention_costs
    acquisition = dataset.acquisition
    sheets = ("transactions",) + tuple(
        name for name in ("retention_costs", "acquisition", "nps", "customers") if getattr(dataset, name) is not None
    )
    if reuse is not None and predictive is None:
        predictive = reuse.predictive
    steps = ["prepare", "activity", "cohorts"]
    steps += [name for name, sheet in (("costs", costs), ("acquisition", acquisition), ("nps", dataset.nps))
              if sheet is not None]
    steps += [] if reuse is not None else ["tenure", "customers", "segments"]
    steps += [] if predictive is not None or not fit_models else ["predictive"]
    done = iter(range(len(steps)))

    def step(name: str) -> None:
        if progress is not None:
            progress(name, next(done), len(steps))

    step("prepare")
    transactions, uniques = _customer_codes(  # products: only the customers step needs them
        dataset.transactions, products=reuse is None, known=dataset.transaction_codes
    )
    # Large data: each query that groups the orders runs on a database of its own (the customer summary's ranges
    # share one), so its memory goes back to the system. The rest (`small`: flows readers, sheets, ungrouped totals,
    # the fit sample) need little memory and run on the shared database, which saves opening a database for each.
    small = engine
    if engine is None and uniques is not None:
        engine = DuckDBEngine(fresh_database=True)
    pa.default_memory_pool().release_unused()  # the coding's scratch Arrow buffers: give them back, not pooled
    step("activity")  # one pass over the orders for both the activity and the cohorts
    flows = queries.customer_period_flows(transactions, period, window, engine)
    activity = queries.period_activity(transactions, period, window, small, flows=flows)
    step("cohorts")  # with the revenue bridge: both are counted from the flows
    cohorts = queries.cohort_retention(transactions, period, small, flows=flows)
    results: dict[str, object] = {"revenue": queries.revenue_bridge(transactions, period, small, flows=flows)}
    if costs is not None:
        step("costs")
        results["costs"] = queries.retention_cost_per_active_customer(
            costs, transactions, period, window, small, activity=activity
        )
        results["cost_items"] = queries.cost_by_period(costs, period, small)
    if acquisition is not None:
        step("acquisition")
        results["acquisition"] = queries.acquisition_by_period(
            acquisition, transactions, period, small, activity=activity
        )
    if dataset.nps is not None:
        step("nps")
        results["nps"] = queries.nps_by_period(dataset.nps, period, small)
    summary = totals = None
    if reuse is not None:
        customer_table, tenure, gross_margin, rows = reuse.customers, reuse.tenure, reuse.gross_margin, reuse.rows
        basis, replicates = reuse.basis, reuse.basis_replicates
        segment_inputs = {"segment_inputs": reuse.segment_inputs, "retention_spend_by_segment":
                          reuse.retention_spend_by_segment, "acquisition_by_segment": reuse.acquisition_by_segment}
    else:
        # tenure first: its query then runs before the customer tables (large on large data) exist
        step("tenure")
        # one read of the orders for the tenure table and each customer's revenue and activity by tenure year,
        # resampled with the basis (in this step, before the customer tables exist; coded ids are the summary's
        # row numbers, kept as such)
        tenure_parts = queries.tenure_revenue(transactions, "year", engine, max_tenure=intervals.TENURE_YEARS)
        tenure = queries.revenue_by_tenure(transactions, "year", parts=tenure_parts)
        customer_tenures = queries.customer_tenure_revenue(transactions, "year", max_tenure=intervals.TENURE_YEARS,
                                                           parts=tenure_parts)
        del tenure_parts
        pa.default_memory_pool().release_unused()  # the query's Arrow result, split: give it back before the peak
        if uniques is not None:
            customer_tenures = intervals.customer_tenure_positions(pd.Series(np.arange(len(uniques))),
                                                                   customer_tenures)
        _give_back_freed_memory()  # the tenure query's working memory, before the customer summary's peak
        step("customers")  # with the BTYD summary the models are fitted on, in weeks: one pass for both
        totals = queries.transaction_totals(transactions, small)  # E, the anchor of the annual basis, first
        basis_end = None if pd.isna(totals["last_purchase_date"]) else pd.Timestamp(totals["last_purchase_date"])
        coded = _customer_summary(transactions, engine, None if uniques is None else len(uniques), basis_end)
        if uniques is not None:
            _give_back_working_memory()  # the query's and its Arrow result's, freed: before the replicates' peak
        summary = models.btyd_summary(coded, TIME_UNIT)
        if uniques is None:
            customer_tenures = intervals.customer_tenure_positions(coded["customer_id"], customer_tenures)
        customer_table = _decode(coded.drop(columns=list(models.BTYD_COLUMNS[1:])), uniques)
        del coded
        pa.default_memory_pool().release_unused()
        rows = int(totals["rows"])
        gross_margin = weighted_gross_margin(transactions, small, totals)
        basis = _annual_basis(customer_table, costs, acquisition, basis_end, small)
        replicates = intervals.basis_replicates(customer_table, basis, customer_tenures=customer_tenures)
        del customer_tenures
        step("segments")  # the cost sheets' segment columns; the first orders and the customers sheet on first use
        segment_inputs = _segment_inputs(dataset, customer_table, basis, small)
    if predictive is None and fit_models:
        step("predictive")
        predictive = _fitted_models(transactions, uniques, small, summary, totals)
    if progress is not None:
        progress("done", len(steps), len(steps))
    return Aggregates(
        period=period,
        activity_months=activity_months,
        activity=activity,
        cohorts=cohorts,
        tenure=tenure,
        customers=customer_table,
        gross_margin=gross_margin,
        has_products="product" in dataset.transactions.columns,
        sheets=sheets,
        predictive=predictive,
        rows=rows,
        basis=basis,
        basis_replicates=replicates,
        **segment_inputs,
        **results,
    )


def predictive_models(dataset: Dataset, engine: Engine | None = None) -> PredictiveModels:
    """The BG/NBD and Gamma-Gamma fits of ``dataset`` (:func:`fit_predictive_models`) as :func:`aggregate` makes
    them, on the same customer summary: for aggregates made with ``fit_models=False``, which
    ``dataclasses.replace(aggs, predictive=predictive_models(dataset))`` completes. Reads the orders once more (their
    totals and customer summary); ``engine`` as for :func:`aggregate`."""
    transactions, uniques = _customer_codes(dataset.transactions, known=dataset.transaction_codes)
    small = engine
    if engine is None and uniques is not None:
        engine = DuckDBEngine(fresh_database=True)
    totals = queries.transaction_totals(transactions, small)
    basis_end = None if pd.isna(totals["last_purchase_date"]) else pd.Timestamp(totals["last_purchase_date"])
    coded = _customer_summary(transactions, engine, None if uniques is None else len(uniques), basis_end)
    return _fitted_models(transactions, uniques, small, models.btyd_summary(coded, TIME_UNIT), totals)


def _fitted_models(
    transactions: Table, uniques: pd.Index | None, engine: Engine | None, summary: pd.DataFrame | None,
    totals: pd.Series | None,
) -> PredictiveModels:
    """:func:`fit_predictive_models` of (coded) ``transactions`` with their weekly ``summary`` and ``totals`` (None:
    made by it), the summary's ids decoded (see :func:`~retention_core.coded_orders._customer_codes`)."""
    fitted = fit_predictive_models(transactions, engine, summary=summary, totals=totals)
    return replace(fitted, summary=_decode(fitted.summary, uniques))


def _annual_basis(
    customer_table: pd.DataFrame, costs: Table | None, acquisition: Table | None, as_of: object,
    engine: Engine | None,
) -> AnnualBasis | None:
    """The :class:`AnnualBasis` of ``customer_table`` with the retention and acquisition spend dated in the last 12
    months before ``as_of`` (the data's last order date); None without an order."""
    if as_of is None:
        return None
    year_start, _ = annual_windows(as_of)
    end = pd.Timestamp(as_of).normalize()
    spend = None if costs is None else queries.retention_spend_in_window(costs, year_start, end, engine)
    acquired = None if acquisition is None else queries.acquisition_in_window(acquisition, year_start, end, engine)
    return annual_basis(customer_table, retention_spend=spend, acquisition=acquired)


def _segment_inputs(
    dataset: Dataset, customer_table: pd.DataFrame, basis: AnnualBasis | None, engine: Engine | None,
) -> dict[str, object]:
    """What :mod:`retention_core.segments` needs beyond the customer summary, as :class:`Aggregates` fields: the
    cost sheets' spend per segment value in the annual basis's window (small sheets: now), and the
    :class:`SegmentInputs` that make the first orders and the customers sheet's attributes on first use."""
    spend = acquired = None
    if basis is not None:
        year_start, _ = annual_windows(basis.as_of)
        end = pd.Timestamp(basis.as_of).normalize()
        if segments.costs.has_segments(dataset.retention_costs):
            spend = segments.retention_spend_by_segment(dataset.retention_costs, year_start, end, engine)
        if segments.costs.has_segments(dataset.acquisition):
            acquired = segments.acquisition_by_segment(dataset.acquisition, year_start, end, engine)
    inputs = SegmentInputs(dataset.transactions, dataset.customers, customer_ids=customer_table["customer_id"],
                           codes=dataset.transaction_codes, engine=engine)
    return {"segment_inputs": inputs, "retention_spend_by_segment": spend, "acquisition_by_segment": acquired}
