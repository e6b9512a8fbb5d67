"""Customer summaries for the BTYD models (retention_core.models.summaries): hand-checkable frames, the
calibration/holdout split, the data check, and one CDNOW customer counted by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from retention_core import queries
from retention_core.models import assess_btyd_data, btyd_summary, calibration_holdout_split, rfm_summary


def _transactions(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": pd.Series([row[0] for row in rows], dtype="str"),
            "order_date": pd.to_datetime([row[1] for row in rows]),
            "amount": [row[2] for row in rows],
        }
    )


@pytest.fixture
def small_shop() -> pd.DataFrame:
    """Three customers; amounts chosen so every summary value can be worked out on paper."""
    return _transactions(
        [
            ("a", "2024-01-01", 10.0),  # two orders on one day: one purchase day worth 15
            ("a", "2024-01-01", 5.0),
            ("a", "2024-01-15", 20.0),
            ("a", "2024-01-29", 40.0),  # order and same-day return: one purchase day worth 30
            ("a", "2024-01-29", -10.0),
            ("a", "2024-02-20", 12.0),
            ("b", "2024-01-08", 7.0),
            ("b", "2024-01-22", -7.0),  # return only: not a purchase
            ("c", "2024-02-13", 3.0),
        ]
    )


# ---------------------------------------------------------------------------------------------------------------
# Customer summaries
# ---------------------------------------------------------------------------------------------------------------


def test_rfm_summary_counts_repeat_purchase_days_up_to_observation_end(small_shop):
    summary = rfm_summary(small_shop, observation_end="2024-02-12", time_unit="W").set_index("customer_id")
    # a: purchase days 01-01, 01-15, 01-29 (the 02-20 order is after the end) -> 2 repeats, last 4 weeks after
    # the first, 6 weeks observed, repeat spend (20 + 30) / 2 = 25. b: one purchase day, the return is ignored.
    # c: first purchase after the end -> absent.
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["a", ["frequency", "recency", "T", "monetary"]].tolist() == [2, 4.0, 6.0, 25.0]
    assert summary.loc["b", ["frequency", "recency", "T", "monetary"]].tolist() == [0, 0.0, 5.0, 0.0]
    assert summary.attrs["time_unit"] == "W"


def test_rfm_summary_observation_end_defaults_to_last_order_date(small_shop):
    summary = rfm_summary(small_shop, time_unit="D").set_index("customer_id")
    # End = 2024-02-20. a: 3 repeats, 50 days, spend (20 + 30 + 12) / 3; c: first purchase 7 days before the end.
    assert summary.loc["a", ["frequency", "recency", "T"]].tolist() == [3, 50.0, 50.0]
    assert summary.loc["a", "monetary"] == pytest.approx(62 / 3)
    assert summary.loc["c", ["frequency", "recency", "T", "monetary"]].tolist() == [0, 0.0, 7.0, 0.0]


def test_customer_summary_carries_the_btyd_columns_and_rfm_summary_keeps_only_buyers(small_shop):
    # z only returned goods: a customer of the summary (revenue -5, no orders) without a purchase day.
    shop = pd.concat([small_shop, _transactions([("z", "2024-01-10", -5.0)])], ignore_index=True)
    customers = queries.customer_summary(shop, unit_days=7.0).set_index("customer_id")
    # a by hand (end 2024-02-20): purchase days 01-01, 01-15, 01-29, 02-20 -> 3 repeats over 50 days = 50/7 weeks;
    # the two 01-01 rows are one order day (one purchase occasion) and two of the five orders (the 01-29 return is
    # no order).
    assert customers.loc["a", ["orders", "occasions", "frequency"]].tolist() == [5, 4, 3]
    assert customers.loc["a", "recency"] == pytest.approx(50 / 7) and customers.loc["a", "T"] == pytest.approx(50 / 7)
    assert customers.loc["a", "monetary"] == pytest.approx(62 / 3)
    assert customers.loc["z", "orders"] == 0 and customers.loc["z", "revenue"] == -5.0
    assert customers.loc["z", ["frequency", "recency", "T", "monetary"]].isna().all()
    summary = rfm_summary(shop, time_unit="W")
    assert list(summary["customer_id"]) == ["a", "b", "c"] and summary["frequency"].dtype == "int64"
    pd.testing.assert_frame_equal(summary, btyd_summary(customers.reset_index(), "W"))


def test_btyd_summary_rejects_unknown_time_unit(small_shop):
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        btyd_summary(queries.customer_summary(small_shop), "weeks")


def test_rfm_summary_months_are_days_over_30_4375(small_shop):
    summary = rfm_summary(small_shop, observation_end="2024-02-12", time_unit="M").set_index("customer_id")
    assert summary.loc["a", "recency"] == pytest.approx(28 / 30.4375)
    assert summary.loc["a", "T"] == pytest.approx(42 / 30.4375)


def test_rfm_summary_rejects_unknown_time_unit(small_shop):
    with pytest.raises(ValueError, match="time_unit must be one of D, W, M"):
        rfm_summary(small_shop, time_unit="weeks")


def test_rfm_summary_rejects_missing_columns_and_text_dates(small_shop):
    with pytest.raises(ValueError, match="lack the column"):
        rfm_summary(small_shop.drop(columns="amount"))
    with pytest.raises(ValueError, match="order_date must be datetime64"):
        rfm_summary(small_shop.assign(order_date=small_shop["order_date"].dt.strftime("%Y-%m-%d")))
    with pytest.raises(ValueError, match="observation_end must be a date"):
        rfm_summary(small_shop, observation_end="not a date")


def test_calibration_holdout_split_counts_holdout_purchase_days(small_shop):
    split = calibration_holdout_split(small_shop, "2024-01-15", dt.date(2024, 2, 12)).set_index("customer_id")
    # a: calibration 01-01, 01-15 -> 1 repeat at 2 weeks, T 2 weeks; holdout 01-29 (net 30) -> 1 purchase day.
    # b: no holdout purchase (the 01-22 return is not one). c: first purchase after the calibration end -> absent.
    assert list(split.index) == ["a", "b"]
    assert split.loc["a", ["frequency", "recency", "T", "monetary"]].tolist() == [1, 2.0, 2.0, 20.0]
    assert split.loc["a", ["holdout_frequency", "holdout_monetary"]].tolist() == [1, 30.0]
    assert split.loc["b", ["holdout_frequency", "holdout_monetary"]].tolist() == [0, 0.0]
    assert (split["holdout_duration"] == 4.0).all()


def test_calibration_holdout_split_needs_end_after_calibration(small_shop):
    with pytest.raises(ValueError, match="must be after calibration_end"):
        calibration_holdout_split(small_shop, "2024-02-01", "2024-01-01")


def test_assess_btyd_data_names_the_first_problem():
    rng = np.random.default_rng(1)
    few = pd.DataFrame({"frequency": [1] * 150, "T": [30.0] * 150})
    one_timers = pd.DataFrame({"frequency": [0] * 190 + [2] * 10, "T": [30.0] * 200})
    short = pd.DataFrame({"frequency": rng.integers(0, 3, 300), "T": [5.0] * 300})
    good = pd.DataFrame({"frequency": rng.integers(0, 3, 300), "T": [30.0] * 300})
    assert assess_btyd_data(few) == "too_few_customers"
    assert assess_btyd_data(one_timers) == "too_few_repeaters"
    assert assess_btyd_data(short, time_unit="W") == "short_history"  # 5 weeks < 8 weeks
    assert assess_btyd_data(short, time_unit="M") is None  # 5 months is enough
    assert assess_btyd_data(good) is None


# ---------------------------------------------------------------------------------------------------------------
# Published examples
# ---------------------------------------------------------------------------------------------------------------


def test_cdnow_rfm_summary_matches_hand_count_for_one_customer(cdnow_split):
    # Customer 00004 bought on 1997-01-01, 01-18, 08-02 and 12-12: two repeats by 1997-09-30, the last 213 days
    # after the first, 272 days observed; repeat spend (29.73 + 14.96) / 2; one holdout purchase of 26.48.
    row = cdnow_split.set_index("customer_id").loc["00004"]
    assert row["frequency"] == 2
    assert row["recency"] == pytest.approx(213 / 7)
    assert row["T"] == pytest.approx(272 / 7)
    assert row["monetary"] == pytest.approx((29.73 + 14.96) / 2)
    assert (row["holdout_frequency"], row["holdout_monetary"]) == (1, pytest.approx(26.48))
