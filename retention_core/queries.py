"""Run the SQL files in ``retention_core/sql``, one function per query, on an engine (DuckDB by default).

Every function takes an optional ``engine`` (see :mod:`retention_core.engines`): the embedded
:class:`~retention_core.engines.DuckDBEngine` unless told otherwise, or a
:class:`~retention_core.engines.SparkEngine` for order histories that live in a warehouse. The pages never know
which one ran. On DuckDB every query runs on its own cursor of one process-wide, in-memory database that holds no
user data: frames are registered by name on the cursor, which is closed when the query returns, so nothing one
session registers is visible to another. External access (files, HTTP, extension downloads) is off and the
configuration is locked, so SQL can only see the frames handed to it. Values reach SQL only as ``$params``;
column names from uploads never do (frames are renamed to canonical names before they get here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from retention_core.engines import (
    DEFAULT_ENGINE, Engine, Table, TableSource, frame_from_arrow, frame_from_arrow_parts,
)

PERIODS = ("month", "quarter", "year")


def run_sql(
    name: str, params: Mapping[str, object] | None = None, engine: Engine | None = None, **tables: Table
) -> pd.DataFrame:
    """Run ``sql/<name>.sql`` on ``engine`` (default: embedded DuckDB) with ``tables`` under their keyword names.

    A statement still running after :func:`~retention_core.config.query_timeout_seconds` is interrupted and raises
    :class:`~retention_core.engines.QueryTimeout` (DuckDB), so one huge upload cannot hold a worker thread for ever.

    >>> run_sql("period_activity", {"period": "quarter"}, transactions=frame)  # doctest: +SKIP
    """
    return (engine or DEFAULT_ENGINE).run(name, dict(params or {}), tables)


def run_sql_arrow_each(
    name: str, params_each: Sequence[Mapping[str, object]], engine: Engine | None = None, **tables: Table
) -> list[pa.Table]:
    """:func:`run_sql` once per parameter set in ``params_each``, on the same tables; the results in order, as Arrow
    tables (:func:`retention_core.engines.frame_from_arrow` turns one into the frame :func:`run_sql` would give). For
    a large result taken in parts and joined before use. DuckDB runs the parts on one database, so a fresh
    database's memory serves each part in turn."""
    return (engine or DEFAULT_ENGINE).run_arrow_each(name, [dict(params) for params in params_each], tables)


