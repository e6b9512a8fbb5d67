"""Per-segment figures with the whole business's definitions, so that the segments add up to the whole.

Every segment is measured like the whole business on the annual basis (:mod:`retention_core.customer_value`):
its customers' rows of the customer summary (:attr:`retention_core.dataset.Aggregates.customers`, the table the
aggregation already builds; a segment is one grouping key more) go through
:func:`~retention_core.customer_value.annual_basis` with the whole data's anchor, and each figure is the
:class:`~retention_core.customer_value.AnnualBasis` property the whole-business pages read. The CLVs come from
:mod:`retention_core.metrics` with the formulas of the CLV page (Farris et al. 2010 §5.3; see :func:`values_of`).
Counts, revenue and spend are sums over customers, so the segments' sum is the whole's; rates and CLVs are
each segment's own (the whole's is their customer-weighted blend, not their sum).

Segments too small to measure are pooled into one "other" row (:func:`pooled_rows`): fewer than
:data:`MIN_SEGMENT_CUSTOMERS` customers, or beyond the :data:`MAX_SEGMENTS` − 1 largest. Customers without a label
form a "missing" row. Nothing fails for a small or empty segment: a figure it cannot measure is missing (NaN).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from retention_core import metrics
from retention_core.customer_value import BASIS_COLUMNS, AnnualBasis, annual_basis, new_customer_value
from retention_core.segments import costs

MIN_SEGMENT_CUSTOMERS = 30
"""Fewer customers than this make a segment too small to measure: it is pooled into "other". With 30 customers
a rate's standard error is at most √(0.25 / 30) ≈ 0.09 (9 percentage points), about as wide as a segment
comparison can stand; below that, one customer more or less moves a segment's retention by several points."""

MAX_SEGMENTS = 15
"""At most this many rows of labelled segments, "other" included: the :data:`MAX_SEGMENTS` − 1 largest labels keep
their row (an attribute with hundreds of values, a catalogue of products, would otherwise give an unreadable
table); the rest are pooled into "other"."""

#: What a row of a segment table holds: one label, the pooled small labels, or the customers without a label.
ROW_KINDS = ("segment", "other", "missing")

#: The figures of a segment table, in order after ``segment``, ``kind``, ``labels`` (see :func:`segment_figures`).
FIGURES = (
    "customers", "customer_share", "revenue", "buyers", "revenue_last_year", "new_customers",
    "previous_year_buyers", "retained_buyers", "retention_rate", "repeat_purchase_rate", "purchase_frequency",
    "average_order_value", "margin_per_year", "retention_spend", "retention_cost_per_customer",
    "acquisition_spend", "acquisition_cost", "expected_lifetime_years", "simple_clv", "margin_multiple_clv",
    "finite_horizon_clv", "lifetime_retention_cost", "clv_gap", "net_value", "break_even_retention_spend",
    "clv_to_cac",
)


@dataclass(frozen=True)
class SegmentBases:
    """The annual basis of every segment of one dimension: the costly part, made once per data set, dimension and
    cost sheets (:func:`segment_bases`); the figures at any gross margin and discount rate are read off it
    (:func:`segment_figures`) without touching a customer again.

    ``rows``: (label or None, kind of :data:`ROW_KINDS`, number of labels in the row) per segment row; ``bases``:
    each row's :class:`AnnualBasis` with its share of the spend; ``customer_counts`` and ``revenue`` (net, all
    time) per row; ``whole``: the whole business's basis; ``pooled``: the labels pooled into "other";
    ``retention_cost_source`` and ``acquisition_cost_source``: one of
    :data:`retention_core.segments.costs.COST_SOURCES`; ``min_customers``: the pooling threshold used.
    """

    rows: tuple[tuple[str | None, str, int], ...]
    bases: tuple[AnnualBasis, ...]
    customer_counts: tuple[int, ...]
    revenue: tuple[float, ...]
    whole: AnnualBasis
    pooled: tuple[str, ...] = field(default=())
    retention_cost_source: str = "none"
    acquisition_cost_source: str = "none"
    min_customers: int = MIN_SEGMENT_CUSTOMERS


