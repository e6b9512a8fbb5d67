"""Closed-form retention economics: numbers in, numbers out.

Conventions used by every function in this module:

* Rates are fractions: 0.9 means 90 %. Percent appears only in labels, never here.
* An uplift in retention is given in percentage points as a fraction: 0.05 means +5 pp.
* Money is in the user's currency; every money argument and result of one call is in the same currency.
* Rates, margins and costs per period all refer to the same period (month, quarter or year); use
  :func:`period_discount_rate` and :func:`convert_retention_rate` to bring them to one period length.
* Customer value is the value of a newly won customer measured on one annual basis: a customer year's margin
  arrives at the start of that customer year, so the first year is certain and undiscounted and year ``t``
  (``t = 0, 1, …``) is weighted by ``r^t / (1 + i)^t``. This is Farris et al. (2010) §5.3 with the initial margin,
  m · (1 + i) / (1 + i − r), which equals m plus Gupta & Lehmann's (2003) m · r / (1 + i − r) (margin at the end
  of each period survived; :func:`margin_multiple` keeps their published form).
* Counts of customers are non-negative; a denominator of zero is an error, never a silent 0.
* NPS is in points from −100 to +100; survey answers are on the 0–10 scale.
* Every function is pure and raises ``ValueError`` naming the argument, what is wrong, and the value given.
* Every result is a finite number: inputs so large that a result would overflow raise ``ValueError`` too.

References cited in the docstrings:

* Gupta, S. & Lehmann, D. R. (2003). "Customers as Assets". Journal of Interactive Marketing 17(1), 9–24.
* Reichheld, F. F. & Sasser, W. E. (1990). "Zero Defections: Quality Comes to Services". Harvard Business
  Review 68(5), 105–111.
* Reichheld, F. F. (2003). "The One Number You Need to Grow". Harvard Business Review 81(12), 46–54.
* Farris, P. W., Bendle, N. T., Pfeifer, P. E. & Reibstein, D. J. (2010). "Marketing Metrics", 2nd ed.,
  chapter 5 (customer profitability).
* The German seed articles in ``/work/shared/seeds``: 000 (Kosten der Kundenbindung, café "The Daily
  Grind"), 001 (Trustmary, "Alles, was Sie über Kundentreue wissen müssen", 2024: repeat rate, upsell ratio,
  CLV, CLI), 003 (Umsatzbindung glossary: retention and churn rate).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math
import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "UpliftResult",
    "acquisition_cost_per_customer",
    "acquisition_rate",
    "annual_retention_rate",
    "break_even_retention_spend",
    "churn_rate",
    "clv_gap",
    "clv_to_cac",
    "convert_retention_rate",
    "customer_base_multiple",
    "customer_loyalty_index",
    "expected_lifetime",
    "finite_horizon_clv",
    "lifetime_retention_cost",
    "margin_multiple",
    "margin_multiple_clv",
    "margin_per_customer_year",
    "net_promoter_score",
    "net_value",
    "new_customer_margin_multiple",
    "nps_from_counts",
    "period_discount_rate",
    "purchase_frequency",
    "repeat_purchase_rate",
    "retention_cost_per_customer",
    "retention_rate",
    "retention_uplift",
    "returning_buyer_share",
    "revenue_per_customer",
    "simple_clv",
    "tenure_profit_value",
    "total_retention_cost",
    "upsell_rate",
    "upsell_ratio",
]

# Sums like 0.95 + 0.05 may land a rounding error above 1; closer than this counts as exactly 1.
_ROUNDING_SLACK = 1e-12


# --------------------------------------------------------------------------------------------------------------
# Validation helpers: each returns the checked value as a float (or array) and raises ValueError otherwise.
# --------------------------------------------------------------------------------------------------------------


def _show(value: object) -> str:
    """The value as it should appear in an error message (numpy scalars shown as plain numbers)."""
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(name: str, value: object) -> float:
    """A finite real number (bools and strings are rejected)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a number, got {_show(value)}")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the largest float
        raise ValueError(f"{name} must be a finite number, got {_show(value)}") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {_show(value)}")
    return number


