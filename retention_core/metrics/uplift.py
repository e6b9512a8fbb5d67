"""What more retention is worth: Reichheld's retention uplift, a new customer's value before and after raising the
retention rate by some percentage points."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from retention_core.metrics._checks import (
    _ROUNDING_SLACK,
    _finite_results,
    _fraction,
    _non_negative,
)
from retention_core.metrics.value import expected_lifetime, tenure_profit_value

__all__ = [
    "MEANINGFUL_VALUE_SHARE",
    "UpliftResult",
    "retention_uplift",
]


MEANINGFUL_VALUE_SHARE = 0.10
"""A change in customer value is given relative to the value before only when that value is positive and at least
this share of the customer's profit value before acquisition cost (:func:`retention_uplift`). Below, acquisition
cost has eaten nearly all of the customer's profit, and a small change of a value near zero reads as hundreds of
percent (one customer value of 0.01 € gave +500,000 %): only the change in money means something there."""


@dataclass(frozen=True)
class UpliftResult:
    """Customer value before and after raising the retention rate (see :func:`retention_uplift`).

    gross_value_before is the value before the uplift without the acquisition cost subtracted. relative_change
    is None when value_before is not at least :data:`MEANINGFUL_VALUE_SHARE` of a positive gross_value_before:
    a change relative to a value at or near zero, or negative, has no meaningful sign or size (value_change, in
    money, still has). churn_reduction is None when churn_before is 0 (retention already 100 %). lifetime_* is
    math.inf when retention is 1.
    """

    retention_before: float
    retention_after: float
    value_before: float
    value_after: float
    value_change: float
    relative_change: float | None
    gross_value_before: float
    lifetime_before: float
    lifetime_after: float
    churn_before: float
    churn_after: float
    churn_reduction: float | None


def _lifetime_at(r: float) -> float:
    """Expected lifetime in periods at retention r; infinite when nobody ever leaves."""
    return math.inf if r >= 1.0 else expected_lifetime(1.0 - r)


def retention_uplift(
    profits_by_tenure: Sequence[float],
    retention_rate: float,
    uplift_points: float,
    discount_rate: float,
    acquisition_cost: float = 0.0,
    horizon_periods: int | None = None,
) -> UpliftResult:
    """Customer value before and after raising retention by a number of percentage points.

    The "5 % more retention gives 25–95 % more profit" computation: the value of a newly acquired customer
    (:func:`tenure_profit_value`) at the current retention rate and at the rate raised by uplift_points,
    together with the relative change in value, expected lifetimes and churn. uplift_points is a fraction:
    0.05 means +5 percentage points (0.90 → 0.95), which halves churn (0.10 → 0.05). A rate after the uplift
    above 1 is an error that names the largest possible uplift.

    The relative change is None when the value before is below :data:`MEANINGFUL_VALUE_SHARE` of the value
    before acquisition cost (or that is not positive); see :class:`UpliftResult`.

    Formula: relative change = (V(r + Δ) − V(r)) / V(r); churn reduction = 1 − (1 − r − Δ) / (1 − r)

    Units: values in currency per new customer; rates and changes as fractions; lifetimes in periods.

    Reference: Reichheld & Sasser (1990), "Zero Defections", HBR 68(5) (5-point cut in defections raises
    profits 25–85 %); seed article 000 ("5 % ... Gewinn zwischen 25 % und 95 %").
    """
    r = _fraction("retention_rate", retention_rate)
    uplift = _fraction("uplift_points", uplift_points)
    after = r + uplift
    if after > 1.0 + _ROUNDING_SLACK:
        raise ValueError(
            f"uplift_points {uplift:.10g} would raise retention_rate {r:.10g} to {after:.10g}, above 1; "
            f"the maximum possible uplift is {1.0 - r:.10g}"
        )
    after = min(after, 1.0)
    value_before = tenure_profit_value(profits_by_tenure, r, discount_rate, acquisition_cost, horizon_periods)
    value_after = tenure_profit_value(profits_by_tenure, after, discount_rate, acquisition_cost, horizon_periods)
    gross_before = value_before + _non_negative("acquisition_cost", acquisition_cost)
    meaningful = gross_before > 0 and value_before >= MEANINGFUL_VALUE_SHARE * gross_before
    churn_before, churn_after = 1.0 - r, 1.0 - after
    return UpliftResult(
        retention_before=r,
        retention_after=after,
        value_before=value_before,
        value_after=value_after,
        value_change=value_after - value_before,
        relative_change=(value_after - value_before) / value_before if meaningful else None,
        gross_value_before=gross_before,
        lifetime_before=_lifetime_at(r),
        lifetime_after=_lifetime_at(after),
        churn_before=churn_before,
        churn_after=churn_after,
        churn_reduction=1.0 - churn_after / churn_before if churn_before > 0 else None,
    )


_finite_results(globals())  # the formulas above read as formulas; their common promise is kept in _checks, once
