"""Segments from the sheets, end to end through aggregate(): the customers sheet's attributes as dimensions, the cost
sheets' segment column as each segment's own spend, and whole-business figures the customers sheet leaves alone.

The orders are ``three_years`` of tests/hand_orders.py (E = 2024-12-31: L = 2024) plus G, first order on
2024-09-01: customers won in L are E and G; buyers in L are A, C, E, F, G (B only returned in 2024).
The customers sheet: A web (and a second row, shop, that does not count), B shop, C web, E web, F shop, G shop,
X web (no order); D is not listed. So web = {A, C, E}, shop = {B, F, G}, missing = {D}.
"""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from retention_core import segments
from retention_core.dataset import Dataset, aggregate
from retention_core.ingest import prepare_sheet
from hand_orders import orders, three_years_orders

CUSTOMERS_SHEET = pd.DataFrame({
    "customer_id": pd.array(["A", "B", "C", "E", "F", "G", "X", "A"], dtype="str"),
    "channel": pd.array(["web", "shop", "web", "web", "shop", "shop", "web", "shop"], dtype="str"),
    "region": pd.array([None] * 8, dtype="str"),  # a column without a value is no dimension
})
COSTS = pd.DataFrame({"period_start": pd.to_datetime(["2023-10-01", "2024-01-01", "2024-07-01"]),
                      "category": ["team", "team", "tools"], "amount": [999.0, 60.0, 40.0],
                      "segment": pd.array(["web", "web", None], dtype="str")})
ACQUISITION = pd.DataFrame({"period_start": pd.to_datetime(["2023-07-01", "2024-01-01", "2024-04-01", "2024-07-01"]),
                            "acquisition_spend": [500.0, 40.0, 10.0, 10.0],
                            "segment": pd.array(["web", "web", "shop", None], dtype="str")})


@pytest.fixture(scope="module")
def with_sheets():
    transactions = pd.concat([three_years_orders(), orders(("G", "2024-09-01", 30.0))], ignore_index=True)
    dataset = Dataset(transactions=transactions, retention_costs=COSTS, acquisition=ACQUISITION,
                      customers=CUSTOMERS_SHEET, key="sheets", name="sheets")
    return dataset, aggregate(dataset, "quarter", 12)


def test_the_customers_sheet_is_matched_to_the_orders_and_its_counts_add_up(with_sheets):
    _, aggregates = with_sheets
    match = aggregates.customers_sheet
    assert (match.rows, match.listed, match.repeated_rows) == (8, 7, 1)  # rows = listed + repeated
    assert (match.in_orders, match.not_in_orders, match.unlisted) == (6, 1, 1)  # X has no order; D is not listed
    attributes = aggregates.customer_attributes
    assert attributes["customer_id"].tolist() == ["A", "B", "C", "D", "E", "F", "G"]  # the summary's customers
    channels = [None if pd.isna(value) else value for value in attributes["channel"]]
    assert channels == ["web", "shop", "web", None, "web", "shop", "shop"]  # A's first row counts; D unlisted
    assert list(attributes.columns) == ["customer_id", "channel"]


def test_each_attribute_of_the_customers_sheet_is_a_dimension_named_as_its_column(with_sheets):
    _, aggregates = with_sheets
    assert segments.available_dimensions_of(aggregates) == (
        "acquisition_year", "rfm", "first_order_value", "channel")
    assert segments.customer_attribute_of("channel") == "channel"
    assert segments.customer_attribute_of("rfm") is None
    bases = segments.dimension_bases(aggregates, "channel", min_customers=1)
    # three customers each: ties in order of the label
    assert bases.rows == (("shop", "segment", 1), ("web", "segment", 1), (None, "missing", 0))
    assert bases.customer_counts == (3, 3, 1)  # D, not listed, is "missing"
    with pytest.raises(ValueError, match="dimension 'channel' needs the customers sheet"):
        segments.assign("channel", aggregates.customers)
    with pytest.raises(ValueError, match=r"dimension must be one of .*, channel, region, customer_type, branch, "
                                         r"got 'kanal'"):
        segments.assign("kanal", aggregates.customers)


