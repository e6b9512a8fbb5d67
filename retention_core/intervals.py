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
are thin for this figure (a sentence, never a cut-off)."""

# Poisson(1) weights from uniform 16-bit draws by table lookup: drawing Poisson variates directly cost ten times
# as long. Each weight k has probability within 2⁻¹⁶ of e⁻¹ / k!.
_CDF_STEPS = 1 << 16
_POISSON_TABLE = np.searchsorted(
    np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(12)]) * _CDF_STEPS,
    np.arange(_CDF_STEPS) + 0.5, side="right").astype(np.uint8)

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
    if replicates < 1:
        raise ValueError(f"replicates must be at least 1, got {replicates}")
    rng = np.random.default_rng(seed)
    if values.shape[0] > exact_up_to:
        return _normal_sums(values, replicates, rng)
    sums = np.zeros((replicates, values.shape[1]))
    for start in range(0, values.shape[0], chunk):
        part = values[start:start + chunk]
        weights = poisson_weights(rng, replicates, part.shape[0]).astype(np.float32)
        sums += weights @ part.astype(np.float32)
    return sums


def _normal_sums(values: np.ndarray, replicates: int, rng: np.random.Generator) -> np.ndarray:
    """Replicate sums from N(ΣᵢXᵢ, XᵀX): the Poisson bootstrap's mean and covariance (see :func:`bootstrap_sums`).
    The covariance's square root is taken by eigendecomposition, which also takes a singular one (a column of
    zeros, two equal columns)."""
    mean = values.sum(axis=0)
    eigenvalues, vectors = np.linalg.eigh(values.T @ values)
    root = vectors * np.sqrt(np.clip(eigenvalues, 0.0, None))
    return mean + rng.standard_normal((replicates, values.shape[1])) @ root.T


def basis_columns(customer_table: pd.DataFrame, basis: AnnualBasis) -> np.ndarray:
    """The per-customer columns whose sums are :data:`REPLICATE_COLUMNS` (customers × 7), only for customers that
    add to one of them (bought in P or L, or had a return in L): a customer with zeros in every column changes no
    replicate."""
    year_start, _ = annual_windows(basis.as_of)
    bought = (customer_table["last_order"] > year_start).to_numpy()
    previous = customer_table["ordered_previous_year"].fillna(False).to_numpy(dtype=bool)
    revenue = customer_table["revenue_last_year"].fillna(0.0).to_numpy(dtype=np.float64)
    keep = previous | bought | (revenue != 0)
    bought, previous, revenue = bought[keep], previous[keep], revenue[keep]
    occasions = customer_table["occasions_last_year"].fillna(0).to_numpy()[keep]
    table = np.empty((len(revenue), len(REPLICATE_COLUMNS)))  # filled column by column: one pass, one copy each
    table[:, 0] = previous
    table[:, 1] = previous & bought
    table[:, 2] = bought
    table[:, 3] = (customer_table["first_order"] > year_start).to_numpy()[keep]
    table[:, 4] = revenue
    table[:, 5] = occasions
    table[:, 6] = bought & (occasions >= 2)
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

    def __len__(self) -> int:
        return len(self.bases)

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
                     seed: int = SEED) -> BasisReplicates:
    """Bootstrap replicates of ``basis``: the customers resampled, the spend amounts and dates kept.

    Each replicate is an :class:`AnnualBasis` whose :data:`REPLICATE_COLUMNS` are the Poisson-weighted sums of
    the customer summary's columns (:func:`bootstrap_sums`); the retention and acquisition spend, the acquisition
    sheet's count of new customers, the anchor and the data's first order stay as measured. So the retention cost
    per customer-year (spend ÷ buyers) and CAC (spend ÷ new customers) vary through their denominators; a CAC from
    the sheet's own count does not vary. Empty without a basis or without the annual columns.
    """
    if basis is None or any(column not in customer_table.columns for column in BASIS_COLUMNS):
        return BasisReplicates(())
    sums = bootstrap_sums(basis_columns(customer_table, basis), replicates, seed)
    return BasisReplicates(tuple(
        replace(basis, **{name: float(value) if name == "revenue" else max(0, int(round(value)))
                          for name, value in zip(REPLICATE_COLUMNS, row, strict=True)})
        for row in sums
    ))


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
