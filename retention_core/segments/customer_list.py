"""The customers behind the numbers: every customer in one list, sorted and paged, and who is valuable and at risk.

A :class:`CustomerList` is made once per data set (and label table) from what the aggregation and the fitted models
already hold: the customer summary (:attr:`retention_core.dataset.Aggregates.customers`: last order, purchase
occasions, net revenue), the BG/NBD + Gamma-Gamma fits (:class:`~retention_core.models.PredictiveModels`) and
their :class:`~retention_core.models.ForecastBasis`. Nothing reads the upload again. A move of the margin, discount
rate or horizon makes :func:`customer_values` (one product per customer, no refit); sorting and paging work on
row numbers (:func:`selected_rows`, :func:`sorted_rows`, :func:`page_rows`), and only the rows asked for become a
table (:func:`list_table`): a page for the screen, the whole selection for a download.

Customers without a purchase day (only returns) have no forecast: their model columns are missing, never 0. Without
usable fits (``PredictiveModels.reason``), the list still has last order, orders, revenue and segment.

References: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2), 275-284
(FHL 2005: BG/NBD, P(alive) eq. 13 of the accompanying note, E[Y(t)] eq. 10); Fader & Hardie (2013), "The
Gamma-Gamma Model of Monetary Value" (note 025).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from retention_core.models import (
    MAX_FORECAST_MONTHS,
    ForecastBasis,
    PredictiveModels,
    bg_nbd_probability_alive,
    forecast_basis,
)
from retention_core.models.forecast import customer_values as forecast_values
from retention_core.segments.figures import (MAX_SEGMENTS, MIN_SEGMENT_CUSTOMERS, _same_ids, aligned_labels,
                                             pooled_rows)

__all__ = [
    "COLUMNS", "INTERVAL_WEEKS", "MODEL_COLUMNS", "VALUE_GROUPS", "CustomerList", "CustomerValues",
    "customer_list", "customer_values", "in_top_group", "list_table", "page_count", "page_rows", "predictive_mean_clv",
    "probability_alive_drop", "selected_rows", "sorted_page", "sorted_rows", "valuable_and_at_risk",
]

INTERVAL_WEEKS = 13
"""How far back "falling P(alive)" looks: a quarter (13 weeks = 91 days), long enough for a regular buyer's
silence to show, short enough that the history then is the one a campaign can still act on."""

VALUE_GROUPS = 5
""""High value" is the top one of this many quantile groups of predictive CLV: the top quintile."""

#: The list's columns, in the order they are shown and downloaded.
COLUMNS = ("customer_id", "segment", "last_order", "orders", "revenue", "clv", "probability_alive",
           "expected_purchases", "probability_alive_drop", "value_at_risk")

#: The columns that come from the fitted models (missing without a forecast).
MODEL_COLUMNS = ("probability_alive", "probability_alive_drop", "expected_purchases", "clv", "value_at_risk")


def probability_alive_drop(fitted: PredictiveModels, interval_weeks: float = INTERVAL_WEEKS,
                           probability_alive: np.ndarray | None = None) -> np.ndarray:
    """How much each customer's P(alive) fell over the last ``interval_weeks`` of silence, per summary row.

    Definition: P(alive) at the data's end E minus P(alive) at E − Δ, both from the same fitted BG/NBD on the
    customer's history as it stood then, for customers who made no purchase in (E − Δ, E]: their history then is
    today's with T shortened by Δ (x and t_x unchanged). Customers who bought in the interval (including those whose
    first purchase falls in it) have a history then that the summary does not hold: missing (NaN), and they are not
    falling by silence anyway. A customer without a repeat purchase has P(alive) = 1 under the BG/NBD (dropout
    happens only after a purchase), so theirs never falls (0).
    Formula: drop = P(alive | x, t_x, T − Δ) − P(alive | x, t_x, T) where t_x ≤ T − Δ, with
    P(alive | x, t_x, T) = 1 / (1 + 1{x>0} a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)).
    Units: a fraction (0 … 1; positive = fallen); x, t_x, T and Δ in weeks (the summary's unit).
    Reference: Fader, Hardie & Lee (2005), Marketing Science 24(2); P(alive): Fader, Hardie & Lee (2008), "Computing
    P(alive) using the BG/NBD model", eq. (13).

    ``probability_alive``: P(alive | x, t_x, T) per summary row when already known (a forecast basis holds it), so
    only the P(alive) then is computed, and only for the silent repeat buyers (everybody else's drop is known).
    """
    if fitted.reason is not None:
        raise ValueError(f"the predictive models are not usable: {fitted.reason}")
    if not (math.isfinite(interval_weeks) and interval_weeks > 0):
        raise ValueError(f"interval_weeks must be a positive number of weeks, got {interval_weeks!r}")
    summary = fitted.summary
    x = summary["frequency"].to_numpy(dtype="float64")
    t_x = summary["recency"].to_numpy(dtype="float64")
    big_t = summary["T"].to_numpy(dtype="float64")
    silent = t_x <= big_t - interval_weeks
    drop = np.where(silent, 0.0, np.nan)  # silent without a repeat purchase: P(alive) 1 then and now
    falling = np.flatnonzero(silent & (x > 0))
    x, t_x, big_t = x[falling], t_x[falling], big_t[falling]
    now = (bg_nbd_probability_alive(fitted.bg_nbd, x, t_x, big_t) if probability_alive is None
           else probability_alive[falling])
    drop[falling] = bg_nbd_probability_alive(fitted.bg_nbd, x, t_x, big_t - interval_weeks) - now
    return drop


@dataclass(frozen=True, eq=False)
class CustomerList:
    """Every customer of the customer summary with what the list shows that no slider changes (:func:`customer_list`).

    Per customer, in the summary's order: ``customer_id`` (as written), ``last_order`` (datetime64, NaT without an
    order), ``orders`` (purchase occasions), ``revenue`` (net of returns, all time, currency), ``forecast_row`` (the
    customer's row of ``forecast``; −1 without one), ``probability_alive_drop`` (:func:`probability_alive_drop`,
    NaN without a forecast) and ``segment`` (a Categorical of the label table's labels, or None without one).
    ``forecast`` is None when the models are not usable; ``reason`` then says why (a key of
    :data:`retention_core.models.REASONS`).
    """

    customer_id: pd.Series
    last_order: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    forecast_row: np.ndarray
    probability_alive_drop: np.ndarray
    forecast: ForecastBasis | None = None
    reason: str | None = None
    segment: pd.Categorical | None = None
    interval_weeks: float = INTERVAL_WEEKS

    @property
    def customers(self) -> int:
        """How many customers the list holds."""
        return len(self.orders)

    @functools.cached_property
    def id_rank(self) -> np.ndarray:
        """Each customer's place when the ids are sorted as text (as written), 0 first: sorting by id is then a
        sort of whole numbers."""
        order = self.customer_id.astype("str").argsort(kind="stable").to_numpy()
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        return rank

    @functools.cached_property
    def forecast_in_order(self) -> bool:
        """Whether every customer has a forecast and the forecast's rows are the list's (no reordering needed)."""
        return bool(np.array_equal(self.forecast_row, np.arange(self.customers)))

    def with_labels(self, labels: pd.DataFrame | None) -> CustomerList:
        """The same list with the segments of ``labels`` (a label table; customers it lacks have none)."""
        segment = None if labels is None else pd.Categorical(
            aligned_labels(self.customer_id, labels).array)
        labelled = replace(self, segment=segment)
        labelled.__dict__.update({name: self.__dict__[name] for name in ("id_rank", "forecast_in_order")
                                  if name in self.__dict__})  # the same customers: what is known of them holds
        return labelled


def customer_list(
    customer_table: pd.DataFrame, fitted: PredictiveModels | None, basis: ForecastBasis | None = None,
    labels: pd.DataFrame | None = None, interval_weeks: float = INTERVAL_WEEKS,
) -> CustomerList:
    """The :class:`CustomerList` of a data set: once per data set, kept while sliders move.

    ``customer_table``: the customer summary (:attr:`Aggregates.customers`); ``fitted``: the data set's
    :class:`PredictiveModels` (None or with a ``reason``: no model columns); ``basis``: its
    :func:`~retention_core.models.forecast_basis` when already made (else made here, when the fits are usable);
    ``labels``: a label table of :mod:`retention_core.segments.assignment`, optional.
    """
    reason = "not_stored" if fitted is None else fitted.reason
    ids = customer_table["customer_id"].reset_index(drop=True)
    rows = np.full(len(ids), -1, dtype=np.intp)
    drop = np.full(len(ids), np.nan)
    if reason is None:
        basis = forecast_basis(fitted) if basis is None else basis
        summary_ids = fitted.summary["customer_id"]
        if _same_ids(summary_ids, ids):  # text ids compared in Arrow, without a Python string per customer
            rows = np.arange(len(ids), dtype=np.intp)
        else:  # customers without a purchase day are not in the models' summary
            rows = pd.Index(summary_ids.to_numpy()).get_indexer(ids.to_numpy()).astype(np.intp)
        known = rows >= 0
        drop[known] = probability_alive_drop(fitted, interval_weeks, basis.probability_alive)[rows[known]]
    last = customer_table["last_order"].to_numpy(dtype="datetime64[ns]")
    listed = CustomerList(
        customer_id=ids, last_order=last, orders=customer_table["occasions"].to_numpy(dtype="int64"),
        revenue=customer_table["revenue"].to_numpy(dtype="float64"), forecast_row=rows,
        probability_alive_drop=drop, forecast=basis if reason is None else None, reason=reason,
        interval_weeks=interval_weeks)
    return listed.with_labels(labels)


@dataclass(frozen=True, eq=False)
class CustomerValues:
    """One scenario's model columns of a :class:`CustomerList`, per customer in the list's order (NaN without a
    forecast): ``probability_alive``, ``expected_purchases`` (in the horizon, undiscounted), ``clv`` (predictive,
    currency), ``clv_if_alive`` and ``value_at_risk`` (currency, see :func:`customer_values`)."""

    probability_alive: np.ndarray
    expected_purchases: np.ndarray
    clv: np.ndarray
    clv_if_alive: np.ndarray
    value_at_risk: np.ndarray
    gross_margin: float = math.nan
    annual_discount_rate: float = math.nan
    horizon_months: int = 0


def customer_values(
    customers: CustomerList, gross_margin: float, annual_discount_rate: float, horizon_months: int
) -> CustomerValues:
    """The model columns of every customer at a gross margin, discount rate and horizon, without refitting.

    Definitions: P(alive), expected purchases and predictive CLV are those of the CLV page
    (:func:`retention_core.models.forecast.customer_values`: clv = margin · E[spend] · P(alive) · Σₖ ΔE[Y(k) | alive]
    / (1 + rate)^(k/12), FHL 2005 eq. 10, Fader & Hardie 2013). The CLV if alive is the CLV the customer would have
    were they surely still active, the second factor of FHL 2005 eq. 10 (clv / P(alive)): what keeping them is
    worth. The value at risk is what the last :data:`INTERVAL_WEEKS` of silence took off the CLV: the CLV if alive
    times the drop in P(alive) (:func:`probability_alive_drop`).
    Formula: clv_if_alive = clv / P(alive)_E;  value_at_risk = clv_if_alive · (P(alive)_(E−Δ) − P(alive)_E).
    Units: ``gross_margin`` and ``annual_discount_rate`` fractions, ``horizon_months`` whole months up to
    :data:`~retention_core.models.MAX_FORECAST_MONTHS`; CLV, CLV if alive and value at risk in the data's currency.
    Without a forecast every column is NaN.
    """
    size = customers.customers
    if not (float(horizon_months).is_integer() and 0 <= horizon_months <= MAX_FORECAST_MONTHS):
        raise ValueError(f"horizon_months must be whole months from 0 to {MAX_FORECAST_MONTHS}, "
                         f"got {horizon_months!r}")
    unknown = np.full(size, np.nan)
    if customers.forecast is None:
        return CustomerValues(unknown, unknown, unknown, unknown, unknown, gross_margin, annual_discount_rate,
                              int(horizon_months))
    clv, alive, expected = forecast_values(customers.forecast, gross_margin, annual_discount_rate,
                                           int(horizon_months))
    if customers.forecast_in_order:
        columns = [alive, expected, clv]
    else:
        rows, known = customers.forecast_row, customers.forecast_row >= 0
        columns = []
        for values in (alive, expected, clv):
            column = unknown.copy()
            column[known] = values[rows[known]]
            columns.append(column)
    alive_now, _, clv_now = columns
    with np.errstate(divide="ignore", invalid="ignore"):  # P(alive) > 0 under the BG/NBD; guarded all the same
        if_alive = np.where(alive_now > 0, clv_now / alive_now, np.nan)
    return CustomerValues(*columns, if_alive, if_alive * customers.probability_alive_drop, gross_margin,
                          annual_discount_rate, int(horizon_months))


def valuable_and_at_risk(clv_if_alive: np.ndarray, drop: np.ndarray, value_groups: int = VALUE_GROUPS) -> np.ndarray:
    """Which customers are valuable and at risk: high predicted value and a falling P(alive).

    Definition: "valuable" = in the top of ``value_groups`` quantile groups of the CLV if alive
    (:func:`customer_values`: what the customer is worth if still active) among the customers with a forecast
    (:func:`~retention_core.segments.assignment.quantile_scores`: ties share the lower group; the top quintile by
    default); "at risk" = P(alive) fell over the last :data:`INTERVAL_WEEKS` of silence
    (:func:`probability_alive_drop` > 0). Customers without a forecast, or who bought in the interval, are neither.
    The value is the CLV if alive, not the CLV itself: the CLV already holds today's P(alive), so a customer whose
    P(alive) falls drops out of the top CLVs by that very fall (on the embedded sample every top-quintile CLV
    bought in the last 13 weeks) and "high CLV and falling" would be empty by construction.
    Formula: selected = [score(clv_if_alive) = value_groups] ∧ [drop > 0].   Units: a boolean per customer.
    Reference: Fader, Hardie & Lee (2005), Marketing Science 24(2), for P(alive) and E[Y | alive]; quantile groups as
    in RFM scoring (Hughes 1994).
    """
    return in_top_group(clv_if_alive, value_groups) & (np.nan_to_num(drop, nan=0.0) > 0)


def in_top_group(values: np.ndarray, groups: int) -> np.ndarray:
    """Whether each value is in the top quantile group: ``quantile_scores(values, groups) == groups``, found
    without ranking (a partition, linear time; the preset reruns with every slider move).

    Definition: with n known values and ρ a value's lowest rank, the score ⌊groups · (ρ − 1) / n⌋ + 1 is the top
    one exactly when ρ − 1, the number of values below it, is at least m = ⌈n · (groups − 1) / groups⌉, that is when
    the value exceeds the m-th smallest value (every value when m = 0). Missing values are never in it.
    Formula: top = v > v₍ₘ₎.   Units: a boolean per value. Reference: as
    :func:`~retention_core.segments.assignment.quantile_scores`.
    """
    if not isinstance(groups, int) or groups < 1:
        raise ValueError(f"value_groups must be a whole number of at least 1, got {groups!r}")
    values = np.asarray(values, dtype="float64")
    known = ~np.isnan(values)
    n = int(known.sum())
    below = -(-n * (groups - 1) // groups)  # m, in whole numbers: no rounding at the boundary
    if below == 0:
        return known
    threshold = np.partition(values[known], below - 1)[below - 1]
    with np.errstate(invalid="ignore"):
        return known & (values > threshold)


def selected_rows(
    customers: CustomerList, values: CustomerValues, *, segment: str | Collection[str | None] | None = None,
    at_risk: bool = False, value_groups: int = VALUE_GROUPS,
) -> np.ndarray:
    """The rows (in the list's order) of the customers a view shows.

    ``segment``: None for every customer, a label for that segment's customers, or several labels (e.g. the
    "other" row's pooled labels; None among them selects the customers without a label). ``at_risk``: only those
    :func:`valuable_and_at_risk` (high value measured over all customers, not within the segment).
    """
    chosen = np.ones(customers.customers, dtype=bool)
    if segment is not None:
        if customers.segment is None:
            raise ValueError("the list has no segments: make it with a label table to pick a segment")
        wanted = [segment] if isinstance(segment, str) else list(segment)
        labels = [label for label in wanted if label is not None]
        unknown = [label for label in labels if label not in customers.segment.categories]
        if unknown:
            raise ValueError(f"the segments have no label {unknown[0]!r}")
        codes = customers.segment.codes
        positions = [customers.segment.categories.get_loc(label) for label in labels]
        chosen = np.isin(codes, positions) | ((codes < 0) if None in wanted else False)
    if at_risk:
        chosen &= valuable_and_at_risk(values.clv_if_alive, customers.probability_alive_drop, value_groups)
    return np.flatnonzero(chosen)


def _sort_key(customers: CustomerList, values: CustomerValues, column: str) -> np.ndarray:
    """``column`` as numbers that sort like it (NaN where missing)."""
    if column == "customer_id":
        return customers.id_rank
    if column == "segment":
        if customers.segment is None:
            raise ValueError("the list has no segments to sort by")
        codes = customers.segment.codes.astype("float64")
        return np.where(codes >= 0, codes, np.nan)  # the labels' own order (years ascending, RFM groups best first)
    if column == "last_order":
        days = customers.last_order.view("int64").astype("float64")
        return np.where(np.isnat(customers.last_order), np.nan, days)
    if column == "probability_alive_drop":
        return customers.probability_alive_drop
    if column in ("orders", "revenue"):
        return getattr(customers, column)
    return getattr(values, column)


def _signed_key(customers: CustomerList, values: CustomerValues, rows: np.ndarray, sort_by: str,
                descending: bool) -> np.ndarray:
    if sort_by not in COLUMNS:
        raise ValueError(f"sort_by must be one of {', '.join(COLUMNS)}, got {sort_by!r}")
    key = _sort_key(customers, values, sort_by)[rows].astype("float64")
    if descending:
        key = -key  # NaN stays NaN, and NaN sorts last
    return key


def sorted_rows(customers: CustomerList, values: CustomerValues, rows: np.ndarray, sort_by: str,
                descending: bool = True) -> np.ndarray:
    """``rows`` in the order of column ``sort_by`` (one of :data:`COLUMNS`), largest first when ``descending``.

    Missing values come last in either direction; equal values keep the list's order (a stable sort), so a page
    always shows the same customers for the same choice.
    """
    key = _signed_key(customers, values, rows, sort_by, descending)
    return rows[np.argsort(key, kind="stable")]


def sorted_page(customers: CustomerList, values: CustomerValues, rows: np.ndarray, sort_by: str,
                descending: bool, page: int, page_size: int) -> np.ndarray:
    """:func:`page_rows` of :func:`sorted_rows`, without sorting every row: the first page·size rows of the order
    are found by a partition (linear time) and only they are sorted. The same rows in the same order as the full
    sort, ties included: of the values equal to the last one that fits, the earliest rows are taken."""
    page_rows(rows, page, page_size)  # checks page and size
    stop = page * page_size
    key = _signed_key(customers, values, rows, sort_by, descending)
    if stop >= len(rows):
        return rows[np.argsort(key, kind="stable")][stop - page_size:stop]
    known = ~np.isnan(key)
    if known.sum() < stop:  # the page reaches the missing values: sort them all
        return rows[np.argsort(key, kind="stable")][stop - page_size:stop]
    threshold = np.partition(key[known], stop - 1)[stop - 1]
    better = np.flatnonzero(key < threshold)
    tied = np.flatnonzero(key == threshold)[: stop - better.size]
    candidates = np.concatenate([better, tied])
    candidates = candidates[np.lexsort((candidates, key[candidates]))]
    return rows[candidates[stop - page_size:stop]]


def page_count(total: int, page_size: int) -> int:
    """How many pages ``total`` rows fill at ``page_size`` rows a page (at least one, also for no row)."""
    if not isinstance(page_size, int) or page_size < 1:
        raise ValueError(f"page_size must be a whole number of at least 1, got {page_size!r}")
    return max(1, -(-total // page_size))


def page_rows(order: np.ndarray, page: int, page_size: int) -> np.ndarray:
    """The rows of page ``page`` (1 is the first) of ``order``, ``page_size`` rows a page; a page beyond the last
    is empty (the glue keeps its page number in range)."""
    if not isinstance(page, int) or page < 1:
        raise ValueError(f"page must be a whole number of at least 1, got {page!r}")
    page_count(len(order), page_size)  # checks page_size
    start = (page - 1) * page_size
    return order[start:start + page_size]


def list_table(customers: CustomerList, values: CustomerValues, rows: np.ndarray) -> pd.DataFrame:
    """The customers at ``rows`` (in that order) as a table of :data:`COLUMNS`: a page, or a whole selection for a
    download. ``customer_id`` as written; ``segment`` as text (missing without a label or a label table);
    ``probability_alive_drop`` a fraction; money in the data's currency; model columns NaN without a forecast."""
    segment = (pd.Series(pd.array([None] * len(rows), dtype="str")) if customers.segment is None
               else pd.Series(customers.segment.take(rows).astype("str")).where(customers.segment.codes[rows] >= 0,
                                                                                None).astype("str"))
    return pd.DataFrame({
        "customer_id": customers.customer_id.iloc[rows].reset_index(drop=True),
        "segment": segment,
        "last_order": customers.last_order[rows],
        "orders": customers.orders[rows],
        "revenue": customers.revenue[rows],
        "clv": values.clv[rows],
        "probability_alive": values.probability_alive[rows],
        "expected_purchases": values.expected_purchases[rows],
        "probability_alive_drop": customers.probability_alive_drop[rows],
        "value_at_risk": values.value_at_risk[rows],
    }, columns=list(COLUMNS))


def predictive_mean_clv(
    customers: CustomerList, values: CustomerValues, *, min_customers: int = MIN_SEGMENT_CUSTOMERS,
    max_segments: int = MAX_SEGMENTS,
) -> pd.DataFrame:
    """The predictive mean CLV of each segment, in the rows of :func:`~retention_core.segments.segment_figures`.

    Definition: the mean of the customers' predictive CLV (:func:`customer_values`) over the segment row's customers
    with a forecast; rows are pooled as the segment figures pool them (:func:`~.figures.pooled_rows` with the same
    ``min_customers`` and ``max_segments``), "other" and "missing" included. Weighted by ``forecast_customers`` the
    rows' means give the whole business's predictive mean CLV (the CLV page's).
    Formula: mean_s = Σ_{i ∈ s, forecast} clv_i / n_s.   Units: currency per customer; NaN for a row without a
    forecast customer. Columns: ``segment``, ``kind``, ``forecast_customers`` (n_s), ``predictive_mean_clv``.
    Reference: Fader, Hardie & Lee (2005), JMR 42(4) ("RFM and CLV"); Fader & Hardie (2013).
    """
    if customers.segment is None:
        raise ValueError("the list has no segments: make it with a label table")
    labels = pd.Series(customers.segment)
    row_of, rows, _ = pooled_rows(labels, min_customers, max_segments)
    missing_row = len(rows) - 1 if rows and rows[-1][1] == "missing" else -1
    codes = labels.map(row_of).astype("float64").fillna(missing_row).to_numpy(dtype="int64")
    known = ~np.isnan(values.clv)
    counts = np.bincount(codes[known], minlength=len(rows))
    sums = np.bincount(codes[known], weights=values.clv[known], minlength=len(rows))
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    return pd.DataFrame({
        "segment": pd.array([label for label, _, _ in rows], dtype="str"),
        "kind": [kind for _, kind, _ in rows],
        "forecast_customers": counts.astype("int64"),
        "predictive_mean_clv": means,
    })
