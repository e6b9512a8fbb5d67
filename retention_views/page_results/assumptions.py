"""What the data cannot tell the value pages: the gross margin and the annual discount rate, with their defaults."""

from __future__ import annotations

from dataclasses import dataclass

from retention_core.dataset import Aggregates

DEFAULT_GROSS_MARGIN = 0.30
DEFAULT_ANNUAL_DISCOUNT_RATE = 0.08


@dataclass(frozen=True)
class Assumptions:
    """What the data cannot tell: gross margin (fraction of revenue) and the annual discount rate."""

    gross_margin: float = DEFAULT_GROSS_MARGIN
    annual_discount_rate: float = DEFAULT_ANNUAL_DISCOUNT_RATE


def default_assumptions(aggs: Aggregates) -> Assumptions:
    """The data's own revenue-weighted margin when the transactions carry one, else the default 30 %."""
    margin = aggs.gross_margin if aggs.gross_margin is not None else DEFAULT_GROSS_MARGIN
    return Assumptions(gross_margin=round(margin, 2))
