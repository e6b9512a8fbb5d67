"""Bootstrap replicates of the annual basis: the customers resampled, each replicate an :class:`AnnualBasis`.

:func:`basis_replicates` resamples the customer summary, with the tenure years when given
(:mod:`~retention_core.intervals.replicate_columns`), in one draw
(:func:`~retention_core.intervals.resampling.replicate_sums`); :func:`replicates_from_sums` turns the sums into
bases. :class:`BasisReplicates` holds them and measures a figure on all of them at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from retention_core.customer_value import BASIS_COLUMNS, AnnualBasis
from retention_core.intervals.replicate_columns import REPLICATE_COLUMNS, TENURE_YEARS, ReplicateColumns
from retention_core.intervals.resampling import REPLICATES, SEED, replicate_sums


@dataclass(frozen=True)
class BasisReplicates:
    """Bootstrap replicates of one :class:`AnnualBasis` (see :func:`basis_replicates`).

    ``bases`` holds one basis per replicate. :meth:`measured` gives a measurement (a function of a basis, such as
    its retention rate or CAC) on every replicate as one array, computed once per measurement by the same
    function that measures the data: a slider move then only does array arithmetic.
    """

    bases: tuple[AnnualBasis, ...]
    _measured: dict = field(default_factory=dict, compare=False, repr=False)
    #: revenue per active customer in tenure years 1, 2, … (:func:`retention_core.queries.revenue_by_tenure`'s
    #: ``revenue_per_active_customer``) on each replicate, replicates × years, from the same weights as ``bases``;
    #: None when the tenure years were not resampled (NaN where a replicate has no active customer in a year)
    tenure_revenue_per_active: np.ndarray | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.bases)

    def revenue_per_active_customer(self, tenure: int) -> np.ndarray | None:
        """Revenue per active customer in tenure year ``tenure`` on every replicate; None when that year was not
        resampled (no tenure rows, or beyond :data:`TENURE_YEARS`)."""
        table = self.tenure_revenue_per_active
        if table is None or not 1 <= tenure <= table.shape[1]:
            return None
        return table[:, tenure - 1]

    def measured(self, measure: Callable[[AnnualBasis], float | None]) -> np.ndarray:
        """``measure(replicate)`` for every replicate (float array; NaN where it gives None). ``measure`` should be
        a module-level function: the arrays are kept by it."""
        if measure not in self._measured:
            self._measured[measure] = np.array([_measure_or_nan(measure, basis) for basis in self.bases])
        return self._measured[measure]


def _measure_or_nan(measure: Callable[[AnnualBasis], float | None], basis: AnnualBasis) -> float:
    """``measure(basis)``; NaN when it gives None or the replicate is outside a formula's range (ValueError)."""
    try:
        value = measure(basis)
    except ValueError:
        return np.nan
    return np.nan if value is None else float(value)


def basis_replicates(customer_table: pd.DataFrame, basis: AnnualBasis | None, replicates: int = REPLICATES,
                     seed: int = SEED, customer_tenures: pd.DataFrame | None = None,
                     tenure_years: int = TENURE_YEARS) -> BasisReplicates:
    """Bootstrap replicates of ``basis``: the customers resampled, the spend amounts and dates kept.

    Each replicate is an :class:`AnnualBasis` whose :data:`REPLICATE_COLUMNS` are the Poisson-weighted sums of
    the customer summary's columns (:func:`bootstrap_sums`); the retention and acquisition spend, the acquisition
    sheet's count of new customers, the anchor and the data's first order stay as measured. So the retention cost
    per customer-year (spend ÷ buyers) and CAC (spend ÷ new customers) vary through their denominators; a CAC from
    the sheet's own count does not vary. Empty without a basis or without the annual columns.

    With ``customer_tenures`` (:func:`customer_tenure_positions` of the same customers) each replicate also gives
    the revenue per active customer in tenure years 1 … ``tenure_years`` (``tenure_revenue_per_active``): the
    same weights resample the customers' tenure revenue and activity as their annual columns (one table, one draw,
    :class:`ReplicateColumns`), so a customer counted twice in a replicate counts twice in both, and what retention
    and the tenure profits have in common (the same customers) stays in the replicates.
    Formula: (revenue per active customer in year t)*ᵦ = Σᵢ wᵦᵢ · revenueᵢₜ / Σᵢ wᵦᵢ · activeᵢₜ.
    """
    if basis is None or any(column not in customer_table.columns for column in BASIS_COLUMNS):
        return BasisReplicates(())
    columns = ReplicateColumns.of(customer_table, basis, customer_tenures, tenure_years)
    return replicates_from_sums(basis, replicate_sums(columns, replicates, seed), columns.tenure_years)


def replicates_from_sums(basis: AnnualBasis, sums: np.ndarray, tenure_years: int = 0) -> BasisReplicates:
    """The replicates that weighted sums of :class:`ReplicateColumns` give (replicates × columns, as
    :func:`bootstrap_sums` returns them): each row's first 7 sums replace ``basis``'s :data:`REPLICATE_COLUMNS`
    (counts rounded to whole customers), and each tenure year's revenue sum over its active-customer sum is the
    replicate's revenue per active customer in that year (NaN without half an active customer).
    Formula: (revenue per active customer in year t)*ᵦ = Σᵢ wᵦᵢ · revenueᵢₜ / Σᵢ wᵦᵢ · activeᵢₜ.
    Units: counts in customers, money in the data's currency."""
    width = len(REPLICATE_COLUMNS)
    if sums.shape[1] != width + 2 * tenure_years:
        raise ValueError(f"sums must have {width + 2 * tenure_years} columns for {tenure_years} tenure years, "
                         f"got {sums.shape[1]}")
    tenure_revenue = None
    if tenure_years:
        revenue, active = sums[:, width:width + tenure_years], sums[:, width + tenure_years:]
        with np.errstate(divide="ignore", invalid="ignore"):
            tenure_revenue = np.where(active >= 0.5, revenue / active, np.nan)
    return BasisReplicates(tuple(
        replace(basis, **{name: float(value) if name == "revenue" else max(0, int(round(value)))
                          for name, value in zip(REPLICATE_COLUMNS, row, strict=True)})
        for row in sums[:, :width]
    ), tenure_revenue_per_active=tenure_revenue)