def _non_negative(name: str, value: object) -> float:
    """A finite number >= 0 (counts, money spent)."""
    number = _number(name, value)
    if number < 0:
        raise ValueError(f"{name} must be >= 0, got {_show(value)}")
    return number


def _positive(name: str, value: object) -> float:
    """A finite number > 0 (denominators)."""
    number = _number(name, value)
    if number <= 0:
        raise ValueError(f"{name} must be > 0, got {_show(value)}")
    return number


def _fraction(name: str, value: object) -> float:
    """A rate between 0 and 1 inclusive."""
    number = _number(name, value)
    if not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be a fraction between 0 and 1 (0.9 = 90 %), got {_show(value)}")
    return number


def _discount_rate(name: str, value: object) -> float:
    """A discount rate above −1 (at −1 money would be worth infinitely more next period)."""
    number = _number(name, value)
    if number <= -1.0:
        raise ValueError(f"{name} must be > -1, got {_show(value)}")
    return number


def _part_of_whole(part_name: str, part: float, whole_name: str, whole: float) -> None:
    """A sub-count cannot exceed the count it is part of."""
    if part > whole:
        raise ValueError(f"{part_name} ({part:g}) cannot exceed {whole_name} ({whole:g})")


def _converges(r: float, i: float) -> None:
    """The infinite discounted sum of r^t / (1 + i)^t is finite only if r < 1 + i."""
    if r >= 1.0 + i:
        raise ValueError(
            "retention_rate must be < 1 + discount_rate for the infinite-horizon sum to converge, "
            f"got retention_rate={r:g}, discount_rate={i:g}"
        )


def _whole_number(name: str, value: object, minimum: int) -> int:
    """An integer >= minimum (horizons in periods)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number of periods, got {_show(value)}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {_show(value)}")
    return int(value)


def _values(name: str, values: object, low: float | None = None, high: float | None = None) -> np.ndarray:
    """A non-empty one-dimensional sequence of finite numbers, optionally within [low, high]."""
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be a sequence of numbers, got {_show(values)}")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must contain only numbers, got {_show(values)}") from None
    if array.size == 0:
        raise ValueError(f"{name} must contain at least one value, got an empty sequence")
    _first_bad(name, array, ~np.isfinite(array), "must contain only finite numbers")
    if low is not None and high is not None:
        _first_bad(name, array, (array < low) | (array > high), f"must be between {low:g} and {high:g}")
    return array


def _first_bad(name: str, array: np.ndarray, bad: np.ndarray, problem: str) -> None:
    """Raise for the first position where ``bad`` is true, naming that position and its value."""
    if bad.any():
        position = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name} {problem}, got {array[position]:g} at position {position}")


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator as a float; callers have already checked the denominator."""
    return float(numerator / denominator)


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
# Customer counts: retention, churn, acquisition, repeat purchase, upsell
# --------------------------------------------------------------------------------------------------------------


def retention_rate(start_customers: float, new_customers: float, end_customers: float) -> float:
    """Customer retention rate (CRR) for one period.

    The share of the customers at the start of the period who are still customers at its end. Customers
    won during the period are subtracted from the end count so that acquisition cannot hide losses.

    Formula: CRR = (E − N) / S   (S = start customers, N = new customers, E = end customers)

    Units: fraction of start customers (0.9 = 90 %).

    Reference: seed article 003 (Kundenbindungsrate = retained customers / all customers) with retained
    customers E − N; Farris et al. (2010), §5.1 (retention rate = retained / customers at risk).
    """
    start = _positive("start_customers", start_customers)
    new = _non_negative("new_customers", new_customers)
    end = _non_negative("end_customers", end_customers)
    retained = end - new
    if retained < 0:
        raise ValueError(
            f"end_customers ({end:g}) must be >= new_customers ({new:g}): the new customers are part of the "
            f"end count, so end − new = {retained:g} retained customers is impossible"
        )
    if retained > start:
        raise ValueError(
            f"retained customers end_customers − new_customers = {retained:g} cannot exceed start_customers "
            f"({start:g}): you cannot keep more customers than you started with"
        )
    return _ratio(retained, start)


