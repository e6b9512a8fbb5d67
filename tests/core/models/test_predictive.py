"""Predictive CLV and cohort projections: fits on the sample, fallbacks on unsuitable data, slider scenarios, pages.

Expected values are worked out by hand or with a few lines of pandas on the raw rows; model numbers are checked
against properties the paper states (BG/NBD reproduces the total repeat purchases it was fitted on; the Gamma-Gamma
population mean is close to the mean repeat spend) rather than against the code under test.
"""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from apptest_support import german_number, metric_value, open_page
from streamlit.testing.v1 import AppTest

from retention_core import models, queries
from retention_core.models import btyd, cohorts, distribution
from retention_core.dataset import Aggregates
from retention_views.i18n import LANGUAGES, t
from sample_data import load_sample



@pytest.fixture(scope="module")
def sample_transactions() -> pd.DataFrame:
    return load_sample().transactions


@pytest.fixture(scope="module")
def sample_models(sample_transactions) -> models.PredictiveModels:
    return models.fit_predictive_models(sample_transactions)


def purchase_days(transactions: pd.DataFrame) -> pd.Series:
    """Purchase days per customer: calendar dates with a net amount >= 0."""
    net = transactions.assign(day=transactions["order_date"].dt.normalize()).groupby(["customer_id", "day"])["amount"]
    days = net.sum()
    return days[days >= 0].groupby(level="customer_id").size()


# --- fitting on the sample ------------------------------------------------------------------------------------


def test_sample_fits_converge_and_count_customers_like_pandas(sample_models, sample_transactions):
    days = purchase_days(sample_transactions)
    assert sample_models.reason is None and sample_models.holdout_reason is None
    assert sample_models.bg_nbd.converged and sample_models.gamma_gamma.converged
    assert sample_models.customers == len(days) == 4000
    assert sample_models.repeaters == int((days >= 2).sum())
    assert sample_models.gamma_gamma_excluded == 0
    assert sample_models.summary.attrs["time_unit"] == "W"


def test_bg_nbd_reproduces_the_repeat_purchases_it_was_fitted_on(sample_models):
    # FHL 2005: sum over customers of E[X(T_i)] tracks the observed repeat purchases of the fitting period.
    summary = sample_models.summary
    expected = models.bg_nbd_expected_purchases(sample_models.bg_nbd, summary["T"].to_numpy()).sum()
    assert expected == pytest.approx(summary["frequency"].sum(), rel=0.05)


def test_gamma_gamma_mean_spend_is_close_to_the_mean_repeat_spend(sample_models):
    fit = sample_models.gamma_gamma
    repeat = sample_models.summary[sample_models.summary["frequency"] > 0]
    assert fit.p * fit.gamma / (fit.q - 1) == pytest.approx(repeat["monetary"].mean(), rel=0.10)


def test_holdout_is_the_last_52_weeks_of_three_years(sample_models, sample_transactions):
    # 2022-01-01 ... 2024-12-31 is 1,095 days = 156.4 weeks; a third is 52.1 -> 52 whole weeks (the cap).
    assert sample_models.holdout_weeks == 52
    assert sample_models.calibration_end == pd.Timestamp("2024-12-31") - pd.Timedelta(days=364)
    holdout = sample_models.holdout
    assert list(holdout["label"]) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    first = sample_transactions[sample_transactions["amount"] >= 0].groupby("customer_id")["order_date"].min()
    assert holdout["customers"].sum() == int((first <= sample_models.calibration_end).sum())
    assert abs(sample_models.holdout_error) < 0.25
    # Customers who bought more in calibration buy more in the holdout, in the data and in the forecast.
    assert holdout["predicted"].iloc[-1] > holdout["predicted"].iloc[0]
    assert holdout["actual"].iloc[-1] > holdout["actual"].iloc[0]


def test_holdout_is_a_third_of_the_history_capped_at_a_year():
    assert models.holdout_length_weeks(30) == 10
    assert models.holdout_length_weeks(156.4) == 52
    assert models.holdout_length_weeks(400) == 52
    assert models.holdout_length_weeks(2) == 0


# --- fallbacks ------------------------------------------------------------------------------------------------


def test_twenty_customers_give_a_reason_instead_of_an_exception():
    days = pd.to_datetime(["2024-01-05", "2024-03-10", "2024-06-20"])
    transactions = pd.DataFrame({
        "customer_id": [f"K{index}" for index in range(20) for _ in days],
        "order_date": list(days) * 20,
        "amount": 25.0,
    })
    fitted = models.fit_predictive_models(transactions)
    assert fitted.reason == "too_few_customers"
    assert fitted.customers == 20 and fitted.repeaters == 20
    assert fitted.bg_nbd is None and fitted.holdout is None
    with pytest.raises(ValueError, match="not usable: too_few_customers"):
        models.predictive_clv_scenario(fitted, 0.3, 0.08, 12)


