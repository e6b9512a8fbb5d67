"""One scenario's what-if values -> the defaults the data gives, the values it accepts, and every page's results.

A scenario is a mapping from widget key to typed value (see :mod:`retention_views.url_params`); a value a user
never changed is simply missing. :func:`resolve` fills the missing ones with the same defaults the pages show
(measured retention, the data's margin, the café's costs ...), drops values the data cannot take (a period that is
not in the data, an uplift past 99 % retention) and names them. :func:`clv_result`, :func:`profit_result` and
:func:`cost_result` compute the CLV, Retention → profit and retention cost results of a resolved scenario,
:func:`evaluate` all three; :func:`compare` sets two scenarios side by side.

The pages, the Overview's customer-value cards, the Scenarios page and the exports call these same functions, so a
label shows the same value wherever it appears, and a saved scenario shows the numbers its pages showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from retention_core import benchmarks, intervals, metrics, revenue

from retention_core.customer_value import AnnualBasis
from retention_core.dataset import Aggregates
from retention_views import page_results
from retention_views.url_params import PARAMS, ParamError, ParamSpec, check_value, narrowed, snap

TYPED_COST_DEFAULTS = {"team": 5000.0, "tools": 900.0, "engagement": 2500.0}  # the café example
TYPED_ACTIVE_DEFAULT = 700
CLI_DEFAULTS = {"recommend": 8.0, "repurchase": 7.5, "try_new": 6.0}
GROWTH_YEARS_DEFAULT = 5
CLV_HORIZON_DEFAULT = 5


@dataclass(frozen=True)
class Resolved:
    """A scenario completed with the data's defaults.

    ``values``: every key the data supports, the scenario's own value where it was valid, else the default;
    ``defaults``: what each key shows when the user has not changed it (computed from the resolved values it
    depends on, e.g. the uplift default from the resolved retention); ``specs``: each key's spec with the bounds
    and choices of this data (the widget's range); ``rejected``: keys whose given value the data could not take.
    """

    values: dict
    defaults: dict
    specs: dict[str, ParamSpec]
    rejected: tuple[str, ...]


class _Resolver:
    """Fills keys in dependency order: each default may read the values resolved before it."""

    def __init__(self, given: Mapping[str, object]) -> None:
        self.given = given
        self.values: dict = {}
        self.defaults: dict = {}
        self.specs: dict[str, ParamSpec] = {}
        self.rejected: list[str] = []

    def take(self, key: str, default: object, spec: ParamSpec | None = None) -> object:
        spec = spec or PARAMS[key]
        self.specs[key] = spec
        self.defaults[key] = default
        value = default
        if key in self.given:
            try:
                value = check_value(spec, self.given[key])
            except (ParamError, TypeError, ValueError):
                self.rejected.append(key)
        self.values[key] = value
        return value


def _fraction_default(key: str, value: float, high: float | None = None) -> float:
    """A measured fraction at its slider's precision and within its range, as the untouched slider returns it."""
    spec = PARAMS[key]
    top = spec.high if high is None else min(spec.high, high)
    return snap(spec, min(max(value, spec.low), top))


@dataclass(frozen=True)
class DataFacts:
    """What the defaults and bounds of a scenario need from one data set and period, computed once.

    ``cost_active`` are the cost sheet's periods that have costs and active customers, with their active customers
    (None without a cost sheet); ``basis`` the annual basis of customer value (None without one; it is the same for
    every period and activity window); ``profit_years`` the customer years of the profit table; ``cohort_last`` the
    longest observed periods since a first purchase.
    """

    periods_per_year: int
    gross_margin: float
    overview_options: tuple[pd.Timestamp, ...]
    cost_active: tuple[tuple[pd.Timestamp, int], ...] | None
    basis: AnnualBasis | None
    profit_years: tuple[int, ...]
    cohort_last: int


def data_facts(aggs: Aggregates) -> DataFacts:
    """The :class:`DataFacts` of ``aggs`` (pandas work of a few milliseconds; callers may keep them per data set)."""
    assumptions = page_results.default_assumptions(aggs)
    cost_active = None
    if aggs.costs is not None:
        costs = page_results.cost_items_wide(aggs)
        usable = costs[costs["retention_cost"].notna() & (costs["active_customers"] > 0)]
        cost_active = tuple((pd.Timestamp(row.period_start), int(row.active_customers))
                            for row in usable.itertuples(index=False))
    return DataFacts(
        periods_per_year=aggs.periods_per_year,
        gross_margin=assumptions.gross_margin,
        overview_options=tuple(page_results.period_options(aggs)),
        cost_active=cost_active,
        basis=aggs.basis,
        profit_years=tuple(int(year) for year in page_results.default_profits_by_tenure(aggs, 0.0)["tenure"]),
        cohort_last=int(page_results.average_retention_curve(aggs)["periods_since"].max()),
    )


def resolve(data: Aggregates | DataFacts, given: Mapping[str, object]) -> Resolved:
    """Complete ``given`` (typed values by widget key) with the data's defaults; reject what the data can't take.

    ``data`` is the aggregates of the data set shown or their :func:`data_facts`. Sidebar settings are not
    resolved here: they choose the data. Keys of a page the data cannot show (no measurable period yet, no full
    customer year for the profit table) are left out. A default the data cannot measure is None (an empty field,
    or a slider at "—"): annual retention with less than 24 months of history, the retention cost without cost
    rows in the last 12 months, CAC without acquisition spend or new customers.
    """
    facts = data if isinstance(data, DataFacts) else data_facts(data)
    r = _Resolver(given)
    r.take("clv_gross_margin", _fraction_default("clv_gross_margin", facts.gross_margin))
    discount = r.take("clv_discount_rate", page_results.DEFAULT_ANNUAL_DISCOUNT_RATE)
    _resolve_overview(r, facts)
    _resolve_costs(r, facts)
    _resolve_clv(r, facts)
    _resolve_profit(r, facts, discount)
    _resolve_cohorts(r, facts)
    for question, default in CLI_DEFAULTS.items():
        r.take(f"loyalty_cli_{question}", default)
    return Resolved(values=r.values, defaults=r.defaults, specs=r.specs, rejected=tuple(r.rejected))


def _resolve_overview(r: _Resolver, facts: DataFacts) -> None:
    options = facts.overview_options
    if options:
        r.take("overview_period", options[-1], narrowed(PARAMS["overview_period"], options=options))


def _resolve_costs(r: _Resolver, facts: DataFacts) -> None:
    modes = ("data", "typed") if facts.cost_active else ("typed",)
    r.take("cost_mode", modes[0], narrowed(PARAMS["cost_mode"], options=modes))
    for category, amount in TYPED_COST_DEFAULTS.items():
        r.take(f"cost_typed_{category}", amount)
    typed_active = r.take("cost_typed_active", TYPED_ACTIVE_DEFAULT)
    for category in page_results.COST_CATEGORIES:
        r.take(f"cost_change_{category}", 0.0)
    r.take("cost_typed_cac", None)
    if facts.cost_active:
        active = dict(facts.cost_active)
        options = tuple(active)
        period_start = r.take("cost_period", options[-1], narrowed(PARAMS["cost_period"], options=options))
        r.take("cost_active_data", max(1, active[pd.Timestamp(period_start)]))
    r.take("cost_active_typed", int(typed_active))


def _money_default(value: float | None) -> float | None:
    """A measured amount as its field shows it (cents), None when not measured."""
    return None if value is None else round(value, 2)


MEASURED_RATE_DECIMALS = 4
"""A measured annual retention starts the sliders at 4 decimals (58.36 %), finer than their steps, so the figures it
gives are those recomputed by hand from the upload."""


def measured_retention(basis: AnnualBasis) -> float | None:
    """The annual retention the what-if pages start from: the basis's, within the sliders' 0–99 % and to
    :data:`MEASURED_RATE_DECIMALS` decimals; None when it is not measured."""
    rate = basis.retention_rate
    if rate is None:
        return None
    spec = PARAMS["clv_annual_retention"]
    return round(min(max(rate, spec.low), spec.high), MEASURED_RATE_DECIMALS)


def _resolve_clv(r: _Resolver, facts: DataFacts) -> None:
    basis = facts.basis
    if basis is None:
        return
    r.take("clv_annual_retention", measured_retention(basis))
    r.take("clv_horizon", CLV_HORIZON_DEFAULT)
    r.take("clv_retention_cost_year", _money_default(basis.retention_cost_per_customer))
    r.take("clv_cac", _money_default(basis.acquisition_cost))


def _resolve_profit(r: _Resolver, facts: DataFacts, discount: float) -> None:
    years = facts.profit_years
    if facts.basis is None or not years:  # no customer year observed yet
        return
    retention = r.take("profit_retention", measured_retention(facts.basis))
    top = max(page_results.max_uplift_points(retention or 0.0), PARAMS["profit_uplift"].step)  # a slider needs a range
    r.take("profit_uplift", _fraction_default("profit_uplift", benchmarks.REICHHELD_UPLIFT_POINTS, top),
           narrowed(PARAMS["profit_uplift"], high=top))
    r.take("profit_discount_rate", discount)
    r.take("profit_horizon", None)
    r.take("profit_cac", _money_default(facts.basis.acquisition_cost))
    r.take("profit_tenure", {})
    if any(year not in years for year in r.values["profit_tenure"]):
        r.values["profit_tenure"] = {}
        r.rejected.append("profit_tenure")
    r.take("profit_growth_years", GROWTH_YEARS_DEFAULT)


def _resolve_cohorts(r: _Resolver, facts: DataFacts) -> None:
    last = facts.cohort_last
    if last >= 1:
        r.take("cohort_periods_since", min(facts.periods_per_year, last),
               narrowed(PARAMS["cohort_periods_since"], high=last))
    r.take("cohort_project_periods", facts.periods_per_year,
           narrowed(PARAMS["cohort_project_periods"], high=3 * facts.periods_per_year))


def profits_table(aggs: Aggregates, gross_margin: float, edited: Mapping[int, float]) -> pd.DataFrame:
    """The profit-by-customer-year table: revenue × margin, with the user's edited profits put in by year."""
    table = page_results.default_profits_by_tenure(aggs, gross_margin)
    for year, profit in edited.items():
        table.loc[table["tenure"] == year, "profit"] = float(profit)
    return table


def edited_profits(table: pd.DataFrame, aggs: Aggregates, gross_margin: float) -> dict[int, float]:
    """The profits in ``table`` that differ from revenue × margin, by customer year (what the URL keeps)."""
    default = page_results.default_profits_by_tenure(aggs, gross_margin).set_index("tenure")["profit"]
    return {int(row.tenure): float(row.profit) for row in table.itertuples(index=False)
            if int(row.tenure) in default.index and abs(float(row.profit) - float(default[int(row.tenure)])) > 1e-9}


# --- results of one scenario: every page, the comparison and the exports call these -----------------------------


@dataclass(frozen=True)
class ProfitOutcome:
    """The Retention → profit simulator's results: its inputs, the value at the chosen uplift, the curve over
    0–10 points and the verdict at +5 points."""

    inputs: page_results.ProfitInputs
    result: metrics.UpliftResult
    curve: pd.DataFrame
    verdict: page_results.Verdict


@dataclass(frozen=True)
class CostOutcome:
    """The Retention cost page's what-if: spend per active customer after the changes, and the CAC it is set
    against (the cost period's own CAC from the acquisition sheet, or the typed-in one; None when unknown)."""

    scenario: page_results.CostScenario
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
    :func:`profit_replicates`; empty without replicates), for their intervals and for A vs B.
    """

    values: dict
    clv: page_results.ClvResult | None
    profit: ProfitOutcome | None
    cost: CostOutcome
    revenue: revenue.RevenueRetention | None = None
    clv_replicates: Mapping[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    profit_replicates: Mapping[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)


def cost_inputs(aggs: Aggregates, values: Mapping[str, object]) -> tuple[dict[str, float], int, str]:
    """Spend per category and active customers the Retention cost what-if starts from, and the mode's key suffix.

    ``data`` mode reads the chosen period of the cost sheet, ``typed`` mode the typed-in amounts.
    """
    if values["cost_mode"] == "data" and aggs.costs is not None and "cost_period" in values:
        amounts, active = page_results.period_costs(aggs, values["cost_period"])
        return amounts, int(active), "data"
    amounts = {category: float(values[f"cost_typed_{category}"]) for category in page_results.COST_CATEGORIES}
    return amounts, int(values["cost_typed_active"]), "typed"


def cost_result(aggs: Aggregates, values: Mapping[str, object]) -> CostOutcome:
    """The Retention cost what-if of the resolved ``values``: each category changed, spread over the chosen active
    customers, and the CAC to compare with (the cost period's CAC, or the typed one)."""
    amounts, active, mode = cost_inputs(aggs, values)
    changes = {category: float(values[f"cost_change_{category}"]) for category in page_results.COST_CATEGORIES}
    scenario = page_results.cost_scenario(amounts, int(values[f"cost_active_{mode}"]), changes,
                                       baseline_active_customers=active)
    if mode == "data":
        cac = page_results.period_facts(aggs, values["cost_period"]).acquisition_cost
    else:
        cac = values["cost_typed_cac"]
    return CostOutcome(scenario=scenario, cac=None if cac is None else float(cac), mode=mode)


def clv_inputs(basis: AnnualBasis, values: Mapping[str, object]) -> page_results.ClvInputs:
    """The CLV inputs of the resolved ``values`` on ``basis``: the margin, discount rate, annual retention, horizon,
    retention cost per customer-year and CAC of the scenario; revenue, orders and frequency as measured."""
    measured = page_results.clv_defaults(
        basis, page_results.Assumptions(float(values["clv_gross_margin"]), float(values["clv_discount_rate"])))
    return replace(measured, retention_rate=values["clv_annual_retention"], horizon_years=values["clv_horizon"],
                   retention_cost_per_customer=values["clv_retention_cost_year"],
                   acquisition_cost=values["clv_cac"])


def clv_result(basis: AnnualBasis, values: Mapping[str, object]) -> page_results.ClvResult:
    """The CLV page's result for the resolved ``values`` (see :func:`clv_inputs`)."""
    return page_results.clv_scenario(clv_inputs(basis, values))


def profit_inputs(aggs: Aggregates, values: Mapping[str, object]) -> page_results.ProfitInputs | None:
    """The Retention → profit simulator's inputs of the resolved ``values``; None without a retention rate."""
    if values.get("profit_retention") is None:
        return None
    table = profits_table(aggs, float(values["clv_gross_margin"]), values["profit_tenure"])
    return page_results.ProfitInputs(
        profits_by_tenure=tuple(table["profit"]), annual_retention_rate=values["profit_retention"],
        uplift_points=values["profit_uplift"], annual_discount_rate=values["profit_discount_rate"],
        acquisition_cost=values["profit_cac"], horizon_years=values["profit_horizon"])


def profit_result(aggs: Aggregates, values: Mapping[str, object]) -> ProfitOutcome | None:
    """The Retention → profit results of the resolved ``values``; None without a retention rate to start from."""
    inputs = profit_inputs(aggs, values)
    if inputs is None:
        return None
    return ProfitOutcome(inputs=inputs, result=page_results.profit_scenario(inputs),
                         curve=page_results.uplift_curve(inputs), verdict=page_results.reichheld_verdict(inputs))



# --- how sure: the same results over the bootstrap replicates of the annual basis ---------------------------------

def _measured_cost(basis: AnnualBasis) -> float | None:
    return _money_default(basis.retention_cost_per_customer)


def _measured_cac(basis: AnnualBasis) -> float | None:
    return _money_default(basis.acquisition_cost)


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
    """The interval of every :class:`~retention_views.page_results.ClvResult` figure for the resolved ``values``
    (the percentiles of :func:`clv_replicates`). Empty without replicates."""
    arrays = clv_replicates(basis, replicates, values)
    return {name: intervals.percentile_interval(array, level) for name, array in arrays.items()}


def clv_replicates(basis: AnnualBasis, replicates: intervals.BasisReplicates,
                   values: Mapping[str, object]) -> dict[str, np.ndarray]:
    """Every :class:`~retention_views.page_results.ClvResult` figure over the replicates, by field name.

    Per replicate this is :func:`clv_result` of the replicate with :func:`replicate_values` (revenue, orders and
    purchases per year always as the replicate measures them), evaluated for all replicates at once
    (:func:`page_results.clv_scenario_replicates`). Empty without replicates.
    """
    if len(replicates) == 0:
        return {}
    inputs = clv_inputs(basis, values)
    return page_results.clv_scenario_replicates(
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
    (:func:`page_results.profit_scenario_replicates`).

    The profits by customer year stay as shown (their sampling error is not in the interval). A replicate whose
    retention leaves less room than the chosen uplift below 99 % takes the uplift that is left, as the slider would.
    Empty without replicates or without a retention rate.
    """
    inputs = profit_inputs(aggs, values)
    replicates = aggs.basis_replicates
    if inputs is None or aggs.basis is None or len(replicates) == 0:
        return {}
    return page_results.profit_scenario_replicates(
        inputs, _replicated(aggs.basis, replicates, values, "profit_retention") * np.ones(len(replicates)),
        _replicated(aggs.basis, replicates, values, "profit_cac") * np.ones(len(replicates)))

def evaluate(aggs: Aggregates, values: Mapping[str, object]) -> Outcome:
    """Every what-if result of the resolved ``values`` (see :func:`resolve`) on ``aggs``."""
    clv, clv_sure, profit_sure = None, {}, {}
    if aggs.basis is not None and "clv_annual_retention" in values:
        clv = clv_result(aggs.basis, values)
        clv_sure = clv_replicates(aggs.basis, aggs.basis_replicates, values)
    profit = profit_result(aggs, values) if "profit_retention" in values else None
    if profit is not None:
        profit_sure = profit_replicates(aggs, values)
    retention = None
    if "overview_period" in values and revenue.available(aggs):
        retention = revenue.period_retention(aggs, values["overview_period"])
    return Outcome(values=dict(values), clv=clv, profit=profit, cost=cost_result(aggs, values), revenue=retention,
                   clv_replicates=clv_sure, profit_replicates=profit_sure)


def customer_value_kpis(basis: AnnualBasis, resolved: Resolved,
                        replicates: intervals.BasisReplicates | None = None) -> tuple[page_results.Kpi, ...]:
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
        page_results.Kpi("clv_annual_retention", "fraction", measured["clv_annual_retention"],
                      interval=sure.get("annual_retention")),
        page_results.Kpi("kpi_repeat_purchase_rate_year", "fraction", basis.repeat_purchase_rate,
                      interval=sure.get("repeat_purchase_rate")),
        page_results.Kpi("clv_margin_multiple", "money", result.margin_multiple_clv,
                      interval=sure.get("margin_multiple_clv")),
        page_results.Kpi("kpi_clv_gap", "money", result.clv_gap, interval=sure.get("clv_gap")),
        page_results.Kpi("label_net_value", "money", result.net_value, interval=sure.get("net_value")),
        page_results.Kpi("kpi_clv_to_cac", "ratio", result.clv_to_cac, interval=sure.get("clv_to_cac")),
    )


def _repeat_rate(basis: AnnualBasis) -> float | None:
    return basis.repeat_purchase_rate


MEASURED_CLV_KEYS = ("clv_annual_retention", "clv_horizon", "clv_retention_cost_year", "clv_cac")
"""The CLV page's inputs the data measures; the Overview's customer-value cards keep them at their defaults."""


@dataclass(frozen=True)
class ScenarioKpi:
    """One result of a scenario: i18n label ``key``, ``kind`` (money, fraction, ratio), value (None: n/a) and its
    values over the bootstrap replicates (None for a figure not measured on the annual basis, or without
    replicates)."""

    key: str
    kind: str
    value: float | None
    lower_is_better: bool = False
    replicates: np.ndarray | None = field(default=None, compare=False, repr=False)

    @property
    def interval(self) -> intervals.Interval | None:
        """The 80 % interval of the value over the replicates, when it has one worth showing
        (:func:`intervals.informative`)."""
        if self.replicates is None:
            return None
        return intervals.informative(intervals.percentile_interval(self.replicates), self.value)


def outcome_kpis(outcome: Outcome) -> tuple[ScenarioKpi, ...]:
    """The results a scenario comparison lists, in page order: revenue retention of the Overview's period,
    retention cost, CLV and gap, profit uplift.

    Each label key is the one its page shows the same value under.
    """
    clv, profit, cost = outcome.clv, outcome.profit, outcome.cost.scenario
    result = None if profit is None else profit.result

    def of(source: object, name: str) -> float | None:
        return None if source is None else getattr(source, name)

    def clv_kpi(key: str, kind: str, name: str, lower_is_better: bool = False) -> ScenarioKpi:
        return ScenarioKpi(key, kind, of(clv, name), lower_is_better, outcome.clv_replicates.get(name))

    def profit_kpi(key: str, kind: str, name: str) -> ScenarioKpi:
        return ScenarioKpi(key, kind, of(result, name), replicates=outcome.profit_replicates.get(name))

    return (
        ScenarioKpi("kpi_net_revenue_retention", "fraction", of(outcome.revenue, "nrr")),
        ScenarioKpi("kpi_gross_revenue_retention", "fraction", of(outcome.revenue, "grr")),
        ScenarioKpi("label_total_retention_cost", "money", cost.total, True),
        ScenarioKpi("kpi_retention_cost_per_customer", "money", cost.per_customer, True),
        clv_kpi("clv_simple", "money", "simple_clv"),
        clv_kpi("clv_margin_multiple", "money", "margin_multiple_clv"),
        clv_kpi("clv_finite", "money", "finite_horizon_clv"),
        clv_kpi("label_lifetime_retention_cost", "money", "lifetime_retention_cost", True),
        clv_kpi("kpi_clv_gap", "money", "clv_gap"),
        clv_kpi("label_net_value", "money", "net_value"),
        clv_kpi("label_break_even", "money", "break_even_retention_spend"),
        clv_kpi("kpi_clv_to_cac", "ratio", "clv_to_cac"),
        profit_kpi("profit_value_before", "money", "value_before"),
        profit_kpi("profit_value_after", "money", "value_after"),
        profit_kpi("profit_value_change", "money", "value_change"),
        profit_kpi("profit_relative_change", "fraction", "relative_change"),
    )


def compare(a: Sequence[ScenarioKpi], b: Sequence[ScenarioKpi]) -> pd.DataFrame:
    """A and B side by side with the difference B − A and the relative difference (B − A) / |A|.

    Columns: ``key``, ``kind``, ``a``, ``b``, ``difference``, ``relative``, ``lower_is_better``,
    ``difference_interval`` and ``beyond_uncertainty``. A difference is None where either value is missing; the
    relative difference also where A is zero. Fractions differ in percentage points as a fraction (0.10 → 0.15 is
    0.05). ``difference_interval`` is the 80 % interval of B − A over the paired replicates (both scenarios are
    evaluated on the same resamples of the same customers; a scenario without replicates counts with its value),
    None when neither side varies; ``beyond_uncertainty`` is True when that interval excludes 0 (the difference is
    larger than the uncertainty of the data), False when it includes it, None without one.
    """
    rows = []
    for first, second in zip(a, b, strict=True):
        if first.key != second.key:
            raise ValueError(f"cannot compare {first.key!r} with {second.key!r}: the KPI lists differ")
        difference = relative = spread = beyond = None
        if first.value is not None and second.value is not None:
            difference = second.value - first.value
            relative = difference / abs(first.value) if first.value != 0 else None
            if first.replicates is not None or second.replicates is not None:
                paired = _replicates_or_value(second) - _replicates_or_value(first)
                spread = intervals.informative(intervals.percentile_interval(paired), 1.0)
                beyond = None if spread is None else not spread.contains(0.0)
        rows.append({"key": first.key, "kind": first.kind, "a": first.value, "b": second.value,
                     "difference": difference, "relative": relative, "lower_is_better": first.lower_is_better,
                     "difference_interval": spread, "beyond_uncertainty": beyond})
    columns = ["key", "kind", "a", "b", "difference", "relative", "lower_is_better", "difference_interval",
               "beyond_uncertainty"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _replicates_or_value(kpi: ScenarioKpi) -> np.ndarray:
    return np.asarray(kpi.value, dtype=float) if kpi.replicates is None else np.asarray(kpi.replicates, dtype=float)


def what_if_values(values: Mapping[str, object]) -> dict:
    """The part of a scenario a saved scenario keeps: everything but display settings (language, currency)."""
    return {key: value for key, value in values.items() if key in PARAMS and PARAMS[key].what_if}


# --- names of saved scenarios -------------------------------------------------------------------------------------

MAX_NAME_LENGTH = 60


class ScenarioNameError(ValueError):
    """A scenario name that cannot be used; ``key`` is the i18n key of the message shown to the user."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def clean_name(name: str) -> str:
    """``name`` with surrounding and repeated whitespace removed; empty or longer than 60 characters is an error.

    Any other text is allowed (it is escaped wherever it is shown or exported).
    """
    cleaned = " ".join(str(name).split())
    if not cleaned:
        raise ScenarioNameError("scenario_name_empty", "a scenario needs a name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise ScenarioNameError("scenario_name_too_long",
                                f"a scenario name has at most {MAX_NAME_LENGTH} characters, got {len(cleaned)}")
    return cleaned
