"""Customer value on one annual basis: measured once per data set, the same for every period and activity window.

The tiny data sets are worked out by hand in their docstrings; the sample's figures are counted again with plain
pandas from its CSV files, never with the code under test.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from hand_orders import orders, three_years_orders
from retention_core import customer_value, metrics, queries
from retention_core.customer_value import AnnualBasis, annual_windows
from retention_core.dataset import ACTIVITY_MONTHS, Dataset, aggregate
from retention_core.queries import PERIODS
from retention_views import page_results, whatif

SETTINGS = [(period, months) for period in PERIODS for months in ACTIVITY_MONTHS]


def basis_of(transactions: pd.DataFrame, **sheets) -> AnnualBasis:
    return aggregate(Dataset(transactions=transactions, key="t", name="t", **sheets), "quarter", 12).basis


# --- the windows ----------------------------------------------------------------------------------------------------


def test_the_windows_are_the_last_twelve_months_and_the_twelve_before():
    assert annual_windows(pd.Timestamp("2024-12-31")) == (pd.Timestamp("2023-12-31"), pd.Timestamp("2022-12-31"))
    # a day missing in the shorter month is clamped to its end
    assert annual_windows(pd.Timestamp("2024-02-29")) == (pd.Timestamp("2023-02-28"), pd.Timestamp("2022-02-28"))


# --- by hand ----------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_years() -> pd.DataFrame:
    """Six customers over three calendar years, worked out in :func:`hand_orders.three_years_orders`."""
    return three_years_orders()


def test_the_basis_by_hand(three_years):
    basis = basis_of(three_years)
    assert basis.as_of == pd.Timestamp("2024-12-31") and basis.first_order == pd.Timestamp("2022-01-01")
    assert (basis.previous_year_buyers, basis.retained_buyers, basis.buyers, basis.first_time_buyers) == (3, 2, 4, 1)
    assert basis.retention_rate == pytest.approx(2 / 3)
    assert basis.revenue == pytest.approx(167.0)
    assert (basis.occasions, basis.repeat_buyers) == (5, 1)
    assert basis.margin_per_year(0.5) == pytest.approx(0.5 * 167 / 4)
    assert basis.purchase_frequency == pytest.approx(5 / 4)
    assert basis.average_order_value == pytest.approx(167 / 5)
    assert basis.average_order_value * basis.purchase_frequency == pytest.approx(basis.revenue_per_buyer)
    assert basis.repeat_purchase_rate == pytest.approx(1 / 4)
    # buyers in L / buyers in P = r + a: (4 − 2) / 3 new and returning buyers per buyer of P
    assert basis.acquisition_rate == pytest.approx(2 / 3)
    assert basis.retention_rate + basis.acquisition_rate == pytest.approx(4 / 3)
    # no sheets: cost and CAC unknown, not zero
    assert basis.retention_cost_per_customer is None and basis.acquisition_cost is None


def test_the_customer_summary_carries_the_annual_columns(three_years):
    customers = queries.customer_summary(three_years, basis_end=pd.Timestamp("2024-12-31")).set_index("customer_id")
    assert customers["ordered_previous_year"].to_dict() == {"A": True, "B": True, "C": True, "D": False, "E": False,
                                                            "F": False}
    assert customers["revenue_last_year"].to_dict() == {"A": 60.0, "B": -5.0, "C": 40.0, "D": 0.0, "E": 47.0,
                                                        "F": 25.0}
    assert customers["occasions_last_year"].tolist() == [2, 0, 1, 0, 1, 1]
    assert customers["occasions"].tolist() == [4, 1, 2, 1, 1, 2]
    # without the anchor the annual columns stay empty
    assert queries.customer_summary(three_years)["revenue_last_year"].isna().all()


def test_order_ids_count_purchase_occasions_instead_of_order_days():
    # A: order 1 on two lines of one day; orders 2 and 3 on one day; order 4 spans two days (counts once, on its
    # first day); a return without an order id is no occasion. B: one order without an id counts as its day.
    transactions = orders(("A", "2024-03-01", 10.0, "1"), ("A", "2024-03-01", 5.0, "1"),
                          ("A", "2024-04-01", 7.0, "2"), ("A", "2024-04-01", 8.0, "3"),
                          ("A", "2024-05-01", 1.0, "4"), ("A", "2024-05-02", 1.0, "4"),
                          ("A", "2024-06-01", -5.0), ("B", "2024-06-02", 9.0))
    customers = queries.customer_summary(transactions, basis_end=pd.Timestamp("2024-06-02")).set_index("customer_id")
    assert customers["occasions"].to_dict() == {"A": 4, "B": 1}
    assert customers["occasions_last_year"].to_dict() == {"A": 4, "B": 1}
    # the basis counts them: four purchases of A and one of B in the last 12 months, A a repeat buyer
    basis = basis_of(transactions)
    assert (basis.occasions, basis.repeat_buyers, basis.buyers) == (5, 1, 2)


def test_less_than_two_years_of_orders_leave_retention_unknown():
    # 22 whole months: P would start on 2023-01-01 but the first order is on 2023-02-01
    short = basis_of(orders(("A", "2023-02-01", 5.0), ("A", "2024-12-31", 5.0)))
    assert short.retention_rate is None and short.retention_unknown_reason == "short_history"
    assert short.history_months == 22
    # a week's slack: a first order on 2023-01-05 still measures P = (2022-12-31, 2023-12-31]
    slack = basis_of(orders(("A", "2023-01-05", 5.0), ("A", "2024-12-31", 5.0)))
    assert slack.retention_rate == 1.0


def test_nobody_buying_in_the_year_before_leaves_retention_unknown():
    gap = basis_of(orders(("A", "2022-01-01", 5.0), ("B", "2024-12-31", 5.0)))
    assert gap.retention_rate is None and gap.retention_unknown_reason == "no_previous_buyers"


def test_spend_dated_in_the_last_twelve_months_gives_retention_cost_and_cac(three_years):
    costs = pd.DataFrame({"period_start": pd.to_datetime(["2023-10-01", "2024-01-01", "2024-07-01", "2025-01-01"]),
                          "category": pd.array(["team"] * 4, dtype="str"), "amount": [999.0, 100.0, 60.0, 999.0]})
    acquisition = pd.DataFrame({"period_start": pd.to_datetime(["2023-10-01", "2024-04-01", "2024-10-01"]),
                                "acquisition_spend": [999.0, 150.0, 50.0]})
    basis = basis_of(three_years, retention_costs=costs, acquisition=acquisition)
    assert basis.retention_spend == pytest.approx(160.0)  # 2024-01-01 and 2024-07-01 only
    assert basis.retention_cost_per_customer == pytest.approx(160 / 4)
    assert basis.acquisition_spend == pytest.approx(200.0)
    assert basis.acquisition_cost == pytest.approx(200 / 1)  # one customer's first order in L (E)
    # the sheet's new customers count where every row in L gives them
    counted = acquisition.assign(new_customers=[7.0, 3.0, 2.0])
    assert basis_of(three_years, acquisition=counted).acquisition_cost == pytest.approx(200 / 5)
    # spend without new customers: no CAC (not a division by zero, not 0)
    none_new = acquisition.assign(new_customers=[7.0, 0.0, 0.0])
    assert basis_of(three_years, acquisition=none_new).acquisition_cost is None


def test_one_time_buyers_have_no_retention_and_are_worth_one_purchases_margin():
    # 3,000 customers over three years, each buying once for 40: retention 0, and every CLV = 40 × 30 % = 12
    days = pd.date_range("2022-01-01", "2024-12-31", periods=3_000).normalize()
    transactions = pd.DataFrame({"customer_id": pd.array([f"K{i}" for i in range(3_000)], dtype="str"),
                                 "order_date": days, "amount": 40.0})
    aggs = aggregate(Dataset(transactions=transactions, key="once", name="once"), "quarter", 12)
    assert aggs.basis.retention_rate == 0.0
    values = whatif.resolve(aggs, {"clv_gross_margin": 0.3}).values
    assert values["clv_annual_retention"] == 0.0
    clv = whatif.evaluate(aggs, values).clv
    assert clv.simple_clv == clv.margin_multiple_clv == clv.finite_horizon_clv == pytest.approx(12.0)


# --- the same value for every display setting ---------------------------------------------------------------------


def value_figures(aggs) -> tuple:
    """Every customer-value figure the pages show for ``aggs`` at the measured defaults."""
    values = whatif.resolve(aggs, {}).values
    outcome = whatif.evaluate(aggs, values)
    kpis = whatif.customer_value_kpis(aggs.basis, whatif.resolve(aggs, {}))
    profit = None if outcome.profit is None else (outcome.profit.result.value_before,
                                                  outcome.profit.result.value_after, outcome.profit.verdict)
    return dataclasses.astuple(outcome.clv), tuple(kpi.value for kpi in kpis), profit, values["clv_annual_retention"]


@pytest.fixture(scope="module")
def sample(sample_dataset):
    return sample_dataset


@pytest.fixture(scope="module")
def sample_settings(sample, sample_quarterly):
    first = sample_quarterly
    return {(period, months): aggregate(sample, period, months, reuse=first) for period, months in SETTINGS}


@pytest.mark.slow
def test_customer_value_is_the_same_for_every_period_and_activity_window_on_the_sample(sample_settings):
    # the basis is summed once per data set; each setting reuses it, and nothing of the period enters it
    quarterly = value_figures(sample_settings["quarter", 12])
    for setting, aggs in sample_settings.items():
        assert value_figures(aggs) == quarterly, setting


@pytest.mark.slow
def test_fresh_aggregates_of_another_period_give_the_same_basis(sample, sample_settings):
    fresh = aggregate(sample, "month", 3)
    for field in dataclasses.fields(AnnualBasis):
        left, right = getattr(fresh.basis, field.name), getattr(sample_settings["quarter", 12].basis, field.name)
        assert left == pytest.approx(right, rel=1e-12) if isinstance(left, float) else left == right, field.name


@pytest.mark.slow
def test_on_cdnow_the_basis_does_not_depend_on_the_setting_and_retention_is_not_guessed(cdnow):
    # 1997-01-01 to 1998-06-30: 18 months, so annual retention is unknown, never compounded from shorter periods
    data = Dataset(transactions=cdnow, key="cdnow", name="cdnow")
    first = aggregate(data, "quarter", 12)
    assert first.basis.retention_rate is None and first.basis.retention_unknown_reason == "short_history"
    last = cdnow[(cdnow["order_date"] > "1997-06-30") & (cdnow["amount"] >= 0)]
    assert first.basis.buyers == last["customer_id"].nunique()
    assert first.basis.revenue == pytest.approx(cdnow.loc[cdnow["order_date"] > "1997-06-30", "amount"].sum())
    assert first.basis.occasions == len(last.drop_duplicates(["customer_id", "order_date"]))
    for period, months in SETTINGS:
        again = aggregate(data, period, months, reuse=first)
        assert value_figures(again) == value_figures(first), (period, months)
        # with an assumed retention the CLVs agree too
        values = whatif.resolve(again, {"clv_annual_retention": 0.5}).values
        assert whatif.evaluate(again, values).clv == whatif.evaluate(
            first, whatif.resolve(first, {"clv_annual_retention": 0.5}).values).clv


def test_the_sample_figures_recounted_with_pandas(sample, sample_quarterly):
    basis = sample_quarterly.basis
    rows = sample.transactions
    bought = rows[rows["amount"] >= 0]
    in_last = bought[bought["order_date"] > "2023-12-31"]
    in_previous = bought[(bought["order_date"] > "2022-12-31") & (bought["order_date"] <= "2023-12-31")]
    previous, last = set(in_previous["customer_id"]), set(in_last["customer_id"])
    assert (basis.previous_year_buyers, basis.retained_buyers, basis.buyers) == (1_878, 1_096, 2_813)
    assert (len(previous), len(previous & last), len(last)) == (1_878, 1_096, 2_813)
    assert basis.revenue == pytest.approx(rows.loc[rows["order_date"] > "2023-12-31", "amount"].sum())
    assert basis.occasions == len(in_last.drop_duplicates(["customer_id", "order_date"]))
    first_orders = bought.groupby("customer_id")["order_date"].min()
    assert basis.first_time_buyers == int((first_orders > "2023-12-31").sum())
    costs = sample.retention_costs
    assert basis.retention_spend == pytest.approx(costs.loc[costs["period_start"] >= "2024-01-01", "amount"].sum())
    acquisition = sample.acquisition[sample.acquisition["period_start"] >= "2024-01-01"]
    assert basis.acquisition_cost == pytest.approx(acquisition["acquisition_spend"].sum()
                                                   / acquisition["new_customers"].sum())


def test_the_sample_clv_by_hand(sample_quarterly):
    # r = 1,096 / 1,878; m = 0.42 × net revenue 2024 / 2,813 buyers; i = 8 %: CLV = m · 1.08 / (1.08 − r)
    aggs = sample_quarterly
    basis = aggs.basis
    r = 1_096 / 1_878
    m = 0.42 * basis.revenue / 2_813
    clv = whatif.evaluate(aggs, whatif.resolve(aggs, {}).values).clv
    assert clv.margin_multiple_clv == pytest.approx(m * 1.08 / (1.08 - r), rel=1e-4)  # r starts at 58.36 %
    c = round(basis.retention_spend / 2_813, 2)  # the fields start at the measured cost and CAC, in cents
    cac = round(basis.acquisition_spend / basis.new_customers, 2)
    assert clv.clv_gap == pytest.approx(m * 1.08 / (1.08 - r) - c * 1.08 / (1.08 - r), rel=1e-4)
    assert clv.net_value == pytest.approx(clv.clv_gap - cac, rel=1e-9)
    assert clv.break_even_retention_spend == pytest.approx(m - cac * (1.08 - 0.5836) / 1.08, rel=1e-9)


def test_the_profit_simulator_with_flat_profits_equals_the_clv_minus_cac(sample_quarterly):
    aggs = sample_quarterly
    values = whatif.resolve(aggs, {}).values
    m = aggs.basis.margin_per_year(values["clv_gross_margin"])
    flat = {year: m for year in page_results.default_profits_by_tenure(aggs, 0.42)["tenure"]}
    outcome = whatif.evaluate(aggs, {**values, "profit_tenure": flat})
    assert outcome.profit.result.value_before == pytest.approx(outcome.clv.margin_multiple_clv - values["profit_cac"])


def test_a_period_whose_returns_exceed_its_sales_gives_a_negative_revenue_not_an_error():
    # Q2 2024: 10 sold, 30 returned
    transactions = orders(("A", "2024-01-10", 50.0), ("B", "2024-01-20", 40.0), ("A", "2024-04-02", 10.0),
                          ("B", "2024-05-02", -30.0), ("A", "2024-07-01", 20.0))
    aggs = aggregate(Dataset(transactions=transactions, key="neg", name="neg"), "quarter", 3)
    facts = page_results.period_facts(aggs, pd.Timestamp("2024-04-01"))
    assert facts.revenue_per_customer == pytest.approx(-20.0 / 1)  # one active customer (A) at the end of Q2
    assert aggs.basis.revenue == pytest.approx(90.0)


def test_net_negative_revenue_over_the_year_gives_a_negative_customer_value():
    # A returns 50 of goods on 2024-05-20 and buys for 10 on 2024-06-01 (E): −40 net in the last 12 months
    transactions = orders(("A", "2022-06-01", 10.0), ("A", "2023-06-01", 10.0), ("A", "2024-05-20", -50.0),
                          ("A", "2024-06-01", 10.0))
    aggs = aggregate(Dataset(transactions=transactions, key="neg", name="neg"), "quarter", 12)
    values = whatif.resolve(aggs, {"clv_gross_margin": 0.5, "clv_discount_rate": 0.0}).values
    clv = whatif.evaluate(aggs, values).clv
    assert clv.margin_per_year == pytest.approx(-20.0)
    assert values["clv_annual_retention"] == 0.99  # measured 100 %, capped where lifetimes stay finite
    assert clv.margin_multiple_clv == pytest.approx(-20.0 / 0.01)
    assert math.isfinite(clv.simple_clv)


def test_the_basis_survives_an_aggregates_folder(sample_quarterly, tmp_path):
    from retention_core import store

    aggs = sample_quarterly
    store.write_aggregates(aggs, tmp_path)
    assert store.read_aggregates(tmp_path).basis == aggs.basis


def test_annual_retention_through_the_public_api_refuses_what_cannot_be_a_share():
    with pytest.raises(ValueError, match="previous_year_buyers must be > 0, got 0"):
        metrics.annual_retention_rate(0, 0)
    with pytest.raises(ValueError, match="retention_rate must be < 1 \\+ discount_rate"):
        metrics.margin_multiple_clv(10.0, 1.0, 0.0)
    assert customer_value.AnnualBasis.from_dict(AnnualBasis(
        as_of=pd.Timestamp("2024-12-31"), first_order=pd.Timestamp("2022-01-01"), previous_year_buyers=0,
        retained_buyers=0, buyers=1, first_time_buyers=1, revenue=10.0, occasions=1, repeat_buyers=0).to_dict()
    ).retention_unknown_reason == "no_previous_buyers"


def test_a_new_customer_s_value_by_hand():
    # m = 10 a customer-year, r = 0.5, i = 0.1, two years; order value 5 at 50 % margin, 4 purchases a year;
    # retention cost 2 a customer-year, CAC 4
    value = customer_value.new_customer_value(10.0, 0.5, 0.1, 2, gross_margin=0.5, average_order_value=5.0,
                                              purchase_frequency=4.0, retention_cost_per_customer=2.0,
                                              acquisition_cost=4.0)
    assert value.expected_lifetime_years == pytest.approx(2.0)
    assert value.simple_clv == pytest.approx(5 * 0.5 * 4 * 2)
    assert value.margin_multiple_clv == pytest.approx(10 * 1.1 / 0.6)
    assert value.finite_horizon_clv == pytest.approx(10 + 10 * 0.5 / 1.1)
    assert value.lifetime_retention_cost == pytest.approx(2 * 1.1 / 0.6)
    assert value.clv_gap == pytest.approx(8 * 1.1 / 0.6)
    assert value.net_value == pytest.approx(8 * 1.1 / 0.6 - 4)
    assert value.clv_to_cac == pytest.approx(10 * 1.1 / 0.6 / 4)
    assert value.break_even_retention_spend == pytest.approx(10 - 4 * 0.6 / 1.1)


def test_a_new_customer_s_value_is_unknown_where_its_inputs_are_never_zero():
    known = {"gross_margin": 0.5, "average_order_value": 5.0, "purchase_frequency": 4.0,
             "retention_cost_per_customer": None, "acquisition_cost": None}
    assert set(dataclasses.asdict(customer_value.new_customer_value(10.0, None, 0.1, 2, **known)).values()) == {None}
    assert set(dataclasses.asdict(customer_value.new_customer_value(None, 0.5, 0.1, 2, **known)).values()) == {None}
    value = customer_value.new_customer_value(10.0, 0.5, 0.1, 2, **known)
    assert (value.lifetime_retention_cost, value.clv_gap, value.net_value, value.clv_to_cac) == (None,) * 4
    assert value.break_even_retention_spend == pytest.approx(10.0)  # without a CAC: the whole margin
    endless = customer_value.new_customer_value(10.0, 1.0, 0.1, 2, **known)
    assert (endless.expected_lifetime_years, endless.simple_clv) == (None, None)
    assert endless.margin_multiple_clv == pytest.approx(10 * 1.1 / 0.1)
