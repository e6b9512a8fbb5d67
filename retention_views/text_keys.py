"""Which text names which value: explicit maps from a domain value (a period, a sheet, a column, a setting, a
reason code) to the key of its text in the locale files.

Every key is written out once here instead of being assembled (``f"period_{period}"``), so a search for a key finds
where it is used, and a test checks each map covers its values and each key has a text.
"""

from __future__ import annotations

PERIOD = {"month": "period_month", "quarter": "period_quarter", "year": "period_year"}
"""A period's name: ``Monat`` / ``month``."""
PERIOD_PLURAL = {"month": "period_plural_month", "quarter": "period_plural_quarter", "year": "period_plural_year"}
"""A period in the plural, for axes and labels (``Monate seit dem ersten Kauf``)."""
PERIOD_NOUN = {"month": "period_noun_month", "quarter": "period_noun_quarter", "year": "period_noun_year"}
"""A period as the noun of a sentence (``pro Quartal``)."""

CATEGORY = {"team": "category_team", "tools": "category_tools", "engagement": "category_engagement"}
"""A retention-cost category's name."""
CATEGORY_SHORT = {"team": "category_short_team", "tools": "category_short_tools",
                  "engagement": "category_short_engagement"}
"""A retention-cost category's short name (chart legends)."""
COST_MODE = {"data": "cost_mode_data", "typed": "cost_mode_typed"}
"""Where the Retention cost page takes its costs from: the cost sheet or typed-in figures."""

SOURCE = {"sample": "source_sample", "upload": "source_upload", "configured": "source_configured"}
"""The sidebar's data source: the sample, the uploads, or the data set the server was started with."""
SHEET = {"transactions": "sheet_transactions", "retention_costs": "sheet_retention_costs",
         "acquisition": "sheet_acquisition", "nps": "sheet_nps", "customers": "sheet_customers"}
"""An upload sheet's name."""
SHEET_HELP = {"transactions": "data_help_transactions", "retention_costs": "data_help_retention_costs",
              "acquisition": "data_help_acquisition", "nps": "data_help_nps", "customers": "data_help_customers"}
"""What an upload sheet holds (the Data page's tab caption)."""
COLUMN = {
    "row_number": "column_row_number",
    "reason": "column_reason",
    "customer_id": "column_customer_id",
    "order_date": "column_order_date",
    "amount": "column_amount",
    "product": "column_product",
    "quantity": "column_quantity",
    "order_id": "column_order_id",
    "gross_margin": "column_gross_margin",
    "period_start": "column_period_start",
    "category": "column_category",
    "acquisition_spend": "column_acquisition_spend",
    "new_customers": "column_new_customers",
    "response_date": "column_response_date",
    "score": "column_score",
    "segment": "column_segment",
    "channel": "column_channel",
    "region": "column_region",
    "customer_type": "column_customer_type",
    "branch": "column_branch",
}
"""A canonical column's name as the user reads it, and the two columns of the set-aside rows table."""
COLUMN_HINT = {
    "customer_id": "column_hint_customer_id",
    "order_date": "column_hint_order_date",
    "amount": "column_hint_amount",
    "period_start": "column_hint_period_start",
    "category": "column_hint_category",
    "acquisition_spend": "column_hint_acquisition_spend",
    "response_date": "column_hint_response_date",
    "score": "column_hint_score",
}
"""What a required column holds, for the message that it is missing."""
REJECTED_REASON = {
    "load_rows_wrong_field_count": "rejected_reason_load_rows_wrong_field_count",
    "load_rows_malformed": "rejected_reason_load_rows_malformed",
    "load_values_not_numbers": "rejected_reason_load_values_not_numbers",
    "load_values_not_dates": "rejected_reason_load_values_not_dates",
    "data_missing_values": "rejected_reason_data_missing_values",
    "data_not_a_number": "rejected_reason_data_not_a_number",
    "data_not_a_date": "rejected_reason_data_not_a_date",
    "data_not_whole_number": "rejected_reason_data_not_whole_number",
    "data_future_dates": "rejected_reason_data_future_dates",
    "data_negative_values": "rejected_reason_data_negative_values",
    "data_score_out_of_range": "rejected_reason_data_score_out_of_range",
    "data_margin_out_of_range": "rejected_reason_data_margin_out_of_range",
    "data_unknown_category": "rejected_reason_data_unknown_category",
    "data_not_finite": "rejected_reason_data_not_finite",
    "data_too_large": "rejected_reason_data_too_large",
    "data_date_too_early": "rejected_reason_data_date_too_early",
}
"""The short reason of a problem that sets rows aside, by the problem's key (the set-aside rows table's filter)."""
AGGREGATE_STEP = {
    "prepare": "aggregate_step_prepare",
    "activity": "aggregate_step_activity",
    "cohorts": "aggregate_step_cohorts",
    "costs": "aggregate_step_costs",
    "acquisition": "aggregate_step_acquisition",
    "nps": "aggregate_step_nps",
    "customers": "aggregate_step_customers",
    "tenure": "aggregate_step_tenure",
    "segments": "aggregate_step_segments",
    "predictive": "aggregate_step_predictive",
    "done": "aggregate_step_done",
}
"""The progress bar's text for each step of ``retention_core.dataset.aggregate``."""