def check_period(period: str) -> str:
    """Return ``period`` if it is one of :data:`PERIODS`, else raise ``ValueError``."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, got {period!r}")
    return period


# --- Queries on the canonical frames -------------------------------------------------------------------------
# The tables arrive validated and renamed to the canonical columns (see columns.py), as frames or as path sources
# (engines.TableSource, whose columns must already carry the canonical names): no missing customer ids,
# dates or amounts. A row with amount < 0 is a return: it counts in revenue (net), never as an order, and does not
# make a customer active. Periods start on the first day of their month, quarter or year (``date_trunc``).

OPTIONAL_COLUMNS: dict[str, dict[str, str]] = {
    "transactions": {"product": "str", "quantity": "float64", "gross_margin": "float64"},
    "retention_costs": {},
    "acquisition": {"new_customers": "float64"},
    "nps": {"customer_id": "str"},
}


def with_optional_columns(frame: Table, kind: str) -> Table:
    """``frame`` with every optional column of ``kind`` that it lacks added as an all-missing typed column.

    SQL files may then name optional columns unconditionally; a missing one reads as NULL. ``kind`` is a key of
    :data:`OPTIONAL_COLUMNS`. The input frame is not changed. A :class:`TableSource` gets the columns as typed
    NULLs that its engine adds when it reads the source.
    """
    if isinstance(frame, TableSource):
        return frame.with_null_columns(OPTIONAL_COLUMNS[kind])
    missing = {
        column: pd.Series(None, index=frame.index, dtype=dtype)
        for column, dtype in OPTIONAL_COLUMNS[kind].items()
        if column not in frame.columns
    }
    return frame.assign(**missing) if missing else frame


#: The most periods :func:`customer_period_flows` counts with bit masks (``customer_period_flows.sql``, one BIGINT
#: per customer); an order log spanning more is counted by ``customer_period_flows_window.sql``.
MASK_PERIODS = 63


def customer_period_flows(
    transactions: Table, period: str = "quarter", activity_periods: int = 1, engine: Engine | None = None
) -> pd.DataFrame:
    """Customers per period, counted by how they arrive in and leave the customer base and by first-order cohort.

    The one pass over the orders that :func:`period_activity` and :func:`cohort_retention` are counted from; the
    result has at most periods × cohorts × 5 rows, whatever the size of the order log. Up to :data:`MASK_PERIODS`
    periods from the first to the last in the data (``period_count.sql``), ``customer_period_flows.sql`` keeps a
    bit mask of the periods each customer ordered in and counts from the masks; a longer log is counted by
    ``customer_period_flows_window.sql``, a window over each customer's periods. Both give the same frame.
    An order (amount ≥ 0) in a period makes the customer active in it; a period with returns only counts in
    revenue. Definitions as in :func:`period_activity`; the frame remembers ``period`` and ``activity_periods``
    (``attrs``) so that a reader can check they are the ones it needs.

    - ``period_index``: periods since the first period in the data (0 is the first); ``period_start`` its first day.
    - ``cohort_index``: the ``period_index`` of the customers' first order; missing for customers without one.
    - ``ordered``: whether these customers ordered in the period (False: returns only).
    - ``arrival``: for ordered rows ``"first"`` (first order ever), ``"reactivated"`` (the previous order more
      than ``activity_periods`` periods before) or ``"repeat"``; missing when not ordered.
    - ``leaves``: ordered, and no order in the ``activity_periods`` periods after: the customers leave the base in
      period ``period_index + activity_periods``.
    - ``ordered_previous`` / ``ordered_next``: ordered in this period and in the one before / after it, whatever
      the activity window (what the revenue bridge, :func:`revenue_bridge`, needs).
    - ``customers``: customers with these values; ``orders`` and ``revenue`` (net of returns): theirs in the period.
    - ``expansion`` / ``contraction``: on ``ordered_previous`` rows, the sum over these customers of their revenue
      in the period less that in the period before where positive / the opposite where positive (0 elsewhere);
      ``expanding_customers`` / ``contracting_customers`` count them (differences of more than half a cent).
    """
    _check_activity_periods(activity_periods)
    params = {"period": check_period(period), "activity_periods": activity_periods}
    periods = run_sql("period_count", {"period": period}, engine, transactions=transactions)["periods"].iloc[0]
    query = "customer_period_flows_window" if pd.notna(periods) and periods > MASK_PERIODS else "customer_period_flows"
    flows = run_sql(query, params, engine, transactions=transactions)
    flows.attrs.update(params)
    return flows


def _check_activity_periods(activity_periods: object) -> None:
    if not isinstance(activity_periods, int) or isinstance(activity_periods, bool) or activity_periods < 1:
        raise ValueError(f"activity_periods must be a whole number of periods, at least 1, got {activity_periods!r}")


def _checked_flows(flows: pd.DataFrame, **expected: object) -> pd.DataFrame:
    """``flows`` when :func:`customer_period_flows` made them with the ``expected`` parameters, else ValueError."""
    made_with = {name: flows.attrs.get(name) for name in expected}
    if made_with != expected:
        raise ValueError(f"flows were counted for {made_with}, not for {expected}")
    return flows


def period_activity(
    transactions: Table, period: str = "quarter", activity_periods: int = 1, engine: Engine | None = None, *,
    flows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Flow of the customer base per period: start S, new N, lost, end E, plus activity, orders and revenue.

    The base at the end of period p holds every customer who ordered in one of the periods
    p − activity_periods + 1 … p (``activity_periods=1``: who bought in p). Every row satisfies
    E = S − lost + N, so the customer retention rate CRR = (E − N) / S = 1 − lost / S. The first period starts
    with S = 0 (customers from before the data are unknown, so its N is every customer active in it).

    One row per period from the first to the last period in the data, periods without orders included:

    - ``period_start``: first day of the period.
    - ``customers_start`` (S): customers in the base at the end of the previous period.
    - ``new_customers`` (N): customers entering the base in the period, first-time plus reactivated.
    - ``first_time_customers``: customers whose first order falls in the period.
    - ``reactivated_customers``: customers who order again after ``activity_periods`` or more periods without one.
    - ``lost_customers``: customers in the base at the end of the previous period and not at the end of this one.
    - ``customers_end`` (E): customers in the base at the end of the period.
    - ``active_customers``: customers with at least one order in the period.
    - ``returning_customers``: active customers who had ordered in an earlier period (returning buyers).
    - ``orders``: order rows (amount ≥ 0) in the period.
    - ``revenue``: sum of amounts in the period, net of returns, in the upload's currency.

    ``flows``: :func:`customer_period_flows` of ``transactions`` for the same ``period`` and ``activity_periods``,
    when the caller has them (:func:`retention_core.dataset.aggregate` does); the orders are then not read again.
    """
    _check_activity_periods(activity_periods)
    params = {"period": check_period(period), "activity_periods": activity_periods}
    if flows is None:
        flows = customer_period_flows(transactions, period, activity_periods, engine)
    return run_sql("period_activity", params, engine, flows=_checked_flows(flows, **params))


