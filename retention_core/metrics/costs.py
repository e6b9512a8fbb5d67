"""What keeping and winning customers costs: retention spend per period and per customer, acquisition cost, the
present value of a customer's retention spend and the spend at which a new customer breaks even."""

from __future__ import annotations

import math
from collections.abc import Mapping

from retention_core.metrics._checks import (
    _converges,
    _discount_rate,
    _finite_results,
    _fraction,
    _non_negative,
    _number,
    _positive,
    _ratio,
    _show,
)
from retention_core.metrics.value import new_customer_margin_multiple

__all__ = [
    "acquisition_cost_per_customer",
    "break_even_retention_spend",
    "lifetime_retention_cost",
    "retention_cost_per_customer",
    "total_retention_cost",
]


# --------------------------------------------------------------------------------------------------------------
# Retention cost
# --------------------------------------------------------------------------------------------------------------


def total_retention_cost(costs: Mapping[str, float]) -> float:
    """Total retention spend: the sum of all cost items spent on keeping existing customers.

    Everything spent in one period to keep the customers you already have: team and salaries, tools and
    software, engagement and loyalty costs (discounts, rewards, gifts). An empty mapping means no spend.

    Formula: C = Σ cost items

    Units: currency per period; each item must be >= 0.

    Reference: seed article 000 ("Kosten der Kundenbindung"), cost items 1–3 and the café example
    5,000 + 900 + 2,500 = 8,400; Farris et al. (2010), §5.5 (average retention cost).
    """
    if not isinstance(costs, Mapping):
        raise ValueError(f"costs must be a mapping of cost item to amount, got {_show(costs)}")
    return float(math.fsum(_non_negative(f"cost item {item!r}", amount) for item, amount in costs.items()))


def retention_cost_per_customer(total_cost: float, active_customers: float) -> float:
    """Retention cost per active customer in one period (or per customer-year over a year's buyers).

    The period's retention spend divided by the customers who were active in the same period. Active customers
    are the customer base at the period's end, everyone who ordered within the activity window (``customers_end``
    of the ``period_activity`` query), not only the period's buyers. Over the annual basis of customer value the
    same division by the year's buyers gives the retention cost per customer-year.

    Formula: retention cost per customer = total retention cost / active customers

    Units: currency per customer per period.

    Reference: seed article 000 ("Die Grundformel für die Kosten der Kundenbindung"), café example
    8,400 / 700 = 12.00 per customer and quarter; Farris et al. (2010), §5.5.
    """
    spend = _non_negative("total_cost", total_cost)
    customers = _positive("active_customers", active_customers)
    return _ratio(spend, customers)


def acquisition_cost_per_customer(acquisition_spend: float, new_customers: float) -> float:
    """Customer acquisition cost (CAC): acquisition spend per new customer.

    Everything spent in one period to win new customers (advertising, sales, onboarding offers) divided by
    the number of customers won in that period.

    Formula: CAC = acquisition spend / new customers

    Units: currency per new customer.

    Reference: Farris et al. (2010), §5.5 (average acquisition cost); seed article 000 (acquisition costs
    5 to 25 times as much as retention).
    """
    spend = _non_negative("acquisition_spend", acquisition_spend)
    customers = _positive("new_customers", new_customers)
    return _ratio(spend, customers)


# --------------------------------------------------------------------------------------------------------------
# Retention spend over a customer's lifetime and the break-even spend
# --------------------------------------------------------------------------------------------------------------


def lifetime_retention_cost(cost_per_year: float, retention_rate: float, discount_rate: float) -> float:
    """Present value of the retention spend on one new customer over their expected lifetime.

    The retention cost per customer-year is spent in every customer year, with the same timing as the margin in
    :func:`margin_multiple_clv` (the first year for certain, each later year only if the customer stays,
    discounted), so it can be set directly against that CLV.

    Formula: LRC = c · (1 + i) / (1 + i − r)

    Units: currency per new customer; c per customer-year, r and i per year.

    Reference: Farris et al. (2010), §5.3 (timing) and §5.5 (retention cost); seed article 000 (compare retention
    cost with the CLV).
    """
    c = _non_negative("cost_per_year", cost_per_year)
    return c * new_customer_margin_multiple(retention_rate, discount_rate)


def break_even_retention_spend(
    margin_per_year: float, retention_rate: float, discount_rate: float, acquisition_cost: float = 0.0
) -> float:
    """Retention spend per customer-year at which a new customer's net value is exactly zero.

    Spending c per customer-year on a customer who brings margin m leaves (m − c) per year; with the timing of
    :func:`margin_multiple_clv` the net value (m − c) · (1 + i) / (1 + i − r) − AC is zero at c*. Any spend below
    c* makes the customer profitable. A negative c* means that even zero retention spend loses money: the margin
    cannot repay the acquisition cost. Without acquisition cost (AC = 0) c* = m: the spend at which the CLV gap
    is zero. Defined at every retention rate, 0 included (no division by r).

    Formula: c* = m − AC · (1 + i − r) / (1 + i)

    Units: currency per customer and year.

    Reference: Farris et al. (2010), §5.3 (CLV with the initial margin, m · (1 + i) / (1 + i − r)), solved for
    the spend that sets the net value to zero.
    """
    m = _number("margin_per_year", margin_per_year)
    r = _fraction("retention_rate", retention_rate)
    i = _discount_rate("discount_rate", discount_rate)
    ac = _non_negative("acquisition_cost", acquisition_cost)
    _converges(r, i)
    return m - ac * (1.0 + i - r) / (1.0 + i)


_finite_results(globals())  # the formulas above read as formulas; their common promise is kept in _checks, once
