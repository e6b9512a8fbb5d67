"""The forecast basis: the part of every customer's BG/NBD + Gamma-Gamma forecast that sliders do not change.

FHL 2005 eq. (10) factors as E[Y(t)|x, t_x, T] = P(alive | x, t_x, T) * E[Y(t) | alive, x, T]; the second factor
depends only on (x, T). A :class:`ForecastBasis` holds it for every distinct (x, T) and month up to
:data:`MAX_FORECAST_MONTHS`, with each customer's P(alive) and expected spend (Fader & Hardie 2013), so a move of
the margin, discount rate or horizon slider is a matrix-vector product (:func:`customer_values`) instead of 2F1
evaluations. :func:`forecast_basis` makes it once per data set from the fits of :mod:`.btyd`.

References: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2) (FHL
2005); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value" (note 025).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention_core.models import distribution
from retention_core.models.bg_nbd import BgNbdFit, bg_nbd_expected_purchases_if_alive, bg_nbd_probability_alive
from retention_core.models.gamma_gamma import GammaGammaFit, gamma_gamma_expected_spend
from retention_core.models.summaries import DAYS_PER_YEAR, TIME_UNIT_DAYS

if TYPE_CHECKING:  # btyd.py imports this module to check its fits' forecasts
    from retention_core.models.btyd import PredictiveModels

__all__ = ["MAX_FORECAST_MONTHS", "ForecastBasis", "basis_from_fits", "customer_values", "forecast_basis"]

MAX_FORECAST_MONTHS = 240
"""The longest horizon the :class:`ForecastBasis` holds (the CLV page's 20 years); longer ones are computed
directly (:func:`~.clv.predictive_clv`)."""


@dataclass(frozen=True, eq=False)
class ForecastBasis:
    """The margin-, discount- and horizon-free part of the BG/NBD + Gamma-Gamma forecast of every customer.

    FHL 2005 eq. (10) factors as E[Y(t)|x, t_x, T] = P(alive | x, t_x, T) * E[Y(t) | alive, x, T], and the second
    factor depends only on (x, T). ``cumulative[g, k - 1]`` is E[Y(k months) | alive, x, T] for the g-th distinct
    (x, T) and k = 1 ... :attr:`months` (usually :data:`MAX_FORECAST_MONTHS`); per customer (rows of
    ``PredictiveModels.summary``): ``group`` (row of ``cumulative``), ``probability_alive`` and
    ``expected_spend`` (Gamma-Gamma, currency). ``pairs``: the distinct (x, T) as complex numbers x + iT, one per row
    of ``cumulative`` (so that a basis can be extended to more months, :func:`forecast_basis`).

    What is derived from the customers alone (:attr:`alive_histogram`, :attr:`mean_probability_alive`, the groups'
    sums and the distribution's entries) is made once and kept in ``customer_cache``, which a basis extended to more
    months shares: the first scenario on a longer basis does not make it again.
    """

    cumulative: np.ndarray
    group: np.ndarray
    probability_alive: np.ndarray
    expected_spend: np.ndarray
    pairs: np.ndarray
    customer_cache: dict[str, object] = field(default_factory=dict, repr=False)

    def _kept(self, name: str, make: Callable[[], object]):
        """``make()`` once per customers (shared by the bases of more months), kept in ``customer_cache``; two
        threads asking at once may both make it (the same value)."""
        if name not in self.customer_cache:
            self.customer_cache[name] = make()
        return self.customer_cache[name]

    @property
    def months(self) -> int:
        """The longest horizon the basis holds, in months."""
        return self.cumulative.shape[1]

    def spend_alive(self, rows: np.ndarray | None = None) -> np.ndarray:
        """E[spend] * P(alive) per customer (or per customer at ``rows``), a new array: a customer's CLV is margin *
        this * the discounted purchases of its (x, T) group. Not kept (8 bytes per customer): a slider move reads
        only :attr:`_groups` and :attr:`_entries`."""
        if rows is None:
            return self.expected_spend * self.probability_alive
        return self.expected_spend[rows] * self.probability_alive[rows]

    @property
    def alive_histogram(self) -> pd.DataFrame:
        """P(alive) in bins of :data:`ALIVE_BIN_WIDTH`, the same for every scenario."""
        return self._kept("alive_histogram",
                          lambda: distribution.probability_alive_histogram(self.probability_alive))

    @property
    def mean_probability_alive(self) -> float:
        """The mean P(alive) over the customers, the same for every scenario."""
        return self._kept("mean_probability_alive", lambda: float(self.probability_alive.mean()))

    @property
    def _groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per (x, T) group: the sum, the smallest and the largest :meth:`spend_alive` of its customers."""
        return self._kept("groups", self._make_groups)

    def _make_groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        size, spend_alive = self.cumulative.shape[0], self.spend_alive()
        smallest, largest = np.full(size, np.inf), np.full(size, -np.inf)
        np.minimum.at(smallest, self.group, spend_alive)
        np.maximum.at(largest, self.group, spend_alive)
        return np.bincount(self.group, weights=spend_alive, minlength=size), smallest, largest

    def total_clv(self, gross_margin: float, discounted: np.ndarray) -> float:
        """The sum of :meth:`clv` over the customers, in currency, from one value per (x, T) group:
        margin * sum_g discounted_g * (sum of E[spend] * P(alive) in group g)."""
        return float(discounted @ self._groups[0]) * gross_margin

    @property
    def _entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The customers as entries of the CLV distribution: ``group``, ``spend_alive`` per entry, ``rows`` (the
        customer of each of the first ``rows.size`` entries) and ``counts`` (the customers of each later entry).

        In a group of several customers who all have the same E[spend] * P(alive) (the one-time buyers of one T, often
        most of the customers) every customer has the same CLV in every scenario, so the group is one entry that
        counts its customers; every other customer is an entry of its own.
        """
        return self._kept("entries", self._make_entries)

    def _make_entries(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        _, smallest, largest = self._groups
        sizes = np.bincount(self.group, minlength=smallest.size)
        alike = (smallest == largest) & (sizes > 1)
        rows = np.flatnonzero(~alike[self.group])
        groups = np.flatnonzero(alike)
        counts = sizes[groups]
        return (np.concatenate([self.group[rows], groups]), np.concatenate([self.spend_alive(rows), smallest[groups]]),
                rows, counts)

    def clv_distribution(self, gross_margin: float, discounted: np.ndarray, bins: int,
                         top: int) -> tuple[pd.DataFrame, float, np.ndarray]:
        """:func:`clv_distribution` of :meth:`clv` without an array of every customer's CLV: the values are made
        a chunk of entries (:attr:`_entries`) at a time and again for the few the median and the top values need.
        The range comes from the groups: a group's values grow with E[spend] * P(alive), so its smallest and largest
        are those of its customers with the smallest and largest."""
        group, spend_alive, rows, counts = self._entries
        _, smallest, largest = self._groups
        ends = np.concatenate([discounted * smallest, discounted * largest])
        if gross_margin != 1.0:
            ends *= gross_margin

        def chunk(start: int, stop: int, out: np.ndarray) -> np.ndarray:
            # the group codes are always in range: "clip" skips the bounds check that "raise" makes
            values = np.take(discounted, group[start:stop], out=out, mode="clip")
            values *= spend_alive[start:stop]
            if gross_margin != 1.0:
                values *= gross_margin
            return values

        def at(positions: np.ndarray) -> np.ndarray:  # the same products as clv() makes for the entries' customers
            values = discounted[group[positions]]
            values *= spend_alive[positions]
            if gross_margin != 1.0:
                values *= gross_margin
            return values

        def customers_of(positions: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
            single = positions < rows.size
            found, owners = rows[positions[single]], np.flatnonzero(single)
            if single.all():
                return found, owners
            owner_of_group = np.full(smallest.size, -1)
            owner_of_group[group[positions[~single]]] = np.flatnonzero(~single)
            members = np.flatnonzero(owner_of_group[self.group] >= 0)  # one pass, however many groups
            member_owners = owner_of_group[self.group[members]]
            order = np.argsort(member_owners, kind="stable")  # by entry, each entry's customers in index order
            sorted_owners = member_owners[order]
            starts = np.flatnonzero(np.r_[True, sorted_owners[1:] != sorted_owners[:-1]])
            rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
            kept = order[rank < limit]
            return np.concatenate([found, members[kept]]), np.concatenate([owners, member_owners[kept]])

        return distribution.distribution_of_entries(group.size, float(ends.min()), float(ends.max()), chunk, at, bins,
                                                    top, counted=(rows.size, counts), customers_of=customers_of)

    def clv(self, gross_margin: float, discounted: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per customer (or per customer at ``rows``): margin * E[spend] * P(alive) * ``discounted`` of its (x, T)
        group (one value per group, the first result of :meth:`discounted_purchases`), in currency."""
        values = self.spend_alive(rows)
        values *= discounted[self.group if rows is None else self.group[rows]]
        if gross_margin != 1.0:
            values *= gross_margin
        return values

    def discounted_purchases(self, annual_discount_rate: float, horizon_months: int) -> tuple[np.ndarray, np.ndarray]:
        """Per distinct (x, T): expected purchases if alive in the horizon, discounted and undiscounted.

        Each month's purchases are discounted from the month's end by (1 + rate)^(k/12), as
        :func:`~.clv.predictive_clv` does: sum_k (C_k - C_(k-1)) v_k with v_k = (1 + rate)^(-k/12), summed by
        parts as sum_k C_k (v_k - v_(k+1)) + C_H v_H, so no matrix of monthly increments is built.
        """
        if horizon_months == 0:
            empty = np.zeros(self.cumulative.shape[0])
            return empty, empty
        factors = (1 + annual_discount_rate) ** (-np.arange(1, horizon_months + 1, dtype="float64") / 12)
        weights = factors - np.append(factors[1:], 0.0)
        window = self.cumulative[:, :horizon_months]
        return window @ weights, window[:, -1].copy()


def forecast_basis(fitted: PredictiveModels, months: int = MAX_FORECAST_MONTHS,
                   progress: Callable[[int, int], None] | None = None, *,
                   extending: ForecastBasis | None = None, into: np.ndarray | None = None) -> ForecastBasis:
    """The :class:`ForecastBasis` of a usable fit for horizons up to ``months`` (FHL 2005 eq. 10; Fader & Hardie
    2013). It costs one 2F1 evaluation per distinct (x, T) and month, so it is made once per data set and kept with
    it. A customer whose repeat purchases net to less than zero counts with a mean spend of 0, as in
    :func:`~.clv.predictive_clv`. ``progress(done, total)`` is called after each month's expectations (``total``: the
    months computed); an exception it raises stops the work (the months not begun are not computed) and propagates.

    ``extending``: a basis of the same fit for fewer months; its months and per-customer parts are taken over and
    only the later months computed, which gives the same basis as one made at once (a page can have the months of
    its horizon first, and the rest later). ``into``: an array of at least ``months`` columns, one row per distinct
    (x, T), whose first columns the basis is to be (a view; ``extending``'s months are copied only when they are not
    already its first columns)."""
    if fitted.reason is not None:
        raise ValueError(f"the predictive models are not usable: {fitted.reason}")
    return basis_from_fits(fitted.bg_nbd, fitted.gamma_gamma, fitted.summary, months, fitted.time_unit, progress,
                           extending=extending, into=into)


def growing_forecast_bases(fitted: PredictiveModels, first_months: int, step_months: int = 12,
                           progress: Callable[[int, int], None] | None = None) -> Iterator[ForecastBasis]:
    """The :func:`forecast_basis` for ``first_months``, then the same extended by ``step_months`` at a time up to
    :data:`MAX_FORECAST_MONTHS`, each as soon as it is made: a page can serve the horizons made so far while the
    longer ones are still being made (the last equals one basis made at once). ``progress(done, total)``: months
    made of all :data:`MAX_FORECAST_MONTHS`."""
    if first_months <= 0 or step_months <= 0:
        raise ValueError("the first months and the step must be positive")
    made = 0

    def report(done: int, _: int) -> None:
        if progress is not None:
            progress(made + done, MAX_FORECAST_MONTHS)

    basis = forecast_basis(fitted, months=min(first_months, MAX_FORECAST_MONTHS), progress=report)
    yield basis
    if basis.months == MAX_FORECAST_MONTHS:
        return
    # every later part is a view of one array of all the months, filled in place: no part copies the ones before
    whole = np.empty((basis.cumulative.shape[0], MAX_FORECAST_MONTHS))
    whole[:, :basis.months] = basis.cumulative
    basis = replace(basis, cumulative=whole[:, :basis.months])
    while basis.months < MAX_FORECAST_MONTHS:
        made = basis.months
        basis = forecast_basis(fitted, months=min(made + step_months, MAX_FORECAST_MONTHS), progress=report,
                               extending=basis, into=whole)
        yield basis


def basis_from_fits(bg_fit: BgNbdFit, gg_fit: GammaGammaFit, summary: pd.DataFrame, months: int,
                    time_unit: str, progress: Callable[[int, int], None] | None = None, *,
                    extending: ForecastBasis | None = None, into: np.ndarray | None = None) -> ForecastBasis:
    """The :class:`ForecastBasis` of two fits and their weekly (or ``time_unit``) customer summary for horizons up to
    ``months``, without checking that the fits are usable (see :func:`forecast_basis`, also for ``progress``,
    ``extending`` and ``into``)."""
    if extending is not None and not 0 < extending.months <= months:
        raise ValueError(f"a basis of {extending.months} months cannot be extended to {months}")
    if extending is None:
        x = summary["frequency"].to_numpy(dtype="float64")
        big_t = summary["T"].to_numpy(dtype="float64")
        # distinct (x, T) by hashing each pair as one complex number x + iT: several times faster than sorting them
        group, pairs = pd.factorize(x + 1j * big_t)
        group = group.astype(np.intp, copy=False)  # NumPy gathers faster with native indices than with int32
        first = 0
    else:
        group, pairs, first = extending.group, extending.pairs, extending.months
    ux, ut = pairs.real.copy(), pairs.imag.copy()
    month = (DAYS_PER_YEAR / 12) / TIME_UNIT_DAYS[time_unit]
    cumulative = np.empty((ux.size, months)) if into is None else into[:, :months]
    if extending is not None and not np.may_share_memory(cumulative, extending.cumulative):
        cumulative[:, :first] = extending.cumulative

    def fill(index: int) -> None:
        cumulative[:, index] = bg_nbd_expected_purchases_if_alive(bg_fit, (index + 1) * month, ux, ut)

    # SciPy's 2F1 lets go of the GIL: the months run in parallel, and meanwhile this thread makes the per-customer
    # parts (NumPy lets go of it too)
    pool = ThreadPoolExecutor(distribution.WORKER_THREADS)
    try:
        months_done = pool.map(fill, range(first, months))
        if extending is None:
            t_x = summary["recency"].to_numpy(dtype="float64")
            monetary = np.maximum(summary["monetary"].to_numpy(dtype="float64"), 0.0)  # returns beyond purchases: 0
            probability_alive = bg_nbd_probability_alive(bg_fit, x, t_x, big_t)
            expected_spend = gamma_gamma_expected_spend(gg_fit, x, monetary)
        else:
            probability_alive, expected_spend = extending.probability_alive, extending.expected_spend
        for done, _ in enumerate(months_done, start=1):
            if progress is not None:
                progress(done, months - first)
    finally:
        pool.shutdown(cancel_futures=True)  # after an exception: the months not begun are dropped
    if extending is not None:  # the same customers: what is kept of them is shared
        return replace(extending, cumulative=cumulative)
    return ForecastBasis(cumulative=cumulative, group=group, probability_alive=probability_alive,
                         expected_spend=expected_spend, pairs=pairs)


def customer_values(
    basis: ForecastBasis, gross_margin: float, annual_discount_rate: float, horizon_months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: clv, probability_alive and expected (undiscounted) purchases over the horizon, from the basis.

    clv = margin * E[spend] * P(alive) * sum_k ΔE[Y(k) | alive, x, T] / (1 + rate)^(k/12), the formula of
    :func:`~.clv.predictive_clv` regrouped (FHL 2005 eq. 10; Fader & Hardie 2013).
    """
    discounted, expected = basis.discounted_purchases(annual_discount_rate, horizon_months)
    alive = basis.probability_alive
    return basis.clv(gross_margin, discounted), alive, alive * expected[basis.group]