def customer_summary(
    transactions: Table, engine: Engine | None = None, *, observation_end: dt.date | None = None,
    unit_days: float = 7.0, customer_ranges: Sequence[tuple[object, object]] = ((None, None),),
    basis_end: dt.date | None = None,
) -> pd.DataFrame:
    """One row per customer: order history in a few numbers and its buy-till-you-die (BTYD) summary, one pass.

    Only orders dated on or before ``observation_end`` count (default: the last order date in the data).
    ``customer_ranges``: one query per range ``(from, before)``, each for the customers with
    ``from <= customer_id < before`` (None: no bound), and their rows in the order of the ranges. A customer's row
    does not depend on the range, so the rows of adjacent ranges joined are the rows of their union: summarising a
    large table range by range keeps DuckDB's hash tables to one range at a time. The parts are joined as Arrow
    tables and become one frame at the end (see :func:`retention_core.engines.frame_from_arrow_parts`).

    - ``customer_id``: the customer.
    - ``first_order``, ``last_order``: dates of the customer's first and last order (amount ≥ 0), as timestamps at
      midnight.
    - ``orders``: the customer's order rows (amount ≥ 0); returns are not orders.
    - ``revenue``: sum of the customer's amounts, net of returns.
    - ``distinct_products``: different products ordered; 0 when the upload has no product column.
    - ``occasions``: purchase occasions: distinct calendar dates with an order (the BTYD convention), or, when the
      transactions have an ``order_id`` column, distinct order ids among the order rows (a row without an id
      counts as an occasion of its date).
    - ``frequency``, ``recency``, ``T``, ``monetary``: the BTYD summary of Fader, Hardie & Lee (2005) over purchase
      days (dates whose net amount is ≥ 0): repeat purchase days, time from the first to the last purchase day,
      time from the first purchase day to the observation end (both in days / ``unit_days``), and the mean net
      amount of the repeat days (0 without one). Missing for a customer without a purchase day; see
      :func:`retention_core.models.rfm_summary`.

    The annual columns, for the annual basis of customer value (:mod:`retention_core.customer_value`), describe
    the last 12 months L = (E − 12 months, E] and the 12 months before, P = (E − 24 months, E − 12 months], where
    E = ``basis_end`` (the data's last order date); without ``basis_end`` they are missing:

    - ``ordered_previous_year``: whether the customer has an order (amount ≥ 0) dated in P.
    - ``revenue_last_year``: net amount of the customer's rows dated in L (returns included; 0 without one).
    - ``occasions_last_year``: purchase occasions dated in L (an order id by the first date of its order rows).

    Whether a customer bought in L, and whether their first order is in L, is ``last_order`` or ``first_order``
    after E − 12 months.
    """
    if not customer_ranges:
        raise ValueError("customer_ranges must hold at least one (from, before) range")
    year_start = previous_start = None
    if basis_end is not None:
        basis_end = pd.Timestamp(basis_end).date()
        year_start, previous_start = (
            (pd.Timestamp(basis_end) - pd.DateOffset(months=months)).date() for months in (12, 24)
        )
    params = {
        "observation_end": observation_end, "unit_days": float(unit_days),
        "product_codes": _products_as_bits(transactions), "order_ids": "order_id" in transactions.columns,
        "basis_end": basis_end, "year_start": year_start, "previous_start": previous_start,
    }
    table = with_optional_columns(transactions, "transactions")
    parts = run_sql_arrow_each(
        "customer_summary",
        [{**params, "customer_from": low, "customer_before": high} for low, high in customer_ranges],
        engine, transactions=table, order_lines=_order_lines(transactions),
    )
    return frame_from_arrow_parts(parts)  # each column's Arrow memory freed as it is converted


