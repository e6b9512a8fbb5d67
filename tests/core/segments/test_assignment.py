"""Segment assignment on tiny frames whose labels and scores are worked out by hand in each test."""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import segments
from retention_core.segments import assignment


def summary(*rows: tuple) -> pd.DataFrame:
    """A customer summary from (customer, first order, last order, occasions, revenue) rows (None: no order)."""
    frame = pd.DataFrame(rows, columns=["customer_id", "first_order", "last_order", "occasions", "revenue"])
    return frame.assign(first_order=pd.to_datetime(frame["first_order"]),
                        last_order=pd.to_datetime(frame["last_order"]))


def labels_of(table: pd.DataFrame) -> dict:
    return {customer: (None if pd.isna(label) else label)
            for customer, label in zip(table["customer_id"], table["segment"])}


# --- quantile scores ------------------------------------------------------------------------------------------


def test_distinct_values_score_one_to_five_in_rank_order():
    # ranks 3, 1, 5, 2, 4 of five: ⌊5 · (ρ − 1) / 5⌋ + 1 = ρ
    assert segments.quantile_scores(pd.Series([30.0, 10.0, 50.0, 20.0, 40.0]), 5).tolist() == [3, 1, 5, 2, 4]


def test_tied_values_share_the_score_of_their_lowest_rank():
    # [10, 20, 20, 30, 40]: ranks (ties lowest) 1, 2, 2, 4, 5 -> scores 1, 2, 2, 4, 5
    assert segments.quantile_scores(pd.Series([10.0, 20.0, 20.0, 30.0, 40.0]), 5).tolist() == [1, 2, 2, 4, 5]
    # four of six tied at the bottom: ranks 1, 1, 1, 1, 5, 6 -> ⌊3 · (ρ − 1) / 6⌋ + 1 = 1, 1, 1, 1, 3, 3
    assert segments.quantile_scores(pd.Series([1.0, 1, 1, 1, 2, 3]), 3).tolist() == [1, 1, 1, 1, 3, 3]


def test_a_missing_value_has_no_score_and_does_not_count_in_the_ranks():
    scores = segments.quantile_scores(pd.Series([None, 1.0, 2.0]), 2)
    assert pd.isna(scores[0]) and scores[1:].tolist() == [1, 2]


def test_scores_must_be_a_whole_number_of_at_least_one():
    with pytest.raises(ValueError, match="scores must be a whole number of at least 1, got 0"):
        segments.quantile_scores(pd.Series([1.0]), 0)


# --- RFM ------------------------------------------------------------------------------------------------------


@pytest.fixture
def five_customers() -> pd.DataFrame:
    """E = 2024-12-31 (V's last order). Recency in days: V 0, W 30, X 184, Y 365, Z 730 -> scores 5, 4, 3, 2, 1.
    Occasions V 10, W 1, X 5, Y 7, Z 3 -> frequency scores 5, 1, 3, 4, 2; revenue V 500, W 20, X 100, Y 300,
    Z 50 -> monetary scores 5, 1, 3, 4, 2. N has no order (returns only): no score, and not ranked."""
    return summary(
        ("V", "2020-01-01", "2024-12-31", 10, 500.0), ("W", "2024-12-01", "2024-12-01", 1, 20.0),
        ("X", "2022-01-01", "2024-06-30", 5, 100.0), ("Y", "2021-01-01", "2024-01-01", 7, 300.0),
        ("Z", "2020-06-01", "2023-01-01", 3, 50.0), ("N", None, None, 0, -10.0),
    )


def test_rfm_scores_by_hand(five_customers):
    scores = segments.rfm_scores(five_customers).set_index("customer_id")
    assert scores.loc["V", "recency_days"] == 0 and scores.loc["X", "recency_days"] == 184
    assert scores["recency_score"].loc[list("VWXYZ")].tolist() == [5, 4, 3, 2, 1]
    assert scores["frequency_score"].loc[list("VWXYZ")].tolist() == [5, 1, 3, 4, 2]
    assert scores["monetary_score"].loc[list("VWXYZ")].tolist() == [5, 1, 3, 4, 2]
    assert scores.loc["N", ["recency_score", "frequency_score", "monetary_score"]].isna().all()


