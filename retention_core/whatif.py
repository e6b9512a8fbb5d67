"""One scenario's what-if values -> the defaults the data gives, the values it accepts, and every page's results.

A scenario is a mapping from widget key to typed value (see :mod:`retention_core.scenario_state`); a value a user
never changed is simply missing. :func:`resolve` fills the missing ones with the same defaults the pages show
(measured retention, the data's margin, the café's costs ...), drops values the data cannot take (a period that is
not in the data, an uplift past 99 % retention) and names them. :func:`evaluate` computes the CLV, Retention →
profit and retention cost results of a resolved scenario; :func:`compare` sets two of them side by side.

Pages and the Scenarios page use these functions alike, so a saved scenario shows the numbers its pages showed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import pandas as pd

from retention_core import benchmarks, metrics, revenue, scenarios
from retention_core.dataset import Aggregates
from retention_core.scenario_state import PARAMS, ParamError, ParamSpec, check_value, narrowed, snap

TYPED_COST_DEFAULTS = {"team": 5000.0, "tools": 900.0, "engagement": 2500.0}  # the café example
TYPED_ACTIVE_DEFAULT = 700
CLI_DEFAULTS = {"recommend": 8.0, "repurchase": 7.5, "try_new": 6.0}
GROWTH_YEARS_DEFAULT = 5


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

    ``clv`` is the CLV page's measured starting point (None without enough complete periods); ``cost_active`` the
    cost sheet's periods with their active customers (None without a cost sheet); ``profit_years`` the customer
    years of the profit table; ``cohort_last`` the longest observed periods since a first purchase.
    """

    periods_per_year: int
    gross_margin: float
    overview_options: tuple[pd.Timestamp, ...]
    cost_active: tuple[tuple[pd.Timestamp, int], ...] | None
    clv: scenarios.ClvInputs | None
    annual_retention_rate: float | None
    acquisition_cost: float | None
    profit_years: tuple[int, ...]
    cohort_last: int


def data_facts(aggs: Aggregates) -> DataFacts:
    """The :class:`DataFacts` of ``aggs`` (pandas work of a few milliseconds; callers may keep them per data set)."""
    assumptions = scenarios.default_assumptions(aggs)
    try:
        clv = scenarios.clv_defaults(aggs, assumptions)
    except ValueError:
        clv = None
    cost_active = None
    if aggs.costs is not None:
        cost_active = tuple((pd.Timestamp(row.period_start), int(row.active_customers))
                            for row in scenarios.cost_items_wide(aggs).itertuples(index=False))
    baseline = scenarios.measured_baseline(aggs)
    return DataFacts(
        periods_per_year=aggs.periods_per_year,
        gross_margin=assumptions.gross_margin,
        overview_options=tuple(scenarios.period_options(aggs)),
        cost_active=cost_active,
        clv=clv,
        annual_retention_rate=baseline.annual_retention_rate,
        acquisition_cost=baseline.acquisition_cost,
        profit_years=tuple(int(year) for year in scenarios.default_profits_by_tenure(aggs, 0.0)["tenure"]),
        cohort_last=int(scenarios.average_retention_curve(aggs)["periods_since"].max()),
    )


def resolve(data: Aggregates | DataFacts, given: Mapping[str, object]) -> Resolved:
    """Complete ``given`` (typed values by widget key) with the data's defaults; reject what the data can't take.

    ``data`` is the aggregates of the data set shown or their :func:`data_facts`. Sidebar settings are not
    resolved here: they choose the data. Keys of a page the data cannot show (no measurable period yet, no full
    customer year for the profit table) are left out.
    """
    facts = data if isinstance(data, DataFacts) else data_facts(data)
    r = _Resolver(given)
    r.take("clv_gross_margin", _fraction_default("clv_gross_margin", facts.gross_margin))
    discount = r.take("clv_discount_rate", scenarios.DEFAULT_ANNUAL_DISCOUNT_RATE)
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
    modes = ("data", "typed") if facts.cost_active is not None else ("typed",)
    r.take("cost_mode", modes[0], narrowed(PARAMS["cost_mode"], options=modes))
    for category, amount in TYPED_COST_DEFAULTS.items():
        r.take(f"cost_typed_{category}", amount)
    typed_active = r.take("cost_typed_active", TYPED_ACTIVE_DEFAULT)
    for category in scenarios.COST_CATEGORIES:
        r.take(f"cost_change_{category}", 0.0)
    r.take("cost_typed_cac", 0.0)
    if facts.cost_active:
        active = dict(facts.cost_active)
        options = tuple(active)
        period_start = r.take("cost_period", options[-1], narrowed(PARAMS["cost_period"], options=options))
        r.take("cost_active_data", max(1, active[pd.Timestamp(period_start)]))
    r.take("cost_active_typed", int(typed_active))