def annual_retention_rate(retained_buyers: float, previous_year_buyers: float) -> float:
    """Annual retention for customer value: the share of one year's buyers who buy again the next year.

    Of the customers who bought in the year before the last (the 12 months before the last 12), the share who
    also bought in the last 12 months. It is measured directly on two whole years, never compounded from shorter
    periods, so the analysis period and the activity window of the period KPIs cannot change it. A business whose
    customers never buy twice gets 0.

    Formula: r = buyers in both years / buyers in the earlier year

    Units: fraction per year (0.58 = 58 % of a year's buyers buy again the next year).

    Reference: Farris et al. (2010), §5.1 (retention rate = customers retained / customers at risk), with one year
    as the period; the same "buys again the next year" notion as Reichheld & Sasser (1990).
    """
    previous = _positive("previous_year_buyers", previous_year_buyers)
    retained = _non_negative("retained_buyers", retained_buyers)
    _part_of_whole("retained_buyers", retained, "previous_year_buyers", previous)
    return _ratio(retained, previous)


def churn_rate(start_customers: float, lost_customers: float) -> float:
    """Churn rate: share of start customers lost during the period.

    The customers who left during the period divided by the customers at its start; for the same customers
    it is one minus the retention rate.

    Formula: churn = L / S   (L = lost customers, S = start customers)

    Units: fraction of start customers.

    Reference: seed article 003 ("Abwanderungsrate ... die Umkehrung der Kundenbindungsrate");
    Farris et al. (2010), §5.1.
    """
    start = _positive("start_customers", start_customers)
    lost = _non_negative("lost_customers", lost_customers)
    _part_of_whole("lost_customers", lost, "start_customers", start)
    return _ratio(lost, start)


def acquisition_rate(start_customers: float, new_customers: float) -> float:
    """Acquisition rate: new customers won per customer at the start of the period.

    How fast the base is refilled: customers won during the period relative to the start base. It may
    exceed 1 (a young business can more than double its base).

    Formula: a = N / S

    Units: new customers per start customer (fraction, may exceed 1).

    Reference: the CRR identity of seed article 003 rearranged, E = r·S + N, so E / S = r + a.
    """
    start = _positive("start_customers", start_customers)
    new = _non_negative("new_customers", new_customers)
    return _ratio(new, start)


def repeat_purchase_rate(repeat_customers: float, total_customers: float) -> float:
    """Repeat purchase rate: share of customers who bought more than once.

    Customers with two or more purchase occasions in the period (or over the whole data) divided by all customers
    who bought in it. A purchase occasion is a distinct order day of the customer, or a distinct order id when the
    data has one: a basket of two lines is one purchase.

    Formula: repeat purchase rate = repeat customers / total customers

    Units: fraction of customers.

    Reference: seed article 001 (Trustmary 2024, "Wiederkaufsrate"); the seed multiplies by 100, here it
    stays a fraction.
    """
    total = _positive("total_customers", total_customers)
    repeat = _non_negative("repeat_customers", repeat_customers)
    _part_of_whole("repeat_customers", repeat, "total_customers", total)
    return _ratio(repeat, total)


def returning_buyer_share(returning_buyers: float, buyers: float) -> float:
    """Returning-buyer share: of a period's buyers, the share who had bought in an earlier period.

    Buyers of the period whose first order lies in an earlier period (first-time buyers excluded), divided by all
    buyers of the period. Not the repeat-purchase rate (two or more purchases within the same time,
    :func:`repeat_purchase_rate`): a customer who buys once a year for five years returns every year but never
    buys twice within one.

    Formula: returning-buyer share = buyers who had ordered before / buyers

    Units: fraction of the period's buyers.

    Reference: Farris et al. (2010), §5.1 (counts of returning customers); the period flows of
    ``period_activity.sql``.
    """
    total = _positive("buyers", buyers)
    returning = _non_negative("returning_buyers", returning_buyers)
    _part_of_whole("returning_buyers", returning, "buyers", total)
    return _ratio(returning, total)


