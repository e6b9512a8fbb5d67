"""Histogram, median and top values of many predicted CLVs in one streaming pass, and the P(alive) histogram.

:func:`clv_distribution` bins every value into fine bins (a chunk at a time, in parallel threads) and reads the
median and the largest values from the few fine bins that hold those ranks, instead of sorting or partitioning every
value. :func:`distribution_of_entries` is the same pass over entries that may each stand for several customers, as
a :class:`~.forecast.ForecastBasis` gives them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

__all__ = [
    "ALIVE_BIN_WIDTH",
    "FINE_BINS_PER_BIN",
    "SHOWN_QUANTILE",
    "STRETCH",
    "WORKER_THREADS",
    "clv_distribution",
    "distribution_of_entries",
    "probability_alive_histogram",
]

WORKER_THREADS = min(4, os.cpu_count() or 1)
"""Threads for the loops in which NumPy and SciPy let go of the GIL: the parts of :func:`distribution_of_entries`
and the months of a :class:`~.forecast.ForecastBasis` (2F1 calls, most of its cost)."""

ALIVE_BIN_WIDTH = 0.05
"""The width of the P(alive) histogram's bins (a fraction)."""

FINE_BINS_PER_BIN = 100
""":func:`clv_distribution` sorts the values into this many fine bins per histogram bin and then looks at the
values of single fine bins only, instead of partitioning every customer."""

SHOWN_QUANTILE = 0.99
""":func:`clv_distribution`'s histogram shows the values up to this quantile in equal bins when the few above it
would stretch its axis (:data:`STRETCH`); the customers above it are counted in one last, open-ended bin."""

STRETCH = 2.0
"""The histogram is cut at :data:`SHOWN_QUANTILE` when the whole range is more than this many times the range up to
that quantile: a few customers worth a lot would otherwise squeeze nearly everyone into the first bins."""

_DISTRIBUTION_CHUNK = 1 << 18
""":func:`clv_distribution` scales the values to fine bins this many at a time, into an int16 array of bins: 2 bytes
of new memory per customer instead of 16 bytes of float and int32 temporaries. A new (discount, horizon) pair on the
CLV page computes one distribution, and on a host that hands freed memory back, touching new memory is slow."""


def _histogram(values: np.ndarray, bins: int, value_range: tuple[float, float]) -> pd.DataFrame:
    """Counts in ``bins`` equal bins over ``value_range`` (NumPy's fast path for equal bins: no sorting)."""
    counts, edges = np.histogram(values, bins=bins, range=value_range)
    return _frame(edges, counts)


def _frame(edges: np.ndarray, counts: np.ndarray, open_ended: bool = False) -> pd.DataFrame:
    """The histogram frame: ``bin_start, bin_end, customers, open_ended`` (True only for a last bin that collects
    every value above its start; its ``bin_end`` is the largest value)."""
    last = np.zeros(counts.size, dtype=bool)
    last[-1:] = open_ended
    return pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:], "customers": counts, "open_ended": last})


def probability_alive_histogram(values: np.ndarray) -> pd.DataFrame:
    """P(alive) in bins of :data:`ALIVE_BIN_WIDTH` from 0 to 1."""
    return _histogram(values, round(1 / ALIVE_BIN_WIDTH), (0.0, 1.0))


def clv_distribution(values: np.ndarray, bins: int, top: int) -> tuple[pd.DataFrame, float, np.ndarray]:
    """Histogram, median and the ``top`` largest of ``values`` (one predicted CLV per customer), in one pass.

    Histogram: ``bin_start, bin_end, customers, open_ended`` in ``bins`` equal bins from min(0, smallest) to the
    largest value (0 to 1 when all are 0); every value is counted, the largest in the last bin. When the largest
    values stretch the axis (the whole range over :data:`STRETCH` times the range up to the :data:`SHOWN_QUANTILE`
    quantile q), ``bins`` - 1 equal bins from min(0, smallest) to q and one open-ended last bin from q to the
    largest value with the customers above q (a second pass over the values). Median: as ``np.median`` (the
    mean of the two middle values for an even count; NaN when empty). Top: the indices of the ``top`` largest
    values, largest first, ties in index order. Every value gets one of ``bins`` * :data:`FINE_BINS_PER_BIN`
    fine bins; the fine bin grows with the value, so the median and the top values are read from the few fine
    bins holding those ranks, which is several times faster than a full partition of the values.
    """
    if values.size == 0:
        return _histogram(values, bins, (0.0, 1.0)), float("nan"), np.array([], dtype="int64")

    def chunk(start: int, stop: int, out: np.ndarray) -> np.ndarray:
        return values[start:stop]

    def at(rows: np.ndarray) -> np.ndarray:
        return values[rows]

    return distribution_of_entries(values.size, float(values.min()), float(values.max()), chunk, at, bins, top)