@dataclass(frozen=True)
class SegmentFigures:
    """A segment table and what the page must say about it.

    ``table``: one row per segment (:func:`segment_figures`); ``whole``: the same figures for the whole business
    (one row, ``kind`` "whole"); ``bases``: what they were read off (its ``pooled`` labels, cost sources and
    ``min_customers`` are for the page's notes); ``unknown_retention``: why retention is unknown for every segment
    (the whole's :attr:`AnnualBasis.retention_unknown_reason`), None when measured.
    """

    table: pd.DataFrame
    whole: pd.DataFrame
    bases: SegmentBases
    unknown_retention: str | None = None


def pooled_rows(
    labels: pd.Series, min_customers: int = MIN_SEGMENT_CUSTOMERS, max_segments: int = MAX_SEGMENTS
) -> tuple[pd.Series, list[tuple[object, str, int]], tuple[str, ...]]:
    """Which row of a segment table each label falls in.

    ``labels``: the ``segment`` column of a label table (an ordered Categorical, one entry per customer). A label
    keeps a row of its own when it has at least ``min_customers`` customers and is among the ``max_segments`` − 1
    largest such labels; the others are pooled into one "other" row (only when there is one). Returns the row of
    each label (label -> row number), the rows as (label or None, kind, number of labels) in the labels' category
    order with "other" and "missing" last, and the pooled labels.
    """
    if not isinstance(min_customers, int) or min_customers < 1:
        raise ValueError(f"min_customers must be a whole number of at least 1, got {min_customers!r}")
    if not isinstance(max_segments, int) or max_segments < 2:
        raise ValueError(f"max_segments must be a whole number of at least 2, got {max_segments!r}")
    counts = labels.value_counts(sort=False)
    counts = counts[counts > 0]
    large = counts[counts >= min_customers]
    largest = set(large.sort_values(ascending=False, kind="stable").index[: max_segments - 1])
    kept = [label for label in counts.index if label in largest]
    pooled = tuple(str(label) for label in counts.index if label not in largest)
    rows = [(label, "segment", 1) for label in kept]
    if pooled:
        rows.append((None, "other", len(pooled)))
    mapping = {label: number for number, label in enumerate(kept)}
    mapping.update({label: len(kept) for label in pooled})
    if labels.isna().any():
        rows.append((None, "missing", 0))
    return pd.Series(mapping, dtype="float64"), rows, pooled


def values_of(
    basis: AnnualBasis, gross_margin: float, annual_discount_rate: float, horizon_years: int
) -> dict[str, float | None]:
    """The figures of one segment (or the whole) from its annual basis, each as the whole-business pages define it.

    Rates and money on the annual basis; the CLVs, CLV gap, net value, break-even spend and CLV : CAC are the CLV
    page's, from the one function both call (:func:`~retention_core.customer_value.new_customer_value`, Farris et
    al. 2010 §5.3) with m = net revenue in L × gross margin ÷ buyers. Missing (None) where an input is unknown: no
    buyer in L, retention unknown, no spend; the simple CLV also at r = 1 (an endless lifetime).
    """
    r = basis.retention_rate
    margin = basis.margin_per_year(gross_margin)
    cost, cac = basis.retention_cost_per_customer, basis.acquisition_cost
    values = {
        "buyers": basis.buyers, "revenue_last_year": basis.revenue, "new_customers": basis.new_customers,
        "previous_year_buyers": basis.previous_year_buyers, "retained_buyers": basis.retained_buyers,
        "retention_rate": r, "repeat_purchase_rate": basis.repeat_purchase_rate,
        "purchase_frequency": basis.purchase_frequency, "average_order_value": basis.average_order_value,
        "margin_per_year": margin, "retention_spend": basis.retention_spend,
        "retention_cost_per_customer": cost, "acquisition_spend": basis.acquisition_spend, "acquisition_cost": cac,
    }
    return {**values, **asdict(new_customer_value(
        margin, r, annual_discount_rate, horizon_years, gross_margin=gross_margin,
        average_order_value=basis.average_order_value, purchase_frequency=basis.purchase_frequency,
        retention_cost_per_customer=cost, acquisition_cost=cac))}


