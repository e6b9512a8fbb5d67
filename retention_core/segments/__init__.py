"""Segments: which customers are worth keeping, with the whole business's definitions (issue 26, domain core).

A *dimension* places each customer in one segment (:mod:`.assignment`: a label table ``customer_id``, ``segment``);
:func:`segment_bases` measures every segment like the whole business on the annual basis, with costs from a
segment column of the sheets or allocated (:mod:`.costs`), and pools segments too small to measure into "other"
(once per data set and dimension); :func:`segment_figures` reads the figures off it at a gross margin and
discount rate (per slider move, without touching a customer). :func:`segment_replicates` resamples each segment's
customers once per data set and dimension, and :func:`segment_intervals` gives the segment table's 80 % intervals
at a gross margin and discount rate (per slider move: closed forms on the replicates, :mod:`.replicates`).

>>> first = first_orders(dataset.transactions)                                    # doctest: +SKIP
>>> labels = assign("first_product", aggregates.customers, first)                  # doctest: +SKIP
>>> bases = segment_bases(aggregates.customers, labels, aggregates.basis)          # doctest: +SKIP
>>> figures = segment_figures(bases, gross_margin=0.4, annual_discount_rate=0.1)   # doctest: +SKIP
>>> made = segment_replicates(aggregates.customers, labels, bases, whole=aggregates.basis_replicates)  # doctest: +SKIP
>>> sure = segment_intervals(made, gross_margin=0.4, annual_discount_rate=0.1)      # doctest: +SKIP

From the :class:`~retention_core.dataset.Aggregates` of any source (upload, sample, ``--data``, an aggregates
folder), which carry the first orders, the customers sheet's attributes and the cost sheets' spend per segment:

>>> for dimension in available_dimensions_of(aggregates):                          # doctest: +SKIP
...     bases = dimension_bases(aggregates, dimension)
"""

from __future__ import annotations

import pandas as pd

