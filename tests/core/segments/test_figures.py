"""Per-segment figures: worked out by hand on six customers, adding up to the whole, costs split and pooled.

``three_years`` (E = 2024-12-31: L = 2024, P = 2023), as in tests/hand_orders.py:
A: 2022, 2023, 2024 (75 in all, 60 in L on two days); B: 2023, a return of 5 in 2024 (10 in all, −5 in L);
C: 2023 and 2024 (52 in all, 40 in L); D: 2022 only (9); E: first order in 2024 (47 net in L); F: 2022, back in
2024 (29 in all, 25 in L). Channels: web = {A, C, E}, shop = {B, D, F}.

- whole: P buyers {A, B, C}, retained {A, C}: r = 2/3; L buyers {A, C, E, F} = 4; first in L {E}; revenue L 167.
- web: P {A, C}, both retained: r = 1; L buyers {A, C, E} = 3; first in L {E} = 1; revenue L 60 + 40 + 47 = 147;
  occasions in L 2 + 1 + 1 = 4, repeat buyers {A} = 1; all-time revenue 75 + 52 + 47 = 174.
- shop: P {B}, not retained: r = 0; L buyers {F} = 1; nobody first in L; revenue L −5 + 0 + 25 = 20; occasions 1;
  all-time revenue 10 + 9 + 29 = 48.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import segments
from retention_core.customer_value import annual_basis
from retention_core.dataset import Dataset, aggregate
from retention_core.segments import costs
from retention_views.page_results import Assumptions, clv_defaults, clv_scenario
from hand_orders import three_years_orders

GROSS_MARGIN, DISCOUNT = 0.5, 0.1
CHANNEL = {"A": "web", "C": "web", "E": "web", "B": "shop", "D": "shop", "F": "shop"}


@pytest.fixture(scope="module")
def three_years():
    transactions = three_years_orders()
    costs_sheet = pd.DataFrame({"period_start": pd.to_datetime(["2023-10-01", "2024-01-01", "2024-07-01"]),
                                "category": ["team", "team", "tools"], "amount": [999.0, 60.0, 40.0],
                                "segment": pd.array(["web", "web", None], dtype="str")})
    acquisition = pd.DataFrame({"period_start": pd.to_datetime(["2024-01-01", "2024-04-01", "2024-07-01"]),
                                "acquisition_spend": [40.0, 10.0, 10.0],
                                "segment": pd.array(["web", "shop", None], dtype="str")})
    dataset = Dataset(transactions=transactions, retention_costs=costs_sheet[["period_start", "category", "amount"]],
                      acquisition=acquisition[["period_start", "acquisition_spend"]], key="t", name="t")
    return aggregate(dataset, "quarter", 12), costs_sheet, acquisition


def channels(customers: pd.DataFrame) -> pd.DataFrame:
    return segments.label_table(customers["customer_id"], customers["customer_id"].map(CHANNEL), ["web", "shop"])


def figures_of(aggregates, min_customers=1, **spend) -> segments.SegmentFigures:
    bases = segments.segment_bases(aggregates.customers, channels(aggregates.customers), aggregates.basis,
                                   min_customers=min_customers, **spend)
    return segments.segment_figures(bases, gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT)


def test_per_segment_figures_by_hand(three_years):
    aggregates, _, _ = three_years
    table = figures_of(aggregates).table.set_index("segment")
    assert list(table.index) == ["web", "shop"] and (table["kind"] == "segment").all()
    assert table["customers"].tolist() == [3, 3] and table["customer_share"].tolist() == [0.5, 0.5]
    assert table["revenue"].tolist() == [174.0, 48.0]
    assert table["buyers"].tolist() == [3, 1] and table["new_customers"].tolist() == [1, 0]
    assert table["retention_rate"].tolist() == [1.0, 0.0]
    assert table["revenue_last_year"].tolist() == [147.0, 20.0]
    assert table["repeat_purchase_rate"].tolist() == pytest.approx([1 / 3, 0.0])
    assert table["average_order_value"].tolist() == pytest.approx([147 / 4, 20.0])
    assert table["margin_per_year"].tolist() == pytest.approx([0.5 * 147 / 3, 10.0])
    web, shop = table.loc["web"], table.loc["shop"]
    # web: m = 24.5, r = 1: CLV = 24.5 · 1.1 / 0.1; no finite lifetime, so no simple CLV
    assert web["margin_multiple_clv"] == pytest.approx(269.5)
    assert pd.isna(web["simple_clv"]) and pd.isna(web["expected_lifetime_years"])
    assert web["finite_horizon_clv"] == pytest.approx(24.5 * sum(1.1 ** -t for t in range(5)))
    # shop: r = 0, a customer worth one year's margin in every form
    assert shop["margin_multiple_clv"] == shop["finite_horizon_clv"] == shop["simple_clv"] == pytest.approx(10.0)


def test_spend_is_allocated_by_customer_years_and_new_customers(three_years):
    aggregates, _, _ = three_years
    figures = figures_of(aggregates)
    table = figures.table.set_index("segment")
    assert (figures.bases.retention_cost_source, figures.bases.acquisition_cost_source) == ("allocated", "allocated")
    # retention spend in L 100 by buyers 3 : 1; every customer-year costs the whole's 25
    assert table["retention_spend"].tolist() == pytest.approx([75.0, 25.0])
    assert table["retention_cost_per_customer"].tolist() == pytest.approx([25.0, 25.0])
    # acquisition spend in L 60 by customers won in L 1 : 0; shop won nobody: CAC unknown, not 0
    assert table["acquisition_spend"].tolist() == pytest.approx([60.0, 0.0])
    assert table.loc["web", "acquisition_cost"] == pytest.approx(60.0)
    assert pd.isna(table.loc["shop", "acquisition_cost"])
    # web: lifetime retention cost 25 · 11, gap 269.5 − 275, net value gap − 60
    assert table.loc["web", "lifetime_retention_cost"] == pytest.approx(275.0)
    assert table.loc["web", "net_value"] == pytest.approx(269.5 - 275.0 - 60.0)
    assert table.loc["web", "clv_to_cac"] == pytest.approx(269.5 / 60)
    assert pd.isna(table.loc["shop", "net_value"]) and pd.isna(table.loc["shop", "clv_to_cac"])


def test_a_segment_column_on_the_sheets_gives_each_segment_its_own_spend(three_years):
    aggregates, costs_sheet, acquisition = three_years
    year_start, end = aggregates.basis.year_start, aggregates.basis.as_of
    retention = costs.retention_spend_by_segment(costs_sheet, year_start, end).set_index("segment")
    acquired = costs.acquisition_by_segment(acquisition, year_start, end).set_index("segment")
    # 999 is dated before L; the 40 without a segment form the row with a missing segment, last
    assert retention.index[0] == "web" and pd.isna(retention.index[1])
    assert retention["retention_spend"].tolist() == [60.0, 40.0] and retention["cost_rows"].tolist() == [1, 1]
    assert acquired["acquisition_spend"].tolist() == [10.0, 40.0, 10.0]  # shop, web, none
    figures = figures_of(aggregates, retention_spend_by_value=retention["retention_spend"],
                         acquisition_by_value=acquired)
    table = figures.table.set_index("segment")
    sources = (figures.bases.retention_cost_source, figures.bases.acquisition_cost_source)
    assert sources == ("segment_column", "segment_column")
    # web 60 of its own + 3/4 of the 40 without a segment; shop 0 + 1/4
    assert table["retention_spend"].tolist() == pytest.approx([90.0, 10.0])
    # web 40, shop 10 of their own; the 10 without a channel by customers won in L (web only)
    assert table["acquisition_spend"].tolist() == pytest.approx([50.0, 10.0])
    assert table.loc["web", "acquisition_cost"] == pytest.approx(50.0)
    assert pd.isna(table.loc["shop", "acquisition_cost"])  # 10 spent, nobody won: CAC unknown


@pytest.mark.parametrize("spend", ["allocated", "segment_column"])
def test_segments_add_up_to_the_whole(three_years, spend):
    aggregates, costs_sheet, acquisition = three_years
    extra = {}
    if spend == "segment_column":
        year_start, end = aggregates.basis.year_start, aggregates.basis.as_of
        extra = {"retention_spend_by_value": costs.retention_spend_by_segment(costs_sheet, year_start, end)
                 .set_index("segment")["retention_spend"],
                 "acquisition_by_value": costs.acquisition_by_segment(acquisition, year_start, end)
                 .set_index("segment")}
    figures = figures_of(aggregates, **extra)
    whole = figures.whole.iloc[0]
    for column in ("customers", "customer_share", "revenue", "buyers", "revenue_last_year", "new_customers",
                   "previous_year_buyers", "retained_buyers", "retention_spend", "acquisition_spend"):
        assert figures.table[column].sum() == pytest.approx(whole[column]), column
    assert (whole["customers"], whole["revenue"], whole["retention_spend"]) == (6, 222.0, 100.0)


def test_the_whole_row_is_the_clv_page_s_figures(three_years):
    aggregates, _, _ = three_years
    whole = figures_of(aggregates).whole.iloc[0]
    page = clv_scenario(clv_defaults(aggregates.basis, Assumptions(GROSS_MARGIN, DISCOUNT)))
    for name in ("margin_per_year", "expected_lifetime_years", "simple_clv", "margin_multiple_clv",
                 "finite_horizon_clv", "lifetime_retention_cost", "acquisition_cost", "clv_gap", "net_value",
                 "break_even_retention_spend", "clv_to_cac"):
        assert whole[name] == pytest.approx(getattr(page, name)), name
    assert whole["retention_rate"] == pytest.approx(2 / 3)


def test_the_retention_uplift_per_segment_by_hand(three_years):
    aggregates, _, _ = three_years
    bases = segments.segment_bases(aggregates.customers, channels(aggregates.customers), aggregates.basis,
                                   min_customers=1)
    uplift = segments.uplift_by_segment(bases, gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT)
    assert uplift["kind"].tolist() == ["segment", "segment", "whole"]
    web, shop, whole = (uplift.iloc[n] for n in range(3))
    # web retains everyone: no room for 5 more points
    assert web[["retention_before", "value_change"]].isna().all()
    # shop: m = 10, r = 0 -> 0.05, no CAC (nobody won): V = 10 before, 10 · 1.1 / 1.05 after
    assert (shop["retention_before"], shop["retention_after"]) == (0.0, pytest.approx(0.05))
    assert shop["value_before"] == pytest.approx(10.0)
    assert shop["value_change"] == pytest.approx(10 * 1.1 / 1.05 - 10)
    # the whole: m = 0.5 · 167 / 4, r = 2/3, CAC 60; the value before is the CLV page's margin-multiple CLV − CAC
    m = 0.5 * 167 / 4
    assert whole["value_before"] == pytest.approx(m * 1.1 / (1.1 - 2 / 3) - 60.0)
    assert whole["buyers"] == 4


def test_a_segment_s_basis_is_the_whole_s_definition_on_its_customers(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers
    # measured at the whole's anchor, the parts keep the whole's windows; the whole is unchanged by the anchor
    assert annual_basis(customers, as_of=aggregates.basis.as_of,
                        data_start=aggregates.basis.first_order) == annual_basis(customers)
    shop = customers[customers["customer_id"].isin(["B", "D", "F"])]
    # alone, shop's last order (2024-08-08) would move the windows; at the whole's anchor it does not
    assert annual_basis(shop).as_of == pd.Timestamp("2024-08-08")
    assert annual_basis(shop, as_of=aggregates.basis.as_of, data_start=aggregates.basis.first_order).buyers == 1


def test_labels_in_another_order_or_for_fewer_customers_are_matched_by_id(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers
    shuffled = channels(customers).iloc[[5, 3, 1, 4, 2, 0]]
    as_given = figures_of(aggregates).table
    bases = segments.segment_bases(customers, shuffled, aggregates.basis, min_customers=1)
    pd.testing.assert_frame_equal(segments.segment_figures(bases, gross_margin=GROSS_MARGIN,
                                                           annual_discount_rate=DISCOUNT).table, as_given)
    # without D's label: D is "missing", shop keeps B and F
    bases = segments.segment_bases(customers, shuffled[shuffled["customer_id"] != "D"], aggregates.basis,
                                   min_customers=1)
    assert [(row[1], count) for row, count in zip(bases.rows, bases.customer_counts)] == [
        ("segment", 3), ("segment", 2), ("missing", 1)]


def test_labels_for_text_ids_held_by_arrow_are_matched_by_id_in_arrow(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers.assign(customer_id=aggregates.customers["customer_id"].astype("str"))
    shuffled = channels(customers).iloc[[5, 3, 1, 4, 2, 0]]
    assert isinstance(shuffled["customer_id"].array, pd.arrays.ArrowStringArray)
    without_d = shuffled[shuffled["customer_id"] != "D"]
    segment = segments.aligned_labels(customers["customer_id"], without_d)
    assert [None if pd.isna(label) else label for label in segment] == ["web", "shop", "web", None, "web", "shop"]
    bases = segments.segment_bases(customers, without_d, aggregates.basis, min_customers=1)
    assert bases.customer_counts == (3, 2, 1)
    twice = pd.concat([shuffled, shuffled.iloc[[2]]])
    with pytest.raises(ValueError, match="a label table gives each customer one segment; 'B' has more than one row"):
        segments.segment_bases(customers, twice, aggregates.basis)


def test_a_label_table_shares_the_summary_s_ids(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers.assign(customer_id=aggregates.customers["customer_id"].astype("str"))
    for labels in (channels(customers), segments.by_rfm(customers), segments.by_acquisition_year(customers)):
        assert labels["customer_id"].array.__arrow_array__() is customers["customer_id"].array.__arrow_array__()


def test_the_customers_split_by_row_are_the_groups_in_the_table_s_order():
    table = pd.DataFrame({"revenue": [1.0, 2.0, 3.0, 4.0, 5.0], "orders": [1, 2, 3, 4, 5]})
    parts = list(segments.figures.row_parts(table, ["revenue"], pd.Series([2, 0, 2, 0, 0]).to_numpy(), 4))
    assert [part["revenue"].tolist() for part in parts] == [[2.0, 4.0, 5.0], [], [1.0, 3.0], []]
    assert [list(part.columns) for part in parts] == [["revenue"]] * 4


def test_rfm_groups_scored_a_year_ago_are_measured_on_what_they_did_after(three_years):
    aggregates, _, _ = three_years
    labels = segments.by_rfm_a_year_ago(three_years_orders(), aggregates.basis.year_start)
    # As of 2023-12-31: days since the last order A 274, B 244, C 355, D 729, F 668 -> recency scores 4, 5, 3, 1, 2;
    # occasions A 2, the rest 1 -> frequency scores A 5, the rest 1 (tied at the lowest rank). E came later.
    assert dict(zip(labels["customer_id"], labels["segment"])) == {
        "A": "loyal_customers", "B": "new_customers", "C": "about_to_sleep", "D": "hibernating", "F": "hibernating"}
    table = segments.segment_figures(segments.segment_bases(aggregates.customers, labels, aggregates.basis,
                                                            min_customers=1),
                                     gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT).table
    rows = table.set_index(table["segment"].where(table["kind"] == "segment", table["kind"]))
    # A (loyal) bought again in L; B (new a year ago) did not: retention 1 and 0, measured after the scoring
    assert rows.loc["loyal_customers", "retention_rate"] == 1.0 and rows.loc["new_customers", "retention_rate"] == 0.0
    assert rows.loc["missing", "customers"] == 1  # E


def test_small_segments_are_pooled_into_other_with_a_flag(three_years):
    aggregates, _, _ = three_years
    figures = figures_of(aggregates, min_customers=4)  # both channels have 3 customers
    assert figures.table[["kind", "labels", "customers"]].values.tolist() == [["other", 2, 6]]
    assert figures.bases.pooled == ("web", "shop") and figures.bases.min_customers == 4
    assert figures.table.loc[0, "retention_rate"] == pytest.approx(2 / 3)  # the pool of all is the whole


def test_customers_without_a_label_form_the_missing_row(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map({"A": "web", "C": "web"}),
                                  ["web"])
    bases = segments.segment_bases(customers, labels, aggregates.basis, min_customers=1)
    table = segments.segment_figures(bases, gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT).table
    assert table[["kind", "customers"]].values.tolist() == [["segment", 2], ["missing", 4]]
    assert table.loc[0, "segment"] == "web" and pd.isna(table.loc[1, "segment"])


def test_segments_need_the_basis_and_one_label_per_customer(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers
    with pytest.raises(ValueError, match=r"segments need the annual basis of the whole business \(Aggregates.basis\)"):
        segments.segment_bases(customers, channels(customers), None)
    twice = pd.concat([channels(customers), channels(customers).iloc[[2]]])
    with pytest.raises(ValueError, match="a label table gives each customer one segment; 'C' has more than one row"):
        segments.segment_bases(customers, twice, aggregates.basis)


def test_a_segment_without_a_customer_in_the_last_two_years_is_measured_as_unknown(three_years):
    aggregates, _, _ = three_years
    customers = aggregates.customers
    # D alone: one order in 2022, nobody in P or L: no retention, no margin, no CLV; nothing fails
    labels = segments.label_table(customers["customer_id"], customers["customer_id"].map({"D": "old"}), ["old"])
    table = segments.segment_figures(segments.segment_bases(customers, labels, aggregates.basis, min_customers=1),
                                     gross_margin=GROSS_MARGIN, annual_discount_rate=DISCOUNT).table
    old = table.iloc[0]
    assert (old["customers"], old["buyers"], old["revenue"]) == (1, 0, 9.0)
    assert old[["retention_rate", "margin_per_year", "margin_multiple_clv", "average_order_value"]].isna().all()


def test_pooling_keeps_the_largest_labels_up_to_the_row_limit():
    labels = pd.Series(pd.Categorical(list("aaabbbbccd") + [None], categories=list("abcde"), ordered=True))
    rows_of, rows, pooled = segments.pooled_rows(labels, min_customers=2, max_segments=3)
    # b (4) and a (3) keep rows, in category order; c (2) is beyond the limit, d (1) too small; e has nobody
    assert rows == [("a", "segment", 1), ("b", "segment", 1), (None, "other", 2), (None, "missing", 0)]
    assert pooled == ("c", "d") and rows_of.to_dict() == {"a": 0.0, "b": 1.0, "c": 2.0, "d": 2.0}
    with pytest.raises(ValueError, match="min_customers must be a whole number of at least 1, got 0"):
        segments.pooled_rows(labels, min_customers=0)
    with pytest.raises(ValueError, match="max_segments must be a whole number of at least 2, got 1"):
        segments.pooled_rows(labels, max_segments=1)


def test_allocation_splits_a_total_by_its_weights_and_knows_when_it_cannot():
    assert costs.allocate(100.0, pd.Series([3, 1])).tolist() == [75.0, 25.0]
    assert costs.allocate(100.0, pd.Series([0, 0])).isna().all()


@pytest.fixture
def sample(sample_dataset, sample_quarterly):
    """The embedded sample and its quarterly aggregates (the session's, made once per test run)."""
    return sample_dataset, sample_quarterly


@pytest.mark.parametrize("dimension", ["acquisition_year", "rfm", "first_order_value", "first_product"])
def test_every_dimension_of_the_sample_adds_up_to_the_whole(sample, dimension):
    data, aggregates = sample
    labels = segments.assign(dimension, aggregates.customers, segments.first_orders(data.transactions))
    bases = segments.segment_bases(aggregates.customers, labels, aggregates.basis)
    figures = segments.segment_figures(bases, gross_margin=0.4, annual_discount_rate=0.1)
    whole = figures.whole.iloc[0]
    assert whole["customers"] == 4000
    for column in ("customers", "revenue", "buyers", "revenue_last_year", "new_customers", "retention_spend",
                   "acquisition_spend"):
        assert figures.table[column].sum() == pytest.approx(whole[column], rel=1e-12), column
    measured = figures.table[figures.table["kind"] == "segment"]
    assert measured["customers"].min() >= segments.MIN_SEGMENT_CUSTOMERS


def test_nps_groups_of_the_sample_add_up_and_everyone_else_is_missing(sample):
    data, aggregates = sample
    labels = segments.by_nps_group(data.nps)
    figures = segments.segment_figures(segments.segment_bases(aggregates.customers, labels, aggregates.basis),
                                       gross_margin=0.4, annual_discount_rate=0.1)
    table = figures.table
    assert table["segment"].where(table["kind"] == "segment", table["kind"]).tolist() == [
        "promoter", "passive", "detractor", "missing"]
    assert table.loc[table["kind"] == "segment", "customers"].sum() == data.nps["customer_id"].nunique()
    assert table["customers"].sum() == 4000
    assert table["revenue"].sum() == pytest.approx(figures.whole.loc[0, "revenue"], rel=1e-12)
