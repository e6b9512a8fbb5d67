"""The results of a resolved scenario on the CLV, Retention → profit and Retention cost pages, and how sure they are.

:func:`clv_result`, :func:`profit_result` and :func:`cost_result` compute the CLV, Retention → profit and retention
cost results of a resolved scenario (see :mod:`retention_views.whatif.defaults`), :func:`evaluate` all three with
their values over the bootstrap replicates of the annual basis (:func:`clv_replicates`, :func:`profit_replicates`)
for their intervals. The pages, the Overview's customer-value cards, the Scenarios page and the exports call these
same functions, so a label shows the same value wherever it appears, and a saved scenario shows the numbers its
pages showed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from retention_core import intervals, metrics, revenue
from retention_core.customer_value import AnnualBasis
from retention_core.dataset import Aggregates
from retention_views.page_results.assumptions import Assumptions
from retention_views.page_results.clv import ClvInputs, ClvResult, clv_defaults, clv_scenario, clv_scenario_replicates
from retention_views.page_results.costs import COST_CATEGORIES, CostScenario, cost_scenario, period_costs
from retention_views.page_results.overview import Kpi
from retention_views.page_results.periods import period_facts
from retention_views.page_results.profit import (
    ProfitInputs,
    Verdict,
    profit_scenario,
    profit_scenario_replicates,
    profits_by_tenure_replicates,
    reichheld_verdict,
    uplift_curve,
    uplift_curve_band,
)
from retention_views.whatif.defaults import Resolved, measured_retention, money_default, profits_table


@dataclass(frozen=True)
class ProfitOutcome:
    """The Retention → profit simulator's results: its inputs, the value at the chosen uplift, the curve over
    0–10 points and the verdict at +5 points."""

    inputs: ProfitInputs
    result: metrics.UpliftResult
    curve: pd.DataFrame
    verdict: Verdict


@dataclass(frozen=True)
class CostOutcome:
    """The Retention cost page's what-if: spend per active customer after the changes, and the CAC it is set
    against (the cost period's own CAC from the acquisition sheet, or the typed-in one; None when unknown)."""

    scenario: CostScenario
    cac: float | None
    mode: str


@dataclass(frozen=True)
class Outcome:
    """The results a resolved scenario gives on the CLV, Retention → profit and Retention cost pages.

    ``clv`` is None without an annual basis; ``profit`` is None when the profit page has no customer year or no
    retention rate to start from.
    ``revenue`` is the revenue bridge, NRR and GRR of the Overview's period (None without one: no measurable
    period, or aggregates without the bridge). ``clv_replicates`` and ``profit_replicates`` are the CLV and
    simulator results over the bootstrap replicates by field name (:func:`clv_replicates`,
    :func:`profit_replicates`; empty without replicates), for their intervals and for A vs B; ``profit_band`` the
    uplift curve's 80 % band (:func:`profit_curve_band`; None without replicates or without the simulator).
    """

    values: dict
    clv: ClvResult | None
    profit: ProfitOutcome | None
    cost: CostOutcome
    revenue: revenue.RevenueRetention | None = None
    clv_replicates: Mapping[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    profit_replicates: Mapping[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    profit_band: pd.DataFrame | None = field(default=None, compare=False, repr=False)


def cost_inputs(aggs: Aggregates, values: Mapping[str, object]) -> tuple[dict[str, float], int, str]:
    """Spend per category and active customers the Retention cost what-if starts from, and the mode's key suffix.

    ``data`` mode reads the chosen period of the cost sheet, ``typed`` mode the typed-in amounts.
    """
    if values["cost_mode"] == "data" and aggs.costs is not None and "cost_period" in values:
        amounts, active = period_costs(aggs, values["cost_period"])
        return amounts, int(active), "data"
    amounts = {category: float(values[f"cost_typed_{category}"]) for category in COST_CATEGORIES}
    return amounts, int(values["cost_typed_active"]), "typed"


def cost_result(aggs: Aggregates, values: Mapping[str, object]) -> CostOutcome:
    """The Retention cost what-if of the resolved ``values``: each category changed, spread over the chosen active
    customers, and the CAC to compare with (the cost period's CAC, or the typed one)."""
    amounts, active, mode = cost_inputs(aggs, values)
    changes = {category: float(values[f"cost_change_{category}"]) for category in COST_CATEGORIES}
    scenario = cost_scenario(amounts, int(values[f"cost_active_{mode}"]), changes,
                                       baseline_active_customers=active)
    if mode == "data":
        cac = period_facts(aggs, values["cost_period"]).acquisition_cost
    else:
        cac = values["cost_typed_cac"]
    return CostOutcome(scenario=scenario, cac=None if cac is None else float(cac), mode=mode)


def clv_inputs(basis: AnnualBasis, values: Mapping[str, object]) -> ClvInputs:
    """The CLV inputs of the resolved ``values`` on ``basis``: the margin, discount rate, annual retention, horizon,
    retention cost per customer-year and CAC of the scenario; revenue, orders and frequency as measured."""
    measured = clv_defaults(
        basis, Assumptions(float(values["clv_gross_margin"]), float(values["clv_discount_rate"])))
    return replace(measured, retention_rate=values["clv_annual_retention"], horizon_years=values["clv_horizon"],
                   retention_cost_per_customer=values["clv_retention_cost_year"],
                   acquisition_cost=values["clv_cac"])


def clv_result(basis: AnnualBasis, values: Mapping[str, object]) -> ClvResult:
    """The CLV page's result for the resolved ``values`` (see :func:`clv_inputs`)."""
    return clv_scenario(clv_inputs(basis, values))


def profit_inputs(aggs: Aggregates, values: Mapping[str, object]) -> ProfitInputs | None:
    """The Retention → profit simulator's inputs of the resolved ``values``; None without a retention rate."""
    if values.get("profit_retention") is None:
        return None
    table = profits_table(aggs, float(values["clv_gross_margin"]), values["profit_tenure"])
    return ProfitInputs(
        profits_by_tenure=tuple(table["profit"]), annual_retention_rate=values["profit_retention"],
        uplift_points=values["profit_uplift"], annual_discount_rate=values["profit_discount_rate"],
        acquisition_cost=values["profit_cac"], horizon_years=values["profit_horizon"])


def profit_result(aggs: Aggregates, values: Mapping[str, object]) -> ProfitOutcome | None:
    """The Retention → profit results of the resolved ``values``; None without a retention rate to start from."""
    inputs = profit_inputs(aggs, values)
    if inputs is None:
        return None
    return ProfitOutcome(inputs=inputs, result=profit_scenario(inputs),
                         curve=uplift_curve(inputs), verdict=reichheld_verdict(inputs))


# --- how sure: the same results over the bootstrap replicates of the annual basis ---------------------------------

def _measured_cost(basis: AnnualBasis) -> float | None:
    return money_default(basis.retention_cost_per_customer)


def _measured_cac(basis: AnnualBasis) -> float | None:
    return money_default(basis.acquisition_cost)


MEASURED_KEYS = {
    "clv_annual_retention": measured_retention,
    "profit_retention": measured_retention,
    "clv_retention_cost_year": _measured_cost,
    "clv_cac": _measured_cac,
    "profit_cac": _measured_cac,
}
"""The what-if inputs the data measures, each with the function that measures it on a basis (its default)."""


def _same(first: object, second: object) -> bool:
    if first is None or second is None:
        return first is None and second is None
    return abs(float(first) - float(second)) <= 1e-9


def _is_measured(basis: AnnualBasis, values: Mapping[str, object], key: str) -> bool:
    """Whether ``values[key]`` is the value the data measures (the user left it, or put it back)."""
    return key in values and _same(values[key], MEASURED_KEYS[key](basis))


def replicate_values(basis: AnnualBasis, replicate: AnnualBasis, values: Mapping[str, object]) -> dict:
    """``values`` for one bootstrap replicate: each measured input (:data:`MEASURED_KEYS`) still at the value the
    data measures takes the replicate's measurement; a value the user typed in or moved stays as given (it carries
    no uncertainty of its own). Gross margin and discount rate are assumptions and stay as given."""
    result = dict(values)
    for key, measure in MEASURED_KEYS.items():
        if _is_measured(basis, values, key):
            result[key] = measure(replicate)
    return result


def _replicated(basis: AnnualBasis, replicates: intervals.BasisReplicates, values: Mapping[str, object],
                key: str) -> np.ndarray | float:
    """The input ``key`` over the replicates: the replicates' measurements when it is measured, else the given
    value for all (NaN when None)."""
    if _is_measured(basis, values, key):
        return replicates.measured(MEASURED_KEYS[key])
    value = values.get(key)
    return np.nan if value is None else float(value)


def _per_buyer(basis: AnnualBasis) -> float | None:
    return basis.revenue_per_buyer


def _order_value(basis: AnnualBasis) -> float | None:
    return basis.average_order_value


def _frequency(basis: AnnualBasis) -> float | None:
    return basis.purchase_frequency


def clv_intervals(basis: AnnualBasis, replicates: intervals.BasisReplicates, values: Mapping[str, object],
                  level: float = intervals.LEVEL) -> dict[str, intervals.Interval | None]:
    """The interval of every :class:`~retention_views.page_results.clv.ClvResult` figure for the resolved ``values``
    (the percentiles of :func:`clv_replicates`). Empty without replicates."""
    arrays = clv_replicates(basis, replicates, values)
    return {name: intervals.percentile_interval(array, level) for name, array in arrays.items()}


def clv_replicates(basis: AnnualBasis, replicates: intervals.BasisReplicates,
                   values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every :class:`~retention_views.page_results.clv.ClvResult` figure over the replicates, by field name.

    Per replicate this is :func:`clv_result` of the replicate with :func:`replicate_values` (revenue, orders and
    purchases per year always as the replicate measures them), evaluated for all replicates at once
    (:func:`clv_scenario_replicates`). Empty without replicates.
    """
    if len(replicates) == 0:
        return {}
    inputs = clv_inputs(basis, values)
    return clv_scenario_replicates(
        inputs,
        retention_rate=_replicated(basis, replicates, values, "clv_annual_retention"),
        revenue_per_customer=replicates.measured(_per_buyer),
        average_order_value=replicates.measured(_order_value),
        purchase_frequency=replicates.measured(_frequency),
        retention_cost_per_customer=_replicated(basis, replicates, values, "clv_retention_cost_year"),
        acquisition_cost=_replicated(basis, replicates, values, "clv_cac"),
    )


def profit_intervals(aggs: Aggregates, values: Mapping[str, object],
                     level: float = intervals.LEVEL) -> dict[str, intervals.Interval | None]:
    """The interval of every :class:`~retention_core.metrics.UpliftResult` figure of the simulator for the
    resolved ``values`` (the percentiles of :func:`profit_replicates`). Empty without replicates."""
    arrays = profit_replicates(aggs, values)
    return {name: intervals.percentile_interval(array, level) for name, array in arrays.items()}


def profit_replicates(aggs: Aggregates, values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every :class:`~retention_core.metrics.UpliftResult` figure of the simulator over ``aggs``'s replicates, by
    field name: the measured retention and CAC vary as in :func:`replicate_values`, evaluated at once
    (:func:`profit_scenario_replicates`).

    The profits by customer year measured from the data vary too, with the same customer weights as retention
    (:func:`~retention_views.page_results.profit.profits_by_tenure_replicates`); a profit the user typed in stays as
    typed. A replicate whose retention leaves less room than the chosen uplift below 99 % takes the uplift that is
    left, as the slider would. Empty without replicates or without a retention rate.
    """
    replicated = _profit_replicate_inputs(aggs, values)
    if replicated is None:
        return {}
    inputs, retention, cac, profits = replicated
    return profit_scenario_replicates(inputs, retention, cac, profits_by_tenure=profits)


def profit_curve_band(aggs: Aggregates, values: Mapping[str, object],
                      level: float = intervals.LEVEL) -> pd.DataFrame | None:
    """The ``level`` band of the simulator's uplift curve for the resolved ``values``
    (:func:`~retention_views.page_results.profit.uplift_curve_band` over the replicates of
    :func:`profit_replicates`, so at the chosen uplift it is the profit card's interval). None without replicates
    or without a retention rate."""
    replicated = _profit_replicate_inputs(aggs, values)
    return None if replicated is None else uplift_curve_band(*replicated, level=level)


def _profit_replicate_inputs(aggs: Aggregates, values: Mapping[str, object]
                             ) -> tuple[ProfitInputs, np.ndarray, np.ndarray, np.ndarray] | None:
    """The simulator's inputs and each replicate's retention, CAC (NaN: none) and profits by customer year; None
    without replicates."""
    inputs = profit_inputs(aggs, values)
    replicates = aggs.basis_replicates
    if inputs is None or aggs.basis is None or len(replicates) == 0:
        return None
    ones = np.ones(len(replicates))
    margin = float(values["clv_gross_margin"])
    edited = values["profit_tenure"]
    profits = profits_by_tenure_replicates(profits_table(aggs, margin, edited), replicates, margin, edited)
    return (inputs, _replicated(aggs.basis, replicates, values, "profit_retention") * ones,
            _replicated(aggs.basis, replicates, values, "profit_cac") * ones, profits)


def evaluate(aggs: Aggregates, values: Mapping[str, object]) -> Outcome:
    """Every what-if result of the resolved ``values`` (see :func:`~retention_views.whatif.defaults.resolve`) on
    ``aggs``."""
    clv, clv_sure, profit_sure, band = None, {}, {}, None
    if aggs.basis is not None and "clv_annual_retention" in values:
        clv = clv_result(aggs.basis, values)
        clv_sure = clv_replicates(aggs.basis, aggs.basis_replicates, values)
    profit = profit_result(aggs, values) if "profit_retention" in values else None
    if profit is not None:
        profit_sure = profit_replicates(aggs, values)
        band = profit_curve_band(aggs, values)
    retention = None
    if "overview_period" in values and revenue.available(aggs):
        retention = revenue.period_retention(aggs, values["overview_period"])
    return Outcome(values=dict(values), clv=clv, profit=profit, cost=cost_result(aggs, values), revenue=retention,
                   clv_replicates=clv_sure, profit_replicates=profit_sure, profit_band=band)


def customer_value_kpis(basis: AnnualBasis, resolved: Resolved,
                        replicates: intervals.BasisReplicates | None = None) -> tuple[Kpi, ...]:
    """The Overview's cards measured over the last 12 months: annual retention, the repeat-purchase rate of the
    last 12 months, and the CLV page's values at its measured defaults (annual retention, retention cost per
    customer-year, CAC and horizon as measured; the scenario's margin and discount rate), so each card shows the
    same number as the card or slider of the same name on the CLV page before its inputs are moved.

    They are measured over the last 12 months (see :mod:`retention_core.customer_value`), not per period: no
    previous value, no change. With ``replicates`` each card has its 80 % interval (the CLV page's, at the same
    values).
    """
    measured = {**resolved.values, **{key: resolved.defaults[key] for key in MEASURED_CLV_KEYS}}
    result = clv_result(basis, measured)
    sure: dict = {}
    if replicates is not None and len(replicates):
        sure = clv_intervals(basis, replicates, measured)
        sure["annual_retention"] = intervals.percentile_interval(replicates.measured(measured_retention))
        sure["repeat_purchase_rate"] = intervals.percentile_interval(replicates.measured(_repeat_rate))
    return (
        Kpi("clv_annual_retention", "fraction", measured["clv_annual_retention"],
            interval=sure.get("annual_retention")),
        Kpi("kpi_repeat_purchase_rate_year", "fraction", basis.repeat_purchase_rate,
            interval=sure.get("repeat_purchase_rate")),
        Kpi("clv_margin_multiple", "money", result.margin_multiple_clv,
            interval=sure.get("margin_multiple_clv")),
        Kpi("kpi_clv_gap", "money", result.clv_gap, interval=sure.get("clv_gap")),
        Kpi("label_net_value", "money", result.net_value, interval=sure.get("net_value")),
        Kpi("kpi_clv_to_cac", "ratio", result.clv_to_cac, interval=sure.get("clv_to_cac")),
    )


def _repeat_rate(basis: AnnualBasis) -> float | None:
    return basis.repeat_purchase_rate


MEASURED_CLV_KEYS = ("clv_annual_retention", "clv_horizon", "clv_retention_cost_year", "clv_cac")
"""The CLV page's inputs the data measures; the Overview's customer-value cards keep them at their defaults."""
