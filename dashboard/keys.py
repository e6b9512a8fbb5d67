"""Every ``st.session_state`` key the dashboard's glue uses, defined once.

The sidebar's settings are widget keys and, under the same names, URL parameters
(:data:`retention_views.url_params.SIDEBAR_KEYS`). The widget keys of the pages' what-if inputs are their URL
parameter names (:data:`retention_views.url_params.PARAMS`) and are not repeated here.
"""

from __future__ import annotations

# the sidebar's settings (widget keys and URL parameters)
LANG = "app_lang"
CURRENCY = "app_currency"
PERIOD = "app_period"
ACTIVITY = "app_activity_months"
SOURCE = "app_source"

# the user's data: uploads, the data set made of them, and the per-session caches of what is computed from it
UPLOADS = "data_uploads"
DATASET = "data_dataset"
AGGREGATES = "data_aggregates"
FACTS = "data_facts"
FORECASTS = "data_forecasts"
FORECAST_BASES = "data_forecast_bases"
CUSTOMER_LISTS = "data_customer_lists"
CUSTOMER_VALUES = "data_customer_values"
FIGURES = "data_figures"
SEGMENT_BASES = "data_segment_bases"
SEGMENT_PREDICTIVE = "data_segment_predictive"
SEGMENT_LABELS = "data_segment_labels"
SEGMENT_REPLICATES = "data_segment_replicates"
BACKGROUND_JOBS = "data_background_jobs"  # this session's work done ahead (dashboard.background)
SEGMENT_PARTS_AHEAD = "data_segment_parts_ahead"  # a background job's name: a dimension's parts of an upload
COHORT_FITS = "data_cohort_fits"  # the background jobs started for an upload's sBG fits of a period, and their name
SEGMENT_VIEWS = "data_segment_views"

# the scenario: its values, the saved ones, the link's reading and the number fields' refused entries
SCENARIO = "scenario_values"
SAVED_SCENARIOS = "scenario_saved"
LINK_READ = "scenario_link_read"
LINK_CHECKED = "scenario_link_checked"
LINK_REJECTED = "scenario_link_rejected"
SHOWN_LANG = "scenario_shown_lang"
LANG_CHANGED = "scenario_lang_changed"
NUMBER_ERRORS = "scenario_number_errors"
BOUND_ON_PAGE = "scenario_bound_on_page"  # widget key -> the page its widget was last shown on

# the frame: a failed callback's incident code, this session's place in the work queue, the block run counts
CALLBACK_ERROR = "app_callback_error"
WORK_OWNER = "work_owner"
BLOCK_RUNS = "app_block_runs"
FIRST_PAINT = "app_first_paint"  # the session's first run leaves its charts to the next (dashboard.first_paint)
FIRST_PAINT_SIGNAL = "app_first_paint_signal"  # the browser's "painted" that starts that next run
PAGE = "app_page"  # the page this run shows (its URL path), set by the frame