def distribution_of_entries(
    size: int, smallest: float, largest: float, chunk: Callable[[int, int, np.ndarray], np.ndarray],
    at: Callable[[np.ndarray], np.ndarray], bins: int, top: int,
    counted: tuple[int, np.ndarray] | None = None,
    customers_of: Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]] | None = None,
) -> tuple[pd.DataFrame, float, np.ndarray]:
    """:func:`clv_distribution` of the customers behind ``size`` entries (``size`` > 0) with values from ``smallest``
    to ``largest``, given as ``chunk(start, stop, out)``, the values of the entries at positions start ... stop - 1
    (in ``out``, a scratch array of that length, or elsewhere, left unchanged) and ``at(positions)``, the values of
    the entries at ``positions``, equal to those of ``chunk``.

    Without ``counted`` and ``customers_of`` each entry is one customer, its index its position. With them, the
    entries from position ``counted[0]`` on stand for ``counted[1]`` customers each, and ``customers_of(positions,
    limit)`` gives the indices of at most ``limit`` customers of each entry at ``positions`` (the lowest first),
    and for each the position in ``positions`` of its entry.
    """
    first, counts = counted if counted is not None else (size, np.zeros(0, dtype="int64"))
    total = first + int(counts.sum())
    lowest, highest = min(smallest, 0.0), largest
    fine = bins * FINE_BINS_PER_BIN
    if not highest > lowest or not math.isfinite(fine / (highest - lowest)):  # all equal, or a spread below 1e-300
        highest = lowest + 1.0
    scale = fine / (highest - lowest)
    index = np.empty(size, dtype=np.int16 if fine <= np.iinfo(np.int16).max else np.int32)

    def stands_for(positions: np.ndarray) -> np.ndarray:
        """How many customers each entry at ``positions`` stands for."""
        many = np.ones(positions.size, dtype="int64")
        later = positions >= first
        many[later] = counts[positions[later] - first]
        return many

    def count_part(part: range) -> np.ndarray:
        """Fine bins of the entries at positions ``part`` (whole chunks): ``index`` there, and the customers."""
        tally = np.zeros(fine, dtype="int64")
        scratch = np.empty(min(len(part), _DISTRIBUTION_CHUNK))  # small: new memory is slow on some hosts
        for start in range(part.start, part.stop, _DISTRIBUTION_CHUNK):
            stop = min(start + _DISTRIBUTION_CHUNK, part.stop)
            scaled = scratch[:stop - start]
            values = chunk(start, stop, scaled)
            if lowest < 0:
                np.subtract(values, lowest, out=scaled)
                scaled *= scale
            else:
                np.multiply(values, scale, out=scaled)
            np.minimum(scaled, fine - 1, out=scaled)
            index[start:stop] = scaled  # non-negative: the cast truncates down, to the fine bin
            if stop <= first:
                tally += np.bincount(index[start:stop], minlength=fine)
            else:  # whole numbers below 2^53 add up exactly as floats
                tally += np.bincount(index[start:stop], stands_for(np.arange(start, stop)),
                                     minlength=fine).astype("int64")
        return tally

    fine_counts = _in_parts(size, count_part)
    up_to = np.cumsum(fine_counts)  # up_to[b]: how many customers' values lie in fine bins 0 ... b
    members: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def at_rank(rank: int) -> float:
        """The value at 0-based ``rank`` of the customers' ascending order."""
        home = int(np.searchsorted(up_to, rank, side="right"))
        if home not in members:
            positions = np.flatnonzero(index == home)
            values = at(positions)
            order = np.argsort(values, kind="stable")
            members[home] = values[order], np.cumsum(stands_for(positions)[order])  # ranks up to each, in the bin
        values, ends = members[home]
        return float(values[np.searchsorted(ends, rank - (int(up_to[home - 1]) if home else 0), side="right")])

    median = (at_rank((total - 1) // 2) + at_rank(total // 2)) / 2
    threshold = int(np.searchsorted(up_to, total - min(top, total), side="right"))
    candidates = np.flatnonzero(index >= threshold)
    if customers_of is None:
        rows, owners = candidates, np.arange(candidates.size)
    else:
        rows, owners = customers_of(candidates, top)
    best = rows[np.lexsort((rows, -at(candidates)[owners]))[:top]]  # largest first, ties in index order
    shown = at_rank(math.ceil(SHOWN_QUANTILE * total) - 1)
    if bins > 1 and shown > lowest and highest - lowest > STRETCH * (shown - lowest):

        def shown_part(part: range) -> np.ndarray:
            """The customers of the entries at ``part`` in ``bins`` - 1 equal bins up to ``shown``."""
            tally = np.zeros(bins - 1, dtype="int64")
            scratch = np.empty(min(len(part), _DISTRIBUTION_CHUNK))
            for start in range(part.start, part.stop, _DISTRIBUTION_CHUNK):
                stop = min(start + _DISTRIBUTION_CHUNK, part.stop)
                weights = stands_for(np.arange(start, stop)) if stop > first else None
                counts_here, _ = np.histogram(chunk(start, stop, scratch[:stop - start]), bins - 1, (lowest, shown),
                                              weights=weights)
                tally += np.rint(counts_here).astype("int64")  # whole numbers below 2^53 add up exactly as floats
            return tally

        below = _in_parts(size, shown_part)
        edges = np.append(np.linspace(lowest, shown, bins), highest)
        return _frame(edges, np.append(below, total - below.sum()), open_ended=True), median, best
    edges = np.linspace(lowest, highest, bins + 1)
    return _frame(edges, fine_counts.reshape(bins, FINE_BINS_PER_BIN).sum(axis=1)), median, best


def _in_parts(size: int, count: Callable[[range], np.ndarray]) -> np.ndarray:
    """The sum of ``count(part)`` over the positions 0 ... ``size`` - 1 in parts of whole chunks, one per thread:
    NumPy lets go of the GIL in these loops, so the parts run in parallel."""
    chunks = -(-size // _DISTRIBUTION_CHUNK)
    threads = min(WORKER_THREADS, chunks)
    parts = [range(_DISTRIBUTION_CHUNK * (chunks * part // threads),
                   min(size, _DISTRIBUTION_CHUNK * (chunks * (part + 1) // threads))) for part in range(threads)]
    if threads == 1:
        return count(parts[0])
    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(count, parts))