PAGE_TITLE = {
    "overview": "page_overview",
    "retention_cost": "page_retention_cost",
    "clv": "page_clv",
    "profit": "page_profit",
    "cohorts": "page_cohorts",
    "loyalty": "page_loyalty",
    "segments": "page_segments",
    "scenarios": "page_scenarios",
    "data": "page_data",
}
"""A page's title (also its name in the navigation)."""
PAGE_INTRO = {
    "overview": "intro_overview",
    "retention_cost": "intro_retention_cost",
    "clv": "intro_clv",
    "profit": "intro_profit",
    "cohorts": "intro_cohorts",
    "loyalty": "intro_loyalty",
    "segments": "intro_segments",
    "scenarios": "intro_scenarios",
    "data": "intro_data",
}
"""A page's one-line introduction under its title."""

PARAM = {
    "app_lang": "param_app_lang",
    "app_currency": "param_app_currency",
    "app_period": "param_app_period",
    "app_activity_months": "param_app_activity_months",
    "overview_period": "param_overview_period",
    "cost_mode": "param_cost_mode",
    "cost_period": "param_cost_period",
    "cost_typed_team": "param_cost_typed_team",
    "cost_typed_tools": "param_cost_typed_tools",
    "cost_typed_engagement": "param_cost_typed_engagement",
    "cost_typed_active": "param_cost_typed_active",
    "cost_change_team": "param_cost_change_team",
    "cost_change_tools": "param_cost_change_tools",
    "cost_change_engagement": "param_cost_change_engagement",
    "cost_active_data": "param_cost_active_data",
    "cost_active_typed": "param_cost_active_typed",
    "cost_typed_cac": "param_cost_typed_cac",
    "clv_gross_margin": "param_clv_gross_margin",
    "clv_discount_rate": "param_clv_discount_rate",
    "clv_annual_retention": "param_clv_annual_retention",
    "clv_retention_cost_year": "param_clv_retention_cost_year",
    "clv_retention_rate": "param_clv_retention_rate",
    "clv_horizon": "param_clv_horizon",
    "clv_retention_cost": "param_clv_retention_cost",
    "clv_cac": "param_clv_cac",
    "profit_retention": "param_profit_retention",
    "profit_uplift": "param_profit_uplift",
    "profit_discount_rate": "param_profit_discount_rate",
    "profit_horizon": "param_profit_horizon",
    "profit_cac": "param_profit_cac",
    "profit_tenure": "param_profit_tenure",
    "profit_growth_years": "param_profit_growth_years",
    "cohort_periods_since": "param_cohort_periods_since",
    "cohort_project_periods": "param_cohort_project_periods",
    "loyalty_cli_recommend": "param_loyalty_cli_recommend",
    "loyalty_cli_repurchase": "param_loyalty_cli_repurchase",
    "loyalty_cli_try_new": "param_loyalty_cli_try_new",
    "segments_dimension": "param_segments_dimension",
    "segments_segment": "param_segments_segment",
}
"""A scenario setting's name (URL parameter -> text), for the report and the notice naming ignored settings; also
the retired parameters an old link may still carry (``clv_retention_rate``, ``clv_retention_cost``)."""