def _resolve_clv(r: _Resolver, facts: DataFacts) -> None:
    measured = facts.clv
    if measured is None:
        return
    r.take("clv_retention_rate", _fraction_default("clv_retention_rate", measured.retention_rate))
    r.take("clv_horizon", measured.horizon_years)
    r.take("clv_retention_cost", round(measured.retention_cost_per_customer, 2))
    r.take("clv_cac", round(measured.acquisition_cost, 2))


def _resolve_profit(r: _Resolver, facts: DataFacts, discount: float) -> None:
    years = facts.profit_years
    if facts.annual_retention_rate is None or not years:  # no full customer year observed yet
        return
    retention = r.take("profit_retention", _fraction_default("profit_retention", facts.annual_retention_rate))
    top = max(scenarios.max_uplift_points(retention), PARAMS["profit_uplift"].step)  # a slider needs a range
    r.take("profit_uplift", _fraction_default("profit_uplift", benchmarks.REICHHELD_UPLIFT_POINTS, top),
           narrowed(PARAMS["profit_uplift"], high=top))
    r.take("profit_discount_rate", discount)
    r.take("profit_horizon", None)
    r.take("profit_cac", round(facts.acquisition_cost or 0.0, 2))
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
    table = scenarios.default_profits_by_tenure(aggs, gross_margin)
    for year, profit in edited.items():
        table.loc[table["tenure"] == year, "profit"] = float(profit)
    return table


def edited_profits(table: pd.DataFrame, aggs: Aggregates, gross_margin: float) -> dict[int, float]:
    """The profits in ``table`` that differ from revenue × margin, by customer year (what the URL keeps)."""
    default = scenarios.default_profits_by_tenure(aggs, gross_margin).set_index("tenure")["profit"]
    return {int(row.tenure): float(row.profit) for row in table.itertuples(index=False)
            if int(row.tenure) in default.index and abs(float(row.profit) - float(default[int(row.tenure)])) > 1e-9}


