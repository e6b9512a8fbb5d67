"""Revenue retention: the revenue bridge, NRR and GRR on hand-computed frames, against an independent pandas
count on random orders with many returns, and closing to the cent on the sample and on CDNOW."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_core import queries, revenue, store

from retention_core.dataset import Dataset, aggregate

CENT = 0.005  # half a cent: a bridge that is off by a cent fails
PANDAS_FREQ = {"month": "M", "quarter": "Q", "year": "Y"}


def orders(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": pd.array([customer for customer, _, _ in rows], dtype="str"),
        "order_date": pd.to_datetime([day for _, day, _ in rows]),
        "amount": [amount for _, _, amount in rows],
    })


@pytest.fixture(params=["masks", "window"])
def flows_sql(request, monkeypatch) -> str:
    """Count with either flows file: bit masks, or (``MASK_PERIODS`` 0) the window over each customer's periods."""
    if request.param == "window":
        monkeypatch.setattr(queries, "MASK_PERIODS", 0)
    return request.param


# Q1: A, B, C and D buy for the first time. Q2: A, B and C buy the same again, D does not (churn 40).
# Q3: A buys 80 + 50 (expansion 30 on 100), B 70 and returns 20 (50 net: contraction 30 on 80), C does not buy
# (churn 60), D comes back (reactivated 45) and E buys for the first time (new 25).
FIVE_CUSTOMERS = [
    ("A", "2024-01-10", 100.0), ("B", "2024-02-11", 80.0), ("C", "2024-03-12", 60.0), ("D", "2024-03-13", 40.0),
    ("A", "2024-04-10", 100.0), ("B", "2024-05-11", 80.0), ("C", "2024-06-12", 60.0),
    ("A", "2024-07-10", 80.0), ("A", "2024-08-10", 50.0), ("B", "2024-07-11", 70.0), ("B", "2024-09-01", -20.0),
    ("D", "2024-08-13", 45.0), ("E", "2024-09-14", 25.0),
]


@pytest.fixture
def five_customers() -> pd.DataFrame:
    return orders(FIVE_CUSTOMERS)


def by_period(transactions: pd.DataFrame, period: str = "quarter") -> pd.DataFrame:
    cells = queries.revenue_bridge(transactions, period)
    starts = pd.period_range(transactions["order_date"].min(), transactions["order_date"].max(),
                             freq=PANDAS_FREQ[period]).start_time
    return revenue.bridge_by_period(cells, starts).set_index("period_start")


def test_bridge_of_a_customer_who_expands_contracts_churns_reactivates_and_one_new_by_hand(five_customers, flows_sql):
    q3 = by_period(five_customers).loc["2024-07-01"]
    assert q3["starting_revenue"] == 240.0  # A 100 + B 80 + C 60 in Q2
    assert q3["new_revenue"] == 25.0  # E
    assert q3["reactivated_revenue"] == 45.0  # D: bought in Q1, not in Q2
    assert q3["expansion_revenue"] == 30.0  # A: 130 against 100
    assert q3["contraction_revenue"] == 30.0  # B: 70 - 20 = 50 against 80
    assert q3["churned_revenue"] == 60.0  # C
    assert q3["ending_revenue"] == 250.0  # A 130 + B 50 + D 45 + E 25
    assert q3["nrr"] == pytest.approx(180 / 240)  # A 130 + B 50 + C 0 of 240
    assert q3["grr"] == pytest.approx(150 / 240)  # min(130, 100) + min(50, 80) + min(0, 60)
    counts = q3[["starting_customers", "new_customers", "reactivated_customers", "expanding_customers",
                 "contracting_customers", "churned_customers", "ending_customers"]].tolist()
    assert counts == [3, 1, 1, 1, 1, 1, 4]


def test_the_first_period_is_all_new_and_has_no_retention(five_customers, flows_sql):
    bridge = by_period(five_customers)
    q1, q2 = bridge.loc["2024-01-01"], bridge.loc["2024-04-01"]
    assert (q1["starting_revenue"], q1["new_revenue"], q1["ending_revenue"]) == (0.0, 280.0, 280.0)
    assert np.isnan(q1["nrr"]) and np.isnan(q1["grr"]) and not q1["has_previous"]
    assert (q2["starting_revenue"], q2["churned_revenue"], q2["ending_revenue"]) == (280.0, 40.0, 240.0)
    assert q2["nrr"] == pytest.approx(240 / 280) and q2["grr"] == pytest.approx(240 / 280)


