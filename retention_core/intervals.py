"""How sure we are: bootstrap replicates of the annual basis and the intervals they give every customer-value figure.

The measured inputs of customer value (:class:`~retention_core.customer_value.AnnualBasis`) are sums over customers.
Resampling the customers gives replicates of those sums, and every figure computed from a replicate by the same
function that computes it from the data (:func:`retention_views.whatif.clv_result`, ...) gives a replicate of the
figure. The middle 80 % of the replicates is the figure's 80 % interval.

The resampling is the Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012): each customer enters a
replicate with a weight drawn from Poisson(1), independently, so a replicate is a weighted sum over the customer
table, computed for all replicates at once as one matrix product per chunk of customers. It is the ordinary
bootstrap (resampling n customers with replacement) up to a random sample size, which does not matter for the
ratios of customer value. What each interval covers: the sampling error of the measured inputs given the model
(which customers happened to buy in the two windows). What it does not cover: model error (retention that is not
geometric, margins that change), and inputs the user typed in or that the data does not measure (gross margin,
discount rate, spend amounts), which carry no uncertainty of their own.

The Retention → profit simulator's default profits by customer year are resampled in the same draw: each
customer's revenue and activity in tenure years 1 … :data:`TENURE_YEARS` are further columns of the same
per-customer table (:class:`ReplicateColumns`), so a replicate weighs a customer alike in retention and in the
tenure profits (:attr:`BasisReplicates.tenure_revenue_per_active`). :func:`thin_data` decides when a figure's
answer rests on thin data (a wide interval, or a model fitted on few customers): the page then says so beside it.

Nothing here imports streamlit or UI text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace

import numpy as np
import pandas as pd

from retention_core.customer_value import BASIS_COLUMNS, AnnualBasis, annual_windows

REPLICATES = 200
"""Replicates per data set: enough for the 10th and 90th percentiles to move by less than a tenth of the interval's
width between seeds (the standard error of a 10 % quantile from 200 draws is about 2 % of the draws' range)."""
SEED = 27
"""The fixed seed: the same data gives the same intervals on every run and every machine."""
LEVEL = 0.80
"""The intervals' coverage: the middle 80 % of the replicates ("in 8 of 10 cases")."""
CUSTOMERS_PER_CHUNK = 20_000
"""Customers weighted per matrix product: the weights of one chunk (replicates × customers, one byte each) and
their float32 copy stay near 20 MB however many customers there are."""
EXACT_CUSTOMERS = 50_000
"""Up to this many weighted customers :func:`bootstrap_sums` draws every weight; beyond, their sums from the
normal distribution the drawn sums approach (the same mean and covariance)."""
WIDE_SHARE = 0.5
"""An interval wider than this share of its figure's absolute value is called wide: the page then says the data
are thin for this figure (a sentence, never a cut-off). For a roughly normal spread an 80 % interval is 2.56
standard errors wide, so this is a relative standard error above about 20 %: the range where statistical offices
start to flag an estimate for caution (Statistics Canada: coefficient of variation from 16.6 % "use with caution";
the U.S. NCHS: relative standard error over 30 % "unreliable"), and where even the figure's first digit is
unsure."""
THIN_FIT_FACTOR = 4
"""A predictive fit on fewer than this many times the model's minimum of customers or repeat buyers
(:data:`retention_core.models.MIN_CUSTOMERS`, :data:`~retention_core.models.MIN_REPEAT_CUSTOMERS`) is called thin:
its parameters' standard errors are then still more than half of what they are at the minimum (they shrink with
1 / √n), and its interval, from the curvature of the likelihood at its maximum (an approximation for many
customers), may itself understate the spread."""

# Poisson(1) weights from uniform 16-bit draws by table lookup: drawing Poisson variates directly cost ten times
# as long. Each weight k has probability within 2⁻¹⁶ of e⁻¹ / k!.
_CDF_STEPS = 1 << 16
_POISSON_TABLE = np.searchsorted(
    np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(12)]) * _CDF_STEPS,
    np.arange(_CDF_STEPS) + 0.5, side="right").astype(np.uint8)

TENURE_YEARS = 5
"""The customer years whose revenue per active customer is resampled with the basis: as many as the Retention →
profit simulator lists from the data at most (:func:`retention_views.page_results.default_profits_by_tenure`)."""
CUSTOMERS_PER_MOMENT_CHUNK = 250_000
"""Customers per block when the replicate sums' mean and covariance are summed up (above :data:`EXACT_CUSTOMERS`):
one block's columns stay near 30 MB however many customers there are."""

REPLICATE_COLUMNS = ("previous_year_buyers", "retained_buyers", "buyers", "first_time_buyers", "revenue",
                     "occasions", "repeat_buyers")
