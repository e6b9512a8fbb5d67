"""Customer value on one fixed annual basis: what a customer is worth does not depend on any display setting.

The basis is measured once per data set (like the customer summary it is read from), never per analysis period
or activity window, so switching the sidebar cannot move a customer's value. It looks at two 12-month windows
before the anchor E, the data's last order date:

- L, "the last 12 months": (E − 12 months, E];
- P, "the 12 months before": (E − 24 months, E − 12 months].

A customer *buys* in a window when they have an order (a row with amount ≥ 0) dated in it: the notion the period
flows use for "ordered in a period" (``customer_period_flows.sql``). A customer who bought in L is a *buyer* (one
active customer-year); a purchase occasion is a distinct order day per customer, or a distinct order id when the
upload has one (``customer_summary.sql``). Every figure is a sum over the per-customer columns of
:func:`retention_core.queries.customer_summary` (``ordered_previous_year``, ``revenue_last_year``,
``occasions_last_year``, ``first_order``, ``last_order``) plus the cost and acquisition rows dated in L, so a
consultant can recompute each one from the upload by hand:

- annual retention r = customers who bought in P and again in L ÷ customers who bought in P
  (:func:`metrics.annual_retention_rate`); unknown (None, with a reason) unless P lies inside the data;
- margin per customer-year m = gross margin × net revenue in L ÷ buyers in L;
- purchase frequency f = occasions in L ÷ buyers in L; average order value = net revenue in L ÷ occasions in L;
- retention cost per customer-year c = retention spend dated in L ÷ buyers in L;
- CAC = acquisition spend dated in L ÷ new customers in L (the acquisition sheet's count where every row in L
  gives one, else the customers whose first order is in L).

Nothing here imports streamlit or UI text.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import pandas as pd

from retention_core import metrics

YEAR_MONTHS = 12
HISTORY_SLACK_DAYS = 7
"""P counts as observed when the data's first order is at most this many days after P's first day: a data set
that starts or ends a few days off the calendar (first order on 3 January, last on 30 December) still measures
retention, while one that misses weeks of P does not."""

BASIS_COLUMNS = ("ordered_previous_year", "revenue_last_year", "occasions_last_year")
"""The per-customer columns of :func:`retention_core.queries.customer_summary` the basis is summed from (with
``first_order``, ``last_order``)."""


def annual_windows(as_of: object) -> tuple[pd.Timestamp, pd.Timestamp]:
    """(E − 12 months, E − 24 months) for the anchor E = ``as_of``: the exclusive starts of L and P.

    Months are calendar months; a day missing in the shorter month is clamped to its end (E = 29 February 2024
    gives 28 February 2023).
    """
    return _windows(pd.Timestamp(as_of).normalize())


@functools.lru_cache(maxsize=64)
def _windows(end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """:func:`annual_windows` of a normalised anchor, kept: every bootstrap replicate of a basis asks again (a
    calendar-month offset costs about a millisecond). Pure: it holds dates, no rows."""
    return end - pd.DateOffset(months=YEAR_MONTHS), end - pd.DateOffset(months=2 * YEAR_MONTHS)


@dataclass(frozen=True)
class AnnualBasis:
    """The measured inputs of customer value over the last 12 months (L) and the 12 months before (P).

    Counts are customers; money in the data's currency. ``retention_spend`` and ``acquisition_spend`` are None
    without the sheet or without a row dated in L (unknown, not zero); ``sheet_new_customers`` is the acquisition
    sheet's count of new customers in L, None unless every acquisition row in L gives one.
    """

    as_of: pd.Timestamp
    first_order: pd.Timestamp
    previous_year_buyers: int
    retained_buyers: int
    buyers: int
    first_time_buyers: int
    revenue: float
    occasions: int
    repeat_buyers: int
    retention_spend: float | None = None
    acquisition_spend: float | None = None
    sheet_new_customers: float | None = None

    @property
    def year_start(self) -> pd.Timestamp:
        """E − 12 months: L is (year_start, E]."""
        return annual_windows(self.as_of)[0]

    @property
    def previous_start(self) -> pd.Timestamp:
        """E − 24 months: P is (previous_start, year_start]."""
        return annual_windows(self.as_of)[1]

    @property
    def covers_previous_year(self) -> bool:
        """Whether P lies inside the data: the first order at most :data:`HISTORY_SLACK_DAYS` after P's first day."""
        return self.first_order <= self.previous_start + pd.Timedelta(days=1 + HISTORY_SLACK_DAYS)

    @property
    def history_months(self) -> int:
        """Whole calendar months from the first order to E (for the message when retention is unknown)."""
        first, end = self.first_order, self.as_of
        return max(0, (end.year - first.year) * 12 + end.month - first.month - (end.day < first.day))

    @property
    def retention_unknown_reason(self) -> str | None:
        """Why :attr:`retention_rate` is None: ``"short_history"`` (P not inside the data: less than 24 months) or
        ``"no_previous_buyers"`` (nobody bought in P); None when it is measured."""
        if not self.covers_previous_year:
            return "short_history"
        if self.previous_year_buyers == 0:
            return "no_previous_buyers"
        return None

    @property
    def retention_rate(self) -> float | None:
        """Annual retention r: bought in P and again in L ÷ bought in P; None when unknown (never guessed)."""
        if self.retention_unknown_reason is not None:
            return None
        return metrics.annual_retention_rate(self.retained_buyers, self.previous_year_buyers)

    @property
    def acquisition_rate(self) -> float | None:
        """Buyers in L who did not buy in P, per buyer in P (first-time and returning after a pause), so that
        buyers in L ÷ buyers in P = r + a; None when r is unknown."""
        if self.retention_rate is None:
            return None
        return metrics.acquisition_rate(self.previous_year_buyers, self.buyers - self.retained_buyers)

    @property
    def new_customers(self) -> float:
        """New customers in L: the acquisition sheet's count where every row in L gives one, else the customers
        whose first order is in L."""
        return self.first_time_buyers if self.sheet_new_customers is None else self.sheet_new_customers

    @property
    def revenue_per_buyer(self) -> float | None:
        """Net revenue in L ÷ buyers in L (per customer-year); None without a buyer."""
        return metrics.revenue_per_customer(self.revenue, self.buyers) if self.buyers > 0 else None

    def margin_per_year(self, gross_margin: float) -> float | None:
        """m = gross margin × net revenue in L ÷ buyers in L (:func:`metrics.margin_per_customer_year`)."""
        if self.buyers == 0:
            return None
        return metrics.margin_per_customer_year(self.revenue, self.buyers, gross_margin)

    @property
    def purchase_frequency(self) -> float | None:
        """f = purchase occasions in L ÷ buyers in L (occasions per customer-year)."""
        return metrics.purchase_frequency(self.occasions, self.buyers) if self.buyers > 0 else None

    @property
    def average_order_value(self) -> float | None:
        """Net revenue in L ÷ purchase occasions in L, so that average order value × f = revenue per buyer."""
        return metrics.revenue_per_customer(self.revenue, self.occasions) if self.occasions > 0 else None

    @property
    def repeat_purchase_rate(self) -> float | None:
        """Buyers in L with two or more purchase occasions in L ÷ buyers in L."""
        return metrics.repeat_purchase_rate(self.repeat_buyers, self.buyers) if self.buyers > 0 else None

    @property
    def retention_cost_per_customer(self) -> float | None:
        """c = retention spend dated in L ÷ buyers in L (per customer-year); None when either is missing."""
        if self.retention_spend is None or self.buyers == 0:
            return None
        return metrics.retention_cost_per_customer(self.retention_spend, self.buyers)

    @property
    def acquisition_cost(self) -> float | None:
        """CAC = acquisition spend dated in L ÷ new customers in L; None without spend or without new customers."""
        if self.acquisition_spend is None or self.new_customers <= 0:
            return None
        return metrics.acquisition_cost_per_customer(self.acquisition_spend, self.new_customers)

    def to_dict(self) -> dict:
        """The basis as plain JSON values (dates as ISO text), for an aggregates folder's manifest."""
        return {key: value.date().isoformat() if isinstance(value, pd.Timestamp) else value
                for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, values: dict) -> AnnualBasis:
        """The basis :meth:`to_dict` wrote."""
        return cls(**{key: pd.Timestamp(value) if key in ("as_of", "first_order") else value
                      for key, value in values.items()})


