"""Who stays, leaves, comes back or buys more: retention, churn and acquisition rates, repeat purchases, upsell,
the growth of the customer base, and the conversion of rates between period lengths."""

from __future__ import annotations

from retention_core.metrics._checks import (
    _discount_rate,
    _finite_results,
    _fraction,
    _non_negative,
    _part_of_whole,
    _positive,
    _ratio,
)

__all__ = [
    "acquisition_rate",
    "annual_retention_rate",
    "churn_rate",
    "convert_retention_rate",
    "customer_base_multiple",
    "period_discount_rate",
    "repeat_purchase_rate",
    "retention_rate",
    "returning_buyer_share",
    "upsell_rate",
    "upsell_ratio",
]


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


_finite_results(globals())  # the formulas above read as formulas; their common promise is kept in _checks, once