"""The :class:`AnnualBasis` fields a replicate resamples: each is a sum of one per-customer column."""


def poisson_weights(rng: np.random.Generator, replicates: int, customer_count: int) -> np.ndarray:
    """Poisson(1) weights, one per replicate (rows) and customer (columns), as ``uint8``."""
    draws = rng.integers(0, _CDF_STEPS, size=(replicates, customer_count), dtype=np.uint16)
    return _POISSON_TABLE[draws]


def bootstrap_sums(values: np.ndarray, replicates: int = REPLICATES, seed: int = SEED,
                   chunk: int = CUSTOMERS_PER_CHUNK, exact_up_to: int = EXACT_CUSTOMERS) -> np.ndarray:
    """Poisson-bootstrap replicates of the column sums of ``values`` (customers × columns).

    Definition: replicate b of column j is Σᵢ wᵦᵢ · xᵢⱼ with independent weights wᵦᵢ ~ Poisson(1).
    Formula: S = W · X, W (replicates × customers) drawn chunk by chunk of customers.
    Units: those of ``values``; the result is replicates × columns (float64; each chunk's product in float32,
    summed in float64: a relative error near 10⁻⁷, far below any interval's width).
    Reference: Hanley & MacGibbon (2006), Comput. Methods Programs Biomed. 83(1) (the Poisson bootstrap).

    Above ``exact_up_to`` customers the weights are not drawn: the sums are drawn from the normal distribution with
    the Poisson bootstrap's own mean and covariance, ΣᵢXᵢ and XᵀX (each weight has mean and variance 1), which
    the drawn sums approach by the central limit theorem (at 50,000 customers the two agree to a few per cent of
    an interval's width; ``tests/core/test_intervals.py``). Drawing every weight of millions of customers is slow.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must be a table (customers × columns), got {values.ndim} dimensions")
    _check_replicates(replicates)
    rng = np.random.default_rng(seed)
    count, width = values.shape
    if count > exact_up_to:
        return _normal_sums(lambda start, stop: values[start:stop], 0, count, width, replicates, rng)
    return _drawn_sums(lambda start, stop: values[start:stop], 0, count, width, replicates, rng, chunk)


def _check_replicates(replicates: int) -> None:
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")


def _drawn_sums(part: Callable[[int, int], np.ndarray], start: int, stop: int, column_count: int, replicates: int,
                rng: np.random.Generator, chunk: int = CUSTOMERS_PER_CHUNK) -> np.ndarray:
    """Σᵢ wᵦᵢ · xᵢ over rows ``start`` … ``stop`` − 1 of a table handed over in parts (``part(a, b)``: its rows a
    to b − 1), every Poisson(1) weight drawn, one matrix product per ``chunk`` of customers."""
    sums = np.zeros((replicates, column_count))
    for first in range(start, stop, chunk):
        block = part(first, min(stop, first + chunk))
        weights = poisson_weights(rng, replicates, block.shape[0]).astype(np.float32)
        sums += weights @ block.astype(np.float32)
    return sums


def _normal_sums(part: Callable[[int, int], np.ndarray], start: int, stop: int, column_count: int,
                 replicates: int, rng: np.random.Generator, leading: int | None = None,
                 chunk: int = CUSTOMERS_PER_MOMENT_CHUNK) -> np.ndarray:
    """Replicate sums from N(ΣᵢXᵢ, XᵀX): the Poisson bootstrap's mean and covariance (see :func:`bootstrap_sums`),
    both summed block by block of customers (rows ``start`` … ``stop`` − 1 of ``part``). The covariance's square
    root is taken by eigendecomposition, which also takes a singular one (a column of zeros, two equal columns).

    ``leading``: the first columns are drawn alone first, exactly as if they were the whole table, and the others
    from their normal distribution given them (mean μ₂ + Σ₂₁Σ₁₁⁺(S₁ − μ₁), covariance Σ₂₂ − Σ₂₁Σ₁₁⁺Σ₁₂; Σ₁₁⁺ the
    pseudo-inverse): the same joint distribution, and the leading columns' replicates do not change when columns
    are added after them."""
    mean, gram = np.zeros(column_count), np.zeros((column_count, column_count))
    for first in range(start, stop, chunk):
        block = np.asarray(part(first, min(stop, first + chunk)), dtype=np.float64)
        mean += block.sum(axis=0)
        gram += block.T @ block
    lead = column_count if leading is None else leading
    eigenvalues, vectors = np.linalg.eigh(gram[:lead, :lead])
    root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    deviations = rng.standard_normal((replicates, lead)) @ root.T
    if lead == column_count:
        return mean + deviations
    kept = eigenvalues > 1e-12 * max(1.0, eigenvalues.max())
    inverse = (vectors[:, kept] / eigenvalues[kept]) @ vectors[:, kept].T
    slope = gram[lead:, :lead] @ inverse
    conditional = gram[lead:, lead:] - slope @ gram[lead:, :lead].T
    eigenvalues, vectors = np.linalg.eigh((conditional + conditional.T) / 2)
    root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    rest = deviations @ slope.T + rng.standard_normal((replicates, column_count - lead)) @ root.T
    return mean + np.hstack([deviations, rest])


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


def replicate_sums(columns: ReplicateColumns, replicates: int = REPLICATES, seed: int = SEED,
                   chunk: int = CUSTOMERS_PER_CHUNK, exact_up_to: int = EXACT_CUSTOMERS) -> np.ndarray:
    """:func:`bootstrap_sums` of ``columns`` (replicates × its columns), drawn so that the basis's 7 sums are those
    the basis's columns alone give (:func:`basis_columns`, the same seed): the tenure years ride on the basis's
    draw instead of changing it.

    Up to ``exact_up_to`` customers adding to the basis, every weight of theirs is drawn, in the same order as for
    the basis alone, and the same weight multiplies the customer's tenure columns; the customers with tenure rows
    only (they add nothing to the basis) come after, drawn on (or, beyond ``exact_up_to`` of them, their sums from
    the normal distribution: they are other customers, independent of the first). Above, the basis's sums are
    drawn from the normal distribution first, as for the basis alone, and the tenure sums from their normal
    distribution given them (:func:`_normal_sums` with ``leading``)."""
    _check_replicates(replicates)
    rng = np.random.default_rng(seed)
    width, count, basis_count = columns.column_count, columns.customer_count, columns.basis_count
    if basis_count > exact_up_to:
        return _normal_sums(columns.part, 0, count, width, replicates, rng, leading=len(REPLICATE_COLUMNS))
    sums = _drawn_sums(columns.part, 0, basis_count, width, replicates, rng, chunk)
    if count - basis_count > exact_up_to:
        return sums + _normal_sums(columns.part, basis_count, count, width, replicates, rng)
    return sums + _drawn_sums(columns.part, basis_count, count, width, replicates, rng, chunk)


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


@dataclass(frozen=True)
class Interval:
    """A figure's interval: the ``level`` central share of its replicates lies between ``low`` and ``high``.

    ``defined`` is how many replicates give the figure (a replicate without a buyer in P has no retention, so no
    CLV), out of ``replicates``.
    """

    low: float
    high: float
    level: float
    defined: int
    replicates: int

    def is_wide(self, value: float | None) -> bool:
        """Whether the interval is wider than :data:`WIDE_SHARE` of ``|value|`` (or ``value`` is 0 or missing)."""
        if value is None or value == 0:
            return True
        return self.high - self.low > WIDE_SHARE * abs(value)

    def contains(self, value: float) -> bool:
        """low ≤ value ≤ high."""
        return self.low <= value <= self.high


@dataclass(frozen=True)
class ThinData:
    """Why a figure rests on thin data: ``reason`` is ``wide`` (its interval is wide, :meth:`Interval.is_wide`),
    ``few_repeaters`` or ``few_customers`` (the predictive fit's counts, see :data:`THIN_FIT_FACTOR`); ``params``
    the counts the sentence names (``customers``, ``repeaters``)."""

    reason: str
    params: dict = field(default_factory=dict)


def thin_data(interval: Interval | None, value: float | None, customers: int | None = None,
              repeaters: int | None = None) -> ThinData | None:
    """Whether a figure shown with ``interval`` should say that its data are thin, and why; None when it need not.

    Definition: thin when the interval is wide against the figure (:meth:`Interval.is_wide`: wider than
    :data:`WIDE_SHARE` of |value|), or, for a model fitted on ``customers`` of whom ``repeaters`` bought again,
    when either count is below :data:`THIN_FIT_FACTOR` times the model's minimum. Few repeat buyers are named first
    (they carry the dropout and spend parameters), then few customers, then the width. Never hides the figure: the
    page shows it and adds the sentence. Nothing is thin without a value, or without an interval and counts.
    """
    from retention_core.models import MIN_CUSTOMERS, MIN_REPEAT_CUSTOMERS  # the models import this module

    if value is None:
        return None
    counts = {"customers": customers, "repeaters": repeaters}
    if repeaters is not None and repeaters < THIN_FIT_FACTOR * MIN_REPEAT_CUSTOMERS:
        return ThinData("few_repeaters", counts)
    if customers is not None and customers < THIN_FIT_FACTOR * MIN_CUSTOMERS:
        return ThinData("few_customers", counts)
    if interval is not None and interval.is_wide(value):
        return ThinData("wide", counts)
    return None


def informative(interval: Interval | None, value: float | None) -> Interval | None:
    """The interval worth showing with ``value``: None without one, without a value, or when every replicate gives
    the same number (a value typed in, or one no measured input reaches: it carries no uncertainty)."""
    if interval is None or value is None or interval.high - interval.low <= 1e-9 * max(1.0, abs(value)):
        return None
    return interval


def percentile_interval(values: Sequence[float | None], level: float = LEVEL) -> Interval | None:
    """The percentile interval of the replicate ``values`` (None where a replicate gives no value).

    Definition: the (1 − level)/2 and (1 + level)/2 quantiles of the defined replicates (linear interpolation).
    Formula: [q₍₁₋ₗ₎/₂, q₍₁₊ₗ₎/₂] of {θ*ᵦ}
    Units: those of the values.
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, §13.3 (the percentile interval).
    None when fewer than half the replicates give a value: the data cannot then say how sure the figure is.
    """
    array = np.array([np.nan if value is None else value for value in values], dtype=float)
    low, high = percentile_bounds(array[None, :], level)
    if np.isnan(low[0]):
        return None
    return Interval(low=float(low[0]), high=float(high[0]), level=level, defined=int(np.isfinite(array).sum()),
                    replicates=array.size)


def percentile_bounds(values: np.ndarray, level: float = LEVEL) -> tuple[np.ndarray, np.ndarray]:
    """:func:`percentile_interval`'s bounds for each row of ``values`` (figures × replicates; NaN or ±inf: no
    value) at once: two arrays with one low and one high per row, NaN for a row where fewer than half the
    replicates give a value (or without replicates).

    Formula: [q₍₁₋ₗ₎/₂, q₍₁₊ₗ₎/₂] of each row's defined values. Units: those of the values.
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, §13.3.
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    array = np.asarray(values, dtype=float)
    rows, replicates = array.shape
    array = np.where(np.isfinite(array), array, np.nan)
    enough = (replicates > 0) & (np.isfinite(array).sum(axis=1) >= replicates / 2)
    low, high = np.full(rows, np.nan), np.full(rows, np.nan)
    if enough.any():
        low[enough], high[enough] = np.nanquantile(array[enough], [(1 - level) / 2, (1 + level) / 2], axis=1)
    return low, high