# --- results of one scenario ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """The results a resolved scenario gives on the CLV, Retention → profit and Retention cost pages.

    ``clv`` and ``profit`` are None when the data has too few complete periods to measure retention.
    ``cost_cac`` is the CAC the Retention cost page sets against the cost per customer: the cost period's from
    the acquisition sheet, or the typed-in one (None when unknown or zero). ``revenue`` is the revenue bridge, NRR
    and GRR of the Overview's period (None without one: no measurable period, or aggregates without the bridge).
    """

    values: dict
    clv: scenarios.ClvResult | None
    profit_inputs: scenarios.ProfitInputs | None
    profit: metrics.UpliftResult | None
    uplift_curve: pd.DataFrame | None
    cost: scenarios.CostScenario
    cost_cac: float | None
    revenue: revenue.RevenueRetention | None = None


def cost_inputs(aggs: Aggregates, values: Mapping[str, object]) -> tuple[dict[str, float], int, str]:
    """Spend per category and active customers the Retention cost what-if starts from, and the mode's key suffix.

    ``data`` mode reads the chosen period of the cost sheet, ``typed`` mode the typed-in amounts.
    """
    if values["cost_mode"] == "data" and aggs.costs is not None:
        amounts, active = scenarios.period_costs(aggs, values["cost_period"])
        return amounts, int(active), "data"
    amounts = {category: float(values[f"cost_typed_{category}"]) for category in scenarios.COST_CATEGORIES}
    return amounts, int(values["cost_typed_active"]), "typed"


def clv_result(aggs: Aggregates, gross_margin: float, annual_discount_rate: float, retention_rate: float,
               horizon_years: int, retention_cost_per_customer: float, acquisition_cost: float) -> scenarios.ClvResult:
    """The CLV page's result: the measured baseline of ``aggs`` with the slider values put in (rates per period
    except the annual discount rate; money per customer)."""
    measured = scenarios.clv_defaults(aggs, scenarios.Assumptions(gross_margin, annual_discount_rate))
    return scenarios.clv_scenario(replace(
        measured, retention_rate=retention_rate, horizon_years=horizon_years,
        retention_cost_per_customer=retention_cost_per_customer, acquisition_cost=acquisition_cost))


def evaluate(aggs: Aggregates, values: Mapping[str, object]) -> Outcome:
    """Every what-if result of the resolved ``values`` (see :func:`resolve`) on ``aggs``."""
    clv = profit = profit_inputs = curve = None
    margin = float(values["clv_gross_margin"])
    discount = float(values["clv_discount_rate"])
    if "clv_retention_rate" in values:
        clv = clv_result(aggs, margin, discount, values["clv_retention_rate"], values["clv_horizon"],
                         values["clv_retention_cost"], values["clv_cac"])
    if "profit_retention" in values:
        table = profits_table(aggs, margin, values["profit_tenure"])
        profit_inputs = scenarios.ProfitInputs(
            profits_by_tenure=tuple(table["profit"]), annual_retention_rate=values["profit_retention"],
            uplift_points=values["profit_uplift"], annual_discount_rate=values["profit_discount_rate"],
            acquisition_cost=values["profit_cac"], horizon_years=values["profit_horizon"])
        profit = scenarios.profit_scenario(profit_inputs)
        curve = scenarios.uplift_curve(profit_inputs)
    amounts, active, mode = cost_inputs(aggs, values)
    changes = {category: float(values[f"cost_change_{category}"]) for category in scenarios.COST_CATEGORIES}
    cost = scenarios.cost_scenario(amounts, int(values[f"cost_active_{mode}"]), changes,
                                   baseline_active_customers=active)
    if mode == "data":
        cost_cac = scenarios.period_facts(aggs, values["cost_period"],
                                          scenarios.Assumptions(margin, discount)).acquisition_cost
    else:
        cost_cac = float(values["cost_typed_cac"]) or None
    retention = None
    if "overview_period" in values and revenue.available(aggs):
        retention = revenue.period_retention(aggs, values["overview_period"])
    return Outcome(values=dict(values), clv=clv, profit_inputs=profit_inputs, profit=profit, uplift_curve=curve,
                   cost=cost, cost_cac=cost_cac, revenue=retention)


@dataclass(frozen=True)
class ScenarioKpi:
    """One result of a scenario: i18n label ``key``, ``kind`` (money, fraction, ratio) and value (None: n/a)."""

    key: str
    kind: str
    value: float | None
    lower_is_better: bool = False


def outcome_kpis(outcome: Outcome) -> tuple[ScenarioKpi, ...]:
    """The results a scenario comparison lists, in page order: revenue retention of the Overview's period,
    retention cost, CLV and gap, profit uplift."""
    clv, profit, cost = outcome.clv, outcome.profit, outcome.cost

    def of(result: object, name: str) -> float | None:
        return None if result is None else getattr(result, name)

    return (
        ScenarioKpi("kpi_net_revenue_retention", "fraction", of(outcome.revenue, "nrr")),
        ScenarioKpi("kpi_gross_revenue_retention", "fraction", of(outcome.revenue, "grr")),
        ScenarioKpi("label_total_retention_cost", "money", cost.total, True),
        ScenarioKpi("kpi_retention_cost_per_customer", "money", cost.per_customer, True),
        ScenarioKpi("clv_simple", "money", of(clv, "simple_clv")),
        ScenarioKpi("clv_margin_multiple", "money", of(clv, "margin_multiple_clv")),
        ScenarioKpi("clv_finite", "money", of(clv, "finite_horizon_clv")),
        ScenarioKpi("label_lifetime_retention_cost", "money", of(clv, "lifetime_retention_cost"), True),
        ScenarioKpi("kpi_clv_gap", "money", of(clv, "clv_gap")),
        ScenarioKpi("label_net_value", "money", of(clv, "net_value")),
        ScenarioKpi("label_break_even", "money", of(clv, "break_even_retention_spend")),
        ScenarioKpi("kpi_clv_to_cac", "ratio", of(clv, "clv_to_cac")),
        ScenarioKpi("profit_value_before", "money", of(profit, "value_before")),
        ScenarioKpi("profit_value_after", "money", of(profit, "value_after")),
        ScenarioKpi("profit_relative_change", "fraction", of(profit, "relative_change")),
    )


def compare(a: Sequence[ScenarioKpi], b: Sequence[ScenarioKpi]) -> pd.DataFrame:
    """A and B side by side with the difference B − A and the relative difference (B − A) / |A|.

    Columns: ``key``, ``kind``, ``a``, ``b``, ``difference``, ``relative``, ``lower_is_better``. A difference is
    None where either value is missing; the relative difference also where A is zero. Fractions differ in
    percentage points as a fraction (0.10 → 0.15 is 0.05).
    """
    rows = []
    for first, second in zip(a, b, strict=True):
        if first.key != second.key:
            raise ValueError(f"cannot compare {first.key!r} with {second.key!r}: the KPI lists differ")
        difference = relative = None
        if first.value is not None and second.value is not None:
            difference = second.value - first.value
            relative = difference / abs(first.value) if first.value != 0 else None
        rows.append({"key": first.key, "kind": first.kind, "a": first.value, "b": second.value,
                     "difference": difference, "relative": relative, "lower_is_better": first.lower_is_better})
    columns = ["key", "kind", "a", "b", "difference", "relative", "lower_is_better"]
    return pd.DataFrame(rows, columns=columns, dtype=object)


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
