"""How sure each segment's figures are: bootstrap replicates of every segment's annual basis, and their intervals.

A segment is measured like the whole business (:mod:`.figures`), so it is resampled like the whole
(:func:`retention_core.intervals.basis_replicates`): each segment's customers, its rows of the customer summary,
are resampled with Poisson weights from the same seed as the whole's, giving replicates of the segment's
:class:`~retention_core.customer_value.AnnualBasis` with its share of the spend kept. A segment holding every
customer so gets exactly the whole's replicates; a thin segment gets wide intervals (no cut-off: the pooling into
"other" of :func:`.figures.pooled_rows` is the only threshold, as for the figures themselves). Since every segment
uses the same seed, two segments' replicates are not independent draws of each other: compare two segments by
their intervals, not replicate by replicate.

:func:`segment_replicates` makes the replicates once per data set and dimension (the costly part, one pass over
the customers) and keeps only what the figures need of them, one array per measurement (segment rows × replicates);
:func:`segment_intervals` evaluates the closed forms of :func:`.figures.values_of` on those arrays at a gross margin
and discount rate (per slider move: a few array operations, no customer touched) and returns each figure's interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention_core import intervals
from retention_core.customer_value import BASIS_COLUMNS, AnnualBasis
from retention_core.intervals import BasisReplicates, Interval
from retention_core.segments.figures import SegmentBases, aligned_labels

INTERVAL_FIGURES = ("retention_rate", "margin_multiple_clv", "clv_gap", "net_value")
"""The figures of a segment table that :func:`segment_intervals` gives an interval (columns ``<figure>_low``,
``<figure>_high``)."""


def _retention(basis: AnnualBasis) -> float | None:
    return basis.retention_rate


def _revenue_per_buyer(basis: AnnualBasis) -> float | None:
    return basis.revenue_per_buyer


def _retention_cost(basis: AnnualBasis) -> float | None:
    return basis.retention_cost_per_customer


def _acquisition_cost(basis: AnnualBasis) -> float | None:
    return basis.acquisition_cost


MEASUREMENTS = {"retention_rate": _retention, "revenue_per_buyer": _revenue_per_buyer,
                "retention_cost_per_customer": _retention_cost, "acquisition_cost": _acquisition_cost}
"""What :func:`segment_intervals` reads of each replicate: the :class:`AnnualBasis` properties
:func:`.figures.values_of` computes the interval figures from."""


@dataclass(frozen=True)
class SegmentReplicates:
    """The bootstrap replicates of one dimension's segment rows, reduced to the measurements the interval figures
    need (:data:`MEASUREMENTS`): ``measured[name]`` is (segment rows + 1) × replicates, NaN where a replicate does
    not measure it, the segment rows in the order of :attr:`SegmentBases.rows` (the segment table's row order) and
    the whole business last. Made once per data set and dimension by :func:`segment_replicates`."""

    rows: tuple[tuple[str | None, str, int], ...]
    measured: dict[str, np.ndarray]

    @property
    def replicates(self) -> int:
        return next(iter(self.measured.values())).shape[1]


def row_numbers(customer_table: pd.DataFrame, labels: pd.DataFrame, bases: SegmentBases) -> np.ndarray:
    """The segment row of :attr:`SegmentBases.rows` each customer of ``customer_table`` falls in, as
    :func:`.figures.segment_bases` placed them: a label with a row of its own there, a pooled label in "other",
    a customer without a label in "missing" (−1 when ``bases`` has no row for it)."""
    segment = aligned_labels(customer_table["customer_id"], labels)
    row_of = {label: number for number, (label, kind, _) in enumerate(bases.rows) if kind == "segment"}
    kinds = [kind for _, kind, _ in bases.rows]
    if "other" in kinds:
        row_of.update(dict.fromkeys(bases.pooled, kinds.index("other")))
    categories = segment.cat.categories
    by_code = np.array([row_of.get(str(label), row_of.get(label, -1)) for label in categories] + [-1],
                       dtype=np.int64)
    codes = segment.cat.codes.to_numpy()
    rows = by_code[np.where(codes >= 0, codes, len(categories))]
    if "missing" in kinds:
        rows[codes < 0] = kinds.index("missing")
    return rows


def segment_replicates(customer_table: pd.DataFrame, labels: pd.DataFrame, bases: SegmentBases, *,
                       whole: BasisReplicates | None = None, replicates: int = intervals.REPLICATES,
                       seed: int = intervals.SEED) -> SegmentReplicates:
    """Bootstrap replicates of each segment row's basis and the whole's, reduced to :data:`MEASUREMENTS`.

    ``customer_table``, ``labels``: those :func:`.figures.segment_bases` made ``bases`` from. Each row's customers
    go through :func:`retention_core.intervals.basis_replicates` with the row's basis (its share of the spend kept)
    and the same ``seed``; ``whole``: the whole business's replicates when already made
    (:attr:`retention_core.dataset.Aggregates.basis_replicates`, the same as this function would make), else made
    here. One pass over the customers, once per data set and dimension.
    """
    rows = row_numbers(customer_table, labels, bases)
    columns = ["first_order", "last_order", *BASIS_COLUMNS]  # what the basis reads; not the ids (text: slow)
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(len(bases.rows) + 1))
    parts = [intervals.basis_replicates(customer_table[columns].take(order[bounds[number]:bounds[number + 1]]),
                                        basis, replicates, seed)
             for number, basis in enumerate(bases.bases)]
    if whole is None or len(whole) != replicates:
        whole = intervals.basis_replicates(customer_table, bases.whole, replicates, seed)
    parts.append(whole)
    measured = {name: np.vstack([part.measured(measure) if len(part) else np.full(replicates, np.nan)
                                 for part in parts])
                for name, measure in MEASUREMENTS.items()}
    return SegmentReplicates(rows=bases.rows, measured=measured)


def replicate_figures(replicates: SegmentReplicates, *, gross_margin: float,
                      annual_discount_rate: float) -> dict[str, np.ndarray]:
    """:data:`INTERVAL_FIGURES` on every replicate of every segment row (and the whole, last), at once.

    The closed forms of :func:`.figures.values_of` on arrays (NaN where an input is unknown, as None there):
    margin per customer-year m = gross margin × revenue per buyer (:func:`metrics.margin_per_customer_year`);
    CLV = m · (1 + i) / (1 + i − r) (:func:`metrics.margin_multiple_clv`); lifetime retention cost
    LRC = c · (1 + i) / (1 + i − r) (:func:`metrics.lifetime_retention_cost`); CLV gap = CLV − LRC; net value =
    CLV gap − CAC (:func:`metrics.net_value`).
    Units: retention a fraction, the others currency per new customer; each (segment rows + 1) × replicates.
    Reference: Farris et al. (2010), Marketing Metrics, §5.3–5.5.
    """
    measured, i = replicates.measured, annual_discount_rate
    r = measured["retention_rate"]
    with np.errstate(divide="ignore", invalid="ignore"):
        multiple = (1.0 + i) / (1.0 + i - r)
        clv = gross_margin * measured["revenue_per_buyer"] * multiple
        gap = clv - measured["retention_cost_per_customer"] * multiple
        return {"retention_rate": r, "margin_multiple_clv": clv, "clv_gap": gap,
                "net_value": gap - measured["acquisition_cost"]}


@dataclass(frozen=True)
class SegmentIntervals:
    """The intervals of a segment table (:class:`.figures.SegmentFigures`): ``table`` one row per segment row in
    its order, ``whole`` one row for the whole business; columns ``segment``, ``kind``, then ``<figure>_low`` and
    ``<figure>_high`` for each of :data:`INTERVAL_FIGURES` (NaN where fewer than half the replicates measure it)."""

    table: pd.DataFrame
    whole: pd.DataFrame
    level: float = intervals.LEVEL
    replicates: int = intervals.REPLICATES

    def interval(self, row: int | None, figure: str) -> Interval | None:
        """The interval of ``figure`` in row ``row`` of ``table`` (None: the whole) as an
        :class:`~retention_core.intervals.Interval`, for the formats that show one beside its value; None where
        there is none."""
        frame, position = (self.whole, 0) if row is None else (self.table, row)
        low, high = frame.loc[position, f"{figure}_low"], frame.loc[position, f"{figure}_high"]
        if pd.isna(low) or pd.isna(high):
            return None
        return Interval(float(low), float(high), self.level, self.replicates, self.replicates)


def segment_intervals(replicates: SegmentReplicates, *, gross_margin: float, annual_discount_rate: float,
                      level: float = intervals.LEVEL) -> SegmentIntervals:
    """The ``level`` interval of each segment's :data:`INTERVAL_FIGURES` at ``gross_margin`` and
    ``annual_discount_rate`` (fractions, as for :func:`.figures.segment_figures`): the percentile interval of
    :func:`replicate_figures` per row (:func:`retention_core.intervals.percentile_bounds`). Per slider move only
    this runs: array arithmetic on (segment rows + 1) × replicates, no customer touched.
    Reference: Efron & Tibshirani (1993), An Introduction to the Bootstrap, §13.3.
    """
    figures = replicate_figures(replicates, gross_margin=gross_margin, annual_discount_rate=annual_discount_rate)
    columns: dict[str, np.ndarray] = {}
    for name in INTERVAL_FIGURES:
        columns[f"{name}_low"], columns[f"{name}_high"] = intervals.percentile_bounds(figures[name], level)
    labels = [label for label, _, _ in replicates.rows] + [None]
    kinds = [kind for _, kind, _ in replicates.rows] + ["whole"]
    frame = pd.DataFrame({"segment": pd.array(labels, dtype="str"), "kind": kinds, **columns})
    count = len(replicates.rows)
    return SegmentIntervals(table=frame.iloc[:count].reset_index(drop=True),
                            whole=frame.iloc[count:].reset_index(drop=True), level=level,
                            replicates=replicates.replicates)
