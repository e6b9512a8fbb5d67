"""The SQL queries against hand-computed tiny examples and against independent pandas on the sample and CDNOW data."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from retention_core import engines, queries
from retention_core.engines import duckdb_engine
from retention_core.engines import DuckDBEngine

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data"
PANDAS_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}
GERMAN_CSV = {"sep": ";", "decimal": ",", "thousands": ".", "encoding": "cp1252"}

FLOW_COLUMNS = [
    "customers_start",
    "new_customers",
    "first_time_customers",
    "reactivated_customers",
    "lost_customers",
    "customers_end",
    "active_customers",
    "returning_customers",
    "orders",
]


def ts(*days: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(day) for day in days]


def frame(**columns: object) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --- tiny hand-built data ---------------------------------------------------------------------------------------
# A buys in Q1 (twice) and Q4; B in Q1 and Q2 and returns 5 in Q2; C in Q2 and Q4. Nobody buys in Q3 2024.


@pytest.fixture
def tiny() -> pd.DataFrame:
    return frame(
        customer_id=pd.array(["A", "A", "A", "B", "B", "B", "C", "C"], dtype="str"),
        order_date=pd.to_datetime(
            ["2024-01-10", "2024-02-15", "2024-11-05", "2024-01-20", "2024-04-02", "2024-04-20", "2024-05-05",
             "2024-12-30"]
        ),
        amount=[10.0, 20.0, 30.0, 5.0, 15.0, -5.0, 8.0, 12.0],
        product=pd.array(
            ["Espresso", "Espresso", "Filter", "Filter", "Abo", "Abo", "Abo", "Abo"], dtype="str"
        ),
    )


@pytest.fixture
def tiny_costs() -> pd.DataFrame:
    return frame(
        period_start=pd.to_datetime(
            ["2024-01-01", "2024-01-01", "2024-04-01", "2024-04-01", "2024-04-01", "2024-07-01"]
        ),
        category=pd.array(["team", "tools", "team", "engagement", "engagement", "tools"], dtype="str"),
        amount=[100.0, 20.0, 100.0, 30.0, 10.0, 20.0],
    )


def expected(columns: list[str], rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns)


def test_period_activity_counts_start_new_lost_and_end_customers_by_hand(tiny):
    result = queries.period_activity(tiny, "quarter")
    assert list(result["period_start"]) == ts("2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01")
    #  S  N  first reac lost E  active returning orders
    by_hand = expected(FLOW_COLUMNS, [
        (0, 2, 2, 0, 0, 2, 2, 0, 3),  # Q1: A and B buy for the first time
        (2, 1, 1, 0, 1, 2, 2, 1, 2),  # Q2: C is new, A is lost, B buys again (and returns 5, not an order)
        (2, 0, 0, 0, 2, 0, 0, 0, 0),  # Q3: nobody buys, B and C are lost
        (0, 2, 0, 2, 0, 2, 2, 2, 2),  # Q4: A and C come back
    ])
    pd.testing.assert_frame_equal(result[FLOW_COLUMNS], by_hand, check_dtype=False)
    assert list(result["revenue"]) == [35.0, 18.0, 0.0, 42.0]


def test_two_activity_periods_keep_a_customer_in_the_base_one_period_longer(tiny):
    result = queries.period_activity(tiny, "quarter", activity_periods=2)
    by_hand = expected(FLOW_COLUMNS, [
        (0, 2, 2, 0, 0, 2, 2, 0, 3),  # base {A, B}
        (2, 1, 1, 0, 0, 3, 2, 1, 2),  # base {A, B, C}: A still counts from Q1
        (3, 0, 0, 0, 1, 2, 0, 0, 0),  # base {B, C}: A lost
        (2, 1, 0, 1, 1, 2, 2, 2, 2),  # base {A, C}: A reactivated, B lost
    ])
    pd.testing.assert_frame_equal(result[FLOW_COLUMNS], by_hand, check_dtype=False)


def test_one_year_holds_every_order_and_a_month_view_includes_empty_months(tiny):
    year = queries.period_activity(tiny, "year")
    assert year[["customers_start", "new_customers", "customers_end", "orders"]].values.tolist() == [[0, 3, 3, 7]]
    assert year["revenue"].tolist() == [95.0]
    months = queries.period_activity(tiny, "month")
    assert list(months["period_start"]) == list(pd.date_range("2024-01-01", "2024-12-01", freq="MS"))
    assert months.loc[months["period_start"] == "2024-03-01", "active_customers"].item() == 0


def test_period_activity_of_no_transactions_is_an_empty_frame(tiny):
    result = queries.period_activity(tiny.iloc[:0])
    assert result.empty
    assert list(result.columns) == ["period_start", *FLOW_COLUMNS[:-1], "orders", "revenue"]


@pytest.fixture
def tiny_with_returns(tiny) -> pd.DataFrame:
    """``tiny`` plus two returns: B returns 2 in Q3 (a period with returns only) and D, who never ordered, 3 in Q2."""
    returns = frame(
        customer_id=pd.array(["B", "D"], dtype="str"),
        order_date=pd.to_datetime(["2024-08-01", "2024-05-10"]),
        amount=[-2.0, -3.0],
        product=pd.array(["Abo", "Abo"], dtype="str"),
    )
    return pd.concat([tiny, returns], ignore_index=True)


@pytest.fixture(params=["masks", "window"])
def flows_sql(request, monkeypatch) -> str:
    """Count the flows with either SQL file: bit masks (``customer_period_flows.sql``) or, with
    :data:`queries.MASK_PERIODS` set to 0, the window (``customer_period_flows_window.sql``)."""
    if request.param == "window":
        monkeypatch.setattr(queries, "MASK_PERIODS", 0)
    return request.param


def test_customer_period_flows_count_arrivals_leavers_and_cohorts_by_hand(tiny_with_returns, flows_sql):
    result = queries.customer_period_flows(tiny_with_returns, "quarter", 1)
    columns = ["period_index", "cohort_index", "ordered", "arrival", "leaves", "customers", "orders", "revenue"]
    by_hand = expected(columns, [
        (0, 0, True, "first", False, 1, 1, 5.0),  # B, orders again in Q2
        (0, 0, True, "first", True, 1, 2, 30.0),  # A, next order in Q4: more than 1 quarter later
        (1, 0, True, "repeat", True, 1, 1, 10.0),  # B: 15 less a return of 5; only returns after
        (1, 1, True, "first", True, 1, 1, 8.0),  # C
        (1, None, False, None, False, 1, 0, -3.0),  # D: a return, no order, no cohort
        (2, 0, False, None, False, 1, 0, -2.0),  # B's return: a period without an order
        (3, 0, True, "reactivated", True, 1, 1, 30.0),  # A, 3 quarters after the last order
        (3, 1, True, "reactivated", True, 1, 1, 12.0),  # C, 2 quarters after
    ])
    pd.testing.assert_frame_equal(result[columns], by_hand, check_dtype=False)
    assert list(result["period_start"].unique()) == ts("2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01")
    assert result.attrs == {"period": "quarter", "activity_periods": 1}


def test_activity_and_cohorts_from_flows_leave_returns_only_customers_and_periods_inactive(
    tiny_with_returns, flows_sql
):
    flows = queries.customer_period_flows(tiny_with_returns, "quarter", 1)
    activity = queries.period_activity(tiny_with_returns, "quarter", 1, flows=flows)
    pd.testing.assert_frame_equal(activity, queries.period_activity(tiny_with_returns, "quarter", 1))
    assert activity["active_customers"].tolist() == [2, 2, 0, 2]  # D's and B's returns make nobody active
    assert activity["revenue"].tolist() == [35.0, 15.0, -2.0, 42.0]
    cohorts = queries.cohort_retention(tiny_with_returns, "quarter", flows=flows)
    assert cohorts["cohort_size"].tolist() == [2, 2, 2, 2, 1, 1, 1]  # D is in no cohort
    assert cohorts["active_customers"].tolist() == [2, 1, 0, 1, 1, 0, 1]
    assert cohorts["revenue"].tolist() == [35.0, 10.0, -2.0, 30.0, 8.0, 0.0, 12.0]  # B's return in Q3 counts


def test_cohorts_take_flows_of_any_activity_window(tiny):
    flows = queries.customer_period_flows(tiny, "quarter", 3)
    pd.testing.assert_frame_equal(
        queries.cohort_retention(tiny, "quarter", flows=flows), queries.cohort_retention(tiny, "quarter")
    )


def test_activity_and_cohorts_refuse_flows_counted_for_other_parameters(tiny):
    flows = queries.customer_period_flows(tiny, "quarter", 1)
    with pytest.raises(ValueError, match=r"flows were counted for \{'period': 'quarter', 'activity_periods': 1\}"):
        queries.period_activity(tiny, "quarter", 2, flows=flows)
    with pytest.raises(ValueError, match=r"counted for \{'period': 'quarter'\}, not for \{'period': 'month'\}"):
        queries.cohort_retention(tiny, "month", flows=flows)
    unknown = flows.copy()
    unknown.attrs = {}  # e.g. rebuilt from a file: which parameters they were counted for is unknown
    with pytest.raises(ValueError, match=r"flows were counted for \{'period': None\}"):
        queries.cohort_retention(tiny, "quarter", flows=unknown)


def test_customer_summary_by_hand(tiny):
    result = queries.customer_summary(tiny)
    by_hand = expected(
        ["customer_id", "orders", "revenue", "distinct_products", "occasions"],
        [("A", 3, 60.0, 2, 3), ("B", 2, 15.0, 2, 2), ("C", 2, 20.0, 1, 2)],
    )
    pd.testing.assert_frame_equal(result[by_hand.columns], by_hand, check_dtype=False)
    assert list(result["first_order"]) == ts("2024-01-10", "2024-01-20", "2024-05-05")
    assert list(result["last_order"]) == ts("2024-11-05", "2024-04-02", "2024-12-30")


def test_products_given_as_codes_are_counted_as_bits_like_the_names(tiny):
    # A returns a tea never bought; C orders once without a product and buys Abo twice on one day
    extra = frame(
        customer_id=pd.array(["A", "C", "C"], dtype="str"),
        order_date=pd.to_datetime(["2024-03-01", "2024-06-01", "2024-06-01"]),
        amount=[-4.0, 3.0, 2.0],
        product=pd.array(["Tea", None, "Abo"], dtype="str"),
    )
    names = pd.concat([tiny, extra], ignore_index=True)
    codes = names.assign(product=pd.array(pd.factorize(names["product"])[0], dtype="Int16"))
    codes["product"] = codes["product"].mask(codes["product"] < 0)
    assert queries._products_as_bits(codes) and not queries._products_as_bits(names)
    by_bits = queries.customer_summary(codes)
    assert by_bits["distinct_products"].tolist() == [2, 2, 1]
    pd.testing.assert_frame_equal(by_bits, queries.customer_summary(names))


def test_the_highest_product_code_counted_as_a_bit_is_62():
    orders = frame(
        customer_id=pd.array(["A"] * 4, dtype="str"),
        order_date=pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01", "2024-03-01"]),
        amount=[1.0, 2.0, 3.0, 4.0],
        product=[0, 61, 62, 62],
    )
    assert queries._products_as_bits(orders)
    assert queries.customer_summary(orders)["distinct_products"].item() == 3


@pytest.mark.parametrize(("products", "as_bits"), [
    (pd.array([0, 62], dtype="int64"), True),
    (pd.array([0, None], dtype="Int16"), True),
    (pd.array([0, 63], dtype="int64"), False),
    (pd.array([-1, 3], dtype="int64"), False),
    (pd.array([None, None], dtype="Int16"), False),
    (pd.array([0.0, 1.0], dtype="float64"), False),
    (pd.array(["0", "1"], dtype="str"), False),
])
def test_only_whole_numbers_0_to_62_are_counted_as_bits(products, as_bits):
    orders = frame(
        customer_id=pd.array(["A", "B"], dtype="str"), order_date=pd.to_datetime(["2024-01-01"] * 2),
        amount=[1.0, 2.0], product=products,
    )
    assert queries._products_as_bits(orders) is as_bits
    counted = queries.customer_summary(orders)["distinct_products"].tolist()
    assert counted == [int(pd.notna(value)) for value in products]


def test_a_customer_range_keeps_those_customers_rows_as_they_are_in_the_whole_summary(tiny):
    whole = queries.customer_summary(tiny)
    first = queries.customer_summary(tiny, customer_ranges=[(None, "B")])
    rest = queries.customer_summary(tiny, customer_ranges=[("B", None)])
    middle = queries.customer_summary(tiny, customer_ranges=[("B", "C")])
    assert first["customer_id"].tolist() == ["A"] and middle["customer_id"].tolist() == ["B"]
    # T still runs to the last order date of all rows (C's 30 Dec), not to the range's own last order
    assert first["T"].item() == whole["T"].iloc[0] == 355 / 7  # 10 Jan to 30 Dec 2024
    pd.testing.assert_frame_equal(pd.concat([first, rest], ignore_index=True), whole)
    # several ranges in one call: their rows joined in the order of the ranges
    joined = queries.customer_summary(tiny, customer_ranges=[(None, "B"), ("B", "C"), ("C", None)])
    pd.testing.assert_frame_equal(joined, whole)
    reversed_ranges = queries.customer_summary(tiny, customer_ranges=[("C", None), (None, "C")])
    assert reversed_ranges["customer_id"].tolist() == ["C", "A", "B"]


def test_customer_summary_needs_a_range(tiny):
    with pytest.raises(ValueError, match="customer_ranges must hold at least one"):
        queries.customer_summary(tiny, customer_ranges=[])


def test_customer_summary_without_product_column_counts_zero_products(tiny):
    result = queries.customer_summary(tiny.drop(columns="product"))
    assert result["distinct_products"].tolist() == [0, 0, 0]
    assert "product" not in tiny.drop(columns="product").columns


def test_customer_with_only_returns_has_no_orders_and_no_order_dates():
    returns_only = frame(
        customer_id=pd.array(["Z"], dtype="str"), order_date=pd.to_datetime(["2024-03-01"]), amount=[-9.0]
    )
    row = queries.customer_summary(returns_only).iloc[0]
    assert row["orders"] == 0 and row["revenue"] == -9.0
    assert pd.isna(row["first_order"]) and row["occasions"] == 0


def test_with_optional_columns_adds_typed_missing_columns_and_keeps_the_input(tiny):
    bare = tiny.drop(columns="product")
    completed = queries.with_optional_columns(bare, "transactions")
    assert completed["product"].isna().all() and completed["product"].dtype == "str"
    assert completed["quantity"].dtype == "float64" and completed["gross_margin"].isna().all()
    assert list(bare.columns) == ["customer_id", "order_date", "amount"]
    assert queries.with_optional_columns(tiny, "retention_costs") is tiny


def test_cost_by_period_sums_categories_and_rolls_quarters_up_to_the_year(tiny_costs):
    quarter = queries.cost_by_period(tiny_costs, "quarter")
    assert quarter.assign(period_start=quarter["period_start"].astype(str)).values.tolist() == [
        ["2024-01-01", "team", 100.0],
        ["2024-01-01", "tools", 20.0],
        ["2024-04-01", "engagement", 40.0],
        ["2024-04-01", "team", 100.0],
        ["2024-07-01", "tools", 20.0],
    ]
    year = queries.cost_by_period(tiny_costs, "year")
    assert year[["category", "amount"]].values.tolist() == [["engagement", 40.0], ["team", 200.0], ["tools", 40.0]]


def test_a_quarterly_cost_stays_in_its_first_month_in_the_monthly_view(tiny_costs):
    month = queries.cost_by_period(tiny_costs, "month")
    assert sorted(set(month["period_start"])) == ts("2024-01-01", "2024-04-01", "2024-07-01")
    assert month["amount"].sum() == tiny_costs["amount"].sum()


def test_retention_cost_per_active_customer_by_hand(tiny, tiny_costs):
    result = queries.retention_cost_per_active_customer(tiny_costs, tiny, "quarter")
    assert list(result["period_start"]) == ts("2024-01-01", "2024-04-01", "2024-07-01", "2024-10-01")
    by_hand = expected(
        ["retention_cost", "team", "tools", "engagement", "active_customers", "cost_per_active_customer"],
        [
            (120.0, 100.0, 20.0, 0.0, 2, 60.0),
            (140.0, 100.0, 0.0, 40.0, 2, 70.0),
            (20.0, 0.0, 20.0, 0.0, 0, np.nan),  # costs, but nobody bought
            (np.nan, np.nan, np.nan, np.nan, 2, np.nan),  # buyers, but no cost rows: unknown, not zero
        ],
    )
    pd.testing.assert_frame_equal(result[by_hand.columns], by_hand, check_dtype=False)


def test_cost_per_active_customer_spreads_spend_over_the_base_of_the_activity_window(tiny, tiny_costs):
    # Base with a two-quarter window: end Q1 {A, B}; Q2 {A, B, C} (A bought in Q1); Q3 {B, C}; Q4 {A, C}.
    result = queries.retention_cost_per_active_customer(tiny_costs, tiny, "quarter", activity_periods=2)
    assert list(result["active_customers"]) == [2, 3, 2, 2]
    assert result["cost_per_active_customer"].tolist()[:3] == pytest.approx([120 / 2, 140 / 3, 20 / 2])
    activity = queries.period_activity(tiny, "quarter", 2)
    assert list(result["active_customers"]) == list(activity["customers_end"])


def test_acquisition_derives_new_customers_from_first_orders_without_a_sheet_column(tiny):
    acquisition = frame(
        period_start=pd.to_datetime(["2024-01-01", "2024-04-01", "2024-10-01"]), acquisition_spend=[300.0, 100.0, 50.0]
    )
    result = queries.acquisition_by_period(acquisition, tiny, "quarter")
    assert list(result["period_start"]) == ts("2024-01-01", "2024-04-01", "2024-10-01")
    assert result["new_customers"].tolist() == [2.0, 1.0, 0.0]
    assert result["cac"].tolist()[:2] == [150.0, 100.0] and pd.isna(result["cac"].iloc[2])
    assert set(result["new_customers_source"]) == {"transactions"}


def test_cost_per_active_customer_takes_the_callers_activity_instead_of_counting_again(tiny, tiny_costs):
    activity = queries.period_activity(tiny, "quarter", 2)
    counted = queries.retention_cost_per_active_customer(tiny_costs, tiny, "quarter", activity_periods=2)
    given = queries.retention_cost_per_active_customer(tiny_costs, tiny, "quarter", 2, activity=activity)
    pd.testing.assert_frame_equal(given, counted)
    # the given table is what counts: a doubled base halves the cost per customer
    doubled = activity.assign(customers_end=activity["customers_end"] * 2)
    halved = queries.retention_cost_per_active_customer(tiny_costs, tiny, "quarter", 2, activity=doubled)
    assert halved["active_customers"].tolist() == [4, 6, 4, 4]
    assert halved["cost_per_active_customer"].tolist()[:3] == pytest.approx([120 / 4, 140 / 6, 20 / 4])


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_acquisition_takes_first_time_customers_from_the_callers_activity(
    period, sample_acquisition, sample_transactions
):
    acquisition = sample_acquisition.drop(columns="new_customers")
    counted = queries.acquisition_by_period(acquisition, sample_transactions, period)
    activity = queries.period_activity(sample_transactions, period, 2)
    given = queries.acquisition_by_period(acquisition, sample_transactions, period, activity=activity)
    pd.testing.assert_frame_equal(given, counted)


def test_acquisition_from_the_callers_activity_leaves_out_periods_without_first_orders(tiny):
    # tiny's activity has Q3 and Q4 with no first order: they are no acquisition periods, as when counted
    acquisition = frame(period_start=pd.to_datetime(["2024-01-01"]), acquisition_spend=[300.0])
    activity = queries.period_activity(tiny, "quarter", 1)
    assert activity["first_time_customers"].tolist() == [2, 1, 0, 0]
    given = queries.acquisition_by_period(acquisition, tiny, "quarter", activity=activity)
    assert list(given["period_start"]) == ts("2024-01-01", "2024-04-01")
    assert given["new_customers"].tolist() == [2.0, 1.0]
    pd.testing.assert_frame_equal(given, queries.acquisition_by_period(acquisition, tiny, "quarter"))


def test_first_time_customers_by_hand(tiny):
    # first orders: A and B in Q1, C in Q2 (B's return in Q2 is no order)
    result = queries.run_sql("first_time_customers", {"period": "quarter"}, transactions=tiny)
    assert list(result["period_start"]) == ts("2024-01-01", "2024-04-01")
    assert result["first_time_customers"].tolist() == [2, 1]


def test_acquisition_takes_new_customers_from_the_sheet_where_given(tiny):
    acquisition = frame(
        period_start=pd.to_datetime(["2024-01-01", "2024-04-01"]),
        acquisition_spend=[300.0, 100.0],
        new_customers=[3.0, np.nan],
    )
    result = queries.acquisition_by_period(acquisition, tiny, "quarter")
    assert result["new_customers"].tolist() == [3.0, 1.0]
    assert result["new_customers_source"].tolist() == ["sheet", "transactions"]
    assert result["cac"].tolist() == [100.0, 100.0]


def test_cohort_retention_by_hand(tiny):
    result = queries.cohort_retention(tiny, "quarter")
    by_hand = expected(
        ["periods_since", "cohort_size", "active_customers", "retention", "revenue"],
        [
            (0, 2, 2, 1.0, 35.0),  # cohort Q1 = {A, B}
            (1, 2, 1, 0.5, 10.0),  # B buys 15 and returns 5
            (2, 2, 0, 0.0, 0.0),
            (3, 2, 1, 0.5, 30.0),  # A
            (0, 1, 1, 1.0, 8.0),  # cohort Q2 = {C}
            (1, 1, 0, 0.0, 0.0),
            (2, 1, 1, 1.0, 12.0),
        ],
    )
    pd.testing.assert_frame_equal(result[by_hand.columns], by_hand, check_dtype=False)
    assert list(result["cohort_start"]) == ts(*["2024-01-01"] * 4, *["2024-04-01"] * 3)


def test_revenue_by_tenure_counts_customer_age_not_calendar_quarters(tiny):
    # Data end 30.12.2024: A and B are observed for 3 whole quarters of age, C (first order 05.05.) for 2.
    # Tenure 1: A 10 + 20, B 5 + 15, C 8. Tenure 2: B's return of 5 on 20.04. (3 months after 20.01.).
    result = queries.revenue_by_tenure(tiny, "quarter")
    by_hand = expected(
        ["tenure", "customers_observed", "active_customers", "revenue", "revenue_per_active_customer"],
        [(1, 3, 3, 58.0, 58.0 / 3), (2, 3, 0, -5.0, np.nan), (3, 2, 0, 0.0, np.nan)],
    )
    pd.testing.assert_frame_equal(result, by_hand, check_dtype=False)


def test_each_customers_tenure_revenue_sums_to_the_tenure_table(tiny):
    # as above, per customer: tenure 1 A 30, B 20, C 8 (all active); tenure 2 B's return of 5 (not active)
    result = queries.customer_tenure_revenue(tiny, "quarter").sort_values(["customer_id", "tenure"])
    assert result.values.tolist() == [["A", 1, 30.0, 1], ["B", 1, 20.0, 1], ["B", 2, -5.0, 0], ["C", 1, 8.0, 1]]
    table = queries.revenue_by_tenure(tiny, "quarter").set_index("tenure")
    sums = result.groupby("tenure")[["revenue", "active"]].sum()
    assert sums["revenue"].tolist() == table["revenue"].loc[[1, 2]].tolist()
    assert sums["active"].tolist() == table["active_customers"].loc[[1, 2]].tolist()
    assert queries.customer_tenure_revenue(tiny, "quarter", max_tenure=1)["tenure"].tolist() == [1, 1, 1]


@pytest.mark.parametrize("max_tenure", [0, 2.5, True])
def test_customer_tenure_revenue_needs_a_whole_number_of_tenures(tiny, max_tenure):
    with pytest.raises(ValueError, match="max_tenure must be a whole number of at least 1"):
        queries.customer_tenure_revenue(tiny, "quarter", max_tenure=max_tenure)


def test_one_read_by_tenure_gives_the_tenure_table_and_the_customer_rows_of_their_own_reads(tiny):
    parts = queries.tenure_revenue(tiny, "quarter", max_tenure=2)
    # the tenure rows hold every tenure's sums (B's return in tenure 2), the customer rows tenures 1 and 2
    assert parts.tenures.values.tolist() == [[1, 58.0, 3, 3], [2, -5.0, 0, 3], [3, 0.0, 0, 2]]
    pd.testing.assert_frame_equal(queries.revenue_by_tenure(tiny, "quarter", parts=parts),
                                  queries.revenue_by_tenure(tiny, "quarter"))
    own = queries.customer_tenure_revenue(tiny, "quarter", max_tenure=2)
    from_parts = queries.customer_tenure_revenue(tiny, "quarter", max_tenure=2, parts=parts)
    pd.testing.assert_frame_equal(from_parts.sort_values(["customer_id", "tenure"], ignore_index=True),
                                  own.sort_values(["customer_id", "tenure"], ignore_index=True))
    assert queries.tenure_revenue(tiny, "quarter", max_tenure=0).customers.empty


def test_tenure_parts_of_another_period_or_length_are_refused(tiny):
    parts = queries.tenure_revenue(tiny, "quarter", max_tenure=2)
    with pytest.raises(ValueError, match="parts are by quarter, not by month"):
        queries.revenue_by_tenure(tiny, "month", parts=parts)
    with pytest.raises(ValueError, match="parts are by quarter up to tenure 2, not by quarter up to 3"):
        queries.customer_tenure_revenue(tiny, "quarter", max_tenure=3, parts=parts)


@pytest.mark.parametrize("max_tenure", [-1, 2.5, True])
def test_one_read_by_tenure_needs_a_whole_number_of_customer_tenures(tiny, max_tenure):
    with pytest.raises(ValueError, match="max_tenure must be a whole number of at least 0"):
        queries.tenure_revenue(tiny, "quarter", max_tenure=max_tenure)


def test_tenure_months_are_added_like_calendar_months_clamped_to_the_month_end():
    transactions = frame(
        customer_id=pd.array(["D"] * 4, dtype="str"),
        order_date=pd.to_datetime(["2024-01-31", "2024-02-28", "2024-02-29", "2024-03-31"]),
        amount=[1.0, 2.0, 4.0, 8.0],
    )
    result = queries.revenue_by_tenure(transactions, "month")
    # month 1 = 31.01. to 28.02.; month 2 starts 29.02. (31.01. + 1 month); month 3 (from 31.03.) is not complete
    assert result[["tenure", "customers_observed", "revenue"]].values.tolist() == [[1, 1, 3.0], [2, 1, 4.0]]


def test_tenure_month_ends_are_clamped_only_where_the_first_order_falls_after_the_28th():
    # E first buys on 29.01.2023: 29.01. + 1 month is 28.02. (clamped), so 28.02. starts E's second month.
    # F first buys on 28.01.: 27.02. is still F's first month, 28.02. starts the second. G (30.04.) is not observed.
    transactions = frame(
        customer_id=pd.array(["E", "E", "E", "F", "F", "F", "G"], dtype="str"),
        order_date=pd.to_datetime(
            ["2023-01-29", "2023-02-27", "2023-02-28", "2023-01-28", "2023-02-27", "2023-02-28", "2023-04-30"]
        ),
        amount=[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0],
    )
    result = queries.revenue_by_tenure(transactions, "month")
    assert result[["tenure", "customers_observed", "active_customers", "revenue"]].values.tolist() == [
        [1, 2, 2, 1.0 + 2.0 + 8.0 + 16.0], [2, 2, 2, 4.0 + 32.0], [3, 2, 0, 0.0],
    ]


def test_nps_by_period_splits_promoters_passives_and_detractors():
    nps = frame(
        response_date=pd.to_datetime(
            ["2024-01-05", "2024-02-05", "2024-03-05", "2024-03-06", "2024-04-01", "2024-05-01", "2024-06-30"]
        ),
        score=[10, 9, 8, 6, 7, 0, 10],
    )
    result = queries.nps_by_period(nps, "quarter")
    assert result.drop(columns="period_start").values.tolist() == [[4, 2, 1, 1], [3, 1, 1, 1]]


QUERIES_WITH_PERIOD = [
    lambda period, tiny, costs: queries.period_activity(tiny, period),
    lambda period, tiny, costs: queries.cost_by_period(costs, period),
    lambda period, tiny, costs: queries.retention_cost_per_active_customer(costs, tiny, period),
    lambda period, tiny, costs: queries.acquisition_by_period(costs.rename(columns={"amount": "acquisition_spend"}),
                                                              tiny, period),
    lambda period, tiny, costs: queries.cohort_retention(tiny, period),
    lambda period, tiny, costs: queries.revenue_by_tenure(tiny, period),
    lambda period, tiny, costs: queries.nps_by_period(tiny.rename(columns={"order_date": "response_date"}), period),
]


@pytest.mark.parametrize("query", QUERIES_WITH_PERIOD)
def test_every_query_rejects_an_unknown_period(query, tiny, tiny_costs):
    with pytest.raises(ValueError, match="period must be one of month, quarter, year, got 'week'"):
        query("week", tiny, tiny_costs)


@pytest.mark.parametrize("activity_periods", [0, -1, 1.5, True])
def test_activity_periods_must_be_a_whole_number_of_at_least_one(tiny, activity_periods):
    with pytest.raises(ValueError, match="activity_periods must be a whole number of periods, at least 1"):
        queries.period_activity(tiny, activity_periods=activity_periods)


# --- the sample business against independent pandas ------------------------------------------------------------


def read_german_csv(name: str, dates: list[str], rename: dict[str, str]) -> pd.DataFrame:
    # Dates must be read as text: with thousands="." pandas would read 01.01.2022 as the number 1012022.
    text_columns = {column: "str" for column in [*dates, "Kundennummer"]}
    table = pd.read_csv(SAMPLE_DIR / name, dtype=text_columns, **GERMAN_CSV)
    for column in dates:
        table[column] = pd.to_datetime(table[column], format="%d.%m.%Y")
    return table.rename(columns=rename)


@pytest.fixture(scope="module")
def sample_transactions() -> pd.DataFrame:
    return read_german_csv(
        "transaktionen.csv",
        ["Bestelldatum"],
        {"Kundennummer": "customer_id", "Bestelldatum": "order_date", "Betrag": "amount", "Produkt": "product",
         "Menge": "quantity", "Marge": "gross_margin"},
    )


@pytest.fixture(scope="module")
def sample_costs() -> pd.DataFrame:
    costs = read_german_csv(
        "kundenbindungskosten.csv", ["Quartalsbeginn"],
        {"Quartalsbeginn": "period_start", "Kategorie": "category", "Betrag": "amount"},
    )
    categories = {"Personal": "team", "Software": "tools", "Treueprogramm/Rabatte": "engagement"}
    return costs.assign(category=costs["category"].map(categories))[["period_start", "category", "amount"]]


@pytest.fixture(scope="module")
def sample_acquisition() -> pd.DataFrame:
    return read_german_csv(
        "akquisition.csv", ["Quartalsbeginn"],
        {"Quartalsbeginn": "period_start", "Marketingausgaben": "acquisition_spend", "Neukunden": "new_customers"},
    )


@pytest.fixture(scope="module")
def sample_nps() -> pd.DataFrame:
    return read_german_csv(
        "nps_umfrage.csv", ["Antwortdatum"],
        {"Antwortdatum": "response_date", "Bewertung": "score", "Kundennummer": "customer_id"},
    )


def period_start(dates: pd.Series, period: str) -> pd.Series:
    return dates.dt.to_period(PANDAS_FREQ[period]).dt.start_time


def pandas_period_activity(transactions: pd.DataFrame, period: str, activity_periods: int) -> pd.DataFrame:
    """The same flow from Python sets: base(p) = customers with an order in periods p-k+1 .. p."""
    orders = transactions[transactions["amount"] >= 0]
    periods = pd.period_range(
        transactions["order_date"].min(), transactions["order_date"].max(), freq=PANDAS_FREQ[period]
    )
    buyers = orders.groupby(orders["order_date"].dt.to_period(PANDAS_FREQ[period]))["customer_id"].agg(set)
    first_period = orders.groupby("customer_id")["order_date"].min().dt.to_period(PANDAS_FREQ[period])
    seen: set[str] = set()
    previous_base: set[str] = set()
    rows = []
    for index, current in enumerate(periods):
        active = buyers.get(current, set())
        base = set().union(*(buyers.get(p, set()) for p in periods[max(0, index - activity_periods + 1): index + 1]))
        new = base - previous_base
        first_time = {customer for customer in new if first_period[customer] == current}
        rows.append({
            "customers_start": len(previous_base),
            "new_customers": len(new),
            "first_time_customers": len(first_time),
            "reactivated_customers": len(new - first_time),
            "lost_customers": len(previous_base - base),
            "customers_end": len(base),
            "active_customers": len(active),
            "returning_customers": len(active & seen),
        })
        seen |= active
        previous_base = base
    return pd.DataFrame(rows)


@pytest.mark.slow
@pytest.mark.parametrize(("period", "activity_periods"), [("quarter", 1), ("quarter", 2), ("month", 3), ("year", 1)])
def test_period_activity_matches_python_sets_on_the_sample(sample_transactions, period, activity_periods):
    result = queries.period_activity(sample_transactions, period, activity_periods)
    independent = pandas_period_activity(sample_transactions, period, activity_periods)
    pd.testing.assert_frame_equal(result[independent.columns], independent, check_dtype=False)
    assert (result["customers_end"] == result["customers_start"] - result["lost_customers"]
            + result["new_customers"]).all()
    periods = period_start(sample_transactions["order_date"], period)
    assert result["revenue"].to_numpy() == pytest.approx(
        sample_transactions.groupby(periods)["amount"].sum().to_numpy()
    )
    assert result["orders"].sum() == (sample_transactions["amount"] >= 0).sum()


def test_customer_summary_matches_pandas_on_the_sample(sample_transactions):
    result = queries.customer_summary(sample_transactions).set_index("customer_id")
    orders = sample_transactions[sample_transactions["amount"] >= 0]
    by_customer = orders.groupby("customer_id")
    assert len(result) == sample_transactions["customer_id"].nunique()
    assert (result["orders"] == by_customer.size()).all()
    assert (result["first_order"] == by_customer["order_date"].min()).all()
    assert (result["last_order"] == by_customer["order_date"].max()).all()
    assert (result["distinct_products"] == by_customer["product"].nunique()).all()
    assert (result["occasions"] == by_customer["order_date"].nunique()).all()
    revenue = sample_transactions.groupby("customer_id")["amount"].sum()
    assert np.allclose(result["revenue"], revenue.reindex(result.index))


def test_costs_per_period_match_pandas_on_the_sample(sample_costs, sample_transactions):
    for period in ("quarter", "year"):
        result = queries.cost_by_period(sample_costs, period)
        grouped = sample_costs.groupby([period_start(sample_costs["period_start"], period), "category"])["amount"].sum()
        assert np.allclose(result["amount"], grouped.to_numpy())

    per_customer = queries.retention_cost_per_active_customer(sample_costs, sample_transactions, "quarter")
    quarters = period_start(sample_costs["period_start"], "quarter")
    by_category = sample_costs.pivot_table(index=quarters, columns="category", values="amount", aggfunc="sum")
    orders = sample_transactions[sample_transactions["amount"] >= 0]
    active = orders.groupby(period_start(orders["order_date"], "quarter"))["customer_id"].nunique()
    assert len(per_customer) == 12
    for column in ("team", "tools", "engagement"):
        assert np.allclose(per_customer[column], by_category[column].to_numpy())
    assert (per_customer["active_customers"].to_numpy() == active.to_numpy()).all()
    expected_cost = by_category.sum(axis=1).to_numpy() / active.to_numpy()
    assert np.allclose(per_customer["cost_per_active_customer"], expected_cost)


def test_sample_sheet_new_customers_equal_first_time_buyers(sample_acquisition, sample_transactions):
    from_sheet = queries.acquisition_by_period(sample_acquisition, sample_transactions, "quarter")
    derived = queries.acquisition_by_period(sample_acquisition.drop(columns="new_customers"), sample_transactions)
    assert set(from_sheet["new_customers_source"]) == {"sheet"}
    assert from_sheet["new_customers"].tolist() == derived["new_customers"].tolist()
    first_orders = sample_transactions[sample_transactions["amount"] >= 0].groupby("customer_id")["order_date"].min()
    first_time = first_orders.groupby(period_start(first_orders, "quarter")).size()
    assert derived["new_customers"].tolist() == first_time.astype(float).tolist()
    assert np.allclose(derived["cac"], sample_acquisition["acquisition_spend"] / first_time.to_numpy())


def assert_cohorts_match_pandas(transactions: pd.DataFrame, period: str) -> pd.DataFrame:
    """Check :func:`queries.cohort_retention` against pandas; returns the result."""
    result = queries.cohort_retention(transactions, period)
    freq = PANDAS_FREQ[period]
    data = transactions.assign(period=transactions["order_date"].dt.to_period(freq))
    first = data[data["amount"] >= 0].groupby("customer_id")["period"].min().rename("cohort")
    data = data.join(first, on="customer_id", how="inner")  # customers without an order are in no cohort
    data["periods_since"] = (data["period"] - data["cohort"]).apply(lambda offset: offset.n)
    orders = data[data["amount"] >= 0]
    active = orders.groupby(["cohort", "periods_since"])["customer_id"].nunique()
    revenue = data.groupby(["cohort", "periods_since"])["amount"].sum()
    size = first.value_counts()
    last = transactions["order_date"].max().to_period(freq)
    assert len(result) == sum((last - cohort).n + 1 for cohort in size.index)  # every observed cell
    for row in result.itertuples():
        key = (pd.Period(row.cohort_start, freq), row.periods_since)
        assert row.cohort_size == size[key[0]]
        assert row.active_customers == active.get(key, 0)
        assert row.revenue == pytest.approx(revenue.get(key, 0.0))
    assert (result.loc[result["periods_since"] == 0, "retention"] == 1.0).all()
    return result


def test_cohort_retention_matches_pandas_on_the_sample(sample_transactions):
    result = assert_cohorts_match_pandas(sample_transactions, "quarter")
    assert len(result) == 12 * 13 // 2  # 12 quarterly cohorts


@pytest.fixture(scope="module")
def many_returns() -> pd.DataFrame:
    """600 random rows of 150 customers over four years, about a quarter of them returns."""
    rng = np.random.default_rng(7)
    rows = 600
    return frame(
        customer_id=pd.array([f"K{number}" for number in rng.integers(0, 150, rows)], dtype="str"),
        order_date=pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1461, rows), unit="D"),
        amount=np.round(rng.normal(30.0, 45.0, rows), 2),
    )


def test_random_orders_have_customers_and_periods_with_returns_only(many_returns):
    quarters = many_returns["order_date"].dt.to_period("Q")
    ordered = (many_returns["amount"] >= 0).groupby([many_returns["customer_id"], quarters]).any()
    assert (~ordered).sum() >= 20  # customer-quarters with returns only, between and after orders
    assert (~ordered.groupby(level="customer_id").any()).sum() >= 1  # customers who never ordered


@pytest.mark.slow
@pytest.mark.parametrize(("period", "activity_periods"), [("quarter", 1), ("quarter", 3), ("month", 4), ("year", 1)])
def test_period_activity_matches_python_sets_on_random_orders_with_many_returns(
    many_returns, period, activity_periods, flows_sql
):
    result = queries.period_activity(many_returns, period, activity_periods)
    independent = pandas_period_activity(many_returns, period, activity_periods)
    pd.testing.assert_frame_equal(result[independent.columns], independent, check_dtype=False)
    revenue = many_returns.groupby(period_start(many_returns["order_date"], period))["amount"].sum()
    assert result.set_index("period_start")["revenue"][revenue.index].to_numpy() == pytest.approx(revenue.to_numpy())


@pytest.mark.slow
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_cohort_retention_matches_pandas_on_random_orders_with_many_returns(many_returns, period, flows_sql):
    assert_cohorts_match_pandas(many_returns, period)


@pytest.mark.slow
@pytest.mark.parametrize(("months", "sql_file"), [(63, "customer_period_flows"), (64, "customer_period_flows_window")])
def test_flows_count_with_bit_masks_up_to_63_periods_and_with_the_window_beyond(
    many_returns, months, sql_file, monkeypatch
):
    # the random orders spread over `months` months, from the first day of the first to the last day of the last
    start = pd.Timestamp("2021-01-01")
    end = start + pd.DateOffset(months=months) - pd.Timedelta(days=1)
    offsets = many_returns["order_date"] - many_returns["order_date"].min()
    stretched = many_returns.assign(order_date=(start + offsets / offsets.max() * (end - start)).dt.floor("D"))
    files_run = []
    run_sql = queries.run_sql

    def spy(name, params=None, engine=None, **tables):
        files_run.append(name)
        return run_sql(name, params, engine, **tables)

    monkeypatch.setattr(queries, "run_sql", spy)
    result = queries.period_activity(stretched, "month", 3)
    assert len(result) == months
    assert files_run == ["period_count", sql_file, "period_activity"]
    independent = pandas_period_activity(stretched, "month", 3)
    pd.testing.assert_frame_equal(result[independent.columns], independent, check_dtype=False)
    assert_cohorts_match_pandas(stretched, "month")


@pytest.mark.slow
@pytest.mark.parametrize(("period", "months"), [("year", 12), ("quarter", 3), ("month", 1)])
def test_revenue_by_tenure_matches_pandas_date_offsets_on_the_sample(sample_transactions, period, months):
    result = queries.revenue_by_tenure(sample_transactions, period)
    data = sample_transactions
    first = data[data["amount"] >= 0].groupby("customer_id")["order_date"].min()
    start = data["customer_id"].map(first)
    observation_end = data["order_date"].max() + pd.Timedelta(days=1)
    rows = []
    for tenure in range(1, len(result) + 1):
        window_start = start + pd.DateOffset(months=(tenure - 1) * months)
        window_end = start + pd.DateOffset(months=tenure * months)
        observed = window_end <= observation_end
        inside = observed & (data["order_date"] >= window_start) & (data["order_date"] < window_end)
        in_window = data[inside]
        rows.append({
            "tenure": tenure,
            "customers_observed": int((first + pd.DateOffset(months=tenure * months) <= observation_end).sum()),
            "active_customers": in_window.loc[in_window["amount"] >= 0, "customer_id"].nunique(),
            "revenue": in_window["amount"].sum(),
        })
    independent = pd.DataFrame(rows)
    pd.testing.assert_frame_equal(result[independent.columns], independent, check_dtype=False)
    assert result["customers_observed"].iloc[-1] > 0


def test_nps_by_period_matches_pandas_on_the_sample(sample_nps):
    result = queries.nps_by_period(sample_nps, "quarter")
    groups = pd.cut(sample_nps["score"], [-1, 6, 8, 10], labels=["detractors", "passives", "promoters"])
    counted = pd.crosstab(period_start(sample_nps["response_date"], "quarter"), groups)
    assert result["responses"].tolist() == counted.sum(axis=1).tolist()
    for column in ("promoters", "passives", "detractors"):
        assert result[column].tolist() == counted[column].tolist()


# --- the real CDNOW log -----------------------------------------------------------------------------------------


def test_cdnow_summary_has_2357_customers_and_6919_orders(cdnow):
    summary = queries.customer_summary(cdnow)
    assert len(summary) == 2357
    assert summary["orders"].sum() == 6919
    assert summary["revenue"].sum() == pytest.approx(cdnow["amount"].sum())
    assert summary["first_order"].min() == pd.Timestamp("1997-01-01")


def test_cdnow_base_flow_keeps_end_equal_to_start_minus_lost_plus_new(cdnow):
    result = queries.period_activity(cdnow, "quarter", activity_periods=2)
    assert (result["customers_end"] == result["customers_start"] - result["lost_customers"]
            + result["new_customers"]).all()
    assert result["first_time_customers"].sum() == 2357
    assert result["first_time_customers"].iloc[1:].sum() == 0  # every customer's first purchase is in 1997 Q1


@pytest.mark.slow  # waits for a time limit
def test_a_query_running_past_the_time_limit_is_interrupted(monkeypatch):
    # 2 M customers over 40 months take about 0.4 s here; the limit is 0.05 s.
    many = pd.DataFrame({
        "customer_id": pd.array([f"C{i}" for i in range(2_000_000)], dtype="str"),
        "order_date": pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(2_000_000) % 1200, unit="D"),
        "amount": np.ones(2_000_000),
    })
    monkeypatch.setenv("RETENTION_QUERY_TIMEOUT_SECONDS", "0.05")
    with pytest.raises(engines.QueryTimeout, match="took longer than 0.05 s and was stopped"):
        queries.period_activity(many, "month", 3)
    monkeypatch.delenv("RETENTION_QUERY_TIMEOUT_SECONDS")
    assert len(queries.period_activity(many.head(10), "month")) == 1


def test_a_fresh_database_per_query_gives_the_same_tables_and_is_locked_like_the_shared_one(sample_transactions):
    fresh = DuckDBEngine(fresh_database=True)
    pd.testing.assert_frame_equal(queries.period_activity(sample_transactions, "quarter", 4, fresh),
                                  queries.period_activity(sample_transactions, "quarter", 4))
    pd.testing.assert_frame_equal(queries.customer_summary(sample_transactions, fresh),
                                  queries.customer_summary(sample_transactions))
    database = duckdb_engine._locked_database()
    try:
        with pytest.raises(duckdb.Error, match="the configuration has been locked"):
            database.execute("SET enable_external_access = true")
    finally:
        database.close()


def test_a_fresh_database_keeps_freed_blocks_up_to_its_memory_limit_and_the_shared_one_does_not():
    fresh = duckdb_engine._locked_database(block_pool=True)
    shared = duckdb_engine._shared_database().cursor()
    setting = "SELECT current_setting('block_allocator_memory'), current_setting('memory_limit')"
    try:
        pool, limit = fresh.execute(setting).fetchone()
        assert pool == limit == "1.8 GiB"  # the default limit, 2 GB
        assert shared.execute(setting).fetchone()[0] == "0 bytes"
    finally:
        fresh.close()
        shared.close()


@pytest.mark.slow
def test_pooled_databases_opened_and_closed_on_many_threads_give_the_same_tables():
    # DuckDB keeps per-thread caches of a pool's blocks; threads that end after their database closed must not
    # touch it (a fault here would end the test process, not fail one test)
    rng = np.random.default_rng(7)
    orders = pd.DataFrame({
        "customer_id": rng.integers(0, 3_000, 40_000).astype("int32"),
        "order_date": pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1_000, 40_000), unit="D"),
        "amount": rng.gamma(2.0, 30.0, 40_000),
    })
    expected = queries.customer_summary(orders)
    results, failures = [], []

    def summarise():
        try:
            for _ in range(3):
                results.append(queries.customer_summary(
                    orders, DuckDBEngine(fresh_database=True), customer_ranges=[(None, 1_000), (1_000, None)]
                ))
        except Exception as error:  # reported below, with the thread's error
            failures.append(error)

    for _ in range(3):
        threads = [threading.Thread(target=summarise) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert failures == []
    assert len(results) == 36
    for result in results:
        pd.testing.assert_frame_equal(result, expected)


def test_a_connection_that_reads_files_by_path_keeps_freed_blocks_too(tmp_path, tiny):
    orders = tmp_path / "orders.parquet"
    tiny.to_parquet(orders)
    connection = duckdb_engine._path_connection(readable=(orders,))
    try:
        assert connection.execute("SELECT current_setting('block_allocator_memory')").fetchone()[0] == "1.8 GiB"
    finally:
        connection.close()


def test_a_pool_larger_than_duckdb_allows_is_left_out_and_the_database_still_works(monkeypatch, tiny):
    # DuckDB reserves 80 % of the memory it finds for the pool and refuses more (a config value crashes it)
    monkeypatch.setenv("RETENTION_DUCKDB_MEMORY_LIMIT", "1000TB")
    database = duckdb_engine._locked_database(block_pool=True)
    try:
        assert database.execute("SELECT current_setting('block_allocator_memory')").fetchone()[0] == "0 bytes"
    finally:
        database.close()
    assert len(queries.customer_summary(tiny, DuckDBEngine(fresh_database=True))) == tiny["customer_id"].nunique()


def test_a_fresh_database_takes_the_engine_s_own_lower_limits(monkeypatch, tiny):
    opened, real = [], duckdb_engine._locked_database

    def counted(**kwargs):
        opened.append(kwargs)
        database = real(**kwargs)
        settings = "SELECT current_setting('threads'), current_setting('memory_limit')"
        opened.append(database.cursor().execute(settings).fetchone())
        return database

    monkeypatch.setattr(duckdb_engine, "_locked_database", counted)
    engine = DuckDBEngine(fresh_database=True, threads=1, memory_limit="300MB")
    summary = queries.customer_summary(tiny, engine)
    assert opened == [{"block_pool": True, "threads": 1, "memory_limit": "300MB"}, (1, "286.1 MiB")]
    pd.testing.assert_frame_equal(summary, queries.customer_summary(tiny))


def test_a_query_beyond_the_engine_s_own_memory_limit_runs_again_under_the_environment_s(monkeypatch):
    opened, real = [], duckdb_engine._locked_database

    def counted(**kwargs):
        opened.append(kwargs.get("memory_limit"))
        return real(**kwargs)

    monkeypatch.setattr(duckdb_engine, "_locked_database", counted)
    rows = 400_000
    orders = pd.DataFrame({"customer_id": pd.array([f"C{number:07d}" for number in range(rows)], dtype="str"),
                           "order_date": pd.Timestamp("2024-01-01"), "amount": 1.0})
    engine = DuckDBEngine(fresh_database=True, threads=1, memory_limit="1MB")
    with pytest.raises(duckdb.OutOfMemoryException):  # what the lower limit alone does
        engine._fetch_once("customer_summary", [_SUMMARY_PARAMS], _summary_tables(orders),
                           lambda connection, sql, values: connection.sql(sql, params=values).to_arrow_table())
    opened.clear()
    parts = engine.run_arrow_each("customer_summary", [_SUMMARY_PARAMS], _summary_tables(orders))
    assert opened == ["1MB", None] and parts[0].num_rows == rows


_SUMMARY_PARAMS = {"observation_end": None, "unit_days": 7.0, "product_codes": False, "order_ids": False,
                   "basis_end": None, "year_start": None, "previous_start": None, "customer_from": None,
                   "customer_before": None}


def _summary_tables(orders: pd.DataFrame) -> dict[str, object]:
    return {"transactions": queries.with_optional_columns(orders, "transactions"),
            "order_lines": queries._order_lines(orders)}


def test_a_result_in_parts_given_up_is_the_frame_of_the_parts_joined():
    table = pa.table({"count": pa.array([1, None, 3], pa.int32()), "amount": [1.5, 2.0, 3.0],
                      "known": pa.array([True, None, False]), "name": pa.array(["x", "y", None]),
                      "day": pa.array([0, 1, 2], pa.date32()), "rows": pa.array([4, 5, 6], pa.int64())})
    parts = [table.slice(0, 1), table.slice(1)]
    frame = engines.frame_from_arrow_parts(parts)
    assert parts == []  # given up
    pd.testing.assert_frame_equal(frame, engines.frame_from_arrow(table))
    assert list(frame.columns) == table.column_names and str(frame["count"].dtype) == "Int32"


def test_run_arrow_each_gives_each_part_run_arrow_gives_on_one_fresh_database(monkeypatch, tiny):
    opened = []
    real = duckdb_engine._locked_database

    def counted(**kwargs):
        opened.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(duckdb_engine, "_locked_database", counted)
    engine = DuckDBEngine(fresh_database=True)
    table = queries.with_optional_columns(tiny, "transactions")
    base = {"observation_end": None, "unit_days": 7.0, "product_codes": False, "order_ids": False,
            "basis_end": None, "year_start": None, "previous_start": None}
    ranges = [(None, "B"), ("B", "C"), ("C", None)]
    each = [{**base, "customer_from": low, "customer_before": high} for low, high in ranges]
    tables = {"transactions": table, "order_lines": queries._order_lines(tiny)}
    parts = engine.run_arrow_each("customer_summary", each, tables)
    assert opened == [{"block_pool": True}]
    assert len(parts) == 3
    for part, params in zip(parts, each):
        assert part.equals(engine.run_arrow("customer_summary", params, tables))
    assert [part.column("customer_id").to_pylist() for part in parts] == [["A"], ["B"], ["C"]]


def test_each_part_of_run_arrow_each_has_its_own_time_limit(monkeypatch, tiny):
    limits = []

    class Timer(threading.Timer):
        def start(self):
            limits.append(self.interval)
            super().start()

    monkeypatch.setattr(duckdb_engine.threading, "Timer", Timer)
    monkeypatch.setenv("RETENTION_QUERY_TIMEOUT_SECONDS", "30")
    queries.customer_summary(tiny, DuckDBEngine(fresh_database=True), customer_ranges=[(None, "B"), ("B", None)])
    assert limits == [30.0, 30.0]


TYPE_MATRIX = """
SELECT * FROM (VALUES
    ('a', TIMESTAMP '2024-01-31 10:00', DATE '2024-02-29', CAST(1 AS BIGINT), CAST(7 AS BIGINT), CAST(2 AS INTEGER),
     CAST(1.25 AS DECIMAL(10, 2)), 0.5, true, CAST(3 AS TINYINT)),
    (NULL, NULL, NULL, CAST(2 AS BIGINT), NULL, NULL, NULL, NULL, NULL, CAST(4 AS TINYINT))
) AS t(text, moment, day, whole, whole_missing, small_missing, money, share, flag, tiny)
"""


def test_frame_from_arrow_gives_the_frame_duckdb_gives():
    connection = duckdb.connect()
    expected = connection.execute(TYPE_MATRIX).df()
    with_sums = f"SELECT *, sum(whole) OVER () AS hugeint_sum FROM ({TYPE_MATRIX})"
    converted = engines.frame_from_arrow(connection.sql(with_sums).to_arrow_table())
    pd.testing.assert_frame_equal(converted.drop(columns="hugeint_sum"), expected)
    # the nullable integers keep their width and their gap; a HUGEINT sum (a decimal in Arrow) is a float
    assert str(converted["small_missing"].dtype) == "Int32"
    assert converted["whole_missing"].isna().tolist() == [False, True]
    assert converted["hugeint_sum"].tolist() == [3.0, 3.0]
    assert converted["day"].tolist()[0] == pd.Timestamp("2024-02-29")


def test_frame_from_arrow_makes_zoned_timestamps_naive_utc():
    zoned = pa.timestamp("us", "Europe/Berlin")
    table = pa.table({"at": pa.array([pd.Timestamp("2024-03-31 03:30", tz="Europe/Berlin")], zoned)})
    assert engines.frame_from_arrow(table)["at"].tolist() == [pd.Timestamp("2024-03-31 01:30")]  # summer time, +2 h


def test_run_arrow_gives_the_table_run_gives(tiny):
    engine = DuckDBEngine()
    table = queries.with_optional_columns(tiny, "transactions")
    params = {"observation_end": None, "unit_days": 7.0, "customer_from": None, "customer_before": None,
              "product_codes": False, "order_ids": False, "basis_end": "2024-12-30", "year_start": "2023-12-30",
              "previous_start": "2022-12-30"}
    tables = {"transactions": table, "order_lines": queries._order_lines(tiny)}
    frame = engine.run("customer_summary", params, tables)
    arrow = engine.run_arrow("customer_summary", params, tables)
    assert isinstance(arrow, pa.Table)
    pd.testing.assert_frame_equal(engines.frame_from_arrow(arrow), frame)
