"""Customer lifetime value from BG/NBD + Gamma-Gamma: per customer from two fits, and for slider values.

:func:`predictive_clv` discounts each month's expected purchases (FHL 2005 eq. 10) times the expected spend per
purchase (Fader & Hardie 2013) for every row of a customer summary. :func:`predictive_clv_scenario` and
:func:`predictive_clv_summary` evaluate the stored fits of one data set (:class:`~.btyd.PredictiveModels`) at a
margin, discount rate and horizon, reading whole-month horizons from a :class:`~.forecast.ForecastBasis`; the summary
is what the CLV page shows, without a row per customer.

References: Fader, Hardie & Lee (2005), "'Counting Your Customers' the Easy Way", Marketing Science 24(2) (FHL
2005); Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", Journal of
Marketing Research 42(4) (CLV from BG/NBD + Gamma-Gamma); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary
Value" (note 025).

Units: horizons in months, discount rates annual, margins fractions, money in the data's currency.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from retention_core.intervals import Interval
from retention_core.models.bg_nbd import (
    BG_NBD_PARAMETERS,
    BgNbdFit,
    bg_nbd_probability_alive,
    conditional_expected_unchecked,
)
from retention_core.models.distribution import clv_distribution, probability_alive_histogram
from retention_core.models.fitting import (
    checked_parameters,
    customer_arrays,
    describe_parameters,
    distinct_rows,
    require_finite,
)
from retention_core.models.forecast import ForecastBasis, customer_values
from retention_core.models.gamma_gamma import GAMMA_GAMMA_PARAMETERS, GammaGammaFit, gamma_gamma_expected_spend
from retention_core.models.summaries import DAYS_PER_YEAR, days_per_unit

if TYPE_CHECKING:
    from retention_core.models.btyd import PredictiveModels

__all__ = [
    "HISTOGRAM_BINS",
    "MAX_HORIZON_MONTHS",
    "TOP_CUSTOMERS",
    "PredictiveClvResult",
    "PredictiveClvSummary",
    "check_clv_inputs",
    "predictive_clv",
    "predictive_clv_scenario",
    "predictive_clv_summary",
]

MAX_HORIZON_MONTHS = 1200
"""The longest CLV horizon :func:`predictive_clv` accepts: a hundred years (the dashboard offers twenty)."""

TOP_CUSTOMERS = 10

HISTOGRAM_BINS = 40


def check_clv_inputs(horizon: float, discount_rate: float, margin: float) -> None:
    """Raise ``ValueError`` unless ``horizon`` (months) is between 0 and :data:`MAX_HORIZON_MONTHS` and the annual
    ``discount_rate`` and the ``margin`` are fractions between 0 and 1: the inputs of :func:`predictive_clv` and of
    the scenarios built on it."""
    if not (math.isfinite(horizon) and 0 <= horizon <= MAX_HORIZON_MONTHS):
        raise ValueError(f"horizon must be a number of months from 0 to {MAX_HORIZON_MONTHS}, got {horizon!r}")
    if not (math.isfinite(discount_rate) and 0 <= discount_rate <= 1):
        raise ValueError(f"discount_rate must be an annual fraction between 0 and 1, got {discount_rate!r}")
    if not (math.isfinite(margin) and 0 <= margin <= 1):
        raise ValueError(f"margin must be a fraction between 0 and 1, got {margin!r}")


def predictive_clv(
    bg_fit: BgNbdFit,
    gg_fit: GammaGammaFit,
    summary: pd.DataFrame,
    horizon: float,
    discount_rate: float,
    margin: float,
    time_unit: str | None = None,
) -> pd.DataFrame:
    """Discounted expected margin per customer over the next ``horizon`` months (Fader, Hardie & Lee 2005, JMR).

    Units: ``horizon`` in MONTHS; ``discount_rate`` is an ANNUAL rate (fraction, e.g. 0.10); ``margin`` is the
    gross margin as a fraction of spend. The summary's time unit comes from ``time_unit`` or
    ``summary.attrs["time_unit"]`` (set by :func:`rfm_summary`), and must be the unit ``bg_fit`` was fitted in.

    Steps are calendar months of 30.4375 days: with t_k = k months expressed in the summary's unit
    (the last step is partial when ``horizon`` is not whole) and monthly rate d = (1 + discount_rate)^(1/12) - 1,
        clv = margin * E[spend] * sum_k (E[Y(t_k)|x, t_x, T] - E[Y(t_(k-1))|x, t_x, T]) / (1 + d)^(t_k in months),
    so each month's expected purchases are discounted from the end of that month. E[Y] is FHL 2005 eq. (10),
    E[spend] is :func:`gamma_gamma_expected_spend`. (Unlike lifetimes, where the rate is per period of the
    frequency data, the annual rate here is converted to the step length.)

    Returns a DataFrame, one row per summary row: ``customer_id`` (when the summary has it),
    ``expected_purchases`` = E[Y(horizon)] undiscounted, ``discounted_purchases``, ``expected_spend``,
    ``probability_alive``, ``clv`` (currency).

    A customer whose repeat purchases net to less than zero (returns) counts with a mean spend of 0: the spend model
    then expects p gamma / (p x + q - 1) per purchase, the population's mean weighted by the population's share.
    Raises ``ValueError`` for a fit that did not converge and where a value is not finite.
    """
    checked_parameters("BG/NBD", bg_fit, BG_NBD_PARAMETERS)
    checked_parameters("Gamma-Gamma", gg_fit, GAMMA_GAMMA_PARAMETERS)
    missing = [column for column in ("frequency", "recency", "T", "monetary") if column not in summary.columns]
    if missing:
        raise ValueError(f"summary lacks the column(s) {', '.join(missing)}")
    unit = time_unit or summary.attrs.get("time_unit")
    if unit is None:
        raise ValueError("time_unit is unknown: pass time_unit= or a summary made by rfm_summary")
    unit_days = days_per_unit(unit)
    check_clv_inputs(horizon, discount_rate, margin)

    x, t_x, big_t = customer_arrays(summary["frequency"], summary["recency"], summary["T"])
    spend = gamma_gamma_expected_spend(gg_fit, x, np.maximum(summary["monetary"].to_numpy(dtype="float64"), 0.0))
    (ux, ut_x, ut), _, inverse = distinct_rows(x, t_x, big_t)
    month_in_units = (DAYS_PER_YEAR / 12) / unit_days
    month_ends = np.minimum(np.arange(1, math.ceil(horizon - 1e-12) + 1, dtype="float64"), horizon)
    previous = np.zeros_like(ux)
    discounted = np.zeros_like(ux)
    for months in month_ends:
        current = conditional_expected_unchecked(bg_fit, months * month_in_units, ux, ut_x, ut)
        discounted += (current - previous) / (1 + discount_rate) ** (months / 12)
        previous = current
    require_finite("E[Y(t) | x, t_x, T]", previous, describe_parameters(bg_fit, BG_NBD_PARAMETERS))
    alive = bg_nbd_probability_alive(bg_fit, ux, ut_x, ut)
    result = pd.DataFrame(
        {
            "expected_purchases": previous[inverse],
            "discounted_purchases": discounted[inverse],
            "expected_spend": spend,
            "probability_alive": alive[inverse],
        },
        index=summary.index,
    )
    result["clv"] = margin * result["expected_spend"] * result["discounted_purchases"]
    require_finite("the CLV", result["clv"].to_numpy(), describe_parameters(bg_fit, BG_NBD_PARAMETERS) + ", "
                   + describe_parameters(gg_fit, GAMMA_GAMMA_PARAMETERS))
    if "customer_id" in summary.columns:
        result.insert(0, "customer_id", summary["customer_id"])
    return result


@dataclass(frozen=True)
class PredictiveClvResult:
    """Predicted CLV of every current customer for one set of slider values (FHL 2005, JMR; Fader & Hardie 2013).

    ``customer_table``: ``customer_id, clv, probability_alive, expected_purchases`` (purchases in the horizon,
    undiscounted), one row per customer. ``top_customers``: the :data:`TOP_CUSTOMERS` highest CLVs with their
    history (``frequency`` repeat purchases so far, ``monetary`` mean repeat spend). Money in the data's currency.
    """

    gross_margin: float
    annual_discount_rate: float
    horizon_months: float
    customer_table: pd.DataFrame
    top_customers: pd.DataFrame
    mean_clv: float
    median_clv: float
    total_clv: float
    mean_probability_alive: float


def _uses_basis(basis: ForecastBasis | None, horizon_months: float) -> bool:
    return basis is not None and float(horizon_months).is_integer() and 0 <= horizon_months <= basis.months


def _check_scenario(fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float,
                    horizon_months: float) -> None:
    if fitted.reason is not None:
        raise ValueError(f"the predictive models are not usable: {fitted.reason}")
    check_clv_inputs(horizon_months, annual_discount_rate, gross_margin)


def predictive_clv_scenario(
    fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float, horizon_months: float,
    basis: ForecastBasis | None = None,
) -> PredictiveClvResult:
    """Discounted expected margin of each customer over the next ``horizon_months`` from the stored fits.

    Definition: clv = margin * E[spend per purchase] * sum over months k of the expected purchases in month k (FHL
    2005 eq. 10) discounted by (1 + annual rate)^(k / 12); see :func:`predictive_clv`. Nothing is refitted:
    with ``basis`` (:func:`forecast_basis` of ``fitted``) whole-month horizons it holds are read from it, others are
    computed with :func:`predictive_clv`. Units: ``gross_margin`` and ``annual_discount_rate`` fractions,
    ``horizon_months`` months, CLV in the data's currency; linear in the margin. Raises ``ValueError`` when
    ``fitted.reason`` is set. References: Fader, Hardie & Lee (2005), JMR 42(4); Fader & Hardie (2013), note 025.
    """
    _check_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
    if _uses_basis(basis, horizon_months):
        clv, alive, expected = customer_values(basis, gross_margin, annual_discount_rate, int(horizon_months))
        customer_table = pd.DataFrame({"customer_id": fitted.summary["customer_id"].to_numpy(), "clv": clv,
                                       "probability_alive": alive, "expected_purchases": expected})
    else:
        values = predictive_clv(fitted.bg_nbd, fitted.gamma_gamma, fitted.summary, horizon_months,
                                annual_discount_rate, gross_margin, fitted.time_unit)
        customer_table = values[["customer_id", "clv", "probability_alive", "expected_purchases"]].reset_index(
            drop=True)
    best = customer_table["clv"].nlargest(TOP_CUSTOMERS).index.to_numpy()
    return PredictiveClvResult(
        gross_margin=gross_margin,
        annual_discount_rate=annual_discount_rate,
        horizon_months=horizon_months,
        customer_table=customer_table,
        top_customers=_top_customers(fitted, best, *(customer_table[column].to_numpy()[best] for column in
                                                     ("clv", "probability_alive", "expected_purchases"))),
        mean_clv=float(customer_table["clv"].mean()),
        median_clv=float(customer_table["clv"].median()),
        total_clv=float(customer_table["clv"].sum()),
        mean_probability_alive=float(customer_table["probability_alive"].mean()),
    )


def _top_customers(fitted: PredictiveModels, best: np.ndarray, clv: np.ndarray, alive: np.ndarray,
                   expected_purchases: np.ndarray) -> pd.DataFrame:
    """The customers at rows ``best`` of ``fitted.summary`` (highest CLV first) with their history and their
    forecast ``clv``, ``alive`` and ``expected_purchases`` (one value per row of ``best``)."""
    # only these rows of the summary are read: converting all ids (Arrow strings) would cost more than the rest
    history = fitted.summary.iloc[best][["customer_id", "frequency", "monetary"]].reset_index(drop=True)
    return history.assign(expected_purchases=expected_purchases, probability_alive=alive, clv=clv)


@dataclass(frozen=True)
class PredictiveClvSummary:
    """What the CLV page shows of one predictive scenario, without a row per customer (FHL 2005; Fader & Hardie 2013).

    ``clv_histogram``: ``bin_start, bin_end, customers, open_ended``, :data:`HISTOGRAM_BINS` equal bins from 0 (or
    the lowest CLV when one is negative) to the largest CLV, or, when a few customers worth a lot would stretch the
    axis, equal bins to the 99th percentile and one open-ended last bin above it (see :func:`clv_distribution`);
    ``alive_histogram``: ``bin_start, bin_end, customers, open_ended`` (never open-ended), P(alive) in bins of
    :data:`~.distribution.ALIVE_BIN_WIDTH`. ``top_customers`` as in :class:`PredictiveClvResult`. Every money figure
    is linear in the margin, so :meth:`at_margin` rescales a summary made at one margin to another without touching
    the customers again. ``mean_clv_interval`` and ``mean_probability_alive_interval``: the 80 %
    intervals from the parameters' sampling error alone (:mod:`.parameter_uncertainty`; model error is not in
    them), None without one.
    """

    gross_margin: float
    annual_discount_rate: float
    horizon_months: float
    customers: int
    mean_clv: float
    median_clv: float
    total_clv: float
    mean_probability_alive: float
    clv_histogram: pd.DataFrame
    alive_histogram: pd.DataFrame
    top_customers: pd.DataFrame
    mean_clv_interval: Interval | None = None
    mean_probability_alive_interval: Interval | None = None

    def at_margin(self, gross_margin: float) -> PredictiveClvSummary:
        """The same scenario at another gross margin (a fraction): CLV figures scale by the margins' ratio."""
        if gross_margin == self.gross_margin:
            return self
        if self.gross_margin <= 0:
            raise ValueError("a summary made at a zero margin cannot be rescaled")
        factor = gross_margin / self.gross_margin
        histogram = self.clv_histogram.assign(bin_start=self.clv_histogram["bin_start"] * factor,
                                              bin_end=self.clv_histogram["bin_end"] * factor)
        interval = self.mean_clv_interval
        if interval is not None:
            interval = replace(interval, low=interval.low * factor, high=interval.high * factor)
        return replace(self, gross_margin=gross_margin, mean_clv=self.mean_clv * factor, mean_clv_interval=interval,
                       median_clv=self.median_clv * factor, total_clv=self.total_clv * factor,
                       clv_histogram=histogram, top_customers=self.top_customers.assign(
                           clv=self.top_customers["clv"] * factor))


