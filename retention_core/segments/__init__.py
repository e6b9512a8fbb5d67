"""Segments: which customers are worth keeping, with the whole business's definitions (issue 26, domain core).

A *dimension* places each customer in one segment (:mod:`.assignment`: a label table ``customer_id``, ``segment``);
:func:`segment_bases` measures every segment like the whole business on the annual basis, with costs from a
segment column of the sheets or allocated (:mod:`.costs`), and pools segments too small to measure into "other"
(once per data set and dimension); :func:`segment_figures` reads the figures off it at a gross margin and
discount rate (per slider move, without touching a customer).

>>> first = first_orders(dataset.transactions)                                    # doctest: +SKIP
>>> labels = assign("first_product", aggregates.customers, first)                  # doctest: +SKIP
>>> bases = segment_bases(aggregates.customers, labels, aggregates.basis)          # doctest: +SKIP
>>> figures = segment_figures(bases, gross_margin=0.4, annual_discount_rate=0.1)   # doctest: +SKIP
"""

from __future__ import annotations

import pandas as pd

from retention_core.segments.assignment import (
    FIRST_ORDER_TIERS,
    NPS_GROUPS,
    RFM_GROUPS,
    RFM_SCORES,
    by_acquisition_year,
    by_customer_attribute,
    by_first_order_attribute,
    by_first_order_value,
    by_first_product,
    by_nps_group,
    by_rfm,
    by_rfm_a_year_ago,
    first_orders,
    label_table,
    quantile_scores,
    rfm_group,
    rfm_scores,
)
from retention_core.segments.customer_list import (
    CustomerList,
    CustomerValues,
    customer_list,
    customer_values,
    list_table,
    page_count,
    page_rows,
    predictive_mean_clv,
    probability_alive_drop,
    selected_rows,
    sorted_page,
    sorted_rows,
    valuable_and_at_risk,
)
from retention_core.segments.costs import (
    COST_SOURCES,
    acquisition_by_segment,
    allocate,
    retention_spend_by_segment,
)
from retention_core.segments.figures import (
    FIGURES,
    MAX_SEGMENTS,
    MIN_SEGMENT_CUSTOMERS,
    ROW_KINDS,
    SegmentBases,
    SegmentFigures,
    aligned_labels,
    pooled_rows,
    segment_bases,
    segment_figures,
    uplift_by_segment,
    values_of,
)

#: The dimensions :func:`assign` knows: those read off the customer summary, and those that need the first order
#: (:func:`first_orders`; ``first_product`` only with a product column, ``attribute`` only with an attribute).
DIMENSIONS = ("acquisition_year", "rfm", "first_order_value", "first_product", "attribute")
SUMMARY_DIMENSIONS = ("acquisition_year", "rfm")


def available_dimensions(has_products: bool, has_attribute: bool = False) -> tuple[str, ...]:
    """The dimensions a data set offers: always cohort, RFM and first-order value; first product with a product
    column; attribute with an attribute column on the transactions."""
    return tuple(name for name in DIMENSIONS
                 if (name != "first_product" or has_products) and (name != "attribute" or has_attribute))


def assign(dimension: str, customer_table: pd.DataFrame, first: pd.DataFrame | None = None) -> pd.DataFrame:
    """The label table of ``dimension`` (one of :data:`DIMENSIONS`).

    ``customer_table``: the customer summary (:attr:`retention_core.dataset.Aggregates.customers`); ``first``:
    :func:`first_orders` of the transactions, needed by every dimension outside :data:`SUMMARY_DIMENSIONS`.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join(DIMENSIONS)}, got {dimension!r}")
    if dimension == "acquisition_year":
        return by_acquisition_year(customer_table)
    if dimension == "rfm":
        return by_rfm(customer_table)
    if first is None:
        raise ValueError(f"dimension {dimension!r} needs the first orders (segments.first_orders)")
    return {"first_order_value": by_first_order_value, "first_product": by_first_product,
            "attribute": by_first_order_attribute}[dimension](first)


__all__ = [
    "COST_SOURCES", "DIMENSIONS", "FIGURES", "FIRST_ORDER_TIERS", "MAX_SEGMENTS", "MIN_SEGMENT_CUSTOMERS",
    "CustomerList", "CustomerValues",
    "NPS_GROUPS", "RFM_GROUPS", "RFM_SCORES", "ROW_KINDS", "SUMMARY_DIMENSIONS", "SegmentBases", "SegmentFigures",
    "acquisition_by_segment", "aligned_labels", "allocate", "assign", "available_dimensions", "by_acquisition_year",
    "by_customer_attribute", "by_first_order_attribute", "by_first_order_value", "by_first_product", "by_nps_group",
    "by_rfm",
    "by_rfm_a_year_ago", "customer_list", "customer_values", "first_orders", "label_table", "list_table",
    "page_count", "page_rows", "pooled_rows", "predictive_mean_clv", "probability_alive_drop", "quantile_scores",
    "retention_spend_by_segment", "rfm_group", "rfm_scores", "segment_bases", "segment_figures", "selected_rows",
    "sorted_page", "sorted_rows", "valuable_and_at_risk",
    "uplift_by_segment", "values_of",
]