def test_a_month_of_data_is_too_short_to_tell_slow_buyers_from_lost_ones():
    # 300 customers, each buying on 1 and 15 March: enough customers and repeaters, but 2 weeks of history.
    transactions = pd.DataFrame({
        "customer_id": [f"K{index}" for index in range(300) for _ in range(2)],
        "order_date": pd.to_datetime(["2024-03-01", "2024-03-15"] * 300),
        "amount": 20.0,
    })
    assert models.fit_predictive_models(transactions).reason == "short_history"


def test_transactions_without_an_amount_give_invalid_data():
    transactions = pd.DataFrame({"customer_id": ["K1"], "order_date": pd.to_datetime(["2024-01-01"])})
    fitted = models.fit_predictive_models(transactions)
    assert fitted.reason == "invalid_data"
    assert not fitted.usable


def test_a_given_summary_and_totals_give_the_fit_of_the_transactions(sample_models, sample_transactions):
    customers = queries.customer_summary(sample_transactions, unit_days=7.0)
    fitted = models.fit_predictive_models(
        sample_transactions, summary=models.btyd_summary(customers, "W"),
        totals=queries.transaction_totals(sample_transactions),
    )
    # DuckDB may add a customer's amounts in another order on another run: equal up to rounding, not bit for bit
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted.bg_nbd, name) == pytest.approx(getattr(sample_models.bg_nbd, name), rel=1e-6)
    for name in ("p", "q", "gamma"):
        assert getattr(fitted.gamma_gamma, name) == pytest.approx(getattr(sample_models.gamma_gamma, name), rel=1e-6)
    pd.testing.assert_frame_equal(fitted.summary, sample_models.summary)
    assert fitted.holdout_error == pytest.approx(sample_models.holdout_error, rel=1e-6)


def test_a_summary_in_another_time_unit_is_refused(sample_transactions):
    days = models.rfm_summary(sample_transactions.head(50), time_unit="D")
    with pytest.raises(ValueError, match="summary must be in time unit 'W', got 'D'"):
        models.fit_predictive_models(sample_transactions.head(50), summary=days)


@pytest.mark.parametrize("reason", models.REASONS)
def test_every_reason_has_a_sentence_in_both_languages(reason, sample_models):
    for lang in LANGUAGES:
        assert t(f"predictive_reason_{reason}", lang, **models.reason_params(sample_models))


# --- slider scenario ------------------------------------------------------------------------------------------


def test_predicted_clv_doubles_exactly_when_the_margin_doubles(sample_models):
    # clv = margin * E[spend] * discounted purchases: linear in the margin, nothing else changes.
    low = models.predictive_clv_scenario(sample_models, 0.2, 0.08, 36)
    high = models.predictive_clv_scenario(sample_models, 0.4, 0.08, 36)
    np.testing.assert_allclose(high.customer_table["clv"], 2 * low.customer_table["clv"], rtol=1e-12)
    assert high.mean_clv == pytest.approx(2 * low.mean_clv, rel=1e-12)
    assert high.median_clv == pytest.approx(2 * low.median_clv, rel=1e-12)
    pd.testing.assert_series_equal(high.customer_table["probability_alive"], low.customer_table["probability_alive"])


def test_scenario_has_every_customer_and_the_ten_best_first(sample_models):
    result = models.predictive_clv_scenario(sample_models, 0.3, 0.08, 60)
    assert list(result.customer_table.columns) == ["customer_id", "clv", "probability_alive", "expected_purchases"]
    assert len(result.customer_table) == 4000
    assert result.customer_table["probability_alive"].between(0, 1).all()
    assert len(result.top_customers) == 10
    assert result.top_customers["clv"].is_monotonic_decreasing
    assert result.top_customers["clv"].iloc[0] == result.customer_table["clv"].max()
    assert result.median_clv < result.mean_clv  # a few heavy buyers pull the mean up


def test_a_zero_month_horizon_is_worth_nothing(sample_models):
    result = models.predictive_clv_scenario(sample_models, 0.3, 0.08, 0)
    assert result.mean_clv == 0.0 and result.customer_table["expected_purchases"].eq(0).all()