KPI = {
    "active_customers": "kpi_active_customers",
    "new_customers": "kpi_new_customers",
    "retention_rate": "kpi_retention_rate",
    "churn_rate": "kpi_churn_rate",
    "returning_buyer_share": "kpi_returning_buyer_share",
    "revenue_per_customer": "kpi_revenue_per_customer",
    "retention_cost_per_customer": "kpi_retention_cost_per_customer",
    "acquisition_cost": "kpi_acquisition_cost",
    "nps": "kpi_nps",
    "net_revenue_retention": "kpi_net_revenue_retention",
    "gross_revenue_retention": "kpi_gross_revenue_retention",
    "churned_revenue": "kpi_churned_revenue",
    "expansion_revenue": "kpi_expansion_revenue",
}
"""An Overview or revenue-retention card's label, by its field name (``page_results.KPI_FIELDS``,
``REVENUE_KPI_FIELDS``)."""
CARD_HELP = {
    "kpi_active_customers": "kpi_active_customers_help",
    "kpi_new_customers": "kpi_new_customers_help",
    "kpi_retention_rate": "kpi_retention_rate_help",
    "kpi_churn_rate": "kpi_churn_rate_help",
    "kpi_returning_buyer_share": "kpi_returning_buyer_share_help",
    "kpi_revenue_per_customer": "kpi_revenue_per_customer_help",
    "kpi_retention_cost_per_customer": "kpi_retention_cost_per_customer_help",
    "kpi_acquisition_cost": "kpi_acquisition_cost_help",
    "kpi_nps": "kpi_nps_help",
    "kpi_net_revenue_retention": "kpi_net_revenue_retention_help",
    "kpi_gross_revenue_retention": "kpi_gross_revenue_retention_help",
    "kpi_churned_revenue": "kpi_churned_revenue_help",
    "kpi_expansion_revenue": "kpi_expansion_revenue_help",
    "clv_annual_retention": "clv_annual_retention_help",
    "kpi_repeat_purchase_rate_year": "kpi_repeat_purchase_rate_year_help",
    "clv_margin_multiple": "clv_margin_multiple_help",
    "kpi_clv_gap": "kpi_clv_gap_help",
    "label_net_value": "label_net_value_help",
    "kpi_clv_to_cac": "kpi_clv_to_cac_help",
}
"""A KPI card's help (its formula), by the key of its label: the per-period cards and the customer-value cards
of the Overview."""

UNKNOWN_RETENTION = {"short_history": "unknown_retention_short_history",
                     "no_previous_buyers": "unknown_retention_no_previous_buyers",
                     "assumed": "unknown_retention_assumed"}
"""Why the data does not measure the annual retention (``AnnualBasis.retention_unknown_reason``)."""
THIN_DATA = {"wide": "interval_wide", "few_repeaters": "thin_data_few_repeaters",
             "few_customers": "thin_data_few_customers"}
"""The sentence saying a figure rests on thin data, by :func:`retention_core.intervals.thin_data`'s reason."""
PREDICTIVE_REASON = {
    "invalid_data": "predictive_reason_invalid_data",
    "too_few_customers": "predictive_reason_too_few_customers",
    "too_few_repeaters": "predictive_reason_too_few_repeaters",
    "short_history": "predictive_reason_short_history",
    "bg_nbd_failed": "predictive_reason_bg_nbd_failed",
    "gamma_gamma_failed": "predictive_reason_gamma_gamma_failed",
    "predictions_not_finite": "predictive_reason_predictions_not_finite",
    "not_stored": "predictive_reason_not_stored",
}
"""Why the predictive models (BG/NBD, Gamma-Gamma) have no result, by ``PredictiveModels.reason``."""
LOYALTY_QUESTION = {"recommend": "loyalty_cli_recommend", "repurchase": "loyalty_cli_repurchase",
                    "try_new": "loyalty_cli_try_new"}
