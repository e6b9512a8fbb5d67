"""The CLV page: a new customer's value three ways, the CLV gap and the net value after acquisition cost, and the
same figures over bootstrap replicates.

Customer value is on the annual basis of :mod:`retention_core.customer_value`: rates per year, money per
customer-year or per new customer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from retention_core import metrics
from retention_core.customer_value import AnnualBasis, new_customer_value
from retention_views.page_results.assumptions import Assumptions


@dataclass(frozen=True)
class ClvInputs:
    """Inputs of the CLV page, all on the annual basis (:mod:`retention_core.customer_value`).

    ``retention_rate`` is annual retention (None: unknown, then no CLV can be computed); ``revenue_per_customer``,
    ``average_order_value`` and ``purchase_frequency`` are per customer-year (net revenue in the last 12 months ÷
    buyers, ÷ purchase occasions, occasions ÷ buyers); ``retention_cost_per_customer`` is per customer-year and
    ``acquisition_cost`` per new customer, each None when unknown (never taken as zero).
    """

    gross_margin: float
    annual_discount_rate: float
    retention_rate: float | None
    horizon_years: int
    revenue_per_customer: float
    average_order_value: float | None
    purchase_frequency: float
    retention_cost_per_customer: float | None
    acquisition_cost: float | None


@dataclass(frozen=True)
class ClvResult:
    """The value of a new customer three ways, the CLV gap and what is left after acquisition cost.

    Every value is per new customer in the data's currency; None where an input is unknown: the CLVs without
    retention, the lifetime retention cost and the CLV gap without a retention cost, the net value and CLV : CAC
    without a CAC (or with a CAC of 0, for the ratio).
    """

    margin_per_year: float
    expected_lifetime_years: float | None
    simple_clv: float | None
    margin_multiple_clv: float | None
    finite_horizon_clv: float | None
    lifetime_retention_cost: float | None
    acquisition_cost: float | None
    clv_gap: float | None
    net_value: float | None
    break_even_retention_spend: float | None
    clv_to_cac: float | None


def clv_defaults(basis: AnnualBasis, assumptions: Assumptions, horizon_years: int = 5) -> ClvInputs:
    """CLV inputs as measured on the annual basis; what the data does not give stays None."""
    return ClvInputs(
        gross_margin=assumptions.gross_margin,
        annual_discount_rate=assumptions.annual_discount_rate,
        retention_rate=basis.retention_rate,
        horizon_years=horizon_years,
        revenue_per_customer=basis.revenue_per_buyer or 0.0,
        average_order_value=basis.average_order_value,
        purchase_frequency=basis.purchase_frequency or 0.0,
        retention_cost_per_customer=basis.retention_cost_per_customer,
        acquisition_cost=basis.acquisition_cost,
    )


def clv_scenario(inputs: ClvInputs) -> ClvResult:
    """The value of a new customer on the annual basis, first customer year certain (Farris et al. 2010 §5.3):

    - simple CLV = average order value × gross margin × purchases per year × 1 / (1 − r), undiscounted;
    - margin-multiple CLV = m · (1 + i) / (1 + i − r), m = revenue per customer-year × gross margin;
    - finite-horizon CLV = Σₜ₌₀ᴺ⁻¹ m · rᵗ / (1 + i)ᵗ over ``horizon_years``;
    - lifetime retention cost = c · (1 + i) / (1 + i − r); CLV gap = margin-multiple CLV − lifetime retention
      cost; net value = CLV gap − CAC; CLV : CAC = margin-multiple CLV / CAC;
    - break-even retention spend c* = m − CAC · (1 + i − r) / (1 + i) (m without a CAC).

    Simple ≥ margin multiple ≥ finite horizon for a positive margin. A customer who never comes back (r = 0) is
    worth one year's margin in every form. The arithmetic is :func:`retention_core.customer_value.new_customer_value`,
    the one the segment tables use.
    """
    margin = inputs.revenue_per_customer * inputs.gross_margin
    value = new_customer_value(
        margin, inputs.retention_rate, inputs.annual_discount_rate, inputs.horizon_years,
        gross_margin=inputs.gross_margin, average_order_value=inputs.average_order_value,
        purchase_frequency=inputs.purchase_frequency, retention_cost_per_customer=inputs.retention_cost_per_customer,
        acquisition_cost=inputs.acquisition_cost)
    return ClvResult(margin_per_year=margin, acquisition_cost=inputs.acquisition_cost, **asdict(value))


def clv_scenario_replicates(inputs: ClvInputs, retention_rate: np.ndarray, revenue_per_customer: np.ndarray,
                            average_order_value: np.ndarray, purchase_frequency: np.ndarray,
                            retention_cost_per_customer: np.ndarray, acquisition_cost: np.ndarray
                            ) -> dict[str, np.ndarray]:
    """:func:`clv_scenario` over replicates at once: the same formulas on arrays, one entry per replicate.

    The gross margin, discount rate and horizon are ``inputs``'s; the arrays (or scalars, broadcast) give each
    replicate's annual retention, revenue per customer-year, average order value, purchases per year, retention
    cost per customer-year and CAC, NaN where unknown (a result is NaN where :func:`clv_scenario` gives None).
    Returns :class:`ClvResult` field name → array. Retention must lie in [0, 0.99] (the what-if pages' range).
    """
    i, g = inputs.annual_discount_rate, inputs.gross_margin
    r = np.asarray(retention_rate, dtype=float)
    margin = np.asarray(revenue_per_customer, dtype=float) * g
    cac = np.asarray(acquisition_cost, dtype=float)
    cost = np.asarray(retention_cost_per_customer, dtype=float)
    multiple = (1.0 + i) / (1.0 + i - r)
    lifetime = 1.0 / (1.0 - r)
    clv = margin * multiple
    q = r / (1.0 + i)
    finite = margin * sum(q**year for year in range(inputs.horizon_years))
    lifetime_cost = cost * multiple
    gap = clv - lifetime_cost
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where((cac > 0) & np.isfinite(cac), clv / np.where(cac > 0, cac, 1.0), np.nan)
    known_cac = np.where(np.isnan(cac), 0.0, cac)
    shape = np.broadcast(r, margin, cac, cost).shape
    return {
        "margin_per_year": np.broadcast_to(margin, shape),
        "expected_lifetime_years": np.broadcast_to(lifetime, shape),
        "simple_clv": np.broadcast_to(np.asarray(average_order_value, dtype=float) * g
                                      * np.asarray(purchase_frequency, dtype=float) * lifetime, shape),
        "margin_multiple_clv": np.broadcast_to(clv, shape),
        "finite_horizon_clv": np.broadcast_to(finite, shape),
        "lifetime_retention_cost": np.broadcast_to(lifetime_cost, shape),
        "acquisition_cost": np.broadcast_to(cac, shape),
        "clv_gap": np.broadcast_to(gap, shape),
        "net_value": np.broadcast_to(gap - cac, shape),
        "break_even_retention_spend": np.broadcast_to(margin - known_cac * (1.0 + i - r) / (1.0 + i), shape),
        "clv_to_cac": np.broadcast_to(ratio, shape),
    }
