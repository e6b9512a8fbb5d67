"""Predicted CLV of a data set's stored fits at slider values (retention_core.models.clv): linear in the margin,
every customer, the forecast basis equal to the direct formula, the page summary equal to the full scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from retention_core import models


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
