"""A segment's own intervals: each segment's customers resampled like the whole's, its figures over the replicates.

Hand-made customer summaries (as in tests/core/test_intervals.py) whose answer is known: customers all alike give no
spread, more customers a narrower interval, one segment of everybody the whole's interval; the sample's dimensions
for the order of the rows and for the vectorised figures against the scalar ones.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from retention_core import intervals, segments
from retention_core.customer_value import annual_basis
from retention_core.segments import replicates as segment_replicates_module
from retention_core.segments.figures import values_of
from retention_core.segments.replicates import INTERVAL_FIGURES, segment_intervals, segment_replicates

AS_OF = pd.Timestamp("2024-12-31")
MARGIN, DISCOUNT = 0.4, 0.1


def customers(prefix: str, rng: np.random.Generator, count: int, retention: float, mean_revenue: float,
              alike: bool = False) -> pd.DataFrame:
    """``count`` customers who bought in P (first order 2023-01-02), each back in L with probability ``retention``
    (all of them when ``alike``), revenue in L Gamma(2, mean / 2) per buyer (``mean_revenue`` each when
    ``alike``), three occasions a buyer."""
    back = np.ones(count, dtype=bool) if alike else rng.random(count) < retention
    revenue = np.where(back, mean_revenue if alike else rng.gamma(2.0, mean_revenue / 2.0, count), 0.0)
    return pd.DataFrame({
        "customer_id": [f"{prefix}{number:05d}" for number in range(count)],
        "first_order": pd.Timestamp("2023-01-02"),
        "last_order": np.where(back, AS_OF, pd.Timestamp("2023-06-30")),
        "revenue": revenue + 50.0,
        "ordered_previous_year": True,
        "revenue_last_year": revenue,
        "occasions_last_year": np.where(back, 3, 0),
    })


def intervals_of(table: pd.DataFrame, labels: dict[str, str]) -> tuple[segments.SegmentBases, object]:
    """The segment bases and intervals of ``table`` with each customer's label from ``labels`` (by id prefix),
    2,000 of retention spend in L for the whole."""
    label_table = pd.DataFrame({"customer_id": table["customer_id"], "segment": pd.Categorical(
        table["customer_id"].str[0].map(labels), categories=sorted(set(labels.values())), ordered=True)})
    basis = dataclasses.replace(annual_basis(table), retention_spend=2_000.0)  # split by buyers in L
    bases = segments.segment_bases(table, label_table, basis)
    return bases, segment_intervals(segment_replicates(table, label_table, bases), gross_margin=MARGIN,
                                    annual_discount_rate=DISCOUNT)


def width(found, row: int, figure: str) -> float:
    return found.table.loc[row, f"{figure}_high"] - found.table.loc[row, f"{figure}_low"]


def test_a_segment_whose_customers_are_all_alike_has_no_spread():
    # 40 customers, every one back in L with 100 of revenue: r = 1 and m = 40 in every replicate
    rng = np.random.default_rng(1)
    table = pd.concat([customers("a", rng, 40, 1.0, 100.0, alike=True), customers("b", rng, 300, 0.6, 100.0)],
                      ignore_index=True)
    bases, found = intervals_of(table, {"a": "alike", "b": "mixed"})
    assert [label for label, _, _ in bases.rows] == ["alike", "mixed"]
    alike = found.table.iloc[0]
    assert alike["retention_rate_low"] == alike["retention_rate_high"] == 1.0
    clv = 0.4 * 100.0 * 1.1 / 0.1  # m (1 + i) / (1 + i − r) at r = 1: 440
    assert (alike["margin_multiple_clv_low"], alike["margin_multiple_clv_high"]) == pytest.approx((clv, clv))
    assert width(found, 1, "margin_multiple_clv") > 0  # the mixed segment does vary


def test_more_customers_narrow_a_segments_interval_about_with_the_square_root():
    rng = np.random.default_rng(2)
    table = pd.concat([customers("a", rng, 40, 0.6, 100.0), customers("b", rng, 4_000, 0.6, 100.0)],
                      ignore_index=True)
    _, found = intervals_of(table, {"a": "few", "b": "many"})
    for figure in ("retention_rate", "margin_multiple_clv"):
        ratio = width(found, 0, figure) / width(found, 1, figure)
        assert 5 < ratio < 20, (figure, ratio)  # √100 = 10
    # the thin segment keeps its row and its number: a wide interval, no cut-off
    few = found.table.iloc[0]
    assert few["margin_multiple_clv_high"] - few["margin_multiple_clv_low"] > 0.5 * few["margin_multiple_clv_low"]


def test_one_segment_of_every_customer_has_the_wholes_intervals():
    rng = np.random.default_rng(3)
    table = customers("a", rng, 500, 0.6, 100.0)
    bases, found = intervals_of(table, {"a": "everybody"})
    np.testing.assert_array_equal(found.table.drop(columns=["segment", "kind"]).to_numpy(),
                                  found.whole.drop(columns=["segment", "kind"]).to_numpy())
    assert found.table.loc[0, "clv_gap_low"] < found.table.loc[0, "clv_gap_high"]  # the spend's share is known
    # and those are the whole's replicates through the scalar formulas of the segment table
    replicated = intervals.basis_replicates(table, bases.whole)
    clvs = [values_of(basis, MARGIN, DISCOUNT, 5)["margin_multiple_clv"] for basis in replicated.bases]
    whole = intervals.percentile_interval(clvs)
    assert (found.whole.loc[0, "margin_multiple_clv_low"], found.whole.loc[0, "margin_multiple_clv_high"]) == \
        pytest.approx((whole.low, whole.high))


@pytest.fixture
def sample(sample_dataset, sample_quarterly):
    """The embedded sample and its quarterly aggregates (the session's, made once per test run)."""
    return sample_dataset, sample_quarterly


@pytest.mark.parametrize("dimension", ["acquisition_year", "first_order_value"])
def test_each_segment_rows_figures_over_the_replicates_are_those_of_each_replicate_alone(sample, dimension):
    data, aggs = sample
    labels = segments.assign(dimension, aggs.customers, segments.first_orders(data.transactions))
    bases = segments.segment_bases(aggs.customers, labels, aggs.basis)
    made = segment_replicates(aggs.customers, labels, bases, whole=aggs.basis_replicates, replicates=20)
    figures = segment_replicates_module.replicate_figures(made, gross_margin=MARGIN, annual_discount_rate=DISCOUNT)
    rows = segment_replicates_module.row_numbers(aggs.customers, labels, bases)
    for number, basis in enumerate(bases.bases):
        alone = intervals.basis_replicates(aggs.customers[rows == number], basis, replicates=20)
        for index, replicate in enumerate(alone.bases):
            expected = values_of(replicate, MARGIN, DISCOUNT, 5)
            for name in INTERVAL_FIGURES:
                value = expected[name]
                assert figures[name][number, index] == pytest.approx(np.nan if value is None else value,
                                                                     nan_ok=True), (number, name)
    # the whole (last): the whole's replicates, as the aggregation makes them (with 20 here)
    assert figures["retention_rate"][-1] == pytest.approx(
        [basis.retention_rate for basis in intervals.basis_replicates(aggs.customers, aggs.basis, 20).bases])


def test_the_intervals_follow_the_segment_tables_rows_and_hold_its_figures(sample):
    data, aggs = sample
    labels = segments.assign("acquisition_year", aggs.customers)
    bases = segments.segment_bases(aggs.customers, labels, aggs.basis)
    table = segments.segment_figures(bases, gross_margin=MARGIN, annual_discount_rate=DISCOUNT).table
    found = segment_intervals(segment_replicates(aggs.customers, labels, bases, whole=aggs.basis_replicates),
                              gross_margin=MARGIN, annual_discount_rate=DISCOUNT)
    assert found.table[["segment", "kind"]].equals(table[["segment", "kind"]])
    assert list(found.table.columns[2:]) == [f"{name}_{end}" for name in INTERVAL_FIGURES for end in ("low", "high")]
    shown = found.interval(0, "margin_multiple_clv")  # as the formats take it: "159,71 € (80 %: 142–177 €)"
    assert (shown.low, shown.high) == (found.table.loc[0, "margin_multiple_clv_low"],
                                       found.table.loc[0, "margin_multiple_clv_high"])
    assert found.interval(None, "retention_rate").low == found.whole.loc[0, "retention_rate_low"]
    measured = table["retention_rate"].notna()
    assert measured.sum() >= 2
    for name in ("retention_rate", "margin_multiple_clv"):
        inside = (found.table[f"{name}_low"] <= table[name]) & (table[name] <= found.table[f"{name}_high"])
        assert inside[measured].all(), name
