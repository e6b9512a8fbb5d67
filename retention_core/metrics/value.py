"""What a customer is worth: revenue and margin per customer, purchase frequency, expected lifetime, the simple and
the discounted customer lifetime value (margin multiples, finite horizons, profits growing with tenure), and that
value against the costs of keeping and winning the customer (CLV gap, net value, CLV : CAC)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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
    _values,
    _whole_number,
)

__all__ = [
    "clv_gap",
    "clv_to_cac",
    "expected_lifetime",
    "finite_horizon_clv",
    "margin_multiple",
    "margin_multiple_clv",
    "margin_per_customer_year",
    "net_value",
    "new_customer_margin_multiple",
    "purchase_frequency",
    "revenue_per_customer",
    "simple_clv",
    "tenure_profit_value",
]


# --------------------------------------------------------------------------------------------------------------
# Revenue, frequency and simple customer value
# --------------------------------------------------------------------------------------------------------------


def revenue_per_customer(revenue: float, customers: float) -> float:
    """Average net revenue per customer.

    Net revenue (orders minus returns) divided by a number of customers. Net revenue may be negative: a period in
    which more goods came back than were sold has a negative revenue per customer, not an error.

    Formula: ARPC = net revenue / customers

    Units: currency per customer (per the period or window the revenue covers).

    Reference: seed article 001 ("durchschnittlicher Kaufwert" building block of the CLV);
    Farris et al. (2010), chapter 5.
    """
    money = _number("revenue", revenue)
    count = _positive("customers", customers)
    return _ratio(money, count)


def margin_per_customer_year(net_revenue: float, buyers: float, gross_margin: float) -> float:
    """Margin per customer-year: what one active customer-year earns after the cost of goods.

    Every customer who bought in a year is one active customer-year, so the year's net revenue (returns
    subtracted) times the gross margin, divided by the year's buyers, is the margin of one customer-year. It is
    negative when returns exceed sales.

    Formula: m = gross margin × net revenue / buyers

    Units: currency per customer and year (when revenue and buyers cover one year).

    Reference: Farris et al. (2010), §5.3 (the margin m of the CLV formula, per customer and period);
    seed article 001 (customer value = average purchase value × purchases).
    """
    revenue = _number("net_revenue", net_revenue)
    customers = _positive("buyers", buyers)
    margin = _fraction("gross_margin", gross_margin)
    return margin * revenue / customers


def purchase_frequency(orders: float, customers: float) -> float:
    """Average number of purchases per customer.

    Purchase occasions (distinct order days per customer, or distinct order ids) divided by the customers who
    bought in the same time.

    Formula: purchase frequency = purchase occasions / customers

    Units: purchases per customer (per year when both count one year).

    Reference: seed article 001 ("durchschnittliche Anzahl der Käufe").
    """
    count_orders = _non_negative("orders", orders)
    count_customers = _positive("customers", customers)
    return _ratio(count_orders, count_customers)


def simple_clv(average_purchase_value: float, purchase_frequency: float, lifespan: float) -> float:
    """Simple customer lifetime value: customer value per period times the customer lifespan.

    Customer value is the average purchase value times the number of purchases per period; the lifetime
    value multiplies it by how many periods a customer stays. No discounting. With a purchase value in margin
    (order value × gross margin) it is the undiscounted margin of a customer's lifetime, which the CLV page shows;
    with the order value alone it is revenue. The purchase value may be negative (returns exceeding sales).
    Frequency and lifespan must use the same time unit (purchases per year with a lifespan in years).

    Formula: CLV = (average purchase value × purchase frequency) × lifespan

    Units: currency per customer (over the lifetime).

    Reference: seed article 001 (Trustmary 2024, "Kundenwert = durchschnittlicher Kaufwert x
    durchschnittliche Anzahl der Käufe", "CLV = Kundenwert x Kundenlebensdauer").
    """
    value = _number("average_purchase_value", average_purchase_value)
    frequency = _non_negative("purchase_frequency", purchase_frequency)
    periods = _non_negative("lifespan", lifespan)
    return value * frequency * periods


def expected_lifetime(churn_rate: float) -> float:
    """Expected customer lifetime at a constant churn rate.

    With the same chance of leaving every period, the number of periods a customer stays is geometric with
    mean one over the churn rate (the period of acquisition counts as the first period). A customer who never
    comes back (churn 1) stays one period.

    Formula: L = 1 / churn

    Units: periods (of the churn rate).

    Reference: Farris et al. (2010), §5.1 (expected lifetime = 1 / (1 − retention rate));
    Gupta & Lehmann (2003), constant-retention assumption.
    """
    churn = _fraction("churn_rate", churn_rate)
    if churn == 0:
        raise ValueError(f"churn_rate must be > 0 for a finite lifetime, got {_show(churn_rate)}")
    return 1.0 / churn


# --------------------------------------------------------------------------------------------------------------
# Discounted lifetime value
# --------------------------------------------------------------------------------------------------------------


def margin_multiple(retention_rate: float, discount_rate: float) -> float:
    """Margin multiple: lifetime value of a customer per unit of margin per period.

    A customer pays the margin at the end of every period they survive; surviving t periods has probability
    r^t and money at t is discounted by (1 + i)^t. The infinite sum is a geometric series.

    Formula: Σₜ₌₁^∞ rᵗ / (1 + i)ᵗ = r / (1 + i − r)   (requires r < 1 + i)

    Units: multiple of the margin per period (dimensionless); r and i per the same period.

    Reference: Gupta & Lehmann (2003), "Customers as Assets", J. Interactive Marketing 17(1), margin
    multiple table (e.g. r = 0.9, i = 0.12 gives 4.09); Farris et al. (2010), §5.3.
    """
    r = _fraction("retention_rate", retention_rate)
    i = _discount_rate("discount_rate", discount_rate)
    _converges(r, i)
    return r / (1.0 + i - r)


def new_customer_margin_multiple(retention_rate: float, discount_rate: float) -> float:
    """Margin multiple of a newly won customer: lifetime value per unit of margin per year, first year included.

    The first year's margin is certain and arrives at the start (the customer has just bought); the margin of
    year t (t = 1, 2, …) arrives only if the customer is still there, with probability rᵗ, and is discounted by
    (1 + i)ᵗ. It is one plus Gupta & Lehmann's multiple (:func:`margin_multiple`), which counts only the years
    after the first. At r = 0 it is 1: a customer who never comes back is worth one year's margin.

    Formula: Σₜ₌₀^∞ rᵗ / (1 + i)ᵗ = (1 + i) / (1 + i − r) = 1 + r / (1 + i − r)   (requires r < 1 + i)

    Units: multiple of the margin per year (dimensionless); r and i per year.

    Reference: Farris et al. (2010), "Marketing Metrics", §5.3 (CLV with the initial margin,
    m · (1 + i) / (1 + i − r)); Gupta & Lehmann (2003), J. Interactive Marketing 17(1).
    """
    return 1.0 + margin_multiple(retention_rate, discount_rate)


def margin_multiple_clv(margin_per_year: float, retention_rate: float, discount_rate: float) -> float:
    """Customer lifetime value of a newly won customer at a constant margin and retention (margin multiple).

    The margin per customer-year times the new customer's margin multiple
    (:func:`new_customer_margin_multiple`): the first year's margin at the start, each later year's only if the
    customer stays, discounted. No acquisition cost is subtracted (see :func:`net_value`). The margin may be
    negative (a customer who costs more than they bring).

    Formula: CLV = m · (1 + i) / (1 + i − r)

    Units: currency per new customer; m per customer-year, r and i per year.

    Reference: Farris et al. (2010), §5.3 (with the initial margin); equals m + Gupta & Lehmann's (2003)
    m · r / (1 + i − r).
    """
    m = _number("margin_per_year", margin_per_year)
    return m * new_customer_margin_multiple(retention_rate, discount_rate)


def finite_horizon_clv(
    margins: Sequence[float],
    retention_rate: float | Sequence[float],
    discount_rate: float,
    acquisition_cost: float = 0.0,
) -> float:
    """Customer lifetime value of a newly won customer over a finite horizon, with a margin per year.

    The first year's margin m₀ is certain and arrives at the start; year t (t = 1 … n − 1) contributes its
    margin if the customer has stayed t more years, discounted to today. Survival is rᵗ for one retention rate,
    or the product r₁·…·rₜ when a retention rate is given for each year after the first (n − 1 rates). Margins
    may be negative (a loss year) but must be finite. Same timing as :func:`margin_multiple_clv`, to which it
    converges for constant m and r as the horizon grows.

    Formula: CLV = Σₜ₌₀ⁿ⁻¹ mₜ · rᵗ / (1 + i)ᵗ − AC

    Units: currency per new customer; margins per year (or per period), rates per the same period.

    Reference: Farris et al. (2010), §5.3 (finite-horizon CLV with the initial margin); Gupta & Lehmann (2003),
    J. Interactive Marketing 17(1) (the finite sum before the closed form).
    """
    m = _values("margins", margins)
    i = _discount_rate("discount_rate", discount_rate)
    ac = _non_negative("acquisition_cost", acquisition_cost)
    years = np.arange(m.size)
    if np.ndim(retention_rate) == 0:
        survival = _fraction("retention_rate", retention_rate) ** years
    else:
        given = np.size(retention_rate)
        if given != m.size - 1:
            raise ValueError(
                f"retention_rate has {given} values but margins has {m.size}: "
                "give one retention rate per year after the first, or a single number"
            )
        rates = _values("retention_rate", retention_rate, low=0, high=1) if given else np.empty(0)
        survival = np.concatenate([[1.0], np.cumprod(rates)])
    return float(np.sum(m * survival / (1.0 + i) ** years)) - ac


def _tenure_sum(profits: np.ndarray, q: float) -> float:
    """Σₜ pₜ · q^(t−1) over the listed tenures t = 1 … n, with q = r / (1 + i)."""
    powers = q ** np.arange(profits.size)
    return float(np.sum(profits * powers))


def _geometric_sum(q: float, terms: int) -> float:
    """Σₖ₌₀^(terms−1) qᵏ."""
    return float(terms) if q == 1.0 else (1.0 - q**terms) / (1.0 - q)


def tenure_profit_value(
    profits_by_tenure: Sequence[float],
    retention_rate: float,
    discount_rate: float,
    acquisition_cost: float = 0.0,
    horizon_periods: int | None = None,
) -> float:
    """Present value of a newly acquired customer whose profit grows with tenure.

    Reichheld & Sasser's loyalty effect: profit per customer rises the longer they stay. profits_by_tenure
    lists the profit in the customer's 1st, 2nd, … period; after the list ends the profit stays at the last
    value. The first period's profit is certain and arrives at the start (the customer has just been won), so it
    is not discounted; surviving to period t has probability r^(t−1) and its profit, arriving at the start of
    period t, is discounted by (1 + i)^(t−1). This is the timing of :func:`margin_multiple_clv`: with the same
    profit in every period the value is p · (1 + i) / (1 + i − r) − AC, the margin-multiple CLV minus the
    acquisition cost. horizon_periods=None means an infinite horizon, whose tail after the n listed periods is
    summed in closed form (requires r < 1 + i); a horizon shorter than the list truncates it, a longer one
    repeats the last profit.

    Formula: V = Σₜ₌₁ᴴ pₜ · r^(t−1) / (1 + i)^(t−1) − AC   (pₜ = pₙ for t > n)
    Tail for H = ∞: Σₜ₌ₙ₊₁^∞ pₙ · r^(t−1) / (1 + i)^(t−1) = pₙ · rⁿ / ((1 + i)^(n−1) · (1 + i − r))

    Units: currency per newly acquired customer; profits per period, r and i per the same period.

    Reference: Reichheld & Sasser (1990), "Zero Defections", HBR 68(5) (profit per customer by year of
    tenure); timing as in Farris et al. (2010), §5.3 (CLV with the initial margin).
    """
    profits = _values("profits_by_tenure", profits_by_tenure)
    r = _fraction("retention_rate", retention_rate)
    i = _discount_rate("discount_rate", discount_rate)
    ac = _non_negative("acquisition_cost", acquisition_cost)
    n = profits.size
    q = r / (1.0 + i)
    if horizon_periods is None:
        _converges(r, i)
        tail = profits[-1] * q**n * (1.0 + i) / (1.0 + i - r)  # pₙ · Σₖ₌₀^∞ q^(n+k), q < 1
        return _tenure_sum(profits, q) + float(tail) - ac
    horizon = _whole_number("horizon_periods", horizon_periods, minimum=1)
    value = _tenure_sum(profits[:horizon], q)
    if horizon > n:
        # periods n+1 … H repeat the last profit: pₙ · qⁿ · Σₖ₌₀^(H−n−1) qᵏ
        value += float(profits[-1]) * q**n * _geometric_sum(q, horizon - n)
    return value - ac


# --------------------------------------------------------------------------------------------------------------
# Customer value against the costs of keeping and winning the customer
# --------------------------------------------------------------------------------------------------------------


def clv_gap(clv: float, lifetime_retention_cost: float) -> float:
    """What a customer is worth after paying for keeping them.

    The customer lifetime value minus the present value of the retention spend on that customer; negative
    means retention costs more than the customer brings.

    Formula: gap = CLV − LRC

    Units: currency per customer.

    Reference: seed article 000 (compare retention cost with the customer lifetime value).
    """
    value = _number("clv", clv)
    cost = _non_negative("lifetime_retention_cost", lifetime_retention_cost)
    return value - cost


def net_value(clv_gap: float, acquisition_cost: float) -> float:
    """Net value of a new customer: what is left after keeping them and after winning them.

    The CLV gap (CLV minus the lifetime retention cost) minus the acquisition cost paid to win the customer;
    negative means the customer does not pay back what they cost.

    Formula: net value = CLV gap − CAC = CLV − LRC − CAC

    Units: currency per new customer.

    Reference: Farris et al. (2010), §5.3–5.5 (CLV against acquisition and retention cost).
    """
    gap = _number("clv_gap", clv_gap)
    cost = _non_negative("acquisition_cost", acquisition_cost)
    return gap - cost


def clv_to_cac(clv: float, acquisition_cost: float) -> float:
    """Ratio of customer lifetime value to customer acquisition cost.

    How many times the value of a customer pays back what it cost to win them; 3 means the customer is
    worth three times their acquisition cost.

    Formula: CLV : CAC = CLV / CAC

    Units: dimensionless ratio.

    Reference: Farris et al. (2010), §5.3–5.5 (CLV against acquisition cost).
    """
    value = _number("clv", clv)
    cost = _positive("acquisition_cost", acquisition_cost)
    return value / cost


_finite_results(globals())  # the formulas above read as formulas; their common promise is kept in _checks, once