def test_returns_without_an_order_a_net_zero_buyer_and_a_period_without_revenue_before(flows_sql):
    transactions = orders([
        ("F", "2024-01-05", 50.0), ("F", "2024-01-20", -50.0), ("F", "2024-04-05", 30.0),  # net 0 in Q1, buys Q2
        ("G", "2024-01-06", 40.0), ("G", "2024-04-06", -10.0),  # only returns in Q2: churned
        ("H", "2024-05-07", -5.0),  # never ordered: a return without any order
        ("J", "2024-10-08", 20.0),  # new in Q4, after a Q3 without any buyer
    ])
    bridge = by_period(transactions)
    q2, q3, q4 = bridge.loc["2024-04-01"], bridge.loc["2024-07-01"], bridge.loc["2024-10-01"]
    # F bought in Q1 with net 0: in the base with 0, so 30 in Q2 is expansion; G's 40 is churned, G's and H's
    # returns stay outside the bridge
    assert q2[["starting_revenue", "expansion_revenue", "churned_revenue", "ending_revenue"]].tolist() == [
        40.0, 30.0, 40.0, 30.0]
    assert q2["returns_without_order"] == -15.0
    assert q2["ending_revenue"] + q2["returns_without_order"] == 15.0  # Q2's net revenue: 30 - 10 - 5
    assert q2["nrr"] == pytest.approx(30 / 40) and q2["grr"] == 0.0
    assert (q3["starting_revenue"], q3["churned_revenue"], q3["nrr"], q3["grr"]) == (30.0, 30.0, 0.0, 0.0)
    assert q4["starting_revenue"] == 0.0 and q4["new_revenue"] == 20.0
    assert np.isnan(q4["nrr"]) and np.isnan(q4["grr"])  # no revenue in Q3: undefined, not 0 or infinite


def test_nrr_per_cohort_compares_the_cohorts_own_buyers_period_by_period(five_customers, flows_sql):
    cells = queries.revenue_bridge(five_customers, "quarter")
    matrix = revenue.cohort_nrr_matrix(cells, "quarter")
    assert list(matrix.index) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-01")]
    q1_cohort = matrix.loc["2024-01-01"]
    assert q1_cohort[1] == pytest.approx(240 / 280)
    assert q1_cohort[2] == pytest.approx(180 / 240)  # D's reactivation is not in the cohort's NRR either
    assert matrix.loc["2024-07-01"].isna().all()  # E's cohort has no period after its first yet


def test_a_bridge_counted_from_flows_of_any_activity_window_is_the_same(five_customers):
    flows = queries.customer_period_flows(five_customers, "quarter", 3)
    pd.testing.assert_frame_equal(queries.revenue_bridge(five_customers, "quarter", flows=flows),
                                  queries.revenue_bridge(five_customers, "quarter"))
    with pytest.raises(ValueError, match=r"counted for \{'period': 'quarter'\}, not for \{'period': 'month'\}"):
        queries.revenue_bridge(five_customers, "month", flows=flows)


# --- formulas ----------------------------------------------------------------------------------------------------


def test_nrr_and_grr_formulas_by_hand():
    assert revenue.net_revenue_retention(240, 30, 30, 60) == pytest.approx(0.75)
    assert revenue.gross_revenue_retention(240, 30, 60) == pytest.approx(0.625)
    assert revenue.net_revenue_retention(100, 30, 0, 0) == pytest.approx(1.3)  # existing customers grow
    assert revenue.bridge_ending(240, 25, 45, 30, 30, 60) == 250


def test_retention_without_starting_revenue_is_undefined_not_zero():
    assert revenue.net_revenue_retention(0, 10, 0, 0) is None
    assert revenue.gross_revenue_retention(-5, 0, 0) is None


@pytest.mark.parametrize(("arguments", "message"), [
    ((100, -1, 0, 0), r"expansion_revenue is a sum of increases or decreases and cannot be negative, got -1"),
    ((100, 0, -2, 0), r"contraction_revenue is a sum of increases or decreases and cannot be negative, got -2"),
    ((float("nan"), 0, 0, 0), r"starting_revenue must be a finite amount, got nan"),
    ((100, 0, 0, float("inf")), r"churned_revenue must be a finite amount, got inf"),
])
def test_nrr_refuses_impossible_lines(arguments, message):
    with pytest.raises(ValueError, match=message):
        revenue.net_revenue_retention(*arguments)


