"""Cohort retention curves projected with the shifted-beta-geometric model (Fader & Hardie 2007).

:func:`project_cohorts` fits the sBG model (:mod:`.sbg`) to each first-purchase cohort of a data set's cohort table
and to the pooled curve and projects them; :func:`fit_cohorts` keeps those fits, so a page projects any number of
periods ahead without refitting. Reference: Fader & Hardie (2007), "How to Project Customer Retention", Journal of
Interactive Marketing 21(1) (FH 2007).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention_core.models.sbg import SbgFit, fit_shifted_beta_geometric, sbg_survival

if TYPE_CHECKING:  # dataset.py imports this package to fill Aggregates.predictive
    from retention_core.dataset import Aggregates

__all__ = ["MIN_COHORT_PERIODS", "CohortCurve", "CohortFits", "fit_cohorts", "project_cohorts"]

MIN_COHORT_PERIODS = 3
"""A cohort needs this many observed periods after its first (periods_since >= 1) for its own sBG fit."""


def _complete_cells(cohorts: pd.DataFrame, periods_per_year: int, data_end: pd.Timestamp) -> pd.DataFrame:
    """Cohort cells whose calendar period ended by the last order date (+ a week of slack)."""
    months = 12 // periods_per_year
    ends = [pd.Timestamp(start) + pd.DateOffset(months=months * (int(since) + 1)) - pd.Timedelta(days=1)
            for start, since in zip(cohorts["cohort_start"], cohorts["periods_since"], strict=True)]
    return cohorts[np.array([end <= data_end + pd.Timedelta(days=7) for end in ends], dtype=bool)]


def _survival_curve(active: pd.Series, size: pd.Series) -> np.ndarray:
    """Running minimum of active / size, as a survival curve for the sBG."""
    return np.minimum.accumulate((active / size).to_numpy(dtype="float64"))


@dataclass(frozen=True, eq=False)  # holds NumPy arrays: compared by identity
class CohortCurve:
    """One cohort's observed survival curve (t = 1 ... n, non-increasing) and its sBG fit, None when the fit did not
    converge; ``cohort_start`` NaT for the pooled curve."""

    cohort_start: pd.Timestamp
    survival: np.ndarray
    fit: SbgFit | None

    def rows(self, periods_ahead: int) -> list[dict]:
        """Observed rows (t = 0 ... n) and, with a fit, projected rows (t = n+1 ... n+ahead).

        Projection: S_n * S(t) / S(n), the sBG survival beyond n given survival to n, started at the observed S_n.
        """
        rows = [{"cohort_start": self.cohort_start, "periods_since": 0, "retention": 1.0, "kind": "observed"}]
        rows += [{"cohort_start": self.cohort_start, "periods_since": index + 1, "retention": float(value),
                  "kind": "observed"} for index, value in enumerate(self.survival)]
        if periods_ahead == 0 or self.fit is None:
            return rows
        last = self.survival.size
        ahead = np.arange(last + 1, last + periods_ahead + 1)
        projected = self.survival[-1] * sbg_survival(self.fit, ahead) / sbg_survival(self.fit, last)
        rows += [{"cohort_start": self.cohort_start, "periods_since": int(since), "retention": float(value),
                  "kind": "projected"} for since, value in zip(ahead, projected, strict=True)]
        return rows


def _cohort_curve(cohort_start: pd.Timestamp, survival: np.ndarray, cohort_size: float) -> CohortCurve:
    fit = fit_shifted_beta_geometric(survival, cohort_size)
    return CohortCurve(cohort_start, survival, fit if fit.converged else None)


def _periods_ahead(periods_ahead: int) -> int:
    if isinstance(periods_ahead, bool) or int(periods_ahead) != periods_ahead or periods_ahead < 0:
        raise ValueError(f"periods_ahead must be a whole number >= 0, got {periods_ahead!r}")
    return int(periods_ahead)


@dataclass(frozen=True, eq=False)  # holds NumPy arrays: compared by identity
class CohortFits:
    """The sBG fit of every cohort of one :class:`~retention_core.dataset.Aggregates` and of the pooled curve
    (:func:`fit_cohorts`); :meth:`project` projects them any number of periods ahead without refitting."""

    curves: tuple[CohortCurve, ...]

    def project(self, periods_ahead: int) -> pd.DataFrame:
        """:func:`project_cohorts` from these fits."""
        ahead = _periods_ahead(periods_ahead)
        rows = [row for curve in self.curves for row in curve.rows(ahead)]
        frame = pd.DataFrame(rows, columns=["cohort_start", "periods_since", "retention", "kind"])
        frame["cohort_start"] = pd.to_datetime(frame["cohort_start"])
        return frame


def fit_cohorts(aggs: Aggregates) -> CohortFits:
    """The observed curves and sBG fits behind :func:`project_cohorts` (see there), which do not depend on how far
    ahead a page projects: a page fits once per data set and period and projects on every slider move."""
    cells = _complete_cells(aggs.cohorts, aggs.periods_per_year, aggs.data_end)
    cells = cells[cells["periods_since"] >= 1].sort_values(["cohort_start", "periods_since"])
    observed_periods = cells.groupby("cohort_start")["periods_since"].transform("size")
    cells = cells[observed_periods >= MIN_COHORT_PERIODS]
    curves = [_cohort_curve(pd.Timestamp(cohort_start),
                            _survival_curve(cohort["active_customers"], cohort["cohort_size"]),
                            float(cohort["cohort_size"].iloc[0]))
              for cohort_start, cohort in cells.groupby("cohort_start")]
    if not cells.empty:
        pooled = cells.groupby("periods_since")[["active_customers", "cohort_size"]].sum()
        curves.append(_cohort_curve(pd.NaT, _survival_curve(pooled["active_customers"], pooled["cohort_size"]),
                                    float(pooled["cohort_size"].iloc[0])))
    return CohortFits(tuple(curves))


def project_cohorts(aggs: Aggregates, periods_ahead: int) -> pd.DataFrame:
    """Observed cohort retention and its shifted-beta-geometric projection, per cohort and pooled (FH 2007).

    Definition: for each first-purchase cohort in ``aggs.cohorts`` the observed curve is the share of the cohort
    that buys in period t = 1, 2, ... after its first, over complete calendar periods only (a last period that
    ends after the last order date is left out: it would read low). That share can bounce up again (a customer
    who skips a quarter and returns), but the sBG models survival, which can only fall: a customer who has left
    never comes back. So the curve is made non-increasing with a running minimum, S_t = min(share_1 ... share_t),
    i.e. "still buying" is read as "not yet lost"; a single bad period therefore lowers the whole projection.
    Each cohort with at least :data:`MIN_COHORT_PERIODS` such periods gets its own sBG fit
    (:func:`fit_shifted_beta_geometric` with its real size) and is projected ``periods_ahead`` periods
    from its last observed point n with the model's survival given survival to n:
    S_t = S_n * S(t) / S(n), S(t) = B(alpha, beta + t) / B(alpha, beta) (FH 2007), i.e. the fitted retention rates
    r_t = (beta + t - 1) / (alpha + beta + t - 1) applied to the observed level, so the projection continues the
    observed line. Shorter cohorts are left out; a cohort whose fit does not converge keeps only its observed
    rows. The pooled curve (all kept cohorts' members summed per t, then the running minimum; its likelihood uses
    the number of customers observed at t = 1) is fitted and projected the same way.

    Returns ``cohort_start, periods_since, retention, kind`` with ``kind`` "observed" or "projected";
    ``retention`` is a fraction with 1.0 at periods_since 0; pooled rows have ``cohort_start`` NaT. Periods are
    those of ``aggs.period``. Reference: Fader & Hardie (2007), "How to Project Customer Retention".
    """
    return fit_cohorts(aggs).project(_periods_ahead(periods_ahead))