def annual_basis(
    customer_table: pd.DataFrame, *, retention_spend: pd.Series | None = None, acquisition: pd.Series | None = None,
    as_of: object = None, data_start: object = None,
) -> AnnualBasis | None:
    """The :class:`AnnualBasis` of a customer summary with its annual columns (:data:`BASIS_COLUMNS`).

    ``customer_table``: :func:`queries.customer_summary` made with ``basis_end`` = the data's last order date;
    ``retention_spend``: :func:`queries.retention_spend_in_window` over L (None without a cost sheet);
    ``acquisition``: :func:`queries.acquisition_in_window` over L (None without an acquisition sheet). None when
    the summary lacks the annual columns or nobody ever ordered.

    ``as_of`` and ``data_start``: the anchor E and the data's first order date, when ``customer_table`` is a part of
    the data (a segment, :mod:`retention_core.segments`): a part is measured over the whole data's windows, so its
    figures add up to the whole's. By default both are read off ``customer_table``.
    """
    if any(column not in customer_table.columns for column in BASIS_COLUMNS):
        return None
    first_orders, last_orders = customer_table["first_order"], customer_table["last_order"]
    if as_of is None and last_orders.isna().all():
        return None
    as_of = pd.Timestamp(last_orders.max() if as_of is None else as_of).normalize()
    year_start, _ = annual_windows(as_of)
    bought = (last_orders > year_start).to_numpy()
    previous = customer_table["ordered_previous_year"].fillna(False).to_numpy(dtype=bool)
    occasions = customer_table["occasions_last_year"].fillna(0).to_numpy()
    spend = None if retention_spend is None or int(retention_spend["cost_rows"]) == 0 \
        else float(retention_spend["retention_spend"])
    acquisition_spend = sheet_new = None
    if acquisition is not None and int(acquisition["acquisition_rows"]) > 0:
        acquisition_spend = float(acquisition["acquisition_spend"])
        if int(acquisition["new_customer_rows"]) == int(acquisition["acquisition_rows"]):
            sheet_new = float(acquisition["sheet_new_customers"])
    return AnnualBasis(
        as_of=as_of,
        first_order=pd.Timestamp(first_orders.min() if data_start is None else data_start).normalize(),
        previous_year_buyers=int(previous.sum()),
        retained_buyers=int((previous & bought).sum()),
        buyers=int(bought.sum()),
        first_time_buyers=int((first_orders > year_start).sum()),
        revenue=float(customer_table["revenue_last_year"].sum()),
        occasions=int(occasions.sum()),
        repeat_buyers=int((bought & (occasions >= 2)).sum()),
        retention_spend=spend,
        acquisition_spend=acquisition_spend,
        sheet_new_customers=sheet_new,
    )