# --- against an independent count ------------------------------------------------------------------------------


def pandas_bridge(transactions: pd.DataFrame, period: str) -> pd.DataFrame:
    """The bridge per period and cohort from its definition, customer by customer in pandas."""
    freq = PANDAS_FREQ[period]
    rows = transactions.assign(period=transactions["order_date"].dt.to_period(freq))
    per = rows.groupby(["customer_id", "period"]).agg(revenue=("amount", "sum"),
                                                      ordered=("amount", lambda a: bool((a >= 0).any())))
    first = rows[rows["amount"] >= 0].groupby("customer_id")["period"].min()
    periods = pd.period_range(rows["period"].min(), rows["period"].max(), freq=freq)
    result = []
    for index, current in enumerate(periods):
        previous = periods[index - 1] if index else None
        for customer in rows["customer_id"].unique():
            here = per.loc[(customer, current)] if (customer, current) in per.index else None
            before = per.loc[(customer, previous)] if previous is not None and (customer, previous) in per.index \
                else None
            bought_now = here is not None and here["ordered"]
            bought_before = before is not None and before["ordered"]
            b = here["revenue"] if bought_now else 0.0
            a = before["revenue"] if bought_before else 0.0
            line = dict.fromkeys(revenue.MONEY, 0.0)
            if here is not None and not here["ordered"]:
                line["returns_without_order"] = here["revenue"]
            if bought_before:
                line["starting_revenue"] = a
                if bought_now:
                    line["expansion_revenue"], line["contraction_revenue"] = max(b - a, 0.0), max(a - b, 0.0)
                else:
                    line["churned_revenue"] = a
            if bought_now:
                line["ending_revenue"] = b
                if not bought_before:
                    line["new_revenue" if first[customer] == current else "reactivated_revenue"] = b
            if any(line.values()) or bought_now or bought_before:
                cohort = first.get(customer)
                result.append({"period_start": current.start_time,
                               "cohort_start": None if cohort is None else cohort.start_time, **line})
    frame = pd.DataFrame(result)
    return frame.groupby(["period_start", "cohort_start"], dropna=False)[list(revenue.MONEY)].sum()


@pytest.fixture(scope="module")
def many_returns() -> pd.DataFrame:
    """400 random rows of 60 customers over three years, about a quarter of them returns."""
    rng = np.random.default_rng(28)
    size = 400
    return pd.DataFrame({
        "customer_id": pd.array([f"K{number}" for number in rng.integers(0, 60, size)], dtype="str"),
        "order_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1096, size), unit="D"),
        "amount": np.round(rng.normal(30.0, 45.0, size), 2),
    })


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_bridge_matches_its_definition_counted_customer_by_customer(many_returns, period, flows_sql):
    cells = queries.revenue_bridge(many_returns, period)
    counted = cells.assign(cohort_start=cells["cohort_start"]).groupby(
        ["period_start", "cohort_start"], dropna=False)[list(revenue.MONEY)].sum()
    independent = pandas_bridge(many_returns, period)
    nonzero = independent[(independent.abs() > 1e-9).any(axis=1)]
    counted = counted[(counted.abs() > 1e-9).any(axis=1)]
    pd.testing.assert_frame_equal(counted.sort_index(), nonzero.sort_index(), check_dtype=False, atol=1e-6)


# --- closing to the cent ---------------------------------------------------------------------------------------