def test_rfm_groups_by_hand(five_customers):
    # V R5 F5 champions; W R4 F1 promising; X R3 F3 need attention; Y R2 F4 at risk; Z R1 F2 hibernating
    assert labels_of(segments.by_rfm(five_customers)) == {
        "V": "champions", "W": "promising", "X": "need_attention", "Y": "at_risk", "Z": "hibernating", "N": None}


def test_rfm_scores_count_recency_to_a_given_date(five_customers):
    # as of 2025-12-31 every recency grows by 365 days; the ranks and scores stay
    scores = segments.rfm_scores(five_customers, as_of="2025-12-31").set_index("customer_id")
    assert scores.loc["V", "recency_days"] == 365
    assert scores["recency_score"].loc[list("VWXYZ")].tolist() == [5, 4, 3, 2, 1]


def test_the_rfm_grid_gives_every_cell_one_group():
    cells = {(r, f): segments.rfm_group(r, f) for r in range(1, 6) for f in range(1, 6)}
    counts = pd.Series(cells).value_counts().to_dict()
    assert counts == {"hibernating": 4, "at_risk": 4, "cannot_lose_them": 2, "about_to_sleep": 2,
                      "need_attention": 1, "loyal_customers": 4, "promising": 1, "new_customers": 1,
                      "potential_loyalists": 4, "champions": 2}
    assert cells[(5, 1)] == "new_customers" and cells[(3, 5)] == "loyal_customers" and cells[(1, 5)] == \
        "cannot_lose_them" and cells[(5, 2)] == "potential_loyalists"


def test_rfm_scores_outside_one_to_five_are_refused():
    with pytest.raises(ValueError, match=r"recency_score must be a whole number 1 … 5, got 0"):
        segments.rfm_group(0, 3)
    with pytest.raises(ValueError, match=r"frequency_score must be a whole number 1 … 5, got 6"):
        segments.rfm_group(3, 6)


# --- cohort ---------------------------------------------------------------------------------------------------


def test_the_acquisition_year_is_the_year_of_the_first_order(five_customers):
    table = segments.by_acquisition_year(five_customers)
    assert labels_of(table) == {"V": "2020", "W": "2024", "X": "2022", "Y": "2021", "Z": "2020", "N": None}
    assert list(table["segment"].cat.categories) == ["2020", "2021", "2022", "2024"]


# --- from the first order -------------------------------------------------------------------------------------


@pytest.fixture
def first_day_orders() -> pd.DataFrame:
    """A's first day (2024-01-05): 10 of tea via web, 30 of coffee without a channel, a return of 5 (no order);
    then 99 of cake on 2024-02-01. B's first day (2024-01-07): two rows of 20 (tie), "Tee" and "Abo", via shop;
    its earlier return on 2024-01-01 is no order. C: returns only."""
    return pd.DataFrame({
        "customer_id": pd.array(["A", "A", "A", "A", "B", "B", "B", "C"], dtype="str"),
        "order_date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-05", "2024-02-01", "2024-01-07",
                                      "2024-01-07", "2024-01-01", "2024-01-03"]),
        "amount": [10.0, 30.0, -5.0, 99.0, 20.0, 20.0, -1.0, -4.0],
        "product": pd.array(["Tee", "Kaffee", "Kaffee", "Kuchen", "Tee", "Abo", "Tee", "Tee"], dtype="str"),
        "channel": pd.array(["web", None, "web", "web", "shop", "shop", "web", "web"], dtype="str"),
    })


