"""Closed-form retention economics: numbers in, numbers out.

One module per question a formula answers:

* :mod:`~retention_core.metrics.retention`: who stays, leaves, comes back or buys more; rates between period
  lengths.
* :mod:`~retention_core.metrics.costs`: what keeping and winning customers costs; the break-even retention spend.
* :mod:`~retention_core.metrics.value`: what a customer is worth (CLV, margin multiples, CLV gap, net value).
* :mod:`~retention_core.metrics.loyalty`: what customers say (NPS, Customer Loyalty Index).
* :mod:`~retention_core.metrics.uplift`: what more retention is worth (Reichheld's retention uplift).

Every public function is listed here, so ``metrics.<function>`` reaches each one.

Conventions used by every function in this package:

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
* The German seed articles, cited in the docstrings by number: 000, "Kosten der Kundenbindung" (the café "The Daily
  Grind"); 001, Trustmary, "Alles, was Sie über Kundentreue wissen müssen: Der endgültige Leitfaden" (2024: repeat
  rate, upsell ratio, CLV, CLI); 003, "Umsatzbindung" (glossary: retention and churn rate).
"""

from retention_core.metrics.costs import (
    acquisition_cost_per_customer,
    break_even_retention_spend,
    lifetime_retention_cost,
    retention_cost_per_customer,
    total_retention_cost,
)
from retention_core.metrics.loyalty import (
    customer_loyalty_index,
    net_promoter_score,
    nps_from_counts,
)
from retention_core.metrics.retention import (
    acquisition_rate,
    annual_retention_rate,
    churn_rate,
    convert_retention_rate,
    customer_base_multiple,
    period_discount_rate,
    repeat_purchase_rate,
    retention_rate,
    returning_buyer_share,
    upsell_rate,
    upsell_ratio,
)
from retention_core.metrics.uplift import (
    MEANINGFUL_VALUE_SHARE,
    UpliftResult,
    retention_uplift,
)
from retention_core.metrics.value import (
    clv_gap,
    clv_to_cac,
    expected_lifetime,
    finite_horizon_clv,
    margin_multiple,
    margin_multiple_clv,
    margin_per_customer_year,
    net_value,
    new_customer_margin_multiple,
    purchase_frequency,
    revenue_per_customer,
    simple_clv,
    tenure_profit_value,
)

__all__ = [
    "MEANINGFUL_VALUE_SHARE",
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