def test_the_forecast_basis_gives_the_direct_forecast_of_every_customer(sample_models):
    # predictive_clv_scenario reads whole-month horizons from the basis; models.predictive_clv computes directly.
    direct = models.predictive_clv(sample_models.bg_nbd, sample_models.gamma_gamma, sample_models.summary, 60, 0.08,
                                   0.3, "W")
    result = models.predictive_clv_scenario(sample_models, 0.3, 0.08, 60, models.forecast_basis(sample_models))
    for column in ("clv", "probability_alive", "expected_purchases"):
        np.testing.assert_allclose(result.customer_table[column], direct[column], rtol=1e-10, atol=1e-12)


def test_a_horizon_beyond_the_basis_is_computed_directly(sample_models):
    months = 30.5
    direct = models.predictive_clv(sample_models.bg_nbd, sample_models.gamma_gamma, sample_models.summary, months,
                                   0.08, 0.3, "W")
    basis = models.forecast_basis(sample_models, months=24)
    result = models.predictive_clv_scenario(sample_models, 0.3, 0.08, months, basis)
    np.testing.assert_allclose(result.customer_table["clv"], direct["clv"], rtol=1e-12)


def test_clv_distribution_by_hand():
    # sorted: -1, 2, 2, 3, 10; two bins from -1 (the lowest, below 0) to 10, edge at 4.5; ties in index order
    histogram, median, best = models.clv_distribution(np.array([3.0, -1.0, 2.0, 2.0, 10.0]), 2, 3)
    assert histogram.to_dict("list") == {"bin_start": [-1.0, 4.5], "bin_end": [4.5, 10.0], "customers": [4, 1]}
    assert median == 2.0 and best.tolist() == [4, 0, 2]
    histogram, median, best = models.clv_distribution(np.array([1.0, 4.0]), 2, 10)
    assert histogram.to_dict("list") == {"bin_start": [0.0, 2.0], "bin_end": [2.0, 4.0], "customers": [1, 1]}
    assert median == 2.5 and best.tolist() == [1, 0]
    histogram, median, best = models.clv_distribution(np.zeros(3), 2, 2)  # nothing above 0: bins 0 ... 1
    assert histogram.to_dict("list") == {"bin_start": [0.0, 0.5], "bin_end": [0.5, 1.0], "customers": [3, 0]}
    assert median == 0.0 and best.tolist() == [0, 1]
    histogram, median, best = models.clv_distribution(np.array([0.0, 1e-310, 5e-311]), 2, 1)  # tiny spread
    assert histogram["customers"].tolist() == [3, 0] and median == 5e-311 and best.tolist() == [1]
    histogram, median, best = models.clv_distribution(np.array([]), 2, 2)
    assert np.isnan(median) and best.size == 0 and histogram["customers"].sum() == 0


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
    assert histogram.to_dict("list") == {"bin_start": [0.0, 2.5], "bin_end": [2.5, 5.0], "customers": [1, 4]}
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
    expected, edges = np.histogram(values, 40, (min(values.min(), 0), values.max()))
    np.testing.assert_allclose(histogram["bin_start"], edges[:-1])
    assert histogram["customers"].sum() == values.size
    # a value on a bin edge may land on either side of it, as floating point rounds it
    assert np.abs(histogram["customers"].to_numpy() - expected).sum() <= 2


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


def test_the_page_summary_has_the_scenarios_numbers_without_a_row_per_customer(sample_models):
    result = models.predictive_clv_scenario(sample_models, 0.3, 0.08, 60)
    summary = models.predictive_clv_summary(sample_models, 0.3, 0.08, 60, models.forecast_basis(sample_models))
    assert (summary.mean_clv, summary.median_clv, summary.total_clv) == pytest.approx(
        (result.mean_clv, result.median_clv, result.total_clv), rel=1e-12)
    assert summary.mean_probability_alive == pytest.approx(result.mean_probability_alive, rel=1e-12)
    assert summary.clv_histogram["customers"].sum() == summary.alive_histogram["customers"].sum() == 4000
    assert len(summary.clv_histogram) == models.HISTOGRAM_BINS and len(summary.alive_histogram) == 20
    pd.testing.assert_frame_equal(summary.top_customers, result.top_customers, rtol=1e-12)


def test_a_summary_rescaled_to_another_margin_equals_one_made_there(sample_models):
    basis = models.forecast_basis(sample_models)
    base = models.predictive_clv_summary(sample_models, 1.0, 0.1, 120, basis)
    direct = models.predictive_clv_summary(sample_models, 0.35, 0.1, 120, basis)
    rescaled = base.at_margin(0.35)
    assert (rescaled.mean_clv, rescaled.median_clv, rescaled.total_clv) == pytest.approx(
        (direct.mean_clv, direct.median_clv, direct.total_clv), rel=1e-12)
    pd.testing.assert_frame_equal(rescaled.clv_histogram, direct.clv_histogram, rtol=1e-12)
    pd.testing.assert_frame_equal(rescaled.top_customers, direct.top_customers, rtol=1e-12)


