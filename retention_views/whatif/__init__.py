"""One scenario's what-if values -> the defaults the data gives, the values it accepts, and every page's results.

:mod:`.defaults` resolves a scenario: the default of each input from the data (:func:`resolve`, :class:`DataFacts`)
and the values the data accepts; :mod:`.outcomes` computes a resolved scenario's CLV, Retention → profit and
Retention cost results and their bootstrap intervals (:func:`evaluate`); :mod:`.comparison` sets two scenarios
side by side (:func:`outcome_kpis`, :func:`compare`); :mod:`.saved` is what a saved scenario keeps and its name
(:func:`what_if_values`, :func:`clean_name`). This file lists their public API.

The pages, the Overview's customer-value cards, the Scenarios page and the exports call these same functions, so a
label shows the same value wherever it appears, and a saved scenario shows the numbers its pages showed.
"""

from retention_views.whatif.comparison import ScenarioKpi, compare, outcome_kpis
from retention_views.whatif.defaults import (
    CLI_DEFAULTS,
    CLV_HORIZON_DEFAULT,
    GROWTH_YEARS_DEFAULT,
    MEASURABLE_INPUTS,
    MEASURED_RATE_DECIMALS,
    TYPED_ACTIVE_DEFAULT,
    TYPED_COST_DEFAULTS,
    VIEW_CHOICES,
    DataFacts,
    Resolved,
    data_facts,
    edited_profits,
    input_source,
    measured_retention,
    money_default,
    profits_table,
    resolve,
)
from retention_views.whatif.outcomes import (
    MEASURED_CLV_KEYS,
    MEASURED_KEYS,
    CostOutcome,
    Outcome,
    ProfitOutcome,
    clv_inputs,
    clv_intervals,
    clv_replicates,
    clv_result,
    cost_inputs,
    cost_result,
    customer_value_kpis,
    evaluate,
    profit_curve_band,
    profit_inputs,
    profit_intervals,
    profit_replicates,
    profit_result,
    replicate_values,
)
from retention_views.whatif.saved import MAX_NAME_LENGTH, ScenarioNameError, clean_name, what_if_values

__all__ = [
    "CLI_DEFAULTS",
    "CLV_HORIZON_DEFAULT",
    "GROWTH_YEARS_DEFAULT",
    "MAX_NAME_LENGTH",
    "MEASURABLE_INPUTS",
    "MEASURED_CLV_KEYS",
    "MEASURED_KEYS",
    "MEASURED_RATE_DECIMALS",
    "TYPED_ACTIVE_DEFAULT",
    "TYPED_COST_DEFAULTS",
    "VIEW_CHOICES",
    "CostOutcome",
    "DataFacts",
    "Outcome",
    "ProfitOutcome",
    "Resolved",
    "ScenarioKpi",
    "ScenarioNameError",
    "clean_name",
    "clv_inputs",
    "clv_intervals",
    "clv_replicates",
    "clv_result",
    "compare",
    "cost_inputs",
    "cost_result",
    "customer_value_kpis",
    "data_facts",
    "edited_profits",
    "input_source",
    "evaluate",
    "measured_retention",
    "money_default",
    "outcome_kpis",
    "profit_curve_band",
    "profit_inputs",
    "profit_intervals",
    "profit_replicates",
    "profit_result",
    "profits_table",
    "replicate_values",
    "resolve",
    "what_if_values",
]