@dataclass(frozen=True)
class NewCustomerValue:
    """What a new customer is worth on the annual basis, and what is left after retention and acquisition cost.

    Money per new customer in the data's currency, the lifetime in years; None where an input is unknown (see
    :func:`new_customer_value`).
    """

    expected_lifetime_years: float | None
    simple_clv: float | None
    margin_multiple_clv: float | None
    finite_horizon_clv: float | None
    lifetime_retention_cost: float | None
    clv_gap: float | None
    net_value: float | None
    break_even_retention_spend: float | None
    clv_to_cac: float | None


def new_customer_value(
    margin_per_year: float | None,
    retention_rate: float | None,
    annual_discount_rate: float,
    horizon_years: int,
    *,
    gross_margin: float,
    average_order_value: float | None,
    purchase_frequency: float | None,
    retention_cost_per_customer: float | None,
    acquisition_cost: float | None,
) -> NewCustomerValue:
    """The value of a new customer three ways, the CLV gap, net value, break-even spend and CLV : CAC.

    Definition: the CLV page's figures, first customer year certain (Farris et al. 2010 §5.3), one function for
    the CLV page, the segments and everything that shows them: simple CLV = average order value × gross margin ×
    purchases per year × expected lifetime 1 / (1 − r), undiscounted; margin-multiple CLV with m the margin per
    customer-year; finite-horizon CLV Σₜ₌₀ᴺ⁻¹ m · rᵗ / (1 + i)ᵗ over ``horizon_years``; lifetime retention cost
    c · (1 + i) / (1 + i − r); CLV gap = margin-multiple CLV − lifetime retention cost; net value = CLV gap − CAC;
    CLV : CAC = margin-multiple CLV ÷ CAC; break-even retention spend c* = m − CAC · (1 + i − r) / (1 + i) (m
    without a CAC).
    Formula: CLV = m · (1 + i) / (1 + i − r).
    Units: ``margin_per_year``, ``average_order_value`` and ``retention_cost_per_customer`` per customer-year,
    ``acquisition_cost`` per new customer, money; rates fractions per year. Unknown (None): every figure without
    retention or margin; the lifetime and simple CLV at r = 1 (an endless lifetime) or without an average order
    value; the lifetime retention cost and CLV gap without a retention cost; net value without a CAC; CLV : CAC
    without a CAC or with a CAC of 0. Never taken as zero.
    Reference: Farris, Bendle, Pfeifer & Reibstein (2010), Marketing Metrics, 2nd ed., §5.3.
    """
    r, i, m = retention_rate, annual_discount_rate, margin_per_year
    cac, cost = acquisition_cost, retention_cost_per_customer
    if r is None or m is None:
        return NewCustomerValue(*(None,) * 9)
    lifetime = metrics.expected_lifetime(1.0 - r) if r < 1 else None
    clv = metrics.margin_multiple_clv(m, r, i)
    lifetime_cost = None if cost is None else metrics.lifetime_retention_cost(cost, r, i)
    gap = None if lifetime_cost is None else metrics.clv_gap(clv, lifetime_cost)
    simple = None
    if lifetime is not None and average_order_value is not None:
        simple = metrics.simple_clv(average_order_value * gross_margin, purchase_frequency or 0.0, lifetime)
    return NewCustomerValue(
        expected_lifetime_years=lifetime,
        simple_clv=simple,
        margin_multiple_clv=clv,
        finite_horizon_clv=metrics.finite_horizon_clv([m] * horizon_years, r, i),
        lifetime_retention_cost=lifetime_cost,
        clv_gap=gap,
        net_value=None if gap is None or cac is None else metrics.net_value(gap, cac),
        break_even_retention_spend=metrics.break_even_retention_spend(m, r, i, cac or 0.0),
        clv_to_cac=metrics.clv_to_cac(clv, cac) if cac else None,
    )
