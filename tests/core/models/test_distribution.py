"""Histogram, median and top values of many CLVs in one pass (retention_core.models.distribution and the forecast
basis's distribution): by hand, against NumPy, and the basis's entries against every customer's CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_core import models
from retention_core.models import distribution


def test_clv_distribution_by_hand():
    # sorted: -1, 2, 2, 3, 10; two bins from -1 (the lowest, below 0) to 10, edge at 4.5; ties in index order
    histogram, median, best = models.clv_distribution(np.array([3.0, -1.0, 2.0, 2.0, 10.0]), 2, 3)
    assert histogram.to_dict("list") == {"bin_start": [-1.0, 4.5], "bin_end": [4.5, 10.0], "customers": [4, 1],
                                         "open_ended": [False, False]}
    assert median == 2.0 and best.tolist() == [4, 0, 2]
    histogram, median, best = models.clv_distribution(np.array([1.0, 4.0]), 2, 10)
    assert histogram.to_dict("list") == {"bin_start": [0.0, 2.0], "bin_end": [2.0, 4.0], "customers": [1, 1],
                                         "open_ended": [False, False]}
    assert median == 2.5 and best.tolist() == [1, 0]
    histogram, median, best = models.clv_distribution(np.zeros(3), 2, 2)  # nothing above 0: bins 0 ... 1
    assert histogram.to_dict("list") == {"bin_start": [0.0, 0.5], "bin_end": [0.5, 1.0], "customers": [3, 0],
                                         "open_ended": [False, False]}
    assert median == 0.0 and best.tolist() == [0, 1]
    histogram, median, best = models.clv_distribution(np.array([0.0, 1e-310, 5e-311]), 2, 1)  # tiny spread
    assert histogram["customers"].tolist() == [3, 0] and median == 5e-311 and best.tolist() == [1]
    histogram, median, best = models.clv_distribution(np.array([]), 2, 2)
    assert np.isnan(median) and best.size == 0 and histogram["customers"].sum() == 0


def test_a_few_customers_worth_a_lot_go_into_one_open_ended_last_bin():
    # 1, 2, ..., 99 and one customer at 10 000: the 99th percentile (rank 99 of 100) is 99, and 10 000 stretches
    # the axis past twice that: four equal bins of 24.75 from 0 to 99 (99 included) and the outlier above 99 in a
    # fifth bin from 99 to 10 000, marked open-ended; the median and the top values are those of every value
    values = np.append(np.arange(1.0, 100.0), 10_000.0)
    histogram, median, best = models.clv_distribution(values, 5, 2)
    assert histogram.to_dict("list") == {"bin_start": [0.0, 24.75, 49.5, 74.25, 99.0],
                                         "bin_end": [24.75, 49.5, 74.25, 99.0, 10_000.0],
                                         "customers": [24, 25, 25, 25, 1],
                                         "open_ended": [False, False, False, False, True]}
    assert median == 50.5 and best.tolist() == [99, 98]
    # no outlier: 1 ... 100 spans 0 ... 100, not over twice the 0 ... 99 up to the 99th percentile: equal bins
    histogram, _, _ = models.clv_distribution(np.arange(1.0, 101.0), 4, 1)
    assert histogram["customers"].tolist() == [24, 25, 25, 26] and not histogram["open_ended"].any()


def test_entries_that_count_several_customers_by_hand():
    # entry 0 is customer 0 (value 1); entry 1 stands for customers 1, 2 (value 5), entry 2 for 3, 4 (value 3):
    # the customers' values are 1, 5, 5, 3, 3, sorted 1, 3, 3, 5, 5: median 3; two bins from 0 to 5 (edge 2.5)
    # hold 1 and 4; the top three are 5, 5, 3, ties in index order: customers 1, 2, 3
    values, members = np.array([1.0, 5.0, 3.0]), {1: np.array([1, 2]), 2: np.array([3, 4])}

    def customers(positions, limit):
        rows = [np.array([0]) if position == 0 else members[position][:limit] for position in positions]
        owners = [np.full(part.size, owner) for owner, part in enumerate(rows)]
        return np.concatenate(rows), np.concatenate(owners)

    histogram, median, best = distribution.distribution_of_entries(
        3, 1.0, 5.0, lambda start, stop, out: values[start:stop], lambda positions: values[positions], 2, 3,
        counted=(1, np.array([2, 2])), customers_of=customers)
    assert histogram.to_dict("list") == {"bin_start": [0.0, 2.5], "bin_end": [2.5, 5.0], "customers": [1, 4],
                                         "open_ended": [False, False]}
    assert median == 3.0 and best.tolist() == [1, 2, 3]


@pytest.mark.parametrize("seed", range(6))
# one chunk; many with a short last one, in one thread and in three parts of different lengths
@pytest.mark.parametrize(("chunk", "threads"), [(distribution._DISTRIBUTION_CHUNK, 2), (7, 1), (7, 3)])
def test_clv_distribution_agrees_with_numpy(seed, chunk, threads, monkeypatch):
    monkeypatch.setattr(distribution, "_DISTRIBUTION_CHUNK", chunk)
    monkeypatch.setattr(distribution, "WORKER_THREADS", threads)
    rng = np.random.default_rng(seed)
    values = [rng.gamma(0.5, 100, 5001), rng.normal(5, 10, 4000), np.round(rng.gamma(1, 3, 999)),
              rng.gamma(2, 1, 7)][seed % 4] * (1 + seed)
    histogram, median, best = models.clv_distribution(values, 40, 10)
    assert median == np.median(values)
    assert best.tolist() == np.argsort(-values, kind="stable")[:10].tolist()
    lowest = min(values.min(), 0)
    shown = np.quantile(values, distribution.SHOWN_QUANTILE, method="inverted_cdf")
    cut = values.max() - lowest > distribution.STRETCH * (shown - lowest)
    assert histogram["open_ended"].tolist() == [False] * 39 + [cut]
    if cut:  # 39 equal bins up to the 99th percentile, and everyone above it in the last
        expected, edges = np.histogram(values, 39, (lowest, shown))
        expected = np.append(expected, (values > shown).sum())
        assert histogram["bin_end"].iloc[-1] == values.max()
    else:
        expected, edges = np.histogram(values, 40, (lowest, values.max()))
    np.testing.assert_allclose(histogram["bin_start"].iloc[:edges.size - 1], edges[:-1])
    assert histogram["customers"].sum() == values.size
    # a value on a bin edge may land on either side of it, as floating point rounds it
    assert np.abs(histogram["customers"].to_numpy() - expected).sum() <= 2


@pytest.mark.slow
@pytest.mark.parametrize(("chunk", "threads"), [(distribution._DISTRIBUTION_CHUNK, 2), (7, 1), (7, 3)])
@pytest.mark.parametrize(("margin", "rate", "months"), [(1.0, 0.1, 120), (0.35, 0.08, 7), (1.0, 0.0, 240),
                                                        (0.3, 0.1, 0), (0.0, 0.1, 12)])
def test_the_basis_distribution_is_that_of_every_customers_clv(sample_models, margin, rate, months, chunk, threads,
                                                               monkeypatch):
    monkeypatch.setattr(distribution, "_DISTRIBUTION_CHUNK", chunk)
    monkeypatch.setattr(distribution, "WORKER_THREADS", threads)
    basis = models.forecast_basis(sample_models)
    discounted, _ = basis.discounted_purchases(rate, months)
    clv = basis.clv(margin, discounted)
    histogram, median, best = basis.clv_distribution(margin, discounted, 40, 10)
    expected_histogram, expected_median, expected_best = models.clv_distribution(clv, 40, 10)
    pd.testing.assert_frame_equal(histogram, expected_histogram, check_exact=True)
    assert median == expected_median and best.tolist() == expected_best.tolist()
    assert histogram["bin_end"].iloc[-1] == (clv.max() if clv.max() > 0 else 1.0)  # the range from the groups
    assert basis.total_clv(margin, discounted) == pytest.approx(clv.sum(), rel=1e-12, abs=1e-9)
    rows = np.array([5, 0, 3999])
    np.testing.assert_array_equal(basis.clv(margin, discounted, rows), clv[rows])


def test_customers_alike_in_every_scenario_are_one_entry_of_the_distribution(sample_models):
    basis = models.forecast_basis(sample_models)
    group, spend_alive, rows, counts = basis._entries
    assert rows.size + counts.sum() == 4000 and counts.max() > 1 and group.size < 3500  # one-time buyers collapse
    for entry, customers in enumerate(counts, start=rows.size):  # a counted entry is its group's customers, alike
        alike = basis.group == group[entry]
        assert alike.sum() == customers and (basis.spend_alive()[alike] == spend_alive[entry]).all()
    np.testing.assert_array_equal(basis.spend_alive()[rows], spend_alive[:rows.size])


def test_the_open_ended_bin_counts_the_customers_behind_each_entry():
    # entry 0 is a customer worth 1, entry 1 one worth 100, entry 2 stands for 200 customers worth 2 each: 202
    # customers, sorted 1, 2 (x 200), 100; the 99th percentile (rank 200 of 202) is 2, and 100 stretches the axis:
    # two bins of 1 from 0 to 2 hold 0 and 1 + 200 customers, the open-ended bin from 2 to 100 the one worth 100
    values = np.array([1.0, 100.0, 2.0])

    def customers(positions, limit):
        rows = [np.array([position]) if position < 2 else np.arange(2, 202)[:limit] for position in positions]
        owners = [np.full(part.size, owner) for owner, part in enumerate(rows)]
        return np.concatenate(rows), np.concatenate(owners)

    histogram, median, best = distribution.distribution_of_entries(
        3, 1.0, 100.0, lambda start, stop, out: values[start:stop], lambda positions: values[positions], 3, 1,
        counted=(2, np.array([200])), customers_of=customers)
    assert histogram.to_dict("list") == {"bin_start": [0.0, 1.0, 2.0], "bin_end": [1.0, 2.0, 100.0],
                                         "customers": [0, 201, 1], "open_ended": [False, False, True]}
    assert median == 2.0 and best.tolist() == [1]