def test_the_first_order_by_hand(first_day_orders):
    first = segments.first_orders(first_day_orders, attribute="channel").set_index("customer_id")
    assert list(first.index) == ["A", "B"]  # C never ordered
    assert first["first_order"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-07")]
    assert first["first_order_value"].tolist() == [40.0, 40.0]  # the day's order rows; the return is no order
    # A: the largest row's product; B: a tie of 20 goes to the smallest name
    assert first["first_product"].tolist() == ["Kaffee", "Abo"]
    # A: the largest row has no channel, so the largest row with one
    assert first["first_segment"].tolist() == ["web", "shop"]
    assert labels_of(segments.by_first_product(first.reset_index())) == {"A": "Kaffee", "B": "Abo"}
    assert labels_of(segments.by_first_order_attribute(first.reset_index())) == {"A": "web", "B": "shop"}


def test_first_orders_without_product_or_attribute_leave_them_missing(first_day_orders):
    first = segments.first_orders(first_day_orders[["customer_id", "order_date", "amount"]])
    assert first["first_product"].isna().all() and first["first_segment"].isna().all()
    with pytest.raises(ValueError, match="the transactions have no column 'region' to take segments from"):
        segments.first_orders(first_day_orders, attribute="region")


def test_labels_from_values_are_ordered_by_customers_most_first():
    first = pd.DataFrame({"customer_id": list("abcdef"),
                          "first_product": pd.array(["x", "y", "y", "z", "z", None], dtype="str")})
    table = segments.by_first_product(first)
    assert list(table["segment"].cat.categories) == ["y", "z", "x"]  # ties by name
    assert pd.isna(table["segment"].iloc[5])


def test_first_order_value_tiers_are_tertiles_by_rank():
    first = pd.DataFrame({"customer_id": list("abcdefg"),
                          "first_order_value": [60.0, 10.0, 30.0, 20.0, 50.0, 40.0, None]})
    # six values ranked 6, 1, 3, 2, 5, 4 -> ⌊3 · (ρ − 1) / 6⌋ + 1 = 3, 1, 2, 1, 3, 2
    assert labels_of(segments.by_first_order_value(first)) == {
        "a": "high", "b": "low", "c": "middle", "d": "low", "e": "high", "f": "middle", "g": None}


# --- NPS ------------------------------------------------------------------------------------------------------


def test_the_nps_group_is_that_of_the_latest_answer():
    # A: 3 in January, 9 in March -> promoter; B: 8 and 6 on the same day -> the lower, detractor; C: 7 -> passive;
    # D: 10 after the as-of date and no earlier answer -> no label; an answer without an id or a score is left out
    nps = pd.DataFrame({
        "response_date": pd.to_datetime(["2024-01-10", "2024-03-01", "2024-02-02", "2024-02-02", "2024-02-03",
                                         "2024-05-01", "2024-02-04", "2024-02-05"]),
        "score": pd.array([3, 9, 8, 6, 7, 10, 0, None], dtype="Int64"),
        "customer_id": pd.array(["A", "A", "B", "B", "C", "D", None, "E"], dtype="str"),
    })
    assert labels_of(segments.by_nps_group(nps, as_of="2024-04-30")) == {
        "A": "promoter", "B": "detractor", "C": "passive"}
    assert labels_of(segments.by_nps_group(nps))["D"] == "promoter"
    with pytest.raises(ValueError, match="the survey has no customer_id column: NPS groups need the customers' ids"):
        segments.by_nps_group(nps.drop(columns="customer_id"))


# --- dispatch -------------------------------------------------------------------------------------------------


def test_the_dimensions_a_data_set_offers():
    assert segments.available_dimensions(False) == ("acquisition_year", "rfm", "first_order_value")
    assert segments.available_dimensions(True, True) == segments.DIMENSIONS


def test_assign_names_the_dimensions_and_what_they_need(five_customers):
    assert labels_of(segments.assign("rfm", five_customers)) == labels_of(segments.by_rfm(five_customers))
    with pytest.raises(ValueError, match="dimension must be one of acquisition_year, rfm, first_order_value, "
                                         "first_product, attribute, channel, region, customer_type, branch, got 'colour'"):
        segments.assign("colour", five_customers)
    with pytest.raises(ValueError, match=r"dimension 'first_product' needs the first orders \(segments.first_orders\)"):
        segments.assign("first_product", five_customers)


def test_the_grid_module_constant_matches_the_named_groups():
    assert set(assignment.RFM_GROUPS) == {group for _, _, group in assignment._RFM_CELLS}