def _order_lines(transactions: Table) -> Table:
    """The rows ``customer_summary.sql`` counts order ids in: the transactions when they have an ``order_id``
    column, else no rows at all. A frame without order ids gets an empty frame of the same types rather than a
    column of one missing id per order row, held in memory while the summary runs; a path source reads the column
    as NULL."""
    if "order_id" in transactions.columns:
        return transactions
    if isinstance(transactions, TableSource):
        return transactions.with_null_columns({"order_id": "str"})
    return transactions.iloc[:0][["customer_id", "order_date", "amount"]].assign(order_id=pd.Series(dtype="str"))


PRODUCT_BITS = 63
"""Products given as whole numbers 0 … PRODUCT_BITS − 1 (the codes :func:`retention_core.dataset.aggregate` gives
data with at most 63 products) are counted by :func:`customer_summary` as the bits of one BIGINT mask per customer,
without a grouping by (customer, product), which makes the summary faster."""


def _products_as_bits(transactions: Table) -> bool:
    """Whether ``transactions`` is a frame whose products are all whole numbers 0 … :data:`PRODUCT_BITS` − 1."""
    if not isinstance(transactions, pd.DataFrame) or "product" not in transactions.columns:
        return False
    products = transactions["product"]
    if not pd.api.types.is_integer_dtype(products.dtype):
        return False
    low, high = products.min(), products.max()
    return bool(not pd.isna(low) and low >= 0 and high < PRODUCT_BITS)


def cost_by_period(costs: Table, period: str = "quarter", engine: Engine | None = None) -> pd.DataFrame:
    """Retention costs summed per period and category.

    A cost row belongs to the period that contains its ``period_start``: quarterly costs roll up into their year;
    in a monthly view a quarterly cost stays whole in the month where it falls (the quarter's first month) and is
    not spread over three months.

    - ``period_start``: first day of the period.
    - ``category``: cost category, ``team``, ``tools`` or ``engagement``.
    - ``amount``: sum of the category's costs in the period, in the upload's currency.
    """
    return run_sql("cost_by_period", {"period": check_period(period)}, engine, costs=costs)


