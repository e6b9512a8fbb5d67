"""Published reference figures the dashboard draws for comparison, each with its source.

These are rules of thumb from the literature and trade press, not laws: the pages show them as bands or lines
beside the user's own numbers and say where the user's numbers fall.
"""

from __future__ import annotations

from dataclasses import dataclass

# Reichheld & Sasser (1990), "Zero Defections: Quality Comes to Services", HBR 68(5), and Reichheld (1996),
# "The Loyalty Effect": across the industries studied, 5 percentage points more retention raised customer
# value (profit) by 25 % to 95 %.
REICHHELD_UPLIFT_POINTS = 0.05
REICHHELD_PROFIT_BAND = (0.25, 0.95)

# Acquiring a customer is commonly quoted as 5 to 25 times dearer than keeping one (Gallo 2014, "The Value of
# Keeping the Right Customers", HBR; cited in the seed article "Kosten der Kundenbindung").
CAC_MULTIPLE_BAND = (5.0, 25.0)

# CLV : CAC of about 3 : 1 is the common rule of thumb for a healthy acquisition spend (e.g. Skok, "SaaS
# Metrics 2.0"); far above it suggests under-investing in growth, below 1 loses money on each customer.
CLV_TO_CAC_RULE = 3.0


@dataclass(frozen=True)
class IndustryRetention:
    """Typical annual customer retention of an industry (fractions) with its source."""

    key: str
    low: float
    high: float
    source: str


# Annual retention rates by industry. Retail/media and contractual figures: seed article 000, "Kosten der
# Kundenbindung"; the others: CustomerGauge "Customer Retention Rates by Industry"
# (2022 B2B/B2C benchmark survey) as quoted widely in trade press.
INDUSTRY_RETENTION = (
    IndustryRetention("retail", 0.63, 0.65, "Seed article 000 (retail, frequent purchases)"),
    IndustryRetention("media", 0.63, 0.65, "Seed article 000 (media)"),
    IndustryRetention("hospitality", 0.55, 0.55, "CustomerGauge 2022 (hospitality, travel, restaurants)"),
    IndustryRetention("saas", 0.80, 0.90, "Seed article 000 (contract-based SaaS targets 80 % or more)"),
    IndustryRetention("financial_services", 0.78, 0.85, "Seed article 000; CustomerGauge 2022 (insurance 83 %)"),
    IndustryRetention("telecom", 0.78, 0.78, "CustomerGauge 2022 (telecommunications)"),
)


# Revenue retention of subscription businesses. SaaS Capital, "2023 B2B SaaS Retention Benchmarks" (Research Brief
# 28; 12th annual survey, more than 1,500 private B2B SaaS companies, those with at least $1 M ARR): median annual
# gross revenue retention 90 % for annual contract values under $12 k and 90-93 % across all contract sizes; median
# net revenue retention 100 % under $12 k and 102 % across all. Small-ticket subscriptions (memberships, boxes,
# low-priced software) compare with the smallest contract size. Their figures are annual (revenue now from the
# customers of a year ago), so they are drawn against yearly figures only.
SUBSCRIPTION_GRR = 0.90
SUBSCRIPTION_NRR = 1.00
SUBSCRIPTION_RETENTION_SOURCE = (
    "SaaS Capital, 2023 B2B SaaS Retention Benchmarks: median annual GRR 90 %, NRR 100 % (contracts under $12k)"
)

# Net revenue retention of 100 %: the customers of the previous period spend as much as before, so revenue holds
# without any new customer; above it they grow revenue by themselves.
NRR_HOLDS_REVENUE = 1.0