def upsell_rate(upsold_customers: float, total_customers: float) -> float:
    """Upsell rate: share of customers who bought an additional or higher-value product.

    Customers who accepted an upsell divided by all customers in the same period.

    Formula: upsell rate = upsold customers / total customers

    Units: fraction of customers.

    Reference: seed article 001 (Trustmary 2024, "Upsell-Rate").
    """
    total = _positive("total_customers", total_customers)
    upsold = _non_negative("upsold_customers", upsold_customers)
    _part_of_whole("upsold_customers", upsold, "total_customers", total)
    return _ratio(upsold, total)


def upsell_ratio(multi_product_customers: float, single_product_customers: float) -> float:
    """Upsell ratio: customers with several product types per customer with only one.

    A ratio, not a share: 30 multi-product and 20 single-product customers give 1.5.

    Formula: upsell ratio = multi-product customers / single-product customers

    Units: multi-product customers per single-product customer (may exceed 1).

    Reference: seed article 001 (Trustmary 2024, "Upsell-Ratio = Mehrproduktkunden/Einzelproduktkunden").
    """
    multi = _non_negative("multi_product_customers", multi_product_customers)
    single = _positive("single_product_customers", single_product_customers)
    return _ratio(multi, single)


def customer_base_multiple(retention_rate: float, acquisition_rate: float, periods: float) -> float:
    """Growth multiple of the customer base after a number of periods at constant rates.

    Each period keeps the share r of the base and adds new customers worth a of it, so the base is
    multiplied by r + a every period. Below 1 the base shrinks, above 1 it grows.

    Formula: E_n / S_0 = (r + a)^n

    Units: multiple of today's base (dimensionless); periods in the period of both rates.

    Reference: the CRR identity of seed article 003, E = r·S + N with N = a·S, applied n times.
    """
    r = _fraction("retention_rate", retention_rate)
    a = _non_negative("acquisition_rate", acquisition_rate)
    n = _non_negative("periods", periods)
    return float((r + a) ** n)


# --------------------------------------------------------------------------------------------------------------
# Survey scores: NPS and customer loyalty index
# --------------------------------------------------------------------------------------------------------------


def net_promoter_score(scores: Sequence[int]) -> float:
    """Net Promoter Score from the answers to "How likely is it that you would recommend us to a friend?".

    Answers are whole numbers 0–10. Promoters answer 9–10, detractors 0–6, passives 7–8; passives count
    in the number of answers but on neither side. Whole-number floats (9.0) are accepted.

    Formula: NPS = (P − D) / n × 100   (P promoters, D detractors, n all answers)

    Units: points from −100 to +100.

    Reference: Reichheld (2003), "The One Number You Need to Grow", HBR 81(12); seed article 001.
    """
    answers = _values("scores", scores, low=0, high=10)
    _first_bad("scores", answers, answers != np.floor(answers), "must be whole numbers from 0 to 10")
    promoters = int(np.count_nonzero(answers >= 9))
    detractors = int(np.count_nonzero(answers <= 6))
    return (promoters - detractors) / answers.size * 100.0


def nps_from_counts(promoters: float, passives: float, detractors: float) -> float:
    """Net Promoter Score from the number of promoters, passives and detractors.

    Same score as :func:`net_promoter_score` when the answers are already counted by group.

    Formula: NPS = (P − D) / (P + Pa + D) × 100

    Units: points from −100 to +100.

    Reference: Reichheld (2003), "The One Number You Need to Grow", HBR 81(12).
    """
    p = _non_negative("promoters", promoters)
    pa = _non_negative("passives", passives)
    d = _non_negative("detractors", detractors)
    n = p + pa + d
    if n <= 0:
        raise ValueError(f"promoters + passives + detractors must be > 0, got {n:g}")
    if not math.isfinite(n):
        raise ValueError(f"promoters + passives + detractors must be a finite number, got {n:g}")
    return (p - d) / n * 100.0


