"""Plotly figure builders: small frames or result dataclasses in, ``go.Figure`` out.

Every chart has a translated title and axis titles with units, locale separators (``1.234,5`` in German) and
the palette of :mod:`.common`, so the pages look alike. Percent axes receive fractions and format them as percent.
Each builder writes its traces and layout settings as dicts and makes the figure in one ``go.Figure`` call
(:func:`.common.figure`).

One module per page group: :mod:`.common` (palette, axes, the figure helper), :mod:`.retention` (Overview trend
and benchmark, Loyalty's NPS), :mod:`.costs`, :mod:`.value` (CLV and Retention → profit), :mod:`.predictive`
(BG/NBD + Gamma-Gamma on the CLV page), :mod:`.cohorts`, :mod:`.revenue` (revenue retention) and
:mod:`.comparison` (the Scenarios page). This file lists the chart functions.
"""

from retention_views.charts.cohorts import (
    cohort_curves_chart,
    cohort_heatmap,
    cohort_projection_chart,
    cohort_revenue_chart,
)
from retention_views.charts.common import PALETTE, SCENARIO_COLOURS, period_labels
from retention_views.charts.comparison import clv_steps_chart, cost_per_customer_compare_chart, uplift_curves_chart
from retention_views.charts.costs import cac_band_chart, cost_per_customer_chart, cost_stack_chart
from retention_views.charts.predictive import (
    calibration_holdout_chart,
    predictive_clv_histogram,
    predictive_clv_histogram_note,
    probability_alive_histogram,
)
from retention_views.charts.retention import industry_benchmark_chart, nps_chart, retention_trend_chart
from retention_views.charts.revenue import cohort_nrr_heatmap, revenue_bridge_chart, revenue_retention_chart
from retention_views.charts.segments import (
    not_placeable,
    placeable,
    segment_uplift_chart,
    segment_value_chart,
    unplaced,
)
from retention_views.charts.value import (
    base_growth_chart,
    clv_cac_chart,
    clv_comparison_chart,
    clv_waterfall_chart,
    profit_by_tenure_chart,
    uplift_curve_chart,
)

__all__ = [
    "not_placeable", "placeable", "segment_uplift_chart", "segment_value_chart", "unplaced",
    "PALETTE",
    "SCENARIO_COLOURS",
    "base_growth_chart",
    "cac_band_chart",
    "calibration_holdout_chart",
    "clv_cac_chart",
    "clv_comparison_chart",
    "clv_steps_chart",
    "clv_waterfall_chart",
    "cohort_curves_chart",
    "cohort_heatmap",
    "cohort_nrr_heatmap",
    "cohort_projection_chart",
    "cohort_revenue_chart",
    "cost_per_customer_chart",
    "cost_per_customer_compare_chart",
    "cost_stack_chart",
    "industry_benchmark_chart",
    "nps_chart",
    "period_labels",
    "predictive_clv_histogram",
    "predictive_clv_histogram_note",
    "probability_alive_histogram",
    "retention_trend_chart",
    "revenue_bridge_chart",
    "revenue_retention_chart",
    "uplift_curve_chart",
    "uplift_curves_chart",
]
