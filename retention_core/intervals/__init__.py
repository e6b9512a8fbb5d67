"""How sure we are: bootstrap replicates of the annual basis and the intervals they give every customer-value figure.

The measured inputs of customer value (:class:`~retention_core.customer_value.AnnualBasis`) are sums over customers.
Resampling the customers gives replicates of those sums, and every figure computed from a replicate by the same
function that computes it from the data (:func:`retention_views.whatif.clv_result`, ...) gives a replicate of the
figure. The middle 80 % of the replicates is the figure's 80 % interval.

The resampling is the Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012): each customer enters a
replicate with a weight drawn from Poisson(1), independently, so a replicate is a weighted sum over the customer
table, computed for all replicates at once as one matrix product per chunk of customers. It is the ordinary
bootstrap (resampling n customers with replacement) up to a random sample size, which does not matter for the
ratios of customer value. What each interval covers: the sampling error of the measured inputs given the model
(which customers happened to buy in the two windows). What it does not cover: model error (retention that is not
geometric, margins that change), and inputs the user typed in or that the data does not measure (gross margin,
discount rate, spend amounts), which carry no uncertainty of their own.

The Retention → profit simulator's default profits by customer year are resampled in the same draw: each
customer's revenue and activity in tenure years 1 … :data:`TENURE_YEARS` are further columns of the same
per-customer table (:class:`ReplicateColumns`), so a replicate weighs a customer alike in retention and in the
tenure profits (:attr:`BasisReplicates.tenure_revenue_per_active`). :func:`thin_data` decides when a figure's
answer rests on thin data (a wide interval, or a model fitted on few customers): the page then says so beside it.

One module per part of the work; this file lists their public API, so ``intervals.<name>`` reaches each one:

* :mod:`.resampling`: the Poisson bootstrap itself: the weights, the replicate sums of a per-customer table (drawn,
  or for many customers from their normal distribution), the number of replicates and the seed.
* :mod:`.replicate_columns`: the per-customer table a bootstrap resamples (the annual basis's columns and the tenure
  years' revenue and activity).
* :mod:`.replicates`: the replicates of the annual basis and the measurements on them.
* :mod:`.percentiles`: a figure's interval from its replicates (the percentile interval); the NPS's interval from
  the survey's answers.
* :mod:`.caveats`: whether an interval is worth showing, and whether a figure rests on thin data.

Nothing here imports streamlit or UI text.
"""

from retention_core.intervals.caveats import THIN_FIT_FACTOR, ThinData, informative, thin_data
from retention_core.intervals.percentiles import (
    LEVEL,
    WIDE_SHARE,
    Interval,
    nps_interval,
    percentile_bounds,
    percentile_interval,
)
from retention_core.intervals.replicate_columns import (
    REPLICATE_COLUMNS,
    TENURE_YEARS,
    ReplicateColumns,
    basis_columns,
    customer_tenure_positions,
)
from retention_core.intervals.replicates import BasisReplicates, basis_replicates, replicates_from_sums
from retention_core.intervals.resampling import (
    CUSTOMERS_PER_CHUNK,
    CUSTOMERS_PER_MOMENT_CHUNK,
    EXACT_CUSTOMERS,
    REPLICATES,
    SEED,
    bootstrap_sums,
    poisson_weights,
    replicate_sums,
)

__all__ = [
    "CUSTOMERS_PER_CHUNK", "CUSTOMERS_PER_MOMENT_CHUNK", "EXACT_CUSTOMERS", "LEVEL", "REPLICATES", "REPLICATE_COLUMNS",
    "SEED", "TENURE_YEARS", "THIN_FIT_FACTOR", "WIDE_SHARE", "BasisReplicates", "Interval", "ReplicateColumns",
    "ThinData", "basis_columns", "basis_replicates", "bootstrap_sums", "customer_tenure_positions", "informative",
    "nps_interval", "percentile_bounds", "percentile_interval", "poisson_weights",
    "replicate_sums", "replicates_from_sums", "thin_data",
]