def assert_closes(transactions: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every period's bridge closes to the cent, its ending is the next starting, and with the returns without an
    order it is the period's net revenue of :func:`queries.period_activity`."""
    activity = queries.period_activity(transactions, period)
    bridge = revenue.bridge_by_period(queries.revenue_bridge(transactions, period), activity["period_start"])
    steps = sum(sign * bridge[column] for column, sign in revenue.STEPS)
    assert ((bridge["starting_revenue"] + steps - bridge["ending_revenue"]).abs() < CENT).all()
    assert ((bridge["ending_revenue"].shift(1).fillna(0.0) - bridge["starting_revenue"]).abs() < CENT).all()
    tied = bridge["ending_revenue"] + bridge["returns_without_order"] - activity["revenue"].to_numpy()
    assert (tied.abs() < CENT).all()
    assert (bridge[["expansion_revenue", "contraction_revenue"]] >= 0).all().all()
    assert (bridge.loc[bridge["grr"].notna(), "grr"] <= 1 + 1e-12).all()
    return bridge


@pytest.mark.slow
@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_the_bridge_closes_on_every_period_of_the_sample(period, flows_sql, sample_dataset):
    bridge = assert_closes(sample_dataset.transactions, period)
    assert bridge["nrr"].notna().sum() == len(bridge) - 1


@pytest.mark.parametrize("period", ["month", "quarter", "year"])
def test_the_bridge_closes_on_every_period_of_cdnow(cdnow, period, flows_sql):
    bridge = assert_closes(cdnow, period)
    # CDNOW's customers all bought first in the first quarter of 1997: no new revenue after it
    first_quarter = bridge["period_start"] < pd.Timestamp("1997-04-01")
    assert bridge.loc[~first_quarter, "new_revenue"].eq(0).all()
    assert bridge.loc[first_quarter, "new_revenue"].gt(0).all()


# --- in the aggregates ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_aggregates(sample_quarterly):
    return sample_quarterly


def test_aggregates_hold_the_bridge_and_a_period_reads_it(sample_aggregates):
    assert revenue.available(sample_aggregates)
    last = revenue.period_retention(sample_aggregates, pd.Timestamp("2024-10-01"))
    assert abs(last.gap) < CENT
    assert last.previous_start == pd.Timestamp("2024-07-01") and last.complete
    assert last.nrr == pytest.approx(revenue.net_revenue_retention(
        last.starting_revenue, last.expansion_revenue, last.contraction_revenue, last.churned_revenue))
    first = revenue.period_retention(sample_aggregates, pd.Timestamp("2022-01-01"))
    assert first.nrr is None and first.previous_start is None and not first.complete
    with pytest.raises(ValueError, match="no period starts on 2025-01-01"):
        revenue.period_retention(sample_aggregates, pd.Timestamp("2025-01-01"))
    trend = revenue.retention_trend(sample_aggregates)
    assert len(trend) == 11 and trend["complete"].all()


def test_a_period_read_from_the_bridge_table_a_page_already_has_is_the_period_read_alone(sample_aggregates):
    table = revenue.bridge_table(sample_aggregates)
    for start in ("2022-01-01", "2024-07-01", "2024-10-01"):
        assert revenue.period_retention(sample_aggregates, pd.Timestamp(start), table) == revenue.period_retention(
            sample_aggregates, pd.Timestamp(start))
    with pytest.raises(ValueError, match="no period starts on 2025-01-01"):
        revenue.period_retention(sample_aggregates, pd.Timestamp("2025-01-01"), table)


def test_a_period_observed_only_in_part_is_marked_incomplete():
    transactions = orders([("A", "2024-01-20", 10.0), ("A", "2024-04-02", 12.0), ("A", "2024-07-03", 9.0)])
    aggs = aggregate(Dataset(transactions=transactions, key="part"), "quarter", 3)
    trend = revenue.retention_trend(aggs)
    # Q1 starts before the first order (20 Jan) and Q3 ends long after the last (3 Jul): neither bridge is whole
    assert trend["complete"].tolist() == [False, False]


def test_an_aggregates_folder_keeps_the_bridge_and_an_older_one_has_none(sample_aggregates, tmp_path):
    store.write_aggregates(sample_aggregates, tmp_path / "new")
    read = store.read_aggregates(tmp_path / "new")
    pd.testing.assert_frame_equal(read.revenue, sample_aggregates.revenue, check_dtype=False)
    (tmp_path / "new" / "revenue.parquet").unlink()
    manifest = (tmp_path / "new" / "manifest.json")
    manifest.write_text(manifest.read_text().replace('"revenue": "revenue.parquet"', '"unused": "x"'))
    older = store.read_aggregates(tmp_path / "new")
    assert older.revenue is None and not revenue.available(older)
    with pytest.raises(ValueError, match="hold no revenue bridge; aggregate the data again"):
        revenue.bridge_table(older)