def predictive_clv_summary(
    fitted: PredictiveModels, gross_margin: float, annual_discount_rate: float, horizon_months: float,
    basis: ForecastBasis | None = None,
) -> PredictiveClvSummary:
    """Mean, median and total predicted CLV, its histogram, P(alive) histogram and top customers of a scenario.

    The numbers are those of :func:`predictive_clv_scenario` with the same arguments; only the per-customer table
    is left out, so a page can keep the summary (it is linear in the margin: :meth:`PredictiveClvSummary.at_margin`).
    """
    _check_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
    if _uses_basis(basis, horizon_months):  # a chunk of customers at a time, and sums over the (x, T) groups
        discounted, expected_if_alive = basis.discounted_purchases(annual_discount_rate, int(horizon_months))
        customer_count = basis.group.size
        clv_histogram, median, best = basis.clv_distribution(gross_margin, discounted, HISTOGRAM_BINS, TOP_CUSTOMERS)
        alive = basis.probability_alive[best]
        top = _top_customers(fitted, best, basis.clv(gross_margin, discounted, best), alive,
                             alive * expected_if_alive[basis.group[best]])
        total, mean_alive, alive_histogram = (basis.total_clv(gross_margin, discounted),
                                              basis.mean_probability_alive, basis.alive_histogram)
    else:
        result = predictive_clv_scenario(fitted, gross_margin, annual_discount_rate, horizon_months)
        clv, alive, expected = (result.customer_table[column].to_numpy()
                                for column in ("clv", "probability_alive", "expected_purchases"))
        customer_count = clv.size
        clv_histogram, median, best = clv_distribution(clv, HISTOGRAM_BINS, TOP_CUSTOMERS)
        top = _top_customers(fitted, best, clv[best], alive[best], expected[best])
        total, mean_alive, alive_histogram = float(clv.sum()), float(alive.mean()), probability_alive_histogram(alive)
    mean_clv = total / customer_count if customer_count else float("nan")
    return PredictiveClvSummary(
        gross_margin=gross_margin,
        annual_discount_rate=annual_discount_rate,
        horizon_months=horizon_months,
        customers=int(customer_count),
        mean_clv=mean_clv,
        median_clv=median,
        total_clv=total,
        mean_probability_alive=mean_alive,
        clv_histogram=clv_histogram,
        alive_histogram=alive_histogram,
        top_customers=top,
        **_summary_intervals(fitted, mean_clv, mean_alive, annual_discount_rate, horizon_months),
    )


def _summary_intervals(fitted: PredictiveModels, mean_clv: float, mean_alive: float, annual_discount_rate: float,
                       horizon_months: float) -> dict[str, Interval | None]:
    """The intervals of :class:`PredictiveClvSummary` from ``fitted.uncertainty``, for whole-month horizons it
    holds (others get none)."""
    uncertainty = fitted.uncertainty
    if uncertainty is None or not math.isfinite(mean_clv):
        return {}
    clv_interval = None
    if float(horizon_months).is_integer() and 0 < horizon_months <= uncertainty.months:
        clv_interval = uncertainty.clv_interval(mean_clv, annual_discount_rate, int(horizon_months))
    return {"mean_clv_interval": clv_interval,
            "mean_probability_alive_interval": uncertainty.alive_interval(mean_alive)}