from retention_core.segments.assignment import (
    CustomersSheetMatch,
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
    customer_attributes,
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
    sheet_spend_for,
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
from retention_core.segments.replicates import (
    INTERVAL_FIGURES,
    SegmentIntervals,
    SegmentReplicates,
    segment_intervals,
    segment_replicates,
)

#: The dimensions :func:`assign` knows besides the customers sheet's: those read off the customer summary, and
#: those that need the first order (:func:`first_orders`; ``first_product`` only with a product column,
#: ``attribute`` only with an attribute column on the orders).
DIMENSIONS = ("acquisition_year", "rfm", "first_order_value", "first_product", "attribute")
SUMMARY_DIMENSIONS = ("acquisition_year", "rfm")

#: The dimensions of the customers sheet: one per attribute column, named as the column (``channel``, ``region``,
#: ``customer_type``, ``branch``; ``retention_core.ingest.CUSTOMER_ATTRIBUTES``), whose label names it.
from retention_core.ingest.contract import CUSTOMER_ATTRIBUTES as CUSTOMER_DIMENSIONS  # noqa: E402


def customer_attribute_of(dimension: str) -> str | None:
    """The customers-sheet attribute a dimension splits by (``"channel"`` -> ``"channel"``), None for the
    dimensions of :data:`DIMENSIONS`."""
    return dimension if dimension in CUSTOMER_DIMENSIONS else None


def available_dimensions(
    has_products: bool, has_attribute: bool = False, customer_attributes: tuple[str, ...] | list[str] = ()
) -> tuple[str, ...]:
    """The dimensions a data set offers: always cohort, RFM and first-order value; first product with a product
    column; attribute with an attribute column on the transactions; then each attribute column of the customers
    sheet (``customer_attributes``, e.g. ``("channel", "region")``), in the contract's order."""
    own = tuple(name for name in DIMENSIONS
                if (name != "first_product" or has_products) and (name != "attribute" or has_attribute))
    return own + tuple(name for name in CUSTOMER_DIMENSIONS if name in customer_attributes)


def available_dimensions_of(aggregates) -> tuple[str, ...]:
    """:func:`available_dimensions` of a :class:`~retention_core.dataset.Aggregates`, without making anything:
    cohort and RFM always; the first-order dimensions when its first orders are known or can be made (the order rows
    are there); one per attribute column of its customers sheet."""
    inputs = getattr(aggregates, "segment_inputs", None)
    own = available_dimensions(aggregates.has_products) if inputs is not None and inputs.has_first_orders \
        else SUMMARY_DIMENSIONS
    return own + tuple(name for name in CUSTOMER_DIMENSIONS
                       if inputs is not None and name in inputs.attribute_names)


def assign(
    dimension: str,
    customer_table: pd.DataFrame,
    first: pd.DataFrame | None = None,
    customer_attributes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The label table of ``dimension`` (one of :data:`DIMENSIONS` or :data:`CUSTOMER_DIMENSIONS`).

    ``customer_table``: the customer summary (:attr:`retention_core.dataset.Aggregates.customers`); ``first``:
    :func:`first_orders` of the transactions, needed by every dimension of :data:`DIMENSIONS` outside
    :data:`SUMMARY_DIMENSIONS`; ``customer_attributes``: :attr:`Aggregates.customer_attributes` (the customers
    sheet's attributes, one row per customer: :func:`customer_attributes`), needed by the
    :data:`CUSTOMER_DIMENSIONS`; a prepared customers sheet goes to :func:`by_customer_attribute` itself.
    """
    attribute = customer_attribute_of(dimension)
    if attribute is not None:
        if customer_attributes is None:
            raise ValueError(f"dimension {dimension!r} needs the customers sheet")
        return by_customer_attribute(customer_attributes, attribute, one_row_per_customer=True)
    if dimension not in DIMENSIONS:
        raise ValueError(f"dimension must be one of {', '.join((*DIMENSIONS, *CUSTOMER_DIMENSIONS))}, "
                         f"got {dimension!r}")
    if dimension == "acquisition_year":
        return by_acquisition_year(customer_table)
    if dimension == "rfm":
        return by_rfm(customer_table)
    if first is None:
        raise ValueError(f"dimension {dimension!r} needs the first orders (segments.first_orders)")
    return {"first_order_value": by_first_order_value, "first_product": by_first_product,
            "attribute": by_first_order_attribute}[dimension](first)


def dimension_bases(
    aggregates, dimension: str, *, min_customers: int = MIN_SEGMENT_CUSTOMERS, max_segments: int = MAX_SEGMENTS
) -> SegmentBases:
    """:func:`segment_bases` of one dimension of a :class:`~retention_core.dataset.Aggregates` (once per data set
    and dimension; the figures at any margin and discount rate are then :func:`segment_figures`).

    The labels come from :func:`assign` with the aggregates' first orders and customers-sheet attributes; the
    retention and acquisition spend from the cost sheets' segment column where its values name this dimension's
    segments (:func:`sheet_spend_for`), else allocated.
    """
    labels = assign(dimension, aggregates.customers, getattr(aggregates, "first_orders", None),
                    getattr(aggregates, "customer_attributes", None))
    retention = getattr(aggregates, "retention_spend_by_segment", None)
    acquisition = getattr(aggregates, "acquisition_by_segment", None)
    return segment_bases(
        aggregates.customers, labels, aggregates.basis,
        retention_spend_by_value=sheet_spend_for(labels, retention, "retention_spend"),
        acquisition_by_value=sheet_spend_for(labels, acquisition, ["acquisition_spend", "sheet_new_customers"]),
        min_customers=min_customers, max_segments=max_segments,
    )


__all__ = [
    "COST_SOURCES", "CUSTOMER_DIMENSIONS", "CustomerList", "CustomerValues",
    "CustomersSheetMatch", "DIMENSIONS", "FIGURES", "FIRST_ORDER_TIERS", "INTERVAL_FIGURES", "MAX_SEGMENTS",
    "MIN_SEGMENT_CUSTOMERS", "SegmentIntervals", "SegmentReplicates", "segment_intervals", "segment_replicates",
    "NPS_GROUPS", "RFM_GROUPS", "RFM_SCORES", "ROW_KINDS", "SUMMARY_DIMENSIONS", "SegmentBases", "SegmentFigures",
    "acquisition_by_segment", "aligned_labels", "allocate", "assign", "available_dimensions",
    "available_dimensions_of", "by_acquisition_year", "by_customer_attribute", "by_first_order_attribute",
    "by_first_order_value", "by_first_product", "by_nps_group", "by_rfm", "by_rfm_a_year_ago",
    "customer_attribute_of", "customer_attributes", "customer_list", "customer_values",
    "dimension_bases", "first_orders", "label_table", "list_table", "page_count", "page_rows", "pooled_rows",
    "predictive_mean_clv", "probability_alive_drop", "quantile_scores", "retention_spend_by_segment", "rfm_group",
    "rfm_scores", "segment_bases", "segment_figures", "selected_rows", "sheet_spend_for", "sorted_page",
    "sorted_rows", "valuable_and_at_risk",
    "uplift_by_segment", "values_of",
]
