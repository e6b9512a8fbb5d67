"""Predicted CLV (retention_core.models.clv): the per-customer formula on a hand-made summary with the published
CDNOW fits, and the stored fits of a data set at slider values (linear in the margin, every customer, the forecast
basis equal to the direct formula, the page summary equal to the full scenario)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from published_estimates import CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA

from retention_core import models
from retention_core.models import (
    BgNbdFit,
    bg_nbd_conditional_expected_purchases,
    gamma_gamma_expected_spend,
    predictive_clv,
)


# --- the per-customer formula and its units -------------------------------------------------------------------


@pytest.fixture
def weekly_summary() -> pd.DataFrame:
    summary = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [0, 2, 7],
            "recency": [0.0, 30.43, 35.0],
            "T": [38.86, 38.86, 36.0],
            "monetary": [0.0, 40.0, 25.0],
        }
    )
    summary.attrs["time_unit"] = "W"
    return summary


def test_clv_without_discount_is_margin_times_spend_times_expected_purchases(weekly_summary):
    result = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, horizon=12, discount_rate=0.0, margin=0.3)
    weeks = 12 * 30.4375 / 7
    expected = bg_nbd_conditional_expected_purchases(
        CDNOW_BG_NBD, weeks, weekly_summary["frequency"], weekly_summary["recency"], weekly_summary["T"]
    )
    spend = gamma_gamma_expected_spend(CDNOW_GAMMA_GAMMA, weekly_summary["frequency"], weekly_summary["monetary"])
    assert list(result.columns) == [
        "customer_id", "expected_purchases", "discounted_purchases", "expected_spend", "probability_alive", "clv"
    ]
    assert result["expected_purchases"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert result["discounted_purchases"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert result["clv"].to_numpy() == pytest.approx(0.3 * spend * expected, rel=1e-12)


def test_clv_discounts_one_month_at_the_twelfth_root_of_the_annual_rate(weekly_summary):
    result = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, horizon=1, discount_rate=0.1, margin=1.0)
    assert result["clv"].to_numpy() == pytest.approx(
        result["expected_spend"] * result["expected_purchases"] / 1.1 ** (1 / 12), rel=1e-12
    )


def test_clv_does_not_depend_on_the_time_unit_of_the_summary(weekly_summary):
    # The same customers in days: times x 7, and alpha (a time scale) x 7.
    daily = weekly_summary.assign(recency=weekly_summary["recency"] * 7, T=weekly_summary["T"] * 7)
    daily_fit = BgNbdFit(r=0.243, alpha=4.414 * 7, a=0.793, b=2.426)
    weekly = predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 24, 0.08, 0.4)
    in_days = predictive_clv(daily_fit, CDNOW_GAMMA_GAMMA, daily, 24, 0.08, 0.4, time_unit="D")
    assert in_days["clv"].to_numpy() == pytest.approx(weekly["clv"], rel=1e-9)
    assert weekly["clv"].is_monotonic_increasing  # more and dearer purchases, more recently


def test_clv_rejects_percent_inputs_and_unknown_units(weekly_summary):
    with pytest.raises(ValueError, match="discount_rate must be an annual fraction"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 12, 10, 0.3)
    with pytest.raises(ValueError, match="margin must be a fraction"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, 12, 0.1, 30)
    with pytest.raises(ValueError, match="horizon must be a number of months"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, weekly_summary, -1, 0.1, 0.3)
    no_unit = weekly_summary.copy()
    no_unit.attrs = {}
    with pytest.raises(ValueError, match="time_unit is unknown"):
        predictive_clv(CDNOW_BG_NBD, CDNOW_GAMMA_GAMMA, no_unit, 12, 0.1, 0.3)


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


def test_growing_bases_come_a_year_at_a_time_and_end_as_the_basis_made_at_once(sample_models):
    reported = []
    bases = list(models.growing_forecast_bases(sample_models, 210, progress=lambda done, total: reported.append(
        (done, total))))
    assert [basis.months for basis in bases] == [210, 222, 234, 240]  # the last step stops at the longest horizon
    assert reported == [(month, 240) for month in range(1, 241)]
    whole = models.forecast_basis(sample_models)
    np.testing.assert_array_equal(bases[-1].cumulative, whole.cumulative)
    np.testing.assert_array_equal(bases[1].cumulative, bases[-1].cumulative[:, :222])  # each holds the ones before
    assert all(np.shares_memory(basis.cumulative, bases[-1].cumulative) for basis in bases[1:])  # filled in place
    with pytest.raises(ValueError, match="the first months and the step must be positive"):
        next(models.growing_forecast_bases(sample_models, 12, step_months=0))


def test_a_basis_extended_to_more_months_shares_what_is_kept_of_its_customers(sample_models):
    bases = models.growing_forecast_bases(sample_models, 228)
    first = next(bases)
    at_first = models.predictive_clv_summary(sample_models, 0.3, 0.08, 60, basis=first)  # makes the groups, entries
    longer = next(bases)
    assert longer.months == 240 and longer.customer_cache is first.customer_cache
    assert {"groups", "entries", "alive_histogram", "mean_probability_alive"} <= longer.customer_cache.keys()
    fresh = models.forecast_basis(sample_models)  # its own cache: the same figures made again
    for basis in (longer, fresh):
        summary = models.predictive_clv_summary(sample_models, 0.3, 0.08, 60, basis=basis)
        assert summary.total_clv == pytest.approx(at_first.total_clv, rel=1e-12)
        assert summary.median_clv == pytest.approx(at_first.median_clv, rel=1e-12)
        pd.testing.assert_frame_equal(summary.clv_histogram, at_first.clv_histogram)
    assert fresh.customer_cache is not first.customer_cache


def test_the_forecast_basis_reports_each_month_done_and_stops_when_its_progress_raises(sample_models):
    reported = []
    basis = models.forecast_basis(sample_models, months=12, progress=lambda done, total: reported.append((done, total)))
    assert reported == [(month, 12) for month in range(1, 13)]
    np.testing.assert_array_equal(basis.cumulative, models.forecast_basis(sample_models, months=12).cumulative)

    class Stop(Exception):
        pass

    def stop_after_two(done: int, total: int) -> None:
        reported.append(done)
        if done == 2:
            raise Stop

    reported.clear()
    with pytest.raises(Stop):
        models.forecast_basis(sample_models, progress=stop_after_two)
    assert reported == [1, 2]


@pytest.mark.slow  # two forecast bases of the sample
def test_a_basis_extended_to_more_months_is_the_basis_made_at_once(sample_models):
    first = models.forecast_basis(sample_models, months=60)
    reported = []
    extended = models.forecast_basis(sample_models, extending=first,
                                     progress=lambda done, total: reported.append((done, total)))
    whole = models.forecast_basis(sample_models)
    assert extended.months == whole.months == models.MAX_FORECAST_MONTHS
    assert reported[-1] == (180, 180) and len(reported) == 180  # only the months after the first 60
    for field in ("cumulative", "group", "probability_alive", "expected_spend", "pairs"):
        np.testing.assert_array_equal(getattr(extended, field), getattr(whole, field))
    with pytest.raises(ValueError, match="a basis of 60 months cannot be extended to 24"):
        models.forecast_basis(sample_models, months=24, extending=first)


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