def segment_bases(
    customer_table: pd.DataFrame,
    labels: pd.DataFrame,
    basis: AnnualBasis,
    *,
    retention_spend_by_value: pd.Series | None = None,
    acquisition_by_value: pd.DataFrame | None = None,
    min_customers: int = MIN_SEGMENT_CUSTOMERS,
    max_segments: int = MAX_SEGMENTS,
) -> SegmentBases:
    """The annual basis of each segment of one dimension, measured like the whole's and adding up to it.

    ``customer_table``: the customer summary with its annual columns (:attr:`Aggregates.customers`); ``labels``: a
    label table of :mod:`retention_core.segments.assignment` (customers it lacks count as missing; in the summary's
    order it is taken as it is, else matched by id); ``basis``: the whole business's :class:`AnnualBasis`
    (:attr:`Aggregates.basis`), whose anchor every segment is measured at and whose spend is split.
    ``retention_spend_by_value``: retention spend in L per value of the cost sheet's segment column (the
    ``retention_spend`` of :func:`costs.retention_spend_by_segment`, indexed by ``segment``);
    ``acquisition_by_value``: :func:`costs.acquisition_by_segment` indexed by ``segment``. Without them the spend
    is allocated (:mod:`retention_core.segments.costs`). Segments are pooled by :func:`pooled_rows`. Raises
    ``ValueError`` without a ``basis`` or when ``labels`` lists a customer twice.
    """
    if basis is None:
        raise ValueError("segments need the annual basis of the whole business (Aggregates.basis), which this "
                         "data lacks: no order, or an aggregates folder written before the basis existed")
    # a label table in the summary's order (the summary's ids: each customer once) needs no check for repeats
    if not _same_ids(labels["customer_id"], customer_table["customer_id"]) and labels["customer_id"].duplicated().any():
        twice = labels.loc[labels["customer_id"].duplicated(), "customer_id"].iloc[0]
        raise ValueError(f"a label table gives each customer one segment; {twice!r} has more than one row")
    segment = aligned_labels(customer_table["customer_id"], labels)
    row_of, rows, pooled = pooled_rows(segment, min_customers, max_segments)
    missing_row = len(rows) - 1 if rows and rows[-1][1] == "missing" else -1
    codes = segment.map(row_of).astype("float64").fillna(missing_row).to_numpy(dtype="int64")
    parts, counts, revenue = [], [], []
    for group in row_parts(customer_table, ["first_order", "last_order", "revenue", *BASIS_COLUMNS], codes,
                           len(rows)):  # one row's customers at a time
        parts.append(annual_basis(group, as_of=basis.as_of, data_start=basis.first_order))
        counts.append(len(group))
        revenue.append(float(group["revenue"].sum()))
    index = pd.RangeIndex(len(rows))
    buyers = pd.Series([part.buyers for part in parts], index=index)
    first_time = pd.Series([part.first_time_buyers for part in parts], index=index)
    acquisition = acquisition_by_value
    spend = costs.split(basis.retention_spend, retention_spend_by_value, row_of, buyers)
    acquired = costs.split(basis.acquisition_spend, None if acquisition is None
                           else acquisition["acquisition_spend"], row_of, first_time)
    sheet_new = costs.split(basis.sheet_new_customers, None if acquisition is None
                            else acquisition["sheet_new_customers"], row_of, first_time)
    return SegmentBases(
        rows=tuple(rows),
        bases=tuple(replace(part, retention_spend=_known(spend[n]), acquisition_spend=_known(acquired[n]),
                            sheet_new_customers=_known(sheet_new[n])) for n, part in enumerate(parts)),
        customer_counts=tuple(counts),
        revenue=tuple(revenue),
        whole=basis,
        pooled=pooled,
        retention_cost_source=_source(basis.retention_spend, retention_spend_by_value),
        acquisition_cost_source=_source(basis.acquisition_spend, acquisition),
        min_customers=min_customers,
    )


