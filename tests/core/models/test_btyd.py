"""A data set's BTYD fits (retention_core.models.btyd): fits on the sample, the holdout check, fallbacks on unsuitable
data, fits on a sample of a large customer base.

Expected values are worked out by hand or with a few lines of pandas on the raw rows; model numbers are checked
against properties the paper states (BG/NBD reproduces the total repeat purchases it was fitted on; the Gamma-Gamma
population mean is close to the mean repeat spend) rather than against the code under test.
"""

from __future__ import annotations

import pandas as pd
import pytest

from retention_core import models, queries
from retention_core.models import btyd
from retention_views.texts import LANGUAGES, t


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


# --- large customer bases -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_large_customer_bases_are_fitted_on_a_fixed_sample_and_forecast_in_full(sample_transactions, monkeypatch):
    monkeypatch.setattr(btyd, "FIT_CUSTOMERS", 1500)
    fitted = models.fit_predictive_models(sample_transactions)
    again = models.fit_predictive_models(sample_transactions)
    assert fitted.usable and (fitted.fit_customers, fitted.customers) == (1500, 4000)
    assert fitted.bg_nbd == again.bg_nbd  # the same seeded sample every time
    assert fitted.holdout["customers"].sum() <= 1500  # the holdout check runs on the sample too
    assert len(models.predictive_clv_scenario(fitted, 0.3, 0.08, 12).customer_table) == 4000


@pytest.mark.slow
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