"""A customer-loyalty-index question's label."""
INDUSTRY = {
    "retail": "industry_retail",
    "media": "industry_media",
    "hospitality": "industry_hospitality",
    "saas": "industry_saas",
    "financial_services": "industry_financial_services",
    "telecom": "industry_telecom",
}
"""An industry's name in the retention benchmark chart."""

VERDICT = {"inside": "verdict_inside", "below": "verdict_below", "above": "verdict_above",
           "absolute": "verdict_absolute", "no_room": "verdict_no_room"}
"""Where the profit uplift falls against Reichheld's band (``ProfitVerdict.position``)."""
VERDICT_REASON = {
    "short_lifetime": "reason_short_lifetime",
    "flat_profits": "reason_flat_profits",
    "high_discount": "reason_high_discount",
    "near_zero": "reason_near_zero",
    "long_lifetime": "reason_long_lifetime",
    "capped": "reason_capped",
}
"""Why the profit uplift is off the band (``ProfitVerdict.reasons``)."""
PROFIT_VALUE = {True: ("profit_value_before", "profit_value_after"),
                False: ("profit_value_before_no_cac", "profit_value_after_no_cac")}
"""The Profit page's value cards before and after, by whether a CAC is known (without one the value has no CAC
subtracted)."""

REPORT_SEED = {"000": "report_seed_000", "001": "report_seed_001"}
"""A seed article's title in the report, by its number in the docstrings' "seed article 000"."""
REPORT_FORMULA_TITLE = {
    "retention_cost_per_customer": "report_formula_retention_cost_per_customer",
    "annual_retention_rate": "report_formula_annual_retention_rate",
    "margin_per_customer_year": "report_formula_margin_per_customer_year",
    "simple_clv": "report_formula_simple_clv",
    "margin_multiple_clv": "report_formula_margin_multiple_clv",
    "finite_horizon_clv": "report_formula_finite_horizon_clv",
    "lifetime_retention_cost": "report_formula_lifetime_retention_cost",
    "clv_gap": "report_formula_clv_gap",
    "net_value": "report_formula_net_value",
    "break_even_retention_spend": "report_formula_break_even_retention_spend",
    "clv_to_cac": "report_formula_clv_to_cac",
    "tenure_profit_value": "report_formula_tenure_profit_value",
    "retention_uplift": "report_formula_retention_uplift",
    "net_revenue_retention": "report_formula_net_revenue_retention",
    "gross_revenue_retention": "report_formula_gross_revenue_retention",
    "bridge_ending": "report_formula_bridge_ending",
}
"""A report formula's title in another language than the docstring's English, by the function's name."""
REPORT_FORMULA_LINE = {
    "retention_cost_per_customer": "report_formula_line_retention_cost_per_customer",
    "annual_retention_rate": "report_formula_line_annual_retention_rate",
    "margin_per_customer_year": "report_formula_line_margin_per_customer_year",
    "simple_clv": "report_formula_line_simple_clv",
    "clv_gap": "report_formula_line_clv_gap",
    "net_value": "report_formula_line_net_value",
    "retention_uplift": "report_formula_line_retention_uplift",
    "net_revenue_retention": "report_formula_line_net_revenue_retention",
    "gross_revenue_retention": "report_formula_line_gross_revenue_retention",
    "bridge_ending": "report_formula_line_bridge_ending",
}
"""A report formula's line where it has words to translate, by the function's name (its English text is the
docstring's formula line; the others are symbols only)."""


INPUT_SOURCE = {"measured": "input_source_measured", "assumed": "input_source_assumed",
                "yours": "input_source_yours"}
"""A what-if input's marker by :func:`retention_views.whatif.input_source`: measured from the data, assumed, or the
user's own value."""
