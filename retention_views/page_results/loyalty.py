"""The Loyalty page: repeat-purchase rate, upsell and NPS over the whole data, and NPS per period."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from retention_core import intervals, metrics
from retention_core.dataset import Aggregates


@dataclass(frozen=True)
class LoyaltyFacts:
    """Loyalty metrics over all customers in the data; ``None`` where the needed column or sheet is missing.

    ``customers`` counts the customers with at least one order (a customer whose rows are all returns is none).
    ``nps_interval`` is the NPS's 80 % interval from resampling the survey's answers (:func:`intervals.nps_interval`).
    """

    customers: int
    repeat_purchase_rate: float | None
    upsell_rate: float | None
    upsell_ratio: float | None
    nps: float | None
    nps_interval: intervals.Interval | None
    promoters: int
    passives: int
    detractors: int


def loyalty_facts(aggs: Aggregates) -> LoyaltyFacts:
    """Repeat-purchase rate, upsell rate and ratio and NPS over the whole data.

    Repeat-purchase rate = customers with two or more purchase occasions (distinct order days, or order ids) ÷
    customers, so a basket of two lines on one day is one purchase; upsell = customers who bought two or more
    distinct products ÷ customers.
    """
    customers = aggs.customers[aggs.customers["occasions"] > 0]
    total = len(customers)
    repeaters = int((customers["occasions"] >= 2).sum())
    upsell_rate = upsell_ratio = None
    if aggs.has_products and total > 0:
        multi = int((customers["distinct_products"] >= 2).sum())
        upsell_rate = metrics.upsell_rate(multi, total)
        single = total - multi
        upsell_ratio = metrics.upsell_ratio(multi, single) if single > 0 else None
    promoters = passives = detractors = 0
    nps = nps_interval = None
    if aggs.nps is not None and int(aggs.nps["responses"].sum()) > 0:
        promoters, passives, detractors = (int(aggs.nps[column].sum()) for column in
                                           ("promoters", "passives", "detractors"))
        nps = metrics.nps_from_counts(promoters, passives, detractors)
        nps_interval = intervals.nps_interval(promoters, passives, detractors)
    return LoyaltyFacts(
        customers=total,
        repeat_purchase_rate=metrics.repeat_purchase_rate(repeaters, total) if total > 0 else None,
        upsell_rate=upsell_rate,
        upsell_ratio=upsell_ratio,
        nps=nps,
        nps_interval=nps_interval,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
    )


def nps_trend(aggs: Aggregates) -> pd.DataFrame:
    """NPS per period (points) for periods with answers."""
    if aggs.nps is None:
        raise ValueError("no NPS survey in this data set")
    answered = aggs.nps[aggs.nps["responses"] > 0]
    scores = [metrics.nps_from_counts(int(row.promoters), int(row.passives), int(row.detractors))
              for row in answered.itertuples(index=False)]
    return pd.DataFrame({"period_start": answered["period_start"].to_numpy(), "nps": scores,
                         "responses": answered["responses"].to_numpy()})
