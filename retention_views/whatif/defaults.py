"""A scenario's what-if values -> the defaults the data gives and the values it accepts.

A scenario is a mapping from widget key to typed value (see :mod:`retention_views.url_params`); a value a user
never changed is simply missing. :func:`resolve` fills the missing ones with the same defaults the pages show
(measured retention, the data's margin, the café's costs ...), drops values the data cannot take (a period that is
not in the data, an uplift past 99 % retention) and names them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from retention_core import benchmarks
from retention_core.customer_value import AnnualBasis
from retention_core.dataset import Aggregates
from retention_views.page_results.assumptions import DEFAULT_ANNUAL_DISCOUNT_RATE, default_assumptions
from retention_views.page_results.cohorts import average_retention_curve
from retention_views.page_results.costs import COST_CATEGORIES, cost_items_wide
from retention_views.page_results.periods import period_options
from retention_views.page_results.profit import default_profits_by_tenure, max_uplift_points
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
    measured: frozenset[str] = frozenset()
    """The keys whose default this data measured (:data:`MEASURABLE_INPUTS` with a known value)."""


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
    margin_measured: bool = False


def data_facts(aggs: Aggregates) -> DataFacts:
    """The :class:`DataFacts` of ``aggs`` (callers may keep them per data set)."""
    assumptions = default_assumptions(aggs)
    cost_active = None
    if aggs.costs is not None:
        costs = cost_items_wide(aggs)
        usable = costs[costs["retention_cost"].notna() & (costs["active_customers"] > 0)]
        cost_active = tuple((pd.Timestamp(row.period_start), int(row.active_customers))
                            for row in usable.itertuples(index=False))
    return DataFacts(
        periods_per_year=aggs.periods_per_year,
        gross_margin=assumptions.gross_margin,
        overview_options=tuple(period_options(aggs)),
        cost_active=cost_active,
        basis=aggs.basis,
        profit_years=tuple(int(year) for year in default_profits_by_tenure(aggs, 0.0)["tenure"]),
        cohort_last=int(average_retention_curve(aggs)["periods_since"].max()),
        margin_measured=aggs.gross_margin is not None,
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
    resolver = _Resolver(given)
    resolver.take("clv_gross_margin", _fraction_default("clv_gross_margin", facts.gross_margin))
    discount = resolver.take("clv_discount_rate", DEFAULT_ANNUAL_DISCOUNT_RATE)
    _resolve_overview(resolver, facts)
    _resolve_costs(resolver, facts)
    _resolve_clv(resolver, facts)
    _resolve_profit(resolver, facts, discount)
    _resolve_cohorts(resolver, facts)
    for question, default in CLI_DEFAULTS.items():
        resolver.take(f"loyalty_cli_{question}", default)
    measured = frozenset(key for key in MEASURABLE_INPUTS if resolver.defaults.get(key) is not None
                         and (key != "clv_gross_margin" or facts.margin_measured))
    return Resolved(values=resolver.values, defaults=resolver.defaults, specs=resolver.specs,
                    rejected=tuple(resolver.rejected), measured=measured)


MEASURABLE_INPUTS = frozenset({"clv_gross_margin", "clv_annual_retention", "profit_retention",
                               "clv_retention_cost_year", "clv_cac", "profit_cac", "cost_active_data"})
"""The what-if inputs whose default the data can measure: the margin from a margin column, annual retention, the
retention cost and CAC from the cost sheets (:data:`.outcomes.MEASURED_KEYS`, those the bootstrap redraws), the
active customers of a cost period. Every other input starts at an assumption (the discount rate, Reichheld's
uplift, the café's typed-in costs, the loyalty index presets)."""

VIEW_CHOICES = frozenset({"clv_horizon", "profit_horizon", "profit_growth_years", "cohort_periods_since",
                          "cohort_project_periods", "overview_period", "cost_period", "cost_mode",
                          *(f"cost_change_{category}" for category in COST_CATEGORIES)})
"""Inputs that get no marker: they choose what to show (a horizon, a period, a view) or are the what-if lever
itself (a budget change, starting at no change), not a number about the business."""


def input_source(resolved: Resolved, key: str, scenario: Mapping[str, object]) -> str | None:
    """Where the value an input for ``key`` shows comes from, for its "gemessen / angenommen" marker.

    ``"yours"`` when the scenario holds a value for ``key`` other than its default (typed, moved, from a link or a
    loaded scenario); else ``"measured"`` when this data measured the default (:attr:`Resolved.measured`), else
    ``"assumed"`` (a preset, a benchmark, or a measurable value the data does not measure). None for
    :data:`VIEW_CHOICES`, which get no marker, and for an empty field: no default (an amount this data does not
    measure has no preset) and no value of the user's, so nothing is shown and nothing assumed; its placeholder
    says "not measured"."""
    if key in VIEW_CHOICES:
        return None
    default = resolved.defaults.get(key)
    if key in scenario and scenario[key] != default:
        return "yours"
    if default is None:
        return None
    return "measured" if key in resolved.measured else "assumed"


def _resolve_overview(resolver: _Resolver, facts: DataFacts) -> None:
    options = facts.overview_options
    if options:
        resolver.take("overview_period", options[-1], narrowed(PARAMS["overview_period"], options=options))


def _resolve_costs(resolver: _Resolver, facts: DataFacts) -> None:
    modes = ("data", "typed") if facts.cost_active else ("typed",)
    resolver.take("cost_mode", modes[0], narrowed(PARAMS["cost_mode"], options=modes))
    for category, amount in TYPED_COST_DEFAULTS.items():
        resolver.take(f"cost_typed_{category}", amount)
    typed_active = resolver.take("cost_typed_active", TYPED_ACTIVE_DEFAULT)
    for category in COST_CATEGORIES:
        resolver.take(f"cost_change_{category}", 0.0)
    resolver.take("cost_typed_cac", None)
    if facts.cost_active:
        active = dict(facts.cost_active)
        options = tuple(active)
        period_start = resolver.take("cost_period", options[-1], narrowed(PARAMS["cost_period"], options=options))
        resolver.take("cost_active_data", max(1, active[pd.Timestamp(period_start)]))
    resolver.take("cost_active_typed", int(typed_active))


def money_default(value: float | None) -> float | None:
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


def _resolve_clv(resolver: _Resolver, facts: DataFacts) -> None:
    basis = facts.basis
    if basis is None:
        return
    resolver.take("clv_annual_retention", measured_retention(basis))
    resolver.take("clv_horizon", CLV_HORIZON_DEFAULT)
    resolver.take("clv_retention_cost_year", money_default(basis.retention_cost_per_customer))
    resolver.take("clv_cac", money_default(basis.acquisition_cost))


def _resolve_profit(resolver: _Resolver, facts: DataFacts, discount: float) -> None:
    years = facts.profit_years
    if facts.basis is None or not years:  # no customer year observed yet
        return
    retention = resolver.take("profit_retention", measured_retention(facts.basis))
    top = max(max_uplift_points(retention or 0.0), PARAMS["profit_uplift"].step)  # a slider needs a range
    resolver.take("profit_uplift", _fraction_default("profit_uplift", benchmarks.REICHHELD_UPLIFT_POINTS, top),
                  narrowed(PARAMS["profit_uplift"], high=top))
    resolver.take("profit_discount_rate", discount)
    resolver.take("profit_horizon", None)
    resolver.take("profit_cac", money_default(facts.basis.acquisition_cost))
    resolver.take("profit_tenure", {})
    if any(year not in years for year in resolver.values["profit_tenure"]):
        resolver.values["profit_tenure"] = {}
        resolver.rejected.append("profit_tenure")
    resolver.take("profit_growth_years", GROWTH_YEARS_DEFAULT)


def _resolve_cohorts(resolver: _Resolver, facts: DataFacts) -> None:
    last = facts.cohort_last
    if last >= 1:
        resolver.take("cohort_periods_since", min(facts.periods_per_year, last),
                      narrowed(PARAMS["cohort_periods_since"], high=last))
    resolver.take("cohort_project_periods", facts.periods_per_year,
                  narrowed(PARAMS["cohort_project_periods"], high=3 * facts.periods_per_year))


def profits_table(aggs: Aggregates, gross_margin: float, edited: Mapping[int, float]) -> pd.DataFrame:
    """The profit-by-customer-year table: revenue × margin, with the user's edited profits put in by year."""
    table = default_profits_by_tenure(aggs, gross_margin)
    for year, profit in edited.items():
        table.loc[table["tenure"] == year, "profit"] = float(profit)
    return table


def edited_profits(table: pd.DataFrame, aggs: Aggregates, gross_margin: float) -> dict[int, float]:
    """The profits in ``table`` that differ from revenue × margin, by customer year (what the URL keeps)."""
    default = default_profits_by_tenure(aggs, gross_margin).set_index("tenure")["profit"]
    return {int(row.tenure): float(row.profit) for row in table.itertuples(index=False)
            if int(row.tenure) in default.index and abs(float(row.profit) - float(default[int(row.tenure)])) > 1e-9}