def test_cac_per_channel_comes_from_the_acquisition_sheets_channel_column(with_sheets):
    _, aggregates = with_sheets
    figures = segments.segment_figures(segments.dimension_bases(aggregates, "channel", min_customers=1),
                                       gross_margin=0.5, annual_discount_rate=0.1)
    table = figures.table
    assert figures.bases.acquisition_cost_source == "segment_column"
    # in L: web 40, shop 10 of their own; the 10 without a channel by customers won in L, E (web) : G (shop) = 1 : 1
    # (the 500 are dated before L)
    assert table["acquisition_spend"].tolist() == pytest.approx([15.0, 45.0, 0.0])  # shop, web, missing
    assert table["new_customers"].tolist() == [1, 1, 0]
    assert table["acquisition_cost"].tolist()[:2] == pytest.approx([15.0, 45.0])  # CAC per channel
    assert pd.isna(table["acquisition_cost"].tolist()[2])  # D's row won nobody: unknown, not 0
    assert figures.whole["acquisition_cost"].iloc[0] == pytest.approx(60.0 / 2)


def test_retention_cost_per_segment_comes_from_the_cost_sheets_segment_column(with_sheets):
    _, aggregates = with_sheets
    bases = segments.dimension_bases(aggregates, "channel", min_customers=1)
    table = segments.segment_figures(bases, gross_margin=0.5, annual_discount_rate=0.1).table
    assert bases.retention_cost_source == "segment_column"
    # web 60 of its own + 40 · 3/5 (buyers in L: web A, C, E; shop F, G); shop 40 · 2/5; D bought nothing in L
    assert table["retention_spend"].tolist() == pytest.approx([16.0, 84.0, 0.0])  # shop, web, missing
    assert table["retention_cost_per_customer"].tolist()[:2] == pytest.approx([8.0, 28.0])


def test_a_segment_column_that_names_no_segment_of_the_dimension_is_allocated(with_sheets):
    _, aggregates = with_sheets
    bases = segments.dimension_bases(aggregates, "acquisition_year", min_customers=1)  # channels are no years
    assert (bases.retention_cost_source, bases.acquisition_cost_source) == ("allocated", "allocated")


def test_whole_business_figures_are_the_same_with_and_without_the_customers_sheet(with_sheets):
    dataset, with_customers = with_sheets
    without = aggregate(dataclasses.replace(dataset, customers=None), "quarter", 12)
    assert without.customer_attributes is None and without.customers_sheet is None
    assert with_customers.basis == without.basis
    for name in ("activity", "cohorts", "tenure", "customers", "costs", "acquisition", "revenue"):
        pd.testing.assert_frame_equal(getattr(with_customers, name), getattr(without, name), obj=name)
    assert with_customers.sheets == (*without.sheets, "customers")


def test_a_prepared_customers_sheet_gives_the_same_segments_as_its_text(with_sheets):
    dataset, from_text = with_sheets
    prepared = prepare_sheet(CUSTOMERS_SHEET, "customers")
    assert isinstance(prepared.frame["channel"].dtype, pd.CategoricalDtype)  # as it is held while the data set lives
    from_categories = aggregate(dataclasses.replace(dataset, customers=prepared.frame), "quarter", 12)
    pd.testing.assert_frame_equal(from_categories.customer_attributes, from_text.customer_attributes)
    assert from_categories.customers_sheet == from_text.customers_sheet
    assert from_categories.basis == from_text.basis
    for min_customers in (1, 4):  # the segments, and "other" for the small ones
        made = segments.dimension_bases(from_categories, "channel", min_customers=min_customers)
        expected = segments.dimension_bases(from_text, "channel", min_customers=min_customers)
        assert (made.rows, made.customer_counts) == (expected.rows, expected.customer_counts)
        pd.testing.assert_frame_equal(
            segments.segment_figures(made, gross_margin=0.5, annual_discount_rate=0.1).table,
            segments.segment_figures(expected, gross_margin=0.5, annual_discount_rate=0.1).table)
