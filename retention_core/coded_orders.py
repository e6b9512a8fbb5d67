"""The orders as DuckDB groups them fastest on large data, and the queries that group them range by customer range.

From :data:`CODED_IDS_FROM_ROWS` rows on, :func:`retention_core.dataset.aggregate` and the segments' first use
(:class:`~retention_core.segment_inputs.SegmentInputs`) hand DuckDB whole-number codes instead of the customer ids
and products (:func:`_customer_codes`), summarise the customers in ranges of :data:`CUSTOMERS_PER_QUERY` codes
(:func:`_customer_summary`, :func:`_first_orders`) and turn the codes in the results back into the ids
(:func:`_decode`). Every result is the same as over the ids; only the time and the peak memory differ.

Apart from :mod:`retention_core.dataset` because it is how large orders are read, not what the aggregates are. The
names keep their leading underscore: they are the aggregation's own (:mod:`retention_core.dataset`,
:mod:`retention_core.segment_inputs`), not part of ``retention_core``'s API.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from retention_core import models, queries, segments
from retention_core.engines import Engine, Table, frame_from_arrow_parts
from retention_core.ingest.prepare import TextCodes
from retention_core.models import TIME_UNIT

CODED_IDS_FROM_ROWS = 100_000
"""From this many transaction rows on, :func:`~retention_core.dataset.aggregate` hands DuckDB whole-number customer
codes (see :func:`_customer_codes`); below, the ids themselves (nothing to gain)."""

CUSTOMERS_PER_QUERY = 750_000
"""With coded ids, :func:`~retention_core.dataset.aggregate` summarises at most this many customers per query
(see :func:`_customer_summary`; the first orders too); each query's hash tables then stay bounded however many
customers there are. (At 3.6 M customers five ranges instead of four of 1 M lowered the customer summary's peak by
120 MiB without more CPU time; ranges of 600,000 lowered it no further: ``docs/performance.md``.)"""


def _customer_codes(
    transactions: pd.DataFrame, *, products: bool = True, known: Mapping[str, TextCodes] | None = None
) -> tuple[pd.DataFrame, pd.Index | None]:
    """``transactions`` with ``customer_id`` replaced by int32 codes in sorted id order, and the ids to decode them.

    DuckDB groups, sorts and returns whole numbers several times faster than text, and the code order is the text
    order, so ``ORDER BY customer_id`` is unchanged. With ``products``, ``product`` (when there) is coded too
    (:func:`_product_codes`); only the customer summary reads it. ``known``: codes ``prepare_sheet`` found for these
    columns (``Dataset.transaction_codes``), taken instead of coding again where :meth:`TextCodes.describes` the
    column. Returns the frame itself and None when there is nothing to gain or a customer id is missing.
    """
    if not isinstance(transactions, pd.DataFrame):  # a path source: the engine reads it itself
        return transactions, None
    ids = transactions["customer_id"]
    if len(ids) < CODED_IDS_FROM_ROWS:
        return transactions, None
    try:
        id_codes = _known_codes(known, ids) or TextCodes.of(ids)
    except TypeError:  # ids of mixed types (an unprepared frame) cannot be sorted: leave them as they are
        return transactions, None
    if (id_codes.codes < 0).any() or len(id_codes.values) >= 2**31:
        return transactions, None
    coded = {"customer_id": id_codes.codes.astype("int32", copy=False)}
    if products and "product" in transactions.columns:
        coded["product"] = _product_codes(transactions["product"], _known_codes(known, transactions["product"]))
    return transactions.assign(**coded), id_codes.values


def _known_codes(known: Mapping[str, TextCodes] | None, column: pd.Series) -> TextCodes | None:
    """The codes of ``column`` (by its name) in ``known``, when they describe it; else None."""
    codes = (known or {}).get(column.name)
    return codes if codes is not None and codes.describes(column) else None


def _product_codes(products: pd.Series, known: TextCodes | None = None) -> pd.Series:
    """``products`` as whole-number codes, one per distinct product, a missing product missing (``known``: the
    codes already found for them, see :func:`_customer_codes`).

    Products only ever count as distinct products per customer (``customer_summary.sql``), and distinct codes are
    distinct products, so the codes are never decoded. They are int16 up to 32,767 products (else int32; known codes
    stay int8 when they are), nullable only when a product is missing: two bytes a row instead of the names. The
    customer summary's (customer, product) grouping over the codes saves more time than the coding takes.
    """
    codes, uniques = (known.codes, known.values) if known is not None else pd.factorize(products)
    width = np.dtype("int16" if len(uniques) < 2**15 else "int32")
    small = codes if codes.dtype.itemsize <= width.itemsize else codes.astype(width)  # known codes may be int8
    missing = codes < 0
    values = pd.arrays.IntegerArray(small, mask=missing) if missing.any() else small
    return pd.Series(values, index=products.index, name=products.name)


def _product_values(products: pd.Series, known: Mapping[str, TextCodes]) -> pd.Index:
    """The products :func:`_product_codes` coded ``products`` by, in code order (the same codes it gave)."""
    codes = _known_codes(known, products)
    return codes.values if codes is not None else pd.factorize(products)[1]


def _decode(frame: pd.DataFrame, uniques: pd.Index | None) -> pd.DataFrame:
    """``frame`` with its ``customer_id`` codes turned back into the ids (see :func:`_customer_codes`).

    A frame with one row per code in code order (the customer summary) gets ``uniques`` themselves, not a copy:
    at 3.6 M customers a copy of the ids is 55 MiB, held as long as the aggregates live.
    """
    if uniques is None or "customer_id" not in frame.columns:
        return frame
    codes = frame["customer_id"].to_numpy()
    every_code_in_order = len(codes) == len(uniques) and (
        len(codes) == 0 or (codes[0] == 0 and bool((np.diff(codes) == 1).all())))
    ids = uniques.array if every_code_in_order else uniques.take(codes).array  # Arrow stays Arrow
    decoded = frame.assign(customer_id=ids)
    decoded.attrs = frame.attrs
    return decoded


def _customer_summary(
    transactions: Table, engine: Engine | None, customer_count: int | None, basis_end: object = None
) -> pd.DataFrame:
    """:func:`queries.customer_summary` in weeks, for ``customer_count`` coded ids in ranges of
    :data:`CUSTOMERS_PER_QUERY`.

    The customer query's hash tables (one row per customer and day, one per customer) set the peak memory of
    :func:`~retention_core.dataset.aggregate`. Over the codes ``0 … customer_count - 1`` (:func:`_customer_codes`) it
    runs range by range, and the ranges' rows, each ordered by code, are joined in order: the same frame as one
    query. The process then grows by much less during the step, which takes a little longer, since each range reads
    all rows again. The ranges run one after the other on one database (``Engine.run_arrow_each``), so each reuses
    the memory DuckDB kept from the one before.
    ``customer_count=None`` (ids not coded): one query. ``basis_end``: the data's last order date, the anchor of the
    annual columns.
    """
    unit_days = models.TIME_UNIT_DAYS[TIME_UNIT]
    if customer_count is None:
        return queries.customer_summary(transactions, engine, unit_days=unit_days, basis_end=basis_end)
    return queries.customer_summary(transactions, engine, unit_days=unit_days,
                                    customer_ranges=_customer_ranges(customer_count), basis_end=basis_end)


def _customer_ranges(customer_count: int) -> list[tuple[int | None, int | None]]:
    """The ranges ``(from, before)`` of at most :data:`CUSTOMERS_PER_QUERY` codes that cover the codes
    ``0 … customer_count - 1``, for the queries that group coded orders by customer range by range; one range
    without bounds when one query holds them all."""
    if customer_count <= CUSTOMERS_PER_QUERY:
        return [(None, None)]
    return [(start, start + CUSTOMERS_PER_QUERY) for start in range(0, customer_count, CUSTOMERS_PER_QUERY)]


def _first_orders(
    original: Table, transactions: Table, uniques: pd.Index | None, known: Mapping[str, TextCodes],
    engine: Engine | None,
) -> pd.DataFrame:
    """:func:`segments.first_orders` of the orders, kept small: without ``first_order`` (the customer summary has
    it), ``first_product`` a Categorical. Over coded orders (:func:`_customer_codes`) the query reads the codes and
    its result is decoded: customer ids by ``uniques``, products by the codes' values."""
    if uniques is None or not isinstance(transactions, pd.DataFrame):
        first = segments.first_orders(transactions, engine)
        products = first["first_product"]
        first = first.assign(first_product=pd.Categorical(products.to_numpy(dtype=object, na_value=None)),
                             first_segment=pd.array(first["first_segment"].to_numpy(dtype=object), dtype="str"))
    else:
        table = pd.DataFrame({  # the coded columns themselves, not copied
            "customer_id": transactions["customer_id"], "order_date": transactions["order_date"],
            "amount": transactions["amount"],
            "product": (transactions["product"] if "product" in transactions.columns
                        else pd.Series(None, index=transactions.index, dtype="Int16")),
            "segment": pd.Series(None, index=transactions.index, dtype="Int8"),
        }, copy=False)
        parts = queries.run_sql_arrow_each(  # range by range, as the customer summary: bounded hash tables
            "segment_first_orders", [{"customer_from": low, "customer_before": high}
                                     for low, high in _customer_ranges(len(uniques))], engine, transactions=table)
        del table
        first = _decode(frame_from_arrow_parts(parts), uniques)
        first["first_segment"] = pd.Series(None, index=first.index, dtype="str")
        codes = first["first_product"].to_numpy(dtype="float64", na_value=np.nan)
        codes = np.where(np.isnan(codes), -1, codes).astype("int64")
        values = _product_values(original["product"], known) if "product" in original.columns else pd.Index([])
        first["first_product"] = (pd.Categorical.from_codes(codes, categories=values) if len(values)
                                  else pd.Categorical([None] * len(first)))
    return first.drop(columns=["first_order"])
