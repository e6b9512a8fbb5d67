"""retention_core — the domain and data of the Retention Economics Dashboard: no streamlit, plotly, babel or UI text.

Data flows one way: upload bytes -> :func:`read_table` -> :func:`map_columns` -> :func:`prepare_sheet` ->
:class:`Dataset` -> :func:`aggregate` (DuckDB, once) -> small frames -> formulas in :mod:`retention_core.metrics`
and :mod:`retention_core.models` with slider values -> the pages' results in :mod:`retention_views`.

All rates are fractions (0.9 = 90 %); money is in the data's currency; NPS in points −100…+100.
"""

from retention_core.dataset import Aggregates, Dataset, aggregate
from retention_core.engines import DuckDBEngine, Engine, SparkEngine, TableSource, open_source
from retention_core.ingest import (
    SHEETS,
    Dialect,
    LoadError,
    LoadResult,
    Prepared,
    Problem,
    apply_categories,
    map_columns,
    prepare_sheet,
    read_table,
    suggest_categories,
    suggest_mapping,
    validate_transactions,
)
from retention_core.metrics import (
    UpliftResult,
    acquisition_cost_per_customer,
    acquisition_rate,
    annual_retention_rate,
    break_even_retention_spend,
    churn_rate,
    clv_gap,
    clv_to_cac,
    convert_retention_rate,
    customer_base_multiple,
    customer_loyalty_index,
    expected_lifetime,
    finite_horizon_clv,
    lifetime_retention_cost,
    margin_multiple,
    margin_multiple_clv,
    margin_per_customer_year,
    net_promoter_score,
    net_value,
    new_customer_margin_multiple,
    nps_from_counts,
    period_discount_rate,
    purchase_frequency,
    repeat_purchase_rate,
    retention_cost_per_customer,
    retention_rate,
    retention_uplift,
    returning_buyer_share,
    revenue_per_customer,
    simple_clv,
    tenure_profit_value,
    total_retention_cost,
    upsell_rate,
    upsell_ratio,
)
from retention_core.models import (
    BgNbdFit,
    GammaGammaFit,
    SbgFit,
    assess_btyd_data,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases,
    bg_nbd_probability_alive,
    bg_nbd_purchase_probability,
    calibration_holdout_split,
    discounted_expected_residual_lifetime,
    fit_bg_nbd,
    fit_gamma_gamma,
    fit_shifted_beta_geometric,
    gamma_gamma_expected_spend,
    predictive_clv,
    rfm_summary,
    sbg_retention_rate,
    sbg_survival,
)
from retention_core.queries import (
    acquisition_by_period,
    cohort_retention,
    cost_by_period,
    customer_summary,
    nps_by_period,
    period_activity,
    retention_cost_per_active_customer,
    revenue_by_tenure,
)
from retention_core.store import read_aggregates, write_aggregates

__all__ = [
    # data contract and loading
    "SHEETS", "Dialect", "LoadError", "LoadResult", "Prepared", "Problem", "apply_categories", "map_columns",
    "prepare_sheet", "read_table", "suggest_categories", "suggest_mapping", "validate_transactions",
    # aggregation
    "Aggregates", "Dataset", "aggregate", "acquisition_by_period", "cohort_retention", "cost_by_period",
    "customer_summary", "nps_by_period", "period_activity", "retention_cost_per_active_customer",
    "revenue_by_tenure",
    # engines and aggregates folders
    "DuckDBEngine", "Engine", "SparkEngine", "TableSource", "open_source", "read_aggregates", "write_aggregates",
    # closed-form metrics
    "UpliftResult", "acquisition_cost_per_customer", "acquisition_rate", "annual_retention_rate",
    "break_even_retention_spend", "churn_rate", "clv_gap", "clv_to_cac", "convert_retention_rate",
    "customer_base_multiple", "customer_loyalty_index", "expected_lifetime", "finite_horizon_clv",
    "lifetime_retention_cost", "margin_multiple", "margin_multiple_clv", "margin_per_customer_year",
    "net_promoter_score", "net_value", "new_customer_margin_multiple", "nps_from_counts", "period_discount_rate",
    "purchase_frequency", "repeat_purchase_rate", "retention_cost_per_customer", "retention_rate", "retention_uplift", "returning_buyer_share", "revenue_per_customer", "simple_clv",
    "tenure_profit_value", "total_retention_cost", "upsell_rate", "upsell_ratio",
    # probability models
    "BgNbdFit", "GammaGammaFit", "SbgFit", "assess_btyd_data", "bg_nbd_conditional_expected_purchases",
    "bg_nbd_expected_purchases", "bg_nbd_probability_alive", "bg_nbd_purchase_probability",
    "calibration_holdout_split", "discounted_expected_residual_lifetime", "fit_bg_nbd", "fit_gamma_gamma",
    "fit_shifted_beta_geometric", "gamma_gamma_expected_spend", "predictive_clv", "rfm_summary",
    "sbg_retention_rate", "sbg_survival",
]