def test_large_customer_bases_are_fitted_on_a_fixed_sample_and_forecast_in_full(sample_transactions, monkeypatch):
    monkeypatch.setattr(btyd, "FIT_CUSTOMERS", 1500)
    fitted = models.fit_predictive_models(sample_transactions)
    again = models.fit_predictive_models(sample_transactions)
    assert fitted.usable and (fitted.fit_customers, fitted.customers) == (1500, 4000)
    assert fitted.bg_nbd == again.bg_nbd  # the same seeded sample every time
    assert fitted.holdout["customers"].sum() <= 1500  # the holdout check runs on the sample too
    assert len(models.predictive_clv_scenario(fitted, 0.3, 0.08, 12).customer_table) == 4000


def test_coded_sample_rows_are_found_like_isin_finds_them(sample_transactions, monkeypatch):
    ids = pd.Series([3, 0, 2, 2, 5, 1, 0], dtype="int32")
    wanted = pd.Series([0, 2, 9, -1], dtype="int64")  # 9 and -1 are no row's code
    assert btyd._rows_of(ids, wanted).tolist() == ids.isin(wanted).tolist() == [0, 1, 1, 1, 0, 0, 1]
    text = ids.astype(str)
    assert btyd._rows_of(text, wanted.astype(str)).tolist() == text.isin(wanted.astype(str)).tolist()
    spread = pd.Series([10**9, 5], dtype="int64")  # too far apart for a table of flags: hashed instead
    assert btyd._rows_of(spread, pd.Series([5])).tolist() == [False, True]
    coded = sample_transactions.assign(customer_id=pd.factorize(sample_transactions["customer_id"])[0])
    monkeypatch.setattr(btyd, "FIT_CUSTOMERS", 1500)
    fitted = models.fit_predictive_models(coded)
    monkeypatch.setattr(btyd, "_rows_of", lambda ids, customers: ids.isin(customers).to_numpy())
    assert models.fit_predictive_models(coded).holdout.equals(fitted.holdout)


# --- cohort projection ----------------------------------------------------------------------------------------


def yearly_aggregates(last_order: str) -> Aggregates:
    """Two yearly cohorts: 2020 (1,000 customers, observed 2020-2024) and 2023 (200, observed 2023-2024)."""
    cohorts = pd.DataFrame({
        "cohort_start": pd.to_datetime(["2020-01-01"] * 5 + ["2023-01-01"] * 2),
        "periods_since": [0, 1, 2, 3, 4, 0, 1],
        "cohort_size": [1000] * 5 + [200] * 2,
        "active_customers": [1000, 600, 650, 400, 350, 200, 90],
    })
    cohorts["retention"] = cohorts["active_customers"] / cohorts["cohort_size"]
    empty = pd.DataFrame()
    return Aggregates(period="year", activity_months=12, activity=empty, cohorts=cohorts, tenure=empty,
                      customers=pd.DataFrame({"last_order": pd.to_datetime([last_order])}))


def test_cohort_curve_is_made_non_increasing_and_projected_from_its_last_point():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    observed = cohort[cohort["kind"] == "observed"]
    # 60 %, 65 %, 40 %, 35 % buying -> running minimum 60 %, 60 %, 40 %, 35 %.
    assert list(observed["periods_since"]) == [0, 1, 2, 3, 4]
    assert list(observed["retention"]) == pytest.approx([1.0, 0.6, 0.6, 0.4, 0.35])
    fit = models.fit_shifted_beta_geometric([0.6, 0.6, 0.4, 0.35], 1000)
    projected = cohort[cohort["kind"] == "projected"]
    assert list(projected["periods_since"]) == [5, 6]
    expected = 0.35 * models.sbg_survival(fit, [5, 6]) / models.sbg_survival(fit, 4)
    assert list(projected["retention"]) == pytest.approx(list(expected))
    assert 0.35 > projected["retention"].iloc[0] > projected["retention"].iloc[1]


def test_short_cohorts_are_left_out_and_the_pooled_curve_is_the_only_kept_cohort():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    assert pd.Timestamp("2023-01-01") not in set(curves["cohort_start"])  # one observed period after the first
    pooled = curves[curves["cohort_start"].isna()]
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    assert list(pooled["retention"]) == pytest.approx(list(cohort["retention"]))


