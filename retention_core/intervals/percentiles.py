"""A figure's interval from its replicates: the middle :data:`LEVEL` share of them (the percentile interval).

:func:`percentile_interval` gives one figure's :class:`Interval`, :func:`percentile_bounds` the bounds of many
figures at once. :func:`nps_interval` resamples a survey's answers instead of the customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from retention_core.intervals.resampling import REPLICATES, SEED

LEVEL = 0.80
"""The intervals' coverage: the middle 80 % of the replicates ("in 8 of 10 cases")."""
WIDE_SHARE = 0.5
"""An interval wider than this share of its figure's absolute value is called wide: the page then says the data
are thin for this figure (a sentence, never a cut-off). For a roughly normal spread an 80 % interval is 2.56
standard errors wide, so this is a relative standard error above about 20 %: the range where statistical offices
start to flag an estimate for caution (Statistics Canada: coefficient of variation from 16.6 % "use with caution";
the U.S. NCHS: relative standard error over 30 % "unreliable"), and where even the figure's first digit is
unsure."""


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