def result_intervals(results: Sequence[object | None], level: float = LEVEL) -> dict[str, Interval | None]:
    """An interval for each number field of a result dataclass, from the results of the replicates.

    ``results``: one result (e.g. a :class:`~retention_views.page_results.ClvResult`) per replicate, None where the
    replicate gives none. Returns field name → :func:`percentile_interval` of that field over the replicates.
    """
    first = next((result for result in results if result is not None), None)
    if first is None or not is_dataclass(first):
        return {}
    return {
        field.name: percentile_interval([None if result is None else getattr(result, field.name)
                                         for result in results], level)
        for field in fields(first)
        if isinstance(getattr(first, field.name), (int, float)) or getattr(first, field.name) is None
    }


def over_replicates(replicates: Sequence[AnnualBasis], compute: Callable[[AnnualBasis], object | None],
                    level: float = LEVEL) -> dict[str, Interval | None]:
    """:func:`result_intervals` of ``compute(replicate)`` over ``replicates``; a replicate on which ``compute``
    raises ``ValueError`` (an input out of a formula's range) gives no result."""
    results = []
    for replicate in replicates:
        try:
            results.append(compute(replicate))
        except ValueError:
            results.append(None)
    return result_intervals(results, level)


def nps_interval(promoters: int, passives: int, detractors: int, replicates: int = REPLICATES, seed: int = SEED,
                 level: float = LEVEL) -> Interval | None:
    """The Net Promoter Score's interval from resampling the survey's answers.

    Definition: draw the same number of answers again from the answers given (the ordinary bootstrap of the
    answers, which for three groups is one multinomial draw of the group counts per replicate), score each replicate
    with the NPS formula and take the percentile interval of the scores. It covers how many people answered, not
    who was asked or whether they answered honestly.
    Formula: (P*, Pa*, D*) ~ Multinomial(n, (P, Pa, D) / n); NPS* = (P* − D*) / n × 100; interval = percentiles of
    NPS*.
    Units: NPS points (−100 … +100).
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, §6 and §13.3; Reichheld (2003), "The
    One Number You Need to Grow", HBR 81(12) for the score. None without answers.
    """
    counts = np.array([promoters, passives, detractors], dtype=np.int64)
    if (counts < 0).any():
        raise ValueError(f"answer counts must not be negative, got {promoters}, {passives}, {detractors}")
    answers = int(counts.sum())
    if answers == 0:
        return None
    draws = np.random.default_rng(seed).multinomial(answers, counts / answers, size=replicates)
    return percentile_interval((draws[:, 0] - draws[:, 2]) / answers * 100.0, level)
