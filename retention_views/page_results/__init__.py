"""Slider assumptions -> frozen results: everything a page shows, computed from pre-aggregated data.

Every function here takes an :class:`~retention_core.dataset.Aggregates` bundle (small frames) and plain
assumption values from widgets, calls the formulas in :mod:`retention_core.metrics`, and returns frozen
dataclasses or small frames. Pages only render what comes back; a slider move never touches raw rows.

One module per page or question: :mod:`.periods` (the periods a page can pick and one period's facts),
:mod:`.overview`, :mod:`.costs`, :mod:`.assumptions` (gross margin and discount rate), :mod:`.clv`,
:mod:`.profit`, :mod:`.cohorts` and :mod:`.loyalty`. This file lists their public API.

Units: per-period rates (the Overview's CRR and churn) are fractions per analysis period (month, quarter or year);
customer value (CLV page, Retention → profit) is on the annual basis of :mod:`retention_core.customer_value`, so
its rates are per year and its money per customer-year or per new customer; ``*_years`` are years.
"""

from retention_views.page_results.assumptions import (
    DEFAULT_ANNUAL_DISCOUNT_RATE,
    DEFAULT_GROSS_MARGIN,
    Assumptions,
    default_assumptions,
)
from retention_views.page_results.clv import ClvInputs, ClvResult, clv_defaults, clv_scenario, clv_scenario_replicates
from retention_views.page_results.cohorts import average_retention_curve, cohort_matrix, retention_after
from retention_views.page_results.costs import (
    COST_CATEGORIES,
    CostScenario,
    cost_items_wide,
    cost_scenario,
    period_costs,
)
from retention_views.page_results.loyalty import LoyaltyFacts, loyalty_facts, nps_trend
from retention_views.page_results.overview import (
    KPI_FIELDS,
    REVENUE_KPI_FIELDS,
    Kpi,
    overview_kpis,
    retention_trend,
    revenue_retention_kpis,
)
from retention_views.page_results.segments import (
    INTERVAL_COLUMNS,
    NPS_COLUMNS,
    SEGMENT_DIMENSIONS,
    PAGE_COLUMNS,
    TABLE_COLUMNS,
    NpsValue,
    PredictiveMeans,
    SegmentChoice,
    SegmentView,
    default_dimension,
    dimension_name,
    nps_value,
    segment_choices,
    segment_name,
    segment_view,
    shown_table,
)
from retention_views.page_results.periods import (
    PeriodFacts,
    complete_periods,
    data_end,
    measurable_periods,
    nps_for_period,
    period_end,
    period_facts,
    period_options,
    period_row,
    previous_period,
)
from retention_views.page_results.profit import (
    MAX_RETENTION,
    MIN_CUSTOMERS_PER_TENURE,
    ProfitInputs,
    Verdict,
    customer_base_growth,
    default_profits_by_tenure,
    max_uplift_points,
    profit_scenario,
    profit_scenario_replicates,
    profits_by_tenure_replicates,
    reichheld_verdict,
    tenure_profit_values,
    uplift_curve,
    uplift_curve_band,
)

__all__ = [
    "COST_CATEGORIES",
    "DEFAULT_ANNUAL_DISCOUNT_RATE",
    "DEFAULT_GROSS_MARGIN",
    "KPI_FIELDS",
    "MAX_RETENTION",
    "MIN_CUSTOMERS_PER_TENURE",
    "REVENUE_KPI_FIELDS",
    "Assumptions",
    "ClvInputs",
    "ClvResult",
    "CostScenario",
    "Kpi",
    "LoyaltyFacts",
    "PeriodFacts",
    "ProfitInputs",
    "Verdict",
    "average_retention_curve",
    "clv_defaults",
    "clv_scenario",
    "SEGMENT_DIMENSIONS", "PAGE_COLUMNS", "TABLE_COLUMNS",
    "NpsValue", "PredictiveMeans", "SegmentChoice", "SegmentView",
    "default_dimension", "dimension_name", "nps_value", "segment_choices", "segment_name",
    "segment_view", "shown_table", "NPS_COLUMNS", "INTERVAL_COLUMNS",
    "clv_scenario_replicates",
    "cohort_matrix",
    "complete_periods",
    "cost_items_wide",
    "cost_scenario",
    "customer_base_growth",
    "data_end",
    "default_assumptions",
    "default_profits_by_tenure",
    "loyalty_facts",
    "max_uplift_points",
    "measurable_periods",
    "nps_for_period",
    "nps_trend",
    "overview_kpis",
    "period_costs",
    "period_end",
    "period_facts",
    "period_options",
    "period_row",
    "previous_period",
    "profit_scenario",
    "profit_scenario_replicates",
    "profits_by_tenure_replicates",
    "reichheld_verdict",
    "retention_after",
    "retention_trend",
    "revenue_retention_kpis",
    "tenure_profit_values",
    "uplift_curve",
    "uplift_curve_band",
]
