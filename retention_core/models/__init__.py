"""Buy-till-you-die and contractual retention models, fitted by maximum likelihood, and what the pages make of them.

One module per model, as in lifetimes and pymc-marketing:

* :mod:`.bg_nbd` — purchase counts (Fader, Hardie & Lee 2005, "'Counting Your Customers' the Easy Way").
* :mod:`.gamma_gamma` — spend per purchase (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value").
* :mod:`.sbg` — contractual retention, the shifted-beta-geometric model (Fader & Hardie 2007, "How to Project
  Customer Retention"; 2010, "Customer-Base Valuation in a Contractual Setting").

Around them: :mod:`.fitting` (the shared optimiser and argument checks), :mod:`.summaries` (customer summaries from
transactions by SQL, the calibration/holdout split, whether data suit the models), :mod:`.btyd` (both BTYD models
fitted once to a data set, with the holdout check), :mod:`.forecast` (the slider-free part of every customer's
forecast), :mod:`.parameter_uncertainty` (how sure that forecast is), :mod:`.clv` (predicted CLV per customer and per
slider setting), :mod:`.distribution` (histogram, median and top values of many CLVs in one pass) and
:mod:`.cohorts` (sBG projections of a data set's cohort curves).

Conventions: times in the summary's time unit ("D", "W" or "M"), horizons in months, rates and margins fractions,
money in the data's currency. A fit never raises on data it accepted (``converged=False`` with a ``message``
instead); forecasts refuse a fit that did not converge and never return NaN or infinity.
"""

from retention_core.models.bg_nbd import (
    BgNbdFit,
    bg_nbd_conditional_expected_purchases,
    bg_nbd_expected_purchases,
    bg_nbd_expected_purchases_if_alive,
    bg_nbd_log_likelihood,
    bg_nbd_probability_alive,
    bg_nbd_purchase_probability,
    fit_bg_nbd,
)
from retention_core.models.btyd import (
    CALIBRATION_GROUPS,
    FIT_CUSTOMERS,
    HOLDOUT_SHARE,
    MAX_HOLDOUT_WEEKS,
    REASONS,
    TIME_UNIT,
    PredictiveModels,
    fit_predictive_models,
    fit_sample,
    holdout_length_weeks,
    reason_params,
    with_uncertainty,
)
from retention_core.models.clv import (
    HISTOGRAM_BINS,
    MAX_HORIZON_MONTHS,
    TOP_CUSTOMERS,
    PredictiveClvResult,
    PredictiveClvSummary,
    check_clv_inputs,
    predictive_clv,
    predictive_clv_scenario,
    predictive_clv_summary,
)
from retention_core.models.cohorts import MIN_COHORT_PERIODS, CohortCurve, CohortFits, fit_cohorts, project_cohorts
from retention_core.models.distribution import clv_distribution
from retention_core.models.forecast import (MAX_FORECAST_MONTHS, ForecastBasis, forecast_basis,
                                            growing_forecast_bases)
from retention_core.models.gamma_gamma import (
    GammaGammaFit,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    gamma_gamma_log_likelihood,
)
from retention_core.models.parameter_uncertainty import PredictiveUncertainty
from retention_core.models.sbg import (
    SbgFit,
    discounted_expected_lifetime,
    discounted_expected_residual_lifetime,
    fit_shifted_beta_geometric,
    sbg_churn_probability,
    sbg_log_likelihood,
    sbg_retention_rate,
    sbg_survival,
)
from retention_core.models.summaries import (
    BTYD_COLUMNS,
    DAYS_PER_YEAR,
    MIN_CUSTOMERS,
    MIN_HISTORY_DAYS,
    MIN_REPEAT_CUSTOMERS,
    TIME_UNIT_DAYS,
    assess_btyd_data,
    btyd_summary,
    calibration_holdout_split,
    rfm_summary,
)

__all__ = [
    # customer summaries and data checks
    "BTYD_COLUMNS", "DAYS_PER_YEAR", "MIN_CUSTOMERS", "MIN_HISTORY_DAYS", "MIN_REPEAT_CUSTOMERS", "TIME_UNIT_DAYS",
    "assess_btyd_data", "btyd_summary", "calibration_holdout_split", "rfm_summary",
    # BG/NBD
    "BgNbdFit", "bg_nbd_conditional_expected_purchases", "bg_nbd_expected_purchases",
    "bg_nbd_expected_purchases_if_alive", "bg_nbd_log_likelihood", "bg_nbd_probability_alive",
    "bg_nbd_purchase_probability", "fit_bg_nbd",
    # Gamma-Gamma
    "GammaGammaFit", "fit_gamma_gamma", "gamma_gamma_expected_spend", "gamma_gamma_log_likelihood",
    # sBG
    "SbgFit", "discounted_expected_lifetime", "discounted_expected_residual_lifetime", "fit_shifted_beta_geometric",
    "sbg_churn_probability", "sbg_log_likelihood", "sbg_retention_rate", "sbg_survival",
    # a data set's BTYD fits and their forecasts
    "CALIBRATION_GROUPS", "FIT_CUSTOMERS", "HOLDOUT_SHARE", "MAX_FORECAST_MONTHS", "MAX_HOLDOUT_WEEKS", "REASONS",
    "TIME_UNIT", "ForecastBasis", "PredictiveModels", "fit_predictive_models", "fit_sample", "forecast_basis",
    "growing_forecast_bases", "holdout_length_weeks", "reason_params", "with_uncertainty",
    # how sure the predicted CLV is (the parameters' sampling error)
    "PredictiveUncertainty",
    # predicted CLV
    "HISTOGRAM_BINS", "MAX_HORIZON_MONTHS", "TOP_CUSTOMERS", "PredictiveClvResult", "PredictiveClvSummary",
    "check_clv_inputs", "clv_distribution", "predictive_clv", "predictive_clv_scenario", "predictive_clv_summary",
    # cohort projections (sBG)
    "MIN_COHORT_PERIODS", "CohortCurve", "CohortFits", "fit_cohorts", "project_cohorts",
]