def customer_loyalty_index(
    recommend: Sequence[float], repurchase: Sequence[float], try_new: Sequence[float]
) -> float:
    """Customer loyalty index (CLI): the mean of three loyalty questions answered on a 0–10 scale.

    Each argument holds the answers to one question: how likely the customer is to recommend you, to buy
    again, and to try new products. The index is the average of the three question averages, so every
    question weighs the same even when they have different numbers of answers.

    Formula: CLI = (mean(recommend) + mean(repurchase) + mean(try_new)) / 3

    Units: points on the 0–10 answer scale.

    Reference: seed article 001 (Trustmary 2024, "Kundenbindungsindex (CLI)": Freunde werben, wieder
    kaufen, neue Produkte ausprobieren).
    """
    means = [
        float(_values(name, answers, low=0, high=10).mean())
        for name, answers in (("recommend", recommend), ("repurchase", repurchase), ("try_new", try_new))
    ]
    return math.fsum(means) / 3.0


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


# --------------------------------------------------------------------------------------------------------------
# Retention spend against customer value
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


# --------------------------------------------------------------------------------------------------------------
# Converting rates between period lengths
# --------------------------------------------------------------------------------------------------------------


def period_discount_rate(annual_rate: float, periods_per_year: float) -> float:
    """Discount rate per period equivalent to an annual rate.

    The rate that, compounded periods_per_year times, gives the annual rate (12 for months, 4 for quarters).

    Formula: i_period = (1 + i_annual)^(1/k) − 1

    Units: fraction per period.

    Reference: standard compounding; Gupta & Lehmann (2003) use the discount rate of the margin period.
    """
    i = _discount_rate("annual_rate", annual_rate)
    k = _positive("periods_per_year", periods_per_year)
    return (1.0 + i) ** (1.0 / k) - 1.0


def convert_retention_rate(
    retention_rate: float, from_periods_per_year: float, to_periods_per_year: float
) -> float:
    """Retention rate for a different period length, assuming a constant chance of staying.

    A customer who stays each of the short periods with probability r stays one long period with r to the
    power of the number of short periods in it: quarterly 0.9 is annual 0.9⁴ ≈ 0.656.

    Formula: r_to = r_from^(from / to)   (from, to in periods per year)

    Units: fraction per target period.

    Reference: geometric survival at constant retention, as assumed by Gupta & Lehmann (2003).
    """
    r = _fraction("retention_rate", retention_rate)
    k_from = _positive("from_periods_per_year", from_periods_per_year)
    k_to = _positive("to_periods_per_year", to_periods_per_year)
    return r ** (k_from / k_to)


# --------------------------------------------------------------------------------------------------------------
# The promise of every public function: a finite result, or a ValueError
# --------------------------------------------------------------------------------------------------------------

#: Result fields that are infinite by definition (an expected lifetime at retention 1, see UpliftResult).
_INFINITE_BY_DEFINITION = frozenset({"lifetime_before", "lifetime_after"})


def _finite_result(function: Callable) -> Callable:
    """``function`` that raises ``ValueError`` instead of returning a number that is not finite.

    Valid inputs can still be too large for floating point (a margin of 1e308 times a margin multiple of 10, a
    divisor of 1e-320): the result or an intermediate overflows. Python's float arithmetic then raises
    ``OverflowError`` or ``ZeroDivisionError`` and NumPy warns and returns infinity; here the warnings are silenced,
    the result is checked and either case becomes a ``ValueError`` that names the function.
    """

    @functools.wraps(function)
    def checked(*args: object, **kwargs: object) -> object:
        try:
            with np.errstate(all="ignore"):
                result = function(*args, **kwargs)
        except (OverflowError, ZeroDivisionError, FloatingPointError) as error:
            raise ValueError(f"{function.__name__}: the inputs are too large for a finite result ({error})") from None
        values = ({field.name: getattr(result, field.name) for field in dataclasses.fields(result)
                   if field.name not in _INFINITE_BY_DEFINITION}
                  if dataclasses.is_dataclass(result) else {"result": result})
        bad = [name for name, value in values.items() if isinstance(value, float) and not math.isfinite(value)]
        if bad:
            raise ValueError(f"{function.__name__}: the inputs are too large for a finite result "
                             f"({', '.join(bad)} would be {values[bad[0]]!r})")
        return result

    return checked


for _name in __all__:  # the formulas above read as formulas; their common promise is kept here, once
    if inspect.isfunction(globals()[_name]):
        globals()[_name] = _finite_result(globals()[_name])
del _name