def aligned_labels(customer_ids: pd.Series, labels: pd.DataFrame) -> pd.Series:
    """The label of each of ``customer_ids`` (missing where ``labels`` has none), as a Categorical Series.

    A label table made from the summary itself (cohort, RFM) is in its order and is taken as it is; any other
    (from the first orders, which lack customers without an order) is matched by id.
    """
    ids = labels["customer_id"]
    if _same_ids(ids, customer_ids):
        return pd.Series(labels["segment"].array, index=customer_ids.index)
    if _arrow_text(ids) is not None and _arrow_text(customer_ids) is not None:  # matched in Arrow: no str objects
        found = pc.index_in(_arrow_text(customer_ids), value_set=_arrow_text(ids))
        positions = pc.fill_null(found, -1).to_numpy()
    else:
        positions = pd.Index(ids.to_numpy()).get_indexer(customer_ids.to_numpy())
    codes = np.where(positions >= 0, labels["segment"].cat.codes.to_numpy()[positions], -1)
    segment = pd.Categorical.from_codes(codes, dtype=labels["segment"].dtype)
    return pd.Series(segment, index=customer_ids.index)


def _arrow_text(ids: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow array behind text ids (pandas' ``str`` dtype held by Arrow), None for other ids."""
    array = ids.array
    return array.__arrow_array__() if isinstance(array, pd.arrays.ArrowStringArray) else None


def _same_ids(ids: pd.Series, customer_ids: pd.Series) -> bool:
    """Whether ``ids`` are ``customer_ids``, value by value in the same order (text ids compared in Arrow, without
    a Python string per customer: a label table usually shares the summary's ids)."""
    if len(ids) != len(customer_ids):
        return False
    left, right = _arrow_text(ids), _arrow_text(customer_ids)
    if left is not None and right is not None:
        return left.null_count == 0 and left.equals(right)
    return bool((ids.to_numpy() == customer_ids.to_numpy()).all())


def row_parts(customer_table: pd.DataFrame, columns: list[str], rows: np.ndarray, count: int
              ) -> Iterator[pd.DataFrame]:
    """``customer_table``'s ``columns`` split by ``rows`` (each customer's row number 0 … ``count`` − 1): one frame
    per row number, its customers in the table's order (as ``groupby(rows, sort=True)`` gives them; an empty frame
    for a row number without a customer), made one at a time. Each part is taken column by column from the table,
    so at most one part's rows are copied at once (at 3.6 M customers the six columns are 170 MB)."""
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(count + 1))
    for number in range(count):
        taken = order[bounds[number]:bounds[number + 1]]
        yield pd.DataFrame({name: customer_table[name].take(taken).reset_index(drop=True) for name in columns})


def segment_figures(
    bases: SegmentBases, *, gross_margin: float, annual_discount_rate: float, horizon_years: int = 5
) -> SegmentFigures:
    """Per-segment figures of one dimension, with the whole-business definitions, adding up to the whole.

    ``bases``: :func:`segment_bases`; ``gross_margin``, ``annual_discount_rate`` (fractions) and ``horizon_years``
    as on the CLV page. Each row of ``table``: ``segment`` (the label; missing for "other" and "missing"),
    ``kind`` (:data:`ROW_KINDS`), ``labels`` (labels in the row: 1, the number pooled, 0), then :data:`FIGURES`:
    ``customers`` (in the summary), ``customer_share`` (of all customers), ``revenue`` (net, all time), the
    annual basis's counts, rates and money and the CLVs (:func:`values_of`). Unknown figures are NaN, never 0.
    """
    total = sum(bases.customer_counts)
    share = (lambda count: count / total) if total else (lambda count: np.nan)
    records = [{"segment": label, "kind": kind, "labels": count, "customers": customers,
                "customer_share": share(customers), "revenue": revenue,
                **values_of(part, gross_margin, annual_discount_rate, horizon_years)}
               for (label, kind, count), part, customers, revenue
               in zip(bases.rows, bases.bases, bases.customer_counts, bases.revenue)]
    whole = {"segment": None, "kind": "whole", "labels": sum(count for _, kind, count in bases.rows
                                                             if kind != "missing"),
             "customers": total, "customer_share": share(total), "revenue": sum(bases.revenue),
             **values_of(bases.whole, gross_margin, annual_discount_rate, horizon_years)}
    return SegmentFigures(
        table=_typed(pd.DataFrame.from_records(records, columns=["segment", "kind", "labels", *FIGURES])),
        whole=_typed(pd.DataFrame.from_records([whole], columns=["segment", "kind", "labels", *FIGURES])),
        bases=bases,
        unknown_retention=bases.whole.retention_unknown_reason,
    )


def uplift_by_segment(
    bases: SegmentBases, *, gross_margin: float, annual_discount_rate: float, uplift_points: float = 0.05
) -> pd.DataFrame:
    """Where one more point of retention pays most: Reichheld's uplift per segment, the profit page's formula.

    Per segment row of ``bases`` (and "whole" last): the value of a new customer at the segment's annual retention
    r and at r + ``uplift_points`` (:func:`metrics.retention_uplift` with the segment's margin per customer-year as
    the profit of every year, its CAC where known, else none), so ``value_before`` is the margin-multiple CLV less
    CAC. The profit page uses the whole business's profit-by-tenure curve instead of one margin; there is no
    tenure curve per segment (the tenure table is not split), so the segments' rows use their constant margin. Columns: ``segment``, ``kind``, ``retention_before``, ``retention_after``, ``value_before``,
    ``value_after``, ``value_change`` (per new customer), ``relative_change`` (NaN where a percentage means
    nothing), ``buyers`` (the segment's customer-years in L, to weigh the change by). Every value is NaN where
    retention or margin is unknown or r + ``uplift_points`` exceeds 1.
    Reference: Reichheld & Sasser (1990), "Zero Defections", HBR 68(5).
    """
    rows = [*zip(bases.rows, bases.bases), ((None, "whole", 0), bases.whole)]
    records = []
    for (label, kind, _), basis in rows:
        r, margin = basis.retention_rate, basis.margin_per_year(gross_margin)
        record = {"segment": label, "kind": kind, "buyers": basis.buyers}
        if r is not None and margin is not None and r + uplift_points <= 1.0:
            result = metrics.retention_uplift([margin], r, uplift_points, annual_discount_rate,
                                              basis.acquisition_cost or 0.0)
            record.update(retention_before=result.retention_before, retention_after=result.retention_after,
                          value_before=result.value_before, value_after=result.value_after,
                          value_change=result.value_change, relative_change=result.relative_change)
        records.append(record)
    columns = ["segment", "kind", "retention_before", "retention_after", "value_before", "value_after",
               "value_change", "relative_change", "buyers"]
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.astype({name: "float64" for name in columns[2:-1]})


def _known(value: float) -> float | None:
    return None if pd.isna(value) else float(value)


def _source(whole: float | None, by_value: object) -> str:
    if whole is None:
        return "none"
    return "allocated" if by_value is None else "segment_column"


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with the label as text and every figure a number (None -> NaN: unknown, never 0)."""
    figures = {name: pd.to_numeric(table[name], errors="coerce").astype("float64")
               for name in FIGURES if name not in ("customers",)}
    return table.assign(segment=table["segment"].astype("object").where(table["segment"].notna(), None)
                        .astype("str"), customers=table["customers"].astype("int64"),
                        labels=table["labels"].astype("int64"), **figures)
