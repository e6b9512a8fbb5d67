"""Whether an order log looks like a subscription business: most repeat customers buy at regular monthly intervals.

The Data page uses it to suggest the monthly period and the contractual view (the sBG model): in a subscription
business every month is a renewal or a cancellation, which a quarterly grid would blur, and cancellations follow the
contractual sBG model (Fader & Hardie 2007) better than the models for free repeat purchases (BG/NBD).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retention_core import queries
from retention_core.engines import Engine

MONTHLY_GAP_DAYS = (25, 35)
"""Days between two purchase days that count as a month (a calendar month is 28 to 31 days, give or take a few
days of delivery or billing)."""

REGULAR_SHARE = 2 / 3
"""Share of a customer's gaps that must be monthly for the customer to buy in a monthly rhythm."""

MOST = 0.5
"""More than this share of the customers with three or more purchase days must buy monthly: "most customers"."""

MIN_REPEAT_CUSTOMERS = 20
"""Fewer customers with three or more purchase days are too few to call a pattern."""

SAMPLE_ROWS = 500_000
"""Order logs longer than this are judged on a fixed sample of customers of about this many rows."""


@dataclass(frozen=True)
class PurchaseRhythm:
    """How many customers buy in a monthly rhythm (see ``sql/purchase_rhythm.sql``), of a sample when ``sampled``."""

    customers: int
    repeat_customers: int
    monthly_customers: int
    sampled: bool

    @property
    def share(self) -> float | None:
        """Monthly customers / customers with at least three purchase days (a fraction); None without any."""
        return self.monthly_customers / self.repeat_customers if self.repeat_customers else None

    @property
    def looks_like_subscriptions(self) -> bool:
        """Most customers with three or more purchase days buy monthly, and there are enough of them to say so."""
        return self.repeat_customers >= MIN_REPEAT_CUSTOMERS and (self.share or 0.0) > MOST


def purchase_rhythm(transactions: pd.DataFrame, customer_codes: np.ndarray | None = None,
                    engine: Engine | None = None) -> PurchaseRhythm:
    """The :class:`PurchaseRhythm` of ``transactions`` (canonical columns).

    A log of more than :data:`SAMPLE_ROWS` rows is judged on every k-th customer (k = rows / SAMPLE_ROWS, rounded
    up): those whose whole-number code is a multiple of k, so each sampled customer keeps all their rows and the
    same data gives the same sample. ``customer_codes``: the customer ids as whole numbers, one per row
    (``Prepared.codes["customer_id"].codes``, −1 for none); coded here when not given.
    """
    modulus = max(1, -(-len(transactions) // SAMPLE_ROWS))
    codes = np.asarray(customer_codes if customer_codes is not None else pd.factorize(transactions["customer_id"])[0])
    kept = codes % modulus == 0 if modulus > 1 else slice(None)
    # the codes instead of the ids: DuckDB reads whole numbers much faster than Python strings
    rows = pd.DataFrame({"customer_id": codes[kept], "order_date": transactions["order_date"].to_numpy()[kept],
                         "amount": transactions["amount"].to_numpy()[kept]})
    counted = queries.run_sql("purchase_rhythm", {
        "gap_from": MONTHLY_GAP_DAYS[0], "gap_to": MONTHLY_GAP_DAYS[1], "regular_share": REGULAR_SHARE,
    }, engine, transactions=rows).iloc[0]
    return PurchaseRhythm(customers=int(counted["customers"]), repeat_customers=int(counted["repeat_customers"]),
                          monthly_customers=int(counted["monthly_customers"]), sampled=modulus > 1)