def retention_cost_per_active_customer(
    costs: Table, transactions: Table, period: str = "quarter", activity_periods: int = 1,
    engine: Engine | None = None, *, activity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Retention cost per period, by category, and divided by the period's active customers.

    Periods are the union of those with cost rows and those with transactions. A period without any cost row has
    missing cost columns (unknown, not zero); a category absent from a period with other costs counts 0. Quarterly
    costs in a monthly view stay in the month where they fall (see :func:`cost_by_period`).

    - ``period_start``: first day of the period.
    - ``retention_cost``: total retention cost of the period, all categories.
    - ``team``, ``tools``, ``engagement``: the cost of each category in the period.
    - ``active_customers``: the customer base at the end of the period, ``customers_end`` of
      :func:`period_activity` with the same ``activity_periods`` (with 1: customers with an order in the period).
    - ``cost_per_active_customer``: retention_cost / active_customers; missing without active customers.

    ``activity``: :func:`period_activity` of ``transactions`` for the same ``period`` and ``activity_periods``, when
    the caller has it already (:func:`retention_core.dataset.aggregate` does); its query then does not run again.
    """
    if activity is None:
        activity = period_activity(transactions, period, activity_periods, engine)
    base = activity[["period_start", "customers_end"]]
    return run_sql("retention_cost_per_active_customer", {"period": period}, engine, costs=costs, activity=base)


def acquisition_by_period(
    acquisition: Table, transactions: Table, period: str = "quarter", engine: Engine | None = None, *,
    activity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Acquisition spend, new customers and customer acquisition cost per period.

    New customers are taken from the acquisition sheet where it gives a number for the period, otherwise they are
    the first-time customers of the transactions. In the first period of the transactions, first-time customers
    include every customer who already bought before the data start. Periods are the union of both sources.

    - ``period_start``: first day of the period.
    - ``acquisition_spend``: sum of acquisition spend in the period; missing where the sheet has no row.
    - ``new_customers``: new customers in the period (a float, whole when derived from transactions).
    - ``new_customers_source``: ``"sheet"`` or ``"transactions"``, where new_customers comes from.
    - ``cac``: customer acquisition cost, acquisition_spend / new_customers; missing without new customers.

    ``activity``: :func:`period_activity` of ``transactions`` for the same ``period`` (any activity window), when
    the caller has it already; its first-time customers are then taken instead of counted again.
    """
    params = {"period": check_period(period)}
    acquisition = with_optional_columns(acquisition, "acquisition")
    if activity is None:
        first_time = run_sql("first_time_customers", params, engine, transactions=transactions)
    else:  # the same counts, for the periods that have first orders
        first_time = activity.loc[activity["first_time_customers"] > 0, ["period_start", "first_time_customers"]]
    return run_sql("acquisition_by_period", params, engine, acquisition=acquisition, first_time=first_time)


def retention_spend_in_window(
    costs: Table, window_start: dt.date, window_end: dt.date, engine: Engine | None = None
) -> pd.Series:
    """Retention spend dated in the window (``window_start``, ``window_end``], as one row.

    A cost row counts when its ``period_start`` lies in the window. ``cost_rows``: rows counted;
    ``retention_spend``: their amounts summed, missing without a row (unknown, not zero).
    """
    params = {"window_start": pd.Timestamp(window_start).date(), "window_end": pd.Timestamp(window_end).date()}
    return run_sql("retention_spend_in_window", params, engine, costs=costs).iloc[0]


def acquisition_in_window(
    acquisition: Table, window_start: dt.date, window_end: dt.date, engine: Engine | None = None
) -> pd.Series:
    """Acquisition spend and the sheet's new customers dated in the window (``window_start``, ``window_end``].

    ``acquisition_rows``: rows counted; ``acquisition_spend``: their spend summed (missing without a row);
    ``new_customer_rows``: rows that give a number of new customers; ``sheet_new_customers``: those numbers summed
    (missing without one).
    """
    params = {"window_start": pd.Timestamp(window_start).date(), "window_end": pd.Timestamp(window_end).date()}
    table = with_optional_columns(acquisition, "acquisition")
    return run_sql("acquisition_in_window", params, engine, acquisition=table).iloc[0]


def cohort_retention(
    transactions: Table, period: str = "quarter", engine: Engine | None = None, *, flows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Retention of first-purchase cohorts over the following periods, one row per observed cohort cell.

    Every cell from ``periods_since = 0`` up to the last period in the data is returned, including cells where no
    cohort member ordered.

    - ``cohort_start``: first day of the period of the cohort's first orders.
    - ``periods_since``: periods after the cohort period (0 is the cohort period itself).
    - ``cohort_size``: customers whose first order (amount ≥ 0) falls in the cohort period.
    - ``active_customers``: cohort members with at least one order in the period.
    - ``retention``: active_customers / cohort_size, a fraction (1.0 at periods_since = 0).
    - ``revenue``: the cohort's net revenue in the period.

    ``flows``: :func:`customer_period_flows` of ``transactions`` for the same ``period`` (any activity window; the
    cohorts do not depend on it), when the caller has them; the orders are then not read again.
    """
    params = {"period": check_period(period)}
    if flows is None:
        flows = customer_period_flows(transactions, period, 1, engine)
    return run_sql("cohort_retention", params, engine, flows=_checked_flows(flows, **params))


def revenue_bridge(
    transactions: Table, period: str = "quarter", engine: Engine | None = None, *, flows: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The revenue bridge from each period to the next, per period and first-order cohort (``revenue_bridge.sql``).

    A customer counts in a period when they bought in it (an order, amount ≥ 0); their revenue is their net revenue
    there. For period P and the one before, P − 1: ``starting_revenue`` (P − 1's buyers in P − 1), ``new_revenue``
    (first order in P), ``reactivated_revenue`` (bought in P, not in P − 1, ordered before), ``expansion_revenue``
    and ``contraction_revenue`` (bought in both: the rise / fall of their revenue), ``churned_revenue`` (P − 1's
    revenue of buyers who did not buy in P) and ``ending_revenue`` (P's buyers in P), so that starting + new +
    reactivated + expansion − contraction − churned = ending in every row. ``returns_without_order`` (≤ 0): returns
    in P of customers without an order in P, outside the bridge; P's net revenue is ending + returns_without_order.
    Each money column has a ``*_customers`` count beside it (``expanding_customers``, ``contracting_customers``).

    One row per period (``period_index``, ``period_start``) and cohort (``cohort_index``, ``cohort_start``; missing
    for customers who never ordered) that has a buyer in P − 1 or P or returns without an order in P; the formulas
    over these rows are in :mod:`retention_core.revenue`. ``flows``: :func:`customer_period_flows` of
    ``transactions`` for the same ``period`` (any activity window), when the caller has them; the orders are then not
    read again.
    """
    params = {"period": check_period(period)}
    if flows is None:
        flows = customer_period_flows(transactions, period, 1, engine)
    return run_sql("revenue_bridge", params, engine, flows=_checked_flows(flows, **params))


@dataclass(frozen=True)
class TenureRevenue:
    """One read of the orders by tenure (``tenure_revenue.sql``): what :func:`revenue_by_tenure` and
    :func:`customer_tenure_revenue` give, for the same ``period`` and ``max_tenure``.

    - ``customers``: :func:`customer_tenure_revenue`'s rows (tenures 1 … ``max_tenure``).
    - ``tenures``: one row per tenure from 1 to the longest observed: ``tenure``, ``customers_observed``,
      ``revenue`` and ``active`` (active customers), summed over the observed customers in the same statement.
    """

    period: str
    max_tenure: int
    customers: pd.DataFrame
    tenures: pd.DataFrame


def tenure_revenue(transactions: Table, period: str = "year", engine: Engine | None = None,
                   max_tenure: int = 5) -> TenureRevenue:
    """Revenue and activity by period of customer life in one pass over the orders: per tenure, with the customers
    observed in it, and each customer's parts of them for the tenures 1 … ``max_tenure`` (0: none).

    Tenure and observed customers as in :func:`revenue_by_tenure`, which takes the tenure table from the result, as
    :func:`customer_tenure_revenue` takes the customer rows (``parts=``): a caller that needs both reads the orders
    once.
    """
    if isinstance(max_tenure, bool) or not isinstance(max_tenure, int) or max_tenure < 0:
        raise ValueError(f"max_tenure must be a whole number of at least 0, got {max_tenure!r}")
    period = check_period(period)
    result = (engine or DEFAULT_ENGINE).run_arrow(
        "tenure_revenue", {"period": period, "max_tenure": max_tenure}, {"transactions": transactions}
    )
    # split in Arrow: each part then has no missing customer id / count, and keeps its plain dtypes in pandas; the
    # customer rows are taken column by column, each of the result's columns let go once taken (a lower peak)
    per_customer = pc.is_valid(result.column("customer_id"))
    tenures = frame_from_arrow(result.filter(pc.invert(per_customer)).drop_columns(["customer_id"]).sort_by("tenure"))
    columns = dict(zip(result.column_names, result.columns))
    del result, columns["customers_observed"]
    names = list(columns)
    customers = pa.table({name: pc.filter(columns.pop(name), per_customer) for name in names})
    del per_customer
    return TenureRevenue(period, max_tenure, frame_from_arrow(customers), tenures)


def revenue_by_tenure(transactions: Table, period: str = "year", engine: Engine | None = None, *,
                      parts: TenureRevenue | None = None) -> pd.DataFrame:
    """Revenue per active customer by period of customer life, the default profit-by-tenure curve (× margin).

    Tenure counts whole periods of a customer's age from the date of their first order, not calendar periods:
    with ``period="year"`` tenure 1 is the 12 months starting on the first-order date, tenure 2 the next 12. Only
    customers whose tenure-t window lies wholly inside the data (ends on or before the last order date) count for
    tenure t, so late joiners do not dilute later tenures and no window is partly observed. Adding months keeps the
    day of month, clamped to the month's end (a customer who first bought on 31 January 2024 enters tenure month 2
    on 29 February).

    - ``tenure``: 1, 2, … whole periods of customer age.
    - ``customers_observed``: customers whose tenure-t window lies fully inside the data.
    - ``active_customers``: observed customers with at least one order (amount ≥ 0) in their tenure-t window.
    - ``revenue``: net revenue of the observed customers in their tenure-t windows.
    - ``revenue_per_active_customer``: revenue / active_customers; missing without active customers.

    ``parts``: :func:`tenure_revenue` of ``transactions`` for the same ``period`` (any ``max_tenure``), when the
    caller has it; the orders are then not read again. Without it they are read without the customer rows.
    """
    period = check_period(period)
    if parts is None:
        parts = tenure_revenue(transactions, period, engine, max_tenure=0)
    elif parts.period != period:
        raise ValueError(f"parts are by {parts.period}, not by {period}")
    tenures = parts.tenures
    active = tenures["active"].to_numpy(dtype=np.int64)
    revenue = tenures["revenue"].to_numpy(dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_active = np.where(active > 0, revenue / np.where(active > 0, active, 1), np.nan)
    return pd.DataFrame({
        "tenure": tenures["tenure"].to_numpy(dtype=np.int64),
        "customers_observed": tenures["customers_observed"].to_numpy(dtype=np.int64),
        "active_customers": active,
        "revenue": revenue,
        "revenue_per_active_customer": per_active,
    })


def customer_tenure_revenue(transactions: Table, period: str = "year", engine: Engine | None = None,
                            max_tenure: int = 5, *, parts: TenureRevenue | None = None) -> pd.DataFrame:
    """Each customer's revenue and activity by period of their own life: the parts :func:`revenue_by_tenure` sums.

    Tenure and observed customers as in :func:`revenue_by_tenure`; tenures 1 … ``max_tenure``. One row per customer
    and observed tenure in which the customer has a row (in no particular order):

    - ``customer_id``, ``tenure``
    - ``revenue``: the customer's net revenue in their tenure-t window.
    - ``active``: 1 when the customer has an order (amount ≥ 0) in it, else 0.

    Summed over customers per tenure, ``revenue`` is :func:`revenue_by_tenure`'s ``revenue`` and ``active`` its
    ``active_customers`` (for tenures up to ``max_tenure``); resampling customers over these rows resamples the
    tenure table (:func:`retention_core.intervals.basis_replicates`). ``parts``: :func:`tenure_revenue` of
    ``transactions`` for the same ``period`` and ``max_tenure``, when the caller has it (not read again).
    """
    if isinstance(max_tenure, bool) or not isinstance(max_tenure, int) or max_tenure < 1:
        raise ValueError(f"max_tenure must be a whole number of at least 1, got {max_tenure!r}")
    period = check_period(period)
    if parts is None:
        parts = tenure_revenue(transactions, period, engine, max_tenure=max_tenure)
    elif (parts.period, parts.max_tenure) != (period, max_tenure):
        raise ValueError(f"parts are by {parts.period} up to tenure {parts.max_tenure}, not by {period} up to "
                         f"{max_tenure}")
    return parts.customers


def nps_by_period(nps: Table, period: str = "quarter", engine: Engine | None = None) -> pd.DataFrame:
    """Net Promoter Score answers per period, counted by group (Reichheld 2003).

    One row per period with at least one answer:

    - ``period_start``: first day of the period.
    - ``responses``: answers with a score.
    - ``promoters``: answers scoring 9 or 10.
    - ``passives``: answers scoring 7 or 8.
    - ``detractors``: answers scoring 0 to 6.
    """
    return run_sql("nps_by_period", {"period": check_period(period)}, engine, nps=nps)


def transaction_totals(transactions: Table, engine: Engine | None = None) -> pd.Series:
    """Size, date range and the margin parts of a transaction log, as one row.

    - ``rows``: transaction rows, returns included.
    - ``first_order_date``, ``last_order_date``: earliest and latest ``order_date`` of any row.
    - ``last_purchase_date``: latest ``order_date`` of an order (amount ≥ 0), the anchor of
      :func:`retention_core.customer_value.annual_windows`; missing when every row is a return.
    - ``margin_revenue``: revenue of the rows with a known gross margin and a positive amount (missing without any).
    - ``gross_profit``: Σ amount · gross_margin over the same rows.
    """
    table = with_optional_columns(transactions, "transactions")
    return run_sql("transaction_totals", None, engine, transactions=table).iloc[0]
