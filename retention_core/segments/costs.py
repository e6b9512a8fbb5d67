"""Retention and acquisition spend per segment: from a segment column of the sheet, else allocated.

The spend is the annual basis's (:mod:`retention_core.customer_value`): the rows dated in the last 12 months L.
A segment's share (:func:`split`) becomes the spend of its :class:`~retention_core.customer_value.AnnualBasis`,
whose properties give retention cost per customer-year and CAC, so both keep their one definition. Every split
adds up to the whole: the segments' spend sums to the spend of L. The cost sheets' optional ``segment`` column
(``retention_core.ingest.SHEETS``: Segment, Kanal, Channel …) says which segment a row's spend was for.

- With a segment column on the sheet whose values name the dimension's segments (:func:`sheet_spend_for`): each
  segment carries the spend of
  its rows (:func:`retention_spend_by_segment`, :func:`acquisition_by_segment`); rows without a segment value, or
  with a value that is no segment, are *unattributed* and allocated like spend without a column.
- Without one, spend is allocated (:func:`allocate`): retention spend by active customer-years (buyers in L:
  every active customer-year costs the same), acquisition spend and the sheet's count of new customers by the
  customers won in L (first order in L: every new customer costs the same, so each segment's CAC is the
  whole's). Acquisition spend is not allocated by active customer-years: a segment of long-standing customers
  (an early cohort) would then carry acquisition spend without a customer won for it.

:data:`COST_SOURCES` names where a segment table's costs came from (the page says which).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from retention_core import queries
from retention_core.engines import Engine, Table

#: Where a segment table's retention or acquisition spend came from: a segment column of the sheet, an allocation,
#: or nowhere (no sheet, or no row dated in L).
COST_SOURCES = ("segment_column", "allocated", "none")


def _window(window_start: dt.date, window_end: dt.date) -> dict[str, dt.date]:
    return {"window_start": pd.Timestamp(window_start).date(), "window_end": pd.Timestamp(window_end).date()}


def retention_spend_by_segment(
    costs: Table, window_start: dt.date, window_end: dt.date, engine: Engine | None = None
) -> pd.DataFrame:
    """:func:`queries.retention_spend_in_window` per value of the cost sheet's ``segment`` column
    (``sql/segment_retention_spend_in_window.sql``): ``segment`` (missing for the rows without one),
    ``cost_rows``, ``retention_spend``."""
    return queries.run_sql("segment_retention_spend_in_window", _window(window_start, window_end), engine,
                           costs=_with_segment(costs))


def acquisition_by_segment(
    acquisition: Table, window_start: dt.date, window_end: dt.date, engine: Engine | None = None
) -> pd.DataFrame:
    """:func:`queries.acquisition_in_window` per value of the acquisition sheet's ``segment`` column (e.g. a
    channel; ``sql/segment_acquisition_in_window.sql``): ``segment`` (missing for the rows without one),
    ``acquisition_rows``, ``acquisition_spend``, ``new_customer_rows``, ``sheet_new_customers``."""
    table = _with_segment(queries.with_optional_columns(acquisition, "acquisition"))
    return queries.run_sql("segment_acquisition_in_window", _window(window_start, window_end), engine,
                           acquisition=table)


def _with_segment(sheet: Table) -> Table:
    """``sheet`` with an all-missing ``segment`` column when it has none (all its spend then unattributed)."""
    if "segment" in sheet.columns:
        return sheet
    if not isinstance(sheet, pd.DataFrame):
        return sheet.with_null_columns({"segment": "str"})
    return sheet.assign(segment=pd.Series(None, index=sheet.index, dtype="str"))


def has_segments(sheet: Table | None) -> bool:
    """Whether a cost sheet carries a segment column with at least one value (a path source: the column)."""
    if sheet is None or "segment" not in sheet.columns:
        return False
    return not isinstance(sheet, pd.DataFrame) or bool(sheet["segment"].notna().any())


def sheet_spend_for(labels: pd.DataFrame, by_segment: pd.DataFrame | None, columns: str | list[str]):
    """The spend of a sheet's segment column (:func:`retention_spend_by_segment` or :func:`acquisition_by_segment`)
    indexed by segment value, for the dimension of ``labels`` (a label table): ``columns`` of ``by_segment``, or
    None (allocate) when there is no such table or none of its values names a segment of this dimension (a channel
    column says nothing about cohorts).
    """
    if by_segment is None or by_segment.empty:
        return None
    values = by_segment["segment"]
    if not values.dropna().isin(labels["segment"].cat.categories).any():
        return None
    return by_segment.set_index("segment")[columns]


def allocate(total: float, weights: pd.Series) -> pd.Series:
    """``total`` split in proportion to ``weights`` (one per segment), so that the parts sum to ``total``.

    Definition: the part of segment s is the total times s's share of the weights.
    Formula: partₛ = total × wₛ / Σw.   Units: those of ``total``. Missing parts (NaN) when the weights sum to 0:
    nothing to allocate by (unknown, never 0).
    """
    weights = weights.astype("float64")
    whole = float(weights.sum())
    if whole <= 0:
        return pd.Series(np.nan, index=weights.index)
    return total * weights / whole


def split(whole: float | None, by_value: pd.Series | None, rows: pd.Series, weights: pd.Series) -> pd.Series:
    """The whole's ``whole`` (spend, or the sheet's new customers, in L) split over the segments of a table.

    ``by_value``: the amounts per segment value of the sheet's segment column (index: the value, missing for the
    rows without one), None without a column. ``rows``: the segment-table row of each label (pooled labels map to
    the "other" row). ``weights``: the allocation key per segment-table row. A segment carries the amounts of its
    values; the rest (rows without a value, values that are no segment) and, without a column, all of ``whole``
    is allocated (:func:`allocate`). A segment without a row of its own carries 0 (the sheet says what each
    segment spent). All missing when ``whole`` is None (unknown, not zero). Returns one value per ``weights`` row.
    """
    if whole is None:
        return pd.Series(np.nan, index=weights.index)
    if by_value is None:
        return allocate(whole, weights)
    values = pd.Series(by_value.to_numpy(dtype="float64"), index=by_value.index.map(rows))
    attributed = values[values.index.notna()]
    own = attributed.groupby(level=0).sum().reindex(weights.index, fill_value=0.0)
    rest = float(values[values.index.isna()].sum())
    return own + allocate(rest, weights) if rest != 0 else own
