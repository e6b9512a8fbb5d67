"""The customer list: the six hand-worked customers (tests/hand_orders.py) sorted, paged, filtered, and who is
valuable and at risk.

E = 2024-12-31; E − 13 weeks = 2024-10-01. Purchase days (net ≥ 0) per customer, from hand_orders:
A: 2022-02-01, 2023-04-01, 2024-03-01, 2024-06-01 (x = 3, revenue 75, 4 occasions)
B: 2023-05-01 (x = 0; the 2024 return is no purchase day; revenue 10, 1 occasion)
C: 2023-01-10, 2024-12-31 (x = 1, revenue 52, 2 occasions; bought in the last 13 weeks)
D: 2022-01-01 (x = 0, revenue 9, 1 occasion)
E: 2024-05-05 (x = 0; 05-20 is a return; revenue 47, 1 occasion)
F: 2022-03-03, 2024-08-08 (x = 1, revenue 29, 2 occasions)
Silent through the last 13 weeks: everyone but C. Their P(alive) fell only where x > 0 (A, F); B, D and E have
P(alive) = 1 then and now under the BG/NBD. The fits are the published CDNOW values (FHL 2005, Table/§5:
r = 0.243, α = 4.414, a = 0.793, b = 2.426; Fader & Hardie 2013: p = 6.25, q = 3.74, γ = 15.44).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_core import models, queries, segments
from retention_core.customer_value import annual_basis
from retention_core.models import BgNbdFit, GammaGammaFit, PredictiveModels
from retention_core.segments.customer_list import COLUMNS, MODEL_COLUMNS, in_top_group
from hand_orders import three_years_orders

BG = BgNbdFit(r=0.243, alpha=4.414, a=0.793, b=2.426)
GG = GammaGammaFit(p=6.25, q=3.74, gamma=15.44)
CHANNEL = {"A": "web", "C": "web", "E": "web", "B": "shop", "D": "shop", "F": "shop"}


@pytest.fixture(scope="module")
def six():
    """The customer summary of the six, the models fitted 'by hand' and their forecast basis."""
    table = queries.customer_summary(three_years_orders(), basis_end=pd.Timestamp("2024-12-31"))
    summary = models.btyd_summary(table, "W")
    fitted = PredictiveModels(summary=summary, bg_nbd=BG, gamma_gamma=GG, customers=6, repeaters=3)
    basis = models.forecast.basis_from_fits(BG, GG, summary, 60, "W")
    return table, fitted, basis


def channels(table: pd.DataFrame) -> pd.DataFrame:
    return segments.label_table(table["customer_id"], table["customer_id"].map(CHANNEL), ["web", "shop"])


def listed(six, labels=None, customer_table=None):
    table, fitted, basis = six
    customers = segments.customer_list(table if customer_table is None else customer_table, fitted, basis, labels)
    return customers, segments.customer_values(customers, 0.5, 0.1, 12)


def ids(customers, rows) -> list[str]:
    return customers.customer_id.iloc[rows].tolist()


def p_alive(x: float, t_x: float, big_t: float) -> float:
    """FHL 2008 eq. (13), written out: 1 / (1 + a / (b + x − 1) · ((α + T) / (α + t_x))^(r + x)) for x > 0."""
    return 1 / (1 + BG.a / (BG.b + x - 1) * ((BG.alpha + big_t) / (BG.alpha + t_x)) ** (BG.r + x))


def test_the_list_holds_last_order_occasions_and_revenue_of_every_customer(six):
    customers, values = listed(six)
    table = segments.list_table(customers, values, np.arange(6))
    assert table["customer_id"].tolist() == ["A", "B", "C", "D", "E", "F"]
    assert table["orders"].tolist() == [4, 1, 2, 1, 1, 2]
    assert table["revenue"].tolist() == [75.0, 10.0, 52.0, 9.0, 47.0, 29.0]
    assert table["last_order"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-06-01", "2023-05-01", "2024-12-31", "2022-01-01", "2024-05-05", "2024-08-08"]
    assert list(table.columns) == list(COLUMNS)


def test_p_alive_falls_only_for_silent_repeat_buyers_by_hand(six):
    customers, _ = listed(six)
    drop = dict(zip(customers.customer_id, customers.probability_alive_drop))
    # F: x = 1, first purchase 2022-03-03, last 2024-08-08, E = 2024-12-31; Δ = 13 weeks
    t_x, big_t = (pd.Timestamp("2024-08-08") - pd.Timestamp("2022-03-03")).days / 7, (
        pd.Timestamp("2024-12-31") - pd.Timestamp("2022-03-03")).days / 7
    assert drop["F"] == pytest.approx(p_alive(1, t_x, big_t - 13) - p_alive(1, t_x, big_t), rel=1e-12)
    assert drop["A"] > 0
    assert drop["B"] == drop["D"] == drop["E"] == 0.0  # no repeat purchase: P(alive) = 1 then and now
    assert np.isnan(drop["C"])  # bought in the interval: the history then is not in the summary


def test_the_drop_is_the_same_with_p_alive_now_given_by_the_forecast_or_computed(six):
    _, fitted, basis = six
    given = segments.probability_alive_drop(fitted, 13, basis.probability_alive)
    np.testing.assert_array_equal(given, segments.probability_alive_drop(fitted, 13))
    assert np.isnan(given).sum() == 1 and (given[~np.isnan(given)] >= 0).all()  # C bought in the interval


def test_a_customer_table_in_another_order_is_matched_to_the_forecast_by_id(six):
    table, fitted, basis = six
    in_order = segments.customer_list(table, fitted, basis)
    reversed_list = segments.customer_list(table.iloc[::-1].reset_index(drop=True), fitted, basis)
    assert in_order.forecast_in_order and not reversed_list.forecast_in_order
    assert reversed_list.forecast_row.tolist() == [5, 4, 3, 2, 1, 0]
    np.testing.assert_array_equal(reversed_list.probability_alive_drop, in_order.probability_alive_drop[::-1])


def test_the_model_columns_are_the_clv_page_s_and_scale_with_the_margin(six):
    table, fitted, basis = six
    customers, values = listed(six)
    page = models.predictive_clv_scenario(fitted, 0.5, 0.1, 12, basis).customer_table
    assert values.clv == pytest.approx(page["clv"].to_numpy(), rel=1e-12)
    assert values.probability_alive == pytest.approx(page["probability_alive"].to_numpy(), rel=1e-12)
    assert values.expected_purchases == pytest.approx(page["expected_purchases"].to_numpy(), rel=1e-12)
    doubled = segments.customer_values(customers, 1.0, 0.1, 12)
    assert doubled.clv == pytest.approx(2 * values.clv, rel=1e-12)
    assert values.value_at_risk == pytest.approx(values.clv / values.probability_alive
                                                 * customers.probability_alive_drop, rel=1e-12, nan_ok=True)


def test_sorting_by_a_column_in_either_direction(six):
    customers, values = listed(six)
    every = np.arange(6)
    assert ids(customers, segments.sorted_rows(customers, values, every, "revenue")) == list("ACEFBD")
    assert ids(customers, segments.sorted_rows(customers, values, every, "revenue", descending=False)) == list(
        "DBFECA")
    # equal values keep the list's order: C before F (2 occasions), B, D, E (1)
    assert ids(customers, segments.sorted_rows(customers, values, every, "orders")) == list("ACFBDE")
    assert ids(customers, segments.sorted_rows(customers, values, every, "last_order")) == list("CFAEBD")
    assert ids(customers, segments.sorted_rows(customers, values, every, "customer_id")) == list("FEDCBA")


def test_missing_values_come_last_in_either_direction(six):
    table, _, _ = six
    with_g = pd.concat([table, pd.DataFrame({"customer_id": ["G"], "last_order": [pd.NaT], "occasions": [0],
                                             "revenue": [-4.0]})], ignore_index=True)
    customers, values = listed(six, customer_table=with_g)
    assert np.isnan(values.clv[6]) and np.isnan(customers.probability_alive_drop[6])  # G: no purchase day
    for descending in (True, False):
        assert ids(customers, segments.sorted_rows(customers, values, np.arange(7), "clv", descending))[-1] == "G"
        assert ids(customers, segments.sorted_rows(customers, values, np.arange(7), "last_order",
                                                   descending))[-1] == "G"
        # C bought in the interval: no drop, last; G has no forecast
        assert ids(customers, segments.sorted_rows(customers, values, np.arange(7), "probability_alive_drop",
                                                   descending))[-2:] == ["C", "G"]


def test_pages_cut_the_order_and_a_page_beyond_the_end_is_empty():
    order = np.array([5, 3, 1, 0, 2, 4])
    assert segments.page_rows(order, 1, 4).tolist() == [5, 3, 1, 0]
    assert segments.page_rows(order, 2, 4).tolist() == [2, 4]  # the last page holds the rest
    assert segments.page_rows(order, 3, 4).tolist() == []
    assert segments.page_rows(order, 2, 3).tolist() == [0, 2, 4]
    assert [segments.page_count(total, 4) for total in (0, 1, 4, 5, 8, 9)] == [1, 1, 1, 2, 2, 3]


def test_page_numbers_and_sizes_are_checked(six):
    customers, values = listed(six)
    with pytest.raises(ValueError, match="page must be a whole number of at least 1, got 0"):
        segments.page_rows(np.arange(3), 0, 2)
    with pytest.raises(ValueError, match="page_size must be a whole number of at least 1, got 0"):
        segments.page_rows(np.arange(3), 1, 0)
    with pytest.raises(ValueError, match="sort_by must be one of customer_id, .*, got 'name'"):
        segments.sorted_rows(customers, values, np.arange(6), "name")
    with pytest.raises(ValueError, match="horizon_months must be whole months from 0 to 240, got 12.5"):
        segments.customer_values(customers, 0.5, 0.1, 12.5)


def test_valuable_and_at_risk_by_hand():
    clv_if_alive = np.array([10.0, 50.0, 40.0, 30.0, np.nan, 45.0])
    drop = np.array([0.2, 0.0, np.nan, 0.1, 0.3, 0.05])
    # top half (2 groups) of the five known values 10, 30, 40, 45, 50: score = ⌊2 (ρ − 1) / 5⌋ + 1 is 2 for ρ = 4, 5
    # -> 45 and 50; 50 did not fall (drop 0), 45 did (0.05); the unknown value is never valuable
    assert segments.valuable_and_at_risk(clv_if_alive, drop, 2).tolist() == [False] * 5 + [True]
    # the top quintile of five values is the largest alone: 50, which did not fall
    assert not segments.valuable_and_at_risk(clv_if_alive, drop).any()
    with pytest.raises(ValueError, match="value_groups must be a whole number of at least 1, got 0"):
        segments.valuable_and_at_risk(clv_if_alive, drop, 0)


def test_the_at_risk_preset_on_the_six(six):
    customers, values = listed(six)
    chosen = ids(customers, segments.selected_rows(customers, values, at_risk=True, value_groups=2))
    # only A and F fell; the top half by CLV if alive are the repeat buyers A, C and F (E[Y | alive] grows with the
    # repeat purchases x: the factor (a + b + x − 1) / (a − 1) of FHL 2005 eq. 10), ahead of the one-time buyers;
    # C bought in the interval, so A and F are valuable and at risk, A first by value at risk (more repeat purchases,
    # a larger drop)
    top_half = ids(customers, np.argsort(-values.clv_if_alive)[:3])
    assert sorted(top_half) == ["A", "C", "F"]
    assert chosen == ["A", "F"]
    rows = segments.selected_rows(customers, values, at_risk=True, value_groups=2)
    assert ids(customers, segments.sorted_rows(customers, values, rows, "value_at_risk")) == ["A", "F"]


def test_the_segment_filter_picks_labels_and_the_unlabelled(six):
    table, _, _ = six
    with_g = pd.concat([table, pd.DataFrame({"customer_id": ["G"], "last_order": [pd.NaT], "occasions": [0],
                                             "revenue": [-4.0]})], ignore_index=True)
    customers, values = listed(six, labels=channels(table), customer_table=with_g)
    assert ids(customers, segments.selected_rows(customers, values, segment="web")) == ["A", "C", "E"]
    shop_and_unlabelled = segments.selected_rows(customers, values, segment=("shop", None))
    assert ids(customers, shop_and_unlabelled) == ["B", "D", "F", "G"]
    page = segments.list_table(customers, values, segments.selected_rows(customers, values, segment="shop"))
    assert page["segment"].tolist() == ["shop"] * 3
    # segments sort in the labels' order (web, shop), the unlabelled last
    assert ids(customers, segments.sorted_rows(customers, values, np.arange(7), "segment", False)) == list("ACEBDFG")
    with pytest.raises(ValueError, match="the segments have no label 'mail'"):
        segments.selected_rows(customers, values, segment="mail")
    plain, _ = listed(six)
    with pytest.raises(ValueError, match="the list has no segments: make it with a label table to pick a segment"):
        segments.selected_rows(plain, values, segment="web")
    with pytest.raises(ValueError, match="the list has no segments to sort by"):
        segments.sorted_rows(plain, values, np.arange(6), "segment")
    with pytest.raises(ValueError, match="the list has no segments: make it with a label table$"):
        segments.predictive_mean_clv(plain, values)


def test_without_usable_models_the_list_keeps_its_history_columns(six):
    table, fitted, _ = six
    unusable = PredictiveModels(summary=fitted.summary, reason="too_few_customers")
    customers = segments.customer_list(table, unusable, labels=channels(table))
    values = segments.customer_values(customers, 0.5, 0.1, 12)
    page = segments.list_table(customers, values, np.arange(6))
    assert customers.reason == "too_few_customers" and customers.forecast is None
    assert page["revenue"].tolist() == [75.0, 10.0, 52.0, 9.0, 47.0, 29.0]
    assert page[list(MODEL_COLUMNS)].isna().all().all()
    assert len(segments.selected_rows(customers, values, at_risk=True)) == 0


def test_segment_means_weighted_by_customers_give_the_whole_s_predictive_mean(six):
    table, fitted, basis = six
    customers, values = listed(six, labels=channels(table))
    means = segments.predictive_mean_clv(customers, values, min_customers=1)
    assert means[["segment", "kind", "forecast_customers"]].values.tolist() == [["web", "segment", 3],
                                                                               ["shop", "segment", 3]]
    web = [values.clv[position] for position in (0, 2, 4)]  # A, C, E
    assert means.loc[0, "predictive_mean_clv"] == pytest.approx(sum(web) / 3, rel=1e-12)
    whole = models.predictive_clv_summary(fitted, 0.5, 0.1, 12, basis).mean_clv
    weighted = (means["predictive_mean_clv"] * means["forecast_customers"]).sum() / means["forecast_customers"].sum()
    assert weighted == pytest.approx(whole, rel=1e-12)


def test_segment_means_follow_the_segment_table_s_rows(six):
    table, _, _ = six
    customers, values = listed(six, labels=segments.label_table(table["customer_id"], table["customer_id"].map(
        {"A": "web", "C": "web", "E": "web", "B": "shop"}), ["web", "shop"]))
    means = segments.predictive_mean_clv(customers, values, min_customers=2)  # shop (1) is pooled into "other"
    assert means[["kind", "forecast_customers"]].values.tolist() == [["segment", 3], ["other", 1], ["missing", 2]]
    bases = segments.segment_bases(table, segments.label_table(table["customer_id"], table["customer_id"].map(
        {"A": "web", "C": "web", "E": "web", "B": "shop"}), ["web", "shop"]), annual_basis(table), min_customers=2)
    assert [kind for _, kind, _ in bases.rows] == means["kind"].tolist()


def test_the_interval_must_be_positive(six):
    _, fitted, _ = six
    with pytest.raises(ValueError, match="interval_weeks must be a positive number of weeks, got 0"):
        segments.probability_alive_drop(fitted, 0)
    with pytest.raises(ValueError, match="the predictive models are not usable: too_few_customers"):
        segments.probability_alive_drop(PredictiveModels(summary=fitted.summary, reason="too_few_customers"))


def test_a_sorted_page_is_the_page_of_the_full_sort_ties_and_missing_values_included():
    generator = np.random.default_rng(26)
    size = 500
    clv = generator.integers(0, 20, size).astype("float64")  # many ties
    clv[generator.random(size) < 0.1] = np.nan
    many = segments.CustomerList(
        customer_id=pd.Series([f"K{number:04d}" for number in range(size)]),
        last_order=np.full(size, np.datetime64("2024-01-01", "ns")), orders=np.ones(size, dtype="int64"),
        revenue=generator.random(size), forecast_row=np.full(size, -1), probability_alive_drop=np.full(size, np.nan))
    scenario = segments.CustomerValues(clv, clv, clv, clv, clv)
    rows = np.flatnonzero(generator.random(size) < 0.8)
    for sort_by in ("clv", "revenue", "customer_id"):
        for descending in (True, False):
            full = segments.sorted_rows(many, scenario, rows, sort_by, descending)
            for page in (1, 2, 7, 9, 20):
                assert segments.sorted_page(many, scenario, rows, sort_by, descending, page, 45).tolist() == \
                    segments.page_rows(full, page, 45).tolist()


@pytest.mark.parametrize("groups", [1, 2, 3, 5, 6])
def test_the_top_group_is_that_of_the_quantile_scores(groups):
    generator = np.random.default_rng(groups)
    for size in (0, 1, 4, 5, 7, 97, 500):
        values = generator.integers(0, 12, size).astype("float64")  # many ties
        values[generator.random(size) < 0.15] = np.nan
        scores = segments.quantile_scores(pd.Series(values), groups)
        expected = (scores == groups).fillna(False).to_numpy(dtype=bool)
        assert in_top_group(values, groups).tolist() == expected.tolist()
