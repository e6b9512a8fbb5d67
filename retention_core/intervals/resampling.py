"""The Poisson bootstrap: Poisson(1) weights and the replicate sums of a per-customer table.

Each customer enters a replicate with a weight drawn from Poisson(1), independently, so a replicate of a column sum
is a weighted sum over the customers, computed for all replicates at once as one matrix product per chunk of
customers (:func:`bootstrap_sums`); above :data:`EXACT_CUSTOMERS` customers the sums are drawn from the normal
distribution the drawn sums approach. :func:`replicate_sums` does the same for the table of
:class:`~retention_core.intervals.replicate_columns.ReplicateColumns`, drawn so that the annual basis's sums stay
those of the basis alone when the tenure years ride along.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from retention_core.intervals.replicate_columns import REPLICATE_COLUMNS, ReplicateColumns

REPLICATES = 200
"""Replicates per data set: enough for the 10th and 90th percentiles to move by less than a tenth of the interval's
width between seeds (the standard error of a 10 % quantile from 200 draws is about 2 % of the draws' range)."""
SEED = 27
"""The fixed seed: the same data gives the same intervals on every run and every machine."""
CUSTOMERS_PER_CHUNK = 20_000
"""Customers weighted per matrix product: the weights of one chunk (replicates × customers, one byte each) and
their float32 copy stay near 20 MB however many customers there are."""
EXACT_CUSTOMERS = 50_000
"""Up to this many weighted customers :func:`bootstrap_sums` draws every weight; beyond, their sums from the
normal distribution the drawn sums approach (the same mean and covariance)."""
CUSTOMERS_PER_MOMENT_CHUNK = 250_000
"""Customers per block when the replicate sums' mean and covariance are summed up (above :data:`EXACT_CUSTOMERS`):
one block's columns stay near 30 MB however many customers there are."""

# Poisson(1) weights from uniform 16-bit draws by table lookup: drawing Poisson variates directly cost ten times
# as long. Each weight k has probability within 2⁻¹⁶ of e⁻¹ / k!.
_CDF_STEPS = 1 << 16
_POISSON_TABLE = np.searchsorted(
    np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(12)]) * _CDF_STEPS,
    np.arange(_CDF_STEPS) + 0.5, side="right").astype(np.uint8)


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
