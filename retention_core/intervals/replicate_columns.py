"""The per-customer table one bootstrap resamples: the annual basis's columns and the customers' tenure years.

:data:`REPLICATE_COLUMNS` are the :class:`~retention_core.customer_value.AnnualBasis` fields that are sums over
customers. :class:`ReplicateColumns` builds any range of its rows on demand: each customer's share of those sums,
then their revenue and activity in tenure years 1 … :data:`TENURE_YEARS` (the rows of
:func:`retention_core.queries.customer_tenure_revenue`, brought to the customer summary's row numbers by
:func:`customer_tenure_positions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from retention_core.customer_value import AnnualBasis, annual_windows

TENURE_YEARS = 5
"""The customer years whose revenue per active customer is resampled with the basis: as many as the Retention →
profit simulator lists from the data at most (:func:`retention_views.page_results.default_profits_by_tenure`)."""

REPLICATE_COLUMNS = ("previous_year_buyers", "retained_buyers", "buyers", "first_time_buyers", "revenue",
                     "occasions", "repeat_buyers")
"""The :class:`AnnualBasis` fields a replicate resamples: each is a sum of one per-customer column."""


def basis_columns(customer_table: pd.DataFrame, basis: AnnualBasis) -> np.ndarray:
    """The per-customer columns whose sums are :data:`REPLICATE_COLUMNS` (customers × 7), only for customers that
    add to one of them (bought in P or L, or had a return in L): a customer with zeros in every column changes no
    replicate."""
    columns = ReplicateColumns.of(customer_table, basis)
    return columns.part(0, columns.customer_count)


def customer_tenure_positions(customer_ids: pd.Series, customer_tenures: pd.DataFrame) -> pd.DataFrame:
    """``customer_tenures`` (:func:`retention_core.queries.customer_tenure_revenue`) with each row's customer as
    its row number in the customer summary whose ids are ``customer_ids`` (column ``customer``). Rows of a customer
    not in the summary are dropped (there are none when both come from the same orders). Whole-number codes
    0 … n − 1 in order (the aggregation's coded ids) are their own row numbers: no lookup then."""
    ids = customer_tenures["customer_id"]
    if _are_row_numbers(customer_ids) and pd.api.types.is_integer_dtype(ids.dtype):
        position = ids.to_numpy(dtype=np.int64)
        position = np.where((position >= 0) & (position < len(customer_ids)), position, -1)
    else:
        position = pd.Index(customer_ids).get_indexer(ids)
    found = position >= 0
    if found.all():  # the usual case: no copies of the columns but the narrower types below
        found = slice(None)
    return pd.DataFrame({  # small types: at 3.6 M customers these rows are 3.6 M too
        "customer": position[found].astype(np.int32 if len(customer_ids) < 2**31 else np.int64),
        "tenure": customer_tenures["tenure"].to_numpy()[found].astype(np.int16),
        "revenue": customer_tenures["revenue"].to_numpy(dtype=np.float64)[found],
        "active": customer_tenures["active"].to_numpy()[found].astype(np.int8),
    })


def _are_row_numbers(customer_ids: pd.Series) -> bool:
    """Whether ``customer_ids`` are 0, 1, …, n − 1 in order."""
    if not pd.api.types.is_integer_dtype(customer_ids.dtype) or len(customer_ids) == 0:
        return False
    values = customer_ids.to_numpy()
    return bool(values[0] == 0 and values[-1] == len(values) - 1 and (np.diff(values) == 1).all())


@dataclass(frozen=True)
class ReplicateColumns:
    """The per-customer table one bootstrap resamples: the 7 :data:`REPLICATE_COLUMNS`, then for each tenure year
    t = 1 … ``tenure_years`` the customer's revenue in year t of their life, then for each t whether they ordered
    in it (1 or 0; see :func:`retention_core.queries.customer_tenure_revenue`). Only the customers that add to a
    column are rows (``customers``: their row numbers in the customer summary): first the ``basis_count`` that add
    to the basis (ascending), then those with tenure rows only (ascending). :meth:`part` builds any range of rows on
    demand, so the whole table never needs to exist (at 3.6 M customers it would take 0.5 GB).
    """

    customers: np.ndarray
    tenure_years: int
    basis_count: int
    _basis: dict = field(compare=False, repr=False)
    _tenures: dict | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, customer_table: pd.DataFrame, basis: AnnualBasis, customer_tenures: pd.DataFrame | None = None,
           tenure_years: int = 0) -> ReplicateColumns:
        """The columns of ``customer_table`` for ``basis`` and, with ``customer_tenures``
        (:func:`customer_tenure_positions`), its first ``tenure_years`` tenure years."""
        year_start, _ = annual_windows(basis.as_of)
        bought = (customer_table["last_order"] > year_start).to_numpy()
        previous = customer_table["ordered_previous_year"].fillna(False).to_numpy(dtype=bool)
        revenue = customer_table["revenue_last_year"].fillna(0.0).to_numpy(dtype=np.float64)
        keep = previous | bought | (revenue != 0)
        customers, basis_count, tenures = np.flatnonzero(keep), int(keep.sum()), None
        if customer_tenures is not None and tenure_years > 0:
            positions = customer_tenures["customer"].to_numpy()
            tenure = customer_tenures["tenure"].to_numpy()
            within = (tenure >= 1) & (tenure <= tenure_years)
            every = bool(within.all())
            if not every:
                positions, tenure = positions[within], tenure[within]
            tenure_only = np.zeros(len(keep), dtype=bool)
            tenure_only[positions] = True
            tenure_only &= ~keep
            customers = np.concatenate([customers, np.flatnonzero(tenure_only)])
            del tenure_only
            row_of = np.empty(len(keep), dtype=np.int32 if len(keep) < 2**31 else np.int64)
            row_of[customers] = np.arange(len(customers))
            rows = row_of[positions]
            del row_of
            order = np.argsort(rows)
            values = customer_tenures["revenue"].to_numpy(), customer_tenures["active"].to_numpy()
            if not every:
                values = tuple(column[within] for column in values)
            tenures = {"customer": rows[order], "tenure": tenure[order], "revenue": values[0][order],
                       "active": values[1][order]}
        else:
            tenure_years = 0
        first = (customer_table["first_order"] > year_start).to_numpy()
        occasions = customer_table["occasions_last_year"].fillna(0).to_numpy()
        return cls(customers=customers, tenure_years=tenure_years, basis_count=basis_count,
                   _basis={"bought": bought, "previous": previous, "revenue": revenue, "first": first,
                           "occasions": occasions},
                   _tenures=tenures)

    @property
    def customer_count(self) -> int:
        return len(self.customers)

    @property
    def column_count(self) -> int:
        return len(REPLICATE_COLUMNS) + 2 * self.tenure_years

    def part(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start`` … ``stop`` − 1 of the table (float64, filled column by column, so stored by column:
        row by row the column writes took ten times as long)."""
        rows = self.customers[start:stop]
        table = np.zeros((len(rows), self.column_count), order="F")
        basis = self._basis
        bought, previous = basis["bought"][rows], basis["previous"][rows]
        occasions = basis["occasions"][rows]
        table[:, 0] = previous
        table[:, 1] = previous & bought
        table[:, 2] = bought
        table[:, 3] = basis["first"][rows]
        table[:, 4] = basis["revenue"][rows]
        table[:, 5] = occasions
        table[:, 6] = bought & (occasions >= 2)
        if self._tenures is not None:
            tenures = self._tenures
            low, high = np.searchsorted(tenures["customer"], [start, stop])
            row = tenures["customer"][low:high] - start
            column = len(REPLICATE_COLUMNS) - 1 + tenures["tenure"][low:high].astype(np.int64)
            table[row, column] = tenures["revenue"][low:high]
            table[row, column + self.tenure_years] = tenures["active"][low:high]
        return table
