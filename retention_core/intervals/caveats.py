"""What a figure's interval says beside it: whether it is worth showing, and whether the figure rests on thin data.

:func:`informative` drops an interval that carries no uncertainty (every replicate gives the same number);
:func:`thin_data` decides when the page adds a sentence that the data are thin for a figure (a wide interval, or a
model fitted on few customers), and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from retention_core.intervals.percentiles import Interval

THIN_FIT_FACTOR = 4
"""A predictive fit on fewer than this many times the model's minimum of customers or repeat buyers
(:data:`retention_core.models.MIN_CUSTOMERS`, :data:`~retention_core.models.MIN_REPEAT_CUSTOMERS`) is called thin:
its parameters' standard errors are then still more than half of what they are at the minimum (they shrink with
1 / √n), and its interval, from the curvature of the likelihood at its maximum (an approximation for many
customers), may itself understate the spread."""


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
    :data:`~retention_core.intervals.percentiles.WIDE_SHARE` of |value|), or, for a model fitted on ``customers``
    of whom ``repeaters`` bought again, when either count is below :data:`THIN_FIT_FACTOR` times the model's
    minimum. Few repeat buyers are named first (they carry the dropout and spend parameters), then few customers,
    then the width. Never hides the figure: the page shows it and adds the sentence. Nothing is thin without a
    value, or without an interval and counts.
    """
    from retention_core.models import MIN_CUSTOMERS, MIN_REPEAT_CUSTOMERS  # the models import this package

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