def test_a_period_that_ends_after_the_last_order_is_not_observed():
    curves = models.project_cohorts(yearly_aggregates("2024-06-30"), periods_ahead=1)
    cohort = curves[curves["cohort_start"] == pd.Timestamp("2020-01-01")]
    assert list(cohort["periods_since"]) == [0, 1, 2, 3, 4]
    assert list(cohort["kind"]) == ["observed"] * 4 + ["projected"]


def test_no_projection_asked_gives_only_observed_rows_and_a_negative_one_is_refused():
    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=0)
    assert set(curves["kind"]) == {"observed"}
    with pytest.raises(ValueError, match="periods_ahead must be a whole number >= 0"):
        models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=-1)


def test_cohort_fits_are_made_once_and_projected_to_any_length(monkeypatch):
    aggs = yearly_aggregates("2024-12-31")
    fits = models.fit_cohorts(aggs)
    assert [curve.cohort_start for curve in fits.curves][0] == pd.Timestamp("2020-01-01")
    assert pd.isna(fits.curves[-1].cohort_start) and len(fits.curves) == 2  # the 2020 cohort and the pooled curve
    monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", None)  # projecting must not fit again
    for ahead in (0, 1, 5):
        projected = fits.project(ahead)
        monkeypatch.undo()
        pd.testing.assert_frame_equal(projected, models.project_cohorts(aggs, ahead))
        monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", None)
        assert (projected["kind"] == "projected").sum() == 2 * ahead
    with pytest.raises(ValueError, match="periods_ahead must be a whole number >= 0"):
        fits.project(1.5)


def test_the_projection_chart_joins_each_projection_to_its_last_observed_point():
    from retention_views import charts

    curves = models.project_cohorts(yearly_aggregates("2024-12-31"), periods_ahead=2)
    figure = charts.cohort_projection_chart(curves, "year", "en")
    assert [trace.name for trace in figure.data] == ["2020", "2020", "Average · observed", "Average · projection (sBG)"]
    for solid, dashed in (figure.data[:2], figure.data[2:]):  # the 2020 cohort, then the pooled curve
        assert list(solid.x) == [0, 1, 2, 3, 4] and solid.line.dash is None
        assert list(dashed.x) == [4, 5, 6] and dashed.line.dash == "dash" and dashed.y[0] == solid.y[-1]
    assert list(figure.data[0].y) == pytest.approx([1.0, 0.6, 0.6, 0.4, 0.35])
    assert figure.data[2].showlegend and figure.data[2].line.width == 4 and not figure.data[0].showlegend


def test_a_cohort_whose_fit_does_not_converge_keeps_only_its_observed_rows(monkeypatch):
    failed = models.SbgFit(1.0, 1.0, converged=False)
    monkeypatch.setattr(cohorts, "fit_shifted_beta_geometric", lambda survival, size: failed)
    fits = models.fit_cohorts(yearly_aggregates("2024-12-31"))
    assert all(curve.fit is None for curve in fits.curves)
    assert set(fits.project(3)["kind"]) == {"observed"}


# --- pages ----------------------------------------------------------------------------------------------------


def german_money(app: AppTest, label: str) -> float:
    return german_number(metric_value(app, label))


def test_clv_page_predictive_mean_doubles_with_the_margin_slider():
    app = open_page("app_pages/clv.py")
    label = "CLV (BG/NBD + Gamma-Gamma), Mittelwert"
    app.select_slider(key="clv_gross_margin").set_value(25.0).run()
    quarter = german_money(app, label)
    app.select_slider(key="clv_gross_margin").set_value(50.0).run()
    assert not app.exception
    assert quarter > 0
    assert german_money(app, label) == pytest.approx(2 * quarter, abs=0.011)  # each shown rounded to cents


def decoded(values: list | dict) -> list:
    """Plotly 6+ sends numeric arrays as ``{"dtype", "bdata"}`` (base64); plain lists pass through."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def test_cohort_page_projects_as_many_quarters_as_the_slider_says():
    app = open_page("app_pages/cohorts.py")
    for periods in (2, 6):
        app.slider(key="cohort_project_periods").set_value(periods).run()
        assert not app.exception
        spec = json.loads(app.get("plotly_chart")[-1].proto.spec)
        assert spec["layout"]["title"]["text"] == "Bindungskurven mit sBG-Projektion"
        projection = [trace for trace in spec["data"] if trace["name"] == "Durchschnitt · Projektion (sBG)"][0]
        # The oldest cohort (Q1 2022) is observed to Q4 2024, 11 quarters later; the dashed line starts there.
        assert decoded(projection["x"]) == list(range(11, 11 + periods + 1))
